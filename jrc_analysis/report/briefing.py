"""The annual briefing in one command (``jrc briefing [--year Y]``).

:func:`run_briefing` takes the one :class:`~jrc_analysis.analysis.analysis.Analysis` of the
year (:func:`~jrc_analysis.analysis.analysis.analyse`: the raw folder read only when it changed,
``data/processed`` and the issue report written beside it, the gap tables cut at the year, the
chart plan), renders every chart of the plan once (:mod:`jrc_analysis.report.views`,
:mod:`jrc_analysis.report.charts`) and writes, under ``figures/<Y>/``:

- every chart as PNG (200 dpi) and SVG, named ``<area>/<indicator>_<chart>`` (the indicator code
  without its area prefix): ``first_aid/certified_trainees_trend``, ``…_prefectures`` (allocated
  targets), ``…_contribution`` (headline indicators), ``…_coverage`` (coverage targets), and
  ``overview/scorecard``, ``overview/cumulative``;
- the annex ``briefing_<Y>.xlsx`` (:mod:`jrc_analysis.report.annex`);
- the page ``briefing_<Y>.html`` (:mod:`jrc_analysis.report.report_html`).

Every file goes through :func:`jrc_analysis.fileio.write_bytes_atomic` (temp name, then rename;
an unchanged file is not rewritten), so a second run changes no byte. The charts are rendered to
bytes once and the same PNG bytes are embedded in the page.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from jrc_analysis import config
from jrc_analysis.analysis.analysis import Analysis, AnalysisError, ChartSpec, analyse
from jrc_analysis.fileio import write_bytes_atomic
from jrc_analysis.report import charts
from jrc_analysis.report.captions import chart_caption
from jrc_analysis.report.views import chart_figure
from jrc_analysis.returns.ingest import OUTPUT_FILES

PNG_DPI = 200


@dataclass(frozen=True)
class RenderedChart:
    """A chart rendered once: its PNG and SVG bytes and its caption (Chinese)."""

    spec: ChartSpec
    png: bytes
    svg: bytes
    caption: str


# --------------------------------------------------------------------------- rendering


def render_chart(spec: ChartSpec, analysis: Analysis) -> RenderedChart:
    """Build one chart and render it to PNG and SVG bytes (deterministic)."""
    fig = chart_figure(spec, analysis)
    png = charts.figure_bytes(fig, "png", PNG_DPI)
    svg = charts.figure_bytes(fig, "svg", PNG_DPI)
    return RenderedChart(spec, png, svg, chart_caption(spec, analysis))


_WORKER_TABLES: Analysis | None = None


def _init_worker(analysis: Analysis) -> None:
    global _WORKER_TABLES
    _WORKER_TABLES = analysis


def _render_in_worker(spec: ChartSpec) -> RenderedChart:
    assert _WORKER_TABLES is not None
    return render_chart(spec, _WORKER_TABLES)


MIN_CHARTS_PER_WORKER = 2  # see default_workers


def default_workers(charts: int) -> int:
    """Processes used to render ``charts`` charts: ``$JRC_JOBS`` if set; else every CPU when
    each process gets at least :data:`MIN_CHARTS_PER_WORKER` charts, else as many processes as
    get that many (one for a short plan).

    Why 2: starting a worker (fork, then its first chart loads the CJK font and warms
    matplotlib's caches, about 0.3 s) costs about one chart. Measured on 2 CPUs (trend charts, a
    fresh process each run, median of 5, the other CPU busy with other work): 2 charts 1.31 s in
    one process and 1.32 s in two, 4 charts 1.96 s and 2.01 s, 8 charts 4.32 s and 4.24 s — no
    loss from 2 charts a process even without a free CPU; with one free, the 69 charts of a
    briefing take 26.2 s in two processes against 52.8 s in one."""
    wanted = config.jobs_from_env()
    if wanted:
        return wanted
    cpus = os.cpu_count() or 1
    return max(1, min(cpus, charts // MIN_CHARTS_PER_WORKER))


def render_charts(plan: list[ChartSpec], analysis: Analysis,
                  workers: int | None = None) -> list[RenderedChart]:
    """Every chart of ``plan`` rendered once, in plan order, with a progress bar.

    Charts are independent, so with ``workers`` > 1 (default :func:`default_workers`) they are
    rendered in that many processes, one chart at a time each (the charts differ in cost: the
    scorecard takes several times a trend chart); the bytes do not depend on the process (same
    font, same style, no metadata)."""
    workers = min(default_workers(len(plan)) if workers is None else workers, len(plan))
    progress = dict(total=len(plan), desc="绘制图表", unit="张", disable=None, leave=False)
    if workers <= 1:
        return [render_chart(spec, analysis) for spec in tqdm(plan, **progress)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(analysis,)) as pool:
        return list(tqdm(pool.map(_render_in_worker, plan), **progress))


def write_charts(rendered: list[RenderedChart], year_dir: Path) -> list[Path]:
    """Write every chart's PNG and SVG atomically under ``year_dir``; the paths."""
    written = []
    for chart in rendered:
        for suffix, data in (("png", chart.png), ("svg", chart.svg)):
            path = year_dir / f"{chart.spec.name}.{suffix}"
            write_bytes_atomic(path, data)
            written.append(path)
    return written


# --------------------------------------------------------------------------- the command


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is under it, else as given."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _done(message: str, started: float) -> None:
    print(f"{message}（{time.perf_counter() - started:.1f} 秒）", flush=True)


def run_briefing(year: int | None = None, raw_dir=None, processed_dir=None, figures_dir=None,
                 *, allocation_path=None) -> int:
    """``jrc briefing``: ingest, gaps, charts, annex and page for ``year`` (default: the latest
    year with returns). Folders default to :mod:`jrc_analysis.config`; ``allocation_path`` is a
    user's official target allocation (default: the packaged population-share assumption).

    Returns 0, 1 when the returns have errors (everything is still written from the good
    values), 2 when there is nothing to brief (no returns, or none for ``year``).
    """
    from jrc_analysis.report.annex import annex_bytes, annex_tables
    from jrc_analysis.report.report_html import briefing_html

    raw = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    processed = Path(processed_dir) if processed_dir is not None else config.processed_dir()
    figures = Path(figures_dir) if figures_dir is not None else config.figures_dir()
    if not raw.is_dir():
        print(f"找不到报表文件夹：{shown_path(raw)}（请把各单位的年度报表放在这里）", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        analysis = analyse(year, raw, processed, allocation_path=allocation_path)
    except AnalysisError as problem:
        print(f"无法生成通报：{problem}", file=sys.stderr)
        return 2
    _done(f"已读取报表{'' if analysis.ingested else '（原始报表未变，沿用上次的结果）'}："
          f"{len(analysis.returns)} 个文件，{len(analysis.values)} 个数值；"
          f"{analysis.year}年及以前的报表：警告 {analysis.warnings} 条，错误 {analysis.errors} 条", started)
    print("整洁数据和问题清单：" + "、".join(shown_path(processed / name) for name in OUTPUT_FILES))
    chosen, plan = analysis.year, list(analysis.charts)

    step = time.perf_counter()
    rendered = render_charts(plan, analysis)
    year_dir = figures / str(chosen)
    paths = write_charts(rendered, year_dir)
    _done(f"已绘制图表 {len(rendered)} 张（PNG {PNG_DPI} dpi 和 SVG，共 {len(paths)} 个文件）："
          f"{shown_path(year_dir)}/", step)
    folders = sorted({p.parent for p in paths})
    for folder in folders:
        count = sum(1 for p in paths if p.parent == folder and p.suffix == ".png")
        print(f"  {shown_path(folder)}/  {count} 张")

    step = time.perf_counter()
    annex = year_dir / f"briefing_{chosen}.xlsx"
    sheets = annex_tables(analysis)
    write_bytes_atomic(annex, annex_bytes(sheets))
    page = year_dir / f"briefing_{chosen}.html"
    write_bytes_atomic(page, briefing_html(analysis, rendered, sheets).encode("utf-8"))
    _done(f"已写出附表 {shown_path(annex)} 和网页 {shown_path(page)}", step)
    _done("通报生成完毕", started)
    if analysis.errors:
        print(f"注意：报表中有 {analysis.errors} 条错误（见 {shown_path(processed / 'issues.csv')}），"
              "相关数值未采用。", file=sys.stderr)
        return 1
    return 0

"""The annual briefing in one command (``jrc briefing [--year Y]``).

:func:`run_briefing` ingests the raw folder once (writing ``data/processed`` and the issue report
through :func:`jrc_analysis.returns.ingest.write_outputs`), computes the gap tables once
(:mod:`jrc_analysis.analysis.gaps`), renders every chart once (:mod:`jrc_analysis.report.charts`) and writes, under
``figures/<Y>/``:

- every chart as PNG (200 dpi) and SVG, named ``<area>/<indicator>_<chart>`` (the indicator code
  without its area prefix): ``first_aid/certified_trainees_trend``, ``…_prefectures`` (allocated
  targets), ``…_contribution`` (headline indicators), ``…_coverage`` (coverage targets), and
  ``overview/scorecard``, ``overview/cumulative``;
- the plan verdict's charts ``verdict/<area>`` (:mod:`jrc_analysis.analysis.verdict`,
  :mod:`jrc_analysis.report.charts.verdict`);
- the annex ``briefing_<Y>.xlsx`` (:mod:`jrc_analysis.report.annex`);
- the page ``briefing_<Y>.html`` (:mod:`jrc_analysis.report.report_html`);
- the Word draft ``通报_<Y>.docx`` (:mod:`jrc_analysis.report.word_draft`).

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

import pandas as pd
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from jrc_analysis.plan import catalog

from jrc_analysis.report import charts

from jrc_analysis import config

from jrc_analysis.analysis import gaps
from jrc_analysis.report.charts import format_percent, format_value
from jrc_analysis.fileio import write_bytes_atomic
from jrc_analysis.returns.ingest import LoadResult, issues_table, load_returns, write_outputs

OVERVIEW = "overview"
SYNTHETIC_MARK = "synthetic samples"  # what the samples' README.md in data/raw says
PNG_DPI = 200
CHART_KINDS = ("trend", "prefectures", "contribution", "coverage")


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the briefing: ``name`` is its path under ``figures/<Y>/`` without suffix."""

    name: str
    chart: str  # trend | prefectures | contribution | coverage | scorecard | cumulative | verdict
    indicator: str  # "" for the overview charts
    area: str  # the action area, or "overview"


@dataclass(frozen=True)
class RenderedChart:
    """A chart rendered once: its PNG and SVG bytes, its caption (Chinese) and the small PNG
    the page embeds (:func:`jrc_analysis.report.report_html.page_png`, made in the worker)."""

    spec: ChartSpec
    png: bytes
    svg: bytes
    caption: str
    page_png: bytes = b""


@dataclass
class BriefingTables:
    """Everything the briefing shows for ``year`` (gap tables cut to the years up to ``year``)."""

    year: int
    province: pd.DataFrame
    prefectures: pd.DataFrame
    coverage: pd.DataFrame
    completeness: pd.DataFrame
    issues: pd.DataFrame  # issues.csv columns plus ``year`` (of the file, NA when unknown), ≤ year
    allocation: pd.DataFrame
    synthetic: bool
    verdict: pd.DataFrame | None = None  # analysis.verdict.plan_verdict for ``year``


# --------------------------------------------------------------------------- inputs


def years_with_returns(values: pd.DataFrame) -> list[int]:
    """Years that have at least one tidy value, ascending."""
    years = pd.to_numeric(values["year"], errors="coerce").dropna().astype(int)
    return sorted(set(years.tolist()))


def briefing_year(values: pd.DataFrame, year: int | None = None) -> int | None:
    """``year`` if it has returns, the latest year with returns when ``year`` is None, else None."""
    years = years_with_returns(values)
    if year is None:
        return years[-1] if years else None
    return year if year in years else None


def is_synthetic(raw_dir: str | os.PathLike) -> bool:
    """True when the raw folder holds the synthetic samples (its README.md says so): the charts
    then carry the note 示例数据（合成），非官方统计."""
    readme = Path(raw_dir) / "README.md"
    return readme.is_file() and SYNTHETIC_MARK in readme.read_text(encoding="utf-8", errors="replace")


def issues_with_year(result: LoadResult) -> pd.DataFrame:
    """The issue report (:func:`jrc_analysis.returns.ingest.issues_table`) with the year of each file."""
    table = issues_table(result.issues)
    years = dict(zip(result.returns["source_file"], result.returns["year"]))
    table.insert(0, "year", pd.array([years.get(f, pd.NA) for f in table["source_file"]],
                                     dtype="Int64"))
    return table


def issues_up_to(issues: pd.DataFrame, year: int) -> pd.DataFrame:
    """The issues of files of ``year`` and earlier, and of files whose year is unknown."""
    keep = (issues["year"].isna() | (issues["year"] <= year)).fillna(True).astype(bool)
    return issues[keep].reset_index(drop=True)


def briefing_tables(result: LoadResult, year: int, allocation: pd.DataFrame,
                    synthetic: bool) -> BriefingTables:
    """The gap tables computed once over every year, then cut to the years up to ``year`` (the
    issues too: those of files of later years are left out; those of unknown year are kept)."""
    values = result.values
    tables = gaps.gap_tables(values, allocation=allocation)
    province, prefectures, coverage = tables.province, tables.prefectures, tables.coverage
    done = gaps.completeness(values)
    from jrc_analysis.analysis.verdict import plan_verdict

    cut = {name: table[table["year"] <= year].reset_index(drop=True)
           for name, table in (("province", province), ("coverage", coverage))}
    return BriefingTables(
        year=year,
        province=province[province["year"] <= year].reset_index(drop=True),
        prefectures=prefectures[prefectures["year"] <= year].reset_index(drop=True),
        coverage=coverage[coverage["year"] <= year].reset_index(drop=True),
        completeness=done[done["year"] == year].reset_index(drop=True),
        issues=issues_up_to(issues_with_year(result), year),
        allocation=allocation,
        synthetic=synthetic,
        verdict=plan_verdict(cut["province"], cut["coverage"], year),
    )


# --------------------------------------------------------------------------- the chart plan


def short_code(indicator: str) -> str:
    """``first_aid.certified_trainees`` → ``certified_trainees``."""
    return indicator.split(".", 1)[1] if "." in indicator else indicator


def targeted_indicators() -> list[str]:
    """Indicators the plan sets a target for, in catalogue order."""
    with_target = set(catalog.targets()["indicator"])
    return [code for code in catalog.indicators()["code"] if code in with_target]


def allocated_indicators(allocation: pd.DataFrame, year: int) -> list[str]:
    """Indicators with a prefecture allocation for ``year``, in catalogue order."""
    have = set(allocation.loc[allocation["year"].astype(int) == year, "indicator"].astype(str))
    return [code for code in catalog.indicators()["code"] if code in have]


def coverage_indicators(coverage: pd.DataFrame) -> list[str]:
    """Indicators with a coverage target (rows in the coverage table), in catalogue order."""
    have = set(coverage["indicator"].astype(str))
    return [code for code in catalog.indicators()["code"] if code in have]


def chart_plan(tables: BriefingTables) -> list[ChartSpec]:
    """Every chart of the briefing, in reading order: the overview, then area by area (plan
    order) each indicator's trend, prefecture gaps, contribution and coverage."""
    area_of = dict(zip(catalog.indicators()["code"], catalog.indicators()["area"].astype(str)))
    wanted = {
        "trend": set(targeted_indicators()),
        "prefectures": (set(allocated_indicators(tables.allocation, tables.year))
                        & set(charts.prefecture_chart_indicators(tables.prefectures, tables.year))),
        "contribution": set(charts.headline_indicators()),
        "coverage": set(coverage_indicators(tables.coverage)),
    }
    plan = [ChartSpec(f"{OVERVIEW}/scorecard", "scorecard", "", OVERVIEW)]
    if cumulative_years(tables.year):
        plan.append(ChartSpec(f"{OVERVIEW}/cumulative", "cumulative", "", OVERVIEW))
    if tables.verdict is not None:
        plan += [ChartSpec(f"verdict/{area}", "verdict", "", area)
                 for area in catalog.areas()["area"].astype(str)]
    for code in catalog.indicators()["code"]:
        for kind in CHART_KINDS:
            if code in wanted[kind]:
                plan.append(ChartSpec(f"{area_of[code]}/{short_code(code)}_{kind}", kind, code,
                                      area_of[code]))
    return plan


def cumulative_years(year: int) -> list[int]:
    """The plan's years up to ``year`` (the span of the cumulative chart)."""
    return [y for y in catalog.plan_years() if y <= year]


# --------------------------------------------------------------------------- rendering


def chart_figure(spec: ChartSpec, tables: BriefingTables) -> Figure:
    """The Figure of one chart (from the library's chart functions)."""
    synthetic = tables.synthetic
    if spec.chart == "scorecard":
        years = sorted(set(tables.province["year"].astype(int)))
        return charts.scorecard_chart(tables.province, years=years, synthetic=synthetic)
    if spec.chart == "cumulative":
        return charts.cumulative_chart(tables.province, years=cumulative_years(tables.year),
                                       synthetic=synthetic)
    if spec.chart == "trend":
        return charts.trend_chart(tables.province, spec.indicator, synthetic=synthetic)
    if spec.chart == "prefectures":
        return charts.prefecture_gap_chart(tables.prefectures, spec.indicator, tables.year,
                                           synthetic=synthetic)
    if spec.chart == "contribution":
        return charts.contribution_chart(tables.prefectures, spec.indicator,
                                         province=tables.province, synthetic=synthetic)
    if spec.chart == "coverage":
        return charts.coverage_chart(tables.coverage, spec.indicator, synthetic=synthetic)
    if spec.chart == "verdict":
        from jrc_analysis.report.charts.verdict import verdict_chart

        return verdict_chart(tables.verdict, spec.area, tables.year, synthetic=synthetic)
    raise ValueError(f"unknown chart kind {spec.chart!r}")


def render_chart(spec: ChartSpec, tables: BriefingTables) -> RenderedChart:
    """Build one chart and render it to PNG and SVG bytes (deterministic)."""
    fig = chart_figure(spec, tables)
    png = charts.figure_bytes(fig, "png", PNG_DPI)
    svg = charts.figure_bytes(fig, "svg", PNG_DPI)
    from jrc_analysis.report.report_html import page_png

    return RenderedChart(spec, png, svg, chart_caption(spec, tables), page_png(png))


_WORKER_TABLES: BriefingTables | None = None


def _init_worker(tables: BriefingTables) -> None:
    global _WORKER_TABLES
    _WORKER_TABLES = tables


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


def render_charts(plan: list[ChartSpec], tables: BriefingTables,
                  workers: int | None = None) -> list[RenderedChart]:
    """Every chart of ``plan`` rendered once, in plan order, with a progress bar.

    Charts are independent, so with ``workers`` > 1 (default :func:`default_workers`) they are
    rendered in that many processes, one chart at a time each (the charts differ in cost: the
    scorecard takes several times a trend chart); the bytes do not depend on the process (same
    font, same style, no metadata)."""
    workers = min(default_workers(len(plan)) if workers is None else workers, len(plan))
    progress = dict(total=len(plan), desc="绘制图表", unit="张", disable=None, leave=False)
    if workers <= 1:
        return [render_chart(spec, tables) for spec in tqdm(plan, **progress)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(tables,)) as pool:
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


# --------------------------------------------------------------------------- captions


def measure_text(value: float, unit: str) -> str:
    """A value as the captions write it (``11.72万人``, ``94.1%`` for a fraction, ``是``)."""
    if unit == gaps.FRACTION_LABEL:
        return format_percent(value, 1)
    return format_value(value, unit)


def target_text(row) -> str:
    """The target of a gap row in words (``目标10万人``, ``目标2–4个``, ``无目标``)."""
    if pd.isna(row["target"]):
        return "无目标"
    low = measure_text(row["target"], row["actual_unit"])
    if row["kind"] == "range" and pd.notna(row["target_upper"]):
        low = f"{low}–{measure_text(row['target_upper'], row['actual_unit'])}"
    if row["kind"] == "coverage":
        low = f"{low}全部达到"
    due = row["due"]
    if pd.notna(due) and not bool(due):
        return f"目标{low}（{int(row['due_year'])}年底前，当年只看进展）"
    return f"目标{low}"


def _row(table: pd.DataFrame, indicator: str, year: int) -> pd.Series | None:
    rows = table[(table["indicator"].astype(str) == indicator) & (table["year"] == year)]
    return rows.iloc[0] if len(rows) else None


def trend_caption(province: pd.DataFrame, indicator: str, year: int) -> str:
    """``应急救护持证培训（救护员）：2024年全省11.72万人，目标10万人，完成率117%，达标。``"""
    row = _row(province, indicator, year)
    if row is None:
        return f"{catalog.indicator(indicator)['name']}：{year}年无数据。"
    if pd.isna(row["actual"]):
        return f"{row['name']}：{year}年全省无报送数据（未报送）；{target_text(row)}。"
    parts = [f"{row['name']}：{year}年全省{measure_text(row['actual'], row['actual_unit'])}",
             target_text(row)]
    if pd.notna(row["completion"]):
        parts.append(f"完成率{format_percent(row['completion'])}")
    parts.append(row["status"])
    text = "，".join(parts) + "。"
    if row["units_reported"] < row["units_expected"]:
        text += f"{row['reported']}个单位报送。"
    return text


def prefectures_caption(prefectures: pd.DataFrame, indicator: str, year: int) -> str:
    """How many units met their allocated target, and on what basis the target was allocated."""
    rows = prefectures[(prefectures["indicator"].astype(str) == indicator)
                       & (prefectures["year"] == year) & prefectures["target"].notna()]
    counts = rows["status"].value_counts()
    name = catalog.indicator(indicator)["name"]
    basis = next((b for b in rows["target_basis"].astype(str) if b), "")
    text = (f"{name}：{year}年各设区市完成分解目标情况，达标{int(counts.get(gaps.MET, 0))}个、"
            f"未达标{int(counts.get(gaps.NOT_MET, 0))}个、未报送{int(counts.get(gaps.NOT_REPORTED, 0))}个。")
    return text + (f"分市目标：{basis}。" if basis else "")


def contribution_caption(prefectures: pd.DataFrame, indicator: str, year: int) -> str:
    """Which unit contributed most to the province total in ``year``."""
    rows = prefectures[(prefectures["indicator"].astype(str) == indicator)
                       & (prefectures["year"] == year) & prefectures["share"].notna()]
    name = catalog.indicator(indicator)["name"]
    if rows.empty:
        return f"{name}：各报送单位对全省合计的贡献；{year}年无数据。"
    top = rows.sort_values(["share"], ascending=False, kind="stable").iloc[0]
    return (f"{name}：各报送单位对全省合计的贡献；{year}年贡献最大的是{top['prefecture']}"
            f"（占{format_percent(top['share'])}）。")


def coverage_caption(coverage: pd.DataFrame, indicator: str, year: int) -> str:
    """Units meeting a coverage target in ``year`` and the ones that do not."""
    row = _row(coverage, indicator, year)
    name = catalog.indicator(indicator)["name"]
    if row is None:
        return f"{name}：{year}年无覆盖数据。"
    level = gaps.LEVEL_LABELS.get(str(row["level"]), "个单位")
    text = (f"{name}：{year}年{int(row['units_meeting'])}/{int(row['units_expected'])}{level}"
            f"达到每单位至少{charts.format_number(row['threshold'])}的要求，{row['status']}。")
    missing = str(row["missing_text"])
    return text + (f"未达到：{missing}。" if missing else "")


def scorecard_caption(province: pd.DataFrame, year: int) -> str:
    """Counts of indicators by status in ``year`` among those with a target that year."""
    rows = province[(province["year"] == year)
                    & province["indicator"].astype(str).isin(targeted_indicators())]
    counts = rows["status"].value_counts()
    return (f"{year}年方案中有量化目标的{len(rows)}项指标：达标{int(counts.get(gaps.MET, 0))}项，"
            f"未达标{int(counts.get(gaps.NOT_MET, 0))}项，未报送{int(counts.get(gaps.NOT_REPORTED, 0))}项，"
            f"无目标或未到期{int(counts.get(gaps.NO_TARGET, 0))}项。")


def cumulative_caption(year: int) -> str:
    """The span of the cumulative chart."""
    years = cumulative_years(year)
    return (f"重点指标{years[0]}—{years[-1]}年累计完成数与各年目标之和的比较（流量指标）。"
            if years else "")


def chart_caption(spec: ChartSpec, tables: BriefingTables) -> str:
    """The caption printed under a chart in the page (Chinese, one or two sentences)."""
    year = tables.year
    if spec.chart == "scorecard":
        return scorecard_caption(tables.province, year)
    if spec.chart == "cumulative":
        return cumulative_caption(year)
    if spec.chart == "trend":
        return trend_caption(tables.province, spec.indicator, year)
    if spec.chart == "prefectures":
        return prefectures_caption(tables.prefectures, spec.indicator, year)
    if spec.chart == "contribution":
        return contribution_caption(tables.prefectures, spec.indicator, year)
    if spec.chart == "verdict":
        from jrc_analysis.report.verdict_display import verdict_caption

        return verdict_caption(tables.verdict, spec.area, year)
    return coverage_caption(tables.coverage, spec.indicator, year)


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
    from jrc_analysis.report.word_draft import draft_bytes

    raw = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    processed = Path(processed_dir) if processed_dir is not None else config.processed_dir()
    figures = Path(figures_dir) if figures_dir is not None else config.figures_dir()
    if not raw.is_dir():
        print(f"找不到报表文件夹：{shown_path(raw)}（请把各单位的年度报表放在这里）", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = load_returns(raw)
    written = write_outputs(result, processed)
    _done(f"已读取报表：{len(result.returns)} 个文件，{len(result.values)} 个数值，"
          f"警告 {result.warnings} 条，错误 {result.errors} 条", started)
    print("已写出整洁数据和问题清单：" + "、".join(shown_path(p) for p in written))
    chosen = briefing_year(result.values, year)
    if chosen is None:
        have = "、".join(str(y) for y in years_with_returns(result.values)) or "无"
        wanted = f"{year}年的" if year is not None else "任何"
        print(f"没有{wanted}报表数据，无法生成通报（已有报表的年度：{have}）。", file=sys.stderr)
        return 2

    step = time.perf_counter()
    allocation = catalog.allocation(allocation_path)
    tables = briefing_tables(result, chosen, allocation, is_synthetic(raw))
    plan = chart_plan(tables)
    _done(f"已计算{chosen}年差距表", step)

    step = time.perf_counter()
    rendered = render_charts(plan, tables)
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
    sheets = annex_tables(tables, tables.verdict)
    write_bytes_atomic(annex, annex_bytes(sheets))
    page = year_dir / f"briefing_{chosen}.html"
    write_bytes_atomic(page, briefing_html(tables, rendered, sheets, tables.verdict).encode("utf-8"))
    draft = year_dir / f"通报_{chosen}.docx"
    write_bytes_atomic(draft, draft_bytes(tables, rendered, tables.verdict, result.returns))
    _done(f"已写出附表 {shown_path(annex)}、网页 {shown_path(page)} 和通报初稿 {shown_path(draft)}",
          step)
    _done("通报生成完毕", started)
    if result.errors:
        print(f"注意：报表中有 {result.errors} 条错误（见 {shown_path(processed / 'issues.csv')}），"
              "相关数值未采用。", file=sys.stderr)
        return 1
    return 0

"""One analysis of the returns for one year — the tables cut at that year, the chart plan and the
sentences — shared by ``jrc briefing``, the annex, the page and every notebook.

:func:`analyse` is the one front door::

    from jrc_analysis.analysis import analyse
    a = analyse(2023)        # or analyse() for the latest year with returns
    a.province               # the province gap table, years up to 2023 only
    a.charts                 # the one chart plan (what the briefing draws, what the notebooks show)
    a.reading("first_aid.certified_trainees")   # the generated sentence for 2023

It ingests the raw folder once — or not at all: :func:`jrc_analysis.analysis.explore.load` keeps
the tidy values and the full gap tables beside ``returns.parquet`` and reuses them while the raw
files (and the code) are unchanged — then cuts every table at the year: a 2023 analysis shows
nothing of 2024, whichever front door asks for it. A year that is not a whole number, a year
without returns and an empty raw folder stop here with one Chinese sentence
(:class:`AnalysisError`) that lists the years that do exist.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from jrc_analysis import config
from jrc_analysis.analysis import explore, gaps
from jrc_analysis.analysis.explore import SYNTHETIC_MARK, is_synthetic  # noqa: F401 - re-exported
from jrc_analysis.analysis.flags import flagged_values
from jrc_analysis.analysis.verdict import plan_verdict
from jrc_analysis.plan import Plan, load_plan

OVERVIEW = "overview"
CHART_KINDS = ("trend", "prefectures", "tiles", "contribution", "coverage")
MILESTONES = "milestones"  # the yes/no milestones: one ✓/✗ table instead of a chart each
FUNDRAISING = "fundraising"  # 款物合计, 资金 and the cash share, after fundraising.total's charts
FUNDRAISING_TOTAL = "fundraising.total"
VERDICT = "verdict"  # the plan verdict of one area (its name is verdict/<area>)
MIN_ALLOCATED = 1.0  # a prefecture chart needs every allocated target to be at least one unit


class AnalysisError(ValueError):
    """A reason the analysis cannot be made, for people (one Chinese sentence).

    In a notebook it shows as that sentence alone, without a traceback (IPython calls
    ``_render_traceback_``); papermill still stops there and exits non-zero."""

    def _render_traceback_(self) -> list[str]:
        return [f"错误：{self}"]


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the plan: ``name`` is its path under ``figures/<Y>/`` without suffix."""

    name: str
    chart: str  # trend | prefectures | tiles | contribution | coverage | scorecard | cumulative
    #             | heatmap | milestones | fundraising
    indicator: str  # "" for the overview charts
    area: str  # the action area, or "overview"


@dataclass(frozen=True, eq=False)
class Analysis:
    """The analysis of ``year``: every table cut at that year, the chart plan, the sentences.

    ``values``, ``returns``, ``skipped``: what was read (all years); ``issues``: the issue table with
    the ``year`` of each file, files of later years left out (unknown years kept);
    ``province``, ``prefectures``, ``coverage``, ``reporting_rates``, ``fundraising_mix``,
    ``completeness_by_year``: :mod:`jrc_analysis.analysis.gaps` tables, years up to ``year``;
    ``completeness``: that year's rows only; ``plan``: the :class:`~jrc_analysis.plan.Plan` (its
    ``allocation`` gives the prefecture targets); ``synthetic``: the raw folder holds the synthetic
    samples (charts then carry 示例数据（合成）); ``years``: the years with returns; ``charts``: the
    chart plan (:func:`chart_plan`).
    """

    year: int
    years: tuple[int, ...]
    plan: Plan
    values: pd.DataFrame
    returns: pd.DataFrame
    skipped: pd.DataFrame
    issues: pd.DataFrame
    province: pd.DataFrame
    prefectures: pd.DataFrame
    coverage: pd.DataFrame
    completeness: pd.DataFrame
    completeness_by_year: pd.DataFrame
    reporting_rates: pd.DataFrame
    fundraising_mix: pd.DataFrame
    synthetic: bool
    flags: pd.DataFrame  # values validation flagged (analysis.flags), years up to ``year``
    ingested: bool = False
    charts: tuple[ChartSpec, ...] = field(default=())

    @cached_property
    def verdict(self) -> pd.DataFrame:
        """The plan judged as a whole up to ``year`` (:func:`~jrc_analysis.analysis.verdict.plan_verdict`):
        收官评估 in the plan's last year, progress against the targets due so far before it."""
        return plan_verdict(self.province, self.coverage, self.year)

    @property
    def allocation(self) -> pd.DataFrame:
        """The prefecture targets used (the plan's allocation)."""
        return self.plan.allocation

    @property
    def latest_year(self) -> int:
        """The latest year with returns (the default year)."""
        return self.years[-1]

    @property
    def errors(self) -> int:
        """Errors in the returns of ``year`` and earlier (and of files of unknown year)."""
        return int((self.issues["severity"] == "error").sum())

    @property
    def warnings(self) -> int:
        """Warnings in the returns of ``year`` and earlier (and of files of unknown year)."""
        return int((self.issues["severity"] == "warning").sum())

    def charts_for(self, indicator: str) -> list[ChartSpec]:
        """The charts of the plan about ``indicator``, in plan order."""
        return [spec for spec in self.charts if spec.indicator == indicator]

    def area_summaries(self, area: str) -> list[ChartSpec]:
        """The charts of ``area`` about no single indicator (the ✓/✗ table of the milestones)."""
        return [spec for spec in self.charts if spec.area == area and not spec.indicator]

    def area_charts(self, area: str) -> list[ChartSpec]:
        """The charts of the plan in ``area`` (``overview`` for the scorecard and cumulative)."""
        return [spec for spec in self.charts if spec.area == area]

    def reading(self, indicator: str) -> str:
        """The generated sentence on ``indicator`` in ``year`` (:func:`explore.reading`)."""
        return explore.reading(self.province, indicator, self.year)

    def __repr__(self) -> str:
        files = len(self.returns)
        return (f"Analysis（{self.year}年；有报表的年度：{'、'.join(map(str, self.years))}；"
                f"报表 {files} 个，数值 {len(self.values)} 个，错误 {self.errors} 条，"
                f"警告 {self.warnings} 条；图表 {len(self.charts)} 张"
                f"{'；示例数据（合成）' if self.synthetic else ''}）")


# --------------------------------------------------------------------------- the year


def checked_year(year, years: list[int], raw_dir: Path) -> int:
    """``year`` if it is a whole-number year with returns; the latest year with returns when
    ``year`` is None; else :class:`AnalysisError` naming what is wrong and the years that exist
    (an empty raw folder: its full path)."""
    if not years:
        raise AnalysisError(f"报表文件夹 {Path(raw_dir).resolve()} 中没有任何报表数据，无法分析；"
                            "请把各单位的年度报表放在该文件夹的 <年度>/ 子文件夹中。")
    have = "、".join(str(y) for y in years)
    if year is None:
        return years[-1]
    if isinstance(year, bool) or not isinstance(year, int):
        raise AnalysisError(f"通报年度应为整数年份（如 {years[-1]}，不加引号）或 None（最近一年），"
                            f"收到的是 {year!r}；有报表的年度：{have}。")
    if year not in years:
        raise AnalysisError(f"{year}年没有报表数据；有报表的年度：{have}。")
    return int(year)


# --------------------------------------------------------------------------- the cut


def up_to(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of ``table`` of ``year`` and earlier."""
    return table[table["year"].astype(int) <= year].reset_index(drop=True)


def issues_with_year(issues: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """The issue table (``issues.csv`` columns) with the ``year`` of each issue's file first
    (NA when the file's year is unknown)."""
    years = dict(zip(returns["source_file"], returns["year"]))
    table = issues.reset_index(drop=True).copy()
    table.insert(0, "year", pd.array([years.get(f, pd.NA) for f in table["source_file"]],
                                     dtype="Int64"))
    return table


def issues_up_to(issues: pd.DataFrame, year: int) -> pd.DataFrame:
    """The issues of files of ``year`` and earlier, and of files whose year is unknown."""
    keep = (issues["year"].isna() | (issues["year"] <= year)).fillna(True).astype(bool)
    return issues[keep].reset_index(drop=True)


def analysis_of(loaded: explore.Loaded, year: int | None = None, plan: Plan | None = None,
                raw_dir: str | os.PathLike = "") -> Analysis:
    """The :class:`Analysis` of ``year`` (checked: :func:`checked_year`) from what
    :func:`explore.load` computed; with a ``plan`` whose allocation is not the default, the
    prefecture table is computed again against it."""
    plan = load_plan() if plan is None else plan
    chosen = checked_year(year, loaded.years, Path(raw_dir))
    prefectures = loaded.prefecture
    if plan is not load_plan():
        prefectures = gaps.prefecture_gaps(loaded.values, allocation=plan.allocation,
                                           failed=gaps.failed_returns(loaded.returns))
    done = up_to(loaded.completeness, chosen)
    analysis = Analysis(
        year=chosen,
        years=tuple(loaded.years),
        plan=plan,
        values=loaded.values,
        returns=loaded.returns,
        skipped=loaded.skipped,
        issues=issues_up_to(issues_with_year(loaded.issues, loaded.returns), chosen),
        province=up_to(loaded.province, chosen),
        prefectures=up_to(prefectures, chosen),
        coverage=up_to(loaded.coverage, chosen),
        completeness=done[done["year"] == chosen].reset_index(drop=True),
        completeness_by_year=done,
        reporting_rates=up_to(loaded.reporting_rates, chosen),
        fundraising_mix=up_to(loaded.fundraising_mix, chosen),
        synthetic=loaded.synthetic,
        flags=up_to(flagged_values(loaded.values, loaded.issues), chosen),
        ingested=loaded.ingested,
    )
    return _with_charts(analysis)


def _with_charts(analysis: Analysis) -> Analysis:
    from dataclasses import replace

    return replace(analysis, charts=tuple(chart_plan(analysis)))


def analyse(year: int | None = None, raw_dir: str | os.PathLike | None = None,
            processed_dir: str | os.PathLike | None = None, *,
            allocation_path: str | os.PathLike | None = None, refresh: bool = False) -> Analysis:
    """The analysis of ``year`` (default: the latest year with returns) of the returns in
    ``raw_dir`` (default ``config.raw_dir()``; ``JRC_DATA_ROOT`` moves it), reading them only when
    they changed (:func:`explore.load`, cache in ``processed_dir``). ``allocation_path``: the
    official prefecture allocation (default: the population-share assumption).

    Raises :class:`AnalysisError` (one Chinese sentence) for a missing or empty raw folder (its
    full path) and for a year that is not a whole number or has no returns (the years that do)."""
    raw = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    if not raw.is_dir():
        raise AnalysisError(f"找不到报表文件夹 {raw.resolve()}；请把各单位的年度报表放在该文件夹的"
                            " <年度>/ 子文件夹中（或用环境变量 JRC_DATA_ROOT 指定数据文件夹）。")
    loaded = explore.load(raw, processed_dir, refresh=refresh)
    return analysis_of(loaded, year, load_plan(allocation_path), raw)


# --------------------------------------------------------------------------- the chart plan


def short_code(indicator: str) -> str:
    """``first_aid.certified_trainees`` → ``certified_trainees``."""
    return indicator.split(".", 1)[1] if "." in indicator else indicator


def allocated_targets(prefectures: pd.DataFrame, year: int) -> pd.Series:
    """Indicator → the smallest allocated prefecture target in ``year``, for the indicators whose
    units have allocated targets (``target_basis`` set, where the table has it)."""
    rows = prefectures[(pd.to_numeric(prefectures["year"], errors="coerce") == year)
                       & pd.to_numeric(prefectures["target"], errors="coerce").notna()]
    if "target_basis" in rows.columns:
        rows = rows[rows["target_basis"].fillna("").astype(str) != ""]
    return pd.to_numeric(rows["target"]).groupby(rows["indicator"].astype(str)).min()


def prefecture_chart_indicators(prefectures: pd.DataFrame, year: int) -> list[str]:
    """Indicators whose prefecture gap chart for ``year`` is worth drawing, sorted: every
    allocated target (:func:`allocated_targets`) is at least :data:`MIN_ALLOCATED` — 2 warehouses
    shared by population give 0.05 of a warehouse to 鹰潭市, which no one can be measured against."""
    smallest = allocated_targets(prefectures, year)
    return sorted(smallest[smallest >= MIN_ALLOCATED].index)


def heatmap_indicators(prefectures: pd.DataFrame, year: int) -> list[str]:
    """Indicators with allocated targets in ``year`` (:func:`allocated_targets`), in catalogue
    order: the rows of the completion heat-map."""
    have = set(allocated_targets(prefectures, year).index)
    return [code for code in load_plan().indicators["code"] if code in have]


def cumulative_years(plan: Plan, year: int) -> list[int]:
    """The plan's years up to ``year`` (the span of the cumulative chart)."""
    return [y for y in plan.years if y <= year]


def chart_plan(analysis: Analysis) -> list[ChartSpec]:
    """Every chart, in reading order: the overview (scorecard; the cumulative chart from the
    plan's first year on), then area by area (plan order) each indicator's ``trend`` (every
    indicator with a target), ``prefectures`` (allocated targets for the year, each at least
    :data:`MIN_ALLOCATED`), ``contribution`` (the headline indicators) and ``coverage`` (coverage
    targets). The briefing draws exactly these; each notebook shows those of its area."""
    plan, year = analysis.plan, analysis.year
    area_of = plan.area_of
    milestones = milestone_indicators(analysis.province)
    allocated = set(plan.allocated_indicators(year))
    prefecture_charts = allocated & set(prefecture_chart_indicators(analysis.prefectures, year))
    wanted = {
        "trend": set(plan.targeted_indicators) - set(milestones),  # milestones: one ✓/✗ table
        "prefectures": prefecture_charts,
        "tiles": set(plan.headline) & prefecture_charts,
        "contribution": set(plan.headline),
        "coverage": set(analysis.coverage["indicator"].astype(str)),
    }
    specs = [ChartSpec(f"{OVERVIEW}/scorecard", "scorecard", "", OVERVIEW)]
    if cumulative_years(plan, year):
        specs.append(ChartSpec(f"{OVERVIEW}/cumulative", "cumulative", "", OVERVIEW))
    if heatmap_indicators(analysis.prefectures, year):
        specs.append(ChartSpec(f"{OVERVIEW}/heatmap", "heatmap", "", OVERVIEW))
    specs += [ChartSpec(f"{VERDICT}/{area}", VERDICT, "", area) for area in plan.areas["area"].astype(str)]
    reported = set(analysis.province["indicator"].astype(str))
    for code in plan.indicators["code"]:
        if milestones and code == milestones[0]:
            specs.append(ChartSpec(f"{area_of[code]}/{MILESTONES}", MILESTONES, "", area_of[code]))
        for kind in CHART_KINDS:
            if code in wanted[kind]:
                specs.append(ChartSpec(f"{area_of[code]}/{short_code(code)}_{kind}", kind, code,
                                       area_of[code]))
        if code == FUNDRAISING_TOTAL and code in reported:
            specs.append(ChartSpec(f"{area_of[code]}/cash_share", FUNDRAISING, code, area_of[code]))
    return specs


def milestone_indicators(province: pd.DataFrame) -> list[str]:
    """Indicators of ``province`` with a milestone target, in catalogue order."""
    have = set(province.loc[province["kind"].astype(str) == "milestone", "indicator"].astype(str)) \
        if "kind" in province.columns else set()
    return [code for code in load_plan().indicators["code"] if code in have]

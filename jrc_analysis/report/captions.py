"""The sentences under the briefing's charts (Chinese), generated from the analysis's tables.

:func:`chart_caption` gives the caption of one chart of the plan
(:func:`jrc_analysis.analysis.analysis.chart_plan`); :func:`target_text` writes a target in words.
Used by the briefing's page and by the notebooks.
"""
from __future__ import annotations

import pandas as pd

from jrc_analysis.analysis import gaps
from jrc_analysis.analysis.analysis import (FUNDRAISING, MILESTONES, Analysis, ChartSpec, cumulative_years,
                                            milestone_indicators)
from jrc_analysis.plan import catalog
from jrc_analysis.report import charts
from jrc_analysis.report.charts import format_number, format_percent, format_value


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
        count, _, note = str(row["reported"]).partition("（")  # "11/12（赣州市报表有错误）"
        text += f"{count}个单位报送" + (f"（{note}" if note else "") + "。"
    return text


def prefectures_caption(prefectures: pd.DataFrame, indicator: str, year: int) -> str:
    """How many units met their allocated target, and on what basis the target was allocated."""
    rows = prefectures[(prefectures["indicator"].astype(str) == indicator)
                       & (prefectures["year"] == year) & prefectures["target"].notna()]
    counts = rows["status"].value_counts()
    name = catalog.indicator(indicator)["name"]
    basis = next((b for b in rows["target_basis"].astype(str) if b), "")
    text = (f"{name}：{year}年各设区市完成分解目标情况，达标{int(counts.get(gaps.MET, 0))}个、"
            f"未达标{int(counts.get(gaps.NOT_MET, 0))}个、未报送{int(counts.get(gaps.NOT_REPORTED, 0))}个"
            + (f"、报表有错误{int(counts[gaps.RETURN_FAILED])}个" if counts.get(gaps.RETURN_FAILED) else "")
            + "。")
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
            f"达到每单位至少{format_number(row['threshold'])}的要求，{row['status']}。")
    missing = str(row["missing_text"])
    return text + (f"未达到：{missing}。" if missing else "")


def scorecard_caption(province: pd.DataFrame, year: int) -> str:
    """Counts of indicators by status in ``year`` among those with a target that year."""
    rows = province[(province["year"] == year)
                    & province["indicator"].astype(str).isin(catalog.targeted_indicators())]
    counts = rows["status"].value_counts()
    return (f"{year}年方案中有量化目标的{len(rows)}项指标：达标{int(counts.get(gaps.MET, 0))}项，"
            f"未达标{int(counts.get(gaps.NOT_MET, 0))}项，未报送{int(counts.get(gaps.NOT_REPORTED, 0))}项，"
            f"无目标或未到期{int(counts.get(gaps.NO_TARGET, 0))}项。")


def cumulative_caption(analysis: Analysis) -> str:
    """The span of the cumulative chart."""
    years = cumulative_years(analysis.plan, analysis.year)
    return (f"重点指标{years[0]}—{years[-1]}年累计完成数与各年目标之和的比较（流量指标）。"
            if years else "")


def chart_caption(spec: ChartSpec, analysis: Analysis) -> str:
    """The caption printed under a chart in the page (Chinese, one or two sentences)."""
    year = analysis.year
    if spec.chart == "scorecard":
        return scorecard_caption(analysis.province, year)
    if spec.chart == "cumulative":
        return cumulative_caption(analysis)
    if spec.chart == "trend":
        return trend_caption(analysis.province, spec.indicator, year)
    if spec.chart == "prefectures":
        return prefectures_caption(analysis.prefectures, spec.indicator, year)
    if spec.chart == "contribution":
        return contribution_caption(analysis.prefectures, spec.indicator, year)
    if spec.chart == "heatmap":
        return f"{year}年各设区市分解目标完成率：每行一项有分解目标的指标，每列一个设区市。"
    if spec.chart == "tiles":
        return prefectures_caption(analysis.prefectures, spec.indicator, year).replace(
            "各设区市完成分解目标情况", "各设区市完成分解目标情况（方块按地理位置示意排列）", 1)
    if spec.chart == MILESTONES:
        return milestones_caption(analysis.province, year)
    if spec.chart == FUNDRAISING:
        return fundraising_caption(analysis.province, year)
    return coverage_caption(analysis.coverage, spec.indicator, year)


def milestones_caption(province: pd.DataFrame, year: int) -> str:
    """How many of the plan's yes/no milestones are done in ``year``."""
    codes = milestone_indicators(province)
    rows = province[(province["year"] == year) & province["indicator"].astype(str).isin(codes)]
    done = int((pd.to_numeric(rows["actual"], errors="coerce") >= 0.5).sum())
    return f"“数字红十字会”建设里程碑：{year}年{len(codes)}项中已完成{done}项。"


def fundraising_caption(province: pd.DataFrame, year: int) -> str:
    """款物合计, 资金 and the cash share in ``year``."""
    table = charts.cash_share_table(province)
    row = table[table["year"] == year]
    if row.empty or pd.isna(row["total"].iloc[0]):
        return f"筹资：{year}年无数据。"
    row = row.iloc[0]
    text = f"筹资：{year}年筹集款物合计{measure_text(row['total'], '元')}"
    if pd.notna(row["cash"]):
        text += (f"，其中资金{measure_text(row['cash'], '元')}，"
                 f"占{format_percent(row['cash_share'], 1)}")
    return text + "。"

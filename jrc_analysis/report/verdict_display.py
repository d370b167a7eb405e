"""The plan verdict as readers see it: display units, values and gaps as text, the display table.

Shared by the verdict charts (:mod:`jrc_analysis.report.charts.verdict`), the annex, the page and
the Word draft, so that all four write a verdict row the same way. Values come from
:func:`jrc_analysis.analysis.verdict.plan_verdict` (the plan's base units); amounts are shown in
their display unit (万人, 亿元 …), ratios and growth rates as percentages, coverage as units
counted, milestones as 已完成/未完成. Numbers go through :func:`jrc_analysis.formatting.format_number`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from jrc_analysis.analysis import gaps
from jrc_analysis.analysis.verdict import NOT_DUE
from jrc_analysis.plan import catalog
from jrc_analysis.units import display_unit
from jrc_analysis.formatting import MISSING, format_number, is_missing

FMT = "_fmt"
NUMBER, PERCENT, YESNO = "number", "percent", "yesno"
PERCENT_KINDS = ("ratio", "growth")
STATUS_HEADER = "状态"
VERDICT_HEADERS = ["行动", "指标名称", "评估口径", "单位", "完成数", "目标", "差距", "完成率（%）",
                   STATUS_HEADER, "说明"]


def row_scale(row) -> tuple[str, float, str]:
    """``(unit shown, divisor, fmt)`` for one verdict row."""
    kind, unit = str(row["kind"]), str(row["actual_unit"])
    if kind in PERCENT_KINDS:
        return "%", 1.0, PERCENT
    if kind == "milestone":
        return "", 1.0, YESNO
    if kind == "coverage":
        return unit, 1.0, NUMBER
    values = [v for v in (row["actual"], row["target"]) if not is_missing(v)]
    shown, factor = display_unit(unit, values or [0.0])
    return shown, factor, NUMBER


def value_text(value, row) -> str:
    """A value of a verdict row in the row's display unit (``3.77万人``, ``94.1%``, ``已完成``)."""
    shown, factor, fmt = row_scale(row)
    if is_missing(value):
        return MISSING
    if fmt == PERCENT:
        return format_number(value, "%", 2 if str(row["kind"]) == "growth" else 1)
    if fmt == YESNO:
        return "已完成" if float(value) >= 0.5 else "未完成"
    return format_number(float(value) / factor, shown)


def gap_text(row) -> str:
    """The gap in words: ``差2900人``, ``超出7.71万人``, ``差5.9个百分点``, ``差5个县（市、区）``,
    ``持平``; ``—`` when there is no gap to speak of."""
    gap = row["gap"]
    if is_missing(gap):
        return MISSING
    shown, factor, fmt = row_scale(row)
    if fmt == YESNO:
        return "未完成" if float(gap) < 0 else "已完成"
    if round(float(gap), 9) == 0:
        return "持平"
    word = "差" if float(gap) < 0 else "超出"
    if fmt == PERCENT:
        return f"{word}{format_number(abs(float(gap)) * 100, '个百分点', 2)}"
    return f"{word}{format_number(abs(float(gap)) / factor, shown)}"


def completion_text(row) -> str:
    """Completion for amounts and coverage (``126%``); the rate against its threshold for
    ratios and growth (``增长1.42%（目标>1%）``); 已完成/未完成 for a milestone."""
    kind = str(row["kind"])
    if kind == "growth":
        return f"增长{value_text(row['actual'], row)}（目标>{value_text(row['target'], row)}）"
    if kind == "ratio":
        return f"{value_text(row['actual'], row)}（目标{value_text(row['target'], row)}）"
    if kind == "milestone":
        return value_text(row["actual"], row)
    return format_number(row["completion"], "%", 1)


def area_names() -> dict[str, str]:
    """Area code → Chinese name, plan order."""
    areas = catalog.areas()
    return dict(zip(areas["area"].astype(str), areas["name"]))


def verdict_sheet(verdict: pd.DataFrame) -> pd.DataFrame:
    """The verdict as a display table (numbers in display units, ``_fmt`` per row): 行动, 指标名称,
    评估口径, 单位, 完成数, 目标, 差距, 完成率（%）, 状态, 说明 — 未达标 rows first, then the
    rest, each in plan order."""
    names = area_names()
    order = verdict.assign(_bad=(verdict["status"] != gaps.NOT_MET).astype(int))
    order = order.sort_values(["_bad"], kind="stable")
    rows = []
    for _, row in order.iterrows():
        shown, factor, fmt = row_scale(row)
        scale = 1.0 if fmt != NUMBER else factor
        completion = row["completion"] if fmt == NUMBER else np.nan
        rows.append({
            "行动": names.get(str(row["area"]), str(row["area"])), "指标名称": row["name"],
            "评估口径": row["basis"], "单位": "%" if fmt == PERCENT else shown,
            "完成数": row["actual"] / scale, "目标": row["target"] / scale,
            "差距": row["gap"] / scale if fmt != YESNO else np.nan, "完成率（%）": completion, STATUS_HEADER: row["status"],
            "说明": row["detail"], FMT: fmt,
        })
    return pd.DataFrame(rows, columns=VERDICT_HEADERS + [FMT])


def status_of_chart(status: str) -> str:
    """The palette status a verdict status is drawn in (未到期 as 无目标's grey: progress only)."""
    return gaps.NO_TARGET if status == NOT_DUE else status


def verdict_caption(verdict: pd.DataFrame, area: str, year: int) -> str:
    """The caption of an area's verdict chart: its counts and the 未达标 items with their gaps."""
    from jrc_analysis.analysis.verdict import VERDICT_STATUSES, verdict_title

    rows = verdict[verdict["area"].astype(str) == area]
    counts = rows["status"].value_counts()
    text = (f"{area_names().get(area, area)}{verdict_title(year)}：" + "，".join(
        f"{s}{int(counts[s])}项" for s in VERDICT_STATUSES if counts.get(s, 0)) + "。")
    missed = [f"{r['name']}（{r['basis']}，{gap_text(r)}）"
              for _, r in rows[rows["status"] == gaps.NOT_MET].iterrows()]
    return text + (f"未达标：{'；'.join(missed)}。" if missed else "")


def verdict_text_table(verdict: pd.DataFrame, with_area: bool = False) -> pd.DataFrame:
    """The verdict as text for a document (units written with the numbers): 指标名称, 评估口径,
    完成, 目标, 差距, 状态, 说明 (行动 first when ``with_area``)."""
    names = area_names()
    rows = []
    for _, row in verdict.iterrows():
        item = {"行动": names.get(str(row["area"]), str(row["area"]))} if with_area else {}
        item.update({"指标名称": row["name"], "评估口径": row["basis"],
                     "完成": value_text(row["actual"], row), "目标": value_text(row["target"], row),
                     "差距": gap_text(row), STATUS_HEADER: row["status"], "说明": row["detail"]})
        rows.append(item)
    columns = (["行动"] if with_area else []) + ["指标名称", "评估口径", "完成", "目标", "差距",
                                                 STATUS_HEADER, "说明"]
    return pd.DataFrame(rows, columns=columns)

"""The verdict chart of one action area: each targeted indicator's completion over the plan.

One horizontal bar per indicator (the verdict of :func:`jrc_analysis.analysis.verdict.plan_verdict`):
length = completion (cumulative actual ÷ the sum of the targets for a flow; the due year's
completion for the rest), colour = status, a line at 100%. The axis stops at :data:`AXIS_CAP`;
a longer bar is cut there and its true value written beside it. Each bar is labelled in words
(:mod:`jrc_analysis.report.verdict_display`): ``3.77/3万人（126%）``, ``95/100个县（市、区）``,
``增长1.42%（目标>1%）``, ``已完成``. 未报送 draws no bar; 未到期 is drawn in grey (progress only).
"""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from jrc_analysis.analysis import gaps
from jrc_analysis.analysis.verdict import NOT_DUE, VERDICT_STATUSES, verdict_title
from jrc_analysis.report.charts.style import data_note, house_style, ink, status_colour
from jrc_analysis.report.verdict_display import (area_names, completion_text, gap_text,
                                                 status_of_chart, value_text)

AXIS_CAP = 1.5  # bars longer than 150% are cut there, their value written
WIDTH_IN = 9.0
ROW_IN = 0.42
LABEL_CHARS = 12  # indicator names longer than this are cut into two even lines


def bar_label(row) -> str:
    """The words beside a bar: actual/target in the plan's units and completion, or the status."""
    status = str(row["status"])
    if status == gaps.NOT_REPORTED:
        return "未报送"
    kind = str(row["kind"])
    if pd.isna(row["target"]):
        return f"{status}：{value_text(row['actual'], row)}（{row['detail']}）"
    if kind in ("growth", "ratio", "milestone"):
        text = completion_text(row)
    elif kind == "coverage":
        text = (f"{value_text(row['actual'], row).replace(str(row['actual_unit']), '')}／"
                f"{value_text(row['target'], row)}（{completion_text(row)}）")
    else:
        actual = value_text(row["actual"], row)
        target = value_text(row["target"], row)
        text = f"{actual}／{target}（{completion_text(row)}）"
    if status == NOT_DUE:
        return f"未到期：{text}"
    if status == gaps.NOT_MET and kind != "milestone":  # 未完成 already says it
        return f"{text}，{gap_text(row)}"
    return text


def bar_length(row) -> float:
    """Completion drawn (0 when missing), capped at :data:`AXIS_CAP`."""
    completion = row["completion"]
    if pd.isna(completion):
        return 0.0
    return float(min(max(float(completion), 0.0), AXIS_CAP))


def wrap_name(name: str, width: int = LABEL_CHARS) -> str:
    """An indicator name on one line, or two even lines when longer than ``width`` characters."""
    if len(name) <= width:
        return name
    half = (len(name) + 1) // 2
    return name[:half] + "\n" + name[half:]


def verdict_chart(verdict: pd.DataFrame, area: str, year: int, *, synthetic: bool = True) -> Figure:
    """The verdict chart of ``area`` (rows of ``verdict`` for that area, in plan order)."""
    rows = verdict[verdict["area"].astype(str) == area].reset_index(drop=True)
    name = area_names().get(area, area)
    n = max(len(rows), 1)
    height = 1.6 + 0.55 + ROW_IN * n
    with house_style():
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        ax = fig.add_subplot()
        for y, row in rows.iterrows():
            status = str(row["status"])
            colour = status_colour(status_of_chart(status))
            length = bar_length(row)
            if status != gaps.NOT_REPORTED:
                ax.barh(y, length, height=0.62, color=colour, gid=f"bar:{row['indicator']}")
            over = pd.notna(row["completion"]) and float(row["completion"]) > AXIS_CAP
            label = bar_label(row) + ("（超出坐标轴）" if over else "")
            # the label starts right of the bar or of the 100% line, never across the line
            ax.annotate(label, (max(length, 1.0), y), xytext=(4, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=8.5, color=ink("text"))
        ax.axvline(1.0, color=ink("target"), linewidth=1.2, zorder=3)
        ax.set_yticks(range(len(rows)), [wrap_name(str(n)) for n in rows["name"]], fontsize=8.5)
        ax.set_ylim(n - 0.5, -0.6)
        ax.set_xlim(0, AXIS_CAP * 1.9)  # room on the right for the labels
        ticks = [0, 0.5, 1.0, AXIS_CAP]
        ax.set_xticks(ticks, [f"{int(t * 100)}%" for t in ticks])
        ax.grid(axis="x", color=ink("grid"))
        ax.grid(axis="y", visible=False)
        present = [s for s in VERDICT_STATUSES if s in set(rows["status"])]
        handles = [Patch(facecolor=status_colour(status_of_chart(s)), label=s) for s in present]
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0),
                  ncol=max(len(handles), 1), borderaxespad=0.2)
        counts = rows["status"].value_counts()
        summary = "，".join(f"{s}{int(counts[s])}项" for s in VERDICT_STATUSES if counts.get(s, 0))
        fig.suptitle(f"{name}：{verdict_title(year)}", x=0.01, ha="left", fontsize=13)
        ax.set_title(f"{summary}。条形为完成率（流量指标：累计完成÷各年目标之和），"
                     f"竖线为100%，超过{int(AXIS_CAP * 100)}%的截断", fontsize=8.5,
                     color=ink("muted"), loc="left", pad=22)
        fig.text(0.01, 0.005, data_note(synthetic), fontsize=7.5, color=ink("muted"),
                 ha="left", va="bottom", wrap=True)
        fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    return fig

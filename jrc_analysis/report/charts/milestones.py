"""The plan's yes/no milestones on one figure: a ✓/✗ table of milestones × years.

Six full-size bar charts for six yes/no answers say less than one table: each row is a
milestone (``kind == milestone`` in the province gap table), each column a year; a cell is ✓
已完成 or ✗ 未完成 on its status colour (进展，未到期 before the "by 2024" deadline, 达标 or 未达标
in the year it is due), 未报送 when 省本级 did not answer.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jrc_analysis.analysis.analysis import milestone_indicators
from jrc_analysis.plan import catalog
from jrc_analysis.report.charts.figures import (
    TITLE_IN,
    _frame_figure,
    _legend_above,
    _new_figure,
    _status_handles,
    with_catalogue,
)
from jrc_analysis.report.charts.style import data_note, house_style, status_colour, text_colour_on

DONE, NOT_DONE = "✓ 已完成", "✗ 未完成"
MARK_FONT = "DejaVu Sans"  # ✗ (U+2717) is not in Noto Sans CJK SC; DejaVu Sans ships with matplotlib


def milestone_text(actual: float) -> str:
    """``✓ 已完成`` for a done milestone (1), ``✗ 未完成`` for not done (0), ``未报送`` when missing."""
    if actual is None or pd.isna(actual):
        return "未报送"
    return DONE if actual >= 0.5 else NOT_DONE


def milestone_table_chart(
    province: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    *,
    years: Sequence[int] | None = None,
    synthetic: bool = True,
) -> Figure:
    """One ✓/✗ table of the yes/no milestones × years (default: every milestone in ``province``
    and every year in it), cells coloured by status."""
    codes = list(indicators) if indicators is not None else milestone_indicators(province)
    table = with_catalogue(province[province["indicator"].astype(str).isin(codes)])
    year_list = sorted(int(y) for y in table["year"].unique()) if years is None else list(years)
    cells = {(str(r.indicator), int(r.year)): r for r in table.itertuples(index=False)}
    names = dict(zip(catalog.indicators()["code"], catalog.indicators()["name"]))
    label_width = 2.4
    statuses = []
    with house_style():
        fig = _new_figure(1.2 + label_width + 1.25 * len(year_list),
                          TITLE_IN + 1.5 + 0.42 * max(len(codes), 1))
        ax = fig.add_subplot()
        ax.set_axis_off()
        for y, code in enumerate(codes):
            ax.text(-label_width + 0.1, y, names.get(code, code), va="center", ha="left",
                    fontsize=9.5)
            for x, year in enumerate(year_list):
                row = cells.get((code, year))
                status = row.shown_status if row is not None else "无目标"
                actual = row.actual if row is not None else float("nan")
                statuses.append(status)
                colour = status_colour(status)
                ax.add_patch(Rectangle((x + 0.04, y - 0.42), 0.92, 0.84, facecolor=colour,
                                       edgecolor="white", gid=f"cell:{code}:{year}"))
                text = milestone_text(actual)
                mark, _, words = text.partition(" ")
                if words:
                    ax.text(x + 0.3, y, mark, ha="center", va="center", fontsize=12,
                            family=MARK_FONT, color=text_colour_on(colour), gid="mark")
                    ax.text(x + 0.58, y, words, ha="center", va="center", fontsize=9,
                            color=text_colour_on(colour), gid="value")
                else:
                    ax.text(x + 0.5, y, text, ha="center", va="center", fontsize=9,
                            color=text_colour_on(colour), gid="value")
        for x, year in enumerate(year_list):
            ax.text(x + 0.5, -0.9, f"{year}年", ha="center", va="center", fontsize=10)
        ax.set_xlim(-label_width, len(year_list))
        ax.set_ylim(len(codes) - 0.5, -1.4)
        _legend_above(ax, _status_handles(statuses))
        due = sorted({int(d) for d in table["due_year"].dropna()}) if len(table) else []
        deadline = f"方案要求{due[-1]}年底前建成（省本级）；" if due else ""
        subtitle = f"{deadline}✓ 已完成，✗ 未完成；到期年之前为进展，未到期，不判达标"
        _frame_figure(fig, "“数字红十字会”建设里程碑完成情况", subtitle, data_note(synthetic))
    return fig

"""Fundraising as the plan words it: 每年筹集资金不少于2亿元，款物比例不断优化.

One figure, two panels: the yearly 款物合计 and 其中资金 (cash) side by side, each against the
2亿元 line, and the cash share (资金 ÷ 款物合计, the 款物比例) over the years — which nothing else
in the briefing shows. The plan's sentence is the subtitle, read from ``targets.csv``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jrc_analysis.plan import catalog
from jrc_analysis.report.charts.figures import (
    FLAG_HATCH,
    TARGET_LABEL,
    VALUE_BOX,
    _flag_handle,
    _frame_figure,
    _indicator_rows,
    _unit_label,
    flag_lookup,
    flag_note,
)
from jrc_analysis.report.charts.style import area_colour, data_note, house_style, ink, ramp
from jrc_analysis.units import format_number, format_percent, indicator_display_unit

TOTAL, CASH = "fundraising.total", "fundraising.cash"


def plan_sentence(indicator: str = TOTAL) -> str:
    """The plan's words for ``indicator``'s target up to the second comma: ``每年筹集资金不少于2亿元，
    款物比例不断优化`` (from ``targets.csv``, not typed here)."""
    targets = catalog.targets()
    sentences = targets.loc[targets["indicator"] == indicator, "sentence"]
    sentence = next((s for s in sentences if s), "")
    return "，".join(sentence.split("，")[:2]).rstrip("。")


def cash_share_table(province: pd.DataFrame) -> pd.DataFrame:
    """By year: ``year, total, cash, target, cash_share`` (资金 ÷ 款物合计; NaN without both)."""
    total = _indicator_rows(province, TOTAL).set_index("year")
    cash = _indicator_rows(province, CASH).set_index("year")
    years = sorted(set(total.index) | set(cash.index))
    frame = pd.DataFrame({
        "year": years,
        "total": total["actual"].reindex(years).to_numpy(dtype=float),
        "cash": cash["actual"].reindex(years).to_numpy(dtype=float),
        "target": total["target"].reindex(years).to_numpy(dtype=float),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        share = frame["cash"] / frame["total"]
    frame["cash_share"] = share.where(frame["total"] > 0)
    return frame


def fundraising_chart(province: pd.DataFrame, *, synthetic: bool = True,
                      flags: pd.DataFrame | None = None) -> Figure:
    """款物合计 and 资金 by year against the 2亿元 target line (left), and the cash share of the
    total by year (right); a total that includes a flagged value is hatched, the issue in the
    note."""
    table = cash_share_table(province)
    shown, factor = indicator_display_unit(TOTAL, "元", table[["total", "cash"]].stack())
    total_colour, cash_colour = ramp(area_colour("fundraising"), 3)[1], ramp(
        area_colour("fundraising"), 3)[0]
    flagged = {**flag_lookup(flags, TOTAL), **flag_lookup(flags, CASH)}
    flagged_years = {year for year, _ in flagged}
    with house_style():
        fig = Figure(figsize=(9.6, 5.4), layout="constrained")
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        tops = pd.concat([table["total"], table["cash"], table["target"]]) / factor
        ymax = float(tops.max()) if tops.notna().any() else 1.0
        for x, row in enumerate(table.itertuples(index=False)):
            for offset, value, colour, gid in ((-0.2, row.total, total_colour, "bar_total"),
                                               (0.2, row.cash, cash_colour, "bar_cash")):
                if pd.isna(value):
                    continue
                hatched = int(row.year) in flagged_years
                left.bar(x + offset, value / factor, width=0.38, color=colour, zorder=2, gid=gid,
                         hatch=FLAG_HATCH if hatched else None,
                         edgecolor="white" if hatched else None, linewidth=0)
                left.annotate(format_number(value / factor), (x + offset, value / factor),
                              xytext=(0, 3), textcoords="offset points", ha="center",
                              va="bottom", fontsize=9, zorder=6, bbox=VALUE_BOX, gid="value")
            if pd.notna(row.target):
                left.hlines(row.target / factor, x - 0.45, x + 0.45, color=ink("target"),
                            linewidth=2, zorder=4, gid="target")
        left.set_xticks(range(len(table)), [f"{y}年" for y in table["year"]])
        left.tick_params(axis="x", length=0)
        left.set_ylim(0, ymax * 1.45)  # room for the legend inside, above the bars
        _unit_label(left, shown)
        handles = [Patch(facecolor=total_colour, label="筹集款物合计"),
                   Patch(facecolor=cash_colour, label="其中：资金"),
                   Line2D([], [], color=ink("target"), linewidth=2,
                          label=f"{TARGET_LABEL}（每年不少于{format_number(table['target'].max() / factor)}{shown}）")]
        if flagged_years & set(table["year"].astype(int)):
            handles.append(_flag_handle())
        left.legend(handles=handles, loc="upper left", ncol=2, borderaxespad=0.2)
        shares = table["cash_share"] * 100
        right.plot(range(len(table)), shares, color=cash_colour, marker="o", linewidth=2,
                   zorder=3, gid="cash_share")
        for x, share in enumerate(table["cash_share"]):
            if pd.notna(share):
                right.annotate(format_percent(share, 1), (x, share * 100), xytext=(0, 6),
                               textcoords="offset points", ha="center", va="bottom", fontsize=9.5,
                               gid="share")
        right.set_xticks(range(len(table)), [f"{y}年" for y in table["year"]])
        right.set_xlim(-0.5, len(table) - 0.5)
        right.set_ylim(0, 100)
        right.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        right.set_title("款物比例：资金占款物合计的比重", fontsize=10, loc="left")
        subtitle = (f"方案：“{plan_sentence()}”。左：款物合计与其中资金，对照每年2亿元的目标线；"
                    "右：资金占比（越高表示款物比例越优化）")
        _frame_figure(fig, "筹资：款物合计、资金与款物比例", subtitle,
                      data_note(synthetic, [flag_note(flagged, table["year"].astype(int))]))
    return fig

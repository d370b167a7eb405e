"""The briefing's charts: each takes gap tables and returns a matplotlib ``Figure``.

Input tables are those of :mod:`jrc_analysis.analysis.gaps` (province table: one row per indicator × year
with ``indicator, year, actual, target, gap, completion, status, units_reported``; prefecture
table: the same per ``prefecture``; coverage table of :func:`gaps.coverage_table`). Optional
columns are used when present: ``kind, level, target_upper, units_expected, actual_unit`` (the
unit ``actual`` is in: 比例 for ratios and rates, 个设区市 for coverage), ``due, due_year`` (a
"by 20xx" target before its year: progress only, drawn dashed), ``total`` (a unit's own total,
stacked by the contribution chart), ``target_basis`` (how targets were allocated, in the note),
``name, unit, area`` (else from the catalogue). Nothing is saved here: see
:func:`jrc_analysis.report.charts.save_figure`.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot: no global state, no double
display in notebooks, safe under the Agg backend) inside :func:`house_style`; their text and ticks
carry the CJK font themselves, so a notebook may display them later without the style (it needs
``%matplotlib inline`` once for a bare Figure to show as an image). Every figure carries a title,
a subtitle saying what is shown and in which unit, and a note with the source (and, by default,
that the data are the synthetic samples; pass ``synthetic=False`` for real returns).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from jrc_analysis.analysis.analysis import MIN_ALLOCATED, prefecture_chart_indicators  # noqa: F401
from jrc_analysis.plan import catalog
from jrc_analysis.config import REFERENCE_DIR
from jrc_analysis.report.charts.style import (
    area_colour,
    data_note,
    house_style,
    ink,
    ramp,
    status_colour,
    text_colour_on,
    tint,
    unit_colour,
)
from jrc_analysis.units import (
    display_unit,
    format_number,
    format_percent,
    format_target,
    indicator_display_unit,
)

PROGRESS = "进展，未到期"  # a "by 20xx" target before its year: progress shown, not judged
STATUSES = ("达标", "未达标", "未报送", PROGRESS, "无目标")
TARGET_LABEL = "目标"
DEFAULT_ALLOCATION_NOTE = "分市目标按2020年人口普查常住人口比例分解（默认假设，非官方任务分解）"
REPORTING_UNITS = 12
TITLE_IN = 0.95  # inches reserved above the axes for title and subtitle
NOTE_LINE_IN = 0.17  # inches per line of the note under the axes
PERCENT_KINDS = ("ratio", "growth")
LABEL_BOX = {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"}
VALUE_BOX = {"boxstyle": "square,pad=0.2", "fc": "white", "ec": "none"}
BAND_ZORDER = 0.8  # a range target's band: above the grid (0.5), behind the bars (2)
FLAG_HATCH = "////"  # a value validation flagged: hatched, the issue in the note
FLAG_LABEL = "斜线：校验存疑"
COUNT_UNITS_FACTOR = 1.0  # values shown in their base unit are counts: integer ticks only


# --------------------------------------------------------------------------- table helpers


headline_indicators = catalog.headline_indicators  # the plan's reference data


@lru_cache(maxsize=None)
def _catalogue() -> pd.DataFrame:
    """The catalogue columns the charts use, read once (callers never modify it)."""
    frame = catalog.indicators()[["code", "area", "name", "unit", "measure"]].copy()
    frame["area"] = frame["area"].astype(str)
    frame["catalogue_order"] = range(len(frame))
    return frame.rename(columns={"code": "indicator"})


def with_catalogue(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a gap table with ``name, unit, area, measure, catalogue_order`` (from the
    catalogue where the table lacks them), ``kind`` (``min`` when a target exists and the table
    has no kind) and ``target_upper`` / ``units_expected`` when absent."""
    result = table.copy()
    result["indicator"] = result["indicator"].astype(str)
    meta = _catalogue()
    missing = [c for c in meta.columns if c != "indicator" and c not in result.columns]
    result = result.merge(meta[["indicator", *missing]], on="indicator", how="left")
    result["area"] = result["area"].astype(str)
    if "target_upper" not in result.columns:
        result["target_upper"] = np.nan
    if "units_expected" not in result.columns:
        result["units_expected"] = REPORTING_UNITS
    if "kind" not in result.columns:
        result["kind"] = np.where(result["target"].notna(), "min", "")
    if "actual_unit" not in result.columns:
        result["actual_unit"] = result["unit"]
    if "due" not in result.columns:
        result["due"] = True
    result["due"] = result["due"].astype(object).where(result["due"].notna(), True).astype(bool)
    if "due_year" not in result.columns:
        result["due_year"] = result["year"]
    result["kind"] = result["kind"].fillna("").astype(str)
    for column in ("actual", "target", "target_upper", "completion"):
        result[column] = pd.to_numeric(result[column], errors="coerce").astype(float)
    if "status" in result.columns:
        result["shown_status"] = shown_statuses(result["status"], result["target"], result["due"])
    return result


def shown_statuses(status: pd.Series, target: pd.Series, due: pd.Series) -> pd.Series:
    """The status a chart shows: 无目标 becomes 进展，未到期 where a target exists but is not due
    yet (a "by 2024" target in 2022–2023), so grey 无目标 never carries a completion rate."""
    due = due.astype(object).where(due.notna(), True).astype(bool)
    progress = (status.astype(str) == "无目标") & pd.to_numeric(target, errors="coerce").notna() & ~due
    return status.astype(str).where(~progress, PROGRESS)


# --------------------------------------------------------------------------- flagged values


def flag_lookup(flags: pd.DataFrame | None, indicator: str) -> dict[tuple[int, str], str]:
    """``(year, prefecture) -> issue`` of the values of ``indicator`` validation flagged
    (``flags`` as :func:`jrc_analysis.analysis.flags.flagged_values`; None: nothing flagged)."""
    if flags is None or flags.empty:
        return {}
    rows = flags[flags["indicator"].astype(str) == indicator]
    found: dict[tuple[int, str], str] = {}
    for row in rows.itertuples(index=False):
        key = (int(row.year), str(row.prefecture))
        found[key] = found[key] + row.message if key in found else str(row.message)
    return found


def flag_note(flagged: dict[tuple[int, str], str], years: Iterable[int] | None = None) -> str:
    """The note under a chart naming each flagged value drawn (hatched) and its issue:
    ``"斜线为校验存疑的数值，引用前请核实：新余市2024年——新余市“新增救护师资”…"``."""
    wanted = None if years is None else {int(y) for y in years}
    parts = [f"{unit}{year}年——{message.rstrip('。')}" for (year, unit), message in sorted(flagged.items())
             if wanted is None or year in wanted]
    return "斜线为校验存疑的数值，引用前请核实：" + "；".join(parts) if parts else ""


def _integer_ticks(axis, shown: str, factor: float) -> None:
    """Counts shown in their base unit get whole-number ticks only (no 0.5支)."""
    if shown not in ("%", "是/否") and factor == COUNT_UNITS_FACTOR:
        axis.set_major_locator(MaxNLocator(integer=True))


def _indicator_rows(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The rows of one indicator, with the catalogue columns, by year (cut before
    :func:`with_catalogue`: the merge then copies a few rows, not the whole table)."""
    rows = with_catalogue(table[table["indicator"].astype(str) == indicator])
    return rows.sort_values("year", kind="stable").reset_index(drop=True)


def _first(rows: pd.DataFrame, column: str, default: str = "") -> str:
    """The first non-empty value of ``column`` as text, else ``default``."""
    texts = (str(value) for value in rows[column] if pd.notna(value))
    return next((text for text in texts if text != ""), default)


@lru_cache(maxsize=None)
def _area_names() -> tuple[tuple[str, str], ...]:
    names = catalog.areas()
    return tuple(zip(names["area"].astype(str), names["name"]))


def _area_name(area: str) -> str:
    return dict(_area_names()).get(area, "")


def reported_text(units_reported: float, units_expected: float = REPORTING_UNITS) -> str:
    """``"11/12 报送"`` when some units are missing, ``""`` when all reported or unknown."""
    if pd.isna(units_reported) or pd.isna(units_expected) or int(units_reported) == 0:
        return ""
    reported, expected = int(units_reported), int(units_expected)
    return "" if reported >= expected else f"{reported}/{expected} 报送"


def _is_percent(kind: str) -> bool:
    return kind in PERCENT_KINDS


# --------------------------------------------------------------------------- figure scaffolding


NO_LINE_START = "。，、；：？！）》」』”’%％·"
NO_LINE_END = "（《「『“‘"


def _wrap(text: str, width_in: float, size_pt: float) -> str:
    """Wrap mixed Chinese/Latin text to a width in inches (CJK glyphs are one em wide, Latin about
    half); closing punctuation never starts a line and an opening bracket never ends one."""
    limit = 0.97 * width_in * 72.0 / size_pt
    lines, line, used = [], "", 0.0
    for char in text:
        width = 1.0 if ord(char) > 0x2E80 else 0.56
        if used + width > limit and line and char not in NO_LINE_START:
            carry = line[-1] if line[-1] in NO_LINE_END and len(line) > 1 else ""
            if char.isascii() and char.isalnum():  # a number or word is not cut: 202|3
                word = len(line) - len(line.rstrip("0123456789abcdefghijklmnopqrstuvwxyz"
                                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ."))
                carry = line[-word:] if 0 < word < len(line) else carry
            lines.append(line[: len(line) - len(carry)])
            line, used = carry, sum(1.0 if ord(c) > 0x2E80 else 0.56 for c in carry)
        line += char
        used += width
    if line:
        lines.append(line)
    return "\n".join(lines)


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _frame_figure(fig: Figure, title: str, subtitle: str, note: str, detail: str = "") -> None:
    """Title and subtitle above, ``detail`` (e.g. names of units) and the note below; the axes
    get the rest (constrained layout inside the remaining rectangle)."""
    width, height = fig.get_size_inches()
    margin = 0.18
    note = _wrap(note, width - 2 * margin, 8)
    note_in = 0.1 + NOTE_LINE_IN * (note.count("\n") + 1)
    fig.text(margin / width, 1 - 0.15 / height, title, fontsize=14, va="top", ha="left",
             gid="title")
    subtitle = _wrap(subtitle, width - 2 * margin, 9.5)
    fig.text(margin / width, 1 - 0.52 / height, subtitle, fontsize=9.5, color=ink("muted"),
             va="top", ha="left", gid="subtitle")
    fig.text(margin / width, 0.1 / height, note, fontsize=8, color=ink("muted"), va="bottom",
             ha="left", linespacing=1.4, gid="note")
    detail_in = 0.0
    if detail:
        detail = "\n".join(_wrap(line, width - 2 * margin, 8.5) for line in detail.split("\n"))
        detail_in = 0.1 + 0.19 * (detail.count("\n") + 1)
        fig.text(margin / width, (note_in + 0.12) / height, detail, fontsize=8.5,
                 color=ink("text"), va="bottom", ha="left", linespacing=1.45, gid="detail")
    header = TITLE_IN + 0.16 * subtitle.count("\n")
    footer = 0.15 + note_in + detail_in
    fig.get_layout_engine().set(rect=(0.0, footer / height, 1.0, 1 - (header + footer) / height),
                                w_pad=0.08, h_pad=0.08)
    _fix_ticks(fig)


def _detail_height(detail: str, width: float) -> float:
    """Inches the ``detail`` block of :func:`_frame_figure` takes at figure width ``width``."""
    if not detail:
        return 0.0
    lines = sum(_wrap(line, width - 0.36, 8.5).count("\n") + 1 for line in detail.split("\n"))
    return 0.1 + 0.19 * lines


def _fix_ticks(fig: Figure) -> None:
    """Create every axis' ticks now, inside the house style: ticks are otherwise made lazily at
    the first draw, which in a notebook happens outside the style (with the default font)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_major_ticks()
            axis.get_minor_ticks()


def _target_line_label(ax, text: str, y: float) -> None:
    """The label of a vertical 100% target line, just right of the line (never across it)."""
    ax.annotate(text, (100, y), xytext=(4, 0), textcoords="offset points", ha="left",
                va="bottom", fontsize=9, gid="target_label", zorder=5, bbox=LABEL_BOX)


def _status_handles(statuses: Iterable[str]) -> list[Patch]:
    """Legend patches of the statuses present, in :data:`STATUSES` order."""
    present = set(statuses)
    return [Patch(facecolor=status_colour(s), label=s) for s in STATUSES if s in present]


def _target_handle(kind: str) -> Line2D | Patch:
    if kind == "range":
        return Patch(facecolor=tint(ink("target"), 0.93), edgecolor=ink("muted"), hatch="///",
                     label=f"{TARGET_LABEL}（区间）")
    return Line2D([], [], color=ink("target"), linewidth=2, label=TARGET_LABEL)


def _legend_above(ax, handles: list, ncol: int | None = None) -> None:
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.02), borderaxespad=0.0,
              ncol=ncol or len(handles), handlelength=1.4, columnspacing=1.2)


def _unit_label(ax, shown: str) -> None:
    """The unit written horizontally above the value axis (a rotated 个 reads as an arrow)."""
    ax.set_ylabel(f"单位：{shown}", rotation=0, ha="left", va="bottom", fontsize=9,
                  color=ink("muted"))
    ax.yaxis.set_label_coords(0.0, 1.02)


# --------------------------------------------------------------------------- trend vs target


def _scale(rows: pd.DataFrame, kind: str, indicator: str = "") -> tuple[str, float]:
    """Display unit and divisor of a trend chart's values (the unit ``actual`` is measured in;
    the indicator's own unit: :func:`indicator_display_unit`)."""
    if _is_percent(kind):
        return "%", 0.01
    unit = _first(rows, "actual_unit", _first(rows, "unit"))
    values = pd.concat([rows["actual"], rows["target"], rows["target_upper"]])
    if unit != _first(rows, "unit", unit):  # counts of units (coverage): no plan scale
        return display_unit(unit, values)
    return indicator_display_unit(indicator, unit, values)


def _value_text(value: float, factor: float, shown: str) -> str:
    if shown == "是/否":
        return "是" if value >= 0.5 else "否"
    return format_number(value / factor) + ("%" if shown == "%" else "")


def growth_text(rate: float, target: float) -> str:
    """A growth rate against its target as the plan words it: ``增长1.65%（目标>1%）``."""
    return f"增长{format_percent(rate, 2)}（目标>{format_percent(target, 2)}）"


def _target_text(row, factor: float, shown: str) -> str:
    if pd.isna(row.target):
        return "无目标"
    low = _value_text(row.target, factor, shown)
    if row.kind == "growth":
        low = ">" + low
    if row.kind == "range" and pd.notna(row.target_upper):
        low = f"{low}–{_value_text(row.target_upper, factor, shown)}"
    if not row.due:
        return f"目标 {low}\n（{int(row.due_year)}年底前）"
    return f"目标 {low}"


def _draw_target(ax, x: float, row, factor: float, first: bool) -> None:
    low = row.target / factor
    if row.kind == "range" and pd.notna(row.target_upper):
        high = row.target_upper / factor
        ax.add_patch(Rectangle((x - 0.42, low), 0.84, high - low, facecolor=tint(ink("target"), 0.93),
                               edgecolor=ink("muted"), hatch="///", linewidth=0.8,
                               zorder=BAND_ZORDER, gid="target"))
    ax.hlines(low, x - 0.42, x + 0.42, color=ink("target"), linewidth=2, zorder=4, gid="target",
              linestyles="solid" if row.due else (0, (2, 1.5)),
              label=TARGET_LABEL if first else None)


def _trend_subject(kind: str, rows: pd.DataFrame) -> str:
    """What the bars of a trend chart measure, in words (depends on the kind of target)."""
    if kind == "coverage":
        return f"达到要求的{_first(rows, 'actual_unit', '单位')[1:]}数"
    if kind == "ratio":
        return "全省比例"
    if kind == "growth":
        return "全省新增比例（当年新增 ÷ 上年末总数）"
    if kind == "milestone":
        return "完成情况（是/否）"
    return "全省合计"


def _value_label(ax, x: float, height: float, row, factor: float, shown: str, ymax: float,
                 colour: str) -> None:
    """The value above the bar, or inside its top when the target line sits just above the bar
    (where the label would hide the line)."""
    text = _value_text(row.actual, factor, shown)
    target = row.target / factor if pd.notna(row.target) else np.nan
    under_target = pd.notna(target) and 0 <= target - height < 0.09 * ymax
    if under_target and height > 0.3 * ymax:
        ax.annotate(text, (x, height), xytext=(0, -3), textcoords="offset points", ha="center",
                    va="top", fontsize=10, zorder=5, color=text_colour_on(colour), gid="value")
        return
    ax.annotate(text, (x, height), xytext=(0, 4), textcoords="offset points", ha="center",
                va="bottom", fontsize=10, zorder=6, gid="value", bbox=VALUE_BOX)


def _completion_label(ax, x: float, height: float, row, factor: float, ymax: float,
                      colour: str, boxed: bool = False) -> None:
    """Completion rate inside the bar, at the end farther from the target line (so the line
    never crosses it), or above the value when the bar is too short to hold it."""
    text = f"完成率\n{format_percent(row.completion)}"
    if height <= 0.16 * ymax:
        ax.annotate(text, (x, height), xytext=(0, 18), textcoords="offset points", ha="center",
                    va="bottom", fontsize=9, linespacing=1.1, zorder=3, gid="completion")
        return
    target = row.target / factor if pd.notna(row.target) else 0.0
    at_top = target < height / 2
    ax.annotate(text, (x, height if at_top else 0), xytext=(0, -4 if at_top else 5),
                textcoords="offset points", ha="center", va="top" if at_top else "bottom",
                fontsize=9, linespacing=1.1, zorder=3, gid="completion",
                color=text_colour_on(colour),  # on a hatched bar: a box of the bar's colour
                bbox={"boxstyle": "square,pad=0.15", "fc": colour, "ec": "none"} if boxed else None)


MILESTONE_TEXT = {True: "已完成", False: "未完成"}


def _milestone_bar(ax, x: float, actual: float, colour: str) -> None:
    """A milestone year as a full-height bar: filled with the status colour and 已完成 when
    done, outlined (dashed) with 未完成 when not, so 否 is as visible as 是."""
    done = bool(actual >= 0.5)
    if done:
        ax.bar(x, 1.0, width=0.62, color=colour, zorder=2, gid="bar")
    else:
        edge = colour if text_colour_on(colour) == "#FFFFFF" else ink("muted")  # light: darker
        ax.bar(x, 1.0, width=0.62, facecolor="white", edgecolor=edge, linewidth=1.8,
               linestyle=(0, (4, 2)), zorder=2, gid="bar")
    ax.text(x, 0.5, MILESTONE_TEXT[done], ha="center", va="center", fontsize=11, zorder=5,
            color=text_colour_on(colour) if done else ink("text"), gid="value")


def trend_chart(province: pd.DataFrame, indicator: str, *, synthetic: bool = True,
                flags: pd.DataFrame | None = None) -> Figure:
    """Bars of the province total by year against the target.

    Bars are coloured by status; the value is written above each bar and the completion rate
    inside it (a growth target: ``增长1.65%（目标>1%）`` above the bar, no completion rate); the
    target is a black line across each bar (a hatched band for a range target), labelled 目标,
    and written under the year (dashed, with its deadline, in the years before a "by 20xx"
    target is due: those bars are 进展，未到期, progress only); ``"11/12 报送"`` appears under a
    year where a unit did not report; a year without any return shows 未报送 instead of a bar.
    An indicator the plan sets no target for is drawn in its area's colour (trend only). A year
    whose total includes a value validation flagged (``flags``, as
    :func:`jrc_analysis.analysis.flags.flagged_values`) is hatched, the issue in the note. Counts
    get whole-number ticks.
    """
    rows = _indicator_rows(province, indicator)
    name, area, kind = _first(rows, "name", indicator), _first(rows, "area"), _first(rows, "kind")
    shown, factor = _scale(rows, kind, indicator)
    flagged = flag_lookup(flags, indicator)
    flagged_years = {year for year, _ in flagged}
    with house_style():
        fig = _new_figure(7.2, 4.8)
        ax = fig.add_subplot()
        tops = pd.concat([rows["actual"], rows["target"], rows["target_upper"]]) / factor
        ymax = float(np.nanmax(tops.to_numpy())) if tops.notna().any() else 1.0
        ymax = ymax if ymax > 0 else 1.0
        ticks, first_target = [], True
        untargeted = bool(rows["target"].isna().all())
        for x, row in enumerate(rows.itertuples(index=False)):
            colour = area_colour(area) if untargeted and area else status_colour(row.shown_status)
            label = [f"{row.year}年"]
            if pd.notna(row.actual) and shown == "是/否":
                _milestone_bar(ax, x, row.actual, colour)
            elif pd.notna(row.actual):
                height = row.actual / factor
                hatched = int(row.year) in flagged_years
                ax.bar(x, height, width=0.62, color=colour, zorder=2, gid="bar",
                       hatch=FLAG_HATCH if hatched else None,
                       edgecolor="white" if hatched else None, linewidth=0)
                if kind == "growth" and pd.notna(row.target):
                    ax.annotate(growth_text(row.actual, row.target), (x, height), xytext=(0, 4),
                                textcoords="offset points", ha="center", va="bottom", fontsize=10,
                                zorder=6, gid="value", bbox=VALUE_BOX)
                else:
                    _value_label(ax, x, height, row, factor, shown, ymax, colour)
                    if pd.notna(row.completion):
                        _completion_label(ax, x, height, row, factor, ymax, colour, hatched)
            else:
                ax.annotate("未报送", (x, 0), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", fontsize=10, color=status_colour("未报送"))
            if pd.notna(row.target):
                _draw_target(ax, x, row, factor, first_target)
                first_target = False
            label.append(_target_text(row, factor, shown))
            label.append(reported_text(row.units_reported, row.units_expected))
            ticks.append("\n".join(part for part in label if part))
        if not first_target:
            last = rows[rows["target"].notna()].index[-1]
            ax.text(last + 0.46, rows.loc[last, "target"] / factor, TARGET_LABEL, va="center",
                    ha="left", fontsize=9, gid="target_label")
        ax.set_xticks(range(len(rows)), ticks)
        ax.tick_params(axis="x", length=0)
        ax.set_xlim(-0.6, len(rows) - 0.4 + 0.35)
        ax.set_ylim(0, ymax * 1.2)
        if shown == "是/否":
            ax.set_yticks([])
            ax.grid(axis="y", visible=False)
        else:
            _unit_label(ax, shown)
            _integer_ticks(ax.yaxis, shown, factor)
        handles = [] if untargeted else _status_handles(rows.loc[rows["actual"].notna()
                                                                 | rows["target"].notna(),
                                                                 "shown_status"])
        if not first_target:
            handles.append(_target_handle(kind))
        if flagged_years & set(rows.loc[rows["actual"].notna(), "year"].astype(int)):
            handles.append(_flag_handle())
        if handles:
            _legend_above(ax, handles)
        reading = "方案未设量化目标，只看趋势" if untargeted else "柱色表示是否达标"
        subtitle = (f"{_area_name(area)} · {_trend_subject(kind, rows)}（单位：{shown}），按年度；"
                    f"{reading}")
        title = f"{name}：年增长率" if kind == "growth" else name
        _frame_figure(fig, title, subtitle,
                      data_note(synthetic, [flag_note(flagged, rows["year"].astype(int))]))
    return fig


def _flag_handle() -> Patch:
    return Patch(facecolor=ink("muted"), edgecolor="white", hatch=FLAG_HATCH, linewidth=0,
                 label=FLAG_LABEL)


# --------------------------------------------------------------------------- prefecture gaps


def _prefecture_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(_reporting_units())}


@lru_cache(maxsize=None)
def _reporting_units() -> tuple[str, ...]:
    return tuple(catalog.reporting_units())


def _unit_scale(rows: pd.DataFrame, kind: str, indicator: str = "") -> tuple[str, float]:
    """Display unit of a unit-level table: a prefecture's own count for prefecture-level coverage
    (not "个设区市"), counties meeting for county-level coverage, % for ratios and rates; an
    indicator's own numbers in its prefecture-level unit (:func:`indicator_display_unit`)."""
    if _is_percent(kind):
        return "%", 0.01
    level = _first(rows, "level") if "level" in rows.columns else ""
    unit = _first(rows, "unit")
    if kind != "coverage" or level != "prefecture":
        unit = _first(rows, "actual_unit", unit)
    values = pd.concat([rows["actual"], rows["target"]])
    if unit != _first(rows, "unit", unit):
        return display_unit(unit, values)
    return indicator_display_unit(indicator, unit, values, "prefecture")


def pair_text(actual: float, target: float, completion: float, factor: float,
              max_decimals: int = 8) -> tuple[str, str]:
    """``actual`` and ``target`` (divided by ``factor``) written with the fewest decimals (2 at
    least, as :func:`format_number`) whose quotient reproduces the printed completion rate, so a
    reader dividing the bracket gets the printed %: 1,636.4万元 / 536.4万元 = 305%, never
    "0.16/0.1亿元"."""
    printed = format_percent(completion)
    for decimals in range(2, max_decimals + 1):
        a, t = format_number(actual / factor, decimals), format_number(target / factor, decimals)
        a_value, t_value = float(a.replace(",", "")), float(t.replace(",", ""))
        if t_value > 0 and format_percent(a_value / t_value) == printed:
            return a, t
    return a, t


def _unit_suffix(shown: str) -> str:
    """The unit written after a number ("" for % and 是/否, already in the number)."""
    return "" if shown in ("%", "是/否") else shown


def _target_value_text(value: float, factor: float, shown: str) -> str:
    """An allocated target as shown: rounded for display (:func:`format_target`)."""
    if shown == "是/否":
        return _value_text(value, factor, shown)
    return format_target(value / factor) + ("%" if shown == "%" else "")


def _sorted_for_gap_chart(rows: pd.DataFrame) -> pd.DataFrame:
    order = _prefecture_order()
    rows = rows.assign(
        _has=rows["completion"].notna(),
        _unit_order=rows["prefecture"].astype(str).map(order).fillna(len(order)),
        _completion=rows["completion"].fillna(-1.0),
    )
    rows = rows.sort_values(["_has", "_completion", "_unit_order"], ascending=[False, False, True],
                            kind="stable")
    return rows.drop(columns=["_has", "_unit_order", "_completion"]).reset_index(drop=True)


def prefecture_gap_chart(
    prefectures: pd.DataFrame,
    indicator: str,
    year: int,
    *,
    synthetic: bool = True,
    allocation_note: str | None = None,
    flags: pd.DataFrame | None = None,
) -> Figure:
    """Each reporting unit's completion of its allocated target for ``year``, best first.

    Horizontal bars coloured by status, a line at 100% labelled 目标, the value and target written
    beside each bar (``305%（1636.4/536.4万元）``: the bracket divides to the printed %, see
    :func:`pair_text`); units without a return (未报送) or without an allocated target are listed
    at the bottom with the reason, never drawn as zero. A value validation flagged (``flags``)
    is hatched with its issue in the note, and does not stretch the axis: the axis is set by the
    other units and a flagged bar beyond it is cut at the edge, its real rate written there
    (``626%（30/5名）▶``). The note says how the targets were allocated: ``allocation_note``, else
    the table's ``target_basis``, else the default (population share, an assumption).
    """
    rows = _indicator_rows(prefectures, indicator)
    rows = _sorted_for_gap_chart(rows[rows["year"] == year])
    name, kind = _first(rows, "name", indicator), _first(rows, "kind")
    shown, factor = _unit_scale(rows, kind, indicator)
    flagged = flag_lookup(flags, indicator)
    is_flagged = [(int(year), str(unit)) in flagged for unit in rows["prefecture"]]
    if allocation_note is None and kind in ("min", "range"):
        basis = _first(rows, "target_basis") if "target_basis" in rows.columns else ""
        allocation_note = f"分市目标{basis}" if basis else DEFAULT_ALLOCATION_NOTE
    with house_style():
        fig = _new_figure(7.6, 1.9 + TITLE_IN + 0.32 * max(len(rows), 1))
        ax = fig.add_subplot()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        trusted = rows.loc[[not f for f in is_flagged], "completion"].dropna()
        best = float(trusted.max()) * 100 if len(trusted) else 100.0
        reach = max(best, 100.0)  # the longest bar drawn in full
        xmax = reach * 1.45
        drawn_flags = {}
        for y, row in enumerate(rows.itertuples(index=False)):
            if pd.notna(row.completion):
                width = row.completion * 100
                hatched = is_flagged[y]
                capped = hatched and width > reach
                ax.barh(y, min(width, reach * 1.08) if capped else width, height=0.62,
                        color=status_colour(row.shown_status), zorder=2, gid="bar",
                        hatch=FLAG_HATCH if hatched else None,
                        edgecolor="white" if hatched else None, linewidth=0)
                actual_text, target_text = pair_text(row.actual, row.target, row.completion,
                                                     factor)
                text = (f"{format_percent(row.completion)}（{actual_text}/{target_text}"
                        f"{_unit_suffix(shown)}）") if shown != "是/否" else (
                        f"{format_percent(row.completion)}（{_value_text(row.actual, factor, shown)}"
                        f"/{_target_value_text(row.target, factor, shown)}）")
                if hatched:
                    drawn_flags[(int(year), str(row.prefecture))] = flagged[(int(year),
                                                                             str(row.prefecture))]
                    text += "，存疑" + ("▶" if capped else "")
                at = min(width, reach * 1.08) if capped else max(width, 100.0)
                ax.annotate(text, (at, y), xytext=(4, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=8.5, gid="overflow" if capped else None)
            else:
                missing = row.status if row.status == "报表有错误" else "未报送"  # gaps.RETURN_FAILED
                reason = missing if pd.isna(row.actual) else (
                    f"{_value_text(row.actual, factor, shown)}{_unit_suffix(shown)}，无分解目标")
                ax.annotate(reason, (0, y), xytext=(4, 0), textcoords="offset points",
                            va="center", ha="left", fontsize=8.5, color=status_colour("未报送"))
        ax.axvline(100, color=ink("target"), linewidth=1.5, zorder=4, gid="target")
        _target_line_label(ax, f"{TARGET_LABEL} 100%", -0.75)
        ax.set_yticks(range(len(rows)), list(rows["prefecture"].astype(str)))
        ax.set_ylim(len(rows) - 0.5, -1.0)
        ax.set_xlim(0, xmax)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.set_xlabel("完成率（完成数 ÷ 分解目标）")
        ax.tick_params(axis="y", length=0)
        handles = _status_handles(rows.loc[rows["completion"].notna(), "shown_status"])
        _legend_above(ax, handles + ([_flag_handle()] if drawn_flags else []))
        subtitle = f"{year}年 · 各报送单位完成分解目标情况（括号内：完成数/分解目标，{shown}），按完成率排序"
        _frame_figure(fig, f"{name}：分市完成情况", subtitle,
                      data_note(synthetic, [allocation_note or "", flag_note(drawn_flags)]))
    return fig


# --------------------------------------------------------------------------- contribution


def prefecture_chart_meaningful(prefectures: pd.DataFrame, indicator: str, year: int) -> bool:
    """Whether :func:`prefecture_gap_chart` of ``indicator`` for ``year`` is worth drawing (see
    :func:`prefecture_chart_indicators`)."""
    return indicator in prefecture_chart_indicators(prefectures, year)


def _contribution_pivot(rows: pd.DataFrame, top: int) -> pd.DataFrame:
    """Years × units (largest total first, the rest summed as 其他), NaN where nothing reported."""
    pivot = rows.pivot_table(index="year", columns="prefecture", values="value", aggfunc="sum",
                             observed=True, dropna=False)
    pivot = pivot.reindex(columns=sorted(pivot.columns, key=str))
    totals = pivot.sum(axis=0, min_count=1).fillna(0.0)
    order = _prefecture_order()
    ranked = sorted(pivot.columns, key=lambda p: (-totals[p], order.get(str(p), len(order))))
    keep, rest = ranked[:top], ranked[top:]
    result = pivot[keep].copy()
    result.columns = [str(c) for c in keep]
    if rest:
        result["其他"] = pivot[rest].sum(axis=1, min_count=1)
    return result


def _province_targets(province: pd.DataFrame | None, indicator: str, years: list) -> pd.Series:
    """The province's ``min``/``range`` target by year (NaN where none or no table given)."""
    if province is None:
        return pd.Series(np.nan, index=years, dtype=float)
    rows = _indicator_rows(province, indicator)
    rows = rows[rows["kind"].isin(["min", "range"]) & rows["due"]]
    return rows.set_index("year")["target"].reindex(years).astype(float)


TOTAL_LABEL_SPAN = 0.12  # share of the axis a total label above a bar takes (two lines)


def total_label_anchor(top: float, goal: float, ymax: float) -> float:
    """Where the total label above a stacked bar starts: the bar's top, or the target line when
    it runs just above the bar (within the label's height), so the line never strikes through
    the label."""
    if pd.notna(goal) and top <= goal < top + TOTAL_LABEL_SPAN * ymax:
        return float(goal)
    return float(top)


def contribution_chart(
    prefectures: pd.DataFrame,
    indicator: str,
    *,
    top: int = REPORTING_UNITS,
    province: pd.DataFrame | None = None,
    synthetic: bool = True,
    flags: pd.DataFrame | None = None,
) -> Figure:
    """Stacked bars by year: each unit's contribution to the province total.

    Each unit's own total (``total`` column, else ``actual``) is stacked, largest total over the
    years at the bottom, each unit in its own fixed colour (:func:`unit_colour`, the same in
    every chart), named inside its segment with its share when the segment is tall enough —
    also where the province target line crosses it (the label sits on the line in a box of the
    segment's colour) — and in the legend. With ``top`` below 12 the rest are summed as 其他
    (grey). The total is written above each bar with "11/12 报送" when a unit did not report,
    lifted above the target line when the line runs just above the bar. Given the ``province``
    table, the province target of each year (``min``/``range`` targets) is drawn across the bar
    and labelled 目标. A segment validation flagged (``flags``) is hatched, the issue in the note.
    """
    rows = _indicator_rows(prefectures, indicator)
    # a unit's own total (for a ratio or coverage target ``actual`` is a rate or a count of units)
    rows = rows.assign(value=pd.to_numeric(rows["total"] if "total" in rows.columns
                                           else rows["actual"], errors="coerce"))
    name, unit, area = _first(rows, "name", indicator), _first(rows, "unit"), _first(rows, "area")
    pivot = _contribution_pivot(rows, top)
    totals = pivot.sum(axis=1, min_count=1)
    shown, factor = indicator_display_unit(indicator, unit, totals)
    units = list(pivot.columns)
    years = list(pivot.index)
    reported = rows.assign(_r=rows["value"].notna()).groupby("year")["_r"].sum()
    goals = _province_targets(province, indicator, years)
    flagged = flag_lookup(flags, indicator)
    drawn_flags = {}
    with house_style():
        fig = _new_figure(7.8, 5.4)
        ax = fig.add_subplot()
        tops = pd.concat([totals, goals]) / factor
        ymax = float(tops.max()) if tops.notna().any() else 1.0
        for x, year in enumerate(years):
            goal = goals.get(year, np.nan) / factor
            if pd.notna(goal):
                ax.hlines(goal, x - 0.4, x + 0.4, color=ink("target"), linewidth=2,
                          zorder=4, gid="target")
            bottom = 0.0
            for unit_name in units:
                value = pivot.loc[year, unit_name]
                if pd.isna(value) or value <= 0:
                    continue
                height = value / factor
                colour = unit_colour(unit_name)
                hatched = (int(year), unit_name) in flagged
                if hatched:
                    drawn_flags[(int(year), unit_name)] = flagged[(int(year), unit_name)]
                ax.bar(x, height, bottom=bottom, width=0.6, color=colour, edgecolor="white",
                       linewidth=0.8, zorder=2, label=unit_name if x == 0 else None, gid="bar",
                       hatch=FLAG_HATCH if hatched else None)
                if height > 0.055 * ymax:
                    share = value / totals[year]
                    ax.text(x, bottom + height / 2, f"{unit_name} {format_percent(share)}",
                            ha="center", va="center", fontsize=8, color=text_colour_on(colour),
                            zorder=5, gid="segment_label",
                            bbox={"boxstyle": "square,pad=0.1", "fc": colour, "ec": "none"})
                bottom += height
            total_text = f"{format_number(totals[year] / factor)}{shown}"
            note = reported_text(reported.get(year, 0), REPORTING_UNITS)
            ax.annotate(total_text + (f"\n{note}" if note else ""),
                        (x, total_label_anchor(bottom, goal, ymax)), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9.5,
                        gid="total")
        ax.set_xticks(range(len(years)), [f"{y}年" for y in years])
        ax.tick_params(axis="x", length=0)
        ax.set_xlim(-0.6, len(years) - 0.4)
        ax.set_ylim(0, ymax * 1.2)
        _unit_label(ax, shown)
        _integer_ticks(ax.yaxis, shown, factor)
        handles = [Patch(facecolor=unit_colour(u), label=u) for u in reversed(units)]
        if goals.notna().any():
            handles.append(Line2D([], [], color=ink("target"), linewidth=2, label=TARGET_LABEL))
        if drawn_flags:
            handles.append(_flag_handle())
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        grouped = "；前{}名单列，其余合并为“其他”".format(top) if "其他" in units else ""
        subtitle = (f"{_area_name(area)} · 各报送单位完成数占全省合计的比重（单位：{shown}）；"
                    f"每个单位的颜色在各图中固定{grouped}")
        _frame_figure(fig, f"{name}：各报送单位贡献", subtitle,
                      data_note(synthetic, [flag_note(drawn_flags)]))
    return fig


# --------------------------------------------------------------------------- scorecard


def _scorecard_rows(province: pd.DataFrame, years: Sequence[int] | None) -> pd.DataFrame:
    table = with_catalogue(province)
    if years is not None:
        table = table[table["year"].isin(list(years))]
    targeted = table.groupby("indicator")["target"].apply(lambda s: s.notna().any())
    table = table[table["indicator"].isin(targeted[targeted].index)]
    area_order = {a: i for i, a in enumerate(catalog.areas()["area"].astype(str))}
    table = table.assign(area_order=table["area"].map(area_order))
    return table.sort_values(["area_order", "catalogue_order", "year"],
                             kind="stable").reset_index(drop=True)


def _cell_text(row) -> str:
    if row.status == "未报送":
        return "未报送"
    if pd.isna(row.target):
        return "—"
    if row.kind == "milestone":
        return "已完成" if pd.notna(row.actual) and row.actual >= 1 else "未完成"
    if row.kind == "growth" and pd.notna(row.actual):
        return f"增长{format_percent(row.actual, 2)}"
    if pd.notna(row.completion) and row.completion >= 10:
        return "≥1000%"
    return format_percent(row.completion)


def scorecard_chart(
    province: pd.DataFrame,
    *,
    years: Sequence[int] | None = None,
    synthetic: bool = True,
    flags: pd.DataFrame | None = None,
) -> Figure:
    """The plan on one page: every indicator with a target × year, coloured by status.

    Rows are grouped under their action area (a header in the area's colour), in catalogue order;
    each cell shows the completion rate (— where that year has no target); before a "by 2024"
    deadline the cell is 进展，未到期; a growth target shows the rate (增长1.42%). A cell whose
    province total includes a value validation flagged (``flags``) is hatched, the issue in the
    note.
    """
    table = _scorecard_rows(province, years)
    year_list = sorted(table["year"].unique()) if years is None else list(years)
    layout: list[tuple[str, str]] = []  # (kind, key): ("area", area) or ("indicator", code)
    for area, group in table.groupby("area", sort=False):
        layout.append(("area", area))
        layout.extend(("indicator", code) for code in dict.fromkeys(group["indicator"]))
    cells = {(row.indicator, row.year): row for row in table.itertuples(index=False)}
    names = table.drop_duplicates("indicator").set_index("indicator")["name"]
    label_width = 3.6
    drawn_flags: dict[tuple[int, str], str] = {}
    with house_style():
        fig = _new_figure(2.2 + label_width + 1.05 * len(year_list),
                          TITLE_IN + 1.3 + 0.26 * max(len(layout), 1))
        ax = fig.add_subplot()
        ax.set_axis_off()
        for y, (row_kind, key) in enumerate(layout):
            if row_kind == "area":
                ax.add_patch(Rectangle((-label_width, y - 0.42), 0.12, 0.84,
                                       facecolor=area_colour(key), edgecolor="none"))
                ax.text(-label_width + 0.2, y, _area_name(key), va="center", ha="left",
                        fontsize=10, color=ink("text"))
                continue
            ax.text(-label_width + 0.2, y, names[key], va="center", ha="left", fontsize=8.5)
            for x, year in enumerate(year_list):
                if (key, year) in cells:
                    row = cells[(key, year)]
                    status, text = row.shown_status, _cell_text(row)
                else:
                    status, text = "无目标", "—"
                colour = status_colour(status)
                flagged = {k: v for k, v in flag_lookup(flags, key).items() if k[0] == year}
                drawn_flags.update({(y_, f"{names[key]}·{unit}"): m
                                    for (y_, unit), m in flagged.items()})
                ax.add_patch(Rectangle((x + 0.04, y - 0.42), 0.92, 0.84, facecolor=colour,
                                       edgecolor="white", gid=f"cell:{key}:{year}",
                                       hatch=FLAG_HATCH if flagged else None))
                ax.text(x + 0.5, y, text, ha="center", va="center", fontsize=8.5,
                        color=text_colour_on(colour),
                        bbox={"boxstyle": "square,pad=0.1", "fc": colour, "ec": "none"}
                        if flagged else None)
        for x, year in enumerate(year_list):
            ax.text(x + 0.5, -1.0, f"{year}年", ha="center", va="center", fontsize=10)
        ax.set_xlim(-label_width, len(year_list))
        ax.set_ylim(len(layout) - 0.5, -1.6)
        statuses = list(table["shown_status"]) + (["无目标"] if len(table) < len(layout) * len(year_list)
                                                  else [])
        _legend_above(ax, _status_handles(statuses) + ([_flag_handle()] if drawn_flags else []))
        subtitle = ("方案中有量化目标的指标 × 年度；格内为完成率（增长目标为增长率），颜色表示状态"
                    "（“到某年底前”的目标在到期年之前为进展，未到期，不判达标）")
        _frame_figure(fig, "三年行动方案目标完成情况总览", subtitle,
                      data_note(synthetic, [flag_note(drawn_flags)]))
    return fig


# --------------------------------------------------------------------------- cumulative


def cumulative_table(
    province: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    years: Sequence[int] = (2022, 2023, 2024),
) -> pd.DataFrame:
    """Cumulative actual against the sum of the annual targets over ``years`` (flows only).

    Columns ``indicator, name, unit, area, actual, target, completion, years_reported`` in the
    order of ``indicators`` (default: the headline indicators present in ``province``). A year
    without a return adds nothing to ``actual`` and is not counted in ``years_reported``.
    """
    table = with_catalogue(province)
    table = table[table["year"].isin(list(years)) & (table["measure"] == "flow")]
    wanted = list(indicators) if indicators is not None else list(headline_indicators())
    present = [code for code in wanted if code in set(table["indicator"])]
    records = []
    for code in present:
        rows = table[table["indicator"] == code]
        actual = rows["actual"].sum(min_count=1)
        target = rows["target"].sum(min_count=1)
        records.append({
            "indicator": code, "name": rows["name"].iloc[0], "unit": rows["unit"].iloc[0],
            "area": rows["area"].iloc[0], "actual": actual, "target": target,
            "completion": actual / target if pd.notna(target) and target > 0 else np.nan,
            "years_reported": int(rows["actual"].notna().sum()),
        })
    columns = ["indicator", "name", "unit", "area", "actual", "target", "completion",
               "years_reported"]
    return pd.DataFrame.from_records(records, columns=columns)


def years_span(years: Sequence[int]) -> str:
    """The years summed, in words: ``2022—2023年``, ``2024年`` for one year."""
    years = sorted(int(y) for y in years)
    if not years:
        return ""
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"


def cumulative_chart(
    province: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    *,
    years: Sequence[int] = (2022, 2023, 2024),
    synthetic: bool = True,
) -> Figure:
    """Progress of the headline indicators over the plan: cumulative actual ÷ the sum of targets.

    One horizontal bar per indicator, split by year (lighter = earlier) in the area's colour,
    against a line at 100% labelled 目标; beside each bar the rate and the cumulative figures in
    readers' units.
    """
    summary = cumulative_table(province, indicators, years)
    table = with_catalogue(province)
    year_list = list(years)
    shades = ramp(ink("muted"), len(year_list))[::-1]
    with house_style():
        fig = _new_figure(8.4, TITLE_IN + 1.9 + 0.5 * max(len(summary), 1))
        ax = fig.add_subplot()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        rates = summary["completion"].dropna()
        best = float(rates.max()) * 100 if len(rates) else 0.0
        xmax = max(best, 100.0) * 1.5
        for y, row in enumerate(summary.itertuples(index=False)):
            left = 0.0
            year_shades = ramp(area_colour(row.area), len(year_list))[::-1]
            for i, year in enumerate(year_list):
                value = table.loc[(table["indicator"] == row.indicator) & (table["year"] == year),
                                  "actual"].sum(min_count=1)
                if pd.isna(value) or pd.isna(row.target) or row.target <= 0:
                    continue
                width = value / row.target * 100
                ax.barh(y, width, left=left, height=0.6, color=year_shades[i], edgecolor="white",
                        linewidth=0.8, zorder=2, gid="bar")
                left += width
            shown, factor = indicator_display_unit(row.indicator, row.unit, [row.actual, row.target])
            actual_text, target_text = pair_text(row.actual, row.target, row.completion, factor)
            text = f"{format_percent(row.completion)}（{actual_text}/{target_text}{shown}）"
            if row.years_reported < len(year_list):
                text += f"，{row.years_reported}/{len(year_list)}年有数据"
            ax.annotate(text, (max(left, 100.0), y), xytext=(4, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=8.5)
        ax.axvline(100, color=ink("target"), linewidth=1.5, zorder=4, gid="target")
        span = years_span(year_list)
        _target_line_label(ax, f"{span}{TARGET_LABEL}之和 100%", -0.7)
        ax.set_yticks(range(len(summary)), list(summary["name"]))
        ax.set_ylim(len(summary) - 0.5, -1.0)
        ax.set_xlim(0, xmax)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.set_xlabel("累计完成率（累计完成数 ÷ 各年目标之和）")
        ax.tick_params(axis="y", length=0)
        handles = [Patch(facecolor=s, edgecolor="white", label=f"{y}年") for s, y in
                   zip(shades, year_list)]
        handles.append(Line2D([], [], color=ink("target"), linewidth=1.5, label=TARGET_LABEL))
        _legend_above(ax, handles)
        subtitle = (f"{span}累计完成数与{span}目标之和（括号内：累计完成数/目标之和）；"
                    f"条内按年度分段，由浅到深依次为{'、'.join(str(y) for y in year_list)}年"
                    "（图例以灰色示意深浅），条的颜色表示所属行动")
        title = "重点指标三年累计进度" if len(year_list) == 3 else f"重点指标{span}累计进度"
        _frame_figure(fig, title, subtitle, data_note(synthetic))
    return fig


# --------------------------------------------------------------------------- coverage


def _missing_names(names, limit: int = 60) -> str:
    names = [str(n) for n in (names if isinstance(names, (list, tuple, np.ndarray)) else [])]
    if len(names) > limit:
        return "、".join(names[:limit]) + f"等{len(names)}个"
    return "、".join(names)


def coverage_rule(level: str, thresholds: pd.Series, unit: str, name: str) -> str:
    """The coverage target in words: ``"每县（市、区）至少3支"``; for a 是/否 indicator
    ``"每个设区市均" + name`` (e.g. 每个设区市均参加透明指数评价)."""
    place = {"prefecture": "个设区市", "county": "个县（市、区）"}.get(level, "个单位")
    if unit == "是/否":
        return f"每{place}均{name}"
    if not len(thresholds):
        return ""
    return f"每{place[1:]}至少{format_number(thresholds.iloc[0])}{unit}"


def coverage_chart(coverage: pd.DataFrame, indicator: str, *, synthetic: bool = True) -> Figure:
    """Units meeting a coverage target ("every county has at least 3 teams"), year by year.

    ``coverage`` is :func:`jrc_analysis.analysis.gaps.coverage_table` (``year, level, threshold,
    units_expected, units_meeting, share, units_missing, status`` …). One bar per year with the
    share of units meeting the target (coloured by status) against a line at 100% labelled 目标,
    the count beside it; under the chart, year by year, the units that do not meet it, by name (a
    unit without a return is named too). Years before a "by 20xx" deadline show progress
    (status 无目标).
    """
    rows = coverage[coverage["indicator"].astype(str) == indicator].sort_values("year")
    rows = rows.reset_index(drop=True)
    meta = _catalogue().set_index("indicator")
    name = _first(rows, "name", meta["name"].get(indicator, indicator))
    area = meta["area"].get(indicator, "")
    level_word = {"prefecture": "个设区市", "county": "个县（市、区）"}
    detail_lines = []
    for row in rows.itertuples(index=False):
        missing = _missing_names(row.units_missing)
        count = len(row.units_missing) if isinstance(row.units_missing, list) else 0
        detail_lines.append(f"{row.year}年未达到（{count}个）：{missing}" if missing
                            else f"{row.year}年：全部达到")
    detail = "\n".join(detail_lines)
    width_in = 8.2
    with house_style():
        fig = _new_figure(width_in, TITLE_IN + 1.9 + 0.5 * max(len(rows), 1)
                          + _detail_height(detail, width_in))
        ax = fig.add_subplot()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        shown = (shown_statuses(rows["status"], rows["threshold"], rows["due"])
                 if "due" in rows.columns else rows["status"].astype(str))
        for y, row in enumerate(rows.itertuples(index=False)):
            share = row.share * 100 if pd.notna(row.share) else 0.0
            ax.barh(y, share, height=0.6, color=status_colour(shown.iloc[y]), zorder=2, gid="bar")
            count = f"{int(row.units_meeting)}/{int(row.units_expected)}"
            unit_word = level_word.get(row.level, "个单位")
            ax.annotate(f"{format_percent(row.share)}（{count}{unit_word}）",
                        (max(share, 100.0), y), xytext=(4, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=8.5)
        ax.axvline(100, color=ink("target"), linewidth=1.5, zorder=4, gid="target")
        _target_line_label(ax, f"{TARGET_LABEL} 100%（全覆盖）", -0.7)
        labels = []
        for row in rows.itertuples(index=False):
            label = f"{row.year}年"
            if "due" in rows.columns and pd.notna(row.due) and not bool(row.due):
                label += f"\n（{int(row.due_year)}年底前）"
            labels.append(label)
        ax.set_yticks(range(len(rows)), labels)
        ax.set_ylim(len(rows) - 0.5, -1.0)
        ax.set_xlim(0, 150)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.tick_params(axis="y", length=0)
        _legend_above(ax, _status_handles(shown))
        rule = coverage_rule(_first(rows, "level"), rows["threshold"].dropna(),
                             str(meta["unit"].get(indicator, "")), name)
        subtitle = f"{_area_name(area)} · 覆盖目标：{rule}；条为达到要求的单位占比"
        _frame_figure(fig, f"{name}：覆盖情况", subtitle,
                      data_note(synthetic, ["未报送的单位按未达到计"]), detail=detail)
    return fig

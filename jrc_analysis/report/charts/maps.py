"""Completion by prefecture at a glance: a prefecture × indicator heat-map and a tile map per indicator.

Both colour a prefecture's completion of its allocated target in the same six classes (three
shades of vermillion below 100%, three of green from 100% up, from the status colours, so they
read like the rest of the briefing and stay colour-blind-safe). A unit without a return is grey
and says 未报送; a value validation flagged is hatched, its issue in the note.

- :func:`completion_heatmap` — seaborn heat-map: indicators with allocated targets × the 11
  prefectures, the rate in each cell;
- :func:`tile_map` — one square per prefecture placed roughly as on the map of Jiangxi
  (``data/prefecture_tiles.csv``: no boundary data, so no map licence or 审图号 question),
  coloured by completion, with the rate and the numbers.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from jrc_analysis.analysis.analysis import heatmap_indicators
from jrc_analysis.config import REFERENCE_DIR
from jrc_analysis.plan import catalog
from jrc_analysis.report.charts.figures import (
    FLAG_HATCH,
    TITLE_IN,
    _first,
    _flag_handle,
    _frame_figure,
    _indicator_rows,
    _legend_above,
    _new_figure,
    _unit_scale,
    _unit_suffix,
    flag_lookup,
    flag_note,
    pair_text,
)
from jrc_analysis.report.charts.style import (
    data_note,
    house_style,
    status_colour,
    text_colour_on,
    tint,
)
from jrc_analysis.units import format_percent

# class edges of completion (fractions) and their labels, lowest first
COMPLETION_EDGES = (0.6, 0.8, 1.0, 1.2, 1.5)
COMPLETION_LABELS = ("<60%", "60%–80%", "80%–100%", "100%–120%", "120%–150%", "≥150%")
NOT_REPORTED = "未报送"


def completion_colours() -> list[str]:
    """The six class colours, lowest first: vermillion (未达标) from dark to light, then green
    (达标) from light to dark."""
    below, above = status_colour("未达标"), status_colour("达标")
    return [tint(below, 0.0), tint(below, 0.35), tint(below, 0.65),
            tint(above, 0.65), tint(above, 0.35), tint(above, 0.0)]


def completion_class(completion: float) -> int | None:
    """The class (0–5) of a completion rate, None when missing: ``completion_class(0.99) == 2``,
    ``completion_class(1.0) == 3`` (100% is met), ``completion_class(6.26) == 5``."""
    if completion is None or pd.isna(completion):
        return None
    return int(np.searchsorted(COMPLETION_EDGES, float(completion), side="right"))


def completion_colour(completion: float) -> str:
    """The colour of a completion rate (grey 未报送 when missing)."""
    found = completion_class(completion)
    return status_colour(NOT_REPORTED) if found is None else completion_colours()[found]


def _class_handles() -> list[Patch]:
    return [Patch(facecolor=c, label=label) for c, label in
            zip(reversed(completion_colours()), reversed(COMPLETION_LABELS))]


@lru_cache(maxsize=None)
def _tiles() -> tuple[tuple[str, int, int], ...]:
    frame = pd.read_csv(REFERENCE_DIR / "prefecture_tiles.csv", dtype=str, keep_default_na=False)
    return tuple((r.prefecture, int(r.col), int(r.row)) for r in frame.itertuples(index=False))


def _completion_legend(ax, flagged: bool, **where) -> None:
    """The completion classes, 未报送 and (when a value is hatched) the flag, titled 完成率."""
    handles = _class_handles() + [Patch(facecolor=status_colour(NOT_REPORTED), label=NOT_REPORTED)]
    if flagged:
        handles.append(_flag_handle())
    ax.legend(handles=handles, borderaxespad=0.0, title="完成率", **where)


def tile_positions() -> pd.DataFrame:
    """``prefecture, col, row`` of each prefecture's square (row 0 at the top, north), from
    ``data/prefecture_tiles.csv``."""
    return pd.DataFrame(list(_tiles()), columns=["prefecture", "col", "row"])


def completion_matrix(prefectures: pd.DataFrame, year: int,
                      indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Completion rates for ``year``: indicators (rows, catalogue order) × the 11 prefectures
    (columns, plan order); NaN where a unit did not report or has no allocated target."""
    codes = list(indicators) if indicators is not None else heatmap_indicators(prefectures, year)
    rows = prefectures[(pd.to_numeric(prefectures["year"], errors="coerce") == year)
                       & prefectures["indicator"].astype(str).isin(codes)]
    matrix = rows.pivot_table(index=rows["indicator"].astype(str),
                              columns=rows["prefecture"].astype(str),
                              values="completion", aggfunc="first", dropna=False)
    return matrix.reindex(index=codes, columns=catalog.prefectures()).astype(float)


def completion_heatmap(
    prefectures: pd.DataFrame,
    year: int,
    indicators: Sequence[str] | None = None,
    *,
    synthetic: bool = True,
    flags: pd.DataFrame | None = None,
) -> Figure:
    """Heat-map (seaborn) of each prefecture's completion of its allocated target in ``year``:
    one row per indicator with allocated targets (default :func:`heatmap_indicators`), one
    column per prefecture, the rate written in each cell and coloured by class; 未报送 grey;
    flagged values hatched with the issue in the note."""
    matrix = completion_matrix(prefectures, year, indicators)
    names = dict(zip(catalog.indicators()["code"], catalog.indicators()["name"]))
    labels = np.array([[format_percent(v) if pd.notna(v) else "" for v in row]
                       for row in matrix.to_numpy()], dtype=object)
    drawn_flags: dict[tuple[int, str], str] = {}
    with house_style():
        fig = _new_figure(10.2, TITLE_IN + 1.6 + 0.42 * max(len(matrix), 1))
        ax = fig.add_subplot()
        colours = completion_colours()
        norm = BoundaryNorm([-np.inf, *COMPLETION_EDGES, np.inf], len(colours))
        sns.heatmap(matrix, ax=ax, cmap=ListedColormap(colours), norm=norm, annot=labels,
                    fmt="", cbar=False, linewidths=1.0, linecolor="white",
                    annot_kws={"fontsize": 8.5})
        for y, code in enumerate(matrix.index):
            flagged = flag_lookup(flags, code)
            for x, unit in enumerate(matrix.columns):
                if pd.isna(matrix.iloc[y, x]):
                    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=status_colour(NOT_REPORTED),
                                           edgecolor="white", linewidth=1.0, gid="missing"))
                    ax.text(x + 0.5, y + 0.5, NOT_REPORTED, ha="center", va="center",
                            fontsize=8, color=text_colour_on(status_colour(NOT_REPORTED)))
                if (int(year), unit) in flagged:
                    drawn_flags[(int(year), unit)] = flagged[(int(year), unit)]
                    ax.add_patch(Rectangle((x, y), 1, 1, facecolor="none", edgecolor="white",
                                           hatch=FLAG_HATCH, linewidth=0, gid="flag"))
                    colour = completion_colour(matrix.iloc[y, x])
                    ax.text(x + 0.5, y + 0.5, labels[y, x] + "？", ha="center", va="center",
                            fontsize=8.5, color=text_colour_on(colour), zorder=5, gid="flag_label",
                            bbox={"boxstyle": "square,pad=0.15", "fc": colour, "ec": "none"})
        ax.set_yticks(np.arange(len(matrix)) + 0.5,
                      [names.get(code, code) for code in matrix.index], rotation=0)
        ax.set_xticks(np.arange(len(matrix.columns)) + 0.5, list(matrix.columns), rotation=0)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.set_xlabel("")
        ax.set_ylabel("")
        _completion_legend(ax, bool(drawn_flags), loc="upper left", bbox_to_anchor=(1.01, 1.0))
        subtitle = (f"{year}年 · 各设区市完成分解目标的比例（完成数 ÷ 分解目标），"
                    "每行一项有分解目标的指标；红色系未达标，绿色系达标")
        _frame_figure(fig, f"{year}年各设区市分解目标完成率", subtitle,
                      data_note(synthetic, [_allocation_note(prefectures, year),
                                            flag_note(drawn_flags)]))
    return fig


def _allocation_note(prefectures: pd.DataFrame, year: int) -> str:
    rows = prefectures[pd.to_numeric(prefectures["year"], errors="coerce") == year]
    basis = _first(rows, "target_basis") if "target_basis" in rows.columns else ""
    return f"分市目标{basis}" if basis else ""


TILE = 1.0  # side of a square, in data units
GAP = 0.08


def tile_map(
    prefectures: pd.DataFrame,
    indicator: str,
    year: int,
    *,
    synthetic: bool = True,
    flags: pd.DataFrame | None = None,
) -> Figure:
    """The 11 prefectures as squares placed roughly as on the map of Jiangxi (north at the top:
    九江市; 南昌市 in the centre; 景德镇市, 鹰潭市, 上饶市 east; 萍乡市, 宜春市, 新余市 west;
    吉安市, 抚州市 south-centre; 赣州市 south), each coloured by its completion of its allocated
    target for ``year`` and showing the rate and ``完成数/分解目标``; 未报送 grey; a flagged value
    hatched, its issue in the note."""
    rows = _indicator_rows(prefectures, indicator)
    rows = rows[rows["year"] == year]
    name, kind = _first(rows, "name", indicator), _first(rows, "kind")
    shown, factor = _unit_scale(rows, kind, indicator)
    by_unit = {str(r.prefecture): r for r in rows.itertuples(index=False)}
    flagged = flag_lookup(flags, indicator)
    drawn_flags: dict[tuple[int, str], str] = {}
    tiles = tile_positions()
    with house_style():
        fig = _new_figure(7.4, TITLE_IN + 1.4 + 1.25 * (tiles["row"].max() + 1))
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_aspect("equal")
        for tile in tiles.itertuples(index=False):
            row = by_unit.get(tile.prefecture)
            completion = row.completion if row is not None else np.nan
            colour = completion_colour(completion)
            hatched = (int(year), tile.prefecture) in flagged
            if hatched:
                drawn_flags[(int(year), tile.prefecture)] = flagged[(int(year), tile.prefecture)]
            x, y = tile.col * (TILE + GAP), -tile.row * (TILE + GAP)
            ax.add_patch(Rectangle((x, y), TILE, TILE, facecolor=colour, edgecolor="white",
                                   linewidth=0, hatch=FLAG_HATCH if hatched else None,
                                   gid=f"tile:{tile.prefecture}"))
            ink_colour = text_colour_on(colour)
            box = ({"boxstyle": "square,pad=0.12", "fc": colour, "ec": "none"} if hatched
                   else None)  # the hatch never runs through the text
            ax.text(x + TILE / 2, y + 0.74, tile.prefecture, ha="center", va="center",
                    fontsize=10, color=ink_colour, gid="tile_name", bbox=box)
            if row is None or pd.isna(row.actual):
                detail, rate = "", NOT_REPORTED
            elif pd.isna(row.completion):
                detail, rate = "无分解目标", ""
            else:
                actual_text, target_text = pair_text(row.actual, row.target, row.completion,
                                                     factor)
                rate = format_percent(row.completion) + ("，存疑" if hatched else "")
                detail = tile_detail(actual_text, target_text, _unit_suffix(shown))
            ax.text(x + TILE / 2, y + 0.46, rate, ha="center", va="center", fontsize=11,
                    color=ink_colour, gid="tile_rate", bbox=box)
            if detail:
                ax.text(x + TILE / 2, y + 0.2, detail, ha="center",
                        va="center", fontsize=7.5, color=ink_colour, gid="tile_detail", bbox=box)
        cols, rows_n = tiles["col"].max() + 1, tiles["row"].max() + 1
        ax.set_xlim(-GAP, cols * (TILE + GAP))
        ax.set_ylim(-(rows_n - 1) * (TILE + GAP) - GAP, TILE + GAP)
        _completion_legend(ax, bool(drawn_flags), loc="lower right", bbox_to_anchor=(1.0, 0.0))
        subtitle = (f"{year}年 · 各设区市完成分解目标的比例（格内：完成率，完成数/分解目标，"
                    f"{shown}）；方块按地理位置示意排列（非地图）")
        _frame_figure(fig, f"{name}：各设区市完成率示意图", subtitle,
                      data_note(synthetic, [_allocation_note(rows, year), flag_note(drawn_flags)]))
    return fig


TILE_LINE_EM = 11.0  # ems of 7.5 pt text that fit on one line of a square (about 1.1 inch)


def tile_detail(actual: str, target: str, unit: str) -> str:
    """``完成数/分解目标单位`` on one line, or broken after the slash when too long for a square
    (``"11,462.25/\n2035.97万元"``), never inside a number or a unit (a CJK glyph is one em
    wide, a digit or Latin letter about 0.56)."""
    text = f"{actual}/{target}{unit}"
    width = sum(1.0 if ord(char) > 0x2E80 else 0.56 for char in text)
    return text if width <= TILE_LINE_EM else f"{actual}/\n{target}{unit}"


__all__ = [
    "COMPLETION_EDGES", "COMPLETION_LABELS", "completion_class", "completion_colour",
    "completion_colours", "completion_heatmap", "completion_matrix",
    "tile_map", "tile_positions",
]

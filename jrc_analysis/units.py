"""Units readers use (万人, 亿元), one per indicator, with the digits of :mod:`jrc_analysis.formatting`.

Every chart, the annex, the page and the Word draft format numbers here, so the same value
reads the same everywhere: numbers are rounded **half up** on their written digits (2.385万 →
2.39万, never 2.38), percentages likewise.

One unit rule, from ``data/display_units.csv`` (人 → 万人 from 10,000; 元 → 万元 from 10,000
and 亿元 from 100,000,000): a value is shown in the largest display unit it reaches.
:func:`indicator_display_unit` applies the rule once per indicator and level — to the plan's
annual province target (its largest year), or for a prefecture to that target's share of one
prefecture (÷ 11) — so an indicator is shown in the same unit in every output whatever the
year's numbers (发展志愿者 target 5,500 人: 人 in the trend, the cumulative chart and the annex).

- :func:`display_unit` — ``(unit shown, divisor)`` for a base unit and a magnitude;
- :func:`indicator_display_unit` — ``(unit shown, divisor)`` of an indicator at a level;
- :func:`format_number`, :func:`format_value`, :func:`format_percent` — ``"15.16"``,
  ``"15.16万人"``, ``"195%"``;
- :func:`with_display_units` — a table's value columns divided into each indicator's display unit.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd

from jrc_analysis import formatting
from jrc_analysis.config import REFERENCE_DIR

MISSING = formatting.MISSING
PREFECTURES = 11  # a prefecture's scale: the province target shared by the 11 prefectures
LEVELS = ("province", "prefecture")


@lru_cache(maxsize=None)
def display_units() -> pd.DataFrame:
    """The display-unit rules: ``unit, display_unit, factor`` (a value reaching ``factor`` of the
    base ``unit`` is shown in ``display_unit``)."""
    frame = pd.read_csv(REFERENCE_DIR / "display_units.csv", dtype=str, keep_default_na=False)
    frame["factor"] = frame["factor"].astype(float)
    return frame.sort_values(["unit", "factor"], kind="stable").reset_index(drop=True)


def _finite_max_abs(values: Iterable[float] | float) -> float:
    series = pd.to_numeric(pd.Series(np.atleast_1d(values)), errors="coerce")
    array = np.asarray(series, dtype=float)
    array = array[np.isfinite(array)]
    return float(np.abs(array).max()) if array.size else 0.0


def display_unit(unit: str, values: Iterable[float] | float) -> tuple[str, float]:
    """``(display unit, divisor)`` for numbers in base ``unit``, chosen from their largest absolute
    value: ``display_unit("人", 151600) == ("万人", 10000.0)``; units without a rule are kept."""
    magnitude = _finite_max_abs(values)
    reached = [(shown, factor) for shown, factor in _unit_rules(unit) if factor <= magnitude]
    if not reached:
        return unit, 1.0
    shown, factor = reached[-1]
    return str(shown), float(factor)


@lru_cache(maxsize=None)
def _unit_rules(unit: str) -> tuple[tuple[str, float], ...]:
    """``(display unit, factor)`` of the rules for base ``unit``, smallest factor first (looked
    up once per unit: every label of every chart asks)."""
    rules = display_units()
    rules = rules[rules["unit"] == unit]
    return tuple(zip(rules["display_unit"], rules["factor"]))


@lru_cache(maxsize=None)
def _plan_scales() -> tuple[tuple[str, float], ...]:
    """``(indicator, largest annual province target)`` of the plan's ``min``/``range`` targets
    (in the base unit; counts of units for coverage and fractions for ratios are left out)."""
    from jrc_analysis.plan import catalog

    targets = catalog.targets()
    rows = targets[targets["kind"].isin(["min", "range"]) & (targets["level"] == "province")]
    largest = rows.groupby("indicator", sort=True)["value"].max()
    return tuple((str(code), float(value)) for code, value in largest.items())


def indicator_display_unit(
    indicator: str,
    unit: str,
    values: Iterable[float] | float = (),
    level: str = "province",
) -> tuple[str, float]:
    """``(display unit, divisor)`` of ``indicator`` (base ``unit``) at ``level`` — the same in
    every chart and table.

    The scale is the plan's largest annual province target of the indicator (for a prefecture:
    that target ÷ 11, one prefecture's share), so the unit does not change with the year's
    numbers: 发展会员 (target 25,000 人) is in 万人 for the province and in 人 for a prefecture,
    发展志愿者 (5,500 人) in 人 everywhere. An indicator without such a target is scaled by
    ``values`` (its province totals, as :func:`display_unit`)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    scale = dict(_plan_scales()).get(str(indicator))
    if scale is None:
        return display_unit(unit, values)
    return display_unit(unit, scale / PREFECTURES if level == "prefecture" else scale)


def round_half_up(value: float, decimals: int = 2) -> float:
    """``value`` rounded half up on its written digits (:func:`jrc_analysis.formatting.round_half_up`),
    as a float: ``round_half_up(2.385) == 2.39``."""
    return float(formatting.round_half_up(value, decimals))


def format_number(value: float, decimals: int = 2) -> str:
    """A number as Chinese publications print it (:func:`jrc_analysis.formatting.number_text`):
    ``format_number(2.385) == "2.39"``, ``format_number(12345) == "12,345"``, ``—`` when missing."""
    return formatting.number_text(value, decimals)


def format_value(value: float, unit: str, scale_by: Iterable[float] | float | None = None) -> str:
    """``value`` (in base ``unit``) with its display unit: ``format_value(151600, "人") ==
    "15.16万人"``, ``format_value(1.022e9, "元") == "10.22亿元"``, ``format_value(2688, "人") ==
    "2688人"``. ``scale_by`` picks the unit from other values (to match the rest of a series)."""
    if value is None or pd.isna(value):
        return MISSING
    if unit == "是/否":
        return "是" if value >= 0.5 else "否"
    shown, factor = display_unit(unit, value if scale_by is None else scale_by)
    return f"{format_number(value / factor)}{shown}"


def format_indicator_value(value: float, indicator: str, unit: str, level: str = "province",
                           scale_by: Iterable[float] | float = ()) -> str:
    """``value`` (base ``unit``) in the display unit of ``indicator`` at ``level``
    (:func:`indicator_display_unit`): ``format_indicator_value(5310, "grassroots.new_volunteers",
    "人") == "5310人"`` and ``format_indicator_value(17300, …) == "17,300人"`` (never 1.73万人)."""
    if value is None or pd.isna(value):
        return MISSING
    if unit == "是/否":
        return "是" if value >= 0.5 else "否"
    shown, factor = indicator_display_unit(indicator, unit, scale_by if scale_by != () else value,
                                           level)
    return f"{format_number(value / factor)}{shown}"


def format_percent(fraction: float, decimals: int = 0) -> str:
    """A fraction as a percentage (:func:`jrc_analysis.formatting.percent_text`):
    ``format_percent(1.9457) == "195%"``; a fraction below 1 never reads 100%."""
    return formatting.percent_text(fraction, decimals)


def format_target(value: float) -> str:
    """A target (often an allocated share) for display: one decimal below 100, a whole number
    from 100 up (``format_target(25.45) == "25.5"``, ``format_target(510.82) == "511"``)."""
    if value is None or pd.isna(value):
        return MISSING
    exact = Decimal(repr(float(value)))  # half-up on the written digits: 25.45 -> 25.5
    one_decimal = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    decimals = 1 if abs(one_decimal) < 100 else 0
    shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format_number(float(shown), decimals)


def with_display_units(
    table: pd.DataFrame,
    columns: Iterable[str] = ("actual", "target", "target_upper", "gap"),
    unit_column: str = "unit",
) -> pd.DataFrame:
    """A copy of ``table`` with ``columns`` divided into each indicator's display unit and a
    ``display_unit`` column; the unit of an indicator is :func:`indicator_display_unit` (province
    level; chosen over all its rows for an indicator without a plan target), so every year and
    unit is shown alike. ``table`` needs ``indicator`` and ``unit_column``."""
    present = [c for c in columns if c in table.columns]
    result = table.copy()
    for column in present:
        result[column] = pd.to_numeric(result[column], errors="coerce").astype(float)
    result["display_unit"] = result[unit_column].astype(str)
    for code, rows in result.groupby("indicator", sort=True, observed=True):
        unit = str(rows[unit_column].iloc[0])
        magnitude = pd.concat([rows[c] for c in present]) if present else pd.Series(dtype=float)
        shown, factor = indicator_display_unit(str(code), unit, magnitude)
        result.loc[rows.index, "display_unit"] = shown
        for column in present:
            result.loc[rows.index, column] = result.loc[rows.index, column] / factor
    return result

"""One value cell → a number in the catalogue's base unit and a tidy row, or an issue naming the cell."""
from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import NamedTuple

from jrc_analysis.issues import error, warning
from jrc_analysis.returns import parse
from jrc_analysis.returns.grid import Cell, is_number_like
from jrc_analysis.returns.ledger import ROW_COLUMNS
from jrc_analysis.returns.tidy import catalogue_fields, format_number, sort_ranks, tolerance, where


@lru_cache(maxsize=1024)
def _unit_factor(unit: str | None, base: str) -> float | None:
    return parse.unit_factor(unit, base)


class Target(NamedTuple):
    """Where the values of a summary row or county column go: the indicator (``code``, catalogue
    ``name``, base unit, rank in the catalogue) and the unit the row or column states, with its
    factor to the base unit (None: not convertible)."""

    code: str
    name: str
    base: str
    rank: int
    column_unit: str | None
    factor: float | None


@lru_cache(maxsize=4096)
def target_of(code: str, column_unit: str | None) -> Target:
    """The :class:`Target` of an indicator under a stated unit (the same pairs recur in every return)."""
    at = catalogue_fields().at
    codes = sort_ranks()[2]
    base = at[code, "unit"]
    return Target(code, at[code, "name"], base, codes.get(code, len(codes)), column_unit,
                   _unit_factor(column_unit, base))


def cell_number(rec, column_unit: str | None, base: str):
    """``(value in base unit, None)`` or ``(None, reason)``; ``(None, None)`` for not reported.

    A unit written in the cell wins (``2.3亿元``); a bare multiplier in the cell (``15.2万``) takes
    the column's unit without its multiplier; otherwise the column's (or header's) unit applies.
    """
    cell_unit = None
    if is_number_like(rec.value) or isinstance(rec.value, bool):
        number = float(rec.value)
    elif isinstance(rec.value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return None, f"日期或时间“{rec.raw}”"
    else:
        parsed = (parse.parse_milestone if base == "是/否" else parse.parse_number)(str(rec.raw))
        if parsed.status == "missing":
            return None, None
        if parsed.status != "ok" or parsed.value is None or math.isnan(parsed.value):
            return None, parsed.note or f"“{rec.raw}”不是数字"
        number = float(parsed.value)
        if parsed.unit and parse.normalise_unit(parsed.unit) in ("%", "‰"):
            return None, f"“{rec.raw}”是百分比，不是以“{base}”为单位的数"
        cell_unit = parsed.value_unit
        if parsed.unit and cell_unit is None:  # bare multiplier: already applied
            column_unit = parse.strip_multiplier(column_unit)
    if math.isinf(number):
        return None, f"“{rec.raw}”不是有限的数字"
    unit = cell_unit or column_unit
    factor = _unit_factor(unit, base)
    if factor is None:
        return None, f"单位“{unit}”无法换算为“{base}”"
    return number * factor, None

_PLAIN_NUMBERS = (float, int)


def value_taker(ledger, sheet: str, taken: dict | None = None):
    """``take(county, order, target, rec)``: parse one value cell of ``sheet``; emit a tidy row
    or an issue. Returns the value (or None).

    ``order`` is the county's place (:func:`county_order`). A finite int or float in a
    convertible column is taken as it is; anything else goes through :func:`checked_number`.
    Rows are added to the ledger here, the hot loop of the cleaner. ``taken``: ``(county,
    code)`` → where the return's other tables gave that value, when one of them may repeat
    this one (None when none can); a repeat goes to :func:`_repeated`.
    """
    add_county, add_code, add_value, add_unit, add_sheet, add_cell, add_raw = (
        ledger.columns[name].append for name in ROW_COLUMNS)  # the file-wide columns: the ledger's
    places, use = ledger.places, ledger.used.of(sheet).add
    add_place, plain_numbers, isinf = places.append, _PLAIN_NUMBERS, math.isinf  # looked up once

    def take(county: str, order: int, target: Target, rec: Cell) -> float | None:
        value, factor, cell = rec.value, target.factor, rec.cell
        if type(value) in plain_numbers and factor is not None and not rec.formula_uncached and not isinf(value):
            number = float(value) * factor
        else:
            number = checked_number(ledger, target, rec, sheet)
            if number is None:
                return None
        code = target.code
        add_county(county)
        add_code(code)
        add_value(number)
        add_unit(target.base)
        add_sheet(sheet)
        add_cell(cell)
        add_raw(rec.raw)
        add_place(order + target.rank)
        use(cell)
        if taken is not None:
            key = (county, code)
            first = taken.get(key)
            if first is None:
                taken[key] = (sheet, cell, number, len(places) - 1)
            else:
                _repeated(ledger, taken, key, first, target, sheet, rec, number)
        return number

    return take


def _repeated(ledger, taken: dict, key: tuple[str, str], first: tuple, target: Target, sheet: str,
              rec: Cell, number: float) -> None:
    """The value ``number`` just taken from ``rec`` (the last tidy row) repeats the indicator of
    the same county that ``first`` (``taken[key]``: sheet, cell, number, row index or None when
    withdrawn) gave: the same number → this one is withdrawn with a warning; a different number
    → both are withdrawn, an error names both cells."""
    county = key[0]
    index = len(ledger.places) - 1
    first_sheet, first_cell, first_number, first_index = first
    source_file = ledger.source_file
    ledger.withdraw(index, sheet, rec.cell)
    whose = f"“{county}”的" if county else ""
    there = f"工作表“{first_sheet}”单元格 {first_cell}"
    if first_index is not None and abs(number - first_number) <= tolerance(number, first_number):
        ledger.issue(warning(
            "clean.repeated_indicator", source_file,
            f"{where(source_file, sheet, rec.cell)}：{whose}指标“{target.name}”已在{there}填报，"
            f"数值相同（{format_number(number)}{target.base}），只采用一次。请删除重复的填报。",
            sheet=sheet, cell=rec.cell))
        return
    if first_index is not None:
        ledger.withdraw(first_index, first_sheet, first_cell)
        taken[key] = (first_sheet, first_cell, first_number, None)
    ledger.issue(error(
        "clean.conflicting_indicator", source_file,
        f"{where(source_file, sheet, rec.cell)}：{whose}指标“{target.name}”填报了两次且数值不同："
        f"{there}为 {format_number(first_number)}{target.base}，本格为 {format_number(number)}{target.base}，"
        "两个数值都未采用。请核对后只保留正确的一个。", sheet=sheet, cell=rec.cell),
        cells={(first_sheet, first_cell)})


def checked_number(ledger, target: Target, rec, sheet) -> float | None:
    """The value of any value cell in the base unit, or None after an issue (uncached formula,
    not a number, unit not convertible) or for a not-reported marker."""
    base = target.base
    source_file = ledger.source_file
    if bool(rec.formula_uncached):
        ledger.issue(error(
            "clean.formula_uncached", source_file,
            f"{where(source_file, sheet, rec.cell)}：是公式但没有保存计算结果（文件由程序生成、未在 Excel/WPS 中打开保存过），"
            "无法读取数值。请用 Excel 或 WPS 打开该文件、保存后重新报送，或直接填写数字。",
            sheet=sheet, cell=rec.cell))
        return None
    shown = parse.excel_error(rec.raw)
    if shown is not None:
        ledger.issue(error(
            "clean.excel_error", source_file,
            f"{where(source_file, sheet, rec.cell)}：“{target.name}”的完成数单元格显示 Excel 错误值“{rec.raw}”"
            f"（{parse.EXCEL_ERRORS[shown]}），无法读取数值。请改正该单元格的公式或直接填写以“{base}”为单位的数字后重新报送。",
            sheet=sheet, cell=rec.cell))
        return None
    number, problem = cell_number(rec, target.column_unit, base)
    if problem is not None:
        ledger.issue(error(
            "clean.invalid_value", source_file,
            f"{where(source_file, sheet, rec.cell)}：“{target.name}”的完成数无法使用：{problem}。"
            f"应填写以“{base}”为单位的数字。请修改后重新报送。",
            sheet=sheet, cell=rec.cell))
        return None
    if number is None:
        ledger.ignore(sheet, rec.cell)  # a not-reported marker (—, /, 不适用): completeness reports it
    return number

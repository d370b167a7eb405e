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


def value_taker(ledger, sheet: str):
    """``take(county, order, target, rec)``: parse one value cell of ``sheet``; emit a tidy row
    or an issue. Returns the value (or None).

    ``order`` is the county's place (:func:`county_order`). A finite int or float in a
    convertible column is taken as it is; anything else goes through :func:`checked_number`.
    Rows are added to the ledger here, the hot loop of the cleaner (a value two tables give is
    found afterwards: :func:`withdraw_repeats`).
    """
    add_county, add_code, add_value, add_unit, add_sheet, add_cell, add_raw = (
        ledger.columns[name].append for name in ROW_COLUMNS)  # the file-wide columns: the ledger's
    add_place, use = ledger.places.append, ledger.used.of(sheet).add
    plain_numbers, isinf = _PLAIN_NUMBERS, math.isinf  # looked up once

    def take(county: str, order: int, target: Target, rec: Cell) -> float | None:
        value, factor, cell = rec.value, target.factor, rec.cell
        if type(value) in plain_numbers and factor is not None and not rec.formula_uncached and not isinf(value):
            number = float(value) * factor
        else:
            number = checked_number(ledger, target, rec, sheet)
            if number is None:
                return None
        add_county(county)
        add_code(target.code)
        add_value(number)
        add_unit(target.base)
        add_sheet(sheet)
        add_cell(cell)
        add_raw(rec.raw)
        add_place(order + target.rank)
        use(cell)
        return number

    return take


def withdraw_repeats(ledger, spans: list[tuple[int, int]]) -> None:
    """The values two of a return's tables give for the same county and indicator (``spans``:
    each table's ledger rows ``[start, end)``, in the order read; a table never gives one twice):
    the same number → the later one is withdrawn with a warning; a different number → both are
    withdrawn, an error names both cells. Only the counties (``""`` the prefecture) that more than
    one table gives are looked at."""
    counties, codes = ledger.columns["county"], ledger.columns["indicator"]
    whose = [set(counties[start:end]) for start, end in spans]
    shared = {county for i, these in enumerate(whose) for others in whose[i + 1:] for county in these & others}
    if not shared:
        return
    taken: dict[tuple[str, str], tuple] = {}
    for start, end in spans:
        for index in range(start, end):
            if counties[index] in shared:
                key = (counties[index], codes[index])
                first = taken.get(key)
                if first is None:
                    taken[key] = (index, True)
                else:
                    _repeated(ledger, taken, key, first, index)


def _repeated(ledger, taken: dict, key: tuple[str, str], first: tuple[int, bool], index: int) -> None:
    """Row ``index`` repeats the county and indicator ``key`` of row ``first[0]`` (``first[1]``:
    whether that row is still taken): the same number → row ``index`` is withdrawn with a
    warning; a different number → both are withdrawn, an error names both cells."""
    column = ledger.columns
    county, code = key
    first_index, first_kept = first
    sheet, cell, number, base = (column[name][index] for name in ("sheet", "cell", "value", "unit"))
    first_sheet, first_cell, first_number = (column[name][first_index] for name in ("sheet", "cell", "value"))
    name = catalogue_fields().at[code, "name"]
    source_file = ledger.source_file
    ledger.withdraw(index, sheet, cell)
    whose = f"“{county}”的" if county else ""
    there = f"工作表“{first_sheet}”单元格 {first_cell}"
    if first_kept and abs(number - first_number) <= tolerance(number, first_number):
        ledger.issue(warning(
            "clean.repeated_indicator", source_file,
            f"{where(source_file, sheet, cell)}：{whose}指标“{name}”已在{there}填报，"
            f"数值相同（{format_number(number)}{base}），只采用一次。请删除重复的填报。",
            sheet=sheet, cell=cell))
        return
    if first_kept:
        ledger.withdraw(first_index, first_sheet, first_cell)
        taken[key] = (first_index, False)
    ledger.issue(error(
        "clean.conflicting_indicator", source_file,
        f"{where(source_file, sheet, cell)}：{whose}指标“{name}”填报了两次且数值不同："
        f"{there}为 {format_number(first_number)}{base}，本格为 {format_number(number)}{base}，"
        "两个数值都未采用。请核对后只保留正确的一个。", sheet=sheet, cell=cell),
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

"""Cells → tidy values: find the return's parts by content, map them to codes and places, parse.

:func:`clean_workbook` takes a :class:`jrc_analysis.returns.read.Workbook` and returns a
:class:`CleanResult`: the tidy values (columns :data:`TIDY_COLUMNS`), the issues, the per-file
accounting (every non-empty cell is a value, named in an issue, or deliberately ignored) and what
the return says about itself (:class:`ReturnInfo`: unit, year, template version, 填报日期,
revision marker) for the resubmission logic.

Nothing is found by position or sheet name: the summary sheet is the one whose header row has an
indicator-name (or code) column and a value column; the county sheet the one whose header row has
a 县（市、区） column and indicator columns. Other sheets (说明) are skipped, their cells counted as
ignored.

The cleaner's helpers live beside it, one job each: ``tidy`` (the tidy contract and message
wording), ``grid`` (cells by sheet, row and column), ``ledger`` (every cell's fate), ``locate``
(header words and tables), ``info`` (unit, year, who and when), ``values`` (one cell → a number).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Collection

from jrc_analysis.issues import Issue, error, warning
from jrc_analysis.returns import names, parse
from jrc_analysis.returns.grid import (Cell, Grid, cell_records, grid_cells, grids_by_sheet,
                                       is_number_like, workbook_records)
from jrc_analysis.returns.info import (bare_years_in, date_text, hinted_cells, info_lines,
                                       return_info, revision_rank, years_in)
from jrc_analysis.returns.ledger import Ledger, finish, places_of
from jrc_analysis.returns.locate import (TOTAL_LABEL, UNIT_LINE, Table, find_county_header,
                                         find_summary_header, header_role, sheet_unit_line)
from jrc_analysis.returns.tidy import (CITY_HQ, TIDY_COLUMNS, Accounting, CleanResult,
                                       ReturnInfo, catalogue_fields, county_order, empty_values,
                                       format_number, frame_of_columns, shorten, sort_tidy, tidy_columns,
                                       tidy_frame, tolerance, where)
from jrc_analysis.returns.values import cell_number, target_of, value_taker

# the names other modules and the tests import from here (the tidy contract and the cell records
# live in tidy.py and grid.py)
__all__ = ["CITY_HQ", "TIDY_COLUMNS", "Accounting", "Cell", "CleanResult", "ReturnInfo", "bare_years_in",
           "cell_records", "clean_workbook", "date_text", "empty_values", "format_number",
           "frame_of_columns", "header_role", "revision_rank", "sort_tidy", "tidy_columns", "tidy_frame",
           "tolerance", "where", "workbook_records", "years_in"]


# ----------------------------------------------------------------------------------------------
# The cleaner
# ----------------------------------------------------------------------------------------------

def clean_workbook(workbook, source_file: str) -> CleanResult:
    """Clean one read workbook into tidy values, issues, accounting and :class:`ReturnInfo`.

    ``source_file`` (relative to the raw folder, forward slashes) is what values and issues name.
    """
    ledger = Ledger(source_file)
    for item in getattr(workbook, "issues", []) or []:
        ledger.issue(item)
    cells = workbook_records(workbook)
    places = places_of(cells)
    if not cells:
        return finish(ledger, cells, places, ReturnInfo(source_file))

    catalogue = catalogue_fields()
    hidden = {s.name for s in workbook.sheets if s.hidden}
    by_sheet = grids_by_sheet(cells)
    for item in hidden_sheet_warnings(workbook.sheets, by_sheet, source_file):
        ledger.issue(item)
    sheet_order = [s.name for s in sorted(workbook.sheets, key=lambda s: (s.hidden, s.index))]
    summary = county = None
    extra_tables = []
    for name in sheet_order:
        frame = by_sheet.get(name)
        if frame is None:
            continue
        table = find_summary_header(frame, name) or find_county_header(frame, name)
        if table is None:
            continue
        if table.kind == "summary" and summary is None:
            summary = table
        elif table.kind == "county" and county is None:
            county = table
        elif name not in hidden:
            extra_tables.append(table)

    lines = info_lines(by_sheet, hinted_cells(by_sheet, cells))
    for line in lines:
        for sheet, cell in line["cells"]:
            ledger.ignore(sheet, cell)
    info, ok = return_info(by_sheet, lines, summary, county, source_file, ledger)

    for table in extra_tables:
        ledger.issue(warning(
            "clean.extra_table", source_file,
            f"{where(source_file, table.sheet)}：又发现一张{'汇总表' if table.kind == 'summary' else '县区明细表'}，"
            "已按第一张处理、本表未读取。请删除多余的工作表后重新报送。", sheet=table.sheet),
            cells={(r.sheet, r.cell) for r in grid_cells(by_sheet[table.sheet])})
    if summary is None and county is None:
        ledger.issue(error(
            "clean.no_table", source_file,
            f"{where(source_file)}：没有找到报表表格（应有一行表头含“指标名称”和“完成数”，"
            "或含“县（市、区）”和各项指标）。请使用省红十字会下发的模板填报。"),
            cells=places.difference(ledger.ignored).pairs())
        return finish(ledger, cells, places, info)

    table_sheets = {t.sheet for t in (summary, county, *extra_tables) if t is not None}
    for name, frame in by_sheet.items():
        if name not in table_sheets:
            item, other_cells = _other_sheet(frame, name, source_file)
            if item is None:
                ledger.ignored.update(other_cells)
            else:
                ledger.issue(item, other_cells)

    if not ok:
        # no unit or no year: nothing can be used; the error covers every table cell
        for table in (summary, county):
            if table is not None:
                ledger.covered.update((r.sheet, r.cell) for r in grid_cells(by_sheet[table.sheet]))
        return finish(ledger, cells, places, info)

    if summary is not None:
        _clean_summary(by_sheet[summary.sheet], summary, info, catalogue, ledger)
    if county is not None:
        _clean_county(by_sheet[county.sheet], county, info, catalogue, ledger)
    return finish(ledger, cells, places, info)


def hidden_sheet_warnings(sheets, used: Collection[str], source_file: str) -> list[Issue]:
    """One warning per hidden sheet that holds content (``used``: the names of the sheets with
    cells; a hidden sheet is read like any other)."""
    return [warning(
        "clean.hidden_sheet", source_file,
        f"{where(source_file, s.name)}：这是一张隐藏的工作表，其中的内容照常读取。"
        "请取消隐藏、确认内容无误（不需要的请删除）后重新报送。", sheet=s.name)
        for s in sorted(sheets, key=lambda s: s.index) if s.hidden and s.name in used]


def _other_sheet(grid: Grid, sheet: str, source_file: str):
    """A sheet that is neither table (说明 …): text is ignored; numbers get one warning."""
    numbers = [r for r in grid_cells(grid) if is_number_like(r.value) or r.formula_uncached]
    if not numbers:
        return None, {(r.sheet, r.cell) for r in grid_cells(grid)}
    return warning(
        "clean.unread_sheet", source_file,
        f"{where(source_file, sheet)}：不是汇总表或县区明细表（没有找到“指标名称”+“完成数”或“县（市、区）”表头），"
        f"其中 {len(numbers)} 个数字（{numbers[0].cell} 等）未读取。如需报送，请填入汇总表或县区明细表。",
        sheet=sheet), {(r.sheet, r.cell) for r in numbers}

def _summary_code(rec_code, rec_name, source_file, sheet, ledger) -> str | None:
    """The indicator code of a summary row: a valid 指标代码 cross-checked with the name, else the name."""
    code_text = str(rec_code.raw).strip() if rec_code is not None else ""
    code, by_name = _row_indicator(code_text, rec_name.raw if rec_name is not None else None)
    if code == code_text:  # a valid code (no code is empty)
        if by_name is not None and by_name != code_text:
            ledger.issue(warning(
                "clean.code_name_mismatch", source_file,
                f"{where(source_file, sheet, rec_code.cell)}：指标代码“{code_text}”与指标名称“{rec_name.raw}”"
                f"（对应 {by_name}）不一致，已按指标代码处理。请核对是否填错了行。",
                sheet=sheet, cell=rec_code.cell))
    return code


@lru_cache(maxsize=4096)
def _row_indicator(code_text: str, name: str | None) -> tuple[str | None, str | None]:
    """``(code, code the name matches)`` of a summary row: ``code_text`` when it is a valid
    指标代码, else the name's code (the same rows recur in every return)."""
    by_name = names.match_indicator(name) if name is not None else None
    return (code_text if code_text in names.indicator_codes() else by_name), by_name

def _row_quote(recs) -> str:
    return " | ".join(shorten(str(r.raw)) for r in sorted(recs, key=lambda r: r.col))


def _clean_summary(grid, table: Table, info: ReturnInfo, catalogue, ledger) -> None:
    sheet, source_file = table.sheet, ledger.source_file
    roles = table.columns
    value_col = _value_column(grid, table, info, ledger)
    name_col = next((c for c, r in roles.items() if r == "name"), None)
    code_col = next((c for c, r in roles.items() if r == "code"), None)
    unit_col = next((c for c, r in roles.items() if r == "unit"), None)
    header = grid[table.header_row]
    header_unit = parse.split_header_unit(header[value_col].raw)[1] if value_col in header else None
    sheet_unit = sheet_unit_line(grid, table)
    ignore = ledger.ignored.of(sheet).add
    for rec in header.values():
        ignore(rec.cell)
    take = value_taker(ledger, info, sheet)
    seen: dict[str, str] = {}
    for row, at in grid.items():
        if row <= table.header_row:
            continue
        recs = at.values()
        rec_value, rec_name, rec_code = at.get(value_col), at.get(name_col), at.get(code_col)
        for r in recs:
            if r is not rec_value and (r.col in roles or not is_number_like(r.value)):
                ignore(r.cell)  # names, codes, units, targets, notes, area cells
        if rec_name is None and rec_code is None and rec_value is None:
            continue
        code = _summary_code(rec_code, rec_name, source_file, sheet, ledger)
        if code is None:
            if rec_value is None or UNIT_LINE.match(str(rec_value.raw)):
                if rec_value is not None:
                    ledger.ignore(sheet, rec_value.cell)
                continue  # a heading or footnote row without a number
            ledger.issue(warning(
                "clean.unmatched_indicator", source_file,
                f"{where(source_file, sheet, rec_value.cell)}：第 {row} 行的指标无法识别（该行内容：{_row_quote(recs)}），"
                "其完成数未采用。请使用模板中的指标名称或填写指标代码。",
                sheet=sheet, cell=rec_value.cell), cells={(sheet, r.cell) for r in recs})
            continue
        if rec_value is None:
            continue  # left blank: completeness is reported by validate
        if code in seen:
            ledger.issue(error(
                "clean.duplicate_indicator", source_file,
                f"{where(source_file, sheet, rec_value.cell)}：指标“{catalogue.at[code, 'name']}”重复填报"
                f"（已采用 {seen[code]} 的数值，本格未采用）。请删除重复的行。",
                sheet=sheet, cell=rec_value.cell))
            continue
        unit_cell = at.get(unit_col)
        column_unit = (str(unit_cell.raw).strip() if unit_cell is not None else None) \
            or header_unit or sheet_unit
        if take("", 0, target_of(code, column_unit), rec_value) is not None:
            seen[code] = rec_value.cell

def _value_column(grid, table: Table, info: ReturnInfo, ledger) -> int:
    """The value column: the only one, else the one of the return's year, else the first (warned)."""
    cols = sorted(c for c, r in table.columns.items() if r == "value")
    if len(cols) == 1:
        return cols[0]
    header = {col: rec.raw for col, rec in grid[table.header_row].items()}
    of_year = [c for c in cols if info.year in years_in(header.get(c, ""))]
    if len(of_year) == 1:
        return of_year[0]
    chosen = (of_year or cols)[0]
    ledger.issue(warning(
        "clean.ambiguous_value_column", ledger.source_file,
        f"{where(ledger.source_file, table.sheet)}：第 {table.header_row} 行有多个像“完成数”的列"
        f"（{'、'.join(str(header.get(c, '')) for c in cols)}），已采用“{header.get(chosen, '')}”。"
        "请只保留一列本年完成数。", sheet=table.sheet))
    return chosen


def _county_columns(grid, table: Table, catalogue, ledger) -> dict[int, tuple[str, str | None]]:
    """County-sheet columns → ``(code, unit from the header)``; unmatched columns with numbers warned."""
    sheet, source_file = table.sheet, ledger.source_file
    header = grid[table.header_row]
    codes_row = grid.get(table.code_row, {}) if table.code_row else {}
    data = grid_cells(grid, first_row=max(table.header_row, table.code_row) + 1)
    out = {}
    for rec in list(header.values()) + list(codes_row.values()):
        ledger.ignore(sheet, rec.cell)
    for col, text in sorted(table.columns.items()):
        label, unit = parse.split_header_unit(text)
        by_name = names.match_indicator(label)
        code_text = codes_row[col].raw.strip() if col in codes_row else ""
        code = code_text if code_text in names.indicator_codes() else by_name
        if code_text in names.indicator_codes() and by_name and by_name != code_text:
            ledger.issue(warning(
                "clean.code_name_mismatch", source_file,
                f"{where(source_file, sheet, codes_row[col].cell)}：指标代码“{code_text}”与列标题“{text}”"
                f"（对应 {by_name}）不一致，已按指标代码处理。请核对。",
                sheet=sheet, cell=codes_row[col].cell))
        if code is None:
            column = [r for r in data if r.col == col]
            if header_role(text) is None and any(is_number_like(r.value) for r in column):
                ledger.issue(warning(
                    "clean.unmatched_column", source_file,
                    f"{where(source_file, sheet, header[col].cell)}：列标题“{text}”无法识别为指标，"
                    "该列数字未采用。请使用模板中的列标题。",
                    sheet=sheet, cell=header[col].cell),
                    cells={(r.sheet, r.cell) for r in column})
            continue
        if code in {c for c, _u in out.values()}:
            ledger.issue(error(
                "clean.duplicate_indicator", source_file,
                f"{where(source_file, sheet, header[col].cell)}：指标“{catalogue.at[code, 'name']}”的列重复，"
                "本列未采用。请删除重复的列。", sheet=sheet, cell=header[col].cell),
                cells={(r.sheet, r.cell) for r in data if r.col == col})
            continue
        out[col] = (code, unit)
    return out


def _clean_county(grid, table: Table, info: ReturnInfo, catalogue, ledger) -> None:
    sheet, source_file = table.sheet, ledger.source_file
    columns = _county_columns(grid, table, catalogue, ledger)
    sheet_unit = sheet_unit_line(grid, table)
    first = max(table.header_row, table.code_row) + 1
    header_cols = set(grid[table.header_row])
    targets = {col: target_of(code, header_unit or sheet_unit) for col, (code, header_unit) in columns.items()}
    seen_counties: dict[str, int] = {}
    totals: list[tuple[int, dict]] = []
    sums: dict[int, float] = {}
    parts: dict[int, list[str]] = {col: [] for col in columns}
    ignore = ledger.ignored.of(sheet).add
    take = value_taker(ledger, info, sheet)
    for row, at in grid.items():
        if row < first:
            continue
        recs = at.values()
        label = at.get(table.label_col)
        value_recs = {}  # in the order of columns (both ascending)
        for col, r in at.items():
            if col in columns:
                value_recs[col] = r
            elif col in header_cols or not is_number_like(r.value):
                ignore(r.cell)  # labels, 序号, known extra columns
        text = str(label.raw).strip() if label is not None else ""
        plain = names.plain(text)
        if not value_recs:
            continue
        if TOTAL_LABEL.search(plain):
            totals.append((row, value_recs))
            continue
        if "本级" in plain and "省" not in plain:
            county = CITY_HQ
        else:
            place = names.match_place(text, info.prefecture)
            if place is None or place.level != "county":
                ledger.issue(warning(
                    "clean.unmatched_county", source_file,
                    f"{where(source_file, sheet, label.cell if label is not None else '')}：第 {row} 行的县（市、区）"
                    f"“{text}”无法识别（该行内容：{_row_quote(recs)}），本行数字未采用。"
                    f"请填写{info.prefecture}所辖县（市、区）的规范名称。",
                    sheet=sheet, cell=label.cell if label is not None else ""),
                    cells={(sheet, r.cell) for r in recs})
                continue
            if place.prefecture != info.prefecture:
                ledger.issue(error(
                    "clean.county_of_other_prefecture", source_file,
                    f"{where(source_file, sheet, label.cell)}：“{text}”是{place.prefecture}的县（市、区），"
                    f"不属于{info.prefecture}，本行数字未采用。请删除该行或改为本市所辖县（市、区）。",
                    sheet=sheet, cell=label.cell), cells={(sheet, r.cell) for r in recs})
                continue
            county = place.name
        if county in seen_counties:
            ledger.issue(error(
                "clean.duplicate_county", source_file,
                f"{where(source_file, sheet, label.cell)}：“{county}”重复出现（第 {seen_counties[county]} 行已采用），"
                "本行数字未采用。请合并为一行。", sheet=sheet, cell=label.cell),
                cells={(sheet, r.cell) for r in recs})
            continue
        seen_counties[county] = row
        order = county_order(county)
        for col, rec in value_recs.items():
            number = take(county, order, targets[col], rec)
            if number is not None:
                sums[col] = sums.get(col, 0.0) + number
                parts[col].append(rec.cell)
    for row, value_recs in totals:
        _check_total(row, value_recs, columns, sums, parts, info, catalogue, sheet, sheet_unit, ledger)


def _check_total(row, value_recs, columns, sums, parts, info, catalogue, sheet, sheet_unit, ledger):
    """A 合计/小计 row: not a county; each cell checked against the sum of counties and 市本级."""
    source_file = ledger.source_file
    for col, rec in value_recs.items():
        code, header_unit = columns[col]
        base = catalogue.at[code, "unit"]
        if bool(rec.formula_uncached):
            ledger.issue(error(
                "clean.formula_uncached", source_file,
                f"{where(source_file, sheet, rec.cell)}：合计行是公式但没有保存计算结果，无法核对。"
                "请用 Excel 或 WPS 打开该文件、保存后重新报送。", sheet=sheet, cell=rec.cell))
            continue
        total, problem = cell_number(rec, header_unit or sheet_unit, base)
        if problem is not None:
            ledger.issue(warning(
                "clean.invalid_total", source_file,
                f"{where(source_file, sheet, rec.cell)}：合计行的“{catalogue.at[code, 'name']}”无法核对：{problem}。"
                "合计行应填写数字。", sheet=sheet, cell=rec.cell))
            continue
        ledger.ignore(sheet, rec.cell)
        if total is None or col not in sums:
            continue
        if abs(total - sums[col]) > tolerance(total, sums[col]):
            cells = parts[col]
            span = f"{cells[0]}:{cells[-1]}" if len(cells) > 1 else cells[0]
            ledger.issue(warning(
                "clean.county_total_mismatch", source_file,
                f"{where(source_file, sheet, rec.cell)}：合计行“{catalogue.at[code, 'name']}”为 {format_number(total)}{base}，"
                f"但各县（市、区）与市本级（{span}）之和为 {format_number(sums[col])}{base}。"
                "请核对合计或各县数字。", sheet=sheet, cell=rec.cell))

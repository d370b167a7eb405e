"""Cells → tidy values: find the return's parts by content, map them to codes and places, parse.

:func:`clean_workbook` takes a :class:`jrc_analysis.returns.read.Workbook` and returns a
:class:`CleanResult`: the tidy values (columns :data:`TIDY_COLUMNS`), the issues, the per-file
accounting (every non-empty cell is a value, named in an issue, or deliberately ignored) and what
the return says about itself (:class:`ReturnInfo`: unit, year, template version, 填报日期,
revision marker) for the resubmission logic.

Nothing is found by position or sheet name: a summary table is one whose header (one to three
rows) has an indicator-name (or code) column and a value column; a county table one whose header
has a 县（市、区） column and indicator columns, or an indicator-name column and county columns
(transposed). Every table of a return is read: one per 行动 sheet, side-by-side blocks, a sheet
per county (named after it); the same indicator twice is taken once when equal, an error naming
both cells when not. Other sheets (说明) are skipped, their cells counted as ignored.

The cleaner's helpers live beside it, one job each: ``tidy`` (the tidy contract and message
wording), ``grid`` (cells by sheet, row and column), ``ledger`` (every cell's fate), ``locate``
(header words and tables), ``info`` (unit, year, who and when), ``values`` (one cell → a number).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Collection

from jrc_analysis.issues import Issue, error, warning
from jrc_analysis.returns import names, parse
from jrc_analysis.returns.cells import column_letters
from jrc_analysis.returns.grid import (Cell, Grid, cell_records, grid_cells, grids_by_sheet,
                                       is_number_like, workbook_records)
from jrc_analysis.returns.info import (bare_years_in, date_text, hinted_cells, info_lines,
                                       return_info, revision_rank, years_in)
from jrc_analysis.returns.ledger import Ledger, finish, places_of
from jrc_analysis.returns.locate import (NO_COL, TOTAL_LABEL, UNIT_LINE, RowRoles, Table, area_column,
                                         column_areas, county_of_code, county_place, find_county_header,
                                         find_summary_tables, find_transposed_county_table, header_role,
                                         header_unit, is_prefecture_label, row_areas, sheet_area, sheet_unit_line,
                                         taught_place_line, transposed_columns, transposed_grid)
from jrc_analysis.returns.tidy import (CITY_HQ, TIDY_COLUMNS, Accounting, CleanResult,
                                       ReturnInfo, catalogue_fields, county_order, empty_values,
                                       format_number, frame_of_columns, shorten, sort_tidy, tidy_columns,
                                       tidy_frame, tolerance, where)
from jrc_analysis.returns.values import cell_number, target_of, value_taker, withdraw_repeats

# the names other modules and the tests import from here (the tidy contract and the cell records
# live in tidy.py and grid.py)
__all__ = ["CITY_HQ", "TIDY_COLUMNS", "Accounting", "Cell", "CleanResult", "ReturnInfo", "bare_years_in",
           "cell_records", "clean_workbook", "date_text", "empty_values", "format_number",
           "frame_of_columns", "header_role", "revision_rank", "sort_tidy", "tidy_columns", "tidy_frame",
           "tolerance", "where", "workbook_records", "years_in"]


# ----------------------------------------------------------------------------------------------
# The cleaner
# ----------------------------------------------------------------------------------------------

def clean_workbook(workbook, source_file: str, mappings=None) -> CleanResult:
    """Clean one read workbook into tidy values, issues, accounting and :class:`ReturnInfo`.

    ``source_file`` (relative to the raw folder, forward slashes) is what values and issues name.
    ``mappings``: the analyst's :class:`~jrc_analysis.returns.mappings.Mappings`, consulted first
    for indicator labels and county labels; what nothing matched is in ``CleanResult.unmatched``.
    """
    ledger = Ledger(source_file, mappings=mappings)
    for item in getattr(workbook, "issues", []) or []:
        ledger.issue(item)
    cells = workbook_records(workbook)
    places = places_of(cells)
    if not cells:
        return finish(ledger, cells, places, ReturnInfo(source_file))

    catalogue = catalogue_fields()
    by_sheet = grids_by_sheet(cells)
    for item in hidden_sheet_warnings(workbook.sheets, by_sheet, source_file):
        ledger.issue(item)
    tables = return_tables(workbook.sheets, by_sheet, mappings)
    if not any(has_indicators(by_sheet[t.sheet], t, mappings) for t in tables):
        tables = []  # tables of something else (an address list, a work plan): not a return

    lines = info_lines(by_sheet, hinted_cells(by_sheet, cells))
    for line in lines:
        for sheet, cell in line["cells"]:
            ledger.ignore(sheet, cell)
    info, ok = return_info(by_sheet, lines, tables, source_file, ledger, complain=bool(tables))

    if not tables:
        ledger.issue(error(
            "clean.no_table", source_file,
            f"{where(source_file)}：这不是年度报表：没有找到报表表格（应有一行表头含“指标名称”和“完成数”，"
            "或含“县（市、区）”和各项指标），未读取任何数值。"
            "如是年度报表，请使用省红十字会下发的模板填报；如不是，请从报表文件夹中移走。"),
            cells=places.difference(ledger.ignored).pairs())
        return finish(ledger, cells, places, info)

    table_sheets = {t.sheet for t in tables}
    for name, frame in by_sheet.items():
        if name not in table_sheets:
            item, other_cells = _other_sheet(frame, name, source_file)
            if item is None:
                ledger.ignored.update(other_cells)
            else:
                ledger.issue(item, other_cells)

    if not ok:
        # no unit or no year: nothing can be used; the error covers every table cell
        for name in table_sheets:
            ledger.covered.update((r.sheet, r.cell) for r in grid_cells(by_sheet[name]))
        return finish(ledger, cells, places, info)

    counties = [county_of_sheet(t.sheet, info, mappings) if t.kind == "summary" else None for t in tables]
    spans = []  # each table's rows of the ledger, [start, end)
    for table, county in zip(tables, counties):
        grid = by_sheet[table.sheet]
        if table.kind == "summary" and _sheet_of_other_prefecture(table, info, ledger, grid):
            continue
        start = len(ledger.places)
        if table.kind == "summary":
            _clean_summary(grid, table, info, catalogue, ledger, county)
        elif table.transposed:
            turned = transposed_grid(grid, table)
            _ignore_outside(grid, turned, table, ledger)
            name_col = table.header_row  # the sheet's column of indicator names
            areas = row_areas(grid, table.label_col + 1, name_col,
                              area_column({c: (r.raw,) for c, r in grid[table.label_col].items()}),
                              sheet_area(grid, table.sheet, table))
            _clean_county(turned, transposed_columns(turned, table), info, catalogue, ledger,
                          sheet_unit_line(grid, table), areas)
        else:
            _clean_county(grid, table, info, catalogue, ledger)
        spans.append((start, len(ledger.places)))
    withdraw_repeats(ledger, spans)
    return finish(ledger, cells, places, info)


def return_tables(sheets, by_sheet: dict[str, Grid], mappings=None) -> list[Table]:
    """The tables of a return, in sheet order: every table on a visible sheet (parts of one
    return: one sheet per 行动, fundraising on its own sheet, a sheet per county, side-by-side
    blocks); a hidden sheet's only when no visible sheet has a table of its kind."""
    visible, hidden = [], []
    for info in sorted(sheets, key=lambda s: s.index):
        grid = by_sheet.get(info.name)
        if grid is not None:
            (hidden if info.hidden else visible).extend(tables_of_sheet(grid, info.name, mappings))
    kinds = {t.kind for t in visible}
    hidden_kinds = {}
    for table in hidden:  # the first hidden sheet of each missing kind
        hidden_kinds.setdefault(table.kind, table.sheet)
    return visible + [t for t in hidden if t.kind not in kinds and hidden_kinds[t.kind] == t.sheet]


def tables_of_sheet(grid: Grid, sheet: str, mappings=None) -> list[Table]:
    """The tables on one sheet: summary blocks, else a county table (counties as rows, else as
    columns; ``mappings``: labels the analyst taught count); [] for a sheet without one."""
    roles_of = RowRoles(grid)
    found = find_summary_tables(grid, sheet, roles_of)
    if found:
        return found
    table = (find_county_header(grid, sheet, roles_of, mappings)
             or find_transposed_county_table(grid, sheet, roles_of, mappings))
    return [table] if table is not None else []


def has_indicators(grid: Grid, table: Table, mappings=None) -> bool:
    """True when a table names at least one catalogue indicator (a county table's header does by
    construction; a summary table needs a row whose name or 指标代码 matches, also through an
    ``indicator`` line of the analyst's ``mappings``)."""
    if table.kind == "county" and not table.transposed:
        return True
    if table.transposed:
        cols = (table.header_row, table.code_row)
        first = table.label_col + 1
    else:
        cols = tuple(c for c, role in table.columns.items() if role in ("name", "code"))
        first = table.header_row + 1
    for row, at in grid.items():
        if row < first:
            continue
        for col in cols:
            rec = at.get(col)
            if rec is not None and (rec.raw.strip() in names.indicator_codes()
                                    or names.match_indicator(rec.raw, mappings=mappings) is not None):
                return True
    return False


def county_of_sheet(sheet: str, info: ReturnInfo, mappings=None) -> str:
    """The county a summary-style sheet is about when it is named after one of the return's
    counties (one sheet per county; ``mappings``: also a name the analyst taught), ``市本级`` for
    a 市本级 sheet; ``""`` (the prefecture's total) otherwise."""
    plain = names.plain(sheet)
    if "本级" in plain and "省" not in plain:
        return CITY_HQ
    place = county_place(sheet, info.prefecture, mappings)
    if place is not None and place.level == "city_hq":
        return CITY_HQ
    return place.name if place is not None and place.prefecture == info.prefecture else ""


def _sheet_of_other_prefecture(table: Table, info: ReturnInfo, ledger, grid: Grid) -> bool:
    """True (after an error naming the sheet, its table's cells not read) when a summary-style
    sheet is named after a county of another prefecture (a sheet per county, copied from
    another return?)."""
    place = county_place(table.sheet, info.prefecture, ledger.mappings)
    if place is None or place.prefecture == info.prefecture:
        return False
    source_file = ledger.source_file
    ledger.issue(error(
        "clean.county_of_other_prefecture", source_file,
        f"{where(source_file, table.sheet)}：工作表名“{table.sheet}”是{place.prefecture}的县（市、区），"
        f"不属于{info.prefecture}，本表数字未采用。请删除该表或改为本市所辖县（市、区）的数字。",
        sheet=table.sheet), cells={(r.sheet, r.cell) for r in grid_cells(grid, first_row=table.first_row)
                                   if table.first_col <= r.col <= table.last_col})
    return True


def _ignore_outside(grid: Grid, turned: Grid, table: Table, ledger) -> None:
    """The cells of a counties-as-columns table left out of its turned grid are ignored: the
    header row, and the columns under a known header (序号, 单位 — its unit is in the turned
    headers —, 备注); numbers in a column without a header are left to :func:`finish`."""
    kept = {rec.cell for cols in turned.values() for rec in cols.values()}
    header = grid[table.label_col]
    known = {col for col, rec in header.items() if header_role(rec.raw) is not None}
    for row, cols in grid.items():
        if row >= table.label_col:
            for col, rec in cols.items():
                if rec.cell not in kept and (row == table.label_col or col in known
                                             or not is_number_like(rec.value)):
                    ledger.ignore(table.sheet, rec.cell)


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


# how a label read by the scored match alone resolves (names.Resolution.how): named once per file
SIMILAR = ("scored", "contained")


def _row_reading(rec_code, rec_name, rec_unit, area, ledger, sheet):
    """``(code, names.Resolution of the name, unit)`` of a summary row (:func:`_row_texts_reading`
    of its cells' texts); a valid 指标代码 the name contradicts is warned about."""
    code, found, unit, by_code = _row_texts_reading(
        rec_code.raw if rec_code is not None else "", rec_name.raw if rec_name is not None else None,
        rec_unit.raw if rec_unit is not None else "", area, ledger.mappings)
    if by_code and found.code is not None and found.code != code:
        source_file = ledger.source_file
        ledger.issue(warning(
            "clean.code_name_mismatch", source_file,
            f"{where(source_file, sheet, rec_code.cell)}：指标代码“{code}”与指标名称“{rec_name.raw}”"
            f"（对应 {found.code}）不一致，已按指标代码处理。请核对是否填错了行。",
            sheet=sheet, cell=rec_code.cell))
    return code, found, unit


@lru_cache(maxsize=4096)
def _row_texts_reading(code_raw: str, name: str | None, unit_raw: str, area: str | None, mappings):
    """``(code, names.Resolution of the name, unit, by_code)`` of a summary row from the texts of
    its 指标代码, name and 单位 cells (the same rows recur in every return). The unit is the 单位
    cell's, else the one written in the name (应急救护普及培训（万人次）), None when the row states
    none (the header's or sheet's then applies); with ``area`` it is the row's context for the
    scored match (the ``mappings`` first). The code is the 指标代码 when valid (``by_code``),
    else the name's."""
    unit = str(unit_raw).strip() or (parse.split_header_unit(name)[1] if name is not None else None)
    found = names.resolve_indicator(name, area=area, unit=unit, mappings=mappings)
    code_text = str(code_raw).strip()
    by_code = code_text in names.indicator_codes()
    return (code_text if by_code else found.code), found, unit, by_code


def _row_quote(recs) -> str:
    return " | ".join(shorten(str(r.raw)) for r in sorted(recs, key=lambda r: r.col))


def _clean_summary(grid, table: Table, info: ReturnInfo, catalogue, ledger,
                   county: str = "") -> None:
    """One summary table (indicators as rows) of the prefecture (``county`` ""), or of one
    county on a sheet named after it."""
    sheet, source_file = table.sheet, ledger.source_file
    roles = table.columns
    value_col = _value_column(table, info, ledger)
    name_col = next((c for c, r in roles.items() if r == "name"), None)
    code_col = next((c for c, r in roles.items() if r == "code"), None)
    unit_col = next((c for c, r in roles.items() if r == "unit"), None)
    value_header_unit = header_unit(table.texts.get(value_col, ()))
    sheet_unit = sheet_unit_line(grid, table)
    first_col, last_col = table.first_col, table.last_col
    whole_rows = first_col == 1 and last_col == NO_COL
    ignore = ledger.ignored.of(sheet).add
    for row in range(table.first_row, table.header_row + 1):
        for col, rec in grid.get(row, {}).items():
            if first_col <= col <= last_col:
                ignore(rec.cell)
    take = value_taker(ledger, sheet)
    order = county_order(county)
    seen: dict[str, str] = {}
    areas = row_areas(grid, table.header_row + 1, name_col, area_column(table.texts, first_col, last_col),
                      sheet_area(grid, sheet, table))
    for row, at in grid.items():
        if row <= table.header_row:
            continue
        if not whole_rows:
            at = {c: r for c, r in at.items() if first_col <= c <= last_col}
        recs = at.values()
        rec_value, rec_name, rec_code = at.get(value_col), at.get(name_col), at.get(code_col)
        for r in recs:
            if r is not rec_value and (r.col in roles or not is_number_like(r.value)):
                ignore(r.cell)  # names, codes, units, targets, notes, area cells
        if rec_name is None and rec_code is None and rec_value is None:
            continue
        code, found, row_unit = _row_reading(rec_code, rec_name, at.get(unit_col), areas.get(row), ledger, sheet)
        if code is None:
            if found.how == "ignore":  # the analyst's ignore line: not a catalogue indicator
                for r in recs:
                    ignore(r.cell)
                continue
            if rec_value is None or UNIT_LINE.match(str(rec_value.raw)):
                if rec_value is not None:
                    ledger.ignore(sheet, rec_value.cell)
                continue  # a heading or footnote row without a number
            advice = ledger.unmatched_advice("indicator", str(rec_name.raw), sheet, rec_value.cell,
                                             found.candidates) if rec_name is not None else ""
            ledger.issue(warning(
                "clean.unmatched_indicator", source_file,
                f"{where(source_file, sheet, rec_value.cell)}：第 {row} 行的指标无法识别（该行内容：{_row_quote(recs)}），"
                f"其完成数未采用。{advice}请使用模板中的指标名称或填写指标代码。",
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
        target = target_of(code, row_unit or value_header_unit or sheet_unit)
        if take(county, order, target, rec_value) is not None:
            seen[code] = rec_value.cell
            if found.how in SIMILAR and found.code == code:
                ledger.read_by_similarity(str(rec_name.raw), found, sheet, rec_name.cell)


def _value_column(table: Table, info: ReturnInfo, ledger) -> int:
    """The value column: the only one, else the one of the return's year, else the first (warned)."""
    cols = sorted(c for c, r in table.columns.items() if r == "value")
    if len(cols) == 1:
        return cols[0]
    header = {col: " ".join(texts) for col, texts in table.texts.items()}
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


def _label_cell(grid, table: Table, col: int, text: str) -> str:
    """The cell of a county table's column that holds its label ``text``: in a header of several
    rows the name may sit above the row the values are headed by (发展会员（人） over 本年完成 |
    上年同期); the header row's cell when no cell of the band holds it."""
    band = (table.header_row,) if table.transposed else range(table.first_row, table.header_row + 1)
    for row in band:
        rec = grid.get(row, {}).get(col)
        if rec is not None and rec.raw.strip() == text.strip():
            return rec.cell
    return grid[table.header_row][col].cell


def _county_columns(grid, table: Table, catalogue, ledger, areas) -> dict[int, tuple[str, str | None]]:
    """County-sheet columns → ``(code, unit from the header)``; unmatched columns with numbers
    warned (with the mappings line to add), the analyst's ignore lines left out. ``areas``:
    column → the action area it sits under (context for the scored match)."""
    sheet, source_file = table.sheet, ledger.source_file
    header = grid[table.header_row]
    codes_row = grid.get(table.code_row, {}) if table.code_row else {}
    data = grid_cells(grid, first_row=max(table.header_row, table.code_row) + 1)
    out = {}
    for rec in list(header.values()) + list(codes_row.values()):
        ledger.ignore(sheet, rec.cell)
    for col, text in sorted(table.columns.items()):
        label_cell = _label_cell(grid, table, col, text)
        unit = parse.split_header_unit(text)[1]
        found = names.resolve_indicator(text, area=areas.get(col), unit=unit, mappings=ledger.mappings)
        by_name = found.code
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
            if found.how == "ignore":  # the analyst's ignore line
                for r in column:
                    ledger.ignore(r.sheet, r.cell)
                continue
            if header_role(text) is None and any(is_number_like(r.value) for r in column):
                advice = ledger.unmatched_advice("indicator", text, sheet, label_cell, found.candidates)
                what = "行的指标名称" if table.transposed else "列标题"
                ledger.issue(warning(
                    "clean.unmatched_column", source_file,
                    f"{where(source_file, sheet, label_cell)}：{what}“{text}”无法识别为指标，"
                    f"该{what[0]}数字未采用。{advice}请使用模板中的{'指标名称' if table.transposed else '列标题'}。",
                    sheet=sheet, cell=label_cell),
                    cells={(r.sheet, r.cell) for r in column})
            continue
        if code in {c for c, _u in out.values()}:
            ledger.issue(error(
                "clean.duplicate_indicator", source_file,
                f"{where(source_file, sheet, label_cell)}：指标“{catalogue.at[code, 'name']}”的列重复，"
                "本列未采用。请删除重复的列。", sheet=sheet, cell=label_cell),
                cells={(r.sheet, r.cell) for r in data if r.col == col})
            continue
        out[col] = (code, unit)
        if found.how in SIMILAR and found.code == code:
            ledger.read_by_similarity(text, found, sheet, label_cell)
    return out


def _clean_county(grid, table: Table, info: ReturnInfo, catalogue, ledger,
                  sheet_unit: str | None = None, areas: dict | None = None) -> None:
    """One county table (counties as rows; a turned grid for counties as columns). ``sheet_unit``
    and ``areas`` (column → action area): a 单位：万元 line above the table and the 行动 of each
    indicator, looked for here unless the table is turned."""
    sheet, source_file = table.sheet, ledger.source_file
    if not table.transposed:
        sheet_unit = sheet_unit_line(grid, table)
        default = sheet_area(grid, sheet, table)
        areas = {col: area or default for col, area in column_areas(grid, table).items()}
        areas.update({col: default for col in table.columns if col not in areas})
    columns = _county_columns(grid, table, catalogue, ledger, areas or {})
    first = max(table.header_row, table.code_row) + 1
    header = grid[table.header_row]
    header_cols = set(header)
    band = (table.header_row,) if table.transposed else range(table.first_row, table.header_row + 1)
    code_col = next((c for r in band for c, rec in grid.get(r, {}).items()
                     if "区划" in names.plain(rec.raw)), None)
    targets = {col: target_of(code, header_unit or sheet_unit) for col, (code, header_unit) in columns.items()}
    seen_counties: dict[str, int] = {}
    totals: list[tuple[int, dict]] = []
    sums: dict[int, float] = {}
    parts: dict[int, list[str]] = {col: [] for col in columns}
    ignore = ledger.ignored.of(sheet).add
    for row in range(table.first_row, table.header_row):  # 行动 group cells above the names
        for rec in grid.get(row, {}).values() if not table.transposed else ():
            ignore(rec.cell)
    take = value_taker(ledger, sheet)
    for row, at in grid.items():
        if row < first:
            continue
        recs = at.values()
        label = at.get(table.label_col)
        value_recs = {}  # in the order of columns (both ascending)
        for col, r in at.items():
            if col in columns:
                value_recs[col] = r
            elif col in header_cols or col == code_col or not is_number_like(r.value):
                ignore(r.cell)  # labels, 序号, 区划代码, known extra columns
        text = str(label.raw).strip() if label is not None else ""
        plain = names.plain(text)
        if not value_recs:
            continue
        county = "" if text and is_prefecture_label(text, info.prefecture) else None  # 宜春市（全市）
        if county is None and TOTAL_LABEL.search(plain):
            totals.append((row, value_recs))
            continue
        label_cell = label.cell if label is not None else ""
        if county is None:
            line = taught_place_line(text, ledger.mappings) if text else None
            if line is not None and line.kind == "ignore":  # the analyst's ignore line
                for r in recs:
                    ignore(r.cell)
                continue
            place = county_place(text, info.prefecture, ledger.mappings) if line is not None else None
            if (place is not None and place.level == "city_hq") or (
                    line is None and "本级" in plain and "省" not in plain):
                county = CITY_HQ
            else:
                code_rec = at.get(code_col) if code_col is not None else None
                by_code = county_of_code(code_rec.raw) if code_rec is not None else None
                place = place or (county_place(text, info.prefecture) if text else None)
                if place is not None and by_code is not None and by_code.name != place.name:
                    ledger.issue(error(
                        "clean.county_code_mismatch", source_file,
                        f"{where(source_file, sheet, label_cell)}：县（市、区）“{text}”与区划代码“{code_rec.raw}”"
                        f"（{code_rec.cell}，对应{by_code.name}）不一致，本行数字未采用。请核对名称和区划代码。",
                        sheet=sheet, cell=label_cell), cells={(sheet, r.cell) for r in recs})
                    continue
                place = place or by_code
                if place is None:
                    advice = ledger.unmatched_advice("place", text, sheet, label_cell,
                                                     names.place_candidates(text, info.prefecture)) if text else ""
                    ledger.issue(warning(
                        "clean.unmatched_county", source_file,
                        f"{where(source_file, sheet, label_cell)}：{_line(table, row)}的县（市、区）"
                        f"“{text}”无法识别（该{_line(table, row)[-1]}内容：{_row_quote(recs)}），本{_line(table, row)[-1]}数字未采用。"
                        f"{advice}请填写{info.prefecture}所辖县（市、区）的规范名称。",
                        sheet=sheet, cell=label_cell),
                        cells={(sheet, r.cell) for r in recs})
                    continue
                if place.prefecture != info.prefecture:
                    ledger.issue(error(
                        "clean.county_of_other_prefecture", source_file,
                        f"{where(source_file, sheet, label_cell)}：“{text or code_rec.raw}”是{place.prefecture}的县（市、区），"
                        f"不属于{info.prefecture}，本{_line(table, row)[-1]}数字未采用。请删除或改为本市所辖县（市、区）。",
                        sheet=sheet, cell=label_cell), cells={(sheet, r.cell) for r in recs})
                    continue
                county = place.name
        if county in seen_counties:
            ledger.issue(error(
                "clean.duplicate_county", source_file,
                f"{where(source_file, sheet, label_cell)}：“{county or text}”重复出现（{_line(table, seen_counties[county])}已采用），"
                f"本{_line(table, row)[-1]}数字未采用。请合并为一{_line(table, row)[-1]}。", sheet=sheet, cell=label_cell),
                cells={(sheet, r.cell) for r in recs})
            continue
        seen_counties[county] = row
        order = county_order(county)
        for col, rec in value_recs.items():
            number = take(county, order, targets[col], rec)
            if number is None:
                continue
            if county:  # the prefecture's own row is not part of the sum a 合计 row is checked against
                sums[col] = sums.get(col, 0.0) + number
                parts[col].append(rec.cell)
    for row, value_recs in totals:
        _check_total(row, value_recs, columns, sums, parts, info, catalogue, sheet, sheet_unit, ledger)


def _line(table: Table, row: int) -> str:
    """How a message names a county's line: 第 5 行, or 第 C 列 in a counties-as-columns table."""
    if table.transposed:
        return f"第 {column_letters(row)} 列"
    return f"第 {row} 行"


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

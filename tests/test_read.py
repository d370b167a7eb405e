"""Tests for jrc_analysis.returns.read: every workbook here is built by the test itself."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from conftest import write_xlsx
from hostile_corpus import fake_cfb  # tests/hostile_corpus.py: the shared low-level builders
from hostile_corpus import return_rows
from hostile_corpus import minimal_xlsx as write_minimal_xlsx
from jrc_analysis.returns import ods, ooxml, read, sniff
from jrc_analysis.returns.ingest import read_return
from jrc_analysis.returns.read import (
    CELL_COLUMNS,
    cell_address,
    column_letters,
    detect_format,
    is_junk,
    parse_address,
    raw_text,
    read_cells,
)

# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------

_SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          "<sheetData>{rows}</sheetData>{tail}</worksheet>")


def write_summary_xlsx(path: Path) -> Path:
    """An openpyxl workbook: a visible sheet with numbers, text, a merge, an uncached formula,
    a hidden sheet and an empty one."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "汇总表"
    sheet["A1"] = "2023年度南昌市完成情况表"
    sheet.merge_cells("A1:D1")
    sheet["B3"] = 1234
    sheet["C3"] = 0.1
    sheet["D3"] = "   "
    sheet["B4"] = "=SUM(B1:B3)"
    sheet["C4"] = True
    sheet["D4"] = dt.date(2023, 12, 20)
    hidden = book.create_sheet("隐藏表")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "x"
    book.create_sheet("说明")
    book.save(path)
    return path


def write_xls(path: Path) -> Path:
    book = xlwt.Workbook()
    sheet = book.add_sheet("汇总表")
    sheet.write(0, 0, "指标")
    sheet.write(0, 1, 1234)
    sheet.write(1, 1, 2.5)
    sheet.write_merge(3, 4, 0, 2, "合并区")
    hidden = book.add_sheet("备用")
    hidden.write(0, 0, "y")
    hidden.visibility = 1
    book.save(str(path))
    return path


def write_ods(path: Path) -> Path:
    """Sheet 表1: B1 "标题" spanning B1:C2, A3 = 42 (float), B3 = "文本"."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name="表1")
    row = TableRow()
    row.addElement(TableCell())
    title = TableCell(valuetype="string", numbercolumnsspanned=2, numberrowsspanned=2)
    title.addElement(P(text="标题"))
    row.addElement(title)
    row.addElement(CoveredTableCell())
    table.addElement(row)
    row = TableRow()
    row.addElement(TableCell())
    row.addElement(CoveredTableCell(numbercolumnsrepeated=2))
    table.addElement(row)
    row = TableRow()
    number = TableCell(valuetype="float", value="42")
    number.addElement(P(text="42"))
    row.addElement(number)
    text = TableCell(valuetype="string")
    text.addElement(P(text="文本"))
    row.addElement(text)
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def as_xlsm(xlsx: Path, target: Path) -> Path:
    """Turn an xlsx into an xlsm: macro-enabled content type and a vbaProject.bin member."""
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml",
                                    b"sheet.macroEnabled.main+xml")
            dst.writestr(info, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake macros, never run")
    return target


def issue_codes(workbook) -> list[str]:
    return [issue.code for issue in workbook.issues]


# ---------------------------------------------------------------------------------------------
# addresses and raw text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("col, letters", [(1, "A"), (26, "Z"), (27, "AA"), (28, "AB"),
                                          (702, "ZZ"), (703, "AAA"), (16384, "XFD")])
def test_column_letters(col, letters):
    assert column_letters(col) == letters


def test_cell_address_and_parse_address_round_trip():
    assert cell_address(3, 2) == "B3"
    assert parse_address("B3") == (3, 2)
    assert parse_address("$AB$10") == (10, 28)
    assert parse_address("3B") is None


@pytest.mark.parametrize("value, text", [
    (1234.0, "1234"), (0.1, "0.1"), (-5.0, "-5"), (2.5, "2.5"), (7, "7"), (True, "TRUE"),
    (False, "FALSE"), ("  文本 ", "  文本 "), (dt.datetime(2023, 12, 20), "2023-12-20"),
    (dt.datetime(2023, 1, 2, 3, 4, 5), "2023-01-02 03:04:05"),
])
def test_raw_text_is_what_a_person_sees(value, text):
    assert raw_text(value) == text


# ---------------------------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------------------------


def test_xlsx_cells_addresses_raw_and_dtypes(tmp_path):
    workbook = read_cells(write_summary_xlsx(tmp_path / "南昌市.xlsx"))
    assert workbook.format == "xlsx"
    assert workbook.issues == []
    cells = workbook.cells
    assert list(cells.columns) == CELL_COLUMNS
    assert cells["row"].dtype == "int64" and cells["col"].dtype == "int64"
    assert cells["formula_uncached"].dtype == bool
    assert cells["value"].dtype == object
    summary = cells[cells["sheet"] == "汇总表"]
    assert list(summary["cell"]) == ["A1", "B3", "C3", "B4", "C4", "D4"]  # D3 is blank
    by_cell = summary.set_index("cell")
    assert by_cell.loc["B3", "raw"] == "1234"
    assert by_cell.loc["B3", "value"] == 1234
    assert by_cell.loc["C3", "raw"] == "0.1"
    assert by_cell.loc["C4", "value"] is True
    assert by_cell.loc["D4", "value"] == dt.datetime(2023, 12, 20)
    assert by_cell.loc["D4", "raw"] == "2023-12-20"
    assert (by_cell.loc["B3", "row"], by_cell.loc["B3", "col"]) == (3, 2)


def test_xlsx_uncached_formula_is_a_row_without_value(tmp_path):
    cells = read_cells(write_summary_xlsx(tmp_path / "a.xlsx")).cells
    formula = cells[cells["formula_uncached"]]
    assert list(formula["cell"]) == ["B4"]
    assert formula["value"].iloc[0] is None
    assert formula["raw"].iloc[0] == ""
    assert not cells.loc[cells["cell"] != "B4", "formula_uncached"].any()


def test_xlsx_sheets_hidden_and_merged(tmp_path):
    workbook = read_cells(write_summary_xlsx(tmp_path / "a.xlsx"))
    assert [(s.name, s.index, s.hidden) for s in workbook.sheets] == [
        ("汇总表", 0, False), ("隐藏表", 1, True), ("说明", 2, False)]
    assert workbook.sheets[0].merged == [(1, 1, 1, 4)]
    hidden_cells = workbook.cells[workbook.cells["sheet"] == "隐藏表"]
    assert list(hidden_cells["cell"]) == ["A1"]


def test_cached_formula_kept_and_cell_without_r_follows_previous(tmp_path):
    sheet = _SHEET.format(
        rows='<row r="2"><c r="B2"><f>1+1</f><v>2</v></c><c r="C2"><f>A1</f><v></v></c>'
             "<c><v>7</v></c></row>",
        tail='<mergeCells count="1"><mergeCell ref="A5:B6"/></mergeCells>')
    workbook = read_cells(write_minimal_xlsx(tmp_path / "m.xlsx", [("S1", sheet)]))
    rows = workbook.cells[["cell", "value", "raw", "formula_uncached"]].values.tolist()
    assert rows == [["B2", 2.0, "2", False], ["C2", None, "", True], ["D2", 7.0, "7", False]]
    assert workbook.sheets[0].merged == [(5, 1, 6, 2)]


def test_uncached_formula_found_with_prefixed_namespace_and_without_address(tmp_path):
    prefixed = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="1"><x:c r="A1"><x:v>3</x:v></x:c><x:c r="B1"><x:f>A1*2</x:f>'
        "</x:c></x:row></x:sheetData></x:worksheet>")
    no_address = _SHEET.format(rows='<row r="4"><c><v>1</v></c><c><f>A4+1</f></c></row>', tail="")
    path = write_minimal_xlsx(tmp_path / "p.xlsx", [("前缀", prefixed), ("无地址", no_address)])
    workbook = read_cells(path)
    uncached = workbook.cells[workbook.cells["formula_uncached"]]
    assert uncached[["sheet", "cell"]].values.tolist() == [["前缀", "B1"], ["无地址", "B4"]]


def test_xlsm_detected_and_read_without_running_macros(tmp_path):
    xlsm = as_xlsm(write_summary_xlsx(tmp_path / "a.xlsx"), tmp_path / "a.xlsm")
    assert detect_format(xlsm) == "xlsm"
    workbook = read_cells(xlsm)
    assert workbook.format == "xlsm"
    assert "B3" in set(workbook.cells["cell"])


def test_xls_cells_merged_hidden(tmp_path):
    workbook = read_cells(write_xls(tmp_path / "b.xls"))
    assert workbook.format == "xls"
    assert workbook.cells[["sheet", "cell", "raw"]].values.tolist() == [
        ["汇总表", "A1", "指标"], ["汇总表", "B1", "1234"], ["汇总表", "B2", "2.5"],
        ["汇总表", "A4", "合并区"], ["备用", "A1", "y"]]
    assert workbook.sheets[0].merged == [(4, 1, 5, 3)]
    assert [s.hidden for s in workbook.sheets] == [False, True]


def test_ods_cells_and_spanned_merges(tmp_path):
    workbook = read_cells(write_ods(tmp_path / "c.ods"))
    assert workbook.format == "ods"
    assert workbook.cells[["cell", "value", "raw"]].values.tolist() == [
        ["B1", "标题", "标题"], ["A3", 42.0, "42"], ["B3", "文本", "文本"]]
    assert workbook.sheets[0].merged == [(1, 2, 2, 3)]


@pytest.mark.parametrize("builder, suffix, fmt", [
    (write_summary_xlsx, ".xls", "xlsx"),
    (write_xls, ".xlsx", "xls"),
    (write_ods, ".xlsx", "ods"),
    (write_summary_xlsx, ".dat", "xlsx"),
])
def test_format_from_bytes_not_extension(tmp_path, builder, suffix, fmt):
    made = builder(tmp_path / f"made{'.ods' if builder is write_ods else '.bin'}")
    renamed = tmp_path / f"return{suffix}"
    shutil.copy(made, renamed)
    assert detect_format(renamed) == fmt
    workbook = read_cells(renamed)
    assert workbook.format == fmt
    assert workbook.issues == [] and len(workbook.cells) > 0


def test_source_file_goes_into_issues(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.7 not a workbook")
    workbook = read_cells(path, source_file="2023/南昌市.xlsx")
    assert workbook.issues[0].source_file == "2023/南昌市.xlsx"


# ---------------------------------------------------------------------------------------------
# bad files: never raise, one clear issue
# ---------------------------------------------------------------------------------------------


def test_encrypted_ole_file(tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(fake_cfb(["EncryptionInfo", "EncryptedPackage"]))
    assert detect_format(path) == "encrypted"
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.encrypted"]
    assert "请取消工作簿密码后重新报送" in workbook.issues[0].message
    assert workbook.cells.empty and list(workbook.cells.columns) == CELL_COLUMNS


def test_ole_names_only_count_at_directory_entries(tmp_path):
    # the name appears, but not at a 128-byte aligned directory entry
    data = fake_cfb(["Workbook"])
    shifted = data[:512] + b"\x00" * 3 + data[512:]
    path = tmp_path / "odd.xls"
    path.write_bytes(shifted)
    assert detect_format(path) is None


def test_ole_workbook_stream_but_garbage_is_corrupt(tmp_path):
    path = tmp_path / "坏.xls"
    path.write_bytes(fake_cfb(["Workbook"]))
    assert detect_format(path) == "xls"
    assert issue_codes(read_cells(path)) == ["read.corrupt"]


def test_word_document_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "报告.xls"
    path.write_bytes(fake_cfb(["WordDocument"]))
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.not_spreadsheet"]
    assert "Word" in workbook.issues[0].message


def test_truncated_zip_is_corrupt(tmp_path):
    whole = write_summary_xlsx(tmp_path / "a.xlsx").read_bytes()
    path = tmp_path / "截断.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.corrupt"]
    assert "重新" in workbook.issues[0].message


@pytest.mark.parametrize("content, looks_like", [
    (b"%PDF-1.4\n%binary", "PDF"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    ("指标,完成数\n新增基层组织,450\n".encode("utf-8"), "文本"),
    (b"", "空文件"),
])
def test_not_spreadsheet_says_what_it_looks_like(tmp_path, content, looks_like):
    path = tmp_path / "报表.xlsx"
    path.write_bytes(content)
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.not_spreadsheet"]
    message = workbook.issues[0].message
    assert looks_like in message and ".xlsx、.xlsm、.xls、.ods" in message
    assert workbook.format is None


def test_plain_zip_and_docx_are_not_spreadsheets(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert detect_format(path) is None
    assert "Word" in read_cells(path).issues[0].message


def test_empty_workbook(tmp_path):
    path = tmp_path / "空.xlsx"
    openpyxl.Workbook().save(path)
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.empty"]
    assert [s.name for s in workbook.sheets] == ["Sheet"]


def test_missing_file_does_not_raise(tmp_path):
    workbook = read_cells(tmp_path / "没有这个文件.xlsx")
    assert issue_codes(workbook) == ["read.corrupt"]


def test_zip_bomb_refused_before_parsing(tmp_path):
    path = tmp_path / "炸弹.xlsx"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(20):  # 20 MB of zeros: ratio ~1000:1 > 200:1
                member.write(chunk)
    assert path.stat().st_size < 200_000
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.too_large"]
    assert "压缩" in workbook.issues[0].message


def test_declared_total_size_bound(tmp_path, monkeypatch):
    path = write_summary_xlsx(tmp_path / "a.xlsx")
    monkeypatch.setattr(read, "MAX_UNCOMPRESSED_BYTES", 1000)
    assert issue_codes(read_cells(path)) == ["read.too_large"]


def test_file_size_bound(tmp_path, monkeypatch):
    path = write_xls(tmp_path / "a.xls")
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 100)
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.too_large"]
    assert "MB" in workbook.issues[0].message


def test_entity_expansion_sheet_refused_and_other_sheets_kept(tmp_path):
    good = _SHEET.format(rows='<row r="1"><c r="A1"><v>5</v></c></row>', tail="")
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            + _SHEET.format(rows='<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c>'
                                 "</row>", tail=""))
    path = write_minimal_xlsx(tmp_path / "实体.xlsx", [("好", good), ("坏", bomb)])
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.sheet_unreadable"]
    assert workbook.issues[0].sheet == "坏"
    assert workbook.cells[["sheet", "cell", "value"]].values.tolist() == [["好", "A1", 5.0]]
    assert [s.name for s in workbook.sheets] == ["好", "坏"]


def test_control_characters_and_long_cells_kept_as_written(tmp_path):
    path = tmp_path / "长.xlsx"
    book = openpyxl.Workbook()
    long_text = "长" * 32767
    book.active["A1"] = long_text
    book.active["A2"] = "a\tb\nc"
    book.save(path)
    cells = read_cells(path).cells
    assert cells["raw"].tolist() == [long_text, "a\tb\nc"]


def test_never_raises_on_random_zip_like_bytes(tmp_path):
    path = tmp_path / "随机.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.corrupt"]


# ---------------------------------------------------------------------------------------------
# junk
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "~$南昌市.xlsx", ".~lock.南昌市.xlsx#", "~WRL0001.tmp", "abc.TMP", ".DS_Store", ".隐藏.xlsx",
    "Thumbs.db", "desktop.ini", "README.md", "说明.txt", "readme",
])
def test_junk_names_have_a_reason(name):
    reason = is_junk(Path("data/raw/2023") / name)
    assert isinstance(reason, str) and reason


@pytest.mark.parametrize("name", ["南昌市.xlsx", "2023年赣州市报表(修订).xls", "上饶.ods", "报表"])
def test_returns_are_not_junk(name):
    assert is_junk(name) is None


def test_empty_cells_frame_has_contract_columns():
    frame = read.empty_cells()
    assert isinstance(frame, pd.DataFrame) and frame.empty
    assert list(frame.columns) == CELL_COLUMNS


def test_sheet_spanning_the_whole_grid_refused_before_loading(tmp_path):
    huge = _SHEET.format(rows='<row r="1"><c r="A1"><v>1</v></c></row>'
                              '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>', tail="")
    good = _SHEET.format(rows='<row r="2"><c r="B2"><v>9</v></c></row>', tail="")
    path = write_minimal_xlsx(tmp_path / "大.xlsx", [("大", huge), ("好", good)])
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.sheet_unreadable"]
    assert workbook.issues[0].sheet == "大"
    assert workbook.cells[["sheet", "cell"]].values.tolist() == [["好", "B2"]]


def test_ods_with_a_value_repeated_over_the_grid_refused(tmp_path):
    doc = OpenDocumentSpreadsheet()
    table = Table(name="炸弹")
    row = TableRow(numberrowsrepeated=1048576)
    cell = TableCell(valuetype="float", value="1", numbercolumnsrepeated=16384)
    row.addElement(cell)
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    path = tmp_path / "炸弹.ods"
    doc.save(str(path))
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.too_large"]
    assert "炸弹" in workbook.issues[0].message


def test_workbook_columns_and_cells_are_the_same_table(tmp_path):
    workbook = read_cells(write_summary_xlsx(tmp_path / "a.xlsx"))
    columns = workbook.columns
    assert len(columns) == len(CELL_COLUMNS)
    assert [list(c) for c in columns] == [workbook.cells[c].tolist() for c in CELL_COLUMNS]
    from_frame = read.Workbook(format="xlsx", sheets=workbook.sheets, cells=workbook.cells, issues=[])
    assert [list(c) for c in from_frame.columns] == [list(c) for c in columns]


def test_refused_workbook_has_empty_columns_and_cells(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"not a workbook at all")
    workbook = read_cells(path)
    assert workbook.columns == tuple([] for _ in CELL_COLUMNS)
    assert workbook.cells.empty and list(workbook.cells.columns) == CELL_COLUMNS


# ---------------------------------------------------------------------------------------------
# the shortcuts give what the full scans give
# ---------------------------------------------------------------------------------------------

_CONTENT = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>'
            "<office:spreadsheet>{tables}</office:spreadsheet></office:body>"
            "</office:document-content>")
_SPANS = ('<table:table table:name="甲"><table:table-row><table:table-cell/>'
          '<table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2">'
          "<text:p>spanned</text:p></table:table-cell><table:covered-table-cell/></table:table-row>"
          "<table:table-header-rows><table:table-row/></table:table-header-rows>"
          "<table:table-row><table:covered-table-cell/><table:table-cell/>"
          "<table:table-cell table:number-rows-spanned='3'/></table:table-row></table:table>"
          '<table:table table:name="乙"><table:table-row><table:table-cell>'
          '<table:table table:name="子"><table:table-row><table:table-cell '
          'table:number-columns-spanned="2"/></table:table-row></table:table></table:table-cell>'
          '<table:table-cell table:number-columns-spanned=" 3"/></table:table-row></table:table>')


@pytest.mark.parametrize("tables, countable", [
    (_SPANS, True),
    (_SPANS.replace("<table:table-cell/>", '<table:table-cell table:number-columns-repeated="2"/>'),
     False),
    ("<!-- <table:table-cell/> -->" + _SPANS, False),
    (_SPANS.replace('table:name="乙"', 'table:name="乙&amp;"'), True),  # counted path gives up
])
def test_ods_merges_by_counting_tags_are_those_of_the_streaming_scan(tables, countable):
    data = _CONTENT.format(tables=tables).encode()
    assert ods._ods_countable(data) is countable
    streamed = ods._ods_tables_streamed(data)
    merges_only = {name: {"merged": table["merged"]} for name, table in streamed.items()}
    assert ods.ods_tables(data) in (streamed, merges_only)


def test_ods_merges_by_counting_tags():
    tables = ods.ods_tables(_CONTENT.format(tables=_SPANS).encode())
    # as the streaming scan places them: after a sub-table its last position goes on
    assert tables == {"甲": {"merged": [(1, 2, 2, 3), (3, 3, 5, 3)]}, "乙": {"merged": []},
                      "子": {"merged": [(1, 1, 1, 2), (1, 2, 1, 4)]}}


def test_ods_bad_span_is_an_error_on_both_paths():
    data = _CONTENT.format(tables=_SPANS.replace('" 3"', '"x"')).encode()
    assert ods._ods_countable(data)
    with pytest.raises(ValueError):
        ods.ods_tables(data)
    with pytest.raises(ValueError):
        ods._ods_tables_streamed(data)


@pytest.mark.parametrize("refs, far", [
    ('<c r="A1"/><c r="ZZ9999"/><c r = \'B2\'/>', False),
    ('<c r="A1"/><c r="AAA1"/>', True),
    ('<c r="A1"/><c r="$B$10000"/>', True),
    ('<c r="A1"/><c r=\n"XFD1048576"/>', True),
    ('<c r="ABCD1"/>', False),  # not an address the used-area scan reads
])
def test_far_address_pre_check(refs, far):
    data = refs.encode()
    assert ooxml._far_cell_ref(data) is far
    if not far:
        assert ooxml._xlsx_used_area(data) <= ooxml._NEAR_REFS_AREA


def test_zip_members_read_from_memory_as_zipfile_reads_them(tmp_path):
    path = write_summary_xlsx(tmp_path / "a.xlsx")
    data = path.read_bytes()
    with zipfile.ZipFile(path) as plain:
        archive = sniff.ZipInMemory(data)
        assert all(archive.read(name) == plain.read(name) for name in plain.namelist())
        info = plain.getinfo("xl/workbook.xml")
    damaged = bytearray(data)
    damaged[info.header_offset + 30 + len(info.filename) + 2] ^= 0xFF  # inside the deflate data
    with pytest.raises(Exception) as expected:
        zipfile.ZipFile(io.BytesIO(bytes(damaged))).read("xl/workbook.xml")
    with pytest.raises(expected.type):
        sniff.ZipInMemory(bytes(damaged)).read("xl/workbook.xml")


def test_damaged_deflate_data_in_the_content_types_part_is_a_corrupt_file(tmp_path):
    """A deflate stream that zlib rejects (not a CRC mismatch) must still be read.corrupt, not raise."""
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    good = write_minimal_xlsx(tmp_path / "good.xlsx", [("S1", sheet)])
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("[Content_Types].xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start] = 0xFF  # deflate block type 3: "invalid block type"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    workbook = read.read_cells(bad)
    assert [i.code for i in workbook.issues] == ["read.corrupt"] and workbook.cells.empty


# ---------------------------------------------------------------------------------------------
# files from the wild (issue 13): the engine's panic, the formula scan's cost
# ---------------------------------------------------------------------------------------------


def xls_with_truncated_directory(path: Path) -> Path:
    """An .xls (xlwt) cut one byte into the third directory entry: the ``Workbook`` entry is
    whole, so it sniffs as xls, and the engine panics on the 1-byte directory chunk
    (``range end index 64 out of range for slice of length 1``, as on POI's fuzzed
    ``clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls``)."""
    book = xlwt.Workbook()
    book.add_sheet("汇总表").write(0, 0, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    directory = (int.from_bytes(data[0x30:0x34], "little") + 1) * 512
    assert directory + 512 == len(data)  # the directory is the file's last sector
    path.write_bytes(data[:directory + 2 * 128 + 1])
    return path


def test_engine_panic_is_a_corrupt_file_and_prints_nothing(tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    path = xls_with_truncated_directory(tmp_path / "截断.xls")
    assert detect_format(path) == "xls"
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.corrupt"]
    assert workbook.issues[0].message == (
        "文件“截断.xls”已损坏或不完整（Excel 97-2003 工作簿），无法读取。"
        "请用 Excel 或 WPS 打开确认无误后重新保存，再重新报送（邮件附件可能未完整下载）。")
    out, err = capfd.readouterr()
    assert "panicked" not in err and "backtrace" not in err and out == ""
    # standard error works again afterwards
    print("后来的输出", file=sys.stderr, flush=True)
    assert "后来的输出" in capfd.readouterr().err


def test_engine_failure_excludes_interrupts():
    assert read.is_engine_failure(ValueError("x"))
    assert read.is_engine_failure(BaseException("a panic is a BaseException"))
    assert not read.is_engine_failure(KeyboardInterrupt())
    assert not read.is_engine_failure(SystemExit(1))


class CountingBytes(bytes):
    """Bytes that count how many bytes their ``find``/``rfind`` calls examine: a forward search
    looks from its start to the end of the match (or its window's end), a backward one from
    its window's end back to the match (or its window's start)."""

    examined = 0

    def find(self, sub, start=0, end=None):
        end = len(self) if end is None else end
        found = super().find(sub, start, end)
        CountingBytes.examined += (found + len(sub) if found != -1 else end) - start
        return found

    def rfind(self, sub, start=0, end=None):
        end = len(self) if end is None else end
        found = super().rfind(sub, start, end)
        CountingBytes.examined += end - (found if found != -1 else start)
        return found


def formula_sheet(formulas: int) -> bytes:
    """A sheet part with ``formulas`` cells, each a formula; every 7th has no cached value."""
    cells = []
    for i in range(1, formulas + 1):
        value = "" if i % 7 == 0 else f"<v>{i}</v>"
        cells.append(f'<row r="{i}"><c r="B{i}"><f>A{i}*2</f>{value}</c></row>')
    return _SHEET.format(rows="".join(cells), tail="").encode()


def test_formula_scan_work_grows_linearly_with_the_formulas():
    """Counted, not timed: the bytes the scan's searches examine, for 10k to 80k formulas.

    Searching back from each formula to the start of the part (the old scan) examined about
    n²/2 · 40 bytes: 80k formulas ≈ 1.3e11 bytes, a minute. Linear means each byte is examined
    a bounded number of times: at most 3 × the part's size here (one backward and one forward
    search per formula over disjoint windows), so the work per byte of the part stays the same
    as the formulas grow 8× (quadratic: it would grow 8×)."""
    per_byte = {}
    for n in (10_000, 20_000, 40_000, 80_000):
        data = CountingBytes(formula_sheet(n))
        CountingBytes.examined = 0
        uncached = ooxml._uncached_by_pattern(data)
        assert uncached == {(i, 2) for i in range(7, n + 1, 7)}
        assert CountingBytes.examined <= 3 * len(data)
        per_byte[n] = CountingBytes.examined / len(data)
    assert 0.9 <= per_byte[80_000] / per_byte[10_000] <= 1.1


@pytest.mark.parametrize("part, expected", [
    (b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', False),
    # a data validation's <formula1> is not a formula element, wherever it comes
    (b'<sheetData/><dataValidations><dataValidation><formula1>0</formula1>'
     b'</dataValidation></dataValidations>', False),
    (b'<dataValidation><formula1>0</formula1></dataValidation><c r="B2"><f>A1*2</f></c>', True),
    (b'<c r="B2"><f t="shared" ref="B2:B9" si="0">A2</f></c>', True),
    (b'<c r="B3"><f t="shared" si="0"/></c>', True),
    (b'<x:c r="B2"><x:f>A1*2</x:f></x:c>', True),
    (b'<x:c r="B2"><x:formula1>0</x:formula1></x:c>', False),
    (b'<c r="A1"><v>1</v></c><f', False),  # cut at the end of the part: no element
])
def test_formula_elements_are_told_from_other_f_tags(part, expected):
    assert ooxml._has_formula(part) is expected


@pytest.mark.parametrize("part, expected", [
    (b'<c r="A1" t="n"><v>1</v></c>', False),
    (b'<c r="A1" t="e"><v>#DIV/0!</v></c>', True),
    (b"<c r='A1' t='e'><v>#N/A</v></c>", True),
    (b"<c r='A1' t='n'><v>1</v></c><c r='A2' t='s'><v>0</v></c>", False),  # quotes, no 'e'
])
def test_error_cells_found_with_either_quote(part, expected):
    assert ooxml._has_error_cell(part) is expected


def test_ole_entry_names_compare_without_case_at_entry_positions_only():
    """Names in any case count at a 128-byte directory position with their length and type;
    the same bytes elsewhere (or with another length) do not."""
    def entry(name: str, length: int | None = None, kind: int = 2) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        size = len(encoded) if length is None else length
        return encoded.ljust(64, b"\x00") + size.to_bytes(2, "little") + bytes([kind]) + bytes(61)

    assert sniff._ole_entry_names(bytes(512) + entry("bOoK")) == {"book"}
    assert sniff._ole_entry_names(bytes(512) + entry("WordDocument")) == {"worddocument"}
    assert sniff._ole_entry_names(bytes(520) + entry("Workbook")) == set()  # not aligned
    assert sniff._ole_entry_names(bytes(512) + entry("Workbook", length=4)) == set()
    assert sniff._ole_entry_names(bytes(512) + entry("Workbook", kind=5)) == set()  # root


def test_two_formula_elements_in_one_cell_fall_back_to_expat():
    data = _SHEET.format(rows='<row r="1"><c r="A1"><f>1</f><f>2</f></c></row>', tail="").encode()
    assert ooxml._uncached_by_pattern(data) is None


# ---------------------------------------------------------------------------------------------
# files from the wild (issue 13): the right diagnosis for each kind of file
# ---------------------------------------------------------------------------------------------

ENCRYPTED_MESSAGE = "文件“{}”设置了打开密码（已加密），无法读取。请取消工作簿密码后重新报送。"


def xls_bytes(cells: dict[tuple[int, int], object] | None = None, errors=None) -> bytes:
    """An .xls (xlwt, one sheet 汇总表): ``cells`` 0-based (row, col) -> value, ``errors``
    0-based (row, col) -> BIFF error code, written as BOOLERR records (xlwt's own table of
    error texts lacks #N/A and writes #VALUE! as #NUM!, so codes are given)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("汇总表")
    for (r, c), value in (cells or {(0, 0): "指标", (0, 1): 12}).items():
        sheet.write(r, c, value)
    for (r, c), text in (errors or {}).items():
        sheet.row(r).set_cell_error(c, text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_filepass(data: bytes, encryption_type: int) -> bytes:
    """The .xls ``data`` with its WRITEACCESS record (xlwt writes 112 bytes of it right after
    the workbook's BOF) turned into a FILEPASS record of the same length: the file says it has
    a password to open, RC4 (``encryption_type`` 1) or XOR obfuscation (0). The container is
    unchanged."""
    header = b"\x5c\x00\x70\x00"
    at = data.index(header)
    body = encryption_type.to_bytes(2, "little") + bytes(110)
    return data[:at] + b"\x2f\x00\x70\x00" + body + data[at + 4 + 112:]


@pytest.mark.parametrize("encryption_type", [1, 0], ids=["rc4", "xor"])
def test_password_protected_xls_is_encrypted_not_corrupt(tmp_path, encryption_type):
    path = tmp_path / "加密.xls"
    path.write_bytes(with_filepass(xls_bytes(), encryption_type))
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.encrypted"]
    assert workbook.issues[0].message == ENCRYPTED_MESSAGE.format("加密.xls")
    assert workbook.format == "encrypted"


def test_password_protected_ods_is_encrypted_not_corrupt(tmp_path):
    plain = write_ods(tmp_path / "plain.ods")
    path = tmp_path / "加密.ods"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "content.xml":
                data = bytes(range(256)) * 8  # what an encrypted part looks like: no XML
            elif info.filename == "META-INF/manifest.xml":
                data = re.sub(
                    rb'(<manifest:file-entry [^>]*manifest:full-path="content.xml"[^>]*)/>',
                    rb'\1><manifest:encryption-data manifest:checksum-type="SHA1/1K" '
                    rb'manifest:checksum="x"/></manifest:file-entry>', data)
                assert b"encryption-data" in data
            dst.writestr(info, data)
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.encrypted"]
    assert workbook.issues[0].message == ENCRYPTED_MESSAGE.format("加密.ods")


def test_damaged_xls_without_password_stays_corrupt(tmp_path):
    data = xls_bytes()
    at = data.index(b"\x5c\x00\x70\x00")
    path = tmp_path / "坏.xls"
    path.write_bytes(data[:at] + b"\xff" * 64 + data[at + 64:])  # records garbled, no FILEPASS
    assert issue_codes(read_cells(path)) == ["read.corrupt"]


_MACRO_TYPE = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
_SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         "{}</Relationships>")
_BOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         "<sheets>{}</sheets></workbook>")
_ROOT_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def ooxml_package(path: Path, book: str, sheets: list[tuple[str, str, str, str]],
                  separator: str = "/") -> Path:
    """An xlsx whose workbook part is ``book`` (e.g. ``xl/workbook.xml``), found through
    ``_rels/.rels``; ``sheets``: (name, relationship type, part relative to the workbook's
    folder, XML). ``separator`` joins the folders of the member names (``\\`` as some writers
    do)."""
    folder, _, base = book.rpartition("/")
    entries = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, (name, _kind, _part, _xml) in enumerate(sheets, 1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{part}"/>'
                   for i, (_name, kind, part, _xml) in enumerate(sheets, 1))
    members = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{book}" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>'),
        "_rels/.rels": _RELS.format(
            f'<Relationship Id="rId1" Type="{_ROOT_TYPE}" Target="{book}"/>'),
        book: _BOOK.format(entries),
        f"{folder}/_rels/{base}.rels".lstrip("/"): _RELS.format(rels),
    }
    for _name, _kind, part, xml in sheets:
        members[f"{folder}/{part}".lstrip("/")] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name.replace("/", separator), text)
    return path


def test_excel4_macro_sheet_skipped_and_the_worksheets_read(tmp_path):
    macro = _SHEET.format(rows='<row r="1"><c r="A1" t="str"><f>HALT()</f><v>x</v></c></row>',
                          tail="").replace("worksheet", "xm:macrosheet")
    data = _SHEET.format(rows='<row r="2"><c r="B2"><v>310</v></c></row>', tail="")
    path = ooxml_package(tmp_path / "宏表.xlsm", "xl/workbook.xml", [
        ("Macro1", _MACRO_TYPE, "macrosheets/sheet1.xml", macro),
        ("汇总表", _SHEET_TYPE, "worksheets/sheet1.xml", data)])
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.macro_sheets_ignored"]
    assert workbook.issues[0].severity == "warning"
    assert workbook.issues[0].message == (
        "文件“宏表.xlsm”含有 Excel 4.0 宏表 “Macro1”。宏没有运行，宏表未读取；其余工作表照常读取。"
        "请确认数值无误；今后请另存为不含宏的 .xlsx 报送。")
    assert [(s.name, s.index) for s in workbook.sheets] == [("汇总表", 1)]
    assert workbook.cells[["sheet", "cell", "raw"]].values.tolist() == [["汇总表", "B2", "310"]]


@pytest.mark.parametrize("book, separator", [
    ("workbook.xml", "/"),             # at the package root (calamine's minimal_package.xlsx)
    ("wtf/workbook.xml", "/"),         # another folder (SheetJS's wtf_path.xlsx)
    ("xl/workbook.xml", "\\"),        # backslashes in member names (calamine's issue_530.xlsx)
], ids=["root", "other-folder", "backslashes"])
def test_workbook_part_found_through_the_package_relationships(tmp_path, book, separator):
    data = _SHEET.format(rows='<row r="3"><c r="C3"><v>42</v></c></row>', tail="")
    path = ooxml_package(tmp_path / "报表.xlsx", book,
                         [("汇总表", _SHEET_TYPE, "worksheets/sheet1.xml", data)], separator)
    assert detect_format(path) == "xlsx"
    workbook = read_cells(path)
    assert workbook.issues == []
    assert workbook.cells[["sheet", "cell", "value"]].values.tolist() == [["汇总表", "C3", 42]]


def test_docx_found_through_the_package_relationships_is_not_a_workbook(tmp_path):
    path = tmp_path / "报告.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_rels/.rels", _RELS.format(
            f'<Relationship Id="rId1" Type="{_ROOT_TYPE}" Target="doc/main.xml"/>'))
        archive.writestr("doc/main.xml", '<w:document xmlns:w="urn:w"><w:body/></w:document>')
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.not_spreadsheet"]
    assert "zip 压缩包" in workbook.issues[0].message


def test_capitalised_workbook_stream_is_an_xls(tmp_path):
    data = xls_bytes()
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) == 1
    path = tmp_path / "大写.xls"
    path.write_bytes(data.replace(name, "WORKBOOK".encode("utf-16-le")))
    assert detect_format(path) == "xls"
    workbook = read_cells(path)
    assert workbook.issues == []
    assert workbook.cells[["cell", "raw"]].values.tolist() == [["A1", "指标"], ["B1", "12"]]


def test_empty_formatted_cells_far_away_do_not_count_in_the_area(tmp_path):
    """As calamine's issue_174.xlsx: 22 values near A1 and formatted empty cells down to row
    1,048,576 (formatting whole columns leaves them): the values are read, nothing refused."""
    rows = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>文本</t></is></c></row>'
            '<row r="2"><c r="A2" s="1"><f>A1*2</f><v>2</v></c></row>'
            '<row r="1048576"><c r="XFD1048576" s="1"/><c r="A1048576" s="2"></c></row>')
    path = write_minimal_xlsx(tmp_path / "格式.xlsx", [("表", _SHEET.format(rows=rows, tail=""))])
    workbook = read_cells(path)
    assert workbook.issues == []
    assert workbook.cells[["cell", "raw"]].values.tolist() == [["A1", "1"], ["B1", "文本"],
                                                               ["A2", "2"]]


def test_a_far_cell_with_a_value_is_still_refused(tmp_path):
    rows = ('<row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="1048576"><c r="XFD1048576" s="1"><v>2</v></c></row>')
    path = write_minimal_xlsx(tmp_path / "远.xlsx", [("表", _SHEET.format(rows=rows, tail=""))])
    assert issue_codes(read_cells(path)) == ["read.sheet_unreadable"]


OLD_EXCEL_MESSAGE = ("文件“旧.xls”是旧版 Excel 文件（{} 格式，1987–1993 年的版本），本系统不读取这种格式。"
                     "请用 Excel 或 WPS 打开后另存为 .xlsx（Excel 工作簿）再重新报送。"
                     "可接受的格式：.xlsx、.xlsm、.xls、.ods。")


@pytest.mark.parametrize("head, version", [
    (b"\x09\x00\x04\x00\x00\x00\x10\x00", "Excel 2.x"),    # BIFF2 BOF: worksheet
    (b"\x09\x02\x06\x00\x00\x00\x10\x00\x00\x00", "Excel 3.0"),
    (b"\x09\x04\x06\x00\x00\x00\x10\x00\x00\x00", "Excel 4.0"),
])
def test_excel_2_to_4_files_are_an_old_format_to_resave(tmp_path, head, version):
    path = tmp_path / "旧.xls"
    path.write_bytes(head + b"\x0a\x00\x00\x00")  # BOF, EOF
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.unsupported_format"]
    assert workbook.issues[0].message == OLD_EXCEL_MESSAGE.format(version)
    assert detect_format(path) is None


def test_xlsb_is_an_excel_binary_workbook_to_resave(tmp_path):
    path = tmp_path / "二进制.xlsb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.unsupported_format"]
    message = workbook.issues[0].message
    assert not message.startswith("不是电子表格") and "不是电子表格" not in message
    assert message == ("文件“二进制.xlsb”是Excel 二进制工作簿（.xlsb），本系统不读取这种格式。"
                       "请用 Excel 或 WPS 打开后另存为 .xlsx（Excel 工作簿）再重新报送。"
                       "可接受的格式：.xlsx、.xlsm、.xls、.ods。")


def test_xlsx_error_cells_are_kept_with_what_excel_shows(tmp_path):
    rows = ('<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c>'
            '<c r="B1" t="e"><f>Z9</f><v>#REF!</v></c><c r="C1" t="e"><v>#N/A</v></c>'
            '<c r="D1" t="e"><v>#VALUE!</v></c><c r="E1"><v>5</v></c></row>')
    path = write_minimal_xlsx(tmp_path / "错误.xlsx", [("表", _SHEET.format(rows=rows, tail=""))])
    workbook = read_cells(path)
    assert workbook.issues == []
    cells = workbook.cells
    assert cells[["cell", "value", "raw", "formula_uncached"]].values.tolist() == [
        ["A1", "#DIV/0!", "#DIV/0!", False], ["B1", "#REF!", "#REF!", False],
        ["C1", "#N/A", "#N/A", False], ["D1", "#VALUE!", "#VALUE!", False],
        ["E1", 5, "5", False]]


def test_xls_error_cells_are_kept_with_what_excel_shows(tmp_path):
    path = tmp_path / "错误.xls"
    path.write_bytes(xls_bytes({(0, 0): "指标", (1, 2): 7},
                               errors={(1, 0): 0x07, (1, 1): 0x2A, (2, 0): 0x17, (2, 1): 0x0F}))
    workbook = read_cells(path)
    assert workbook.issues == []
    assert workbook.cells[["cell", "raw"]].values.tolist() == [
        ["A1", "指标"], ["A2", "#DIV/0!"], ["B2", "#N/A"], ["C2", "7"], ["A3", "#REF!"],
        ["B3", "#VALUE!"]]


def test_workbook_of_error_cells_only_is_not_empty(tmp_path):
    """calamine's errors.xlsx was "所有工作表都是空的": its seven cells are all errors."""
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="e"><v>{text}</v></c></row>'
                   for i, text in enumerate(["#DIV/0!", "#NAME?", "#VALUE!"], 1))
    path = write_minimal_xlsx(tmp_path / "全是错误.xlsx", [("表", _SHEET.format(rows=rows, tail=""))])
    workbook = read_cells(path)
    assert "read.empty" not in issue_codes(workbook)
    assert workbook.cells["raw"].tolist() == ["#DIV/0!", "#NAME?", "#VALUE!"]


def test_an_error_cell_in_a_return_is_named_by_the_ingest(tmp_path):
    """The value cell F6 holds #DIV/0! (openpyxl stores an error code as an error cell): the
    reader keeps it and the ingest names F6 in an issue (the cleaner's wording is its own)."""
    path = write_xlsx(tmp_path / "2023年度_南昌市.xlsx", {"汇总表": return_rows("南昌市", first="#DIV/0!")})
    with zipfile.ZipFile(path) as archive:
        assert b't="e"' in archive.read("xl/worksheets/sheet1.xml")
    cells = read_cells(path).cells
    assert cells.loc[cells["cell"] == "F6", "raw"].tolist() == ["#DIV/0!"]
    result = read_return(path, tmp_path)
    named = [i for i in result.issues if i.cell == "F6"]
    assert named and named[0].severity == "error"
    assert ("fundraising.total", "F7") in {(v, c) for v, c in zip(result.columns["indicator"],
                                                                  result.columns["cell"])}


def test_engine_panic_in_the_process_pool_costs_only_that_file(tmp_path):
    """Read by two worker processes (what the ingest does from 50 files on; ``jobs=2`` asks
    for them with four): the panicking .xls is read.corrupt, the three good returns are read
    (a PanicException escaping a worker cannot be pickled and ended the whole run with
    ``PicklingError``)."""
    from jrc_analysis.returns.ingest import load_returns
    folder = tmp_path / "2023"
    folder.mkdir()
    good = write_xlsx(folder / "good.xlsx", {"汇总表": return_rows("南昌市")})
    for i in range(2):
        shutil.copyfile(good, folder / f"good{i}.xlsx")
    xls_with_truncated_directory(folder / "截断.xls")
    result = load_returns(tmp_path, jobs=2)
    assert len(result.accounting) == 4
    broken = [i for i in result.issues if i.source_file == "2023/截断.xls"]
    assert [i.code for i in broken] == ["read.corrupt"]
    read_files = set(result.accounting.loc[result.accounting["cells_read"] > 0, "source_file"])
    assert read_files == {"2023/good.xlsx", "2023/good0.xlsx", "2023/good1.xlsx"}


def test_shared_part_with_a_dtd_refused_wherever_the_workbook_sits(tmp_path):
    """The styles part beside a workbook found through ``_rels/.rels`` (here at the package
    root) is checked for a DTD like ``xl/styles.xml``."""
    data = _SHEET.format(rows='<row r="1"><c r="A1"><v>1</v></c></row>', tail="")
    path = ooxml_package(tmp_path / "根.xlsx", "workbook.xml",
                         [("表", _SHEET_TYPE, "worksheets/sheet1.xml", data)])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("styles.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><styleSheet/>')
    workbook = read_cells(path)
    assert issue_codes(workbook) == ["read.corrupt"]
    assert "DTD" in workbook.issues[0].message

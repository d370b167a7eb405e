"""A bad-input corpus, built on demand by the tests (no committed binaries).

Each builder writes one file into a folder and returns its path. :data:`CORPUS` lists them with
the issue codes the file must get; :func:`good_return` writes the well-formed return whose values
(:data:`GOOD_VALUES`, worked out by hand from its rows) must survive next to any of them.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

from conftest import summary_rows, write_xlsx
from jrc_analysis.returns import read

GOOD_NAME = "2023年度_南昌市_目标任务完成情况表.xlsx"
# the good return's two rows: 新增基层组织 310 个 (F6) and 筹集款物合计 "1,234" 元 (F7)
GOOD_VALUES = {("grassroots.new_orgs", "F6"): 310.0, ("fundraising.total", "F7"): 1234.0}


def title(unit: str) -> str:
    return f"2023年度{unit}红十字会深化改革创新三年行动目标任务完成情况表"


def return_rows(unit: str, first=310, second="1,234", note=None) -> list[list[object]]:
    """The template's summary layout (header row 5, data rows 6 and 7) for ``unit``."""
    return summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", "≥300", first, note],
        [2, "fundraising.total", "筹集款物合计", "元", "≥200000000", second, None],
    ], title=title(unit), unit=f"{unit}红十字会")


def good_return(folder: Path, name: str = GOOD_NAME) -> Path:
    return write_xlsx(folder / name, {"汇总表": return_rows("南昌市")})


# --------------------------------------------------------------------------------------------
# low-level builders
# --------------------------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
)
SHEET_XML = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             "<sheetData>{rows}</sheetData></worksheet>")


def minimal_xlsx(path: Path, sheets: list[tuple[str, str]]) -> Path:
    """A hand-written xlsx: (sheet name, sheet XML) pairs, nothing else."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    book = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, (name, _) in enumerate(sheets, 1))
            + "</sheets></workbook>")
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                      f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(sheets) + 1))
            + "</Relationships>")
    root = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT.format(overrides=overrides))
        archive.writestr("_rels/.rels", root)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, (_, xml) in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return path


def inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def fake_cfb(names: list[str]) -> bytes:
    """A minimal OLE2 compound-file image: header, then one directory sector with these streams."""
    header = read.OLE_MAGIC + bytes(512 - len(read.OLE_MAGIC))
    entries = b""
    for i, name in enumerate(["Root Entry", *names]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry = encoded.ljust(64, b"\x00") + len(encoded).to_bytes(2, "little")
        entries += (entry + bytes([5 if i == 0 else 2])).ljust(128, b"\x00")
    return header + entries.ljust(512, b"\x00")


def rezip(src: Path, target: Path, extra: dict[str, bytes], replace: dict[bytes, bytes] | None = None) -> Path:
    """Copy the zip ``src`` to ``target`` with extra members (and byte replacements in every member)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            for before, after in (replace or {}).items():
                data = data.replace(before, after)
            new.writestr(info, data)
        for name, data in extra.items():
            new.writestr(name, data)
    return target


# --------------------------------------------------------------------------------------------
# the corpus: one builder per hostile or broken case
# --------------------------------------------------------------------------------------------

def truncated_zip(folder: Path) -> Path:
    full = write_xlsx(folder / "tmp_full.bin", {"汇总表": return_rows("九江市")})
    data = full.read_bytes()
    full.unlink()
    path = folder / "截断的报表.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_zip(folder: Path) -> Path:
    """A valid zip directory whose sheet member is deflate garbage (CRC and stream broken)."""
    path = folder / "损坏的报表.xlsx"
    minimal_xlsx(path, [("汇总表", SHEET_XML.format(rows='<row r="1"><c r="A1"><v>1</v></c></row>'))])
    data = bytearray(path.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[at:at + 30] = bytes((b ^ 0xFF) for b in data[at:at + 30])
    path.write_bytes(bytes(data))
    return path


def encrypted(folder: Path) -> Path:
    path = folder / "加密的报表.xlsx"
    path.write_bytes(fake_cfb(["EncryptionInfo", "EncryptedPackage"]))
    return path


def zip_bomb(folder: Path) -> Path:
    """Under 100 KB on disk, 30 MB of zeros inside (ratio ~1000:1, over the 200:1 bound)."""
    path = folder / "压缩炸弹.xlsx"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(30):
                member.write(chunk)
    return path


def entity_expansion(folder: Path) -> Path:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            + SHEET_XML.format(rows='<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'))
    return minimal_xlsx(folder / "实体扩展.xlsx", [("汇总表", bomb)])


def far_cells(folder: Path, name: str, refs: list[str], unit: str) -> Path:
    """A good return for ``unit`` plus a sheet ``备用`` with the number 5 at each of ``refs``."""
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "汇总表"
    for r, row in enumerate(return_rows(unit), start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                summary.cell(row=r, column=c, value=value)
    spare = book.create_sheet("备用")
    for ref in refs:
        spare[ref] = 5
    path = folder / name
    book.save(path)
    return path


def million_rows(folder: Path) -> Path:
    return far_cells(folder, "百万行.xlsx", ["A1048576"], "景德镇市")


def all_columns(folder: Path) -> Path:
    return far_cells(folder, "一万六千列.xlsx", ["XFD1"], "萍乡市")


def whole_grid(folder: Path) -> Path:
    return far_cells(folder, "整张表.xlsx", ["A1", "XFD1048576"], "新余市")


def formula_only(folder: Path) -> Path:
    """Every value a formula written by a script: no cached value anywhere."""
    return write_xlsx(folder / "只有公式.xlsx", {"汇总表": return_rows("鹰潭市", "=300+10", "=SUM(1,2)")})


def hidden_sheet_and_rows(folder: Path) -> Path:
    path = folder / "隐藏.xlsx"
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "汇总表"
    for r, row in enumerate(return_rows("赣州市"), start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                summary.cell(row=r, column=c, value=value)
    summary.row_dimensions[7].hidden = True
    secret = book.create_sheet("隐藏表")
    secret["A1"] = "旧数据"
    secret["B1"] = 999
    secret.sheet_state = "hidden"
    book.save(path)
    return path


def external_links(folder: Path) -> Path:
    src = write_xlsx(folder / "tmp_links.bin", {"汇总表": return_rows("吉安市")})
    link = (b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<externalBook><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>')
    path = rezip(src, folder / "外部链接.xlsx", {"xl/externalLinks/externalLink1.xml": link})
    src.unlink()
    return path


def macros(folder: Path) -> Path:
    src = write_xlsx(folder / "tmp_macro.bin", {"汇总表": return_rows("宜春市")})
    path = rezip(src, folder / "带宏.xlsm",
                 {"xl/vbaProject.bin": read.OLE_MAGIC + b"Sub AutoOpen(): Shell \"calc\": End Sub"},
                 {b"spreadsheetml.sheet.main+xml": b"sheet.macroEnabled.main+xml"})
    src.unlink()
    return path


LONG_TEXT = "长" * 32767


def control_characters(folder: Path) -> Path:
    """Control characters (OOXML ``_x0001_`` escapes), a 32,767-character cell, an indicator name
    and a value that look like formulas."""
    rows = "".join([
        '<row r="1">' + inline_cell("A1", title("上饶市")) + "</row>",
        '<row r="2">' + inline_cell("B2", "填报单位：") + inline_cell("C2", "上饶市红十字会") + "</row>",
        '<row r="5">' + "".join(inline_cell(f"{c}5", t) for c, t in zip(
            "ABCDEFG", ["序号", "指标代码", "指标名称", "单位", "2023年目标", "2023年完成数", "备注"])) + "</row>",
        '<row r="6">' + inline_cell("C6", "新增基层组织") + inline_cell("D6", "个")
        + inline_cell("F6", "3_x0001_10") + inline_cell("G6", "备注_x0007__x001B_") + "</row>",
        '<row r="7">' + inline_cell("C7", "=HYPERLINK(&quot;http://evil&quot;)") + inline_cell("F7", "@SUM(1)")
        + "</row>",
        '<row r="8">' + inline_cell("C8", LONG_TEXT) + inline_cell("F8", "+5") + "</row>",
    ])
    return minimal_xlsx(folder / "控制字符.xlsx", [("汇总表", SHEET_XML.format(rows=rows))])


def not_a_spreadsheet(folder: Path) -> Path:
    path = folder / "报表.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    return path


# name -> (builder, issue codes the file must get, at least)
CORPUS: dict[str, tuple[Callable[[Path], Path], set[str]]] = {
    "truncated": (truncated_zip, {"read.corrupt"}),
    "corrupt": (corrupt_zip, {"read.corrupt"}),
    "encrypted": (encrypted, {"read.encrypted"}),
    "zip_bomb": (zip_bomb, {"read.too_large"}),
    "entity_expansion": (entity_expansion, {"read.sheet_unreadable"}),
    "million_rows": (million_rows, {"clean.unread_sheet"}),
    "all_columns": (all_columns, {"clean.unread_sheet"}),
    "whole_grid": (whole_grid, {"read.sheet_unreadable"}),
    "formula_only": (formula_only, {"clean.formula_uncached"}),
    "hidden": (hidden_sheet_and_rows, {"clean.hidden_sheet", "read.hidden_rows"}),
    "external_links": (external_links, {"read.external_links"}),
    "macros": (macros, {"read.macros_ignored"}),
    "control_characters": (control_characters, {"clean.unmatched_indicator"}),
    "not_a_spreadsheet": (not_a_spreadsheet, {"read.not_spreadsheet"}),
}

ODD_NAMES = [
    " 南昌市 2023年 报表 .xlsx",
    "南昌市😀报表🎉.xlsx",
    "南" * 80 + ".xlsx",            # 240 bytes in UTF-8: near the 255-byte file-name limit
    "-rf 南昌市.xlsx",
    "..南昌市.xlsx",
    "南昌市..xlsx",
    "=HYPERLINK(1)南昌市.xlsx",
    "南昌市（修订）v2 [1].xlsx",
]


def build_corpus(folder: Path) -> dict[str, Path]:
    """Every corpus file in ``folder``; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: builder(folder) for name, (builder, _) in CORPUS.items()}


def junk_folder(folder: Path, count: int = 2000) -> None:
    """``count`` tiny files: lock files, temp files, notes, images and fake workbooks."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = [("~$报表{}.xlsx", b"lock"), ("临时{}.tmp", b""), ("说明{}.txt", "说明".encode()),
             ("图片{}.png", b"\x89PNG\r\n"), ("假报表{}.xlsx", b"<html>{}</html>"), (".隐藏{}", b"x")]
    for i in range(count):
        pattern, data = kinds[i % len(kinds)]
        (folder / pattern.format(i)).write_bytes(data)

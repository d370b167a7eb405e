"""Workbook -> cells: any accepted spreadsheet format into one table of non-empty cells.

Stage 1 of the pipeline (see ``docs/architecture.md``, section *Cells*). The format is detected
from the bytes, never from the extension; cells are read with python-calamine (macros are never
run: we only read stored values). Nothing here raises for a bad file: problems come back as
:class:`~jrc_analysis.issues.Issue` records on the returned :class:`Workbook`.

Safety bounds (refused *before* parsing, issue ``read.too_large``):

- the file itself larger than :data:`MAX_FILE_BYTES` (50 MB);
- a zip (xlsx/xlsm/ods) whose members declare more than :data:`MAX_UNCOMPRESSED_BYTES` (200 MB)
  in total, or a member over :data:`RATIO_CHECK_MIN_BYTES` (10 MB) compressed more than
  :data:`MAX_COMPRESSION_RATIO` (200:1) — the signature of a zip bomb;
- a sheet whose used rectangle (first to last used cell) exceeds :data:`MAX_SHEET_AREA` cells
  (the engine would allocate it densely): ``read.sheet_unreadable`` for that xlsx/xlsm sheet,
  ``read.too_large`` for an ods file (the engine loads all its tables at once).

XML parts containing a DTD (``<!DOCTYPE``: the vehicle of entity-expansion attacks) are refused;
our own XML scans use expat with DTD and entity declarations rejected. A panic of the Rust engine
(``pyo3_runtime.PanicException``, a BaseException) is a ``read.corrupt`` file like any failure of
the engine, and what the panic prints on standard error is discarded.

What the engine does not say is found in the file itself: error cells (``#DIV/0!`` …, read as
empty by the engine) from the sheet XML (xlsx) or the BIFF records (xls, through olefile); the
password record of an .xls (``read.encrypted``, not corrupt); Excel 4.0 macro sheets, which make
the engine refuse an .xlsm (they are hidden from it and skipped). ``.xlsb`` and Excel 2.x–4.0 files
are ``read.unsupported_format`` (re-save as .xlsx).

Notices (warnings on :attr:`Workbook.issues`; the cells are still read):

- ``read.macros_ignored``: an .xlsm holding macros (``xl/vbaProject.bin``) — macros are never run;
- ``read.macro_sheets_ignored``: Excel 4.0 macro sheets, named — never run, never read;
- ``read.external_links``: the workbook links to other workbooks (``xl/externalLinks/``) — the
  values cached in this file are used, the linked files are never opened;
- ``read.hidden_rows``: content in hidden rows of an xlsx/xlsm sheet is read like any other, and
  said so (hidden sheets are flagged on :class:`SheetInfo`; the cleaner warns about them).
"""
from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import io
import os
import re
import struct
import sys
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import numpy as np
import olefile
import pandas as pd
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from jrc_analysis.issues import Issue, error, warning

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024
# The engine holds a sheet as a dense rectangle from its first to its last used cell: one cell
# at A1 and one at XFD1048576 would need 17 billion slots. Sheets whose used rectangle exceeds
# this many cells are refused (read.sheet_unreadable) before the engine loads them.
MAX_SHEET_AREA = 20_000_000

ACCEPTED_FORMATS = ("xlsx", "xlsm", "xls", "ods")
ACCEPTED_TEXT = ".xlsx、.xlsm、.xls、.ods"
CELL_COLUMNS = ["sheet", "row", "col", "cell", "value", "raw", "formula_uncached"]

# pandas' default string dtype (``str`` in pandas 3, object before)
_STR = pd.Series([], dtype=str).dtype

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_DIR_ENTRY = 128

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_TABLE_DECLARATION = f'xmlns:table="{_NS_TABLE}"'.encode()
_TABLE_PREFIX_BINDING = re.compile(rb"xmlns:table\s*=")
_XML_DECLARATION = re.compile(rb"<\?xml\s[^<>]*?\?>")
_NOT_UTF8 = re.compile(rb"encoding\s*=\s*[\"'](?![Uu][Tt][Ff]-8[\"'])")
# in a well-formed part (no '<' in attribute values): a start tag, and each of its attributes
_XML_TAG = re.compile(rb"<([^\s/>]+)((?:\s+[^\s=]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
_XML_ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ODS_TABLE = re.compile(rb"<table:table[\s/>]")
_ODS_ROW = re.compile(rb"<table:table-row[\s/>]")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell[\s/>]")
_ODS_CELL_TAGS = (b"table:table-cell", b"table:covered-table-cell")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_FORMULA_HINT = re.compile(rb"<(?:\w+:)?f[\s>/]")
# ``r="B3"`` attributes: only cells carry an r with letters (rows have r="3"); other attributes
# ending in r with a letter value can only widen the estimate, never hide a far cell
_CELL_REFS = re.compile(rb"r\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
# an address as _CELL_REFS reads it, with three column letters or a row of 5+ digits
# (possessive: nothing to give back, as "=", quotes and "$" are neither spaces nor letters)
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
_CONTENT_CHILD = re.compile(rb"\s*<(?:\w+:)?(?:v|f|is)[\s>/]")
_FAR_CELL_REF = re.compile(
    rb"r\s*+=\s*+[\"']\$?+(?:[A-Za-z]{3}\$?[0-9]|[A-Za-z]{1,2}\$?[0-9]{5})")
# the largest used area spanned by addresses within ZZ9999 (rows 0..9999, columns A..ZZ)
_NEAR_REFS_AREA = 10_000 * 702
_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData[\s>/]")
_CELL_REF_ATTR = re.compile(rb"\sr=[\"']([^\"']+)[\"']")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*?hidden\s*=\s*[\"'](?:1|true)[\"'][^>]*>")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"']([0-9]{1,7})[\"']")
MAX_LISTED_ROWS = 10
# an error cell of an OOXML sheet: <c … t="e">
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_VALUE_ELEMENT = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>", re.DOTALL)


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of a workbook.

    ``index`` is the 0-based position in the workbook; ``hidden`` is True for hidden and
    very-hidden sheets; ``merged`` lists merged ranges as ``(first_row, first_col, last_row,
    last_col)``, 1-based and inclusive, sorted.
    """

    name: str
    index: int
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


class Workbook:
    """A workbook read into cells (the *Cells* contract in ``docs/architecture.md``).

    ``format`` is one of ``xlsx``, ``xlsm``, ``xls``, ``ods`` when the file could be read; for a
    refused file it is what was detected (``encrypted``, or one of the four for a corrupt or
    too-large workbook) or None (not a spreadsheet, unopenable, or over :data:`MAX_FILE_BYTES`).
    ``sheets`` lists worksheets only (chart sheets are skipped; ``index`` stays the position in
    the workbook). ``cells`` always has the columns
    :data:`CELL_COLUMNS` (see :func:`read_cells`); ``issues`` holds what went wrong.

    ``columns`` is the same table as seven plain lists in the order of :data:`CELL_COLUMNS` (what
    the reader builds and the cleaner uses); ``cells`` is built from them on first access. Either
    may be given to the constructor.
    """

    def __init__(self, format: str | None, sheets: list[SheetInfo],  # noqa: A002 - the contract's name
                 cells: pd.DataFrame | None = None, issues: list[Issue] | None = None,
                 columns: tuple[list, ...] | None = None) -> None:
        self.format = format
        self.sheets = sheets
        self.issues = issues if issues is not None else []
        self._cells = cells
        self._columns = columns if columns is not None or cells is not None else _empty_columns()

    @property
    def cells(self) -> pd.DataFrame:
        if self._cells is None:
            self._cells = _cells_frame(*self._columns)
        return self._cells

    @property
    def columns(self) -> tuple[list, ...]:
        if self._columns is None:
            self._columns = tuple(self._cells[c].tolist() for c in CELL_COLUMNS)
        return self._columns

    def __repr__(self) -> str:
        return (f"Workbook(format={self.format!r}, sheets={self.sheets!r}, "
                f"cells={len(self.columns[0])} rows, issues={self.issues!r})")


def _empty_columns() -> tuple[list, ...]:
    return tuple([] for _ in CELL_COLUMNS)


# --------------------------------------------------------------------------------------------
# Junk files and format detection
# --------------------------------------------------------------------------------------------

_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}
_NOTE_SUFFIXES = {".md", ".markdown", ".txt", ".rst"}


def is_junk(path: str | os.PathLike) -> str | None:
    """The reason (Chinese, for the skip note) why a file in the raw folder is not a return.

    Looks at the file name only (never opens the file): Excel/WPS lock files (``~$…``),
    LibreOffice lock files (``.~lock.…#``), temporary files (``~….tmp``, ``*.tmp``), hidden files
    (``.…``), ``Thumbs.db``/``desktop.ini``/``.DS_Store``, and README/markdown/text notes.
    Returns None for anything else, which should go to :func:`read_cells`.
    """
    name = Path(path).name
    lower = name.lower()
    if name.startswith("~$"):
        return "Excel/WPS 打开工作簿时生成的临时锁定文件（~$ 开头），不是报表"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "LibreOffice/WPS 打开工作簿时生成的锁定文件，不是报表"
    if lower.endswith(".tmp") or (name.startswith("~") and "tmp" in lower):
        return "临时文件（.tmp），不是报表"
    if lower in _SYSTEM_FILES:
        return f"操作系统生成的文件（{name}），不是报表"
    if name.startswith("."):
        return "隐藏文件（以 . 开头），不是报表"
    if Path(lower).suffix in _NOTE_SUFFIXES or lower.startswith("readme"):
        return "说明或文本文件，不是报表"
    return None


def detect_format(path: str | os.PathLike) -> str | None:
    """The spreadsheet format of ``path`` judged from its bytes, not its extension.

    ``xlsx`` / ``xlsm`` (a zip holding ``xl/workbook.xml``; ``xlsm`` when the content type is
    macro-enabled or ``xl/vbaProject.bin`` is present), ``xls`` (an OLE2 compound file with a
    ``Workbook`` or ``Book`` stream), ``ods`` (a zip whose ``mimetype`` is the OpenDocument
    spreadsheet type), ``encrypted`` (an OLE2 file holding ``EncryptionInfo`` /
    ``EncryptedPackage``: a password-protected xlsx), else None (including unreadable or
    truncated zips, and spreadsheets in a format we do not read: .xlsb, Excel 2.x–4.0). The
    workbook part of an xlsx may sit anywhere: it is found through ``_rels/.rels``; stream and
    member names are compared as Excel compares them (``WORKBOOK`` is ``Workbook``, ``xl\\``
    is ``xl/``). Never raises.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES and data.startswith(ZIP_MAGICS):
                data += handle.read()  # a zip's directory is at its end
    except OSError:
        return None
    fmt, _looks_like, archive = _sniff(data)
    if archive is not None:
        archive.close()
    return None if fmt == UNSUPPORTED else fmt


# _sniff's format for a spreadsheet in a format that is not read (.xlsb, Excel 2.x–4.0)
UNSUPPORTED = "unsupported"


def _sniff(data: bytes) -> tuple[str | None, str, zipfile.ZipFile | None]:
    """``(format, what the file looks like in Chinese, the open zip)`` of a file's bytes.

    Format as in :func:`detect_format`; ``"corrupt"`` marks a zip or OLE2 file whose structure
    cannot be read, :data:`UNSUPPORTED` a spreadsheet in a format that is not read. The
    description is used for the ``read.not_spreadsheet``, ``read.unsupported_format`` and
    ``read.corrupt`` messages. The zip is returned open (for the caller to close) when the format is one of
    :data:`_ZIP_FORMATS`, else None: a workbook's zip is opened once.
    """
    if data.startswith(OLE_MAGIC):
        return (*_sniff_ole(data if len(data) <= MAX_FILE_BYTES else data[:MAX_FILE_BYTES + 1]),
                None)
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    old_excel = _old_excel(data[:8])
    if old_excel:
        return UNSUPPORTED, old_excel, None
    return None, _describe_head(data[:4096]), None


# BOF record types of the BIFF versions that stand alone, not in an OLE2 container
_OLD_BOF = {0x0009: "Excel 2.x", 0x0209: "Excel 3.0", 0x0409: "Excel 4.0", 0x0809: "Excel 5.0"}


def _old_excel(head: bytes) -> str | None:
    """What an Excel 2.x–4.0 file (a bare BIFF2–4 stream: a BOF record first, 4–16 bytes long,
    whose version word repeats the record type's high byte) looks like, in Chinese; else None."""
    if len(head) < 6:
        return None
    record, length = struct.unpack_from("<HH", head)
    if record not in _OLD_BOF or not 4 <= length <= 16:
        return None
    version = _OLD_BOF[record]
    if record == 0x0809 and head[4:6] not in (b"\x00\x05", b"\x00\x06"):
        return None
    if record == 0x0009 and head[5] != 0:  # BIFF2: the sheet type word (0x10 worksheet …)
        return None
    return f"旧版 Excel 文件（{version} 格式，1987–1993 年的版本）"


def _sniff_ole(data: bytes) -> tuple[str | None, str]:
    streams = _ole_entry_names(data)
    if {"encryptioninfo", "encryptedpackage"} & streams:
        return "encrypted", "加密的 Office 文件"
    if {"workbook", "book"} & streams:
        return "xls", "Excel 97-2003 工作簿"
    if "worddocument" in streams:
        return None, "Word 97-2003 文档（.doc）"
    if "powerpoint document" in streams:
        return None, "PowerPoint 97-2003 演示文稿（.ppt）"
    if len(data) < 512:
        return "corrupt", "不完整的 Office 97-2003 文件"
    return None, "Office 97-2003 复合文档（不是工作簿）"


def _ole_entry_names(data: bytes) -> set[str]:
    """Lower-cased names of the directory entries of an OLE2 compound file.

    Directory entries are 128-byte records aligned on 128 bytes (sectors are 512 or 4096 bytes
    after a header of the same alignment): UTF-16LE name (64 bytes), its length in bytes
    including the terminator (uint16 at 64), object type (byte 66: 1 storage, 2 stream, 5 root).
    We look for the few names we care about at aligned positions, which avoids parsing the FAT.
    Names compare without regard to case, as in the compound-file format (``WORKBOOK``, ``BOOK``).
    """
    found = set()
    for name, pattern in _OLE_NAMES.items():
        for match in pattern.finditer(data):
            start = match.start()
            if start % OLE_DIR_ENTRY == 0 and start + 67 <= len(data):
                length = int.from_bytes(data[start + 64:start + 66], "little")
                if length == match.end() - start and data[start + 66] in (1, 2):
                    found.add(name)
                    break
    return found


_OLE_NAMES = {name.lower(): re.compile(re.escape(name.encode("utf-16-le") + b"\x00\x00"),
                                       re.IGNORECASE)
              for name in ("Workbook", "Book", "EncryptionInfo", "EncryptedPackage",
                           "WordDocument", "PowerPoint Document")}


def _sniff_zip(data: bytes) -> tuple[str | None, str, zipfile.ZipFile | None]:
    try:
        archive = _ZipInMemory(data)
        fmt, looks_like = _zip_kind(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError,
            NotImplementedError, EOFError, zlib.error, expat.ExpatError, UnsafeXml):
        return "corrupt", "损坏或不完整的 zip/Excel 文件", None
    if fmt in _ZIP_FORMATS:
        return fmt, looks_like, archive
    archive.close()
    return fmt, looks_like, None


class _ZipInMemory(zipfile.ZipFile):
    """A zip opened on the bytes of a file, whose plain members are inflated straight from them.

    :meth:`read` returns what :meth:`zipfile.ZipFile.read` returns, without its per-member
    file machinery, for a member stored or deflated, not encrypted, whose local header names it
    and whose content has the declared size and CRC-32 (see :func:`_plain_member`); any other
    member is read by zipfile, which raises as it always did.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._data = data
        self._parts: dict[str, str] | None = None

    @property
    def parts(self) -> dict[str, str]:
        """Package part name -> member name: backslashes read as slashes, no leading slash
        (some writers store ``xl\\workbook.xml``, which Excel and the engine accept)."""
        if self._parts is None:
            self._parts = {_part_name(name): name for name in self.namelist()}
        return self._parts

    def read_part(self, part: str) -> bytes:
        """The content of package part ``part`` (KeyError when there is none)."""
        return self.read(self.parts[part])

    def read(self, name, pwd=None) -> bytes:
        """The content of member ``name``, as :meth:`zipfile.ZipFile.read` gives it."""
        content = _plain_member(self._data, self.getinfo(name))
        return content if content is not None else super().read(name, pwd)


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_ZIP_FLAGS_NOT_PLAIN = 0x1 | 0x20 | 0x40  # encrypted, compressed patch data, strong encryption
_ZIP_UTF8_NAME = 0x800


def _plain_member(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The content of a plain member of the zip ``data``, or None to let zipfile read it."""
    if (info.flag_bits & _ZIP_FLAGS_NOT_PLAIN
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)):
        return None
    start = info.header_offset
    header = data[start:start + _LOCAL_HEADER.size] if start >= 0 else b""
    if len(header) != _LOCAL_HEADER.size:
        return None
    magic, _version, _system, flags, _method, _time, _date, _crc, _csize, _size, name_length, \
        extra_length = _LOCAL_HEADER.unpack(header)
    name_start = start + _LOCAL_HEADER.size
    try:
        name = data[name_start:name_start + name_length].decode(
            "utf-8" if flags & _ZIP_UTF8_NAME else "cp437")
    except UnicodeDecodeError:
        return None
    if magic != b"PK\x03\x04" or name != info.orig_filename:
        return None
    content_start = name_start + name_length + extra_length
    content = data[content_start:content_start + info.compress_size]
    if len(content) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            content = zlib.decompress(content, -15)
        except zlib.error:
            return None
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        return None
    return content


def _part_name(member: str) -> str:
    """The package part name of a zip member name (``xl\\workbook.xml`` -> ``xl/workbook.xml``)."""
    return member.replace("\\", "/").lstrip("/")


def _zip_kind(archive: _ZipInMemory) -> tuple[str | None, str]:
    names = archive.parts
    if "mimetype" in names:
        mime = archive.read_part("mimetype")[:200].strip()
        if mime == ODS_MIMETYPE:
            return "ods", "OpenDocument 电子表格"
        return None, f"OpenDocument 文件（{mime.decode('ascii', 'replace')}，不是电子表格）"
    others = {"word/document.xml": "Word 文档（.docx）",
              "ppt/presentation.xml": "PowerPoint 演示文稿（.pptx）"}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        for part, looks_like in others.items():
            if part in names:
                return None, looks_like
    workbook = workbook_part(archive)
    if workbook is not None and workbook.endswith(".bin"):
        return UNSUPPORTED, "Excel 二进制工作簿（.xlsb）"
    if workbook is not None:
        return _ooxml_kind(archive, names), "Excel 工作簿"
    return None, "zip 压缩包"


def _ooxml_kind(archive: _ZipInMemory, names: dict[str, str]) -> str:
    if "xl/vbaProject.bin" in names:
        return "xlsm"
    try:
        types = archive.read_part("[Content_Types].xml")[:1_000_000]
    except KeyError:
        return "xlsx"
    return "xlsm" if b"macroEnabled" in types else "xlsx"


def workbook_part(archive: _ZipInMemory) -> str | None:
    """The package part holding the workbook of an OOXML zip: ``xl/workbook.xml`` (or
    ``xl/workbook.bin``, an .xlsb), else the target of the ``officeDocument`` relationship of
    ``_rels/.rels`` when that part exists and is a workbook (its root element ``<workbook>``);
    None for any other zip."""
    parts = archive.parts
    for usual in ("xl/workbook.xml", "xl/workbook.bin"):
        if usual in parts:
            return usual
    if "_rels/.rels" not in parts:
        return None
    for kind, target, _id in _relationships(archive.read_part("_rels/.rels"), "_rels/.rels"):
        if kind.endswith("/officeDocument"):
            part = _resolve_target("", target)
            if part in parts and _WORKBOOK_ROOT.search(archive.read_part(part)[:4096]):
                return part
    return None


# the root element of a SpreadsheetML workbook part (a .docx's main part is <w:document>)
_WORKBOOK_ROOT = re.compile(rb"<(?:\w+:)?workbook[\s>/]")


def _relationships(data: bytes, member: str) -> list[tuple[str, str, str]]:
    """``(Type, Target, Id)`` of each ``<Relationship>`` of a ``.rels`` part (DTD refused:
    :class:`UnsafeXml`; malformed XML: ``expat.ExpatError``)."""
    if _has_dtd(data):
        raise UnsafeXml(member)
    found: list[tuple[str, str, str]] = []

    def start(name: str, attrs: dict) -> None:
        if name.rsplit(" ", 1)[-1] == "Relationship":
            found.append((attrs.get("Type", ""), attrs.get("Target", ""), attrs.get("Id", "")))

    parser = _safe_parser()
    parser.StartElementHandler = start
    parser.Parse(data, True)
    return found


def _resolve_target(folder: str, target: str) -> str:
    """The part a relationship ``target`` names, seen from the part folder ``folder`` (``""``
    for the package root): an absolute target from the root, ``.`` and ``..`` resolved."""
    target = target.replace("\\", "/")
    base = [] if target.startswith("/") else [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece in _DOTS:
            continue
        if piece == "..":
            if base:
                base.pop()
        else:
            base.append(piece)
    return "/".join(base)


_MAGIC_DESCRIPTIONS = [
    (b"%PDF", "PDF 文件"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"{\\rtf", "RTF 文档"),
    (b"ID;P", "SYLK 文本表格"),
]


def _describe_head(head: bytes) -> str:
    """What a file that is neither zip nor OLE2 looks like, in Chinese (from its first 4 KB)."""
    if not head:
        return "空文件（0 字节）"
    for magic, description in _MAGIC_DESCRIPTIONS:
        if head.startswith(magic):
            return description
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        return "网页（HTML）文件，可能是系统导出的“伪 xls”"
    if lowered.startswith(b"<?xml"):
        return "XML 文件（可能是 Excel 2003 XML 表格）"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return "文本文件（如 CSV/TXT）"
        except UnicodeDecodeError:
            continue
    return "无法识别的二进制文件"


# --------------------------------------------------------------------------------------------
# Size bounds
# --------------------------------------------------------------------------------------------


def _size_problem(archive: zipfile.ZipFile | None, fmt: str) -> str | None:
    """A Chinese description of why a zip exceeds a declared-size bound, or None."""
    if fmt not in ("xlsx", "xlsm", "ods") or archive is None:
        return None
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return (f"解压后共 {total / 1024 / 1024:.0f} MB，超过上限 "
                f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB（疑似“压缩炸弹”）")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            return (f"其中 {info.filename} 的压缩比为 {ratio:.0f}:1，超过上限 "
                    f"{MAX_COMPRESSION_RATIO}:1（疑似“压缩炸弹”）")
    return None


# --------------------------------------------------------------------------------------------
# Values and addresses
# --------------------------------------------------------------------------------------------


def column_letters(col: int) -> str:
    """Excel column letters of a 1-based column number (1 -> ``A``, 28 -> ``AB``)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    """A1-style address of a 1-based ``(row, col)``: ``(3, 2)`` -> ``B3``."""
    return f"{column_letters(col)}{row}"


def parse_address(ref: str) -> tuple[int, int] | None:
    """1-based ``(row, col)`` of an A1-style address (``$B$3`` allowed), or None if malformed."""
    match = _CELL_REF.match(ref.strip())
    if not match:
        return None
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    return int(match.group(2)), col


def raw_text(value: object) -> str:
    """The cell as a person sees it: integral floats without ``.0`` (1234.0 -> ``1234``), other
    floats by ``repr`` (0.1 -> ``0.1``), booleans ``TRUE``/``FALSE``, dates ``2023-12-01``,
    datetimes ``2023-01-02 03:04:05``, strings unchanged."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _cell_value(value: object) -> object:
    """Calamine's value as the contract's value: dates become midnight datetimes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def empty_cells() -> pd.DataFrame:
    """An empty cells table with the contract's columns and dtypes (a fresh copy each call)."""
    return _EMPTY_CELLS.copy()


def _cells_frame(sheets, rows, cols, cells, values, raws, uncached) -> pd.DataFrame:
    """The cells DataFrame built once from plain lists (no per-cell pandas work)."""
    value_array = np.empty(len(values), dtype=object)
    value_array[:] = values
    return pd.DataFrame({
        "sheet": pd.array(sheets, dtype=_STR),
        "row": np.asarray(rows, dtype=np.int64),
        "col": np.asarray(cols, dtype=np.int64),
        "cell": pd.array(cells, dtype=_STR),
        "value": value_array,
        "raw": pd.array(raws, dtype=_STR),
        "formula_uncached": np.asarray(uncached, dtype=bool),
    })


_EMPTY_CELLS = _cells_frame([], [], [], [], [], [], [])


# --------------------------------------------------------------------------------------------
# Streaming XML scans (expat, DTDs refused)
# --------------------------------------------------------------------------------------------


class UnsafeXml(Exception):
    """An XML part declares a DTD or entities (refused: entity-expansion attacks)."""


class SheetTooLarge(Exception):
    """A sheet's used rectangle exceeds :data:`MAX_SHEET_AREA` cells."""


def _safe_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args) -> None:
        raise UnsafeXml("DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _has_dtd(data: bytes) -> bool:
    # a search for one byte is a memchr: "!" settles the usual part that has none
    return b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data)


def _scan_sheet_xml(data: bytes) -> tuple[set[tuple[int, int]], list[tuple[int, int, int, int]],
                                          dict[tuple[int, int], str]]:
    """Cells holding a formula without a cached value, merged ranges, and error cells (``t="e"``:
    their text, e.g. ``#DIV/0!``) of an OOXML sheet part.

    A formula is uncached when the ``<c>`` element has an ``<f>`` child and no ``<v>`` child or
    an empty one (as openpyxl writes ``=SUM(…)``). Cells without an ``r`` attribute follow the
    previous cell. Raises :class:`UnsafeXml` or ``expat.ExpatError``.
    """
    uncached: set[tuple[int, int]] = set()
    merged: list[tuple[int, int, int, int]] = []
    errors: dict[tuple[int, int], str] = {}
    state = {"row": 0, "col": 0, "f": False, "v": "", "in_v": False, "in_c": False, "e": False}

    def start(name: str, attrs: dict) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "row":
            state["row"] = int(attrs.get("r", state["row"] + 1))
            state["col"] = 0
        elif local == "c":
            ref = parse_address(attrs.get("r", "")) if "r" in attrs else None
            if ref:
                state["row"], state["col"] = ref
            else:
                state["col"] += 1
            state.update(f=False, v="", in_v=False, in_c=True, e=attrs.get("t") == "e")
        elif local == "f" and state["in_c"]:
            state["f"] = True
        elif local == "v" and state["in_c"]:
            state["in_v"] = True
        elif local == "mergeCell":
            box = _range_box(attrs.get("ref", ""))
            if box:
                merged.append(box)

    def end(name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "v":
            state["in_v"] = False
        elif local == "c":
            if state["f"] and not state["v"].strip():
                uncached.add((state["row"], state["col"]))
            elif state["e"] and state["v"].strip():
                errors[state["row"], state["col"]] = state["v"].strip()
            state["in_c"] = False

    def text(chunk: str) -> None:
        if state["in_v"]:
            state["v"] += chunk

    parser = _safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    return uncached, sorted(merged), errors


def _uncached_by_pattern(data: bytes) -> set[tuple[int, int]] | None:
    """Formula cells without a cached value, found from each ``<f`` occurrence: the enclosing
    ``<c …>…</c>`` element is located with ``rfind``/``find`` and checked for a non-empty
    ``<v>`` (fast: work only where formulas are; safe because parts with a DTD are refused
    first, so no entity can hide markup). None when a formula cell has no ``r`` address or
    the markup is unexpected (then :func:`_scan_sheet_xml` follows the rows with expat).

    Linear in the size of the part: the search back for a cell's start stops where the
    previous formula cell ended, so no byte is searched twice by the same search (searching
    back to the start of the part for each formula made 80,000 formulas cost a minute)."""
    prefix = _element_prefix(data)
    if prefix is None:
        return None
    opens = (b"<" + prefix + b"c ", b"<" + prefix + b"c>")
    close = b"</" + prefix + b"c>"
    uncached = set()
    done = 0  # where the last cell scanned ended: no search goes back before it
    for hint in _FORMULA_HINT.finditer(data):
        pos = hint.start()
        if pos < done:  # a second formula element inside one cell
            return None
        begin = max(data.rfind(opens[0], done, pos), data.rfind(opens[1], done, pos))
        end = data.find(close, pos)
        if begin == -1 or end == -1:
            return None
        done = end + len(close)
        element = data[begin:end]
        head = element[: element.find(b">") + 1]
        ref = _CELL_REF_ATTR.search(head)
        where = parse_address(ref.group(1).decode("ascii", "replace")) if ref else None
        if where is None:
            return None
        if not _has_cached_value(element, prefix):
            uncached.add(where)
    return uncached


def _has_cached_value(element: bytes, prefix: bytes) -> bool:
    """Whether a ``<c>…</c>`` element holds a non-empty ``<v>``: found with ``find`` when it
    carries the sheet's prefix (a cached value of thousands of characters costs a memchr, not
    a regex step per character), else with the regex that accepts any prefix."""
    opening = b"<" + prefix + b"v"
    start = element.find(opening)
    while start != -1:
        after = start + len(opening)
        if element[after:after + 1] in _AFTER_NAME:
            tag_end = element.find(b">", after)
            if tag_end == -1 or element[tag_end - 1:tag_end] == b"/":
                break
            closing = element.find(b"</" + prefix + b"v>", tag_end)
            if closing == -1:
                break
            return bool(element[tag_end + 1:closing].strip())
        start = element.find(opening, after)
    value = _VALUE_ELEMENT.search(element)
    return value is not None and bool(value.group(1).strip())


_AFTER_NAME = (b">", b" ", b"\t", b"\n", b"\r", b"/")


def _xlsx_used_area(data: bytes, content_only: bool = False) -> int:
    """Cells in the rectangle spanned by the addressed ``<c r=…>`` elements of a sheet part.

    One C-level regex pass collects the addresses (``r = "…"`` with any spacing, so a far cell
    cannot hide); Python only turns the distinct ones into numbers. ``content_only``: only the
    cells with content count (see :func:`_has_content`): the engine loads the rectangle of the
    cells with a value, and empty cells that only carry formatting (``<c r="XFD1048576"
    s="1"/>``, left behind by formatting whole rows or columns) are skipped by it.
    """
    if content_only:
        refs = {match.groups() for match in _CELL_REFS.finditer(data)
                if _has_content(data, match.start())}
    else:
        refs = set(_CELL_REFS.findall(data))
    if not refs:
        return 0
    rows = {int(row) for _, row in refs}
    cols = [parse_address(letters.decode("ascii") + "1")[1] for letters in {c for c, _ in refs}]
    return (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1)


def _has_content(data: bytes, ref_at: int) -> bool:
    """Whether the address found at offset ``ref_at`` belongs to a ``<c>`` element with content
    (a ``<v>``, ``<f>`` or ``<is>`` child). Anything unexpected counts as content, so that the
    area can only be overestimated; an address outside any ``<c>`` tag (e.g. in text) does not
    count."""
    tag = data.rfind(b"<", 0, ref_at)
    element = _XML_TAG.match(data, tag) if tag != -1 else None
    if element is None:
        return True
    if _CELL_TAG.match(data, tag) is None:  # inside another element's tag, or in text
        return False
    if element.group(0).endswith(b"/>"):
        return False
    return _CONTENT_CHILD.match(data, element.end()) is not None


def _far_cell_ref(data: bytes) -> bool:
    """Whether :func:`_xlsx_used_area` must be computed: some address it reads has three column
    letters or a row of five digits or more. Without one, every row is below 10,000 and every
    column before AAA (702), so the used area cannot exceed :data:`MAX_SHEET_AREA` (one C-level
    search instead of collecting every address)."""
    return _NEAR_REFS_AREA > MAX_SHEET_AREA or _FAR_CELL_REF.search(data) is not None


def _has_error_cell(data: bytes) -> bool:
    """Whether a sheet part may hold an error cell (``t="e"``): two memchr-speed searches settle
    the usual part, which has no quoted ``e`` at all."""
    return (b'"e"' in data or b"'e'" in data) and _ERROR_TYPE.search(data) is not None


def _has_formula(data: bytes) -> bool:
    """Whether a sheet part may hold a formula element (``<f>``, ``<f …>``, ``<x:f>`` …)."""
    if b"<f" not in data and b":f" not in data:  # two scans settle the usual formula-free part
        return False
    return (b"<f>" in data or b"<f " in data or b"<f/" in data
            or ((b":f>" in data or b":f " in data) and _FORMULA_HINT.search(data) is not None))


def _element_prefix(data: bytes) -> bytes | None:
    """The namespace prefix of the sheet's cells (``b""`` or e.g. ``b"x:"``), None if unsure."""
    match = _SHEET_DATA.search(data)
    return match.group(1) if match else None


def _scan_merges_only(data: bytes) -> list[tuple[int, int, int, int]]:
    """Merged ranges of an OOXML sheet part, read from ``<mergeCell ref=…>`` only."""
    start = data.find(b"<mergeCells")
    if start == -1:
        start = data.find(b":mergeCells")
    if start == -1:
        return []
    merged = []
    for match in re.finditer(rb"<(?:\w+:)?mergeCell\s+ref=\"([^\"]+)\"", data[start:]):
        box = _range_box(match.group(1).decode("ascii", "replace"))
        if box:
            merged.append(box)
    return sorted(merged)


def _range_box(ref: str) -> tuple[int, int, int, int] | None:
    first, _, last = ref.partition(":")
    a = parse_address(first)
    b = parse_address(last or first)
    if not a or not b:
        return None
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def _ooxml_sheet_parts(archive: _ZipInMemory) -> dict[str, tuple[str, str]]:
    """Sheet name -> (package part of its XML, relationship type), in workbook order, from the
    workbook part (see :func:`workbook_part`) and its relationships; empty when either is
    missing."""
    book = workbook_part(archive)
    if book is None:
        return {}
    folder, _, base = book.rpartition("/")
    rels_part = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    sheets: list[tuple[str, str]] = []

    def book_start(name: str, attrs: dict) -> None:
        if name == f"{_NS_MAIN} sheet" or name.rsplit(" ", 1)[-1] == "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(f"{_NS_REL} id", "")))

    try:
        rels_data, book_data = archive.read_part(rels_part), archive.read_part(book)
    except KeyError:
        return {}
    rels = {rel_id: (kind, target)
            for kind, target, rel_id in _relationships(rels_data, rels_part)}
    if _has_dtd(book_data):
        raise UnsafeXml(book)
    parser = _safe_parser()
    parser.StartElementHandler = book_start
    parser.Parse(book_data, True)
    parts = {}
    for name, rel_id in sheets:
        kind, target = rels.get(rel_id, ("", ""))
        if target:
            parts[name] = (_resolve_target(folder, target), kind)
    return parts


_DOTS = ("", ".")


def _ods_tables(data: bytes) -> dict[str, dict]:
    """Per table of an ODS ``content.xml`` (DTD already refused): its ``merged`` ranges (spanned
    cells), in the order the tables come.

    Raises :class:`SheetTooLarge` for the first table whose used area exceeds
    :data:`MAX_SHEET_AREA` (the engine loads every ods table at once), and what expat raises for
    malformed XML. A plain part (see :func:`_ods_countable`) is checked with expat alone and its
    few spanned cells placed by counting tags; any other is followed element by element.
    """
    if _ods_countable(data):
        _safe_parser().Parse(data, True)  # well-formedness, as the streaming scan would check
        tables = _ods_merges_by_counting(data)
        if tables is not None:
            return tables
    tables = _ods_tables_streamed(data)
    for name, table in tables.items():
        if table["area"] > MAX_SHEET_AREA:
            raise SheetTooLarge(table["area"], name)
    return tables


def _ods_countable(data: bytes) -> bool:
    """Whether an ODS ``content.xml`` can be read by counting tags instead of parsing.

    It must be UTF-8 without comments, CDATA or processing instructions (so every ``<table:``
    is a real tag), bind the table namespace once and only to the prefix ``table``, repeat no
    row or cell (so a position is a count of tags), and hold so few rows and cells that no table
    can exceed :data:`MAX_SHEET_AREA`; its first cell must follow its first table.
    """
    declaration = _XML_DECLARATION.match(data)
    body = declaration.end() if declaration else 0
    if declaration and _NOT_UTF8.search(declaration.group()):
        return False
    if (b"!" in data and b"<!" in data) or (b"?" in data and data.find(b"<?", body) != -1):
        return False
    if (data.count(_NS_TABLE.encode()) != 1 or len(_TABLE_PREFIX_BINDING.findall(data)) != 1
            or _NS_TABLE_DECLARATION not in data):
        return False
    if b"-repeated" in data:  # table:number-rows-repeated, table:number-columns-repeated
        return False
    if (data.count(b"table-row") + 1) * data.count(b"table-cell") > MAX_SHEET_AREA:
        return False
    first_table, first_cell = _ODS_TABLE.search(data), _ODS_CELL.search(data)
    if first_cell is None:
        return True
    return first_table is not None and first_table.start() < first_cell.start()


def _ods_merges_by_counting(data: bytes) -> dict[str, dict] | None:
    """:func:`_ods_tables` of a part that :func:`_ods_countable` accepts and expat parsed.

    A cell is in the last table started before it, its row is the number of rows started in
    that table before it, its column one more than the cells started in its row before it (as
    the streaming scan counts). Only the cells carrying a ``spanned`` attribute are placed,
    walking forward from one to the next. None when an attribute needs XML unescaping.
    """
    starts = []
    for match in _ODS_TABLE.finditer(data):
        element = _XML_TAG.match(data, match.start())
        name = _attributes(element).get(b"table:name", b"") if element else b"&"
        if any(char in name for char in b"&\t\n\r"):
            return None
        starts.append((match.start(), name.decode("utf-8")))
    tables = {name: {"merged": []} for _position, name in starts}
    table_positions = [position for position, _name in starts]
    last = None  # (tag, table, row start, row, col) of the previous cell placed
    for tag in _spanned_tags(data):
        element = _XML_TAG.match(data, tag)
        if element is None or element.group(1) not in _ODS_CELL_TAGS:
            continue
        attributes = _attributes(element)
        spans = [attributes.get(b"table:number-columns-spanned", b"1"),
                 attributes.get(b"table:number-rows-spanned", b"1")]
        if any(b"&" in span for span in spans):
            return None
        cols, rows = (int(span.decode("utf-8")) for span in spans)
        table = bisect.bisect(table_positions, tag) - 1
        if last is not None and last[1] == table:
            _tag, _table, row_start, row, col = last
            new_rows = _count(_ODS_ROW, data, last[0], tag)
            if new_rows:
                row_start = _last_row_start(data, last[0], tag)
                row, col = row + new_rows, 1 + _count(_ODS_CELL, data, row_start, tag)
            else:
                col += _count(_ODS_CELL, data, last[0], tag)
        else:
            table_start = table_positions[table]
            row = _count(_ODS_ROW, data, table_start, tag)
            row_start = _last_row_start(data, table_start, tag) if row else table_start
            col = 1 + _count(_ODS_CELL, data, row_start, tag)
        last = (tag, table, row_start, row, col)
        if element.group(1) == b"table:table-cell" and (cols > 1 or rows > 1):
            tables[starts[table][1]]["merged"].append((row, col, row + rows - 1, col + cols - 1))
    for table in tables.values():
        table["merged"].sort()
    return tables


def _spanned_tags(data: bytes) -> list[int]:
    """Start offsets of the tags around each ``spanned`` in the part, without repeats."""
    tags = []
    found = data.find(b"spanned")
    while found != -1:
        tag = data.rfind(b"<", 0, found)
        if tag != -1 and (not tags or tags[-1] != tag):
            tags.append(tag)
        found = data.find(b"spanned", found + 1)
    return tags


def _attributes(element: re.Match) -> dict[bytes, bytes]:
    """The attributes of a start tag matched by ``_XML_TAG`` (raw bytes, quotes removed)."""
    return {name: double or single
            for name, double, single in _XML_ATTRIBUTE.findall(element.group(2))}


def _count(pattern: re.Pattern, data: bytes, start: int, end: int) -> int:
    return len(pattern.findall(data, start, end))


def _last_row_start(data: bytes, start: int, end: int) -> int:
    """Offset of the last ``<table:table-row`` tag between ``start`` and ``end`` (one exists)."""
    found = data.rfind(b"<table:table-row", start, end)
    while not _ODS_ROW.match(data, found):
        found = data.rfind(b"<table:table-row", start, found)
    return found


def _ods_tables_streamed(data: bytes) -> dict[str, dict]:
    """Per table of an ODS ``content.xml``: ``merged`` ranges (spanned cells) and ``area``, the
    cells in the rectangle spanned by cells with a value (repeats included), streaming."""
    tables: dict[str, dict] = {}
    state = {"table": "", "row": 0, "col": 0, "row_repeat": 1}
    t = f"{_NS_TABLE} "
    value_type = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 value-type"

    def start(name: str, attrs: dict) -> None:
        if name == t + "table":
            state.update(table=attrs.get(t + "name", ""), row=0, col=0)
            tables.setdefault(state["table"], {"merged": [], "box": None})
        elif name == t + "table-row":
            state["row_repeat"] = int(attrs.get(t + "number-rows-repeated", "1"))
            state["col"] = 0
            state["row"] += 1
        elif name in (t + "table-cell", t + "covered-table-cell"):
            row, col = state["row"], state["col"] + 1
            repeat = int(attrs.get(t + "number-columns-repeated", "1"))
            cols = int(attrs.get(t + "number-columns-spanned", "1"))
            rows = int(attrs.get(t + "number-rows-spanned", "1"))
            table = tables.setdefault(state["table"], {"merged": [], "box": None})
            if name == t + "table-cell" and (cols > 1 or rows > 1):
                table["merged"].append((row, col, row + rows - 1, col + cols - 1))
            if value_type in attrs:
                last = (row + state["row_repeat"] - 1, col + repeat - 1)
                box = table["box"] or (row, col, *last)
                table["box"] = (min(box[0], row), min(box[1], col),
                                max(box[2], last[0]), max(box[3], last[1]))
            state["col"] += repeat

    def end(name: str) -> None:
        if name == t + "table-row":
            state["row"] += state["row_repeat"] - 1

    parser = _safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    result = {}
    for name, table in tables.items():
        box = table["box"]
        area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1) if box else 0
        result[name] = {"merged": sorted(table["merged"]), "area": area}
    return result


# --------------------------------------------------------------------------------------------
# read_cells
# --------------------------------------------------------------------------------------------


def _failed(fmt: str | None, issue: Issue) -> Workbook:
    return Workbook(format=fmt, sheets=[], issues=[issue])


def read_cells(path: str | os.PathLike, source_file: str | None = None) -> Workbook:
    """Read every non-empty cell of the workbook at ``path`` (xlsx, xlsm, xls or ods).

    ``source_file`` (default: the file name) is what issues name. Returns a :class:`Workbook`:

    - ``cells``: one row per non-empty cell (whitespace-only strings count as empty), plus one
      row per xlsx/xlsm formula cell without a cached value (``value`` None, ``raw`` ``""``,
      ``formula_uncached`` True). Columns :data:`CELL_COLUMNS` with dtypes ``sheet`` str,
      ``row``/``col`` int64 (1-based, as in Excel), ``cell`` str (A1 style), ``value`` object
      (float, int, str, bool, datetime.datetime — dates become midnight datetimes —,
      datetime.time/timedelta for durations, or None), ``raw`` str (see :func:`raw_text`),
      ``formula_uncached`` bool. Sorted by sheet index, row, col. Cached formula values are used.
    - ``sheets``: every worksheet in workbook order, hidden ones flagged, merged ranges
      (calamine's for xlsx/xls, the sheet XML's ``<mergeCell>`` as fallback, spanned cells for
      ods).

    Error cells are cells: ``value`` and ``raw`` both the text Excel shows (``#DIV/0!``,
    ``#REF!``, ``#N/A``, ``#VALUE!`` …).

    Never raises for a bad file: instead the workbook has no cells and an error issue —
    ``read.not_spreadsheet``, ``read.unsupported_format``, ``read.encrypted``, ``read.corrupt``,
    ``read.too_large`` or ``read.empty`` —; one unreadable sheet gives ``read.sheet_unreadable``
    and the others are kept.
    """
    path = Path(path)
    source = source_file if source_file is not None else path.name
    try:
        size = path.stat().st_size
    except OSError:
        return _failed(None, _corrupt(source, "无法打开的文件"))
    if size > MAX_FILE_BYTES:
        return _failed(None, _too_large(source, (
            f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_FILE_BYTES // 1024 // 1024} MB")))
    try:
        data = path.read_bytes()
    except OSError:
        return _failed(None, _corrupt(source, "无法打开的文件"))
    fmt, looks_like, archive = _sniff(data)
    if fmt == "encrypted":
        return _failed(fmt, _encrypted(source))
    if fmt == "corrupt":
        return _failed(None, _corrupt(source, looks_like))
    if fmt == UNSUPPORTED:
        return _failed(None, error(
            "read.unsupported_format", source,
            f"文件“{source}”是{looks_like}，本系统不读取这种格式。"
            f"请用 Excel 或 WPS 打开后另存为 .xlsx（Excel 工作簿）再重新报送。"
            f"可接受的格式：{ACCEPTED_TEXT}。"))
    if fmt is None:
        return _failed(None, error(
            "read.not_spreadsheet", source,
            f"文件“{source}”不是电子表格：看起来是{looks_like}。"
            f"可接受的格式：{ACCEPTED_TEXT}。请用 Excel 或 WPS 另存为 .xlsx 后重新报送。"))
    try:  # the zip opened by _sniff serves the size bounds, the sheet parts and the notices
        return _read_opened(data, fmt, source, looks_like, archive)
    finally:
        if archive is not None:
            archive.close()


_ZIP_FORMATS = ("xlsx", "xlsm", "ods")


def _read_opened(data: bytes, fmt: str, source: str, looks_like: str,
                 archive: zipfile.ZipFile | None) -> Workbook:
    """:func:`read_cells` once the format is known (``data``: the file's bytes; ``archive``: the
    open zip, None for xls)."""
    try:
        too_large = _size_problem(archive, fmt)
    except (OSError, zipfile.BadZipFile, ValueError):
        return _failed(fmt, _corrupt(source, looks_like))
    if too_large:
        return _failed(fmt, _too_large(source, too_large))
    try:
        return _read_workbook(data, fmt, source, archive)
    except PasswordError:
        return _failed("encrypted", _encrypted(source))
    except SheetTooLarge as exc:
        area, sheet = exc.args
        return _failed(fmt, _too_large(source, (
            f"的工作表“{sheet}”使用范围达 {area:,} 个单元格（上限 {MAX_SHEET_AREA:,}），"
            "可能在很远的行或列误填了内容")))
    except UnsafeXml:
        return _failed(fmt, error(
            "read.corrupt", source,
            f"文件“{source}”的内部 XML 含有 DTD/实体声明（正常的工作簿不会有），为安全起见未读取。"
            "请用 Excel 或 WPS 打开后另存为 .xlsx 重新报送。"))
    except BaseException as exc:  # noqa: BLE001 - any failure of the engine means a damaged file
        if not is_engine_failure(exc):
            raise
        if _password_protected(data, fmt, archive):
            return _failed("encrypted", _encrypted(source))
        return _failed(fmt, _corrupt(source, looks_like))


def _encrypted(source: str) -> Issue:
    return error(
        "read.encrypted", source,
        f"文件“{source}”设置了打开密码（已加密），无法读取。请取消工作簿密码后重新报送。")


def _password_protected(data: bytes, fmt: str, archive: zipfile.ZipFile | None) -> bool:
    """Whether a workbook the engine could not open is password-protected: an .xls whose
    workbook stream has a FILEPASS record (RC4 or XOR obfuscation), an .ods whose manifest
    declares encrypted parts. Never raises."""
    try:
        if fmt == "xls":
            stream = _xls_workbook_stream(data)
            return stream is not None and _biff_filepass(stream)
        if fmt == "ods" and archive is not None:
            return b"encryption-data" in archive.read("META-INF/manifest.xml")
    except Exception:  # noqa: BLE001 - a damaged file is not an encrypted one
        return False
    return False


def is_engine_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure of reading a file, to be reported for that file only: any
    exception, and the Rust engine's panic (``pyo3_runtime.PanicException``, which derives from
    BaseException, not Exception) — but never an interrupt or an exit."""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _engine_output_discarded():
    """Standard error (file descriptor 2) sent to the null device while the engine runs.

    When the Rust engine panics on a damaged file it prints the panic message, and with
    ``RUST_BACKTRACE`` set a whole backtrace, on standard error before the panic becomes a
    Python exception; that exception becomes the file's ``read.corrupt`` issue, and a user must
    not see a backtrace. Nothing else writes while this is in force (the lock keeps threads
    from interleaving their redirections); where descriptor 2 cannot be duplicated, nothing is
    redirected.
    """
    with _STDERR_LOCK:
        try:
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):
            pass
        try:
            saved = os.dup(2)
        except OSError:
            yield
            return
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 2)
            finally:
                os.close(null)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _too_large(source: str, why: str) -> Issue:
    return error(
        "read.too_large", source,
        f"文件“{source}”{why}，为安全起见未读取。正常的年度报表只有几十 KB，"
        "请检查是否报错了文件，删除多余内容后另存重新报送。")


def _corrupt(source: str, looks_like: str) -> Issue:
    return error(
        "read.corrupt", source,
        f"文件“{source}”已损坏或不完整（{looks_like}），无法读取。"
        "请用 Excel 或 WPS 打开确认无误后重新保存，再重新报送（邮件附件可能未完整下载）。")


def _read_workbook(data: bytes, fmt: str, source: str,
                   archive: zipfile.ZipFile | None) -> Workbook:
    issues: list[Issue] = []
    sheets: list[SheetInfo] = []
    columns: tuple[list, ...] = ([], [], [], [], [], [], [])
    extras = _format_extras(archive, fmt)
    macro_sheets = [name for name, part in extras.items() if part.get("macro")]
    if macro_sheets:
        data = _macro_sheets_hidden(archive)
    by_index = {}
    if fmt == "xls":
        stream = _xls_stream_or_none(data)
        if stream is not None and _biff_filepass(stream):
            raise PasswordError("FILEPASS")  # values would be read obfuscated
        by_index = _xls_error_cells(stream) if stream is not None else {}
    with _engine_output_discarded():
        _read_sheets(data, source, extras, by_index, sheets, columns, issues)
    members = set(archive.parts) if archive is not None and fmt in ("xlsx", "xlsm") else set()
    issues.extend(_notices(members, source, sheets, columns, extras, macro_sheets))
    if not columns[0] and not any(i.severity == "error" for i in issues):
        issues.append(error(
            "read.empty", source,
            f"文件“{source}”中没有任何内容（所有工作表都是空的）。请填写年度报表后重新报送。"))
    return Workbook(format=fmt, sheets=sheets, issues=issues, columns=columns)


def _read_sheets(data: bytes, source: str, extras: dict[str, dict],
                 xls_errors: dict[int, dict[tuple[int, int], str]], sheets: list[SheetInfo],
                 columns: tuple[list, ...], issues: list[Issue]) -> None:
    """Read every worksheet of ``data`` with the engine, appending to ``sheets``, ``columns`` and
    ``issues``: a sheet the engine cannot read (or :func:`_format_extras` refused) becomes a
    ``read.sheet_unreadable`` issue and the others are kept. Error cells, which the engine
    reads as empty, come from ``extras`` (xlsx) or ``xls_errors`` (by sheet position, xls).
    Raises what the engine raises when it cannot open the workbook at all."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ not in (SheetTypeEnum.WorkSheet, SheetTypeEnum.DialogSheet):
                continue
            hidden = meta.visible != SheetVisibleEnum.Visible
            part = extras.get(meta.name, {})
            problem = part.get("problem")
            try:
                if problem == "DTD":
                    raise UnsafeXml(problem)
                if problem == "AREA":
                    raise SheetTooLarge(part["area"])
                if problem:
                    raise ValueError(problem)
                sheet = book.get_sheet_by_index(index)
                rows = sheet.to_python(skip_empty_area=True)
                start = sheet.start or (0, 0)
                merged = _calamine_merges(sheet.merged_cell_ranges)
            except BaseException as exc:  # noqa: BLE001 - one bad sheet must not stop the others
                if not is_engine_failure(exc):
                    raise
                sheets.append(SheetInfo(meta.name, index, hidden, []))
                issues.append(_sheet_issue(source, meta.name, exc))
                continue
            if merged is None:
                merged = _fallback_merges(part)
            sheets.append(SheetInfo(meta.name, index, hidden, merged))
            _append_cells(columns, meta.name, rows, start, part.get("uncached", set()),
                          part.get("errors") or xls_errors.get(index, {}))
    finally:
        book.close()


def _notices(members: set[str], source: str, sheets: list[SheetInfo], columns: tuple[list, ...],
             extras: dict[str, dict], macro_sheets: list[str]) -> list[Issue]:
    """Warnings about what was read but deserves a look: macros, Excel 4.0 macro sheets,
    external links, hidden content.

    ``members``: the package part names of an xlsx/xlsm (empty for other formats)."""
    notices = []
    if macro_sheets:
        names = "、".join(f"“{name}”" for name in macro_sheets)
        notices.append(warning(
            "read.macro_sheets_ignored", source,
            f"文件“{source}”含有 Excel 4.0 宏表 {names}。宏没有运行，宏表未读取；其余工作表照常读取。"
            "请确认数值无误；今后请另存为不含宏的 .xlsx 报送。"))
    if "xl/vbaProject.bin" in members:
        notices.append(warning(
            "read.macros_ignored", source,
            f"文件“{source}”含有宏（VBA 代码）。宏没有运行，只读取了单元格中保存的数值。"
            "请确认数值无误；今后请另存为不含宏的 .xlsx 报送。"))
    links = sorted(m for m in members if m.startswith("xl/externalLinks/") and m.endswith(".xml"))
    if links:
        notices.append(warning(
            "read.external_links", source,
            f"文件“{source}”链接了另外 {len(links)} 个工作簿（外部引用）。读取的是本文件保存时的数值，"
            "未打开被链接的文件，数值可能已过时。请在 Excel 中“编辑链接→断开链接”（改为数值）后重新保存报送。"))
    for info in sheets:
        hidden_rows = extras.get(info.name, {}).get("hidden_rows")
        if not hidden_rows:
            continue
        in_sheet = [(r, a) for s, r, a in zip(columns[0], columns[1], columns[3]) if s == info.name]
        rows = sorted({r for r, _a in in_sheet} & hidden_rows)
        if not rows:
            continue
        listed = "、".join(str(r) for r in rows[:MAX_LISTED_ROWS])
        more = f"等 {len(rows)} 行" if len(rows) > MAX_LISTED_ROWS else ""
        first = next(a for r, a in in_sheet if r == rows[0])
        notices.append(warning(
            "read.hidden_rows", source,
            f"文件“{source}”的工作表“{info.name}”第 {listed} 行{more}被隐藏，其中的内容照常读取。"
            "请取消隐藏、确认内容无误（不需要的请删除）后重新报送。", sheet=info.name, cell=first))
    return notices


def _hidden_rows(data: bytes) -> set[int]:
    """Row numbers of ``<row … hidden="1">`` elements of an OOXML sheet part."""
    rows = set()
    for match in _HIDDEN_ROW.finditer(data):
        number = _ROW_NUMBER.search(match.group(0))
        if number:
            rows.add(int(number.group(1)))
    return rows


def _sheet_issue(source: str, sheet: str, exc: BaseException) -> Issue:
    if isinstance(exc, UnsafeXml):
        reason = "含有 DTD/实体声明，正常的工作簿不会有"
    elif isinstance(exc, SheetTooLarge):
        reason = (f"使用范围达 {exc.args[0]:,} 个单元格，超过上限 {MAX_SHEET_AREA:,}，"
                  "可能在很远的行或列误填了内容，请删除表格以外的内容")
    else:
        reason = "已损坏"
    return error(
        "read.sheet_unreadable", source,
        f"文件“{source}”的工作表“{sheet}”无法读取（{reason}），其余工作表照常处理。"
        "请用 Excel 或 WPS 打开后重新保存再报送。", sheet=sheet)


def _calamine_merges(ranges) -> list[tuple[int, int, int, int]] | None:
    if ranges is None:
        return None
    return sorted((r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges)


def _append_cells(columns: tuple[list, ...], sheet: str, rows: list[list], start: tuple[int, int],
                  uncached: set[tuple[int, int]], errors: dict[tuple[int, int], str]) -> None:
    """Append the non-empty cells of one sheet, its uncached formulas and its error cells
    (``#DIV/0!`` …, value and raw both the text Excel shows; the engine reads them as empty)
    to ``columns``.

    The hot loop of the reader: plain lists, one pass, no pandas per cell.
    """
    row0, col0 = start[0] + 1, start[1] + 1
    rs: list[int] = []
    cs: list[int] = []
    values: list[object] = []
    raws: list[str] = []
    for i, row in enumerate(rows):
        r = row0 + i
        for j, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if not value or value.isspace():
                    continue
                raw = value
            elif kind is float:
                raw = "%d" % value if value.is_integer() and -1e16 < value < 1e16 else repr(value)
            elif value is None:
                continue
            elif kind is int:
                raw = str(value)
            else:
                raw = raw_text(value)
                value = _cell_value(value)
            rs.append(r)
            cs.append(col0 + j)
            values.append(value)
            raws.append(raw)
    flags = [False] * len(rs)
    if uncached or errors:
        present = set(zip(rs, cs))
        for r, c in sorted(set(errors) - present):
            rs.append(r)
            cs.append(c)
            values.append(errors[r, c])
            raws.append(errors[r, c])
            flags.append(False)
        for r, c in sorted(uncached - present - set(errors)):
            rs.append(r)
            cs.append(c)
            values.append(None)
            raws.append("")
            flags.append(True)
        order = sorted(range(len(rs)), key=lambda k: (rs[k], cs[k]))
        rs, cs, values, raws, flags = ([seq[k] for k in order]
                                       for seq in (rs, cs, values, raws, flags))
    letters = {c: column_letters(c) for c in set(cs)}
    sheets, row_numbers, col_numbers, addresses, value_column, raw_column, flag_column = columns
    sheets.extend([sheet] * len(rs))
    row_numbers.extend(rs)
    col_numbers.extend(cs)
    addresses.extend([f"{letters[c]}{r}" for r, c in zip(rs, cs)])
    value_column.extend(values)
    raw_column.extend(raws)
    flag_column.extend(flags)


def _format_extras(archive: zipfile.ZipFile | None, fmt: str) -> dict[str, dict]:
    """Per sheet name: ``uncached`` formula cells, fallback merged ranges, or a ``problem``.

    xlsx/xlsm: each sheet part is checked for a DTD and for its used area, and scanned (only
    when it contains a formula element) for formulas without a cached value. ods: spanned cells
    and used area from ``content.xml``.
    Shared parts with a DTD raise :class:`UnsafeXml` (the whole file is refused).
    """
    extras: dict[str, dict] = {}
    if fmt not in ("xlsx", "xlsm", "ods") or archive is None:
        return extras
    if fmt == "ods":
        data = archive.read("content.xml")
        if _has_dtd(data):
            raise UnsafeXml("content.xml")
        return _ods_tables(data)
    for shared in archive.parts:
        if shared.endswith(("/sharedStrings.xml", "/styles.xml")) and _has_dtd(
                archive.read_part(shared)):
            raise UnsafeXml(shared)
    for name, (part, kind) in _ooxml_sheet_parts(archive).items():
        if kind.endswith(_MACRO_SHEET_TYPES):
            extras[name] = {"macro": True}
            continue
        try:
            data = archive.read_part(part)
        except KeyError:
            continue
        extras[name] = _sheet_extras(data)
    return extras


# relationship types of Excel 4.0 macro sheets (the engine refuses a workbook holding one)
_MACRO_SHEET_TYPES = ("/xlMacrosheet", "/xlIntlMacrosheet")
_CHART_SHEET_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet"


def _macro_sheets_hidden(archive: _ZipInMemory) -> bytes:
    """The package again, its Excel 4.0 macro sheets' relationships typed as chart sheets: the
    engine then lists them as chart sheets (which are skipped, their positions kept) instead of
    refusing the whole workbook. Macro sheets are never read."""
    book = workbook_part(archive)
    folder, _, base = (book or "").rpartition("/")
    rels_part = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for part, member in archive.parts.items():
            content = archive.read(member)
            if part == rels_part:
                for kind in _MACRO_SHEET_TYPES:
                    content = re.sub(rb"Type\s*=\s*([\"'])[^\"']*" + re.escape(kind.encode())
                                     + rb"\1", b'Type="' + _CHART_SHEET_TYPE + b'"', content)
            copy.writestr(part, content)
    return out.getvalue()


def _sheet_extras(data: bytes) -> dict:
    """What :func:`_format_extras` says of one xlsx/xlsm sheet part: a ``problem`` (``DTD``,
    ``AREA`` with its ``area``, ``XML``), or its ``hidden_rows``, ``uncached`` formula cells and
    either the ``merged`` ranges expat found or the ``part`` itself (scanned for merged ranges
    only if calamine gives none, see :func:`_fallback_merges`)."""
    if _has_dtd(data):
        return {"problem": "DTD"}
    if _far_cell_ref(data):
        area = _xlsx_used_area(data)
        if area > MAX_SHEET_AREA:  # formatting alone is not loaded: count cells with content
            area = _xlsx_used_area(data, content_only=True)
        if area > MAX_SHEET_AREA:
            return {"problem": "AREA", "area": area}
    extras = {"part": data, "hidden_rows": _hidden_rows(data) if b"hidden" in data else set()}
    errors = _has_error_cell(data)
    if not errors and not _has_formula(data):
        return extras
    try:
        uncached = None if errors else _uncached_by_pattern(data)
        if uncached is None:  # error cells, or a formula cell without an address: expat
            uncached, extras["merged"], extras["errors"] = _scan_sheet_xml(data)
    except UnsafeXml:
        return {"problem": "DTD"}
    except Exception:  # noqa: BLE001 - malformed XML: calamine decides, we report the sheet
        return {"problem": "XML"}
    extras["uncached"] = uncached
    return extras


def _fallback_merges(extras: dict) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet from its :func:`_format_extras` entry, for when calamine gives
    none (ods: the spanned cells; xlsx: expat's or the ``<mergeCell>`` elements of the part)."""
    if "merged" in extras:
        return extras["merged"]
    if "part" in extras:
        return _scan_merges_only(extras["part"])
    return []


# --------------------------------------------------------------------------------------------
# The BIFF records the engine does not give us: error cells, the password record (xls)
# --------------------------------------------------------------------------------------------

_BIFF_BOF = (0x0809, 0x0409, 0x0209, 0x0009)
_BIFF_EOF = 0x000A
_BIFF_FILEPASS = 0x002F
_BIFF_BOUNDSHEET = 0x0085
_BIFF_BOOLERR = 0x0205
_BIFF_FORMULA = 0x0006
# what Excel shows for each BIFF error code
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
# a BOOLERR record holding an error, or a FORMULA record whose cached result is an error (its
# 8-byte result: 0x02, …, 0xFFFF); every such record matches, and a false match only costs the
# walk over the records that settles it
_BIFF_ERROR_HINT = re.compile(
    rb"\x05\x02\x08\x00.{7}\x01|\x06\x00..(?:.{6})\x02.{5}\xff\xff", re.DOTALL)


def _xls_workbook_stream(data: bytes) -> bytes | None:
    """The ``Workbook`` (BIFF8) or ``Book`` (BIFF5) stream of an OLE2 file, names compared
    without regard to case; None when there is none. Raises what olefile raises for a damaged
    container."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        for name in ("Workbook", "Book"):
            if ole.exists(name):  # olefile compares names without regard to case
                return ole.openstream(name).read()
    return None


def _biff_records(stream: bytes, start: int = 0):
    """``(offset, type, body)`` of the BIFF records of ``stream`` from ``start`` to its end
    (a truncated last record ends the walk)."""
    pos = start
    end = len(stream)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, pos)
        body_end = pos + 4 + size
        if body_end > end:
            return
        yield pos, kind, stream[pos + 4:body_end]
        pos = body_end


def _biff_filepass(stream: bytes) -> bool:
    """Whether the workbook globals of a BIFF5/8 stream hold a FILEPASS record (the workbook
    has a password to open: RC4 encryption or XOR obfuscation)."""
    for _pos, kind, _body in _biff_records(stream):
        if kind == _BIFF_FILEPASS:
            return True
        if kind in (_BIFF_EOF, _BIFF_BOUNDSHEET):
            return False
    return False


def _xls_stream_or_none(data: bytes) -> bytes | None:
    """:func:`_xls_workbook_stream`, or None when the container cannot be read (the engine then
    says what is wrong). Never raises."""
    try:
        return _xls_workbook_stream(data)
    except Exception:  # noqa: BLE001 - a damaged container: the engine reports it
        return None


def _xls_error_cells(stream: bytes) -> dict[int, dict[tuple[int, int], str]]:
    """Error cells of an .xls workbook stream, by sheet position (0-based, as the engine lists
    sheets): 1-based ``(row, col)`` -> what Excel shows (``#DIV/0!`` …), from BOOLERR records
    and FORMULA records whose cached result is an error. Empty when there are none."""
    if _BIFF_ERROR_HINT.search(stream) is None:
        return {}
    sheet_starts = []
    for _pos, kind, body in _biff_records(stream):
        if kind == _BIFF_BOUNDSHEET and len(body) >= 4:
            sheet_starts.append(struct.unpack_from("<I", body)[0])
        elif kind == _BIFF_EOF:
            break
    found: dict[int, dict[tuple[int, int], str]] = {}
    for index, start in enumerate(sheet_starts):
        cells = _biff_sheet_errors(stream, start)
        if cells:
            found[index] = cells
    return found


def _biff_sheet_errors(stream: bytes, start: int) -> dict[tuple[int, int], str]:
    """The error cells of the sheet substream at ``start`` (its BOF) up to its EOF."""
    cells: dict[tuple[int, int], str] = {}
    records = _biff_records(stream, start)
    first = next(records, None)
    if first is None or first[1] not in _BIFF_BOF:
        return cells
    for _pos, kind, body in records:
        if kind == _BIFF_EOF:
            break
        if kind == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
            code = body[6]
        elif (kind == _BIFF_FORMULA and len(body) >= 14 and body[6] == 2
              and body[12:14] == b"\xff\xff"):
            code = body[8]
        else:
            continue
        row, col = struct.unpack_from("<HH", body)
        cells[row + 1, col + 1] = BIFF_ERRORS.get(code, "#N/A")
    return cells

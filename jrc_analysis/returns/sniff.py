"""Format sniffing: what a file is, from its bytes; which files are not returns, from their names.

The extension is never trusted; a zip is opened once and handed on to the reader."""
from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

from jrc_analysis.returns.xmlscan import UnsafeXml, has_dtd, safe_parser


MAX_FILE_BYTES = 50 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_DIR_ENTRY = 128
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
    fmt, _looks_like, archive = sniff_bytes(data)
    if archive is not None:
        archive.close()
    return None if fmt == UNSUPPORTED else fmt


# sniff_bytes's format for a spreadsheet in a format that is not read (.xlsb, Excel 2.x–4.0)
UNSUPPORTED = "unsupported"


def sniff_bytes(data: bytes) -> tuple[str | None, str, zipfile.ZipFile | None]:
    """``(format, what the file looks like in Chinese, the open zip)`` of a file's bytes.

    Format as in :func:`detect_format`; ``"corrupt"`` marks a zip or OLE2 file whose structure
    cannot be read, :data:`UNSUPPORTED` a spreadsheet in a format that is not read. The
    description is used for the ``read.not_spreadsheet``, ``read.unsupported_format`` and
    ``read.corrupt`` messages. The zip is returned open (for the caller to close) when the format
    is one of
    :data:`ZIP_FORMATS`, else None: a workbook's zip is opened once.
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
    """What an Excel 2.x–5.0 file outside an OLE2 container looks like, in Chinese; else None.

    Such a file is a bare BIFF stream: a BOF record first (type 0x0009, 0x0209 or 0x0409 for
    BIFF2–4; 0x0809 with the BIFF5/8 version word 0x0500/0x0600), its body 4 to 16 bytes; BIFF2's
    version word has a zero high byte."""
    if len(head) < 6:
        return None
    record, length = struct.unpack_from("<HH", head)
    if record not in _OLD_BOF or not 4 <= length <= 16:
        return None
    version = _OLD_BOF[record]
    if record == 0x0809 and head[4:6] not in (b"\x00\x05", b"\x00\x06"):
        return None
    if record == 0x0009 and head[5] != 0:
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
    folded = data.lower()  # ASCII letters only: the names' case folding (UTF-16LE: one byte each)
    for name, encoded in _OLE_NAMES.items():
        start = folded.find(encoded)
        while start != -1:
            if start % OLE_DIR_ENTRY == 0 and start + 67 <= len(data):
                length = int.from_bytes(data[start + 64:start + 66], "little")
                if length == len(encoded) and data[start + 66] in (1, 2):
                    found.add(name)
                    break
            start = folded.find(encoded, start + len(encoded))
    return found


# lower-cased name -> its UTF-16LE form with the terminator, as searched in the lower-cased file
_OLE_NAMES = {name.lower(): name.lower().encode("utf-16-le") + b"\x00\x00"
              for name in ("Workbook", "Book", "EncryptionInfo", "EncryptedPackage",
                           "WordDocument", "PowerPoint Document")}


def _sniff_zip(data: bytes) -> tuple[str | None, str, zipfile.ZipFile | None]:
    try:
        archive = ZipInMemory(data)
        fmt, looks_like = _zip_kind(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError,
            NotImplementedError, EOFError, zlib.error, expat.ExpatError, UnsafeXml):
        return "corrupt", "损坏或不完整的 zip/Excel 文件", None
    if fmt in ZIP_FORMATS:
        return fmt, looks_like, archive
    archive.close()
    return fmt, looks_like, None


class ZipInMemory(zipfile.ZipFile):
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


def _zip_kind(archive: ZipInMemory) -> tuple[str | None, str]:
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


def _ooxml_kind(archive: ZipInMemory, names: dict[str, str]) -> str:
    if "xl/vbaProject.bin" in names:
        return "xlsm"
    try:
        types = archive.read_part("[Content_Types].xml")[:1_000_000]
    except KeyError:
        return "xlsx"
    return "xlsm" if b"macroEnabled" in types else "xlsx"


def workbook_part(archive: ZipInMemory) -> str | None:
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
    for kind, target, _id in relationships(archive.read_part("_rels/.rels"), "_rels/.rels"):
        if kind.endswith("/officeDocument"):
            part = resolve_target("", target)
            if part in parts and _WORKBOOK_ROOT.search(archive.read_part(part)[:4096]):
                return part
    return None


# the root element of a SpreadsheetML workbook part (a .docx's main part is <w:document>)
_WORKBOOK_ROOT = re.compile(rb"<(?:\w+:)?workbook[\s>/]")


def relationships(data: bytes, member: str) -> list[tuple[str, str, str]]:
    """``(Type, Target, Id)`` of each ``<Relationship>`` of a ``.rels`` part (DTD refused:
    :class:`UnsafeXml`; malformed XML: ``expat.ExpatError``)."""
    if has_dtd(data):
        raise UnsafeXml(member)
    found: list[tuple[str, str, str]] = []

    def start(name: str, attrs: dict) -> None:
        if name.rsplit(" ", 1)[-1] == "Relationship":
            found.append((attrs.get("Type", ""), attrs.get("Target", ""), attrs.get("Id", "")))

    parser = safe_parser()
    parser.StartElementHandler = start
    parser.Parse(data, True)
    return found


def resolve_target(folder: str, target: str) -> str:
    """The part a relationship ``target`` names, seen from the part folder ``folder`` (``""``
    for the package root): an absolute target from the root, ``.`` and ``..`` resolved."""
    target = target.replace("\\", "/")
    base = [] if target.startswith("/") else [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece in DOTS:
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


DOTS = ("", ".")
ZIP_FORMATS = ("xlsx", "xlsm", "ods")

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

import contextlib
import io
import os
import sys
import threading
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from jrc_analysis.issues import Issue, error, warning
from jrc_analysis.returns import biff
from jrc_analysis.returns.cells import (CELL_COLUMNS, SheetInfo, Workbook, append_cells,
                                       cell_address, cells_frame, column_letters, empty_cells,
                                       parse_address, raw_text)
from jrc_analysis.returns.ods import ods_tables
from jrc_analysis.returns.ooxml import fallback_merges, macro_sheets_hidden, package_extras
from jrc_analysis.returns.sniff import (MAX_FILE_BYTES, OLE_MAGIC, UNSUPPORTED, detect_format,
                                        is_junk, sniff_bytes)
from jrc_analysis.returns.xmlscan import MAX_SHEET_AREA, SheetTooLarge, UnsafeXml, has_dtd

_cells_frame = cells_frame  # the name callers used before the split
# what ``from jrc_analysis.returns.read import …`` gives: the reader and the cells contract
__all__ = ["ACCEPTED_TEXT", "CELL_COLUMNS", "MAX_FILE_BYTES", "MAX_SHEET_AREA",
           "OLE_MAGIC", "SheetInfo", "Workbook", "cell_address", "column_letters", "detect_format",
           "empty_cells", "is_engine_failure", "is_junk", "parse_address", "raw_text", "read_cells"]
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024
ACCEPTED_TEXT = ".xlsx、.xlsm、.xls、.ods"
MAX_LISTED_ROWS = 10


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
    fmt, looks_like, archive = sniff_bytes(data)
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
    try:  # the zip opened by sniff_bytes serves the size bounds, the sheet parts and the notices
        return _read_opened(data, fmt, source, looks_like, archive)
    finally:
        if archive is not None:
            archive.close()


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
        if _password_protected(fmt, archive):
            return _failed("encrypted", _encrypted(source))
        return _failed(fmt, _corrupt(source, looks_like))


def _encrypted(source: str) -> Issue:
    return error(
        "read.encrypted", source,
        f"文件“{source}”设置了打开密码（已加密），无法读取。请取消工作簿密码后重新报送。")


def _password_protected(fmt: str, archive: zipfile.ZipFile | None) -> bool:
    """Whether a workbook the engine could not open is password-protected: an .ods whose
    manifest declares encrypted parts (an .xls with a FILEPASS record is refused before the
    engine runs, see :func:`_read_workbook`). Never raises."""
    if fmt != "ods" or archive is None:
        return False
    try:
        return b"encryption-data" in archive.read("META-INF/manifest.xml")
    except Exception:  # noqa: BLE001 - a damaged file is not an encrypted one
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
    """The workbook read by the engine, with what the file itself says besides: the sheet
    parts' extras, macro sheets hidden from the engine, an .xls's error cells and its password
    record (PasswordError: its values would be read obfuscated), the notices."""
    issues: list[Issue] = []
    sheets: list[SheetInfo] = []
    columns: tuple[list, ...] = ([], [], [], [], [], [], [])
    extras = _format_extras(archive, fmt)
    macro_sheets = [name for name, part in extras.items() if part.get("macro")]
    if macro_sheets:
        data = macro_sheets_hidden(archive)
    by_index = {}
    if fmt == "xls":
        stream = biff.workbook_stream_or_none(data)
        if stream is not None and biff.has_filepass(stream):
            raise PasswordError("FILEPASS")  # values would be read obfuscated
        by_index = biff.error_cells(stream) if stream is not None else {}
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
                merged = fallback_merges(part)
            sheets.append(SheetInfo(meta.name, index, hidden, merged))
            append_cells(columns, meta.name, rows, start, part.get("uncached", set()),
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


def _format_extras(archive: zipfile.ZipFile | None, fmt: str) -> dict[str, dict]:
    """Per sheet name: ``uncached`` formula cells, fallback merged ranges, or a ``problem``.

    xlsx/xlsm: see :func:`~jrc_analysis.returns.ooxml.package_extras`. ods: spanned cells and
    used area from ``content.xml``. A shared part with a DTD raises :class:`UnsafeXml` (the
    whole file is refused).
    """
    if fmt not in ("xlsx", "xlsm", "ods") or archive is None:
        return {}
    if fmt == "ods":
        data = archive.read("content.xml")
        if has_dtd(data):
            raise UnsafeXml("content.xml")
        return ods_tables(data)
    return package_extras(archive)

"""BIFF records the engine does not report: error cells and the password record of an .xls."""
from __future__ import annotations

import io
import re
import struct

import olefile


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


def workbook_stream(data: bytes) -> bytes | None:
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


def has_filepass(stream: bytes) -> bool:
    """Whether the workbook globals of a BIFF5/8 stream hold a FILEPASS record (the workbook
    has a password to open: RC4 encryption or XOR obfuscation)."""
    for _pos, kind, _body in _biff_records(stream):
        if kind == _BIFF_FILEPASS:
            return True
        if kind in (_BIFF_EOF, _BIFF_BOUNDSHEET):
            return False
    return False


def workbook_stream_or_none(data: bytes) -> bytes | None:
    """:func:`workbook_stream`, or None when the container cannot be read (the engine then
    says what is wrong). Never raises."""
    try:
        return workbook_stream(data)
    except Exception:  # noqa: BLE001 - a damaged container: the engine reports it
        return None


def error_cells(stream: bytes) -> dict[int, dict[tuple[int, int], str]]:
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

"""OOXML sheet parts scanned without loading them: uncached formulas, error cells, merges, area.

Also the sheets of a package (found through its relationships), hidden rows, and the macro
sheets the engine cannot take."""
from __future__ import annotations

import io
import re
import zipfile

from jrc_analysis.returns.cells import parse_address
from jrc_analysis.returns.sniff import ZipInMemory, relationships, resolve_target, workbook_part
from jrc_analysis.returns.xmlscan import (MAX_SHEET_AREA, XML_TAG, UnsafeXml, has_dtd, range_box,
                                          safe_parser)


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FORMULA_HINT = re.compile(rb"<(?:\w+:)?f[\s>/]")
# ``r="B3"`` attributes: only cells carry an r with letters (rows have r="3"); other attributes
# ending in r with a letter value can only widen the estimate, never hide a far cell
_CELL_REFS = re.compile(rb"r\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
# an address as _CELL_REFS reads it, with three column letters or a row of 5+ digits
# (possessive: nothing to give back, as "=", quotes and "$" are neither spaces nor letters)
_FAR_CELL_REF = re.compile(
    rb"r\s*+=\s*+[\"']\$?+(?:[A-Za-z]{3}\$?[0-9]|[A-Za-z]{1,2}\$?[0-9]{5})")
# the largest used area spanned by addresses within ZZ9999 (rows 0..9999, columns A..ZZ)
_NEAR_REFS_AREA = 10_000 * 702
# a cell's start tag, and a child of a cell that gives it content (see _has_content)
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
_CONTENT_CHILD = re.compile(rb"\s*<(?:\w+:)?(?:v|f|is)[\s>/]")
_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData[\s>/]")
_CELL_REF_ATTR = re.compile(rb"\sr=[\"']([^\"']+)[\"']")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*?hidden\s*=\s*[\"'](?:1|true)[\"'][^>]*>")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"']([0-9]{1,7})[\"']")
# an error cell of an OOXML sheet: <c … t="e">
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_VALUE_ELEMENT = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>", re.DOTALL)


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
            box = range_box(attrs.get("ref", ""))
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

    parser = safe_parser()
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
    element = XML_TAG.match(data, tag) if tag != -1 else None
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
    """Whether a sheet part may hold an error cell (``t="e"``): two searches settle the usual
    part, which has no quoted ``e`` at all (a memchr for ``'`` first: the usual part has none)."""
    return ((b'"e"' in data or (b"'" in data and b"'e'" in data))
            and _ERROR_TYPE.search(data) is not None)


def _has_formula(data: bytes) -> bool:
    """Whether a sheet part may hold a formula element (``<f>``, ``<f …>``, ``<f/>``, ``<x:f>`` …).

    One scan for ``<f`` looks at the byte after each (few: ``<formula1>`` of a data validation
    is the usual other one), one for ``:f`` settles the usual part without a prefixed one."""
    at = data.find(b"<f")
    while at != -1:
        if data[at + 2:at + 3] in _AFTER_UNPREFIXED_F:
            return True
        at = data.find(b"<f", at + 2)
    return b":f" in data and (b":f>" in data or b":f " in data) and (
        _FORMULA_HINT.search(data) is not None)


_AFTER_UNPREFIXED_F = (b">", b" ", b"/")


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
        box = range_box(match.group(1).decode("ascii", "replace"))
        if box:
            merged.append(box)
    return sorted(merged)


def sheet_parts(archive: ZipInMemory) -> dict[str, tuple[str, str]]:
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
            for kind, target, rel_id in relationships(rels_data, rels_part)}
    if has_dtd(book_data):
        raise UnsafeXml(book)
    parser = safe_parser()
    parser.StartElementHandler = book_start
    parser.Parse(book_data, True)
    parts = {}
    for name, rel_id in sheets:
        kind, target = rels.get(rel_id, ("", ""))
        if target:
            parts[name] = (resolve_target(folder, target), kind)
    return parts


def _hidden_rows(data: bytes) -> set[int]:
    """Row numbers of ``<row … hidden="1">`` elements of an OOXML sheet part."""
    rows = set()
    for match in _HIDDEN_ROW.finditer(data):
        number = _ROW_NUMBER.search(match.group(0))
        if number:
            rows.add(int(number.group(1)))
    return rows


# relationship types of Excel 4.0 macro sheets (the engine refuses a workbook holding one)
MACRO_SHEET_TYPES = ("/xlMacrosheet", "/xlIntlMacrosheet")
_CHART_SHEET_TYPE = (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     b"chartsheet")


def macro_sheets_hidden(archive: ZipInMemory) -> bytes:
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
                for kind in MACRO_SHEET_TYPES:
                    content = re.sub(rb"Type\s*=\s*([\"'])[^\"']*" + re.escape(kind.encode())
                                     + rb"\1", b'Type="' + _CHART_SHEET_TYPE + b'"', content)
            copy.writestr(part, content)
    return out.getvalue()


def package_extras(archive: ZipInMemory) -> dict[str, dict]:
    """Per sheet name of an xlsx/xlsm package: what :func:`sheet_extras` says of its part, or
    ``{"macro": True}`` for an Excel 4.0 macro sheet (never read). Raises :class:`UnsafeXml`
    when a shared part (shared strings, styles) declares a DTD: the whole file is refused."""
    for shared in archive.parts:
        if shared.rsplit("/", 1)[-1] in ("sharedStrings.xml", "styles.xml") and has_dtd(
                archive.read_part(shared)):
            raise UnsafeXml(shared)
    extras: dict[str, dict] = {}
    for name, (part, kind) in sheet_parts(archive).items():
        if kind.endswith(MACRO_SHEET_TYPES):
            extras[name] = {"macro": True}
            continue
        try:
            data = archive.read_part(part)
        except KeyError:
            continue
        extras[name] = sheet_extras(data)
    return extras

def sheet_extras(data: bytes) -> dict:
    """What the reader keeps of one xlsx/xlsm sheet part: a ``problem`` (``DTD``, ``AREA`` with
    its ``area``, ``XML``), or its ``hidden_rows``, ``uncached`` formula cells, ``errors`` and
    either the ``merged`` ranges expat found or the ``part`` itself (scanned for merged ranges
    only if calamine gives none, see :func:`fallback_merges`)."""
    if has_dtd(data):
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


def fallback_merges(extras: dict) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet from its extras (:func:`sheet_extras`, or the ods scan's), for
    when calamine gives none (ods: the spanned cells; xlsx: expat's or the ``<mergeCell>``
    elements of the part)."""
    if "merged" in extras:
        return extras["merged"]
    if "part" in extras:
        return _scan_merges_only(extras["part"])
    return []

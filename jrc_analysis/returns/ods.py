"""ODS ``content.xml`` scanned: the spanned cells and the used area of each table."""
from __future__ import annotations

import bisect
import re

from jrc_analysis.returns.xmlscan import (MAX_SHEET_AREA, XML_TAG, SheetTooLarge, attributes,
                                          safe_parser)


_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_TABLE_DECLARATION = f'xmlns:table="{_NS_TABLE}"'.encode()
_TABLE_PREFIX_BINDING = re.compile(rb"xmlns:table\s*=")
_XML_DECLARATION = re.compile(rb"<\?xml\s[^<>]*?\?>")
_NOT_UTF8 = re.compile(rb"encoding\s*=\s*[\"'](?![Uu][Tt][Ff]-8[\"'])")
_ODS_TABLE = re.compile(rb"<table:table[\s/>]")
_ODS_ROW = re.compile(rb"<table:table-row[\s/>]")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell[\s/>]")
_ODS_CELL_TAGS = (b"table:table-cell", b"table:covered-table-cell")


def ods_tables(data: bytes) -> dict[str, dict]:
    """Per table of an ODS ``content.xml`` (DTD already refused): its ``merged`` ranges (spanned
    cells), in the order the tables come.

    Raises :class:`SheetTooLarge` for the first table whose used area exceeds
    :data:`MAX_SHEET_AREA` (the engine loads every ods table at once), and what expat raises for
    malformed XML. A plain part (see :func:`_ods_countable`) is checked with expat alone and its
    few spanned cells placed by counting tags; any other is followed element by element.
    """
    if _ods_countable(data):
        safe_parser().Parse(data, True)  # well-formedness, as the streaming scan would check
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
    """:func:`ods_tables` of a part that :func:`_ods_countable` accepts and expat parsed.

    A cell is in the last table started before it, its row is the number of rows started in
    that table before it, its column one more than the cells started in its row before it (as
    the streaming scan counts). Only the cells carrying a ``spanned`` attribute are placed,
    walking forward from one to the next. None when an attribute needs XML unescaping.
    """
    starts = []
    for match in _ODS_TABLE.finditer(data):
        element = XML_TAG.match(data, match.start())
        name = attributes(element).get(b"table:name", b"") if element else b"&"
        if any(char in name for char in b"&\t\n\r"):
            return None
        starts.append((match.start(), name.decode("utf-8")))
    tables = {name: {"merged": []} for _position, name in starts}
    table_positions = [position for position, _name in starts]
    last = None  # (tag, table, row start, row, col) of the previous cell placed
    for tag in _spanned_tags(data):
        element = XML_TAG.match(data, tag)
        if element is None or element.group(1) not in _ODS_CELL_TAGS:
            continue
        found = attributes(element)
        spans = [found.get(b"table:number-columns-spanned", b"1"),
                 found.get(b"table:number-rows-spanned", b"1")]
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

    parser = safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    result = {}
    for name, table in tables.items():
        box = table["box"]
        area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1) if box else 0
        result[name] = {"merged": sorted(table["merged"]), "area": area}
    return result

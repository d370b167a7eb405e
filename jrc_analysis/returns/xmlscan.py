"""Safe XML scanning: expat with DTDs and entities refused, tag patterns, the sheet-area bound.

Shared by the xlsx (:mod:`.ooxml`) and ods (:mod:`.ods`) scans and by format sniffing."""
from __future__ import annotations

import re
from xml.parsers import expat

from jrc_analysis.returns.cells import parse_address


# The engine holds a sheet as a dense rectangle from its first to its last used cell: one cell
# at A1 and one at XFD1048576 would need 17 billion slots. Sheets whose used rectangle exceeds
# this many cells are refused (read.sheet_unreadable) before the engine loads them.
MAX_SHEET_AREA = 20_000_000
# in a well-formed part (no '<' in attribute values): a start tag, and each of its attributes
XML_TAG = re.compile(rb"<([^\s/>]+)((?:\s+[^\s=]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
_XML_ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class UnsafeXml(Exception):
    """An XML part declares a DTD or entities (refused: entity-expansion attacks)."""


class SheetTooLarge(Exception):
    """A sheet's used rectangle exceeds :data:`MAX_SHEET_AREA` cells."""


def safe_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args) -> None:
        raise UnsafeXml("DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def has_dtd(data: bytes) -> bool:
    # a search for one byte is a memchr: "!" settles the usual part that has none
    return b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data)


def range_box(ref: str) -> tuple[int, int, int, int] | None:
    first, _, last = ref.partition(":")
    a = parse_address(first)
    b = parse_address(last or first)
    if not a or not b:
        return None
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def attributes(element: re.Match) -> dict[bytes, bytes]:
    """The attributes of a start tag matched by ``XML_TAG`` (raw bytes, quotes removed)."""
    return {name: double or single
            for name, double, single in _XML_ATTRIBUTE.findall(element.group(2))}

"""Text from the returns, made safe for the spreadsheets and CSVs we write.

A note cell that starts with = + - @ must never become a live formula in an output (CSV injection),
and control characters or over-long text must not break a workbook. One place for these rules, used by
the ingest outputs, the feedback workbooks and the briefing annex.
"""
from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_ILLEGAL_IN_SHEET = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: object) -> bool:
    """True when a spreadsheet would read ``text`` as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_START)


def escape_formula(text: object) -> object:
    """Text that a spreadsheet would read as a formula (= + - @ …) gets a leading ``'``."""
    if looks_like_formula(text):
        return "'" + text
    return text


def sheet_text(value: object) -> str:
    """``value`` as text a worksheet cell can hold: control characters shown as ``\\xNN``,
    cut to Excel's 32,767 characters (with …)."""
    text = "" if value is None else str(value)
    text = _ILLEGAL_IN_SHEET.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text

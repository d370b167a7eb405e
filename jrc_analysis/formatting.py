"""Numbers as text, rounded half up: the one place every output (charts, notebooks, page, annex,
Word draft) writes numbers through.

:func:`format_number` rounds on the decimal digits a reader sees (``Decimal(repr(value))``, half
up), so 2.385 is 2.39 everywhere — as Excel shows the same value with ``0.00`` — and never 2.38
(Python's ``round`` works on the binary value, 2.38499…). The charts' unit-aware helpers
(:mod:`jrc_analysis.units`) and the notebooks' sentences write their digits through it.
"""
from __future__ import annotations

import math
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

MISSING = "—"
PERCENT = "%"
YESNO = "是/否"
THOUSANDS_FROM = 10000  # thousands separators from 10,000 up (2688 stays 2688)


def is_missing(value) -> bool:
    """True for None, NaN, pd.NA and anything that is not a finite number."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def round_half_up(value: float, digits: int = 2) -> Decimal:
    """``value`` rounded half up to ``digits`` decimals on its written digits
    (``round_half_up(2.385, 2) == Decimal("2.39")``)."""
    exact = Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number_text(value: float, digits: int = 2) -> str:
    """The digits of a number: at most ``digits`` decimals, half up, trailing zeros dropped,
    thousands separators from 10,000 (``number_text(12345.678) == "12,345.68"``); ``—`` missing."""
    if is_missing(value):
        return MISSING
    try:
        rounded = round_half_up(value, digits)
    except InvalidOperation:
        return MISSING
    if rounded == 0:
        rounded = Decimal(0).quantize(Decimal(1).scaleb(-digits))
    text = f"{rounded:,f}" if abs(rounded) >= THOUSANDS_FROM else f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent_text(fraction: float, digits: int = 1) -> str:
    """A fraction as a percentage, half up (``percent_text(0.94125) == "94.1%"``). A fraction
    below 1 never reads 100%: it is cut (not rounded) to one more decimal (``0.9996`` → ``99.96%``)."""
    if is_missing(fraction):
        return MISSING
    percent = Decimal(repr(float(fraction))) * 100
    if float(fraction) < 1 and round_half_up(float(percent), digits) >= 100:
        cut = percent.quantize(Decimal(1).scaleb(-(digits + 1)), rounding=ROUND_FLOOR)
        return f"{number_text(float(cut), digits + 1)}{PERCENT}"
    return f"{number_text(float(percent), digits)}{PERCENT}"


def format_number(value, unit: str = "", digits: int = 2) -> str:
    """``value`` (already in the display ``unit``) as text with its unit, rounded half up.

    ``unit == "%"``: ``value`` is a fraction, shown as a percentage with ``digits`` decimals;
    ``unit == "是/否"``: 是 (≥ 0.5) or 否; otherwise the number (:func:`number_text`) followed by
    the unit: ``format_number(2.385, "万人") == "2.39万人"``, ``format_number(0.941, "%", 1) ==
    "94.1%"``, ``format_number(None, "人") == "—"``.
    """
    if is_missing(value):
        return MISSING
    if unit == PERCENT:
        return percent_text(value, digits)
    if unit == YESNO:
        return "是" if float(value) >= 0.5 else "否"
    return f"{number_text(value, digits)}{unit}"

"""One formatting function, rounding half up on the digits a reader sees (report/formatting.py)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from jrc_analysis.formatting import format_number, number_text, percent_text, round_half_up


@pytest.mark.parametrize("value,unit,digits,expected", [
    (2.385, "万", 2, "2.39万"),        # 发展会员 2.385万: 2.39 in every output (round() gave 2.38)
    (2.375, "", 2, "2.38"),
    (0.125, "", 2, "0.13"),
    (75.0, "人", 2, "75人"),           # trailing zeros dropped
    (2688, "人", 2, "2688人"),         # no separator below 10,000
    (12345.675, "", 2, "12,345.68"),
    (-0.004, "", 2, "0"),              # never "-0"
    (0.94125, "%", 1, "94.1%"),
    (0.94150, "%", 1, "94.2%"),        # half up on the percentage's digits
    (0.9996, "%", 1, "99.96%"),        # below 1 never reads 100%
    (2.16, "%", 0, "216%"),
    (1, "是/否", 2, "是"),
    (0, "是/否", 2, "否"),
])
def test_format_number(value, unit, digits, expected):
    assert format_number(value, unit, digits) == expected


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, float("inf"), "x"])
def test_missing_values_are_a_dash(missing):
    assert format_number(missing, "人") == "—"
    assert percent_text(missing) == "—"
    assert number_text(missing) == "—"


def test_round_half_up_works_on_the_written_digits():
    assert str(round_half_up(2.385, 2)) == "2.39"
    assert round(2.385, 2) == 2.38  # what the binary value gives, the defect this replaces

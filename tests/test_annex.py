"""The annex's display rules (report/annex.py): what each cell holds and how it is formatted."""
from __future__ import annotations

import numpy as np
import pandas as pd

from jrc_analysis.report.annex import (PERCENT, blank_cumulative_of_non_amounts, number_format,
                                       written_number)


def test_cumulative_figures_only_for_amounts():
    # a growth target's gap row carries the school count as cumulative_actual; a flow's is a sum
    table = pd.DataFrame({
        "kind": ["growth", "min", "coverage", "ratio", ""],
        "cumulative_actual": [2160.0, 72880.0, 476.0, 400.0, 94.0],
        "cumulative_target": [np.nan, 70000.0, np.nan, np.nan, np.nan],
        "cumulative_completion": [np.nan, 72880 / 70000, np.nan, np.nan, np.nan],
        "completion": [1.65, 1.04, 0.95, 0.94, np.nan],
    })
    out = blank_cumulative_of_non_amounts(table)
    assert out["cumulative_actual"].isna().tolist() == [True, False, True, True, False]
    assert out.loc[1, "cumulative_target"] == 70000.0
    # 增长1.65% against >1% is not "165% complete"; coverage keeps its share of units
    assert out["completion"].isna().tolist() == [True, False, False, True, True]


def test_years_are_plain_integers_and_fractions_percentages():
    assert number_format("年度", 2024, "number") == "0"  # 2024, not 2,024
    assert number_format("完成率（%）", 0.941, "number") == "0.0%"
    assert number_format("累计完成", 0.941, PERCENT) == "0.0%"
    assert number_format("完成数", 2.385, "number") == "#,##0.00"


def test_amounts_are_written_as_shown_rounded_half_up():
    assert written_number("完成数", 2.385, "number") == 2.39  # the cell holds what it shows
    assert written_number("完成率（%）", 0.94125, "number") == 0.94125  # a fraction stays exact
    assert written_number("年度", 2024, "number") == 2024

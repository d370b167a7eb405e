"""The corpus plan (``python -m pytest -q benchmarks/test_corpus.py``): expected values by hand."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import measure  # noqa: E402


def test_first_twelve_files_are_the_twelve_units_of_2022():
    files = corpus.plan(12)
    assert [f.year for f in files] == [2022] * 12
    assert files[0].prefecture == "南昌市"
    assert files[11].prefecture == "省本级"
    assert {f.revision for f in files} == {1}


def test_years_cycle_and_carry_the_2022_2023_2024_values_in_turn():
    files = corpus.plan(12 * 4)
    # file 12 is the second group: 南昌市 2023 with 2023's values; group 3 (2025) takes 2022's again
    assert (files[12].prefecture, files[12].year, files[12].base_year) == ("南昌市", 2023, 2023)
    assert (files[36].year, files[36].base_year) == (2025, 2022)


def test_past_thirty_years_the_returns_come_again_as_resubmissions():
    files = corpus.plan(12 * 30 + 1)
    last = files[-1]
    assert (last.prefecture, last.year, last.revision) == ("南昌市", 2022, 2)
    assert last.name == "2022/2022年度_南昌市_三年行动完成情况表_v2" + Path(last.distinct).suffix
    assert last.distinct == files[0].distinct  # a byte copy of the first submission
    assert last.style == files[0].style


def test_styles_mix_formats():
    formats = {corpus.STYLES[f.style].fmt for f in corpus.plan(120)}
    assert formats == {"xlsx", "xls", "ods"}


def test_normalised_sorts_and_types_the_key_columns():
    frame = pd.DataFrame({"year": ["2023", "2022"], "prefecture": ["萍乡市", "南昌市"], "county": ["", ""],
                          "indicator": ["a.b", "a.b"], "value": [2, 1.5], "cell": ["C5", "C6"]})
    out = corpus.normalised(frame)
    assert list(out.columns) == corpus.KEY + ["value"]
    assert out["year"].tolist() == [2022, 2023]
    assert out["value"].tolist() == [1.5, 2.0]


def test_digest_ignores_row_order_but_not_values():
    a = pd.DataFrame({"x": ["1", "2"], "y": [1.0, 2.0]})
    assert measure.values_digest(a) == measure.values_digest(a.iloc[::-1])
    assert measure.values_digest(a) != measure.values_digest(a.assign(y=[1.0, 3.0]))

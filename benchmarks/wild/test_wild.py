"""Checks of the wild set itself (not of the cleaner): the truth is what the files hold, the set is
deterministic and consistent, and the scorer puts hand-made cases in the right classes.

Run: ``.venv/bin/python -m pytest -q benchmarks/wild/test_wild.py`` (not part of ``make test``).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_wild  # noqa: E402
import score  # noqa: E402


@pytest.fixture(scope="module")
def wild(tmp_path_factory):
    out = tmp_path_factory.mktemp("wild")
    truth, decoys = make_wild.write_set(out)
    return out, truth, decoys


def _files(out: Path) -> dict[str, bytes]:
    root = out / "returns"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_one_return_per_unit_and_year_in_every_layout_and_format(wild):
    out, truth, _ = wild
    files = _files(out)
    assert len(files) == 36
    per_file = truth.groupby("source_file").first()
    assert sorted(per_file.groupby(["prefecture", "year"]).size().unique()) == [1]
    assert set(truth["layout"]) == set(make_wild.LAYOUTS)
    assert {Path(f).suffix for f in files} == {".xlsx", ".ods", ".xls"}
    chinese = [f for f in files if "/" not in f]  # no year folder
    assert len(chinese) == 4 and not any(ch.isdigit() for f in chinese for ch in f)


def test_same_seed_same_bytes(tmp_path):
    # two runs of the script, each in a fresh process (as a user runs it; odfpy's namespace
    # declarations depend on what the process wrote before)
    for name in ("one", "two"):
        subprocess.run([sys.executable, str(Path(make_wild.__file__)), "-o", str(tmp_path / name)],
                       check=True, capture_output=True, timeout=300)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    for name in ("truth.csv", "decoys.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def _cell(books: dict, out: Path, source: str, sheet: str, cell: str):
    if source not in books:
        wb = CalamineWorkbook.from_path(str(out / "returns" / source))
        books[source] = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                         for name in wb.sheet_names}
    row, col = score.cell_position(cell)
    rows = books[source][sheet]
    return rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""


def _same(content, raw: str) -> bool:
    if isinstance(content, (int, float)):
        return float(content) == float(raw)
    return str(content) == raw


def test_every_truth_and_decoy_cell_holds_what_the_truth_says(wild):
    out, truth, decoys = wild
    books: dict = {}
    wrong = [(t.source_file, t.sheet, t.cell, t.raw) for t in truth.itertuples()
             if not _same(_cell(books, out, t.source_file, t.sheet, t.cell), t.raw)]
    wrong += [(d.source_file, d.sheet, d.cell, d.raw) for d in decoys.itertuples()
              if not _same(_cell(books, out, d.source_file, d.sheet, d.cell), d.raw)]
    assert wrong == []
    assert not truth.duplicated(["source_file", "sheet", "cell"]).any()
    assert not set(zip(truth.source_file, truth.sheet, truth.cell)) & set(
        zip(decoys.source_file, decoys.sheet, decoys.cell))


def test_a_value_in_wan_is_written_as_wan_and_meant_in_the_base_unit():
    r = make_wild.build_return("九江市", 2023)
    assert r.shown("fundraising.total", 12_345_600, "万元", "number")[:2] == (1234.56, 12_345_600.0)
    assert r.shown("first_aid.popular_trainees", 62_300, "万人次", "thousands")[:2] == ("6.23", 62_300.0)
    assert r.shown("grassroots.new_members", 12_345, "人", "thousands")[:2] == ("12,345", 12_345.0)
    assert r.shown("grassroots.new_members", 12_345, "人", "spaces")[:2] == ("12 345", 12_345.0)
    assert r.shown("grassroots.new_members", 123, "人", "fullwidth")[:2] == ("１２３", 123.0)


def test_counties_add_up_and_money_splits_add_up(wild):
    _, truth, _ = wild
    totals = truth[truth["county"] == ""].set_index(["source_file", "indicator"])["value"]
    counties = truth[truth["county"] != ""].groupby(["source_file", "indicator"])["value"].sum()
    per_sheet = truth[truth["county"] != ""].groupby(["source_file", "indicator", "county"]).size()
    assert (per_sheet == 1).all()
    for (source, code), value in counties.items():
        assert value == pytest.approx(totals[(source, code)]), (source, code)
    money = truth[truth["county"] == ""].pivot_table(index="source_file", columns="indicator", values="value")
    assert ((money["fundraising.cash"] + money["fundraising.in_kind"] - money["fundraising.total"]).abs()
            < 1e-6).all()
    assert money["fundraising.total"].median() > 1e7  # tens of millions of 元


def test_scorer_classes_by_hand():
    truth = pd.DataFrame([
        # year, prefecture, county, indicator, value, unit, file, sheet, cell, raw, label, place, ambiguous
        (2023, "九江市", "", "grassroots.new_members", 2500.0, "人", "a.xlsx", "S", "C5", "2500", "B5", "", 0),
        (2023, "九江市", "", "fundraising.total", 12_345_600.0, "元", "a.xlsx", "S", "C6", "1234.56", "B6", "", 0),
        (2023, "九江市", "", "first_aid.aed_new", 40.0, "台", "a.xlsx", "S", "C7", "40", "B7", "", 0),
        (2023, "九江市", "濂溪区", "first_aid.aed_new", 4.0, "台", "a.xlsx", "T", "C4", "4", "C2", "A4", 0),
        (2023, "九江市", "", "care.organ_donations", 7.0, "例", "a.xlsx", "S", "C8", "7", "B8", "", 1),
    ], columns=["year", "prefecture", "county", "indicator", "value", "unit", "source_file", "sheet", "cell",
                "raw", "label_cell", "place_cell", "ambiguous"])
    truth["candidates"] = ["", "", "", "", "care.organ_donations|care.stem_cell_donations"]
    decoys = pd.DataFrame([("a.xlsx", "S", "D5", "上年同期累计", "2300")], columns=make_wild.DECOY_COLUMNS)
    values = pd.DataFrame([
        (2023, "九江市", "", "grassroots.new_members", 2500.0, "人", "a.xlsx", "S", "C5", "2500"),   # found
        (2023, "九江市", "", "fundraising.total", 1234.56, "元", "a.xlsx", "S", "C6", "1234.56"),     # ×10,000 off
        (2023, "九江市", "", "grassroots.new_members", 2300.0, "人", "a.xlsx", "S", "D5", "2300"),   # from 上年同期
        (2023, "九江市", "", "care.stem_cell_donations", 7.0, "例", "a.xlsx", "S", "C8", "7"),       # a guess
    ], columns=["year", "prefecture", "county", "indicator", "value", "unit", "source_file", "sheet", "cell",
                "raw"])
    issues = [SimpleNamespace(severity="warning", code="clean.unmatched_indicator", source_file="a.xlsx",
                              sheet="S", cell="B7", message="…")]
    result = score.score(values, issues, truth, decoys)
    assert result.expected == 4 and result.ambiguous == 1
    assert {name: len(v) for name, v in result.classes.items()} == {
        "found": 1, "wrong.value": 1, "missing.wrong_instead": 1, "wrong.other_cell": 1,
        "missing.named": 1, "missing.silent": 1, "wrong.ambiguous_guess": 1}
    lines = score.report_lines(result, issues, "")
    assert lines[0].startswith("应读取的数值 4；找到 1（25.00%）；未找到 3；错误值 3；多余值 0")


def test_issue_cells_and_ranges_name_the_cells_inside():
    by_sheet, whole = score.issue_index([
        SimpleNamespace(source_file="f", sheet="S", cell="B2:D4"),
        SimpleNamespace(source_file="f", sheet="T", cell=""),
    ])
    assert score.named_at(by_sheet, "f", "S", ["C3"]) and not score.named_at(by_sheet, "f", "S", ["E3"])
    assert ("f", "T") in whole


def test_mappings_are_passed_only_when_load_returns_takes_them(monkeypatch, tmp_path):
    import jrc_analysis.returns.ingest as ingest

    calls = []

    def without(folder, jobs=None):
        calls.append({})
        return "loaded"

    def with_mappings(folder, jobs=None, mappings=None):
        calls.append({"mappings": mappings})
        return "loaded"

    mappings = str(tmp_path / "m.csv")
    monkeypatch.setattr(ingest, "load_returns", without)
    assert score.load(tmp_path / "returns", mappings) == ("loaded", "load_returns 没有对照表参数：--mappings 未使用")
    monkeypatch.setattr(ingest, "load_returns", with_mappings)
    assert score.load(tmp_path / "returns", mappings) == ("loaded", f"对照表：{mappings}（参数 mappings）")
    assert score.load(tmp_path / "returns", None) == ("loaded", "")
    assert calls == [{}, {"mappings": mappings}, {"mappings": None}]

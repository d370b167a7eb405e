"""End to end: `jrc ingest` on the fixed data set (tests/data/raw) reproduces the sample truth and
the published 2023 totals; the template round trip; exit codes. Expected figures are typed in by hand."""
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from jrc_analysis.returns import samples
from jrc_analysis.cli import main
from jrc_analysis.returns.clean import clean_workbook
from jrc_analysis.returns.read import read_cells

from fixed_data import FIXED_RAW  # noqa: E402

RAW = FIXED_RAW
KEY = ["year", "prefecture", "county", "indicator"]

from published import PUBLISHED_2023  # noqa: E402  (tests/published.py)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    code = main(["ingest", str(RAW), "-o", str(out)])
    return code, out, pd.read_parquet(out / "returns.parquet")


def test_ingest_exits_0_and_equals_the_sample_truth_exactly(ingested):
    code, _out, values = ingested
    assert code == 0
    truth = samples.sample_truth()
    got = values[KEY + ["value"]].sort_values(KEY).reset_index(drop=True)
    want = truth[KEY + ["value"]].astype({"year": "int64"}).sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.astype({"year": "int64"}), want.astype({"prefecture": str}),
                                  check_dtype=False)


def test_published_2023_province_totals(ingested):
    _code, _out, values = ingested
    summary = values[(values["year"] == 2023) & (values["county"] == "")]
    totals = summary.groupby("indicator")["value"].sum()
    for code, published in PUBLISHED_2023.items():
        assert totals[code] == published, code


def test_every_row_names_a_cell_that_holds_its_raw_text(ingested):
    _code, _out, values = ingested
    assert (values[["source_file", "sheet", "cell", "raw"]] != "").all().all()
    for source, rows in values.groupby("source_file"):
        cells = read_cells(RAW / source, source_file=source).cells
        held = dict(zip(zip(cells["sheet"], cells["cell"]), cells["raw"]))
        for rec in rows.itertuples(index=False):
            assert held[(rec.sheet, rec.cell)] == rec.raw, (source, rec.sheet, rec.cell)


def test_accounting_holds_for_every_sample_file():
    files = [p for p in sorted(RAW.rglob("*")) if p.suffix in (".xlsx", ".xls", ".ods")
             and not p.name.startswith("~$")]
    assert files
    for path in files:
        source = path.relative_to(RAW).as_posix()
        acc = clean_workbook(read_cells(path, source_file=source), source).accounting
        assert acc.cells_read == acc.values + acc.in_issues + acc.ignored, source
        assert acc.values > 0, source


def test_issues_csv_names_the_planted_slips(ingested):
    """samples.SLIPS: each planted data-quality slip is flagged; the samples have no errors."""
    _code, out, _values = ingested
    issues = pd.read_csv(out / "issues.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    found = set(zip(issues["code"], issues["source_file"]))
    assert ("validate.incomplete", "2023/2023年度_萍乡市_目标任务完成情况表.xlsx") in found
    assert ("validate.cash_plus_in_kind", "2022/2022年度_宜春市_目标任务完成情况表.xlsx") in found
    assert ("validate.counties_vs_summary", "2024/吉安市2024年度目标任务完成情况.xlsx") in found
    assert ("validate.jump", "2024/2024年度_新余市_目标任务完成情况表.xlsx") in found
    assert ("ingest.resubmission", "2023/2023年度_九江市_目标任务完成情况表.xlsx") in found
    assert (issues["severity"] == "error").sum() == 0


# --------------------------------------------------------------------------- the round trip

STYLES = {
    "template": samples.ReturnStyle(),
    "county sheet first": samples.ReturnStyle(county_first=True),
    "hand-made, shifted header": samples.ReturnStyle(from_template=False, shift_rows=3, shift_cols=2,
                                                     summary_sheet="Sheet1", county_sheet="Sheet2"),
    "万元": samples.ReturnStyle(from_template=False, money_unit="万元"),
    "numbers as text": samples.ReturnStyle(from_template=False, numbers_as_text=True),
    "xls": samples.ReturnStyle(fmt="xls", from_template=False),
    "ods": samples.ReturnStyle(fmt="ods", from_template=False),
}


@pytest.mark.parametrize("style", list(STYLES), ids=list(STYLES))
def test_round_trip(tmp_path, style):
    known = pd.DataFrame([
        {"indicator": "grassroots.new_orgs", "county": "", "value": 12.0},
        {"indicator": "grassroots.new_orgs", "county": "东湖区", "value": 5.0},
        {"indicator": "grassroots.new_orgs", "county": "南昌县", "value": 4.0},
        {"indicator": "grassroots.new_orgs", "county": "市本级", "value": 3.0},
        {"indicator": "fundraising.total", "county": "", "value": 1_234_500.0},
        {"indicator": "fundraising.total", "county": "东湖区", "value": 1_234_500.0},
        {"indicator": "fundraising.cash", "county": "", "value": 1_000_000.0},
        {"indicator": "fundraising.in_kind", "county": "", "value": 234_500.0},
        {"indicator": "first_aid.popular_trainees", "county": "", "value": 152_000.0},
        {"indicator": "fundraising.transparency_evaluated", "county": "", "value": 1.0},
        {"indicator": "digital.ms_booking", "county": "", "value": 0.0},
    ])
    ext = STYLES[style].fmt
    path = samples.write_return(known, tmp_path / f"2023年度_南昌市.{ext}", 2023, "南昌市", STYLES[style])
    result = clean_workbook(read_cells(path, source_file=path.name), path.name)
    got = result.values[["indicator", "county", "value"]]
    merged = known.merge(got, on=["indicator", "county"], how="outer", suffixes=("", "_got"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged
    assert merged["value_got"].tolist() == pytest.approx(merged["value"].tolist(), rel=1e-12)
    assert not [i for i in result.issues if i.severity == "error"]
    assert result.accounting.balanced


# --------------------------------------------------------------------------- exit codes

def test_exit_code_1_with_errors_and_good_files_still_written(tmp_path, capsys):
    raw = tmp_path / "raw"
    (raw / "2023").mkdir(parents=True)
    (raw / "2023" / "坏文件.xlsx").write_bytes(b"this is not a workbook")
    samples.write_return(pd.DataFrame([{"indicator": "grassroots.new_orgs", "county": "", "value": 3.0}]),
                         raw / "2023" / "南昌.xlsx", 2023, "南昌市")
    assert main(["ingest", str(raw), "-o", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    written = pd.read_parquet(tmp_path / "out" / "returns.parquet")
    assert written["value"].tolist() == [3.0]


def test_exit_code_2_on_a_usage_error(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "没有"), "-o", str(tmp_path / "out")]) == 2
    assert main(["check", str(tmp_path / "没有")]) == 2
    assert "Traceback" not in capsys.readouterr().err

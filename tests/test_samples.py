"""Sample returns: calibration, consistency of the truth, the writer, and no drift from the tests'
fixed data set (tests/data/raw: the samples as generated, frozen; data/raw is the analyst's)."""
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from jrc_analysis.returns import samples, template
from fixed_data import FIXED_RAW

RAW = FIXED_RAW

from published import PUBLISHED_2023  # noqa: E402  (tests/published.py)


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return samples.sample_truth()


@pytest.fixture(scope="module")
def summary(truth) -> pd.DataFrame:
    part = truth[truth["county"] == ""]
    return part.pivot_table(index=["year", "prefecture"], columns="indicator", values="value")


def test_truth_columns_and_keys_unique(truth):
    assert list(truth.columns) == ["year", "prefecture", "county", "indicator", "value"]
    assert not truth.duplicated(["year", "prefecture", "county", "indicator"]).any()
    assert set(truth["year"]) == {2022, 2023, 2024}


def test_2023_province_totals_equal_the_published_figures(truth):
    totals = truth[(truth["year"] == 2023) & (truth["county"] == "")].groupby("indicator")["value"].sum()
    assert {code: totals[code] for code in PUBLISHED_2023} == PUBLISHED_2023


def test_every_unit_reports_every_indicator_except_the_blank_slip(truth):
    counts = truth[truth["county"] == ""].groupby(["year", "prefecture"]).size()
    assert len(counts) == 36
    assert counts[(2023, "萍乡市")] == 52  # culture.micro_lectures left blank
    assert (counts.drop((2023, "萍乡市")) == 53).all()


def test_counties_and_city_hq_add_up_to_the_summary_except_the_slip(truth):
    counties = truth[truth["county"] != ""].groupby(["year", "prefecture", "indicator"])["value"].sum()
    summary = truth[truth["county"] == ""].set_index(["year", "prefecture", "indicator"])["value"]
    difference = (counties - summary.reindex(counties.index)).loc[lambda d: d != 0]
    assert difference.to_dict() == {(2024, "吉安市", "grassroots.new_members"): 900.0}


def test_county_rows_are_the_prefectures_counties(truth):
    rows = truth[(truth["year"] == 2022) & (truth["prefecture"] == "新余市") & (truth["county"] != "")]
    assert set(rows["county"]) == {"渝水区", "分宜县", "市本级"}
    assert len(rows) == 3 * 11  # 11 county-sheet indicators


def test_cash_plus_in_kind_is_total_except_the_slip(summary):
    gap = summary["fundraising.cash"] + summary["fundraising.in_kind"] - summary["fundraising.total"]
    assert gap[gap != 0].to_dict() == {(2022, "宜春市"): 10000.0}
    assert (summary["fundraising.online"] <= summary["fundraising.cash"]).all()


def test_money_converts_exactly_from_wan_yuan(truth):
    money = truth[truth["indicator"].str.startswith("fundraising.")
                  & (truth["indicator"] != "fundraising.training_participants")
                  & (truth["indicator"] != "fundraising.transparency_evaluated")]["value"]
    assert all(float(f"{v / 10000:.2f}") * 10000 == v for v in money)


def test_certified_at_most_reached_and_values_whole(truth, summary):
    assert (summary["first_aid.certified_trainees"] <= summary["first_aid.popular_trainees"]).all()
    assert (truth["value"] >= 0).all()
    assert (truth["value"] == truth["value"].round()).all()


def test_stocks_never_fall(truth):
    from jrc_analysis.plan import catalog

    stocks = set(catalog.indicators().query("measure == 'stock'")["code"])
    part = truth[truth["indicator"].isin(stocks)]
    wide = part.pivot_table(index=["prefecture", "county", "indicator"], columns="year", values="value")
    assert ((wide[2023] >= wide[2022]) & (wide[2024] >= wide[2023])).all()


def test_yes_no_items_are_one_or_zero(summary):
    assert set(summary["digital.ms_booking"].unique()) == {0.0, 1.0}
    assert summary.loc[(2024, "省本级"), "digital.ms_data_exchange"] == 1.0
    assert summary.loc[(2024, "萍乡市"), "fundraising.transparency_evaluated"] == 0.0


def test_allocate_largest_remainder_and_needs():
    assert list(samples.allocate(10, [1, 1, 1])) == [4, 3, 3]
    assert list(samples.allocate(5, [0, 1], needs=[2, 0])) == [2, 3]
    assert list(samples.allocate(7, [3, 1])) == [5, 2]  # 5.25 and 1.75: the larger remainder wins


# ---- the writer

VALUES = pd.DataFrame([
    dict(indicator="first_aid.popular_trainees", county="", value=152000.0),
    dict(indicator="fundraising.total", county="", value=12_347_500.0),
    dict(indicator="fundraising.transparency_evaluated", county="", value=1.0),
    dict(indicator="first_aid.aed_new", county="", value=7.0),
    dict(indicator="first_aid.aed_new", county="渝水区", value=4.0),
    dict(indicator="first_aid.aed_new", county="分宜县", value=2.0),
    dict(indicator="first_aid.aed_new", county="市本级", value=1.0),
])


def _summary_by_code(ws):
    return {ws.cell(row=r, column=3).value: (ws.cell(row=r, column=5).value, ws.cell(row=r, column=7).value)
            for r in range(template.SUMMARY_FIRST_ROW, ws.max_row + 1)}


def test_write_return_fills_the_template(tmp_path):
    path = samples.write_return(VALUES, tmp_path / "r.xlsx", 2023, "新余市")
    wb = load_workbook(path)
    rows = _summary_by_code(wb["汇总表"])
    assert rows["first_aid.popular_trainees"] == ("人次", 152000)
    assert rows["fundraising.total"] == ("元", 12347500)
    assert rows["fundraising.transparency_evaluated"] == ("是/否", "是")
    assert rows["care.organ_donations"] == ("例", None)  # not in VALUES: left blank
    county = wb["县区明细"]
    aed_col = [c for c in range(2, county.max_column + 1) if county.cell(row=4, column=c).value == "first_aid.aed_new"][0]
    column = {county.cell(row=r, column=1).value: county.cell(row=r, column=aed_col).value
              for r in range(5, county.max_row + 1)}
    assert column == {"渝水区": 4, "分宜县": 2, "市本级": 1, "合计": 7}


def test_write_return_in_wan_yuan_and_text_numbers(tmp_path):
    style = samples.ReturnStyle(from_template=False, money_unit="万元", numbers_as_text=True,
                                summary_sheet="Sheet1", shift_rows=2)
    path = samples.write_return(VALUES, tmp_path / "r.xlsx", 2023, "新余市", style)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Sheet1", "县区明细", "说明"]
    ws = wb["Sheet1"]
    header_row = next(r for r in range(1, 15) if ws.cell(row=r, column=1).value == "序号")
    assert header_row == 7  # title, three info lines, version, two blank rows
    cells = {ws.cell(row=r, column=4).value: [ws.cell(row=r, column=c).value for c in (5, 7)]
             for r in range(header_row + 1, ws.max_row + 1)}
    assert cells["筹集款物合计"] == ["万元", 1234.75]
    popular = cells["应急救护普及培训"][1]
    assert popular in (152000, "15.2万")  # typed as text in every third row


def test_text_numbers_are_exact():
    assert samples._typed_text(152000.0) == "15.2万"
    assert samples._typed_text(1234.0) == "1,234"
    assert samples._typed_text(12.0) is None


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_write_return_other_formats_read_back(tmp_path, fmt):
    style = samples.ReturnStyle(from_template=False, fmt=fmt, county_sheet="附表2")
    path = samples.write_return(VALUES, tmp_path / f"r.{fmt}", 2024, "新余市", style)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["汇总表", "附表2", "说明"]
    rows = wb.get_sheet_by_name("汇总表").to_python()
    by_code = {r[2]: r for r in rows if len(r) > 6}
    assert by_code["fundraising.total"][6] == 12347500
    assert by_code["fundraising.transparency_evaluated"][6] == "是"


def test_lock_file_is_tiny_junk():
    data = samples.lock_file_bytes()
    assert len(data) == 165
    assert data[0] == len("Administrator")


# ---- the committed samples

def test_sample_files_list_every_committed_file():
    listed = set(samples.sample_files()["file"])
    on_disk = {p.relative_to(RAW).as_posix() for p in RAW.rglob("*") if p.is_file() and p.name != "README.md"}
    assert listed == on_disk
    assert len([f for f in listed if f.startswith("2023/")]) == 13  # 12 units + the superseded 九江市


def test_samples_cover_the_variants_issue_3_lists():
    files = samples.sample_files()
    assert {"xlsx", "xls", "ods", "lock"} <= set(files["format"])
    assert files["file"].str.contains("（修订）").sum() == 1
    assert files["file"].str.contains("/~\\$").sum() == 1


def test_generate_samples_is_byte_identical_to_the_fixed_data_set(tmp_path):
    samples.generate_samples(tmp_path)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(RAW).as_posix(): p.read_bytes() for p in RAW.rglob("*") if p.is_file()}
    assert sorted(fresh) == sorted(committed)
    drifted = [name for name in fresh if fresh[name] != committed[name]]
    assert drifted == [], ("tests/data/raw differs from its generator: if the change to samples.py is meant, run "
                          "python -m jrc_analysis.returns.samples tests/data/raw")


def _template_file_values(path: Path) -> dict:
    """(county, indicator) -> value of a return filled in the template as is (layout known)."""
    wb = CalamineWorkbook.from_path(str(path))
    values = {}
    for row in wb.get_sheet_by_name("汇总表").to_python()[template.SUMMARY_FIRST_ROW - 1:]:
        if row[6] != "":
            values[("", row[2])] = {"是": 1.0, "否": 0.0}.get(row[6], row[6])
    if "县区明细" in wb.sheet_names:
        rows = wb.get_sheet_by_name("县区明细").to_python()
        codes = rows[template.COUNTY_CODE_ROW - 1]
        for row in rows[template.COUNTY_FIRST_ROW - 1:]:
            if row[0] != "合计":
                values.update({(row[0], code): row[j] for j, code in enumerate(codes) if j and row[j] != ""})
    return values


def test_committed_template_returns_hold_exactly_the_truth(truth):
    files = samples.sample_files()
    as_is = files[files["variants"].isin(["空白报表原样填报", "修订版（更正首次报送的会员数）"])]
    assert len(as_is) == 27  # 36 returns, 9 reworked by hand
    for row in as_is.itertuples(index=False):
        part = truth[(truth["year"] == row.year) & (truth["prefecture"] == row.prefecture)]
        expected = {(c, i): v for c, i, v in zip(part["county"], part["indicator"], part["value"])}
        assert _template_file_values(RAW / row.file) == expected, row.file


def test_the_superseded_return_differs_in_one_value(truth):
    first = _template_file_values(RAW / "2023" / "2023年度_九江市_目标任务完成情况表.xlsx")
    revised = _template_file_values(RAW / "2023" / "2023年度_九江市_目标任务完成情况表（修订）.xlsx")
    changed = {key for key in first if first[key] != revised[key]}
    assert changed == {("", "grassroots.new_members")}
    assert first[("", "grassroots.new_members")] == 10 * revised[("", "grassroots.new_members")]

"""A return that came but gave nothing is 报表有错误, not 未报送 (issue 13, item 5).

The tables are built on tiny tidy values made here: in 2023 every unit sends 1,000 AEDs except
赣州市 and 萍乡市, which sent nothing usable; 赣州市's file exists but could not be read.
"""
import pandas as pd

from jrc_analysis.analysis import gaps
from jrc_analysis.plan import catalog
from jrc_analysis.returns.ingest import RETURN_COLUMNS

from test_gaps import NO_ALLOCATION, UNITS, row, target, targets, tidy

PLAN = targets(target("first_aid.aed_new", 2023, "min", 500))


def values():
    return tidy([(2023, unit, "first_aid.aed_new", 1_000) for unit in UNITS
                 if unit not in ("赣州市", "萍乡市")])


def returns_frame(rows):
    """The ingest's returns table from (source_file, prefecture, year, used, superseded_by)."""
    frame = pd.DataFrame([{"source_file": f, "prefecture": p, "year": y, "template_version": "",
                           "fill_date": "", "revision": 0, "used": u, "superseded_by": s}
                          for f, p, y, u, s in rows], columns=RETURN_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    return frame


RETURNS = returns_frame([
    ("2023/南昌市.xlsx", "南昌市", 2023, True, ""),
    ("2023/赣州市.xlsx", "赣州市", 2023, False, ""),         # unreadable: the unit from its name
    ("2023/九江市（旧）.xlsx", "九江市", 2023, False, "2023/九江市.xlsx"),  # replaced: not failed
    ("2023/九江市.xlsx", "九江市", 2023, True, ""),
    ("2024/鹰潭市.xlsx", "鹰潭市", 2024, False, ""),
    ("2023/不明.xlsx", "", pd.NA, False, ""),                # unit unknown: cannot be placed
])


def test_failed_returns_are_the_unit_years_whose_file_came_but_gave_nothing():
    failed = gaps.failed_returns(RETURNS)
    assert failed.values.tolist() == [[2023, "赣州市"], [2024, "鹰潭市"]]


def test_a_failed_unit_is_shown_as_return_failed_not_as_not_reported():
    failed = gaps.failed_returns(RETURNS)
    table = gaps.prefecture_gaps(values(), NO_ALLOCATION, PLAN, failed=failed)
    assert row(table, "first_aid.aed_new", 2023, "赣州市")["status"] == "报表有错误"
    assert row(table, "first_aid.aed_new", 2023, "萍乡市")["status"] == "未报送"  # sent nothing
    assert row(table, "first_aid.aed_new", 2023, "南昌市")["returned"]
    # the province count beside it names the unit whose return failed
    assert row(table, "first_aid.aed_new", 2023, "南昌市")["reported"] == "10/12（赣州市报表有错误）"
    without = gaps.prefecture_gaps(values(), NO_ALLOCATION, PLAN)
    assert row(without, "first_aid.aed_new", 2023, "赣州市")["status"] == "未报送"


def test_the_province_count_names_the_failed_units_wherever_it_shows_them():
    failed = gaps.failed_returns(RETURNS)
    province = gaps.province_gaps(values(), PLAN, failed=failed)
    aed = row(province, "first_aid.aed_new", 2023)
    assert aed["actual"] == 10_000 and aed["units_reported"] == 10   # 10 units × 1,000
    assert aed["reported"] == "10/12（赣州市报表有错误）"
    assert aed["status"] == "达标"                                    # 10,000 ≥ 500
    tables = gaps.gap_tables(values(), NO_ALLOCATION, PLAN, failed=failed)
    assert row(tables.province, "first_aid.aed_new", 2023)["reported"] == aed["reported"]
    assert row(tables.prefectures, "first_aid.aed_new", 2023, "赣州市")["status"] == "报表有错误"
    rates = gaps.reporting_rates(values(), failed=failed)
    assert row(rates, "first_aid.aed_new", 2023)["reported"] == "10/12（赣州市报表有错误）"
    assert row(gaps.province_gaps(values(), PLAN), "first_aid.aed_new", 2023)["reported"] == "10/12"


def test_completeness_tells_a_failed_return_from_a_missing_one():
    done = gaps.completeness(values(), failed=gaps.failed_returns(RETURNS)).set_index("prefecture")
    assert done.loc["赣州市", ["returned", "return_failed"]].tolist() == [False, True]
    assert done.loc["萍乡市", ["returned", "return_failed"]].tolist() == [False, False]
    assert done.loc["南昌市", ["returned", "return_failed"]].tolist() == [True, False]
    assert not gaps.completeness(values())["return_failed"].any()
    assert sorted(done.reset_index().columns) == sorted(gaps.COMPLETENESS_COLUMNS)
    assert len(done) == len(catalog.reporting_units())  # one year: one row per unit


def test_the_briefing_shows_a_truncated_return_as_return_failed(tmp_path):
    """The sample returns with 赣州市's 2024 return cut short (the issue's own example)."""
    import shutil
    from pathlib import Path

    from jrc_analysis.analysis.analysis import analyse
    from jrc_analysis.report import captions as briefing

    raw = tmp_path / "raw"
    shutil.copytree(Path(__file__).resolve().parent / "data" / "raw", raw)
    broken = raw / "2024" / "2024年度_赣州市_目标任务完成情况表.xlsx"
    broken.write_bytes(broken.read_bytes()[:3000])
    tables = analyse(2024, raw, tmp_path / "processed")
    ganzhou = tables.prefectures[(tables.prefectures["year"] == 2024)
                                 & (tables.prefectures["prefecture"] == "赣州市")]
    assert set(ganzhou["status"]) == {"报表有错误"} and len(ganzhou) == len(catalog.indicators())
    assert tables.completeness.set_index("prefecture").loc["赣州市", "return_failed"]
    aed = row(tables.province, "first_aid.aed_new", 2024)
    assert aed["reported"] == "11/12（赣州市报表有错误）"
    assert briefing.trend_caption(tables.province, "first_aid.aed_new", 2024).endswith(
        "11/12个单位报送（赣州市报表有错误）。")
    assert "报表有错误1个" in briefing.prefectures_caption(tables.prefectures, "first_aid.aed_new", 2024)


def test_the_annex_and_the_notebook_matrix_say_return_failed():
    from jrc_analysis.analysis import explore
    from jrc_analysis.report import annex

    done = gaps.completeness(values(), failed=gaps.failed_returns(RETURNS))
    said = dict(zip(annex.completeness_sheet(done)["填报单位"], annex.completeness_sheet(done)["是否报送"]))
    assert (said["赣州市"], said["萍乡市"], said["南昌市"]) == ("报表有错误", "未报送", "已报送")
    matrix = explore.returns_matrix(done)["2023年"]
    assert (matrix["赣州市"], matrix["萍乡市"]) == ("报表有错误", "未报送")
    assert matrix["南昌市"].startswith("已报送")

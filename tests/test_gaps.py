"""Gaps, trends, status, coverage and completeness, on tiny tidy tables built here.

Every expected number below is worked out by hand in the comment beside it.
"""
import math

import pandas as pd
import pytest

from jrc_analysis.plan import catalog

from jrc_analysis.analysis import gaps

VALUE_COLUMNS = ["year", "prefecture", "county", "indicator", "value", "unit", "source_file",
                 "sheet", "cell", "raw"]


def tidy(rows):
    """Tidy values from (year, prefecture, indicator, value[, county]) tuples."""
    records = []
    for row in rows:
        year, prefecture, indicator, value = row[:4]
        county = row[4] if len(row) > 4 else ""
        records.append({"year": year, "prefecture": prefecture, "county": county,
                        "indicator": indicator, "value": float(value), "unit": "",
                        "source_file": f"{year}/{prefecture}.xlsx",
                        "sheet": "汇总表" if county == "" else "县区明细", "cell": "G5",
                        "raw": str(value)})
    return pd.DataFrame(records, columns=VALUE_COLUMNS)


def target(indicator, year, kind, value, upper=None, level="province", timing="annual",
           related="", scope=""):
    return {"indicator": indicator, "year": year, "kind": kind, "value": value,
            "upper": "" if upper is None else upper, "level": level, "timing": timing,
            "related_indicator": related, "scope": scope, "wording": "不少于", "sentence": "…"}


def targets(*rows):
    return pd.DataFrame(list(rows))


NO_ALLOCATION = pd.DataFrame(columns=["indicator", "year", "prefecture", "share", "target",
                                      "basis"])
PREFECTURES = catalog.prefectures()  # 南昌市 … 上饶市, the plan's order
UNITS = catalog.reporting_units()     # the 11, then 省本级


def row(table, indicator, year, prefecture=None):
    """The single row of ``table`` for indicator/year (and prefecture)."""
    mask = (table["indicator"] == indicator) & (table["year"] == year)
    if prefecture is not None:
        mask &= table["prefecture"] == prefecture
    found = table[mask]
    assert len(found) == 1, found
    return found.iloc[0]


# --- the province's published 2023 completion rates ---------------------------------------

def test_published_2023_completion_rates():
    # popular first aid: 11 × 100,000 + 359,300 = 1,459,300 against 750,000 → 1.94573… → 195%
    # eldercare caregivers: 11 × 200 + 488 = 2,688 against 1,000 → 2.688 → 269%
    # eldercare popular: 11 × 4,000 + 8,200 = 52,200 against 30,000 → 1.74 → 174%
    rows = []
    for unit in PREFECTURES:
        rows += [(2023, unit, "first_aid.popular_trainees", 100_000),
                 (2023, unit, "care.eldercare_caregivers", 200),
                 (2023, unit, "care.eldercare_popular", 4_000)]
    rows += [(2023, "省本级", "first_aid.popular_trainees", 359_300),
             (2023, "省本级", "care.eldercare_caregivers", 488),
             (2023, "省本级", "care.eldercare_popular", 8_200)]
    plan = targets(target("first_aid.popular_trainees", 2023, "min", 750_000),
                   target("care.eldercare_caregivers", 2023, "min", 1_000),
                   target("care.eldercare_popular", 2023, "min", 30_000))
    table = gaps.province_gaps(tidy(rows), plan)

    first_aid = row(table, "first_aid.popular_trainees", 2023)
    assert first_aid["actual"] == 1_459_300
    assert first_aid["gap"] == 709_300
    assert first_aid["completion"] == pytest.approx(1.9457333333)
    assert round(first_aid["completion"] * 100) == 195
    caregivers = row(table, "care.eldercare_caregivers", 2023)
    assert caregivers["actual"] == 2_688 and round(caregivers["completion"] * 100) == 269
    popular = row(table, "care.eldercare_popular", 2023)
    assert popular["actual"] == 52_200 and popular["completion"] == pytest.approx(1.74)
    for indicator in ("first_aid.popular_trainees", "care.eldercare_caregivers",
                      "care.eldercare_popular"):
        found = row(table, indicator, 2023)
        assert found["status"] == "达标"
        assert found["reported"] == "12/12"


# --- missing returns, county rows, no mutation ----------------------------------------------

def missing_pingxiang_values():
    # 2023: every unit sends 1,000 AEDs except 萍乡市, which sent nothing at all.
    return tidy([(2023, unit, "first_aid.aed_new", 1_000) for unit in UNITS if unit != "萍乡市"])


def test_missing_return_is_not_zero_province():
    plan = targets(target("first_aid.aed_new", 2023, "min", 500),
                   target("grassroots.new_orgs", 2023, "min", 300))
    table = gaps.province_gaps(missing_pingxiang_values(), plan)
    aed = row(table, "first_aid.aed_new", 2023)
    assert aed["actual"] == 11_000            # 11 units × 1,000
    assert aed["units_reported"] == 11 and aed["units_expected"] == 12
    assert aed["reported"] == "11/12"
    # nobody reported new organisations: 未报送 and no number, not 0 against 300
    orgs = row(table, "grassroots.new_orgs", 2023)
    assert orgs["status"] == "未报送"
    assert math.isnan(orgs["actual"]) and math.isnan(orgs["completion"])
    assert orgs["reported"] == "0/12"


def test_missing_return_is_not_zero_prefecture():
    plan = targets(target("first_aid.aed_new", 2023, "min", 500))
    allocation = pd.DataFrame([
        {"indicator": "first_aid.aed_new", "year": 2023, "prefecture": "萍乡市", "share": 0.06,
         "target": 30, "basis": "人口比例（假设）"}])
    table = gaps.prefecture_gaps(missing_pingxiang_values(), allocation, plan)
    assert len(table[(table["indicator"] == "first_aid.aed_new")]) == 12  # every unit has a row
    pingxiang = row(table, "first_aid.aed_new", 2023, "萍乡市")
    assert pingxiang["status"] == "未报送"
    assert not pingxiang["returned"]
    assert math.isnan(pingxiang["actual"])
    assert pingxiang["target"] == 30
    assert pd.isna(pingxiang["rank"])
    nanchang = row(table, "first_aid.aed_new", 2023, "南昌市")
    assert nanchang["returned"] and nanchang["actual"] == 1_000
    assert nanchang["status"] == "无目标"    # no allocated target for 南昌市 in this allocation


def test_province_total_never_adds_county_rows():
    # 南昌市 total 100 on its summary sheet, its counties 60 + 40 and 市本级 5 → still 100
    values = tidy([(2023, "南昌市", "first_aid.aed_new", 100),
                   (2023, "南昌市", "first_aid.aed_new", 60, "东湖区"),
                   (2023, "南昌市", "first_aid.aed_new", 40, "西湖区"),
                   (2023, "南昌市", "first_aid.aed_new", 5, "市本级")])
    table = gaps.province_gaps(values, targets(target("first_aid.aed_new", 2023, "min", 500)))
    aed = row(table, "first_aid.aed_new", 2023)
    assert aed["actual"] == 100 and aed["completion"] == pytest.approx(0.2)
    assert aed["status"] == "未达标"
    assert aed["reported"] == "1/12"


def test_inputs_are_not_mutated():
    values = missing_pingxiang_values()
    plan = targets(target("first_aid.aed_new", 2023, "min", 500))
    before_values, before_plan = values.copy(), plan.copy()
    gaps.province_gaps(values, plan)
    gaps.prefecture_gaps(values, NO_ALLOCATION, plan)
    gaps.coverage_table(values, plan)
    pd.testing.assert_frame_equal(values, before_values)
    pd.testing.assert_frame_equal(plan, before_plan)


# --- stocks and flows, cumulative, trend ----------------------------------------------------

def stock_and_flow():
    values = tidy([
        # stock: staff at year end — 2022: 100 + 50 = 150; 2023: 120 + 60 = 180
        (2022, "南昌市", "culture.media_platforms", 100), (2022, "九江市", "culture.media_platforms", 50),
        (2023, "南昌市", "culture.media_platforms", 120), (2023, "九江市", "culture.media_platforms", 60),
        # flow: AEDs — 2022: 600; 2023: 700; 2024: 300
        (2022, "南昌市", "first_aid.aed_new", 600), (2023, "南昌市", "first_aid.aed_new", 700),
        (2024, "南昌市", "first_aid.aed_new", 300),
    ])
    plan = targets(target("culture.media_platforms", 2022, "min", 112),
                   target("first_aid.aed_new", 2022, "min", 500),
                   target("first_aid.aed_new", 2023, "min", 500),
                   target("first_aid.aed_new", 2024, "min", 500))
    return values, plan


@pytest.fixture(scope="module")
def stock_and_flow_table():
    values, plan = stock_and_flow()
    return gaps.province_gaps(values, plan)


def test_stock_is_never_summed_over_years(stock_and_flow_table):
    table = stock_and_flow_table
    media_2022 = row(table, "culture.media_platforms", 2022)
    assert media_2022["cumulative_actual"] == 150
    assert media_2022["cumulative_target"] == 112
    assert media_2022["status"] == "达标"
    media_2023 = row(table, "culture.media_platforms", 2023)
    assert media_2023["cumulative_actual"] == 180       # the 2023 level, not 150 + 180
    assert media_2023["status"] == "无目标"              # the plan set 112 for 2022 only
    assert math.isnan(media_2023["target"])


def test_flow_cumulative_against_summed_targets(stock_and_flow_table):
    table = stock_and_flow_table
    aed_2023 = row(table, "first_aid.aed_new", 2023)
    assert aed_2023["cumulative_actual"] == 1_300        # 600 + 700
    assert aed_2023["cumulative_target"] == 1_000        # 500 + 500
    assert aed_2023["cumulative_completion"] == pytest.approx(1.3)
    aed_2024 = row(table, "first_aid.aed_new", 2024)
    assert aed_2024["cumulative_actual"] == 1_600        # 600 + 700 + 300
    assert aed_2024["cumulative_target"] == 1_500
    assert aed_2024["status"] == "未达标"                 # 300 < 500 this year


def test_year_over_year_change(stock_and_flow_table):
    table = stock_and_flow_table
    assert math.isnan(row(table, "culture.media_platforms", 2022)["yoy_change"])
    media_2023 = row(table, "culture.media_platforms", 2023)
    assert media_2023["yoy_change"] == 30                # 180 − 150
    assert media_2023["yoy_pct"] == pytest.approx(0.2)   # 30 ÷ 150
    aed_2024 = row(table, "first_aid.aed_new", 2024)
    assert aed_2024["yoy_change"] == -400                # 300 − 700
    assert aed_2024["yoy_pct"] == pytest.approx(-4 / 7)


def test_year_without_targets_gets_trend_and_no_target_status():
    # values for 2023 and 2025; targets 2022–2024 → years 2022 … 2025 (2024 has no values)
    values = tidy([(2023, "南昌市", "first_aid.aed_new", 400), (2025, "南昌市", "first_aid.aed_new", 900),
                   (2024, "南昌市", "first_aid.aed_new", 450)])
    plan = targets(*(target("first_aid.aed_new", y, "min", 500) for y in (2022, 2023, 2024)))
    table = gaps.province_gaps(values, plan)
    aed = table[table["indicator"] == "first_aid.aed_new"]
    assert aed["year"].tolist() == [2022, 2023, 2024, 2025]
    assert aed["status"].tolist() == ["未报送", "未达标", "未达标", "无目标"]
    y2025 = row(table, "first_aid.aed_new", 2025)
    assert math.isnan(y2025["target"]) and math.isnan(y2025["completion"])
    assert y2025["yoy_change"] == 450                    # 900 − 450
    assert y2025["yoy_pct"] == pytest.approx(1.0)
    assert math.isnan(y2025["cumulative_actual"])        # outside the plan's 2022–2024


# --- every kind of target -------------------------------------------------------------------

def test_range_below_within_above():
    # 2–4 innovation cases a year: 1 (below), 3 (within), 5 (above, still achieved)
    values = tidy([(2022, "南昌市", "reform.innovation_cases", 1),
                   (2023, "南昌市", "reform.innovation_cases", 2), (2023, "吉安市", "reform.innovation_cases", 1),
                   (2024, "吉安市", "reform.innovation_cases", 5)])
    plan = targets(*(target("reform.innovation_cases", y, "range", 2, upper=4)
                     for y in (2022, 2023, 2024)))
    table = gaps.province_gaps(values, plan)
    cases = table[table["indicator"] == "reform.innovation_cases"]
    assert cases["band"].tolist() == ["below", "within", "above"]
    assert cases["status"].tolist() == ["未达标", "达标", "达标"]
    assert cases["completion"].tolist() == pytest.approx([0.5, 1.5, 2.5])
    assert cases["target_upper"].tolist() == [4, 4, 4]


def test_coverage_of_prefectures_names_those_missing():
    # every prefecture ≥ 1 team: 萍乡市 sent nothing, 新余市 has 0, 省本级's team does not count
    rows = [(2022, p, "rescue.prefecture_teams", 1) for p in PREFECTURES if p not in ("萍乡市", "新余市")]
    rows += [(2022, "新余市", "rescue.prefecture_teams", 0), (2022, "省本级", "rescue.prefecture_teams", 1)]
    plan = targets(target("rescue.prefecture_teams", 2022, "coverage", 1, level="prefecture"))
    coverage = gaps.coverage_table(tidy(rows), plan)
    teams = row(coverage, "rescue.prefecture_teams", 2022)
    assert teams["units_expected"] == 11
    assert teams["units_meeting"] == 9
    assert teams["share"] == pytest.approx(9 / 11)
    assert teams["units_missing"] == ["萍乡市", "新余市"]
    assert teams["missing_text"] == "萍乡市、新余市"
    assert teams["units_reported"] == 10
    assert teams["status"] == "未达标"
    province = row(gaps.province_gaps(tidy(rows), plan), "rescue.prefecture_teams", 2022)
    assert (province["actual"], province["target"], province["gap"]) == (9, 11, -2)
    assert province["status"] == "未达标" and province["reported"] == "10/11"
    prefectures = gaps.prefecture_gaps(tidy(rows), NO_ALLOCATION, plan)
    assert row(prefectures, "rescue.prefecture_teams", 2022, "新余市")["status"] == "未达标"
    assert row(prefectures, "rescue.prefecture_teams", 2022, "萍乡市")["status"] == "未报送"
    assert row(prefectures, "rescue.prefecture_teams", 2022, "南昌市")["status"] == "达标"
    assert row(prefectures, "rescue.prefecture_teams", 2022, "省本级")["status"] == "无目标"


def test_coverage_of_counties_counts_absent_counties_as_missing():
    # every county ≥ 3 volunteer teams; only 新余市 (2 counties) and 鹰潭市 (3) sent county rows
    values = tidy([(2023, "新余市", "grassroots.volunteer_teams", 3, "渝水区"),
                   (2023, "新余市", "grassroots.volunteer_teams", 2, "分宜县"),
                   (2023, "新余市", "grassroots.volunteer_teams", 10, "市本级"),
                   (2023, "新余市", "grassroots.volunteer_teams", 15),
                   (2023, "鹰潭市", "grassroots.volunteer_teams", 4, "月湖区"),
                   (2023, "鹰潭市", "grassroots.volunteer_teams", 3, "余江区"),
                   (2023, "鹰潭市", "grassroots.volunteer_teams", 5, "贵溪市")])
    plan = targets(target("grassroots.volunteer_teams", 2023, "coverage", 3, level="county"))
    teams = row(gaps.coverage_table(values, plan), "grassroots.volunteer_teams", 2023)
    assert teams["units_expected"] == 100
    assert teams["units_meeting"] == 4                   # 渝水区, 月湖区, 余江区, 贵溪市
    assert len(teams["units_missing"]) == 96
    assert "分宜县" in teams["units_missing"] and "东湖区" in teams["units_missing"]
    assert "渝水区" not in teams["units_missing"] and "市本级" not in teams["units_missing"]
    assert teams["units_missing"][0] == "东湖区"          # geographic order: 南昌市's first county
    assert teams["units_reported"] == 5
    assert teams["status"] == "未达标"
    prefectures = gaps.prefecture_gaps(values, NO_ALLOCATION, plan)
    xinyu = row(prefectures, "grassroots.volunteer_teams", 2023, "新余市")
    assert (xinyu["actual"], xinyu["target"], xinyu["status"]) == (1, 2, "未达标")
    assert xinyu["total"] == 15                          # its summary-sheet total
    yingtan = row(prefectures, "grassroots.volunteer_teams", 2023, "鹰潭市")
    assert (yingtan["actual"], yingtan["target"], yingtan["status"]) == (3, 3, "达标")
    assert row(prefectures, "grassroots.volunteer_teams", 2023, "南昌市")["status"] == "未报送"


def test_ratio_before_and_at_its_due_year():
    # hospitals with a desk ÷ level-2+ hospitals, 100% by 2024
    values = tidy([
        (2022, "南昌市", "care.hospitals_with_desk", 10), (2022, "南昌市", "care.hospitals_l2plus", 20),
        (2022, "九江市", "care.hospitals_with_desk", 10), (2022, "九江市", "care.hospitals_l2plus", 20),
        (2024, "南昌市", "care.hospitals_with_desk", 20), (2024, "南昌市", "care.hospitals_l2plus", 20),
        (2024, "九江市", "care.hospitals_with_desk", 15), (2024, "九江市", "care.hospitals_l2plus", 20),
        # 省本级 gives desks but no hospital count: left out of the ratio
        (2024, "省本级", "care.hospitals_with_desk", 5),
    ])
    plan = targets(target("care.hospitals_with_desk", 2024, "ratio", 1.0, timing="by",
                          related="care.hospitals_l2plus"))
    table = gaps.province_gaps(values, plan)
    early = row(table, "care.hospitals_with_desk", 2022)
    assert early["actual"] == pytest.approx(0.5)         # 20 ÷ 40
    assert early["completion"] == pytest.approx(0.5)     # progress towards 2024
    assert early["status"] == "无目标" and not early["due"] and early["due_year"] == 2024
    due = row(table, "care.hospitals_with_desk", 2024)
    assert due["actual"] == pytest.approx(0.875)         # (20 + 15) ÷ (20 + 20)
    assert due["status"] == "未达标" and due["due"]
    assert due["units_reported"] == 2
    assert due["total"] == 40                             # desks: 20 + 15 + 5
    assert due["actual_unit"] == "比例"
    prefectures = gaps.prefecture_gaps(values, NO_ALLOCATION, plan)
    assert row(prefectures, "care.hospitals_with_desk", 2024, "南昌市")["status"] == "达标"
    jiujiang = row(prefectures, "care.hospitals_with_desk", 2024, "九江市")
    assert jiujiang["actual"] == pytest.approx(0.75) and jiujiang["status"] == "未达标"


def test_milestone_due_from_the_provincial_office():
    values = tidy([(2022, "省本级", "digital.ms_booking", 0), (2023, "省本级", "digital.ms_booking", 0),
                   (2024, "省本级", "digital.ms_booking", 1), (2023, "南昌市", "digital.ms_booking", 1),
                   (2024, "省本级", "digital.ms_qrcode", 0)])
    plan = targets(target("digital.ms_booking", 2024, "milestone", 1, level="unit", timing="by",
                          scope="省本级"),
                   target("digital.ms_qrcode", 2024, "milestone", 1, level="unit", timing="by",
                          scope="省本级"))
    table = gaps.province_gaps(values, plan)
    booking = table[table["indicator"] == "digital.ms_booking"]
    assert booking["actual"].tolist() == [0, 0, 1]       # 南昌市's 1 in 2023 is not the office's
    assert booking["status"].tolist() == ["无目标", "无目标", "达标"]
    assert booking["reported"].tolist() == ["1/1", "1/1", "1/1"]
    assert row(table, "digital.ms_qrcode", 2024)["status"] == "未达标"
    prefectures = gaps.prefecture_gaps(values, NO_ALLOCATION, plan)
    assert row(prefectures, "digital.ms_booking", 2024, "省本级")["status"] == "达标"
    assert row(prefectures, "digital.ms_booking", 2023, "南昌市")["status"] == "无目标"


def test_growth_of_school_red_cross_must_exceed_one_percent():
    values = tidy([
        # 2023: new 2 + 3 = 5 of totals 202 + 303 = 505 → 5 ÷ 500 = 1.0%, not above 1%
        (2023, "南昌市", "grassroots.school_rc_total", 202), (2023, "南昌市", "grassroots.school_rc_new", 2),
        (2023, "九江市", "grassroots.school_rc_total", 303), (2023, "九江市", "grassroots.school_rc_new", 3),
        # 2024: new 6 + 1 = 7 of 306 + 301 = 607 → 7 ÷ 600 = 1.1667%
        (2024, "南昌市", "grassroots.school_rc_total", 306), (2024, "南昌市", "grassroots.school_rc_new", 6),
        (2024, "九江市", "grassroots.school_rc_total", 301), (2024, "九江市", "grassroots.school_rc_new", 1),
    ])
    plan = targets(*(target("grassroots.school_rc_total", y, "growth", 0.01,
                            related="grassroots.school_rc_new") for y in (2023, 2024)))
    table = gaps.province_gaps(values, plan)
    y2023 = row(table, "grassroots.school_rc_total", 2023)
    assert y2023["actual"] == pytest.approx(0.01) and y2023["status"] == "未达标"
    y2024 = row(table, "grassroots.school_rc_total", 2024)
    assert y2024["actual"] == pytest.approx(7 / 600)
    assert y2024["completion"] == pytest.approx(7 / 6)
    assert y2024["status"] == "达标"
    prefectures = gaps.prefecture_gaps(values, NO_ALLOCATION, plan)
    nanchang = row(prefectures, "grassroots.school_rc_total", 2024, "南昌市")
    assert nanchang["actual"] == pytest.approx(0.02) and nanchang["status"] == "达标"  # 6 ÷ 300
    jiujiang = row(prefectures, "grassroots.school_rc_total", 2024, "九江市")
    assert jiujiang["actual"] == pytest.approx(1 / 300) and jiujiang["status"] == "未达标"


# --- prefecture table: allocation, share, rank ----------------------------------------------

def test_allocated_targets_share_and_rank():
    values = tidy([(2023, "南昌市", "first_aid.certified_trainees", 15_000),
                   (2023, "九江市", "first_aid.certified_trainees", 10_000),
                   (2023, "吉安市", "first_aid.certified_trainees", 10_000),
                   (2023, "省本级", "first_aid.certified_trainees", 5_000)])
    plan = targets(target("first_aid.certified_trainees", 2023, "min", 100_000))
    allocation = pd.DataFrame([
        {"indicator": "first_aid.certified_trainees", "year": 2023, "prefecture": "南昌市",
         "share": 0.1, "target": 10_000, "basis": "人口比例（假设）"},
        {"indicator": "first_aid.certified_trainees", "year": 2023, "prefecture": "九江市",
         "share": 0.08, "target": 8_000, "basis": "人口比例（假设）"},
        {"indicator": "first_aid.certified_trainees", "year": 2023, "prefecture": "吉安市",
         "share": 0.125, "target": 12_500, "basis": "人口比例（假设）"}])
    table = gaps.prefecture_gaps(values, allocation, plan)
    trainees = table[(table["indicator"] == "first_aid.certified_trainees")
                     & (table["year"] == 2023)]
    assert trainees["prefecture"].astype(str).tolist() == UNITS   # reporting-unit order
    nanchang = row(table, "first_aid.certified_trainees", 2023, "南昌市")
    assert nanchang["target"] == 10_000 and nanchang["completion"] == pytest.approx(1.5)
    assert nanchang["allocation_share"] == 0.1 and nanchang["target_basis"] == "人口比例（假设）"
    assert nanchang["share"] == pytest.approx(15_000 / 40_000)
    assert nanchang["status"] == "达标"
    jian = row(table, "first_aid.certified_trainees", 2023, "吉安市")
    assert jian["completion"] == pytest.approx(0.8) and jian["status"] == "未达标"
    # rank by total: 南昌 1; 九江 and 吉安 tie at 2; 省本级 4; units that did not report: NA
    ranks = dict(zip(trainees["prefecture"].astype(str), trainees["rank"]))
    assert (ranks["南昌市"], ranks["九江市"], ranks["吉安市"], ranks["省本级"]) == (1, 2, 2, 4)
    assert pd.isna(ranks["萍乡市"])
    # completion rank: 南昌 1.5, 九江 1.25, 吉安 0.8
    completion_ranks = dict(zip(trainees["prefecture"].astype(str), trainees["completion_rank"]))
    assert (completion_ranks["南昌市"], completion_ranks["九江市"], completion_ranks["吉安市"]) == (1, 2, 3)
    assert trainees["reported"].unique().tolist() == ["4/12"]


def test_range_allocation_scales_upper_end():
    values = tidy([(2023, "南昌市", "reform.innovation_cases", 1)])
    plan = targets(target("reform.innovation_cases", 2023, "range", 2, upper=4))
    allocation = pd.DataFrame([{"indicator": "reform.innovation_cases", "year": 2023,
                                "prefecture": "南昌市", "share": 0.5, "target": 1.0,
                                "basis": "用户分解"}])
    nanchang = row(gaps.prefecture_gaps(values, allocation, plan), "reform.innovation_cases",
                   2023, "南昌市")
    assert (nanchang["target"], nanchang["target_upper"]) == (1.0, 2.0)  # 4 × 0.5
    assert nanchang["band"] == "within" and nanchang["status"] == "达标"


# --- the status rule table ------------------------------------------------------------------

def test_status_rules_cover_every_kind_with_the_four_statuses():
    rules = gaps.status_rules()
    assert set(rules["status"]) == {"达标", "未达标", "未报送", "无目标"}
    assert {"min", "range", "coverage", "ratio", "growth", "milestone"} <= set(rules["kind"])
    assert rules["condition"].str.len().gt(0).all()


def test_status_follows_the_rule_table_not_code():
    frame = pd.DataFrame({"kind": ["min", "min", "min"], "actual": [95.0, 80.0, None],
                          "target": [100.0, 100.0, 100.0], "due": [True, True, True],
                          "completion": [0.95, 0.80, None]})
    assert gaps.apply_status(frame)["status"].tolist() == ["未达标", "未达标", "未报送"]
    lenient = gaps.status_rules()
    lenient.loc[lenient["kind"] == "min", "threshold"] = 0.9   # a 90% rule, written once
    assert gaps.apply_status(frame, lenient)["status"].tolist() == ["达标", "未达标", "未报送"]


def test_table_columns_and_order_are_stable(stock_and_flow_table):
    values, plan = stock_and_flow()
    province = stock_and_flow_table
    assert list(province.columns) == gaps.PROVINCE_COLUMNS
    assert len(province) == len(catalog.indicators()) * 3          # 2022, 2023, 2024
    # area order first (culture before digital although the catalogue lists digital first)
    areas = province["area"].astype(str).drop_duplicates().tolist()
    assert areas == catalog.areas()["area"].astype(str).tolist()
    assert set(province["status"]) <= {"达标", "未达标", "未报送", "无目标"}
    prefecture = gaps.prefecture_gaps(values, NO_ALLOCATION, plan)
    assert list(prefecture.columns) == gaps.PREFECTURE_COLUMNS
    assert len(prefecture) == len(province) * 12


# --- completeness and the fundraising mix ---------------------------------------------------

def test_completeness_names_blank_indicators_and_missing_returns():
    values = tidy([(2022, "南昌市", "first_aid.aed_new", 10), (2022, "萍乡市", "first_aid.aed_new", 3),
                   (2023, "南昌市", "first_aid.aed_new", 12), (2023, "南昌市", "care.aid_funds", 1),
                   # a county row alone: the return was sent, the summary total left blank
                   (2023, "萍乡市", "first_aid.aed_new", 2, "安源区")])
    table = gaps.completeness(values, expected_units=["南昌市", "萍乡市"])
    n = len(catalog.indicators())
    assert table[["year", "prefecture"]].values.tolist() == [
        [2022, "南昌市"], [2022, "萍乡市"], [2023, "南昌市"], [2023, "萍乡市"]]
    nanchang = table.iloc[2]
    assert nanchang["returned"] and nanchang["indicators_reported"] == 2
    assert nanchang["indicators_blank"] == n - 2
    assert "first_aid.aed_new" not in nanchang["blank_indicators"]
    assert "care.aid_funds" not in nanchang["blank_indicators"]
    assert nanchang["blank_indicators"][0] == "reform.innovation_cases"
    assert nanchang["blank_text"].startswith("形成可供学习借鉴的改革经验、已建立监事会的红十字会")
    pingxiang = table.iloc[3]
    assert pingxiang["returned"] and pingxiang["indicators_reported"] == 0
    assert pingxiang["indicators_blank"] == n


def test_completeness_marks_units_without_a_return():
    table = gaps.completeness(missing_pingxiang_values())
    assert len(table) == 12
    pingxiang = table[table["prefecture"] == "萍乡市"].iloc[0]
    assert not pingxiang["returned"]
    assert table["returned"].sum() == 11


def test_reporting_rate_per_indicator_and_year():
    rates = gaps.reporting_rates(missing_pingxiang_values())
    aed = row(rates, "first_aid.aed_new", 2023)
    assert aed["units_reported"] == 11 and aed["rate"] == pytest.approx(11 / 12)
    assert aed["reported"] == "11/12"
    assert row(rates, "care.aid_funds", 2023)["units_reported"] == 0


def test_fundraising_mix_shares_and_trend():
    values = tidy([
        (2022, "南昌市", "fundraising.total", 1000), (2022, "南昌市", "fundraising.cash", 600),
        (2022, "南昌市", "fundraising.in_kind", 400), (2022, "南昌市", "fundraising.online", 100),
        (2022, "九江市", "fundraising.total", 1000), (2022, "九江市", "fundraising.cash", 800),
        (2022, "九江市", "fundraising.online", 300),
        (2023, "南昌市", "fundraising.total", 1000), (2023, "南昌市", "fundraising.cash", 700),
        (2023, "南昌市", "fundraising.online", 200),
        (2023, "九江市", "fundraising.total", 2000), (2023, "九江市", "fundraising.cash", 1500),
        (2023, "九江市", "fundraising.online", 500),
    ])
    mix = gaps.fundraising_mix(values)
    assert mix["prefecture"].tolist()[:2] == ["全省", "全省"]
    province_2022 = row(mix.assign(indicator=""), "", 2022, "全省")
    assert province_2022["cash_share"] == pytest.approx(0.7)      # 1400 ÷ 2000
    assert province_2022["online_share"] == pytest.approx(0.2)    # 400 ÷ 2000
    assert province_2022["in_kind_share"] == pytest.approx(0.4)   # 400 ÷ 1000 (南昌 only)
    province_2023 = row(mix.assign(indicator=""), "", 2023, "全省")
    assert province_2023["cash_share"] == pytest.approx(2200 / 3000)
    assert province_2023["cash_share_change"] == pytest.approx(2200 / 3000 - 0.7)
    assert province_2023["cash_share_trend"] == "上升"
    assert province_2023["online_share_change"] == pytest.approx(700 / 3000 - 0.2)
    jiujiang_2023 = row(mix.assign(indicator=""), "", 2023, "九江市")
    assert jiujiang_2023["cash_share"] == pytest.approx(0.75)
    assert jiujiang_2023["cash_share_trend"] == "下降"            # 0.8 → 0.75


# --- which target applies to which year -----------------------------------------------------

def test_by_target_shows_progress_before_its_year_and_annual_target_wins():
    plan = targets(target("rescue.county_teams", 2024, "coverage", 1, level="county", timing="by"),
                   target("rescue.ert_eru_experts", 2024, "range", 5, upper=8, timing="by"),
                   target("rescue.ert_eru_experts", 2023, "range", 3, upper=4))
    resolved = gaps.targets_by_year(plan, [2022, 2023, 2024, 2025])
    county = resolved[resolved["indicator"] == "rescue.county_teams"]
    assert county["due"].iloc[:3].tolist() == [False, False, True]
    assert pd.isna(county["due"].iloc[3])
    assert county["due_year"].iloc[:3].tolist() == [2024, 2024, 2024]
    assert county["applies"].tolist() == [True, True, True, False]   # 2025: no target
    assert county["kind"].tolist() == ["coverage"] * 4                 # measured alike every year
    experts = resolved[resolved["indicator"] == "rescue.ert_eru_experts"].set_index("year")
    assert experts.loc[2023, "threshold"] == 3 and experts.loc[2023, "timing"] == "annual"
    assert experts.loc[2022, "threshold"] == 5 and not experts.loc[2022, "due"]
    assert experts.loc[2024, "threshold"] == 5 and experts.loc[2024, "due"]
    assert pd.isna(experts.loc[2025, "threshold"])


def test_growth_is_measured_the_same_way_in_a_year_without_target():
    # 2025: no target, but the rate is still new ÷ (total − new) = 4 ÷ 200 = 2%, marked 无目标
    values = tidy([(2024, "南昌市", "grassroots.school_rc_total", 202),
                   (2024, "南昌市", "grassroots.school_rc_new", 2),
                   (2025, "南昌市", "grassroots.school_rc_total", 204),
                   (2025, "南昌市", "grassroots.school_rc_new", 4)])
    plan = targets(target("grassroots.school_rc_total", 2024, "growth", 0.01,
                          related="grassroots.school_rc_new"))
    table = gaps.province_gaps(values, plan)
    y2025 = row(table, "grassroots.school_rc_total", 2025)
    assert y2025["actual"] == pytest.approx(0.02) and y2025["status"] == "无目标"
    assert y2025["yoy_change"] == pytest.approx(0.01)                 # 2% − 1%


def test_gap_tables_equal_the_three_tables_computed_one_by_one():
    from jrc_analysis.returns.samples import sample_truth

    truth = sample_truth()
    values = truth[truth["year"] >= 2023][["year", "prefecture", "county", "indicator", "value"]]
    both = gaps.gap_tables(values, catalog.allocation())
    pd.testing.assert_frame_equal(both.province, gaps.province_gaps(values))
    pd.testing.assert_frame_equal(both.prefectures,
                                  gaps.prefecture_gaps(values, catalog.allocation()))
    pd.testing.assert_frame_equal(both.coverage, gaps.coverage_table(values))

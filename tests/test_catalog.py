"""The plan as data: catalogue, geography, targets and the target allocation (jrc_analysis.plan.catalog)."""
import re
from pathlib import Path

import pandas as pd
import pytest

from jrc_analysis.plan import catalog

FIXTURE_PLAN = Path(__file__).parent / "fixtures" / "action-plan-2022-2024.txt"
SHARED_PLAN = Path(__file__).resolve().parents[2] / "shared" / "reference" / "action-plan-2022-2024.txt"
PLAN_TEXT = FIXTURE_PLAN.read_text(encoding="utf-8")

# DESIGN.md's catalogue, in its order (the contract).
DESIGN_CODES = [
    "reform.innovation_cases", "reform.supervisory_boards",
    "grassroots.new_orgs", "grassroots.new_boai_homes", "grassroots.new_members",
    "grassroots.new_volunteers", "grassroots.school_rc_new", "grassroots.school_rc_total",
    "grassroots.volunteer_teams",
    "rescue.prefecture_teams", "rescue.county_teams", "rescue.provincial_teams_new",
    "rescue.national_teams_new", "rescue.warehouses_new", "rescue.warehouses_l3_new",
    "rescue.ert_eru_experts",
    "first_aid.trainers_new", "first_aid.training_bases_new", "first_aid.aed_new",
    "first_aid.popular_trainees", "first_aid.certified_trainees", "first_aid.service_events",
    "care.eldercare_trainers", "care.eldercare_caregivers", "care.eldercare_popular",
    "care.nightingale_groups", "care.aid_funds", "care.donor_memorials", "care.hospitals_l2plus",
    "care.hospitals_with_desk", "care.organ_registrations", "care.stem_cell_registrations",
    "care.organ_donations", "care.stem_cell_donations",
    "fundraising.training_participants", "fundraising.total", "fundraising.cash",
    "fundraising.in_kind", "fundraising.online", "fundraising.transparency_evaluated",
    "digital.staff_total", "digital.ganzhengtong_staff", "digital.ganfutong_services",
    "digital.ms_booking", "digital.ms_qrcode", "digital.ms_ai_service", "digital.ms_data_exchange",
    "digital.ms_crypto",
    "culture.media_platforms", "culture.lecture_teams_new", "culture.outreach_sites_new",
    "culture.backbone_trainings", "culture.micro_lectures",
]

AREA_ORDER = ["reform", "grassroots", "rescue", "first_aid", "care", "fundraising", "culture", "digital"]

COUNTY_COUNTS = {
    "南昌市": 9, "景德镇市": 4, "萍乡市": 5, "九江市": 13, "新余市": 2, "鹰潭市": 3,
    "赣州市": 18, "吉安市": 13, "宜春市": 10, "抚州市": 11, "上饶市": 12,
}

Y3 = (2022, 2023, 2024)

# Every number of the plan that is a target, read off the plan text by hand:
# (indicator, year, kind, value, upper or None). Values in base units, shares as fractions.
EXPECTED_TARGETS = (
    [("reform.innovation_cases", y, "range", 2, 4) for y in Y3]  # 每年探索创新2至4个
    + [("grassroots.new_orgs", 2022, "min", 450, None), ("grassroots.new_orgs", 2023, "min", 300, None),
       ("grassroots.new_orgs", 2024, "min", 250, None)]
    + [("grassroots.new_boai_homes", 2022, "min", 40, None),
       ("grassroots.new_boai_homes", 2023, "min", 30, None),
       ("grassroots.new_boai_homes", 2024, "min", 30, None)]
    + [("grassroots.new_members", 2022, "min", 25000, None),  # 2.5万名
       ("grassroots.new_members", 2023, "min", 25000, None),
       ("grassroots.new_members", 2024, "min", 20000, None)]  # 2万名
    + [("grassroots.new_volunteers", y, "min", 5500, None) for y in Y3]
    + [("grassroots.school_rc_total", y, "growth", 0.01, None) for y in Y3]  # 大于1%
    + [("grassroots.volunteer_teams", y, "coverage", 3, None) for y in Y3]  # 每个县级不少于3支
    + [("rescue.prefecture_teams", y, "coverage", 1, None) for y in Y3]  # 2022年全覆盖
    + [("rescue.county_teams", 2024, "coverage", 1, None),
       ("rescue.provincial_teams_new", 2023, "min", 1, None),
       ("rescue.provincial_teams_new", 2024, "min", 2, None),
       ("rescue.national_teams_new", 2024, "min", 1, None),
       ("rescue.warehouses_new", 2022, "min", 1, None),
       ("rescue.warehouses_l3_new", 2022, "min", 3, None),
       ("rescue.warehouses_l3_new", 2023, "min", 2, None),
       ("rescue.warehouses_l3_new", 2024, "min", 2, None),
       ("rescue.ert_eru_experts", 2024, "range", 5, 8)]  # 5至8名
    + [("first_aid.trainers_new", 2022, "min", 200, None),
       ("first_aid.trainers_new", 2023, "min", 180, None),
       ("first_aid.trainers_new", 2024, "min", 180, None),
       ("first_aid.training_bases_new", 2022, "min", 5, None),
       ("first_aid.training_bases_new", 2023, "min", 2, None),
       ("first_aid.training_bases_new", 2024, "min", 2, None)]
    + [("first_aid.aed_new", y, "min", 500, None) for y in Y3]
    + [("first_aid.popular_trainees", y, "min", 750000, None) for y in Y3]  # 75万人次
    + [("first_aid.certified_trainees", y, "min", 100000, None) for y in Y3]  # 10万人
    + [("first_aid.service_events", y, "min", 100, None) for y in Y3]
    + [("care.eldercare_trainers", y, "min", 200, None) for y in Y3]
    + [("care.eldercare_caregivers", y, "min", 1000, None) for y in Y3]
    + [("care.eldercare_popular", y, "min", 30000, None) for y in Y3]  # 3万人次
    + [("care.donor_memorials", 2024, "coverage", 1, None),
       ("care.hospitals_with_desk", 2024, "ratio", 1.0, None),
       ("care.organ_registrations", 2022, "min", 38000, None),  # 3.8万人
       ("care.organ_registrations", 2023, "min", 40000, None),  # 4万人
       ("care.organ_registrations", 2024, "min", 42000, None)]  # 4.2万人
    + [("care.stem_cell_registrations", y, "min", 4000, None) for y in Y3]
    + [("fundraising.training_participants", y, "min", 100, None) for y in Y3]
    + [("fundraising.total", y, "min", 200_000_000, None) for y in Y3]  # 2亿元
    + [("fundraising.transparency_evaluated", 2024, "coverage", 1, None)]
    + [(code, 2024, "milestone", 1, None) for code in (
        "digital.ms_booking", "digital.ms_qrcode", "digital.ms_ai_service",
        "digital.ms_data_exchange", "digital.ms_crypto")]
    + [("digital.ganzhengtong_staff", 2024, "ratio", 1.0, None),
       ("culture.media_platforms", 2022, "min", 112, None)]
    + [("culture.lecture_teams_new", 2022, "min", 12, None),
       ("culture.lecture_teams_new", 2023, "min", 10, None),
       ("culture.lecture_teams_new", 2024, "min", 8, None),
       ("culture.outreach_sites_new", 2022, "min", 12, None),
       ("culture.outreach_sites_new", 2023, "min", 10, None),
       ("culture.outreach_sites_new", 2024, "min", 8, None)]
    + [("culture.backbone_trainings", y, "min", 1, None) for y in Y3]
)


def simple_key(text: str) -> str:
    """Quotes, punctuation and whitespace removed (a cruder cut than names.normalise)."""
    return re.sub(r"[\s\W_]+", "", text)


# --- indicators ---------------------------------------------------------------------------------


def test_codes_are_unique_and_equal_designs():
    codes = list(catalog.indicators()["code"])
    assert len(DESIGN_CODES) == 53
    assert codes == DESIGN_CODES


def test_contract_columns_are_kept():
    frame = catalog.indicators()
    for column in ["code", "area", "name", "unit", "measure", "value_type", "county_sheet",
                   "aliases", "design_target", "description", "reported_by"]:
        assert column in frame.columns
    assert set(frame["measure"]) == {"flow", "stock"}
    assert set(frame["reported_by"]) == {"all", "province_hq"}


def test_area_is_an_ordered_categorical_in_plan_order():
    frame = catalog.indicators()
    assert isinstance(frame["area"].dtype, pd.CategoricalDtype)
    assert frame["area"].dtype.ordered
    assert list(frame["area"].dtype.categories) == AREA_ORDER
    assert list(catalog.areas()["name"])[:2] == ["深化改革攻坚", "强基固本提升"]


def test_every_name_and_alias_maps_to_exactly_one_code():
    owners: dict[str, set[str]] = {}
    for row in catalog.indicators().itertuples(index=False):
        for text in [row.name, *row.aliases]:
            owners.setdefault(simple_key(text), set()).add(row.code)
    shared = {key: codes for key, codes in owners.items() if len(codes) > 1}
    assert shared == {}


@pytest.mark.parametrize("alias, code", [
    ("持证培训", "first_aid.certified_trainees"),
    ("救护员培训", "first_aid.certified_trainees"),
    ("应急救护持证培训", "first_aid.certified_trainees"),
    ("社会筹资", "fundraising.total"),
    ("募集款物合计", "fundraising.total"),
    ("遗体器官捐献志愿登记", "care.organ_registrations"),
    ("器官捐献志愿登记", "care.organ_registrations"),
])
def test_aliases_people_write(alias, code):
    assert alias in catalog.indicator(code)["aliases"]


def test_indicator_returns_one_row():
    row = catalog.indicator("fundraising.total")
    assert row["name"] == "筹集款物合计"
    assert row["unit"] == "元"
    assert row["area"] == "fundraising"


def test_indicator_unknown_code_is_a_clear_keyerror():
    with pytest.raises(KeyError, match="no.such"):
        catalog.indicator("no.such")


def test_stock_and_flow_are_described():
    frame = catalog.indicators().set_index("code")
    assert "年末累计数" in frame.loc["grassroots.school_rc_total", "description"]
    assert "当年新增数" in frame.loc["grassroots.school_rc_new", "description"]


# --- geography ----------------------------------------------------------------------------------


def test_eleven_prefectures_and_twelve_reporting_units():
    assert catalog.prefectures() == list(COUNTY_COUNTS)
    assert catalog.reporting_units() == list(COUNTY_COUNTS) + ["省本级"]


def test_hundred_counties_with_per_prefecture_counts():
    geo = catalog.geography()
    assert (geo["level"] == "county").sum() == 100
    assert {p: len(catalog.counties(p)) for p in catalog.prefectures()} == COUNTY_COUNTS


def test_prefecture_is_an_ordered_categorical():
    dtype = catalog.geography()["prefecture"].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
    assert list(dtype.categories) == list(COUNTY_COUNTS) + ["省本级"]


def test_population_is_the_2020_census():
    geo = catalog.geography().set_index("name")
    assert geo.loc["南昌市", "population"] == 625.50
    assert geo.loc["赣州市", "population"] == 897.00
    assert geo.loc[list(COUNTY_COUNTS), "population"].sum() == pytest.approx(4519.03)


def test_every_place_name_and_alias_is_unique():
    owners: dict[str, set[str]] = {}
    for row in catalog.geography().itertuples(index=False):
        for text in [row.name, *row.aliases]:
            owners.setdefault(text, set()).add(row.name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def _place_of(alias: str) -> str:
    geo = catalog.geography()
    hits = [row.name for row in geo.itertuples(index=False) if alias == row.name or alias in row.aliases]
    assert len(hits) == 1, (alias, hits)
    return hits[0]


@pytest.mark.parametrize("alias, name", [
    ("南昌", "南昌市"), ("南昌县", "南昌县"), ("吉安", "吉安市"), ("吉安县", "吉安县"),
    ("南昌市红十字会", "南昌市"), ("江西省红十字会", "省本级"), ("省会本级", "省本级"),
    ("红谷滩新区", "红谷滩区"), ("新建县", "新建区"), ("赣县", "赣县区"), ("南康市", "南康区"),
    ("广丰县", "广丰区"), ("上饶县", "广信区"), ("东乡县", "东乡区"), ("余江县", "余江区"),
    ("九江县", "柴桑区"), ("庐山区", "濂溪区"), ("星子县", "庐山市"), ("龙南县", "龙南市"),
    ("上饶", "上饶市"), ("九江", "九江市"), ("瑞金", "瑞金市"),
])
def test_place_aliases(alias, name):
    assert _place_of(alias) == name


# --- targets ------------------------------------------------------------------------------------


def test_every_numeric_target_of_the_plan_is_in_targets():
    frame = catalog.targets()
    got = sorted(
        (r.indicator, r.year, r.kind, r.value, None if pd.isna(r.upper) else r.upper)
        for r in frame.itertuples(index=False)
    )
    assert got == sorted(EXPECTED_TARGETS)


def test_targets_dtypes_and_order():
    frame = catalog.targets()
    assert list(frame.columns) == ["indicator", "area", *catalog.TARGET_COLUMNS[1:]]
    assert frame["year"].dtype == "int64"
    assert frame["value"].dtype == "float64" and frame["upper"].dtype == "float64"
    assert isinstance(frame["area"].dtype, pd.CategoricalDtype) and frame["area"].dtype.ordered
    position = {code: i for i, code in enumerate(DESIGN_CODES)}
    keys = [(AREA_ORDER.index(r.area), position[r.indicator], r.year) for r in frame.itertuples()]
    assert keys == sorted(keys)
    assert frame.iloc[0]["indicator"] == "reform.innovation_cases"
    assert frame.iloc[-1]["indicator"] == "digital.ms_crypto"


@pytest.mark.skipif(not SHARED_PLAN.is_file(), reason="the shared reference folder is not beside the repo")
def test_fixture_copy_of_the_plan_is_current():
    assert PLAN_TEXT == SHARED_PLAN.read_text(encoding="utf-8")


def test_target_sentences_are_verbatim_from_the_plan():
    for sentence in catalog.targets()["sentence"]:
        assert sentence and sentence in PLAN_TEXT


def test_target_fields_follow_the_contract():
    frame = catalog.targets()
    codes = set(DESIGN_CODES)
    assert set(frame["indicator"]) <= codes
    assert set(frame["kind"]) == {"min", "range", "coverage", "ratio", "milestone", "growth"}
    assert set(frame["level"]) == {"province", "prefecture", "county", "unit"}
    assert set(frame["timing"]) == {"annual", "by"}
    assert not frame.duplicated(["indicator", "year"]).any()
    for row in frame.itertuples(index=False):
        if row.kind in ("ratio", "growth"):
            assert row.related_indicator in codes
        else:
            assert row.related_indicator == ""
        assert (row.kind == "range") == (not pd.isna(row.upper))
        assert (row.level == "unit") == (row.scope == "省本级")


def test_named_targets_carry_the_catalogues_links():
    frame = catalog.targets().set_index(["indicator", "year"])
    growth = frame.loc[("grassroots.school_rc_total", 2023)]
    assert growth["related_indicator"] == "grassroots.school_rc_new"
    assert frame.loc[("care.hospitals_with_desk", 2024), "related_indicator"] == "care.hospitals_l2plus"
    assert frame.loc[("digital.ganzhengtong_staff", 2024), "related_indicator"] == "digital.staff_total"
    assert frame.loc[("digital.ms_crypto", 2024), "timing"] == "by"
    assert frame.loc[("grassroots.volunteer_teams", 2022), "level"] == "county"
    assert frame.loc[("rescue.prefecture_teams", 2024), "timing"] == "annual"
    assert frame.loc[("rescue.county_teams", 2024), "wording"] == "力争"
    assert frame.loc[("fundraising.total", 2022), "wording"] == "每年不少于"


# --- allocation ---------------------------------------------------------------------------------

BASIS = "假设：按2020年常住人口占比分解（非官方分解）"


def test_packaged_allocation_csv_equals_default_allocation():
    pd.testing.assert_frame_equal(catalog.allocation(), catalog.default_allocation())


def test_allocation_sums_to_the_province_target():
    alloc = catalog.default_allocation()
    province = catalog.targets().set_index(["indicator", "year"])["value"]
    sums = alloc.groupby(["indicator", "year"])["target"].sum()
    assert len(sums) > 0
    for key, total in sums.items():
        assert total == pytest.approx(province[key], abs=0.01)
    assert (alloc.groupby(["indicator", "year"]).size() == 11).all()


def test_allocation_by_population_share_worked_by_hand():
    alloc = catalog.default_allocation().set_index(["indicator", "year", "prefecture"])
    # 赣州市 897.00 / 4519.03 = 0.1984939… (4519.03 × 0.1985 = 897.0275); × 2亿元 ≈ 39,698,785 元
    row = alloc.loc[("fundraising.total", 2023, "赣州市")]
    assert row["share"] == pytest.approx(0.198494, abs=1e-6)
    assert row["target"] == pytest.approx(39_698_785.0, abs=1.0)
    assert row["basis"] == BASIS


def test_allocation_covers_only_splittable_province_targets():
    alloc = catalog.default_allocation()
    codes = set(alloc["indicator"])
    assert "grassroots.new_orgs" in codes and "fundraising.total" in codes
    # 省本级-only work, stocks, ranges, coverage, ratios and milestones are not split
    for code in ["rescue.provincial_teams_new", "culture.backbone_trainings", "digital.ms_crypto",
                 "culture.media_platforms", "reform.innovation_cases", "rescue.county_teams",
                 "care.hospitals_with_desk", "grassroots.school_rc_total"]:
        assert code not in codes
    assert "省本级" not in set(alloc["prefecture"].astype(str))
    assert list(alloc.columns) == ["indicator", "year", "prefecture", "share", "target", "basis"]
    assert isinstance(alloc["prefecture"].dtype, pd.CategoricalDtype)


def test_allocated_targets_are_whole_units_and_never_below_one():
    alloc = catalog.default_allocation()
    assert (alloc["target"] == alloc["target"].round()).all()
    assert alloc["target"].min() >= 1
    # 2024 新增救护师资 180 × 新余市 120.24 / 4519.03 = 4.789: floor 4, +1 by largest remainder
    rows = alloc.set_index(["indicator", "year", "prefecture"])["target"]
    assert rows[("first_aid.trainers_new", 2024, "新余市")] == 5.0
    # 1–5 warehouses or bases, 30 博爱家园 (鹰潭市 0.77), 8–12 宣讲团: not split
    codes = set(alloc["indicator"])
    for code in ["rescue.warehouses_new", "rescue.warehouses_l3_new",
                 "first_aid.training_bases_new", "grassroots.new_boai_homes",
                 "culture.lecture_teams_new", "culture.outreach_sites_new"]:
        assert code not in codes


def test_splits_into_whole_units():
    shares = [0.5, 0.3, 0.2]
    assert catalog.splits_into_whole_units(5, shares)  # smallest part 0.2 × 5 = 1
    assert not catalog.splits_into_whole_units(4, shares)  # 0.8 of a unit
    assert not catalog.splits_into_whole_units(10, [])


def test_split_by_largest_remainder():
    # 10 split 1/3, 1/3, 1/3: floors 3, 3, 3; the one left goes to the first (ties: earlier first)
    assert catalog.split_by_largest_remainder(10, [1 / 3, 1 / 3, 1 / 3]) == [4, 3, 3]
    # 7 split 1/2, 1/4, 1/4: exact 3.5, 1.75, 1.75; floors 3, 1, 1; two left go to the 0.75s
    assert catalog.split_by_largest_remainder(7, [0.5, 0.25, 0.25]) == [3, 2, 2]
    assert catalog.split_by_largest_remainder(8, [0.5, 0.25, 0.25]) == [4, 2, 2]


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_user_allocation_csv(tmp_path):
    path = _write_csv(tmp_path / "分解.csv", (
        "indicator,year,prefecture,target\n"
        "fundraising.total,2023,南昌,50000000\n"
        "fundraising.total,2023,赣州市红十字会,40000000\n"
    ))
    frame = catalog.allocation(path)
    assert list(frame["prefecture"].astype(str)) == ["南昌市", "赣州市"]
    assert list(frame["target"]) == [50_000_000.0, 40_000_000.0]
    assert list(frame["share"]) == [0.25, 0.2]  # of the 2亿元 province target
    assert set(frame["basis"]) == {"用户提供的任务分解"}


def test_user_allocation_skips_blank_rows(tmp_path):
    path = _write_csv(tmp_path / "a.csv", (
        "indicator,year,prefecture,target\n"
        ",,,\n"
        "first_aid.aed_new,2022,新余,20\n"
    ))
    frame = catalog.allocation(path)
    assert len(frame) == 1
    assert frame.iloc[0]["share"] == 0.04  # 20 of the 500 AED


def test_user_allocation_gbk_csv(tmp_path):
    path = tmp_path / "分解.csv"
    path.write_bytes("indicator,year,prefecture,share,target,basis\n"
                     "grassroots.new_orgs,2022,吉安市,0.1,45,省厅文件\n".encode("gbk"))
    frame = catalog.allocation(path)
    assert frame.iloc[0]["prefecture"] == "吉安市"
    assert frame.iloc[0]["basis"] == "省厅文件"


def test_user_allocation_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["indicator", "year", "prefecture", "share", "target"])
    ws.append(["care.organ_registrations", 2024, "上饶市", 0.15, 6300])
    path = tmp_path / "分解.xlsx"
    wb.save(path)
    frame = catalog.allocation(path)
    assert frame.iloc[0]["year"] == 2024
    assert frame.iloc[0]["target"] == 6300.0
    assert frame.iloc[0]["share"] == 0.15


@pytest.mark.parametrize("line, message", [
    ("no.such,2023,南昌市,1", "第2行.*no.such"),
    ("fundraising.total,2030,南昌市,1", "第2行.*2030"),
    ("fundraising.total,2023,南昌县,1", "第2行.*南昌县"),
    ("fundraising.total,2023,南昌市,-5", "第2行.*-5"),
    ("fundraising.total,2023,南昌市,", "第2行.*目标值"),
])
def test_user_allocation_bad_rows_name_the_row(tmp_path, line, message):
    path = _write_csv(tmp_path / "a.csv", "indicator,year,prefecture,target\n" + line + "\n")
    with pytest.raises(ValueError, match=message):
        catalog.allocation(path)


def test_user_allocation_duplicate_and_missing_columns(tmp_path):
    dup = _write_csv(tmp_path / "dup.csv", (
        "indicator,year,prefecture,target\n"
        "fundraising.total,2023,南昌市,1\n"
        "fundraising.total,2023,南昌,2\n"
    ))
    with pytest.raises(ValueError, match="第3行.*第2行"):
        catalog.allocation(dup)
    bad = _write_csv(tmp_path / "bad.csv", "指标,年度\nx,2023\n")
    with pytest.raises(ValueError, match="缺少列"):
        catalog.allocation(bad)
    with pytest.raises(ValueError, match="格式不支持"):
        catalog.allocation(_write_csv(tmp_path / "a.txt", "x"))

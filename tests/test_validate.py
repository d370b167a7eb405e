"""Tidy values → issues: every rule, all in one pass, on small hand-made tidy tables."""
import pandas as pd

from jrc_analysis.plan import catalog
from jrc_analysis.returns.clean import tidy_frame
from jrc_analysis.issues import issue_order
from jrc_analysis.returns.validate import validate, version_tuple

FILE = "2023/南昌市.xlsx"
CATALOGUE = catalog.indicators()
UNITS = dict(zip(CATALOGUE["code"], CATALOGUE["unit"]))


def row(indicator, value, county="", year=2023, prefecture="南昌市", cell="G6", sheet="汇总表",
        source_file=FILE):
    unit = UNITS[indicator]
    return dict(year=year, prefecture=prefecture, county=county, indicator=indicator, value=float(value),
                unit=unit, source_file=source_file, sheet=sheet, cell=cell, raw=str(value))


def complete(year=2023, source_file=FILE, **overrides):
    """A summary with every indicator reported (value 100, or 1 for 是/否), so only the rule under
    test fires; ``overrides`` maps codes (with . as __) to values, None to leave blank."""
    rows = []
    overrides.setdefault("fundraising__total", 200)  # = 资金 100 + 物资折价 100
    for i, rec in enumerate(CATALOGUE.itertuples(index=False)):
        key = rec.code.replace(".", "__")
        value = overrides.get(key, 1 if rec.value_type == "bool" else 100)
        if value is not None:
            rows.append(row(rec.code, value, year=year, cell=f"G{6 + i}", source_file=source_file))
    return rows


def by_code(issues):
    return sorted(i.code for i in issues)


def test_consistent_values_give_no_issue():
    values = tidy_frame(complete(fundraising__total=300, fundraising__cash=200, fundraising__in_kind=100,
                                 fundraising__online=50))
    assert validate(values) == []


def test_negative_value_is_an_error_naming_the_cell():
    values = tidy_frame(complete(grassroots__new_orgs=-3, fundraising__total=200))
    issues = validate(values)
    assert by_code(issues) == ["validate.negative"]
    assert issues[0].severity == "error" and issues[0].cell == "G8"


def test_cash_plus_in_kind_must_equal_total_within_one_yuan():
    ok = tidy_frame(complete(fundraising__total=300.5, fundraising__cash=200, fundraising__in_kind=100))
    assert validate(ok) == []
    bad = tidy_frame(complete(fundraising__total=302, fundraising__cash=200, fundraising__in_kind=100))
    issues = validate(bad)
    assert by_code(issues) == ["validate.cash_plus_in_kind"]
    assert "302" in issues[0].message and "300" in issues[0].message


def test_online_above_cash_and_certified_above_popular():
    values = tidy_frame(complete(fundraising__total=300, fundraising__cash=200, fundraising__in_kind=100,
                                 fundraising__online=250, first_aid__certified_trainees=120,
                                 first_aid__popular_trainees=100))
    assert by_code(validate(values)) == ["validate.certified_above_popular", "validate.online_above_cash"]


def test_counties_not_summing_to_the_summary():
    rows = complete(grassroots__new_orgs=10, fundraising__total=200)
    rows += [row("grassroots.new_orgs", 4, county="东湖区", sheet="县区明细", cell="B5"),
             row("grassroots.new_orgs", 5, county="市本级", sheet="县区明细", cell="B6")]
    issues = validate(tidy_frame(rows))
    assert by_code(issues) == ["validate.counties_vs_summary"]
    assert issues[0].cell == "G8" and "10" in issues[0].message and "9" in issues[0].message
    rows[-1]["value"] = 6.0
    assert validate(tidy_frame(rows)) == []


def test_jump_against_the_previous_year():
    previous = tidy_frame(complete(year=2022, source_file="2022/南昌市.xlsx", grassroots__new_members=1000))
    jumped = tidy_frame(complete(grassroots__new_members=6000))
    issues = validate(jumped, previous=previous)
    assert by_code(issues) == ["validate.jump"]
    assert "6,000" in issues[0].message and "1,000" in issues[0].message
    assert by_code(validate(tidy_frame(complete(grassroots__new_members=199)), previous)) == ["validate.jump"]
    assert validate(tidy_frame(complete(grassroots__new_members=200)), previous) == []
    # the previous year may also be in the same table
    both = pd.concat([previous, jumped], ignore_index=True)
    assert by_code(validate(both)) == ["validate.jump"]


def test_small_counts_do_not_jump():
    previous = tidy_frame(complete(year=2022, source_file="2022/南昌市.xlsx", rescue__warehouses_new=1))
    assert validate(tidy_frame(complete(rescue__warehouses_new=0)), previous) == []


def test_blank_indicators_one_warning_per_return_listing_them():
    values = tidy_frame(complete(culture__micro_lectures=None, care__aid_funds=None))
    issues = validate(values)
    assert by_code(issues) == ["validate.incomplete"]
    assert "2 项" in issues[0].message
    assert "设立人道救助基金的红十字会" in issues[0].message and "“江小红云端微课堂”" in issues[0].message


def test_old_template_version():
    returns = pd.DataFrame({"source_file": ["a.xlsx", "b.xlsx", "c.xlsx"],
                            "template_version": ["2023.1", "2024.1", ""]})
    issues = validate(tidy_frame([]), returns=returns)
    assert [(i.code, i.source_file) for i in issues] == [("validate.old_template", "a.xlsx"),
                                                         ("validate.old_template", "c.xlsx")]


def test_version_tuple():
    assert version_tuple("2024.1") == (2024, 1) and version_tuple("v2023.10") == (2023, 10)
    assert version_tuple("2023.9") < version_tuple("2023.10")


def test_one_return_rules_alone_give_what_validate_gives_for_that_return():
    """The ingest runs return_issues on each file as it is read; validate runs every rule at once."""
    from jrc_analysis.returns.clean import TIDY_COLUMNS
    from jrc_analysis.returns.validate import return_issues
    rows = complete(fundraising__total=999, fundraising__online=150, first_aid__certified_trainees=500,
                    culture__micro_lectures=None, first_aid__popular_trainees=-5)
    rows += [row("first_aid.popular_trainees", 1, county="东湖区", cell="C5", sheet="县区明细")]
    values = tidy_frame(rows)
    alone = return_issues({col: values[col].tolist() for col in TIDY_COLUMNS})
    assert by_code(alone) == ["validate.cash_plus_in_kind", "validate.certified_above_popular",
                              "validate.counties_vs_summary", "validate.incomplete",
                              "validate.negative", "validate.online_above_cash"]
    assert sorted(alone, key=issue_order) == validate(values)


def test_issues_come_in_the_stable_order():
    """File, sheet, severity, code, then cell by row (G9 before G10), whatever rule found them."""
    codes = CATALOGUE["code"].tolist()
    negative = {code.replace(".", "__"): -1 for code in (codes[3], codes[4], codes[12])}  # G9 G10 G18
    rows = complete(source_file="2023/南昌市.xlsx", **negative)
    rows += complete(source_file="2023/九江市.xlsx", **negative)
    issues = validate(tidy_frame(rows))
    assert [i.source_file for i in issues] == sorted(i.source_file for i in issues)
    cells = [i.cell for i in issues if i.code == "validate.negative" and i.source_file == "2023/九江市.xlsx"]
    assert cells == ["G9", "G10", "G18"]


# --------------------------------------------------------------------------- 万 slips: errors, withheld

from jrc_analysis.returns.validate import WITHHELD_COLUMNS, unit_slips, withheld_values  # noqa: E402

PREVIOUS_2022 = "2022/南昌市.xlsx"


def test_a_jump_that_lines_up_with_wan_is_an_error_not_a_warning():
    previous = tidy_frame(complete(year=2022, source_file=PREVIOUS_2022, first_aid__popular_trainees=750000))
    # 75.3 万人次 read as 75.3 人次: 10,000× too small (750000 / 75.3 ≈ 9,960)
    slipped = tidy_frame(complete(first_aid__popular_trainees=75.3, first_aid__certified_trainees=50))
    issues = validate(slipped, previous=previous)
    assert by_code(issues) == ["validate.unit_slip"]  # no validate.jump beside it
    [issue] = issues
    assert issue.severity == "error" and issue.cell == "G25"
    assert "未采用" in issue.message and "万" in issue.message and PREVIOUS_2022 in issue.message
    # and the other way: 8,000 元 entered in a 万元 column → 80,000,000 (10,000× too large)
    previous = tidy_frame(complete(year=2022, source_file=PREVIOUS_2022, fundraising__total=9000,
                                   fundraising__cash=4500, fundraising__in_kind=4500))
    slipped = tidy_frame(complete(fundraising__total=80_000_000, fundraising__cash=40_000_000,
                                  fundraising__in_kind=40_000_000))
    assert by_code(validate(slipped, previous=previous)) == ["validate.unit_slip"] * 3


def test_the_band_of_a_slip():
    previous = tidy_frame(complete(year=2022, source_file=PREVIOUS_2022, grassroots__new_members=1000))
    def codes_at(now):
        return by_code(validate(tidy_frame(complete(grassroots__new_members=now)), previous=previous))
    assert codes_at(1000 * 999) == ["validate.jump"]        # 999×: below the band, a warning
    assert codes_at(1000 * 1000) == ["validate.unit_slip"]   # 10^3: the band's low end
    assert codes_at(1000 * 100000) == ["validate.unit_slip"]  # 10^5: its high end
    assert codes_at(1000 * 100001) == ["validate.jump"]      # beyond: a warning
    assert codes_at(1) == ["validate.unit_slip"]              # 1/1000
    assert codes_at(0) == ["validate.jump"]                  # a zero is not a unit slip


def test_withheld_values_name_the_later_value_with_status_and_reason():
    previous = tidy_frame(complete(year=2022, source_file=PREVIOUS_2022, first_aid__popular_trainees=750000))
    both = pd.concat([previous, tidy_frame(complete(first_aid__popular_trainees=75,
                                                    first_aid__certified_trainees=50))], ignore_index=True)
    withheld = withheld_values(both)
    assert list(withheld.columns) == WITHHELD_COLUMNS
    assert withheld[["year", "indicator", "value", "cell", "status", "issue"]].values.tolist() == [
        [2023, "first_aid.popular_trainees", 75.0, "G25", "未采用", "validate.unit_slip"]]
    assert "万" in withheld["reason"].iloc[0]
    assert list(withheld.index) == list(unit_slips(both).index)
    assert both.loc[withheld.index[0], "year"] == 2023


def test_the_ingest_leaves_a_withheld_value_out_of_the_tidy_values(tmp_path):
    from conftest import summary_rows, write_xlsx
    from jrc_analysis.returns.ingest import load_returns
    from jrc_analysis.returns.mappings import Mappings

    for year, value in ((2022, 760000), (2023, "75.3")):
        title = f"{year}年度南昌市红十字会深化改革创新三年行动目标任务完成情况表"
        rows = summary_rows([[1, None, "应急救护普及培训", "人次", 750000, value, None],
                             [2, None, "新增基层组织", "个", 450, 400 + year % 10, None]], title=title)
        write_xlsx(tmp_path / str(year) / f"{year}年度_南昌市.xlsx", {"汇总表": rows})
    result = load_returns(tmp_path, mappings=Mappings.empty())
    kept = result.values[result.values["indicator"] == "first_aid.popular_trainees"]
    assert kept["year"].tolist() == [2022]  # the 2023 value is withheld
    assert result.withheld[["year", "indicator", "raw", "status"]].values.tolist() == [
        [2023, "first_aid.popular_trainees", "75.3", "未采用"]]
    assert [(i.severity, i.code) for i in result.issues if i.code == "validate.unit_slip"] == [
        ("error", "validate.unit_slip")]
    assert sorted(result.values[result.values["indicator"] == "grassroots.new_orgs"]["value"]) == [402.0, 403.0]

"""The plan verdict (analysis/verdict.py): a tiny hand-worked plan, then the sample data against
the gap tables for 2024 and 2023."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from jrc_analysis.analysis import gaps, verdict
from jrc_analysis.plan import catalog

TARGET_COLUMNS = gaps.TARGET_COLUMNS


def target(indicator, year, kind, value, upper="", level="province", timing="annual", scope=""):
    return {"indicator": indicator, "year": year, "kind": kind, "value": value, "upper": upper,
            "level": level, "timing": timing, "related_indicator": "", "scope": scope,
            "wording": "", "sentence": ""}


TINY_TARGETS = pd.DataFrame([
    # a flow, 10 a year: judged on the three years' sum (30)
    target("grassroots.new_orgs", 2022, "min", 10), target("grassroots.new_orgs", 2023, "min", 10),
    target("grassroots.new_orgs", 2024, "min", 10),
    # a range flow, 2–4 a year: judged on the sum of the low ends
    target("reform.innovation_cases", 2022, "range", 2, 4),
    target("reform.innovation_cases", 2023, "range", 2, 4),
    target("reform.innovation_cases", 2024, "range", 2, 4),
    # a stock with annual targets in 2022 and 2023 only: every due year must be met
    target("culture.media_platforms", 2022, "min", 5), target("culture.media_platforms", 2023, "min", 5),
    # a milestone due by 2024, from 省本级
    target("digital.ms_booking", 2024, "milestone", 1, level="unit", timing="by", scope="省本级"),
], columns=TARGET_COLUMNS)


def value(year, unit, indicator, number):
    return {"year": year, "prefecture": unit, "county": "", "indicator": indicator,
            "value": float(number), "unit": "", "source_file": f"{year}_{unit}.xlsx",
            "sheet": "汇总表", "cell": "F6", "raw": str(number)}


TINY_VALUES = pd.DataFrame([
    # new_orgs: 2022 4+4 = 8 (short of 10 that year), 2023 7+5 = 12, 2024 12 → 32 against 30
    value(2022, "南昌市", "grassroots.new_orgs", 4), value(2022, "省本级", "grassroots.new_orgs", 4),
    value(2023, "南昌市", "grassroots.new_orgs", 7), value(2023, "省本级", "grassroots.new_orgs", 5),
    value(2024, "南昌市", "grassroots.new_orgs", 12),
    # innovation cases: 1 in 2022, 1 in 2023, nobody reports 2024
    value(2022, "南昌市", "reform.innovation_cases", 1), value(2023, "南昌市", "reform.innovation_cases", 1),
    # media platforms: 6 in 2022 (met), 4 in 2023 (short by 1), 9 in 2024 (no target)
    value(2022, "南昌市", "culture.media_platforms", 6), value(2023, "南昌市", "culture.media_platforms", 4),
    value(2024, "南昌市", "culture.media_platforms", 9),
    # the milestone: not yet in 2023, done in 2024
    value(2023, "省本级", "digital.ms_booking", 0), value(2024, "省本级", "digital.ms_booking", 1),
])


@pytest.fixture(scope="module")
def tiny():
    tables = gaps.gap_tables(TINY_VALUES, targets=TINY_TARGETS)

    def judged(year):
        province = tables.province[tables.province["year"] <= year]
        coverage = tables.coverage[tables.coverage["year"] <= year]
        table = verdict.plan_verdict(province, coverage, year)
        return table.set_index("indicator")
    return judged


def test_a_flow_is_judged_on_the_sum_of_the_years_targets(tiny):
    row = tiny(2024).loc["grassroots.new_orgs"]
    assert (row["rule"], row["basis"], row["year"]) == ("cumulative", "2022—2024年累计", 2024)
    assert (row["actual"], row["target"], row["gap"]) == (32, 30, 2)
    assert row["completion"] == pytest.approx(32 / 30)
    assert row["status"] == "达标"  # although 2022 alone (8 of 10) fell short


def test_to_date_a_flow_is_judged_on_the_targets_due_so_far(tiny):
    row = tiny(2023).loc["grassroots.new_orgs"]
    assert (row["actual"], row["target"], row["gap"], row["status"]) == (20, 20, 0, "达标")
    assert row["basis"] == "2022—2023年累计"


def test_a_flow_nobody_reported_in_the_verdict_year_is_not_reported_never_zero(tiny):
    row = tiny(2024).loc["reform.innovation_cases"]
    assert row["status"] == "未报送"
    assert "2024年全省未报送" in row["detail"]
    earlier = tiny(2023).loc["reform.innovation_cases"]  # 1 + 1 against 2 + 2 (low ends)
    assert (earlier["actual"], earlier["target"], earlier["gap"], earlier["status"]) == (
        2, 4, -2, "未达标")


def test_a_stock_with_annual_targets_must_meet_every_due_year(tiny):
    row = tiny(2024).loc["culture.media_platforms"]
    assert (row["rule"], row["basis"]) == ("every_year", "2022—2023年每年")
    # the year that decides: 2023, 4 against 5
    assert (row["year"], row["actual"], row["target"], row["gap"]) == (2023, 4, 5, -1)
    assert (row["status"], row["detail"]) == ("未达标", "2023年未达标")
    first = tiny(2022).loc["culture.media_platforms"]
    assert (first["status"], first["actual"], first["target"]) == ("达标", 6, 5)


def test_a_target_due_by_2024_is_judged_in_2024_and_not_due_before(tiny):
    final = tiny(2024).loc["digital.ms_booking"]
    assert (final["rule"], final["basis"], final["status"]) == ("by", "2024年底前", "达标")
    assert (final["actual"], final["target"], final["gap"]) == (1, 1, 0)
    before = tiny(2023).loc["digital.ms_booking"]
    assert (before["status"], before["actual"], before["target"]) == ("未到期", 0, 1)


def test_counts_per_area_and_in_total(tiny):
    counts = verdict.verdict_counts(tiny(2024).reset_index()).set_index("area")
    total = counts.loc["合计"]
    assert (total["达标"], total["未达标"], total["未报送"], total["未到期"], total["total"]) == (
        2, 1, 1, 0, 4)
    assert counts.loc["reform", "未报送"] == 1 and counts.loc["digital", "达标"] == 1
    assert list(counts.index[:-1]) == list(catalog.areas()["area"])  # every area, plan order
    earlier = verdict.verdict_counts(tiny(2023).reset_index()).set_index("area").loc["合计"]
    assert (earlier["达标"], earlier["未达标"], earlier["未报送"], earlier["未到期"]) == (1, 2, 0, 1)


def test_the_headline_sentence_counts_what_the_table_says(tiny):
    assert verdict.verdict_sentence(tiny(2024).reset_index(), 2024) == (
        "三年行动方案设定目标的4项指标，按2022—2024年整体评估：达标2项，未达标1项，未报送1项。")
    assert verdict.verdict_sentence(tiny(2023).reset_index(), 2023).endswith(
        "截至目前评估：达标1项，未达标2项，未报送0项，目标未到期1项。")


# --------------------------------------------------------------------------- the sample data


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    from jrc_analysis.returns.ingest import load_returns
    from tests.test_briefing import raw_copy

    raw = raw_copy(tmp_path_factory.mktemp("verdict") / "raw")
    return gaps.gap_tables(load_returns(raw).values)


@pytest.mark.parametrize("year", [2024, 2023])
def test_the_verdict_agrees_with_the_gap_tables(samples, year):
    province = samples.province[samples.province["year"] <= year]
    coverage = samples.coverage[samples.coverage["year"] <= year]
    table = verdict.plan_verdict(province, coverage, year)
    # every indicator the plan sets a target for, once
    assert sorted(table["indicator"]) == sorted(set(catalog.targets()["indicator"]))
    at = province.set_index(["indicator", "year"])
    for row in table.itertuples(index=False):
        if row.rule == "cumulative" and row.status != "未到期":
            gap_row = at.loc[(row.indicator, year)]
            assert row.actual == gap_row["cumulative_actual"], row.indicator
            assert row.target == gap_row["cumulative_target"], row.indicator
            assert row.status == ("达标" if row.actual >= row.target else "未达标"), row.indicator
        elif row.rule == "by":
            due_year = int(at.xs(row.indicator)["due_year"].dropna().iloc[0])
            if year >= due_year:
                assert row.status == at.loc[(row.indicator, due_year), "status"], row.indicator
            else:
                assert row.status == "未到期", row.indicator
        elif row.rule == "every_year":
            rows = at.xs(row.indicator)
            due = rows[rows["target"].notna() & rows["due"].fillna(False).astype(bool)]
            statuses = set(due["status"])
            expected = "未达标" if "未达标" in statuses else "未报送" if "未报送" in statuses else "达标"
            assert row.status == expected, row.indicator
        if not math.isnan(row.gap):
            assert row.gap == pytest.approx(row.actual - row.target)


def test_sample_2024_verdict_names_the_shortfalls_in_the_plans_units(samples):
    table = verdict.plan_verdict(samples.province, samples.coverage, 2024).set_index("indicator")
    volunteers = table.loc["grassroots.new_volunteers"]  # 2024 alone fell short, three years did not
    gap_2024 = samples.province.set_index(["indicator", "year"]).loc[
        ("grassroots.new_volunteers", 2024)]
    assert gap_2024["status"] == "未达标" and volunteers["status"] == "达标"
    teams = table.loc["grassroots.volunteer_teams"]  # coverage: counties short, named
    assert teams["status"] == "未达标" and teams["actual_unit"] == "个县（市、区）"
    cov = samples.coverage.set_index(["indicator", "year"]).loc[("grassroots.volunteer_teams", 2024)]
    assert teams["gap"] == cov["units_meeting"] - cov["units_expected"]
    assert cov["missing_text"] in teams["detail"]
    assert set(verdict.not_met(table.reset_index())["status"]) == {"未达标"}


# --------------------------------------------------------------------------- the verdict chart


def test_verdict_chart_caps_long_bars_and_keeps_labels_off_the_100_percent_line(samples):
    from jrc_analysis.report.charts.verdict import AXIS_CAP, verdict_chart

    table = verdict.plan_verdict(samples.province, samples.coverage, 2024)
    fig = verdict_chart(table, "fundraising", 2024, synthetic=True)
    ax = fig.axes[0]
    bars = {p.get_gid(): p.get_width() for p in ax.patches if p.get_gid()}
    total = table.set_index("indicator").loc["fundraising.total"]
    assert total["completion"] > AXIS_CAP  # 5.1× the three years' targets
    assert bars["bar:fundraising.total"] == AXIS_CAP
    labels = [t for t in ax.texts if "／" in t.get_text() or "未" in t.get_text()]
    assert labels and all(t.xy[0] >= 1.0 for t in labels)  # right of the 100% line
    assert any("超出坐标轴" in t.get_text() for t in labels)
    assert any("差1个设区市" in t.get_text() for t in labels)  # 透明指数评价: 10 of 11


def test_verdict_chart_labels_milestones_in_words_once(samples):
    from jrc_analysis.report.charts.verdict import verdict_chart

    table = verdict.plan_verdict(samples.province, samples.coverage, 2024)
    texts = [t.get_text() for t in verdict_chart(table, "digital", 2024).axes[0].texts]
    assert texts.count("已完成") == 4 and texts.count("未完成") == 1  # 国产商用密码: not done
    assert any(t.startswith("97.2%（目标100%），差2.79个百分点") for t in texts)  # 赣政通 ratio

"""The one Analysis: the year checked, the tables cut at the year, the one chart plan shared by the
briefing and the notebooks, the Plan loaded once. Runs on the fixed data set (tests/data/raw)."""
from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from fixed_data import FIXED_RAW
from jrc_analysis.analysis.analysis import (
    Analysis,
    AnalysisError,
    ChartSpec,
    analyse,
    chart_plan,
    checked_year,
    prefecture_chart_indicators,
)
from jrc_analysis.plan import Plan, load_plan

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
YEARS = (2022, 2023, 2024)


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return tmp_path_factory.mktemp("processed")


@pytest.fixture(scope="module")
def analyses(processed) -> dict[int, Analysis]:
    return {year: analyse(year, FIXED_RAW, processed) for year in YEARS}


# --------------------------------------------------------------------------- the year


@pytest.mark.parametrize("year, message", [
    ("2023", "通报年度应为整数年份（如 2024，不加引号）或 None（最近一年），收到的是 '2023'；"
             "有报表的年度：2022、2023、2024。"),
    ("abc", "收到的是 'abc'"),
    (2023.0, "收到的是 2023.0"),
    (True, "收到的是 True"),
    (2030, "2030年没有报表数据；有报表的年度：2022、2023、2024。"),
])
def test_a_bad_year_stops_with_one_sentence_listing_the_years(year, message, tmp_path):
    with pytest.raises(AnalysisError) as caught:
        checked_year(year, [2022, 2023, 2024], tmp_path)
    assert message in str(caught.value)


def test_none_is_the_latest_year_and_a_year_with_returns_is_itself(tmp_path):
    assert checked_year(None, [2022, 2023, 2024], tmp_path) == 2024
    assert checked_year(2023, [2022, 2023, 2024], tmp_path) == 2023


def test_an_empty_raw_folder_names_its_full_path(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(AnalysisError, match=re.escape(str((tmp_path / "raw").resolve()))):
        analyse(None, tmp_path / "raw", tmp_path / "processed")


def test_a_missing_raw_folder_names_its_full_path(tmp_path):
    with pytest.raises(AnalysisError, match=re.escape(str((tmp_path / "没有").resolve()))):
        analyse(None, tmp_path / "没有", tmp_path / "processed")


def test_in_a_notebook_the_error_shows_as_its_sentence_without_a_traceback():
    assert AnalysisError("2030年没有报表数据。")._render_traceback_() == ["错误：2030年没有报表数据。"]


# --------------------------------------------------------------------------- the cut


@pytest.mark.parametrize("year", YEARS)
def test_every_table_is_cut_at_the_year(analyses, year):
    a = analyses[year]
    assert a.year == year and a.years == YEARS
    for table in (a.province, a.prefectures, a.coverage, a.reporting_rates, a.fundraising_mix,
                  a.completeness_by_year):
        assert int(table["year"].max()) == year
    assert set(a.completeness["year"]) == {year}
    assert (a.issues["year"].dropna() <= year).all()


def test_a_2023_analysis_keeps_the_2023_issues_and_drops_the_2024_ones(analyses):
    # the fixed set plants validate.jump in 2024 (新余市 救护师资) and an incomplete 2023 return (萍乡市)
    codes_2023 = set(zip(analyses[2023].issues["code"], analyses[2023].issues["year"]))
    assert ("validate.incomplete", 2023) in codes_2023
    assert not any(y == 2024 for _, y in codes_2023)
    assert ("validate.jump", 2024) in set(zip(analyses[2024].issues["code"],
                                             analyses[2024].issues["year"]))


def test_the_second_analysis_reads_the_cache_not_the_files(analyses, processed):
    again = analyse(2024, FIXED_RAW, processed)
    assert again.ingested is False
    pd.testing.assert_frame_equal(again.province, analyses[2024].province)


def test_the_repr_is_one_line(analyses):
    text = repr(analyses[2024])
    assert "\n" not in text and text.startswith("Analysis（2024年；有报表的年度：2022、2023、2024；")
    assert "图表 75 张" in text


# --------------------------------------------------------------------------- the chart plan


def test_the_prefecture_chart_rule_needs_every_allocated_target_at_least_one():
    prefectures = pd.DataFrame({
        "indicator": ["care.organ_registrations", "care.organ_registrations",
                      "care.stem_cell_registrations", "care.stem_cell_registrations",
                      "care.donor_memorials"],
        "year": [2024] * 5, "target": [100.0, 1.0, 30.0, 0.4, 1.0],
        "target_basis": ["按人口", "按人口", "按人口", "按人口", ""]})
    # 0.4 of a registration for one unit: no chart; no allocation basis: no chart
    assert prefecture_chart_indicators(prefectures, 2024) == ["care.organ_registrations"]
    assert prefecture_chart_indicators(prefectures, 2023) == []


def test_the_chart_plan_of_2024_on_the_fixed_set(analyses):
    plan = analyses[2024].charts
    kinds = pd.Series([s.chart for s in plan]).value_counts().to_dict()
    # 40 indicators with a target, of which 5 yes/no milestones shown in one ✓/✗ table → 35
    # trends; 8 headline → 8 contributions, and a tile map each (all have whole-unit allocations);
    # 5 coverage targets; 3 overview charts (scorecard, cumulative, heat-map); the cash share;
    # prefecture charts for allocated targets of at least 1 in every unit
    assert len(load_plan().targeted_indicators) == 40
    assert kinds["trend"] == 40 - 5 and kinds["milestones"] == 1
    assert kinds["contribution"] == 8 and kinds["tiles"] == 8 and kinds["coverage"] == 5
    assert kinds["scorecard"] == 1 and kinds["cumulative"] == 1 and kinds["heatmap"] == 1
    assert kinds["fundraising"] == 1
    assert len(plan) == 75 and kinds["prefectures"] == 75 - 35 - 1 - 8 - 8 - 5 - 3 - 1
    assert plan[0] == ChartSpec("overview/scorecard", "scorecard", "", "overview")
    assert ChartSpec("first_aid/certified_trainees_prefectures", "prefectures",
                     "first_aid.certified_trainees", "first_aid") in plan
    assert not [s for s in plan if s.name == "rescue/warehouses_l3_new_prefectures"]


def briefing_run(year: int, raw: Path, processed: Path, figures: Path, monkeypatch):
    """What ``jrc briefing --year`` decides: its Analysis and the chart plan it renders (stopped
    before drawing)."""
    from jrc_analysis.report import briefing

    seen = {}

    class Stop(Exception):
        pass

    def capture(plan, analysis, workers=None):
        seen.update(plan=list(plan), analysis=analysis)
        raise Stop

    monkeypatch.setattr(briefing, "render_charts", capture)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        with pytest.raises(Stop):
            briefing.run_briefing(year, raw, processed, figures)
    return seen


def notebook_charts(analysis: Analysis) -> list[ChartSpec]:
    """The charts the committed notebooks show for ``analysis``: every ``a.charts_for('<code>')``
    and ``a.area_charts('<area>')`` their code cells call, in notebook order."""
    shown = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for code in re.findall(r"a\.charts_for\('([a-z0-9_.]+)'\)", cell.source):
                shown += analysis.charts_for(code)
            for area in re.findall(r"a\.area_charts\('([a-z_]+)'\)", cell.source):
                shown += analysis.area_charts(area)
            for area in re.findall(r"a\.area_summaries\('([a-z_]+)'\)", cell.source):
                shown += analysis.area_summaries(area)
    return shown


@pytest.mark.parametrize("year", YEARS)
def test_notebooks_and_the_briefing_choose_the_same_charts_and_cut_at_the_same_year(
        year, analyses, tmp_path, monkeypatch):
    raw = shutil.copytree(FIXED_RAW, tmp_path / "raw")
    seen = briefing_run(year, raw, tmp_path / "processed", tmp_path / "figures", monkeypatch)
    notebook = analyses[year]  # what the notebooks' first cell computes: analyse(YEAR)
    assert seen["analysis"].year == notebook.year == year
    assert seen["plan"] == list(notebook.charts)
    assert sorted(notebook_charts(notebook), key=lambda s: s.name) == sorted(seen["plan"],
                                                                             key=lambda s: s.name)
    for name in ("province", "prefectures", "coverage", "completeness", "issues"):
        pd.testing.assert_frame_equal(getattr(seen["analysis"], name), getattr(notebook, name))


# --------------------------------------------------------------------------- the plan


def test_the_plan_is_loaded_once_and_a_user_allocation_is_read_each_time(tmp_path):
    assert load_plan() is load_plan()
    allocation = tmp_path / "分解.csv"
    allocation.write_text("indicator,year,prefecture,target\nfirst_aid.aed_new,2024,南昌,60\n",
                          encoding="utf-8")
    user = load_plan(allocation)
    assert isinstance(user, Plan) and user is not load_plan(allocation)
    assert user.allocation["target"].tolist() == [60.0]
    assert user.allocated_indicators(2024) == ["first_aid.aed_new"]
    assert user.years == [2022, 2023, 2024]
    assert "有目标的指标 40 项" in repr(load_plan())


def test_a_user_allocation_changes_the_prefecture_table_and_the_plan(tmp_path, processed):
    allocation = tmp_path / "分解.csv"
    rows = "\n".join(f"first_aid.aed_new,2024,{p},50" for p in load_plan().reporting_units[:11])
    allocation.write_text("indicator,year,prefecture,target\n" + rows + "\n", encoding="utf-8")
    a = analyse(2024, FIXED_RAW, processed, allocation_path=allocation)
    targets = a.prefectures[(a.prefectures["indicator"] == "first_aid.aed_new")
                            & (a.prefectures["year"] == 2024) & a.prefectures["target"].notna()]
    assert targets["target"].tolist() == [50.0] * 11
    assert [s.indicator for s in a.charts if s.chart == "prefectures"] == ["first_aid.aed_new"]
    assert chart_plan(a) == list(a.charts)


# --------------------------------------------------------------------------- discoverable


def test_the_package_lists_its_public_api():
    import jrc_analysis

    listed = dir(jrc_analysis)
    for name in ("analyse", "Analysis", "AnalysisError", "load_plan", "Plan", "views", "charts",
                 "explore", "run_briefing"):
        assert name in listed and name in jrc_analysis.__all__
    assert all(getattr(jrc_analysis, name) is not None for name in jrc_analysis.__all__)
    assert jrc_analysis.analyse is analyse
    assert "analyse(year=None)" in jrc_analysis.__doc__
    with pytest.raises(AttributeError):
        jrc_analysis.no_such_thing  # noqa: B018

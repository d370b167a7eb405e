"""Tests of jrc_analysis.analysis.explore: the cached load() and the notebook tables.

load() is tested with ``compute`` replaced by a counter returning a tiny Loaded, so the tests check
the caching itself (when the raw folder is read again) without depending on the cleaning code.
Expected values are worked out by hand in the comments.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from jrc_analysis.analysis import explore
from jrc_analysis.returns.ingest import RETURN_COLUMNS
from jrc_analysis.issues import ISSUE_COLUMNS

TIDY = ["year", "prefecture", "county", "indicator", "value", "unit", "source_file", "sheet",
        "cell", "raw"]


# --------------------------------------------------------------------------- helpers


def tiny_loaded(digest: str = "") -> explore.Loaded:
    values = pd.DataFrame([[2023, "南昌市", "", "grassroots.new_orgs", 12.0, "个",
                            "2023/南昌.xlsx", "汇总表", "G5", "12"]], columns=TIDY)
    empty = pd.DataFrame()
    return explore.Loaded(
        values=values, issues=pd.DataFrame(columns=ISSUE_COLUMNS),
        returns=pd.DataFrame(columns=RETURN_COLUMNS),
        skipped=pd.DataFrame(columns=["source_file", "reason"]), province=empty,
        prefecture=empty, coverage=empty, completeness=empty, reporting_rates=empty,
        fundraising_mix=empty, synthetic=True, fingerprint=digest, ingested=True)


@pytest.fixture
def counted(monkeypatch):
    """explore.compute replaced by a fake that counts its calls."""
    calls = []

    def fake_compute(raw_dir, digest=""):
        calls.append(raw_dir)
        return tiny_loaded(digest)

    monkeypatch.setattr(explore, "compute", fake_compute)
    return calls


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """JRC_DATA_ROOT pointing at a tmp folder with raw/2023/a.xlsx and raw/2023/b.xlsx."""
    monkeypatch.setenv("JRC_DATA_ROOT", str(tmp_path))
    raw = tmp_path / "raw" / "2023"
    raw.mkdir(parents=True)
    (raw / "a.xlsx").write_bytes(b"first return")
    (raw / "b.xlsx").write_bytes(b"second return")
    return tmp_path


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_lists_relative_paths_sizes_and_hashes(data_root):
    records = explore.file_records(data_root / "raw")
    assert [(r["path"], r["size"]) for r in records] == [("2023/a.xlsx", 12), ("2023/b.xlsx", 13)]
    # sha256 of b"first return", computed independently with `printf 'first return' | sha256sum`
    assert records[0]["sha256"] == (
        "1e3ba768ca16995adffc79c395eeb4bf601b6eedf14f509bbe7730901ecd56fc")


def test_fingerprint_ignores_mtime_but_not_content_names_or_new_files(data_root):
    raw = data_root / "raw"
    before = explore.fingerprint(raw, pipeline="p")["digest"]
    os.utime(raw / "2023" / "a.xlsx", (1_000_000, 1_000_000))
    assert explore.fingerprint(raw, pipeline="p")["digest"] == before
    (raw / "2023" / "a.xlsx").write_bytes(b"first returN")  # same size, other content
    changed = explore.fingerprint(raw, pipeline="p")["digest"]
    assert changed != before
    (raw / "2023" / "c.xlsx").write_bytes(b"")
    assert explore.fingerprint(raw, pipeline="p")["digest"] != changed


def test_fingerprint_depends_on_the_pipeline(data_root):
    raw = data_root / "raw"
    assert explore.fingerprint(raw, pipeline="p")["digest"] != \
        explore.fingerprint(raw, pipeline="q")["digest"]


def test_same_files_in_another_folder_have_the_same_fingerprint(data_root, tmp_path_factory):
    other = tmp_path_factory.mktemp("copy") / "raw"
    (other / "2023").mkdir(parents=True)
    (other / "2023" / "a.xlsx").write_bytes(b"first return")
    (other / "2023" / "b.xlsx").write_bytes(b"second return")
    assert explore.fingerprint(other, "p")["digest"] == \
        explore.fingerprint(data_root / "raw", "p")["digest"]


# --------------------------------------------------------------------------- load


def test_second_load_does_not_ingest_again(data_root, counted):
    first = explore.load()
    second = explore.load()
    assert len(counted) == 1
    assert first.ingested is True and second.ingested is False
    assert second.values.equals(first.values)
    assert second.fingerprint == first.fingerprint != ""


def test_changed_content_is_ingested_again(data_root, counted):
    explore.load()
    (data_root / "raw" / "2023" / "b.xlsx").write_bytes(b"second return, corrected")
    again = explore.load()
    assert len(counted) == 2 and again.ingested is True
    assert explore.load().ingested is False and len(counted) == 2


def test_refresh_forces_an_ingest(data_root, counted):
    explore.load()
    explore.load(refresh=True)
    assert len(counted) == 2


def test_outputs_and_fingerprint_are_written_beside_each_other(data_root, counted):
    explore.load()
    processed = data_root / "processed"
    names = sorted(p.name for p in processed.iterdir())
    assert names == [".outputs", "explore_cache.pkl", "fingerprint.json", "issues.csv", "returns.csv",
                     "returns.parquet"]  # .outputs: the generations of the three outputs (fileio.replace_set)
    record = json.loads((processed / "fingerprint.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in record["files"]] == ["2023/a.xlsx", "2023/b.xlsx"]
    assert str(data_root) not in (processed / "fingerprint.json").read_text(encoding="utf-8")
    assert pd.read_parquet(processed / "returns.parquet")["value"].tolist() == [12.0]


def test_a_deleted_output_means_ingest(data_root, counted):
    from jrc_analysis.returns.ingest import OUTPUT_FILES

    assert explore.OUTPUT_FILES == OUTPUT_FILES
    explore.load()
    (data_root / "processed" / "returns.csv").unlink()
    explore.load()
    assert len(counted) == 2
    assert (data_root / "processed" / "returns.csv").is_file()


def test_loaded_repr_is_one_short_line():
    text = repr(tiny_loaded())
    assert text == "Loaded（报表 0 个，数值 1 个，年度：2023；错误 0 条，警告 0 条；本次读取了原始报表）"


def test_a_damaged_cache_is_rebuilt(data_root, counted):
    explore.load()
    (data_root / "processed" / "explore_cache.pkl").write_bytes(b"not a pickle")
    assert explore.load().ingested is True
    assert len(counted) == 2


def test_a_missing_fingerprint_means_ingest(data_root, counted):
    explore.load()
    (data_root / "processed" / "fingerprint.json").unlink()
    explore.load()
    assert len(counted) == 2


def test_explicit_folders_override_the_config(tmp_path, counted):
    raw = tmp_path / "elsewhere"
    raw.mkdir()
    (raw / "x.xlsx").write_bytes(b"x")
    explore.load(raw, tmp_path / "out")
    assert (tmp_path / "out" / "fingerprint.json").exists()
    assert counted == [raw]


def test_a_missing_raw_folder_says_where_to_put_the_returns(tmp_path, counted):
    with pytest.raises(FileNotFoundError, match="data/raw"):
        explore.load(tmp_path / "nowhere", tmp_path / "out")
    assert counted == []


def test_loaded_years():
    assert tiny_loaded().years == [2023]
    assert tiny_loaded().latest_year == 2023


# --------------------------------------------------------------------------- table helpers


def province_row(**fields) -> dict:
    row = {"area": "first_aid", "indicator": "first_aid.certified_trainees",
           "name": "应急救护持证培训（救护员）", "unit": "人", "actual_unit": "人", "kind": "min",
           "level": "province", "timing": "annual", "due": True, "due_year": 2024, "year": 2024,
           "actual": np.nan, "threshold": np.nan, "target": np.nan, "target_upper": np.nan,
           "completion": np.nan, "status": "无目标", "reported": "12/12", "yoy_change": np.nan,
           "yoy_pct": np.nan}
    row.update(fields)
    return row


def test_reading_of_a_min_target():
    province = pd.DataFrame([
        province_row(year=2023, actual=151600.0, target=100000.0, completion=1.516, status="达标"),
        province_row(year=2024, actual=117200.0, target=100000.0, completion=1.172, status="达标",
                     yoy_change=-34400.0, yoy_pct=-34400 / 151600),
    ])
    # 117200 人 = 11.72万人; 100000 = 10万人; 34400 = 3.44万人; 34400/151600 = 22.69% -> 22.7%
    assert explore.reading(province, "first_aid.certified_trainees", 2024) == (
        "应急救护持证培训（救护员）：2024年全省11.72万人，目标10万人（完成率117.2%），达标；"
        "12/12报送；比上年减少3.44万人（-22.7%）。")


def test_reading_when_nobody_reported_never_says_zero():
    province = pd.DataFrame([province_row(target=100000.0, status="未报送", reported="0/12")])
    assert explore.reading(province, "first_aid.certified_trainees", 2024) == (
        "应急救护持证培训（救护员）：2024年各单位均未报送（未报送不按0计），目标10万人。")


def test_reading_of_a_coverage_target_counts_units():
    province = pd.DataFrame([province_row(
        area="grassroots", indicator="grassroots.volunteer_teams", name="志愿服务队伍", unit="支",
        actual_unit="个县（市、区）", kind="coverage", level="county", actual=95.0, threshold=3.0,
        target=100.0, completion=0.95, status="未达标", reported="100/100")])
    assert explore.reading(province, "grassroots.volunteer_teams", 2024) == (
        "志愿服务队伍：2024年全省达到要求的有95个县（市、区）（每个至少3支），"
        "应为100个县（市、区），未达标；100/100报送。")


def test_reading_before_a_by_deadline_is_progress_only():
    province = pd.DataFrame([province_row(
        area="care", indicator="care.hospitals_with_desk", name="设立“三献”咨询台的二级以上医院",
        unit="家", actual_unit="比例", kind="ratio", timing="by", due=False, year=2023,
        actual=0.746, threshold=1.0, target=1.0, completion=0.746, status="无目标")])
    assert explore.reading(province, "care.hospitals_with_desk", 2023) == (
        "设立“三献”咨询台的二级以上医院：2023年全省比例为74.6%，目标100%（2024年底前），"
        "尚未到期、只看进展；12/12报送。")


def test_gap_table_writes_ranges_and_milestones_as_people_read_them():
    province = pd.DataFrame([
        province_row(area="reform", indicator="reform.innovation_cases", name="改革经验",
                     unit="个", actual_unit="个", kind="range", actual=3.0, target=2.0,
                     target_upper=4.0, completion=1.5, status="达标"),
        province_row(area="digital", indicator="digital.ms_crypto", name="密码应用",
                     unit="是/否", actual_unit="是/否", kind="milestone", level="unit",
                     actual=0.0, target=1.0, completion=0.0, status="未达标", reported="1/1"),
    ])
    table = explore.gap_table(province)
    assert list(table.columns) == ["指标", "年度", "完成数", "目标", "完成率", "状态", "报送"]
    assert table.values.tolist() == [
        ["改革经验", 2024, "3个", "2个—4个", "150%", "达标", "12/12"],
        ["密码应用", 2024, "否", "是", "—", "未达标", "1/1"],
    ]


def prefecture_rows(indicator: str, actuals: dict[str, float], year: int = 2024) -> list[dict]:
    return [{"indicator": indicator, "year": year, "prefecture": unit, "actual": value}
            for unit, value in actuals.items()]


def test_per_population_divides_by_census_population():
    table = pd.DataFrame(prefecture_rows("first_aid.certified_trainees",
                                         {"南昌市": 12510.0, "景德镇市": 1620.9, "省本级": 100.0}))
    out = explore.per_population(table, "first_aid.certified_trainees", 2024)
    assert list(out["prefecture"])[:2] == ["南昌市", "景德镇市"] and out["prefecture"].iloc[-1] == "全省"
    assert len(out) == 12  # 11 prefectures + 全省 (省本级 has no population of its own)
    by_unit = out.set_index("prefecture")
    # 12510 / 625.50万人 = 20.0 per 10,000; 1620.9 / 162.09 = 10.0
    assert by_unit.loc["南昌市", "per_10k"] == pytest.approx(20.0)
    assert by_unit.loc["景德镇市", "per_10k"] == pytest.approx(10.0)
    assert by_unit.loc["南昌市", "rank"] == 1 and by_unit.loc["景德镇市", "rank"] == 2
    assert np.isnan(by_unit.loc["萍乡市", "per_10k"]) and pd.isna(by_unit.loc["萍乡市", "rank"])
    # province: (12510 + 1620.9 + 100) people over the 11 prefectures' 4519.03万
    assert by_unit.loc["全省", "actual"] == pytest.approx(14230.9)
    assert by_unit.loc["全省", "population"] == pytest.approx(4519.03)
    assert by_unit.loc["全省", "per_10k"] == pytest.approx(14230.9 / 4519.03)


def test_compare_indicators_sums_only_units_with_both():
    table = pd.DataFrame(
        prefecture_rows("first_aid.certified_trainees", {"南昌市": 20.0, "九江市": 5.0})
        + prefecture_rows("first_aid.popular_trainees", {"南昌市": 100.0, "萍乡市": 40.0}))
    out = explore.compare_indicators(table, "first_aid.certified_trainees",
                                     "first_aid.popular_trainees", 2024).set_index("prefecture")
    assert out.loc["南昌市", "ratio"] == pytest.approx(0.2)
    assert np.isnan(out.loc["九江市", "ratio"]) and np.isnan(out.loc["萍乡市", "ratio"])
    # only 南昌市 reported both: 20 / 100
    assert out.loc["全省", ["numerator", "denominator"]].tolist() == [20.0, 100.0]


def test_issues_by_unit_and_send_back():
    returns = pd.DataFrame({"source_file": ["2023/a.xlsx", "2023/b.xlsx", "2024/c.xlsx"],
                            "prefecture": ["九江市", "南昌市", ""],
                            "year": pd.array([2023, 2023, pd.NA], dtype="Int64")})
    issues = pd.DataFrame([
        ["warning", "validate.x", "2023/a.xlsx", "汇总表", "G5", "九江 警告"],
        ["error", "clean.y", "2023/a.xlsx", "汇总表", "G9", "九江 错误"],
        ["error", "read.z", "2024/c.xlsx", "", "", "无法识别"],
    ], columns=ISSUE_COLUMNS)
    counts = explore.issues_by_unit(issues, returns)
    # 南昌市 before 九江市 (geographic order), the unknown unit last
    assert counts.values.tolist() == [
        ["南昌市", 2023, 1, 0, 0], ["九江市", 2023, 1, 1, 1], ["未识别单位", pd.NA, 1, 1, 0]]
    back = explore.send_back(issues, returns, prefecture="九江市")
    assert back["severity"].tolist() == ["错误", "警告"]
    assert back["cell"].tolist() == ["G9", "G5"]


def test_status_counts_by_area():
    province = pd.DataFrame([
        province_row(area="reform", status="达标"), province_row(area="reform", status="未达标"),
        province_row(area="care", status="未报送"), province_row(area="care", year=2023)])
    counts = explore.status_counts(province, 2024)
    assert list(counts.columns) == ["达标", "未达标", "未报送", "无目标"]
    assert counts.loc["深化改革攻坚"].tolist() == [1, 1, 0, 0]
    assert counts.loc["救助服务关爱"].tolist() == [0, 0, 1, 0]
    assert counts.loc["合计"].tolist() == [1, 1, 1, 0]
    assert len(counts) == 9  # eight areas + 合计


def test_text_table_hides_a_plain_index_and_marks_missing():
    text = explore.text_table(pd.DataFrame({"指标": ["甲"], "完成数": [None]}))
    assert text.splitlines()[-1].split() == ["甲", "—"]


def test_mix_table_uses_one_unit_read_from_the_smallest_total():
    mix = pd.DataFrame({
        "prefecture": ["全省", "南昌市"], "year": [2024, 2024],
        "total": [300_000_000.0, 20_000_000.0], "cash": [200_000_000.0, 15_000_000.0],
        "in_kind": [100_000_000.0, 5_000_000.0], "online": [np.nan, 1_000_000.0],
        "cash_share": [2 / 3, 0.75], "online_share": [np.nan, 0.05],
        "cash_share_trend": ["上升", ""]})
    table = explore.mix_table(mix)
    # smallest total 2000万元 -> 万元 for the whole table
    assert list(table.columns)[2:6] == ["合计（万元）", "资金（万元）", "物资折价（万元）", "网络众筹（万元）"]
    assert table.iloc[0].tolist() == ["全省", 2024, "30,000", "20,000", "10,000", "—", "66.7%", "—",
                                      "上升"]
    assert table.iloc[1].tolist() == ["南昌市", 2024, "2000", "1500", "500", "100", "75%", "5%", "—"]


def test_plan_sentences_come_from_the_targets_once_each():
    sentences = explore.plan_sentences("first_aid")
    assert len(sentences) == len(set(sentences)) >= 2
    assert any("75万人次" in s for s in sentences)


def test_text_table_of_an_empty_table():
    assert explore.text_table(pd.DataFrame(columns=["指标"])) == "（无）"


def test_text_table_handles_nullable_integers():
    frame = pd.DataFrame({"排名": pd.array([1, pd.NA], dtype="Int64")})
    assert explore.text_table(frame).split() == ["排名", "1", "—"]


def test_importing_explore_does_not_load_matplotlib():
    import subprocess
    import sys

    code = "import sys, jrc_analysis.analysis.explore; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_returns_matrix_marks_missing_returns():
    completeness = pd.DataFrame({
        "year": [2023, 2023, 2024, 2024], "prefecture": ["九江市", "南昌市", "九江市", "南昌市"],
        "returned": [True, True, True, False], "indicators_blank": [0, 2, 1, 53]})
    matrix = explore.returns_matrix(completeness)
    assert list(matrix.index) == ["南昌市", "九江市"]  # plan order, not character order
    assert list(matrix.columns) == ["2023年", "2024年"]
    assert matrix.loc["南昌市"].tolist() == ["已报送（空白2项）", "未报送"]
    assert matrix.loc["九江市"].tolist() == ["已报送（空白0项）", "已报送（空白1项）"]


def test_issue_codes_errors_first_then_most_frequent():
    issues = pd.DataFrame([
        ["warning", "validate.jump", "a", "", "", "m"], ["warning", "validate.jump", "b", "", "", "m"],
        ["warning", "validate.old_template", "a", "", "", "m"], ["error", "read.z", "c", "", "", "m"],
    ], columns=ISSUE_COLUMNS)
    assert explore.issue_codes(issues).values.tolist() == [
        ["错误", "read.z", 1], ["警告", "validate.jump", 2], ["警告", "validate.old_template", 1]]


def test_rates_below_lists_incomplete_indicators_lowest_first():
    rates = pd.DataFrame({"name": ["甲", "乙", "丙"], "year": [2024, 2024, 2024],
                          "rate": [1.0, 11 / 12, 10 / 12], "reported": ["12/12", "11/12", "10/12"]})
    # 10/12 = 83.33% -> 83.3%; 11/12 = 91.67% -> 91.7%
    assert explore.rates_below(rates, 2024).values.tolist() == [
        ["丙", "10/12", "83.3%"], ["乙", "11/12", "91.7%"]]


def test_prefecture_table_in_one_display_unit():
    rows = pd.DataFrame({
        "indicator": ["first_aid.certified_trainees"] * 2, "year": [2024, 2024],
        "prefecture": ["南昌市", "省本级"], "unit": ["人", "人"], "actual_unit": ["人", "人"],
        "actual": [20534.0, 3516.0], "target": [13843.0, np.nan], "completion": [20534 / 13843, np.nan],
        "status": ["达标", "无目标"], "share": [0.175, 0.03], "rank": pd.array([2, 11], dtype="Int64")})
    table = explore.prefecture_table(rows, "first_aid.certified_trainees", 2024)
    assert list(table.columns) == ["填报单位", "完成数（万人）", "分解目标（万人）", "完成率", "状态", "占全省", "排名"]
    # 20534/13843 = 148.34% -> 148.3%; 3516 人 = 0.35万人
    assert table.values.tolist() == [
        ["南昌市", "2.05", "1.38", "148.3%", "达标", "17.5%", "2"],
        ["省本级", "0.35", "—", "—", "无目标", "3%", "11"]]


def test_headline_numbers_adds_the_cumulative_view():
    province = pd.DataFrame([province_row(
        actual=117200.0, target=100000.0, completion=1.172, status="达标",
        cumulative_actual=377100.0, cumulative_target=300000.0, cumulative_completion=1.257)])
    table = explore.headline_numbers(province, 2024, ["first_aid.certified_trainees"])
    assert table.values.tolist() == [["应急救护持证培训（救护员）", "11.72万人", "10万人", "117.2%", "达标",
                                      "12/12", "37.71万人", "30万人", "125.7%"]]


def test_blank_indicators_only_for_units_that_returned():
    completeness = pd.DataFrame({
        "year": [2024, 2024, 2024], "prefecture": ["南昌市", "九江市", "萍乡市"],
        "returned": [True, False, True], "indicators_blank": [2, 53, 0],
        "blank_text": ["发展会员、配置AED", "（全部）", ""]})
    assert explore.blank_indicators(completeness, 2024).values.tolist() == [
        ["南昌市", 2, "发展会员、配置AED"]]

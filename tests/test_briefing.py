"""The briefing command: files, formats, idempotence, raw data untouched; the annex and page pieces.

One full briefing run (and a second one, for idempotence) on a temporary copy of the fixed data set
(``tests/data/raw``) is
shared by the module (fixture ``run``); its wall time is printed (``pytest -s``).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image

from jrc_analysis.analysis.analysis import AnalysisError, analyse, checked_year, issues_up_to
from jrc_analysis.report import briefing

from jrc_analysis.plan import catalog

from jrc_analysis.report.annex import FMT, annex_bytes, write_sheet
from jrc_analysis.report.report_html import table_html
from fixed_data import FIXED_RAW

PROJECT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT / "scripts" / "screenshot_briefing.py"
YEAR = 2024
HEADLINE = ["first_aid.certified_trainees", "first_aid.popular_trainees", "fundraising.total",
            "grassroots.new_members", "grassroots.new_volunteers", "care.organ_registrations",
            "care.stem_cell_registrations", "first_aid.aed_new"]
COVERAGE = ["grassroots.volunteer_teams", "rescue.prefecture_teams", "rescue.county_teams",
            "care.donor_memorials", "fundraising.transparency_evaluated"]
AREA_SHEETS = ["深化改革攻坚", "强基固本提升", "应急救援壮骨", "应急救护提质", "救助服务关爱",
               "筹资动员优化", "文化传播增效", "“数字红十字会”赋能"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SHEETS = ["总览", *AREA_SHEETS, "分市排名", "覆盖情况", "报送情况", "数据问题"]


def hashes(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def raw_copy(target: Path) -> Path:
    """A copy of the tests' fixed data set (tests/data/raw), never the analyst's data/raw."""
    shutil.copytree(FIXED_RAW, target)
    return target


def quiet_run(**kwargs) -> tuple[int, str, float]:
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = briefing.run_briefing(**kwargs)
    return code, out.getvalue(), time.perf_counter() - started


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("briefing")
    raw = raw_copy(root / "raw")
    raw_before = hashes(raw)
    dirs = dict(raw_dir=raw, processed_dir=root / "processed", figures_dir=root / "figures")
    code, output, first = quiet_run(**dirs)
    after_first = hashes(root / "figures") | {f"processed/{k}": v
                                              for k, v in hashes(root / "processed").items()}
    code2, _, second = quiet_run(**dirs)
    after_second = hashes(root / "figures") | {f"processed/{k}": v
                                               for k, v in hashes(root / "processed").items()}
    print(f"\nbriefing wall time: first run {first:.1f} s, second run {second:.1f} s")
    return dict(root=root, raw=raw, raw_before=raw_before, code=code, code2=code2, output=output,
                first=after_first, second=after_second, year_dir=root / "figures" / str(YEAR))


def test_exit_code_is_zero_without_errors_in_the_returns(run):
    issues = pd.read_csv(run["root"] / "processed" / "issues.csv", encoding="utf-8-sig")
    expected = 1 if (issues["severity"] == "error").any() else 0
    assert run["code"] == expected
    assert run["code2"] == expected


def test_default_year_is_the_latest_with_returns_and_output_is_named(run):
    assert run["year_dir"].is_dir()
    assert f"briefing_{YEAR}.xlsx" in run["output"]
    assert f"briefing_{YEAR}.html" in run["output"]


def test_chart_files_have_stable_descriptive_names(run):
    files = set(run["first"])
    charts = {p[: -len(".png")] for p in files if p.endswith(".png")}
    expected = {f"{YEAR}/overview/scorecard", f"{YEAR}/overview/cumulative",
                f"{YEAR}/overview/heatmap", f"{YEAR}/digital/milestones",
                f"{YEAR}/fundraising/cash_share"}
    targets = catalog.targets()
    milestones = set(targets.loc[targets["kind"] == "milestone", "indicator"])
    for code in set(targets["indicator"]) - milestones:  # milestones: one ✓/✗ table (issue 14)
        area, short = code.split(".", 1)
        expected.add(f"{YEAR}/{area}/{short}_trend")
    for code in HEADLINE:
        area, short = code.split(".", 1)
        expected.add(f"{YEAR}/{area}/{short}_contribution")
    for code in COVERAGE:
        area, short = code.split(".", 1)
        expected.add(f"{YEAR}/{area}/{short}_coverage")
    assert expected <= charts
    prefecture_charts = {c for c in charts if c.endswith("_prefectures")}
    assert f"{YEAR}/first_aid/certified_trainees_prefectures" in prefecture_charts
    assert f"{YEAR}/grassroots/new_orgs_prefectures" in prefecture_charts
    # ranges, coverage, ratios and 省本级's own work get no allocation: no prefecture chart
    assert f"{YEAR}/reform/innovation_cases_prefectures" not in prefecture_charts
    assert f"{YEAR}/rescue/provincial_teams_new_prefectures" not in prefecture_charts
    # allocated targets below 1 (2 warehouses shared by population): no prefecture chart, as in
    # the notebooks (charts.prefecture_chart_indicators)
    assert f"{YEAR}/rescue/warehouses_l3_new_prefectures" not in prefecture_charts
    assert f"{YEAR}/first_aid/training_bases_new_prefectures" not in prefecture_charts
    # a tile map for each headline indicator with a prefecture chart (issue 14)
    tiles = {c for c in charts if c.endswith("_tiles")}
    assert tiles == {c.replace("_prefectures", "_tiles") for c in prefecture_charts
                     if c.split("/", 1)[1].replace("/", ".").rsplit("_", 1)[0] in HEADLINE}
    assert f"{YEAR}/first_aid/certified_trainees_tiles" in tiles
    assert charts == expected | prefecture_charts | tiles
    assert {c + ".svg" for c in charts} <= files
    assert {f"{YEAR}/briefing_{YEAR}.xlsx", f"{YEAR}/briefing_{YEAR}.html"} <= files
    # no temporaries; hidden: only the generation of the three outputs (fileio.replace_set)
    assert not [f for f in files if f.endswith(".tmp")
                or ("/." in f and not f.startswith("processed/.outputs/"))]


def test_png_files_are_at_least_200_dpi(run):
    pngs = sorted(run["year_dir"].rglob("*.png"))
    assert len(pngs) > 50
    for path in pngs:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert min(image.info["dpi"]) >= 199.5, path


def test_svg_files_parse(run):
    svgs = sorted(run["year_dir"].rglob("*.svg"))
    assert len(svgs) == len(list(run["year_dir"].rglob("*.png")))
    for path in svgs:
        assert ET.parse(path).getroot().tag.endswith("svg"), path


def test_annex_sheets_headers_frozen_panes_and_status_colours(run):
    wb = openpyxl.load_workbook(run["year_dir"] / f"briefing_{YEAR}.xlsx")
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
    overview = wb["总览"]
    headers = [c.value for c in overview[1]]
    assert "完成率（%）" in headers and "状态" in headers and "单位" in headers
    status_col = headers.index("状态") + 1
    statuses = {overview.cell(row=r, column=status_col).value: overview.cell(
        row=r, column=status_col).fill.fgColor.rgb for r in range(2, overview.max_row + 1)}
    assert statuses["达标"].endswith("009E73")
    assert statuses["未达标"].endswith("D55E00")
    assert overview.cell(row=2, column=headers.index("完成率（%）") + 1).number_format == "0.0%"


def test_page_embeds_every_chart_and_loads_nothing_from_outside(run):
    page = (run["year_dir"] / f"briefing_{YEAR}.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == len(list(run["year_dir"].rglob("*.png")))
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'(href|src)="(https?:|//|file:)', page)
    assert "Noto Sans CJK SC" in page and "Microsoft YaHei" in page
    assert page.count("<figcaption>") == len(sources)


def test_second_run_changes_no_byte(run):
    assert run["first"] == run["second"]


def test_raw_data_is_unchanged(run):
    assert hashes(run["raw"]) == run["raw_before"]


@pytest.mark.skipif(not any(shutil.which(b) for b in BROWSERS), reason="no Chromium installed")
def test_screenshot_script_renders_the_page(run, tmp_path):
    shot = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, str(SCRIPT), str(run["year_dir"] / f"briefing_{YEAR}.html"),
                           "-o", str(shot), "--height", "1200"], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as image:
        assert image.size == (1200, 1200)


# --------------------------------------------------------------------------- pieces, no full run


def test_briefing_year_defaults_to_the_latest_year_with_returns(tmp_path):
    assert checked_year(None, [2022, 2024], tmp_path) == 2024
    assert checked_year(2022, [2022, 2024], tmp_path) == 2022
    with pytest.raises(AnalysisError, match="2023年没有报表数据；有报表的年度：2022、2024"):
        checked_year(2023, [2022, 2024], tmp_path)
    with pytest.raises(AnalysisError, match="没有任何报表数据"):
        checked_year(None, [], tmp_path)


def test_a_year_without_returns_is_a_usage_error_naming_the_years(run, tmp_path):
    code, output, _ = quiet_run(year=2030, raw_dir=run["raw"], processed_dir=tmp_path / "p",
                                figures_dir=tmp_path / "f")
    assert code == 2
    assert "2030年没有报表数据；有报表的年度：2022、2023、2024" in output
    assert "Traceback" not in output
    assert not (tmp_path / "f").exists()


def test_missing_raw_folder_is_a_usage_error(tmp_path):
    code, output, _ = quiet_run(raw_dir=tmp_path / "nowhere", processed_dir=tmp_path / "p",
                                figures_dir=tmp_path / "f")
    assert code == 2
    assert "找不到报表文件夹" in output


def test_text_that_looks_like_a_formula_is_written_as_text():
    table = pd.DataFrame({"问题说明": ["=SUM(A1:A3)", "+86 0791", "-5人", "@cmd", "正常"],
                          "完成数": [1.0, 2.5, None, 4.0, 5.0], FMT: "number"})
    wb = openpyxl.Workbook()
    write_sheet(wb.active, table)
    data = io.BytesIO()
    wb.save(data)
    ws = openpyxl.load_workbook(io.BytesIO(data.getvalue())).active
    assert [ws.cell(row=r, column=1).value for r in range(2, 7)] == [
        "=SUM(A1:A3)", "+86 0791", "-5人", "@cmd", "正常"]
    assert [ws.cell(row=r, column=1).data_type for r in range(2, 7)] == ["s"] * 5
    assert ws.cell(row=2, column=1).quotePrefix
    assert ws.cell(row=3, column=2).number_format == "#,##0.00"
    assert ws.cell(row=2, column=2).number_format == "#,##0"
    assert ws.cell(row=4, column=2).value is None


def test_annex_bytes_are_deterministic():
    sheets = {"总览": pd.DataFrame({"指标名称": ["发展会员"], "完成数": [2.16], "状态": ["达标"],
                                   FMT: "number"})}
    first = annex_bytes(sheets)
    time.sleep(1.1)  # zip entry times and document properties would differ without fixing
    assert annex_bytes(sheets) == first


def test_html_table_escapes_text_from_the_returns():
    table = pd.DataFrame({"问题说明": ['<script>alert("x")</script> & 南昌'], "状态": ["未达标"],
                          "完成率（%）": [0.954], FMT: "number"})
    html = table_html(table)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 南昌" in html
    assert "95.4%" in html
    assert "background:#D55E00" in html


def test_a_year_without_targets_still_gets_trends_marked_no_target(tmp_path):
    from jrc_analysis.returns.samples import sample_truth, write_return

    truth = sample_truth()
    nanchang = truth[(truth["year"] == 2024) & (truth["prefecture"] == "南昌市")]
    values = nanchang[["indicator", "county", "value"]].reset_index(drop=True)
    write_return(values, tmp_path / "raw" / "2025" / "2025年度_南昌市_目标任务完成情况表.xlsx",
                 2025, "南昌市")
    tables = analyse(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "processed")
    assert tables.year == 2025
    rows = tables.province[(tables.province["year"] == 2025)
                           & tables.province["indicator"].isin(catalog.targets()["indicator"])]
    assert len(rows) == catalog.targets()["indicator"].nunique()
    # no 达标/未达标 without a target; what 南昌市 does not report (省本级's own work) is 未报送
    assert set(rows["status"]) == {"无目标", "未报送"}
    assert rows.loc[rows["indicator"] == "first_aid.certified_trainees", "status"].tolist() == ["无目标"]
    plan = list(tables.charts)
    kinds = {spec.chart for spec in plan}
    assert "trend" in kinds and "prefectures" not in kinds
    trend = next(s for s in plan if s.name == "first_aid/certified_trainees_trend")
    chart = briefing.render_chart(trend, tables)
    assert chart.png.startswith(b"\x89PNG")
    assert "无目标" in chart.caption


def test_charts_rendered_in_two_processes_are_the_same_bytes(tmp_path):
    from jrc_analysis.returns.samples import sample_truth, write_return

    truth = sample_truth()
    for year in (2023, 2024):
        rows = truth[(truth["year"] == year) & (truth["prefecture"] == "新余市")]
        write_return(rows[["indicator", "county", "value"]].reset_index(drop=True),
                     tmp_path / "raw" / str(year) / f"{year}年度_新余市_目标任务完成情况表.xlsx",
                     year, "新余市")
    tables = analyse(2024, tmp_path / "raw", tmp_path / "processed")
    plan = [s for s in tables.charts if s.area == "first_aid"][:4]
    serial = briefing.render_charts(plan, tables, workers=1)
    parallel = briefing.render_charts(plan, tables, workers=2)
    assert [c.spec for c in parallel] == plan
    assert [(c.png, c.svg, c.caption) for c in parallel] == [(c.png, c.svg, c.caption) for c in serial]


def test_a_briefing_lists_the_issues_of_its_year_and_earlier_and_of_unknown_files():
    issues = pd.DataFrame({"year": pd.array([2022, 2024, None, 2023], dtype="Int64"),
                           "source_file": ["a.xlsx", "b.xlsx", "junk.xlsx", "c.xlsx"]})
    kept = issues_up_to(issues, 2023)
    assert kept["source_file"].tolist() == ["a.xlsx", "junk.xlsx", "c.xlsx"]


def test_charts_are_rendered_in_every_cpu_when_each_gets_two_charts(monkeypatch):
    monkeypatch.delenv("JRC_JOBS", raising=False)
    monkeypatch.setattr(briefing.os, "cpu_count", lambda: 2)
    assert briefing.default_workers(69) == 2
    assert briefing.default_workers(4) == 2
    assert briefing.default_workers(3) == 1
    assert briefing.default_workers(0) == 1
    monkeypatch.setattr(briefing.os, "cpu_count", lambda: 8)
    assert briefing.default_workers(69) == 8
    assert briefing.default_workers(6) == 3
    monkeypatch.setenv("JRC_JOBS", "3")
    assert briefing.default_workers(2) == 3

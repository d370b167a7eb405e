"""Tests for jrc_analysis.report.charts: font, house style, palette, units, every chart, saving.

Every chart is rendered with warnings turned into errors, so a glyph missing from the font
("Glyph … missing from font") fails the test. Test tables are small frames with the columns of
the gaps tables, built here; expected values are worked out by hand in the comments.
"""
from __future__ import annotations

import io
import re
import warnings

import matplotlib
import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from jrc_analysis.plan import catalog

from jrc_analysis.report import charts
from jrc_analysis.report.charts import style

NAN = np.nan
SYNTHETIC = "示例数据（合成），非官方统计"
SOURCE = "数据来源：各设区市红十字会年度报表"


# --------------------------------------------------------------------------- helpers


def texts(fig: Figure) -> list[str]:
    """Every text drawn on the figure (titles, notes, tick labels, annotations, legends)."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def joined(fig: Figure) -> str:
    return "\n".join(texts(fig))


def render(fig: Figure) -> None:
    """Lay out and draw the figure's text with every warning an error (a missing glyph warns);
    the determinism test renders real PNG and SVG bytes."""
    with warnings.catch_warnings(), charts.house_style():
        warnings.simplefilter("error")
        fig.draw_without_rendering()


def hex_colour(rgba) -> str:
    return matplotlib.colors.to_hex(rgba).upper()


def bar_colours(fig: Figure) -> list[str]:
    return [hex_colour(p.get_facecolor()) for p in fig.findobj(Rectangle) if p.get_gid() == "bar"]


def province_row(indicator, year, actual, target, status, *, units_reported=12, kind="min",
                 target_upper=NAN, due=True, due_year=None, level="province"):
    completion = actual / target if pd.notna(actual) and pd.notna(target) and target > 0 else NAN
    return {"indicator": indicator, "year": year, "actual": actual, "target": target,
            "target_upper": target_upper, "gap": actual - target, "completion": completion,
            "status": status, "kind": kind, "level": level, "due": due,
            "due_year": year if due_year is None else due_year,
            "units_reported": units_reported, "units_expected": 12,
            "reported": f"{units_reported}/12"}


@pytest.fixture
def province() -> pd.DataFrame:
    rows = [
        # popular first-aid training (人次, target 75万 a year); 2023 as published: 145.93万, 195%
        province_row("first_aid.popular_trainees", 2022, 820000.0, 750000.0, "达标"),
        province_row("first_aid.popular_trainees", 2023, 1459300.0, 750000.0, "达标",
                     units_reported=11),
        province_row("first_aid.popular_trainees", 2024, NAN, 750000.0, "未报送",
                     units_reported=0),
        # certified first-aiders (人, 10万 a year)
        province_row("first_aid.certified_trainees", 2022, 120000.0, 100000.0, "达标"),
        province_row("first_aid.certified_trainees", 2023, 151600.0, 100000.0, "达标"),
        province_row("first_aid.certified_trainees", 2024, 90000.0, 100000.0, "未达标"),
        # reform cases: a range target 2–4
        province_row("reform.innovation_cases", 2022, 3.0, 2.0, "达标", kind="range",
                     target_upper=4.0),
        province_row("reform.innovation_cases", 2023, 1.0, 2.0, "未达标", kind="range",
                     target_upper=4.0),
        province_row("reform.innovation_cases", 2024, 5.0, 2.0, "达标", kind="range",
                     target_upper=4.0),
        # fundraising (元, 2亿 a year); 2023 as published: 10.22亿元
        province_row("fundraising.total", 2022, 2.1e8, 2e8, "达标"),
        province_row("fundraising.total", 2023, 1.022e9, 2e8, "达标"),
        province_row("fundraising.total", 2024, 1.5e8, 2e8, "未达标", units_reported=10),
        # no target at all: not on the scorecard
        province_row("care.organ_donations", 2023, 269.0, NAN, "无目标", kind=""),
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def prefecture_table() -> pd.DataFrame:
    """Certified first-aiders in 2023 for four units; the other units are absent."""
    rows = []
    data = {  # unit: (actual, allocated target)
        "南昌市": (25000.0, 20000.0),   # 125%, 达标
        "景德镇市": (3000.0, 5000.0),    # 60%, 未达标
        "赣州市": (30000.0, 20000.0),   # 150%, 达标
        "萍乡市": (NAN, 6000.0),         # no return: 未报送
    }
    for year in (2022, 2023):
        for unit, (actual, target) in data.items():
            status = "未报送" if pd.isna(actual) else ("达标" if actual >= target else "未达标")
            row = province_row("first_aid.certified_trainees", year, actual, target, status)
            row.update(prefecture=unit, target_basis="假设：按2020年常住人口占比分解（非官方分解）")
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def coverage() -> pd.DataFrame:
    return pd.DataFrame([
        {"area": "care", "indicator": "care.donor_memorials", "name": "器官捐献者纪念园",
         "year": 2023, "level": "prefecture", "timing": "by", "due_year": 2024, "due": False,
         "threshold": 1.0, "units_expected": 11, "units_meeting": 9, "share": 9 / 11,
         "units_missing": ["萍乡市", "新余市"], "missing_text": "萍乡市、新余市",
         "units_reported": 10, "status": "无目标"},
        {"area": "care", "indicator": "care.donor_memorials", "name": "器官捐献者纪念园",
         "year": 2024, "level": "prefecture", "timing": "by", "due_year": 2024, "due": True,
         "threshold": 1.0, "units_expected": 11, "units_meeting": 11, "share": 1.0,
         "units_missing": [], "missing_text": "", "units_reported": 11, "status": "达标"},
    ])


# --------------------------------------------------------------------------- font and style


def test_cjk_font_is_the_bundled_noto_sans_cjk_sc():
    assert charts.cjk_font() == "Noto Sans CJK SC"
    assert charts.cjk_font_path().name == "NotoSansCJKsc-Regular.otf"


def test_no_cjk_font_raises_a_chinese_message(monkeypatch):
    candidates = pd.DataFrame({"order": [1, 2], "source": ["bundled", "system"],
                               "family": ["不存在的字体", "No Such Font SC"],
                               "path": ["no_such_package_jrc/fonts/x.otf", ""]})
    monkeypatch.setattr(style, "font_candidates", lambda: candidates)
    style.cjk_font_path.cache_clear()
    style.cjk_font.cache_clear()
    try:
        with pytest.raises(charts.CJKFontError, match="找不到可显示中文的字体") as raised:
            charts.cjk_font()
        assert "mplfonts" in str(raised.value) and "No Such Font SC" in str(raised.value)
    finally:
        style.cjk_font_path.cache_clear()
        style.cjk_font.cache_clear()


def test_missing_glyph_warnings_are_caught_by_the_render_helper():
    # The guard the chart tests rely on: a Chinese title in a Latin-only font must fail.
    fig = Figure()
    fig.text(0.1, 0.5, "应急救护", family="DejaVu Sans")
    with pytest.raises(UserWarning, match="missing from font"):
        render(fig)


def test_house_style_is_deterministic_and_restores_rcparams():
    before = matplotlib.rcParams["svg.hashsalt"]
    with charts.house_style():
        assert matplotlib.rcParams["axes.unicode_minus"] is False
        assert matplotlib.rcParams["svg.hashsalt"] == "jrc_analysis"
        assert matplotlib.rcParams["svg.fonttype"] == "path"
        assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert matplotlib.rcParams["svg.hashsalt"] == before


def test_palette_has_one_colour_per_area_and_status():
    areas = charts.colours("area")
    assert list(areas) == list(catalog.areas()["area"].astype(str))
    assert list(charts.colours("status")) == ["达标", "未达标", "未报送", "进展，未到期", "无目标"]
    every = list(areas.values()) + list(charts.colours("status").values())
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in every)
    assert len(set(every)) == len(every)
    # one fixed colour per reporting unit, 12 distinct, none grey
    units = charts.colours("unit")
    assert list(units) == catalog.reporting_units()
    assert len(set(units.values())) == 12
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) and not _grey(c) for c in units.values())
    assert charts.status_colour("达标") == "#009E73"  # Okabe–Ito bluish green


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize("unit, values, expected", [
    ("人", 151600, ("万人", 10000.0)),
    ("人", 2688, ("人", 1.0)),
    ("人次", [52200, 30000], ("万人次", 10000.0)),
    ("元", 1.022e9, ("亿元", 1e8)),
    ("元", 50000, ("万元", 10000.0)),
    ("元", 9999, ("元", 1.0)),
    ("个", 1_000_000, ("个", 1.0)),
    ("人", [NAN, -20000], ("万人", 10000.0)),
])
def test_display_unit(unit, values, expected):
    assert charts.display_unit(unit, values) == expected


def test_format_value_and_percent_as_published():
    assert charts.format_value(151600, "人") == "15.16万人"
    assert charts.format_value(1.022e9, "元") == "10.22亿元"
    assert charts.format_value(1459300, "人次") == "145.93万人次"
    assert charts.format_value(750000, "人次") == "75万人次"
    assert charts.format_value(2688, "人") == "2688人"
    assert charts.format_value(1, "是/否") == "是"
    assert charts.format_value(750000, "人次", scale_by=1e3) == "750,000人次"
    assert charts.format_percent(1459300 / 750000) == "195%"  # 1.9457
    assert charts.format_percent(2688 / 1000) == "269%"
    assert charts.format_percent(52200 / 30000) == "174%"
    assert charts.format_percent(NAN) == "—"
    assert charts.format_number(12345.678) == "12,345.68"


def test_with_display_units_scales_each_indicator_alike_and_keeps_the_input():
    table = pd.DataFrame({"indicator": ["a", "a", "b"], "unit": ["人", "人", "元"],
                          "actual": [25000, 5000, 3e8], "target": [20000, 20000, 2e8]})
    original = table.copy()
    result = charts.with_display_units(table, columns=("actual", "target"))
    # a: largest 25000 人 → 万人: 2.5, 0.5; targets 2, 2. b: 3e8 元 → 亿元: 3, target 2.
    assert result["actual"].tolist() == [2.5, 0.5, 3.0]
    assert result["target"].tolist() == [2.0, 2.0, 2.0]
    assert result["display_unit"].tolist() == ["万人", "万人", "亿元"]
    pd.testing.assert_frame_equal(table, original)


# --------------------------------------------------------------------------- charts


def assert_framed(fig: Figure, title: str, synthetic: bool = True) -> None:
    found = texts(fig)
    assert title in found
    note = [t.get_text() for t in fig.texts if t.get_gid() == "note"][0].replace("\n", "")
    assert SOURCE in note
    assert (SYNTHETIC in note) is synthetic


def test_trend_chart_against_an_annual_target(province):
    fig = charts.trend_chart(province, "first_aid.popular_trainees")
    render(fig)
    assert_framed(fig, "应急救护普及培训")
    text = joined(fig)
    assert "目标" in texts(fig)  # direct label beside the target line, and in the legend
    assert "145.93" in text and "完成率\n195%" in text and "完成率\n109%" in text  # 82/75
    assert "单位：万人次" in text
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["2022年\n目标 75", "2023年\n目标 75\n11/12 报送", "2024年\n目标 75"]
    assert "未报送" in texts(fig)
    # two bars (2024 has no return: no bar), coloured 达标
    assert bar_colours(fig) == [charts.status_colour("达标")] * 2
    targets = [c for c in fig.axes[0].collections
               if isinstance(c, LineCollection) and c.get_gid() == "target"]
    assert [seg[0][1] for c in targets for seg in c.get_segments()] == [75.0, 75.0, 75.0]


def test_charts_keep_the_cjk_font_when_drawn_outside_the_style(province, prefecture_table):
    # a notebook displays the returned Figure later, with the default rcParams (DejaVu Sans)
    figures = [charts.trend_chart(province, "first_aid.popular_trainees"),
               charts.prefecture_gap_chart(prefecture_table, "first_aid.certified_trainees", 2023)]
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        for fig in figures:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a missing glyph would raise here
                fig.draw_without_rendering()
            chinese = [t for t in fig.findobj(matplotlib.text.Text)
                       if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]
            assert chinese
            assert {t.get_fontname() for t in chinese} == {charts.cjk_font()}


def test_trend_chart_range_target_band_and_status_colours(province):
    fig = charts.trend_chart(province, "reform.innovation_cases", synthetic=False)
    render(fig)
    assert_framed(fig, "形成可供学习借鉴的改革经验", synthetic=False)
    assert "目标（区间）" in texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "2022年\n目标 2–4"
    assert bar_colours(fig) == [charts.status_colour(s) for s in ("达标", "未达标", "达标")]
    bands = [p for p in fig.axes[0].patches if p.get_gid() == "target"]
    assert [(b.get_y(), b.get_height()) for b in bands] == [(2.0, 2.0)] * 3


def test_trend_chart_in_yi_yuan(province):
    fig = charts.trend_chart(province, "fundraising.total")
    render(fig)
    text = joined(fig)
    assert "单位：亿元" in text and "10.22" in text and "10/12 报送" in text


def test_trend_chart_without_target_uses_the_area_colour(province):
    fig = charts.trend_chart(province, "care.organ_donations")
    render(fig)
    assert bar_colours(fig) == [charts.area_colour("care")]
    assert "目标" not in texts(fig) and "方案未设量化目标" in joined(fig)


def test_trend_chart_progress_before_a_by_target_is_dashed():
    rows = pd.DataFrame([
        province_row("rescue.ert_eru_experts", 2023, 4.0, 5.0, "无目标", kind="range",
                     target_upper=8.0, due=False, due_year=2024),
        province_row("rescue.ert_eru_experts", 2024, 6.0, 5.0, "达标", kind="range",
                     target_upper=8.0),
    ])
    fig = charts.trend_chart(rows, "rescue.ert_eru_experts")
    render(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["2023年\n目标 5–8\n（2024年底前）", "2024年\n目标 5–8"]
    lines = [c for c in fig.axes[0].collections if c.get_gid() == "target"]
    assert [c.get_linestyle()[0][1] is None for c in lines] == [False, True]


def test_prefecture_gap_chart_sorted_with_missing_units_last(prefecture_table):
    fig = charts.prefecture_gap_chart(prefecture_table, "first_aid.certified_trainees", 2023)
    render(fig)
    assert_framed(fig, "应急救护持证培训（救护员）：分市完成情况")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["赣州市", "南昌市", "景德镇市", "萍乡市"]  # 150%, 125%, 60%, 未报送
    text = joined(fig)
    # a prefecture's unit: 10万 ÷ 11 = 9,091 人 → 人 (indicator_display_unit, prefecture level)
    assert "150%（30,000/20,000人）" in text and "60%（3000/5000人）" in text
    assert "目标 100%" in text and "未报送" in text
    assert "按2020年常住人口占比分解" in text.replace("\n", "")
    assert bar_colours(fig) == [charts.status_colour(s) for s in ("达标", "达标", "未达标")]


def test_contribution_chart_stacks_units_with_their_shares(prefecture_table):
    fig = charts.contribution_chart(prefecture_table, "first_aid.certified_trainees", top=2)
    render(fig)
    assert_framed(fig, "应急救护持证培训（救护员）：各报送单位贡献")  # 省本级 is stacked too
    text = joined(fig)
    # each year: 赣州 30000 + 南昌 25000 + 其他 (景德镇) 3000 = 58000 = 5.8万人
    assert "5.8万人\n3/12 报送" in text
    assert "赣州市 52%" in text and "南昌市 43%" in text  # 30000/58000, 25000/58000
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["其他", "南昌市", "赣州市"]
    first_year = bar_colours(fig)[:3]
    assert first_year[2] == charts.colours("ink")["other"].upper()


def test_contribution_chart_marks_the_province_target(prefecture_table, province):
    fig = charts.contribution_chart(prefecture_table, "first_aid.certified_trainees",
                                    province=province)
    render(fig)
    lines = [c for c in fig.axes[0].collections if c.get_gid() == "target"]
    # province target 100000 = 10万人 in 2022 and 2023 (the years of the prefecture table)
    assert [seg[0][1] for c in lines for seg in c.get_segments()] == [10.0, 10.0]
    assert "目标" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_coverage_chart_names_the_units_missing(coverage):
    fig = charts.coverage_chart(coverage, "care.donor_memorials")
    render(fig)
    assert_framed(fig, "器官捐献者纪念园：覆盖情况")
    text = joined(fig)
    assert "2023年未达到（2个）：萍乡市、新余市" in text
    assert "2024年：全部达到" in text
    assert "82%（9/11个设区市）" in text and "目标 100%（全覆盖）" in text
    assert "2023年\n（2024年底前）" in text
    # 2023 is before the "by 2024" deadline: 进展，未到期 (its own colour), not grey 无目标
    assert bar_colours(fig) == [charts.status_colour("进展，未到期"), charts.status_colour("达标")]


def test_scorecard_shows_every_targeted_indicator_by_area(province):
    fig = charts.scorecard_chart(province)
    render(fig)
    assert_framed(fig, "三年行动方案目标完成情况总览")
    text = texts(fig)
    # areas in the plan's order, each followed by its indicators; no untargeted indicator
    order = [t for t in text if t in ("深化改革攻坚", "形成可供学习借鉴的改革经验", "应急救护提质",
                                      "应急救护普及培训", "应急救护持证培训（救护员）",
                                      "筹资动员优化", "筹集款物合计", "救助服务关爱")]
    assert order == ["深化改革攻坚", "形成可供学习借鉴的改革经验", "应急救护提质",
                     "应急救护普及培训", "应急救护持证培训（救护员）", "筹资动员优化",
                     "筹集款物合计"]
    cells = {p.get_gid(): hex_colour(p.get_facecolor()) for p in fig.findobj(Rectangle)
             if (p.get_gid() or "").startswith("cell:")}
    assert cells["cell:reform.innovation_cases:2023"] == charts.status_colour("未达标")
    assert cells["cell:first_aid.popular_trainees:2024"] == charts.status_colour("未报送")
    assert len(cells) == 4 * 3
    assert "511%" in text and "150%" in text  # 10.22亿 / 2亿; 3 / 2


def test_cumulative_table_by_hand(province):
    table = charts.cumulative_table(province, ["first_aid.certified_trainees",
                                               "first_aid.popular_trainees"])
    # certified: 120000 + 151600 + 90000 = 361600 against 3 × 100000
    # popular: 820000 + 1459300 (2024 missing) = 2279300 against 3 × 750000
    assert table["actual"].tolist() == [361600.0, 2279300.0]
    assert table["target"].tolist() == [300000.0, 2250000.0]
    assert table["completion"].round(4).tolist() == [1.2053, 1.0130]
    assert table["years_reported"].tolist() == [3, 2]


def test_cumulative_chart_headlines(province):
    fig = charts.cumulative_chart(province)
    render(fig)
    assert_framed(fig, "重点指标三年累计进度")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["应急救护持证培训（救护员）", "应急救护普及培训", "筹集款物合计"]
    text = joined(fig)
    assert "121%（36.16/30万人）" in text
    assert "101%（227.93/225万人次），2/3年有数据" in text
    assert "2022—2024年目标之和 100%" in text  # says which years' targets are summed


def test_scorecard_writes_milestones_as_done_or_not():
    rows = pd.DataFrame([
        province_row("digital.ms_booking", 2023, 0.0, 1.0, "无目标", kind="milestone",
                     due=False, due_year=2024),
        province_row("digital.ms_booking", 2024, 1.0, 1.0, "达标", kind="milestone"),
    ])
    fig = charts.scorecard_chart(rows)
    render(fig)
    text = texts(fig)
    assert "未完成" in text and "已完成" in text and "0%" not in text


def test_notes_wrap_without_punctuation_starting_or_brackets_ending_a_line():
    from jrc_analysis.report.charts.figures import _wrap

    # 1 inch at 12 pt holds 0.97 × 6 = 5.8 CJK glyphs: five per line
    assert _wrap("一二三四五。六七", 1.0, 12) == "一二三四五。\n六七"
    assert _wrap("一二三四（五六", 1.0, 12) == "一二三四\n（五六"


# --------------------------------------------------------------------------- saving


def test_save_figure_is_byte_deterministic(province, tmp_path):
    chart = "fundraising.total"
    first = charts.save_figure(charts.trend_chart(province, chart), tmp_path / "a", dpi=60)
    second = charts.save_figure(charts.trend_chart(province, chart), tmp_path / "b", dpi=60)
    assert [p.name for p in first] == ["a.png", "a.svg"]
    for one, two in zip(first, second):
        assert one.read_bytes() == two.read_bytes()
    png, svg = first[0].read_bytes(), first[1].read_text(encoding="utf-8")
    assert png.startswith(b"\x89PNG") and b"Software" not in png and b"Matplotlib" not in png
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert not list(tmp_path.glob(".*.tmp"))  # atomic: no temporary file left behind


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_figure_bytes_drawn_once_are_what_savefig_writes(province, fmt):
    chart = "first_aid.popular_trainees"
    fast = charts.trend_chart(province, chart)
    data = charts.figure_bytes(fast, fmt, 60)
    slow = charts.trend_chart(province, chart)
    buffer = io.BytesIO()
    with charts.house_style():
        slow.savefig(buffer, format=fmt, dpi=60, **style._save_kwargs(fmt))
    assert data == buffer.getvalue()
    # the figure is left as it was: a second rendering gives what savefig gives the second time
    with charts.house_style():
        again = io.BytesIO()
        slow.savefig(again, format=fmt, dpi=60, **style._save_kwargs(fmt))
    assert charts.figure_bytes(fast, fmt, 60) == again.getvalue()
    assert fast.get_layout_engine() is not None and fast.dpi == slow.dpi


# --------------------------------------------------------------------------- reviewer's findings


def test_format_percent_never_shows_100_for_less_than_complete():
    assert charts.format_percent(0.998) == "99.8%"
    assert charts.format_percent(0.9999) == "99.9%"  # truncated, never rounded up to 100
    assert charts.format_percent(0.994) == "99%"
    assert charts.format_percent(1.0) == "100%"
    assert charts.format_percent(1.004) == "100%"


def test_format_target_one_decimal_below_100_whole_above():
    assert charts.format_target(25.45) == "25.5"
    assert charts.format_target(510.82) == "511"
    assert charts.format_target(9.99) == "10"
    assert charts.format_target(99.96) == "100"
    assert charts.format_target(4.0) == "4"
    assert charts.format_target(NAN) == "—"


def test_range_band_is_behind_the_bars_and_value_labels_stay_readable(province):
    fig = charts.trend_chart(province, "reform.innovation_cases")
    render(fig)
    ax = fig.axes[0]
    bands = [p.get_zorder() for p in ax.patches if p.get_gid() == "target"]
    bars = [p.get_zorder() for p in ax.patches if p.get_gid() == "bar"]
    assert max(bands) < min(bars)
    values = [t for t in ax.texts if t.get_gid() == "value"]
    assert [t.get_text() for t in values] == ["3", "1", "5"]
    for label in values:
        assert label.get_zorder() > max(bars)
        assert label.get_bbox_patch().get_facecolor()[3] == 1.0  # an opaque white box


def test_milestone_not_done_is_a_visible_outlined_bar():
    rows = pd.DataFrame([
        province_row("digital.ms_ai_service", 2023, 0.0, 1.0, "未达标", kind="milestone"),
        province_row("digital.ms_ai_service", 2024, 1.0, 1.0, "达标", kind="milestone"),
    ])
    fig = charts.trend_chart(rows, "digital.ms_ai_service")
    render(fig)
    bars = [p for p in fig.axes[0].patches if p.get_gid() == "bar"]
    assert [b.get_height() for b in bars] == [1.0, 1.0]  # 否 is as tall as 是
    assert hex_colour(bars[0].get_facecolor()) == "#FFFFFF"
    assert hex_colour(bars[0].get_edgecolor()) == charts.status_colour("未达标").upper()
    assert hex_colour(bars[1].get_facecolor()) == charts.status_colour("达标").upper()
    values = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "value"]
    assert values == ["未完成", "已完成"]


def _grey(colour: str) -> bool:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return r == g == b


def test_cumulative_legend_is_neutral_and_the_subtitle_explains_the_shades(province):
    fig = charts.cumulative_chart(province)
    render(fig)
    legend = fig.axes[0].get_legend()
    patches = [h for h in legend.legend_handles if isinstance(h, Rectangle)]
    assert [t.get_text() for t in legend.get_texts()][:3] == ["2022年", "2023年", "2024年"]
    assert all(_grey(p.get_facecolor()) for p in patches)
    subtitle = [t.get_text() for t in fig.texts if t.get_gid() == "subtitle"][0].replace("\n", "")
    assert "由浅到深依次为2022、2023、2024年" in subtitle and "颜色表示所属行动" in subtitle


@pytest.mark.parametrize("chart", ["cumulative", "gap", "coverage"])
def test_target_line_label_sits_beside_the_line(chart, province, prefecture_table, coverage):
    fig = {"cumulative": lambda: charts.cumulative_chart(province),
           "gap": lambda: charts.prefecture_gap_chart(prefecture_table,
                                                      "first_aid.certified_trainees", 2023),
           "coverage": lambda: charts.coverage_chart(coverage, "care.donor_memorials")}[chart]()
    render(fig)
    ax = fig.axes[0]
    label = [t for t in ax.texts if t.get_gid() == "target_label"][0]
    with charts.house_style():
        box = label.get_window_extent(FigureCanvasAgg(fig).get_renderer())
    line_x = ax.transData.transform((100, 0))[0]
    assert box.x0 > line_x  # the whole label right of the line


def test_prefecture_gap_chart_rounds_targets_and_never_shows_100_below_target():
    rows = []
    for unit, actual, target, status in [("九江市", 47.0, 25.45, "达标"),
                                         ("萍乡市", 499.0, 500.0, "未达标")]:
        row = province_row("grassroots.new_orgs", 2024, actual, target, status)
        row.update(prefecture=unit, target_basis="按人口比例分解")
        rows.append(row)
    fig = charts.prefecture_gap_chart(pd.DataFrame(rows), "grassroots.new_orgs", 2024)
    render(fig)
    text = joined(fig)
    # 47 / 25.45 = 1.8468 → 185%; 47 / 25.5 would print 184%: the bracket keeps 25.45
    assert "185%（47/25.45个）" in text
    assert "99.8%（499/500个）" in text


def test_coverage_rule_names_the_unit_and_yes_no_coverage():
    county = pd.Series([3.0])
    assert charts.coverage_rule("county", county, "支", "志愿服务队") == "每县（市、区）至少3支"
    assert charts.coverage_rule("prefecture", pd.Series([1.0]), "个", "纪念园") == "每设区市至少1个"
    assert (charts.coverage_rule("prefecture", pd.Series([1.0]), "是/否", "参加透明指数评价")
            == "每个设区市均参加透明指数评价")


def test_coverage_chart_subtitle_has_the_unit(coverage):
    fig = charts.coverage_chart(coverage, "care.donor_memorials")
    subtitle = [t.get_text() for t in fig.texts if t.get_gid() == "subtitle"][0]
    assert "每设区市至少1个" in subtitle.replace("\n", "")


def test_prefecture_chart_needs_every_allocated_target_at_least_one():
    table = pd.DataFrame({
        "indicator": ["a.big", "a.big", "a.tiny", "a.tiny", "a.none", "a.big"],
        "year": [2024, 2024, 2024, 2024, 2024, 2023],
        "target": [100.0, 1.0, 30.0, 0.4, 5.0, 0.1],
        "target_basis": ["按人口", "按人口", "按人口", "按人口", "", "按人口"]})
    original = table.copy()
    assert charts.prefecture_chart_indicators(table, 2024) == ["a.big"]
    assert charts.prefecture_chart_indicators(table, 2023) == []  # 0.1 in 2023
    assert charts.prefecture_chart_meaningful(table, "a.big", 2024)
    assert not charts.prefecture_chart_meaningful(table, "a.tiny", 2024)
    pd.testing.assert_frame_equal(table, original)


# --------------------------------------------------------------------------- issue 14: one formatting


def test_numbers_round_half_up_everywhere():
    # 发展会员 23,850 人 = 2.385万人: binary 2.385 is 2.38499…, Python's round gives 2.38
    assert round(2.385, 2) == 2.38
    assert charts.round_half_up(2.385) == 2.39
    assert charts.format_number(23850 / 10000) == "2.39"
    assert charts.format_value(23850, "人") == "2.39万人"
    assert charts.format_number(-2.385) == "-2.39"
    assert charts.format_number(0.125, 2) == "0.13"
    assert charts.format_percent(0.285) == "29%"  # 28.5% half up, not 28%
    assert charts.format_percent(0.0125, 1) == "1.3%"


def test_one_display_unit_per_indicator_and_level():
    # 发展志愿者: plan target 5,500 人 a year → 人 whatever the sum (3 years: 17,300)
    assert charts.indicator_display_unit("grassroots.new_volunteers", "人", 17300) == ("人", 1.0)
    assert charts.format_indicator_value(17300, "grassroots.new_volunteers", "人") == "17,300人"
    # 发展会员: 25,000 人 → 万人 for the province, 25,000 / 11 = 2,273 人 for a prefecture
    assert charts.indicator_display_unit("grassroots.new_members", "人", 100) == ("万人", 1e4)
    assert charts.indicator_display_unit("grassroots.new_members", "人", 1e6,
                                         "prefecture") == ("人", 1.0)
    # 筹集款物合计: 2亿元 → 亿元; a prefecture's share 2e8 / 11 = 1,818万元 → 万元
    assert charts.indicator_display_unit("fundraising.total", "元", 1) == ("亿元", 1e8)
    assert charts.indicator_display_unit("fundraising.total", "元", 1,
                                         "prefecture") == ("万元", 1e4)
    # no plan target (资金): scaled by the values given
    assert charts.indicator_display_unit("fundraising.cash", "元", 3e8) == ("亿元", 1e8)
    with pytest.raises(ValueError):
        charts.indicator_display_unit("fundraising.total", "元", 1, "county")


# --------------------------------------------------------------------------- issue 14: defects


XINYU_FLAG = pd.DataFrame([{
    "year": 2024, "prefecture": "新余市", "indicator": "first_aid.trainers_new", "value": 30.0,
    "severity": "warning", "code": "validate.jump",
    "message": "新余市“新增救护师资”2024年为 30名，上年为 4名，相差 5 倍以上。"}])


def trainers_2024() -> pd.DataFrame:
    """新增救护师资 2024 for three prefectures; 新余市 30 against 5 (flagged): 600%."""
    rows = []
    for unit, actual, target in [("新余市", 30.0, 5.0), ("吉安市", 27.0, 18.0),
                                 ("上饶市", 15.0, 26.0)]:
        status = "达标" if actual >= target else "未达标"
        row = province_row("first_aid.trainers_new", 2024, actual, target, status)
        row.update(prefecture=unit, target_basis="按人口比例分解", total=actual)
        rows.append(row)
    return pd.DataFrame(rows)


def test_flagged_value_is_hatched_noted_and_does_not_stretch_the_axis():
    fig = charts.prefecture_gap_chart(trainers_2024(), "first_aid.trainers_new", 2024,
                                      flags=XINYU_FLAG)
    render(fig)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_gid() == "bar"]
    # sorted best first: 新余市 600% (flagged), 吉安市 150%, 上饶市 58%
    assert [b.get_hatch() for b in bars] == ["////", None, None]
    # the axis is set by the unflagged units: 150% × 1.45 = 217.5%, not 600% × 1.45
    assert ax.get_xlim()[1] == pytest.approx(217.5)
    assert bars[0].get_width() == pytest.approx(150 * 1.08)  # cut at the edge of the longest
    overflow = [t.get_text() for t in ax.texts if t.get_gid() == "overflow"]
    assert overflow == ["600%（30/5名），存疑▶"]
    note = [t.get_text() for t in fig.texts if t.get_gid() == "note"][0].replace("\n", "")
    assert "新余市2024年——新余市“新增救护师资”2024年为 30名，上年为 4名，相差 5 倍以上" in note
    assert "斜线：校验存疑" in texts(fig)  # legend entry


def test_without_flags_nothing_is_hatched_and_the_axis_takes_the_largest():
    fig = charts.prefecture_gap_chart(trainers_2024(), "first_aid.trainers_new", 2024)
    ax = fig.axes[0]
    assert all(p.get_hatch() is None for p in ax.patches if p.get_gid() == "bar")
    assert ax.get_xlim()[1] == pytest.approx(600 * 1.45)


def test_flags_hatch_the_trend_contribution_and_scorecard_too():
    province = pd.DataFrame([
        province_row("first_aid.trainers_new", 2023, 170.0, 180.0, "未达标"),
        province_row("first_aid.trainers_new", 2024, 220.0, 180.0, "达标")])
    trend = charts.trend_chart(province, "first_aid.trainers_new", flags=XINYU_FLAG)
    render(trend)
    assert [p.get_hatch() for p in trend.axes[0].patches if p.get_gid() == "bar"] == [None, "////"]
    contribution = charts.contribution_chart(trainers_2024(), "first_aid.trainers_new",
                                             flags=XINYU_FLAG)
    render(contribution)
    hatched = [p for p in contribution.axes[0].patches if p.get_gid() == "bar" and p.get_hatch()]
    assert [hex_colour(p.get_facecolor()) for p in hatched] == [charts.unit_colour("新余市")]
    card = charts.scorecard_chart(province, flags=XINYU_FLAG)
    cells = {p.get_gid(): p.get_hatch() for p in card.axes[0].patches if p.get_gid()}
    assert cells["cell:first_aid.trainers_new:2024"] == "////"
    assert cells["cell:first_aid.trainers_new:2023"] is None


def _percent_and_pair(text: str) -> tuple[str, float, float]:
    match = re.match(r"([\d.]+%)（([\d,.]+)/([\d,.]+)", text)
    assert match, text
    return match.group(1), float(match.group(2).replace(",", "")), float(
        match.group(3).replace(",", ""))


@pytest.mark.parametrize("actual, target", [
    (16_364_000.0, 5_364_000.0),   # 鹰潭-like: 305%; in 亿元 both would print 0.16/0.05
    (15_720_000.0, 7_173_700.0),   # 景德镇-like: 219%
    (47.0, 25.45), (499.0, 500.0), (30.0, 5.0), (2.385e4, 1.2e4)])
def test_bracket_reproduces_the_printed_percent(actual, target):
    completion = actual / target
    shown_percent = charts.format_percent(completion)
    for factor in (1.0, 1e4):
        a, t = charts.pair_text(actual, target, completion, factor)
        value_a, value_t = float(a.replace(",", "")), float(t.replace(",", ""))
        assert charts.format_percent(value_a / value_t) == shown_percent


def test_prefecture_chart_brackets_reproduce_the_percent_in_a_fundraising_chart():
    rows = []
    for unit, actual, target in [("鹰潭市", 15_590_000.0, 5_108_200.0),
                                 ("景德镇市", 15_720_000.0, 7_173_700.0)]:
        row = province_row("fundraising.total", 2024, actual, target, "达标")
        row.update(prefecture=unit, target_basis="按人口比例分解")
        rows.append(row)
    fig = charts.prefecture_gap_chart(pd.DataFrame(rows), "fundraising.total", 2024)
    labels = [t.get_text() for t in fig.axes[0].texts if "（" in t.get_text()]
    assert len(labels) == 2
    for label in labels:
        percent, a, t = _percent_and_pair(label)
        assert charts.format_percent(a / t) == percent
        assert label.endswith("万元）")  # a prefecture's share of 2亿元 is read in 万元


def test_progress_before_a_by_deadline_has_its_own_status_and_colour():
    rows = pd.DataFrame([
        province_row("rescue.county_teams", 2023, 69.0, 100.0, "无目标", kind="coverage",
                     due=False, due_year=2024),
        province_row("rescue.county_teams", 2024, 100.0, 100.0, "达标", kind="coverage"),
        province_row("rescue.provincial_teams_new", 2022, 0.0, NAN, "无目标")])
    shown = charts.shown_statuses(rows["status"], rows["target"], rows["due"])
    assert shown.tolist() == ["进展，未到期", "达标", "无目标"]
    fig = charts.trend_chart(rows.iloc[:2], "rescue.county_teams")
    render(fig)
    assert bar_colours(fig) == [charts.status_colour("进展，未到期"), charts.status_colour("达标")]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "进展，未到期" in legend and "无目标" not in legend
    assert charts.status_colour("进展，未到期") != charts.status_colour("无目标")


def test_growth_target_reads_as_growth_not_completion():
    rows = pd.DataFrame([province_row("grassroots.school_rc_total", 2022, 0.0165, 0.01, "达标",
                                      kind="growth")])
    fig = charts.trend_chart(rows, "grassroots.school_rc_total")
    render(fig)
    text = joined(fig)
    assert "增长1.65%（目标>1%）" in text
    assert "完成率" not in text and "165%" not in text
    card = charts.scorecard_chart(rows)
    assert "增长1.65%" in texts(card) and "165%" not in joined(card)


def test_cumulative_chart_of_two_years_says_which_years_are_summed(province):
    fig = charts.cumulative_chart(province, years=(2022, 2023))
    render(fig)
    text = joined(fig).replace("\n", "")
    assert "2022—2023年目标之和 100%" in text
    assert "三年目标之和" not in text and "重点指标2022—2023年累计进度" in text
    assert charts.years_span([2023, 2022]) == "2022—2023年" and charts.years_span([2024]) == "2024年"


def test_fundraising_chart_shows_total_cash_the_plan_line_and_the_cash_share():
    province = pd.DataFrame([
        province_row("fundraising.total", 2023, 1.022e9, 2e8, "达标"),
        province_row("fundraising.total", 2024, 1.5e8, 2e8, "未达标"),
        province_row("fundraising.cash", 2023, 6.36e8, NAN, "无目标", kind=""),
        province_row("fundraising.cash", 2024, 1.0e8, NAN, "无目标", kind="")])
    table = charts.cash_share_table(province)
    # 6.36 / 10.22 = 0.6223; 1.0 / 1.5 = 0.6667
    assert table["cash_share"].round(4).tolist() == [0.6223, 0.6667]
    assert charts.plan_sentence() == "每年筹集资金不少于2亿元，款物比例不断优化"
    fig = charts.fundraising_chart(province)
    render(fig)
    left, right = fig.axes
    heights = {p.get_gid(): [] for p in left.patches}
    for p in left.patches:
        heights[p.get_gid()].append(round(p.get_height(), 2))
    assert heights == {"bar_total": [10.22, 1.5], "bar_cash": [6.36, 1.0]}  # 亿元
    targets = [seg[0][1] for c in left.collections if c.get_gid() == "target"
               for seg in c.get_segments()]
    assert targets == [2.0, 2.0]
    assert [t.get_text() for t in right.texts if t.get_gid() == "share"] == ["62.2%", "66.7%"]
    subtitle = [t.get_text() for t in fig.texts if t.get_gid() == "subtitle"][0].replace("\n", "")
    assert "每年筹集资金不少于2亿元，款物比例不断优化" in subtitle


def test_contribution_colours_are_fixed_per_unit_and_labels_survive_the_target_line():
    rows = []
    for year, values in [(2023, {"省本级": 3.5e8, "南昌市": 1e8}), (2024, {"省本级": 1e8,
                                                                           "南昌市": 3.5e8})]:
        for unit, value in values.items():
            row = province_row("fundraising.total", year, value, NAN, "无目标")
            row.update(prefecture=unit, total=value)
            rows.append(row)
    table = pd.DataFrame(rows)
    province = pd.DataFrame([province_row("fundraising.total", y, 4.5e8, 2e8, "达标")
                             for y in (2023, 2024)])
    fig = charts.contribution_chart(table, "fundraising.total", province=province)
    render(fig)
    ax = fig.axes[0]
    # 省本级 keeps its colour whatever its rank, and south of the 2亿 line it is still named
    colours = {hex_colour(p.get_facecolor()) for p in ax.patches if p.get_gid() == "bar"}
    assert colours == {charts.unit_colour("省本级"), charts.unit_colour("南昌市")}
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "segment_label"]
    assert labels.count("省本级 78%") == 1 and labels.count("省本级 22%") == 1  # 3.5/4.5, 1/4.5
    assert all(t.get_zorder() > 4 for t in ax.texts if t.get_gid() == "segment_label")
    other = charts.contribution_chart(table[table["prefecture"] == "省本级"], "fundraising.total")
    assert {hex_colour(p.get_facecolor()) for p in other.axes[0].patches
            if p.get_gid() == "bar"} == {charts.unit_colour("省本级")}


def test_total_label_is_lifted_above_a_target_line_just_above_the_bar():
    assert charts.total_label_anchor(5310, 5500, 6120) == 5500  # line 190 above: label above it
    assert charts.total_label_anchor(6120, 5500, 6120) == 6120  # line crosses the bar
    assert charts.total_label_anchor(3000, 5500, 6120) == 3000  # line far above the label
    assert charts.total_label_anchor(3000, NAN, 6120) == 3000


def test_count_axes_have_integer_ticks():
    rows = pd.DataFrame([province_row("rescue.provincial_teams_new", 2023, 1.0, 1.0, "达标"),
                         province_row("rescue.provincial_teams_new", 2024, 2.0, 2.0, "达标")])
    fig = charts.trend_chart(rows, "rescue.provincial_teams_new")
    render(fig)
    ticks = [t for t in fig.axes[0].get_yticks() if 0 <= t <= fig.axes[0].get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)  # no 0.5支


def test_milestones_are_one_tick_cross_table():
    rows = pd.DataFrame([
        province_row("digital.ms_ai_service", 2023, 0.0, 1.0, "无目标", kind="milestone",
                     due=False, due_year=2024),
        province_row("digital.ms_ai_service", 2024, 1.0, 1.0, "达标", kind="milestone"),
        province_row("digital.ms_crypto", 2023, 0.0, 1.0, "无目标", kind="milestone",
                     due=False, due_year=2024),
        province_row("digital.ms_crypto", 2024, 0.0, 1.0, "未达标", kind="milestone")])
    assert charts.milestone_indicators(rows) == ["digital.ms_ai_service", "digital.ms_crypto"]
    fig = charts.milestone_table_chart(rows)
    render(fig)
    ax = fig.axes[0]
    marks = [t.get_text() for t in ax.texts if t.get_gid() == "mark"]
    assert marks == ["✗", "✓", "✗", "✗"]
    cells = {p.get_gid(): hex_colour(p.get_facecolor()) for p in ax.patches if p.get_gid()}
    assert cells["cell:digital.ms_crypto:2024"] == charts.status_colour("未达标")
    assert cells["cell:digital.ms_ai_service:2023"] == charts.status_colour("进展，未到期")
    assert charts.milestone_text(NAN) == "未报送"


def test_trend_and_cumulative_use_the_indicator_unit():
    # 发展志愿者 5,310 人 in 2024, 17,320 人 over three years: 人 in both (plan target 5,500 人)
    rows = pd.DataFrame([province_row("grassroots.new_volunteers", y, v, 5500.0, "达标")
                         for y, v in [(2022, 6120.0), (2023, 5890.0), (2024, 5310.0)]])
    trend = charts.trend_chart(rows, "grassroots.new_volunteers")
    cumulative = charts.cumulative_chart(rows, ["grassroots.new_volunteers"])
    assert "单位：人" in joined(trend)
    assert "105%（17,320/16,500人）" in joined(cumulative)  # 17320 / 16500 = 1.0497


def test_heatmap_matrix_and_classes():
    table = trainers_2024()
    matrix = charts.completion_matrix(table, 2024)
    assert list(matrix.index) == ["first_aid.trainers_new"]
    assert list(matrix.columns) == catalog.prefectures()
    assert matrix.loc["first_aid.trainers_new", "新余市"] == 6.0
    assert pd.isna(matrix.loc["first_aid.trainers_new", "南昌市"])  # not in the table
    assert [charts.completion_class(v) for v in (0.5, 0.6, 0.99, 1.0, 1.3, 6.0)] == [0, 1, 2, 3, 4, 5]
    assert charts.completion_class(NAN) is None
    fig = charts.completion_heatmap(table, 2024, flags=XINYU_FLAG)
    render(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == catalog.prefectures()
    missing = [p for p in ax.patches if p.get_gid() == "missing"]
    assert len(missing) == 8  # 11 prefectures, 3 in the table
    assert [p.get_hatch() for p in ax.patches if p.get_gid() == "flag"] == ["////"]
    annotated = {t.get_text() for t in ax.texts}
    assert {"600%", "150%", "58%", "未报送"} <= annotated


def test_tile_map_places_the_prefectures_as_on_the_map():
    tiles = charts.tile_positions().set_index("prefecture")
    assert sorted(tiles.index) == sorted(catalog.prefectures())
    assert not tiles.duplicated(["col", "row"]).any()
    row, col = tiles["row"], tiles["col"]
    assert row["九江市"] == row.min() and row["赣州市"] == row.max()  # north, south
    assert col["上饶市"] == col.max() and col["萍乡市"] == col.min()  # east, west
    assert row["南昌市"] < row["吉安市"] < row["赣州市"]
    for east in ("景德镇市", "上饶市", "鹰潭市"):
        assert col[east] > col["南昌市"]
    for west in ("萍乡市", "宜春市"):
        assert col[west] < col["南昌市"]
    fig = charts.tile_map(trainers_2024(), "first_aid.trainers_new", 2024, flags=XINYU_FLAG)
    render(fig)
    ax = fig.axes[0]
    squares = {p.get_gid()[5:]: p for p in ax.patches if str(p.get_gid()).startswith("tile:")}
    assert len(squares) == 11
    assert hex_colour(squares["上饶市"].get_facecolor()) == charts.completion_colour(15 / 26).upper()
    assert hex_colour(squares["南昌市"].get_facecolor()) == charts.status_colour("未报送").upper()
    assert squares["新余市"].get_hatch() == "////"
    rates = [t.get_text() for t in ax.texts if t.get_gid() == "tile_rate"]
    assert "600%，存疑" in rates and "150%" in rates and "未报送" in rates


def test_tile_detail_breaks_after_the_slash_only():
    from jrc_analysis.report.charts.maps import tile_detail

    assert tile_detail("15", "26", "名") == "15/26名"
    # 9 + 1 + 7 digits and signs (0.56 em) + 万元 (2 em) = 11.5 em: too wide for one line
    assert tile_detail("11,462.25", "2035.97", "万元") == "11,462.25/\n2035.97万元"

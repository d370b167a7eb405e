"""Tests for jrc_analysis.returns.parse: numbers and units as people write them."""
from __future__ import annotations

import datetime as dt
import math
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jrc_analysis.returns.parse import (
    EXCEL_ERRORS,
    ParsedNumber,
    chinese_year,
    excel_error,
    normalise_unit,
    parse_milestone,
    parse_number,
    split_header_unit,
    strip_markers,
    strip_multiplier,
    unit_factor,
)


def ok(value, unit=None, approx=False):
    return (value, unit, "ok", approx)


def summary(parsed: ParsedNumber):
    return (parsed.value, parsed.unit, parsed.status, parsed.approx)


@pytest.mark.parametrize("raw, expected", [
    ("1234", ok(1234.0)),
    ("1,234", ok(1234.0)),
    ("1,234,567.5", ok(1234567.5)),
    ("１２３４", ok(1234.0)),
    ("１，２３４．５", ok(1234.5)),
    ("1 234", ok(1234.0)),
    ("1\u3000234", ok(1234.0)),
    (" 42 ", ok(42.0)),
    ("15.2万", ok(152000.0, "万")),
    ("2.3亿元", ok(230000000.0, "亿元")),
    ("3.5万元", ok(35000.0, "万元")),
    ("12万人次", ok(120000.0, "万人次")),
    ("约3000", ok(3000.0, None, True)),
    ("3000余", ok(3000.0, None, True)),
    ("3000多", ok(3000.0, None, True)),
    ("近3000", ok(3000.0, None, True)),
    ("3000左右", ok(3000.0, None, True)),
    ("3000余人", ok(3000.0, "人", True)),
    ("约1.5万", ok(15000.0, "万", True)),
    ("12.5%", ok(0.125, "%")),
    ("１２．５％", ok(0.125, "%")),
    ("45人", ok(45.0, "人")),
    ("3个", ok(3.0, "个")),
    ("2台", ok(2.0, "台")),
    ("100元", ok(100.0, "元")),
    ("0", ok(0.0)),
    ("-5", ok(-5.0)),
    ("－5", ok(-5.0)),
    ("1e-05", ok(0.00001)),
    ("是", ok(1.0)),
    ("有", ok(1.0)),
    ("已完成", ok(1.0)),
    ("已建成", ok(1.0)),
    ("已上线", ok(1.0)),
    ("否", ok(0.0)),
    ("未完成", ok(0.0)),
    ("未建成", ok(0.0)),
    ("无", ok(0.0)),
])
def test_numbers_as_people_write_them(raw, expected):
    assert summary(parse_number(raw)) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "—", "——", "-", "/", "不适用", "无数据", "暂无",
                                 "N/A", "n/a", float("nan")])
def test_not_reported_is_missing_never_zero(raw):
    parsed = parse_number(raw)
    assert parsed.status == "missing"
    assert parsed.value is None


@pytest.mark.parametrize("raw", ["abc", "12/15", "三", "1,23", "见附件", "3000（含子项）", "1e",
                                 "1e400", dt.datetime(2023, 1, 1), float("inf"), [1, 2]])
def test_text_that_is_not_a_number_is_invalid(raw):
    parsed = parse_number(raw)
    assert parsed.status == "invalid"
    assert parsed.value is None
    assert parsed.note  # says what was found


@pytest.mark.parametrize("raw, value", [(7, 7.0), (2.5, 2.5), (True, 1.0), (False, 0.0),
                                        (-3, -3.0), (1234.0, 1234.0)])
def test_values_already_numeric(raw, value):
    parsed = parse_number(raw)
    assert (parsed.value, parsed.status, parsed.unit) == (value, "ok", None)


def test_notes_explain_conversions():
    assert "152000" in parse_number("15.2万").note
    assert "约数" in parse_number("约3000").note
    assert parse_number("1234").note == ""
    assert "—" in parse_number("—").note


@pytest.mark.parametrize("unit, value_unit", [
    ("亿元", "元"), ("万人次", "人次"), ("人", "人"), ("万", None), ("%", None), (None, None),
])
def test_value_unit_strips_the_multiplier(unit, value_unit):
    assert ParsedNumber(1.0, unit, "ok").value_unit == value_unit
    assert strip_multiplier(unit) == value_unit


@pytest.mark.parametrize("unit, base, factor", [
    ("万元", "元", 10000.0),
    ("亿元", "元", 1e8),
    ("千元", "元", 1000.0),
    ("万人次", "人次", 1e4),
    ("万人", "人", 1e4),
    ("万", "台", 1e4),
    ("万", "人次", 1e4),
    ("名", "人", 1.0),
    ("人", "名", 1.0),
    ("人份", "人份", 1.0),
    ("例", "例", 1.0),
    ("支", "支", 1.0),
    ("个", "家", 1.0),
    ("元", "元", 1.0),
    ("", "元", 1.0),
    (None, "人", 1.0),
    ("（万元）", "元", 10000.0),
    ("单位：万元", "元", 10000.0),
    ("万 元", "元", 10000.0),
    ("元", "万元", 0.0001),
])
def test_unit_factor(unit, base, factor):
    assert unit_factor(unit, base) == pytest.approx(factor)


@pytest.mark.parametrize("unit, base", [("台", "元"), ("人", "人次"), ("台", "支"), ("万元", "人"),
                                        ("公斤", "元")])
def test_units_that_cannot_be_reconciled(unit, base):
    assert unit_factor(unit, base) is None


def test_normalise_unit():
    assert normalise_unit("（万元）") == "万元"
    assert normalise_unit(" 单位：人次 ") == "人次"
    assert normalise_unit(None) == ""


@pytest.mark.parametrize("text, expected", [
    ("完成数（万人次）", ("完成数", "万人次")),
    ("单位：万元", ("", "万元")),
    ("2023年完成数(万元)", ("2023年完成数", "万元")),
    ("新增基层组织（个）", ("新增基层组织", "个")),
    ("2023年完成数（单位：万元）", ("2023年完成数", "万元")),
    ("完成率（%）", ("完成率", "%")),
    ("完成数", ("完成数", None)),
    ("应急救护持证培训（救护员）", ("应急救护持证培训（救护员）", None)),
    (None, ("", None)),
    # units in an indicator name, when there is no 单位 column (full- and half-width brackets)
    ("应急救护普及培训（万人次）", ("应急救护普及培训", "万人次")),
    ("应急救护普及培训(万人次)", ("应急救护普及培训", "万人次")),
    ("筹集款物合计（万元）", ("筹集款物合计", "万元")),
    ("县级应急救援服务队伍（支）", ("县级应急救援服务队伍", "支")),
    ("应急救援队伍（县级）", ("应急救援队伍（县级）", None)),
])
def test_split_header_unit(text, expected):
    assert split_header_unit(text) == expected


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

_MINUS_LIKE = ("-", "−")


def _has_minus(text: str) -> bool:
    return any(m in unicodedata.normalize("NFKC", text) for m in _MINUS_LIKE)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parse_number_never_raises_on_text(text):
    parsed = parse_number(text)
    assert parsed.status in ("ok", "missing", "invalid")
    assert (parsed.value is not None) == (parsed.status == "ok")


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.binary(),
                 st.lists(st.integers()), st.dates(), st.decimals(allow_nan=False)))
def test_parse_number_never_raises_on_objects(obj):
    assert parse_number(obj).status in ("ok", "missing", "invalid")


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_non_negative_text_never_becomes_negative(text):
    assume(not _has_minus(text))
    parsed = parse_number(text)
    assert parsed.value is None or parsed.value >= 0


_finite = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None)
@given(_finite)
def test_str_of_a_float_round_trips(number):
    assert parse_number(str(number)).value == number


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_and_full_width_round_trip(number):
    with_commas = f"{number:,}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in with_commas)  # ０-９ and ，
    assert parse_number(with_commas).value == number
    assert parse_number(full_width).value == number


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=0, max_value=100000, places=2))
def test_wan_suffix_round_trips(amount):
    parsed = parse_number(f"{amount}万")
    assert parsed.unit == "万"
    assert parsed.value == pytest.approx(float(amount) * 10000, rel=1e-12)
    assert not math.isnan(parsed.value)


# ---------------------------------------------------------------------------------------------
# footnote markers, Excel errors, milestones in words, years in Chinese numerals
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("102①", ok(102.0)),          # ① is not the digit 1 (was read as 1021)
    ("35②", ok(35.0)),
    ("2704*", ok(2704.0)),
    ("2704＊", ok(2704.0)),
    ("88※", ok(88.0)),
    ("35注1", ok(35.0)),
    ("102 注①", ok(102.0)),
    ("12[1]", ok(12.0)),
    ("[1]12", ok(12.0)),
    ("12（注）", ok(12.0)),
    ("12【注2】", ok(12.0)),
    ("①102", ok(102.0)),
    ("5³", ok(5.0)),
    ("³5", ok(5.0)),               # decided: a superscript before the number is a marker too
    ("1.5万①", ok(15000.0, "万")),
    ("约102①", ok(102.0, None, True)),
    ("45人*", ok(45.0, "人")),
])
def test_footnote_markers_are_dropped_never_read_as_digits(raw, expected):
    assert summary(parse_number(raw)) == expected
    assert "注释标记" in parse_number(raw).note


@pytest.mark.parametrize("raw", ["①", "1²3", "1①2", "*", "注1", "(12)", "注10"])
def test_marker_digits_alone_or_inside_a_number_are_invalid(raw):
    parsed = parse_number(raw)
    assert parsed.status == "invalid" and parsed.value is None


@pytest.mark.parametrize("raw, body, markers", [
    ("102①", "102", "①"), ("2704*", "2704", "*"), ("[1]12", "12", "[1]"),
    ("12（注）", "12", "（注）"), ("12", "12", ""), ("①", "①", ""),
])
def test_strip_markers(raw, body, markers):
    assert strip_markers(raw) == (body, markers)


@pytest.mark.parametrize("raw, shown", [
    ("#DIV/0!", "#DIV/0!"), ("#REF!", "#REF!"), ("#N/A", "#N/A"), ("#VALUE!", "#VALUE!"),
    ("#NAME?", "#NAME?"), ("#NUM!", "#NUM!"), ("#NULL!", "#NULL!"), (" #div/0! ", "#DIV/0!"),
    ("＃ＲＥＦ！", "#REF!"), ("12", None), ("N/A", None), (None, None), (3, None),
])
def test_excel_error(raw, shown):
    assert excel_error(raw) == shown


def test_an_excel_error_is_invalid_and_the_note_says_what_excel_shows():
    for literal in EXCEL_ERRORS:
        parsed = parse_number(literal)
        assert parsed.status == "invalid" and parsed.value is None
        assert literal in parsed.note


@pytest.mark.parametrize("raw, value", [
    ("已完成（2023年6月上线）", 1.0), ("已上线", 1.0), ("已建成", 1.0), ("是", 1.0), ("完成", 1.0),
    ("已完成。", 1.0), (1, 1.0), ("1", 1.0), (True, 1.0),
    ("未完成", 0.0), ("未上线", 0.0), ("正在建设", 0.0), ("建设中", 0.0), ("否", 0.0),
    ("未完成，预计2024年上线", 0.0), ("0", 0.0), (False, 0.0),
])
def test_milestones_answered_in_words(raw, value):
    parsed = parse_milestone(raw)
    assert (parsed.value, parsed.status) == (value, "ok")


@pytest.mark.parametrize("raw", ["进行中", "部分完成", "2", 3, "见附件", "已完成50%"])
def test_other_milestone_answers_are_invalid_and_quoted(raw):
    parsed = parse_milestone(raw)
    assert parsed.status == "invalid" and parsed.value is None
    assert str(raw) in parsed.note


@pytest.mark.parametrize("raw", ["", None, "—", "/"])
def test_blank_milestone_is_not_reported(raw):
    assert parse_milestone(raw).status == "missing"


@pytest.mark.parametrize("text, year", [
    ("二〇二三年度", 2023), ("二〇二三年", 2023), ("二零二三年", 2023),
    ("江西省红十字会二〇二四年度深化改革完成情况表", 2024), ("二○二二 年", 2022),
    ("2023年", None), ("二〇二三", None), ("三年行动", None), (None, None),
    ("三年行动（二〇二二—二〇二四年）二〇二三年度完成情况", 2023), ("二〇二二至二〇二四年", None),
])
def test_chinese_year(text, year):
    assert chinese_year(text) == year


_MARKERS = st.sampled_from(["①", "⑳", "*", "＊", "注1", "[1]", "（注）", "¹", "²³", "※", "注②"])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), _MARKERS, st.booleans(), st.sampled_from(["", " "]))
def test_a_marker_never_changes_the_number(number, marker, before, space):
    assume(not (before and space == "" and marker == "注1"))  # 注10: ambiguous, left invalid
    raw = f"{marker}{space}{number}" if before else f"{number}{space}{marker}"
    parsed = parse_number(raw)
    assert parsed.status == "ok" and parsed.value == number


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789①②③⑳¹²³*注[]（）.,万", max_size=12))
def test_marker_characters_are_never_read_as_digits(text):
    parsed = parse_number(text)
    if parsed.status == "ok":
        marker_free = "".join(ch for ch in strip_markers(text)[0] if ch in "0123456789.,万")
        assert parse_number(marker_free).value == parsed.value

"""Names → catalogue codes and places: exact after normalisation, never a fuzzy guess."""
import pytest

from jrc_analysis.returns.names import find_unit_in_text, match_indicator, match_place, normalise


@pytest.mark.parametrize("text, expected", [
    ("新增基层组织", "新增基层组织"),
    ("1. 新增基层组织（个）", "新增基层组织"),
    ("1、新增基层组织(个)", "新增基层组织"),
    ("（三）配置AED", "配置aed"),
    ("一、发展会员（万人）", "发展会员"),
    ("①其中：资金", "资金"),
    ("其中:网络众筹", "网络众筹"),
    ("新增\"博爱家园\"项目", "新增博爱家园项目"),
    ("新增‘博爱家园’ 项目", "新增博爱家园项目"),
    ("新增「博爱家园」项目", "新增博爱家园项目"),
    ("ＡＥＤ　配置", "aed配置"),
    ("", ""),
    (None, ""),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text, code", [
    ("新增基层组织", "grassroots.new_orgs"),
    ("2. 新增基层组织（个）", "grassroots.new_orgs"),
    ("（二）新增“博爱家园”项目", "grassroots.new_boai_homes"),
    ("新增\"博爱家园\"项目（个）", "grassroots.new_boai_homes"),
    ("其中：资金", "fundraising.cash"),
    ("其中：物资折价（元）", "fundraising.in_kind"),
    ("应急救护持证培训(救护员)", "first_aid.certified_trainees"),
    ("ERT、ERU专业人才（累计）", "rescue.ert_eru_experts"),
    ("配置ＡＥＤ", "first_aid.aed_new"),
    ("first_aid.aed_new", "first_aid.aed_new"),
    # unique containment: one catalogue name inside the text, nothing else
    ("2023年新增基层组织数", "grassroots.new_orgs"),
])
def test_match_indicator(text, code):
    assert match_indicator(text) == code


@pytest.mark.parametrize("text", [
    "新增学校红十字会总数",      # contains 新增学校红十字会 and 学校红十字会总数: ambiguous
    "合计",
    "填报说明",
    "",
    None,
    "资金使用情况说明",          # 资金 is too short to be found inside other text
    "first_aid.no_such_code",
])
def test_match_indicator_never_guesses(text):
    assert match_indicator(text) is None


@pytest.mark.parametrize("text, expected", [
    ("南昌", ("prefecture", "南昌市", "南昌市")),
    ("南昌市", ("prefecture", "南昌市", "南昌市")),
    ("南昌市红十字会", ("prefecture", "南昌市", "南昌市")),
    (" 南昌市 红十字会 ", ("prefecture", "南昌市", "南昌市")),
    ("南昌县", ("county", "南昌县", "南昌市")),
    ("吉安", ("prefecture", "吉安市", "吉安市")),
    ("吉安市", ("prefecture", "吉安市", "吉安市")),
    ("吉安县", ("county", "吉安县", "吉安市")),
    ("省本级", ("province_hq", "省本级", "省本级")),
    ("江西省红十字会", ("province_hq", "省本级", "省本级")),
    ("红谷滩新区", ("county", "红谷滩区", "南昌市")),
    ("江西省南昌市", ("prefecture", "南昌市", "南昌市")),
])
def test_match_place(text, expected):
    assert tuple(match_place(text)) == expected


def test_match_place_prefers_the_given_prefectures_counties():
    assert tuple(match_place("东湖", prefecture="南昌市")) == ("county", "东湖区", "南昌市")
    assert tuple(match_place("吉安县", prefecture="吉安市")) == ("county", "吉安县", "吉安市")


@pytest.mark.parametrize("text", ["", None, "合计", "市本级", "北京市"])
def test_match_place_unknown(text):
    assert match_place(text) is None


@pytest.mark.parametrize("text, unit", [
    ("2023年度南昌市红十字会深化改革创新三年行动目标任务完成情况表", "南昌市"),
    ("2023/吉安县.xlsx", "吉安市"),
    ("江西省红十字会（省本级）2023年度完成情况", "省本级"),
    ("赣州2023（修订）.xls", "赣州市"),
    ("江西省红十字会深化改革创新三年行动", None),
    ("九江市、南昌市2023年", "九江市"),  # the name that occurs first wins
    ("南昌县红十字会", "南昌市"),  # a county counts for its prefecture
    ("吉安县", "吉安市"),
    ("省本级", "省本级"),
])
def test_find_unit_in_text(text, unit):
    assert find_unit_in_text(text) == unit


# --------------------------------------------------------------------------- properties (hypothesis)

from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_matchers_never_raise_and_return_known_things(text):
    assert isinstance(normalise(text), str)
    code = match_indicator(text)
    assert code is None or "." in code
    place = match_place(text)
    assert place is None or place.level in ("prefecture", "province_hq", "county")
    assert find_unit_in_text(text) is None or isinstance(find_unit_in_text(text), str)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["1. ", "（三）", "一、", "①", "其中：", " ", ""]),
       st.sampled_from(["新增基层组织", "配置AED", "筹集款物合计", "应急救护普及培训"]),
       st.sampled_from(["", "（个）", "(万元)", "（人次）", " "]))
def test_numbering_and_units_never_change_the_match(prefix, name, suffix):
    assert match_indicator(prefix + name + suffix) == match_indicator(name) is not None

"""data/mappings.csv: validated before any return is read, applied first, and the check → suggest →
confirm → ingest round trip."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from conftest import summary_rows, write_xlsx
from jrc_analysis.cli import main
from jrc_analysis.returns import names
from jrc_analysis.returns.ingest import load_returns
from jrc_analysis.returns.mappings import (MAPPING_COLUMNS, SUGGESTION_COLUMNS, Mappings, MappingsError,
                                           Unmatched, load_mappings, suggestions_frame, unmatched_advice)

HEADER = "kind,text,maps_to,note\n"


def mappings_file(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding=encoding)
    return path


def odd_return(raw: Path) -> Path:
    """南昌市 2023: a summary sheet with two labels the catalogue does not know (救援骨干队伍 and
    博爱超市) and a county sheet with a county label it does not know (东湖片区)."""
    summary = summary_rows([
        [1, None, "新增基层组织", "个", 450, 12, None],
        [2, None, "救援骨干队伍（支）", "支", None, 5, None],
        [3, None, "博爱超市", "个", None, 3, None],
    ])
    county = [["县区明细"], ["县（市、区）", "新增基层组织（个）"], ["东湖片区", 4], ["西湖区", 8]]
    return write_xlsx(raw / "2023" / "2023年度_南昌市.xlsx", {"汇总表": summary, "县区明细": county})


# ----------------------------------------------------------------------------------------------
# loading and validating
# ----------------------------------------------------------------------------------------------

def test_a_missing_file_means_no_lines(tmp_path):
    found = load_mappings(tmp_path / "mappings.csv")
    assert isinstance(found, Mappings) and len(found) == 0


def test_good_lines_are_loaded_with_their_line_numbers(tmp_path):
    path = mappings_file(tmp_path / "mappings.csv",
                         "indicator,县级应急救援服务队伍,rescue.county_teams,",
                         "",
                         "place,东湖片区,东湖区,老地名",
                         "ignore,博爱超市,,省里自加")
    found = load_mappings(path)
    assert [(l.kind, l.text, l.maps_to, l.line) for l in found.lines] == [
        ("indicator", "县级应急救援服务队伍", "rescue.county_teams", 2),
        ("place", "东湖片区", "东湖区", 4),
        ("ignore", "博爱超市", "", 5)]
    # a unit in brackets and spacing do not matter; notes in brackets do
    assert found.indicator_line("县级应急救援服务队伍（支）").line == 2
    assert found.indicator_line("县级应急救援服务队伍（市级）") is None
    assert found.place_line("东湖片区红十字会").maps_to == "东湖区"
    assert found.used_lines() == frozenset({2, 4})


def test_a_file_saved_by_excel_in_gbk_is_read(tmp_path):
    path = mappings_file(tmp_path / "mappings.csv", "ignore,博爱超市,,", encoding="gb18030")
    assert load_mappings(path).lines[0].text == "博爱超市"


@pytest.mark.parametrize("lines, expected", [
    (["indicator,救援骨干队伍,rescue.no_such_code,"], "第 2 行：未知的指标代码“rescue.no_such_code”"),
    (["indicator,救援骨干队伍,first_aid.aed,"], "是否为 first_aid.aed_new"),
    (["place,东湖片区,东湖县,"], "第 2 行：“东湖县”不是县（市、区）的规范名称"),
    (["county,东湖片区,东湖区,"], "第 2 行：kind 为“county”"),
    (["indicator,,rescue.county_teams,"], "第 2 行：text 为空"),
    (["indicator,救援骨干队伍,rescue.county_teams,", "indicator,救援骨干队伍（支）,rescue.prefecture_teams,"],
     "第 3 行：“救援骨干队伍（支）”与第 2 行重复，但对应不同"),
    (["ignore,博爱超市,,", "indicator,博爱超市,grassroots.new_boai_homes,"], "第 3 行：“博爱超市”与第 2 行重复"),
    (["ignore,博爱超市,grassroots.new_boai_homes,"], "ignore 行的 maps_to 应为空"),
    (["indicator,资金,fundraising.total,"], "“资金”已是指标 fundraising.cash"),
    (["ignore,发展会员,,"], "不能忽略"),
    (["indicator,救援,骨干,队伍,rescue.county_teams,x"], "多于 4 列"),
])
def test_a_bad_line_is_an_error_naming_the_file_and_the_line(tmp_path, lines, expected):
    path = mappings_file(tmp_path / "mappings.csv", *lines)
    with pytest.raises(MappingsError) as exc:
        load_mappings(path)
    assert "mappings.csv" in str(exc.value)
    assert expected in str(exc.value)


@pytest.mark.parametrize("header", ["kind,text,code,note", "text,kind,maps_to,note", ""])
def test_a_bad_header_is_an_error(tmp_path, header):
    path = tmp_path / "mappings.csv"
    path.write_text(header + "\nindicator,救援骨干队伍,rescue.county_teams,\n", encoding="utf-8")
    with pytest.raises(MappingsError, match="第 1 行：表头应为“kind,text,maps_to,note”"):
        load_mappings(path)


def test_every_bad_line_is_listed_at_once(tmp_path):
    path = mappings_file(tmp_path / "mappings.csv", "indicator,甲,no.code,", "ignore,乙,,", "place,丙,丁,")
    with pytest.raises(MappingsError) as exc:
        load_mappings(path)
    assert "有 2 处错误" in str(exc.value)
    assert "第 2 行" in str(exc.value) and "第 4 行" in str(exc.value)


def test_the_cli_exits_2_on_a_bad_file_before_reading_any_return(tmp_path, capsys):
    raw = tmp_path / "raw"
    odd_return(raw)
    bad = mappings_file(tmp_path / "mappings.csv", "indicator,救援骨干队伍,rescue.no_such_code,")
    for argv in (["check", str(raw), "--mappings", str(bad)],
                 ["ingest", str(raw), "-o", str(tmp_path / "out"), "--mappings", str(bad)]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2
        assert "mappings.csv 有 1 处错误" in err and "第 2 行" in err
        assert "Traceback" not in err
        assert out == ""  # no summary: no return was read
    assert not (tmp_path / "out").exists()


def test_the_default_file_is_the_data_roots(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JRC_DATA_ROOT", str(tmp_path))
    raw = tmp_path / "raw"
    odd_return(raw)
    mappings_file(tmp_path / "mappings.csv", "place,东湖片区,东湖县,")
    assert main(["check", str(raw)]) == 2
    assert "不是县（市、区）的规范名称" in capsys.readouterr().err
    with pytest.raises(MappingsError):
        load_returns(raw)


# ----------------------------------------------------------------------------------------------
# applied by the matchers; what the issues say
# ----------------------------------------------------------------------------------------------

def test_a_mapping_comes_before_the_score(tmp_path):
    path = mappings_file(tmp_path / "mappings.csv", "indicator,应急救援队伍（县级）,rescue.prefecture_teams,")
    taught = load_mappings(path)
    assert names.match_indicator("应急救援队伍（县级）") == "rescue.county_teams"  # the score
    assert names.match_indicator("应急救援队伍（县级）", mappings=taught) == "rescue.prefecture_teams"
    assert names.resolve_indicator("应急救援队伍（县级）", mappings=taught).line == 2


def test_the_advice_names_the_candidates_and_the_exact_line():
    advice = unmatched_advice("indicator", "县级应急救援服务队伍（支）",
                              [("rescue.county_teams", 0.73), ("grassroots.volunteer_teams", 0.43)])
    assert advice.startswith("如“县级应急救援服务队伍”即“县级可参与应急救援服务的队伍”，在 data/mappings.csv "
                             "加一行：indicator,县级应急救援服务队伍,rescue.county_teams,")
    assert "志愿服务队伍" in advice
    assert "ignore,省里自加指标,," in unmatched_advice("indicator", "省里自加指标", [])
    assert "place,东湖片区,东湖区," in unmatched_advice("place", "东湖片区", [("东湖区", 0.5)])
    # a label with a comma is quoted so that the line reads back as one text
    assert 'indicator,"救援,骨干",rescue.county_teams,' in unmatched_advice(
        "indicator", "救援,骨干", [("rescue.county_teams", 0.5)])


def test_unmatched_issues_carry_the_advice(tmp_path):
    raw = tmp_path / "raw"
    odd_return(raw)
    result = load_returns(raw, mappings=Mappings.empty())
    messages = {(i.code, i.cell): i.message for i in result.issues if i.code.startswith("clean.unmatched")}
    assert set(messages) == {("clean.unmatched_indicator", "F7"), ("clean.unmatched_indicator", "F8"),
                             ("clean.unmatched_county", "A3")}
    assert "indicator,救援骨干队伍,rescue.county_teams," in messages["clean.unmatched_indicator", "F7"]
    assert "place,东湖片区,东湖区," in messages["clean.unmatched_county", "A3"]
    assert sorted((u.kind, u.text) for u in result.unmatched) == [
        ("indicator", "博爱超市"), ("indicator", "救援骨干队伍（支）"), ("place", "东湖片区")]


def test_unused_lines_are_warned_about(tmp_path):
    raw = tmp_path / "raw"
    odd_return(raw)
    path = mappings_file(tmp_path / "mappings.csv", "ignore,博爱超市,,", "indicator,从未出现的说法,rescue.county_teams,")
    result = load_returns(raw, mappings=load_mappings(path))
    unused = [i for i in result.issues if i.code == "mappings.unused"]
    assert [(i.severity, i.cell) for i in unused] == [("warning", "A3")]
    assert "从未出现的说法" in unused[0].message and "第 3 行" in unused[0].message


def test_suggestions_frame_has_the_mappings_columns_first():
    frame = suggestions_frame([
        Unmatched("indicator", "救援骨干队伍（支）", "a.xlsx", "汇总表", "F7",
                  (("rescue.county_teams", 0.322), ("culture.backbone_trainings", 0.223))),
        Unmatched("indicator", "救援骨干队伍", "b.xlsx", "汇总表", "F8", (("rescue.county_teams", 0.322),)),
        Unmatched("indicator", "省里自加指标", "a.xlsx", "汇总表", "F9", ()),
    ])
    assert list(frame.columns) == SUGGESTION_COLUMNS and SUGGESTION_COLUMNS[:4] == MAPPING_COLUMNS
    assert frame["text"].tolist() == ["救援骨干队伍", "省里自加指标"]  # one row per label
    assert frame["maps_to"].tolist() == ["rescue.county_teams", ""]
    assert frame.loc[0, "candidate_1"] == "rescue.county_teams（县级可参与应急救援服务的队伍，0.32）"
    assert frame.loc[0, "seen_in"] == "a.xlsx!汇总表!F7；b.xlsx!汇总表!F8"


# ----------------------------------------------------------------------------------------------
# the round trip: check → suggested → confirmed line copied → read
# ----------------------------------------------------------------------------------------------

def test_round_trip_unmatched_suggested_confirmed_read(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    odd_return(raw)
    taught = mappings_file(tmp_path / "mappings.csv")
    suggested = tmp_path / "mappings_suggested.csv"

    # 1. check: three labels not understood; the suggestions file lists them with candidates
    assert main(["check", str(raw), "--mappings", str(taught), "--suggest", str(suggested)]) == 0
    assert "已写出对照建议 3 条" in capsys.readouterr().out
    assert suggested.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    frame = pd.read_csv(suggested, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = {r.text: r for r in frame.itertuples(index=False)}
    assert set(rows) == {"救援骨干队伍", "博爱超市", "东湖片区"}
    assert (rows["救援骨干队伍"].kind, rows["救援骨干队伍"].maps_to) == ("indicator", "rescue.county_teams")
    assert (rows["东湖片区"].kind, rows["东湖片区"].maps_to) == ("place", "东湖区")

    # 2. the analyst confirms two suggestions as they are, turns 博爱超市 into an ignore line,
    #    and copies the first four columns over
    confirmed = [rows["救援骨干队伍"], rows["东湖片区"]]
    with taught.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for r in confirmed:
            writer.writerow([r.kind, r.text, r.maps_to, r.note])
        writer.writerow(["ignore", "博爱超市", "", "省里自加的指标"])

    # 3. ingest again: every label is read, nothing is unmatched, no line unused
    assert main(["ingest", str(raw), "-o", str(out), "--mappings", str(taught)]) == 0
    values = pd.read_parquet(out / "returns.parquet")
    got = {(r.indicator, r.county): (r.value, r.cell) for r in values.itertuples(index=False)}
    assert got[("rescue.county_teams", "")] == (5.0, "F7")
    assert got[("grassroots.new_orgs", "东湖区")] == (4.0, "B3")
    assert got[("grassroots.new_orgs", "西湖区")] == (8.0, "B4")
    assert not any(indicator == "grassroots.new_boai_homes" for indicator, _c in got)
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert not issues["code"].str.startswith("clean.unmatched").any()
    assert not (issues["code"] == "mappings.unused").any()
    assert not (issues["code"] == "clean.unused_number").any()


def test_worker_processes_apply_the_mappings_and_report_their_use(tmp_path):
    raw = tmp_path / "raw"
    odd_return(raw)
    second = raw / "2023" / "2023年度_南昌市.xlsx"
    (raw / "2024").mkdir()
    (raw / "2024" / "2024年度_南昌市.xlsx").write_bytes(second.read_bytes())
    taught = load_mappings(mappings_file(tmp_path / "mappings.csv", "ignore,博爱超市,,",
                                         "place,东湖片区,东湖区,", "indicator,救援骨干队伍,rescue.county_teams,"))
    one = load_returns(raw, jobs=1, mappings=load_mappings(tmp_path / "mappings.csv"))
    two = load_returns(raw, jobs=2, mappings=taught)
    pd.testing.assert_frame_equal(one.values, two.values)
    assert one.issues == two.issues
    assert not [i for i in two.issues if i.code == "mappings.unused"]


def test_no_line_is_offered_for_a_label_too_long_to_be_a_wording():
    long_label = "长" * 500
    assert "过长" in unmatched_advice("indicator", long_label, [("rescue.county_teams", 0.1)])
    assert suggestions_frame([Unmatched("indicator", long_label, "a.xlsx", "汇总表", "F7", ())]).empty


# ----------------------------------------------------------------------------------------------
# property: the line an issue offers reads back as the same label
# ----------------------------------------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from jrc_analysis.returns.mappings import mapping_line, validated_lines  # noqa: E402

_LABEL = st.text(alphabet="救援骨干队伍县级新增合计,，\"“”（）() 　-=+@甲乙", min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(_LABEL)
def test_the_offered_line_reads_back_as_the_same_label(text):
    label = names.label_text(text)
    if not names.label_key(label) or names.exact_indicator(label) or label.strip() in names.indicator_codes():
        return  # nothing to teach: empty, or already a catalogue name
    line = mapping_line("indicator", label, "rescue.county_teams")
    rows = list(csv.reader([",".join(MAPPING_COLUMNS), line]))
    [read] = validated_lines(rows, "data/mappings.csv")
    taught = Mappings("data/mappings.csv", (read,))
    assert taught.indicator_line(text) is not None
    assert names.match_indicator(text, mappings=taught) == "rescue.county_teams"


# ----------------------------------------------------------------------------------------------
# labels read by similarity alone: named once per file, with the lines to confirm or correct
# ----------------------------------------------------------------------------------------------

def similar_return(raw: Path) -> Path:
    """南昌市 2023: ``新增配置AED`` is neither the catalogue's name (配置AED) nor one of its
    aliases: the scored match reads it as first_aid.aed_new, on the summary sheet (row 6) and in
    the county sheet's header (with its unit, the same label)."""
    summary = summary_rows([[1, None, "新增配置AED", "台", 30, 12, None],
                            [2, None, "新增基层组织", "个", 450, 9, None]])
    county = [["县区明细"], ["县（市、区）", "新增配置AED（台）"], ["东湖区", 4], ["西湖区", 8]]
    return write_xlsx(raw / "2023" / "2023年度_南昌市.xlsx", {"汇总表": summary, "县区明细": county})


def test_a_label_read_by_similarity_is_named_once_with_the_lines_to_confirm_or_correct(tmp_path):
    raw = tmp_path / "raw"
    similar_return(raw)
    result = load_returns(raw, mappings=Mappings.empty())
    got = {(r.indicator, r.county): (r.value, r.cell) for r in result.values.itertuples(index=False)}
    assert got[("first_aid.aed_new", "")] == (12.0, "F6")
    assert got[("first_aid.aed_new", "东湖区")] == (4.0, "B3")
    similar = [i for i in result.issues if i.code == "clean.similar_indicator"]
    assert [(i.severity, i.sheet, i.cell) for i in similar] == [("warning", "汇总表", "C6")]  # once per file
    message = similar[0].message
    assert "指标名称“新增配置AED”与模板不同，已按最相近的“配置AED”（first_aid.aed_new，相似度 0.85" in message
    assert "加一行 indicator,新增配置AED,first_aid.aed_new, 确认" in message
    assert "加一行 indicator,新增配置AED,<正确的指标代码>, 改正" in message
    assert "本文件另有 1 处同样的名称" in message  # the county sheet's header
    assert [(u.text, u.cell, u.chosen) for u in result.similar] == [("新增配置AED", "C6", "first_aid.aed_new")]
    assert result.unmatched == []
    # an exact name or alias (新增基层组织) is never named
    assert not any("新增基层组织" in i.message for i in similar)


def test_a_confirmed_similar_label_is_not_named_again_and_is_suggested_until_then(tmp_path, capsys):
    raw = tmp_path / "raw"
    similar_return(raw)
    taught = mappings_file(tmp_path / "mappings.csv")
    suggested = tmp_path / "mappings_suggested.csv"
    assert main(["check", str(raw), "--mappings", str(taught), "--suggest", str(suggested)]) == 0
    assert "已写出对照建议 1 条" in capsys.readouterr().out
    frame = pd.read_csv(suggested, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = frame.iloc[0]
    assert (row.kind, row.text, row.maps_to) == ("indicator", "新增配置AED", "first_aid.aed_new")
    assert row.note.startswith("已按相似度采用")
    assert row.seen_in == "2023/2023年度_南昌市.xlsx!汇总表!C6"
    with taught.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([row.kind, row.text, row.maps_to, "核对无误"])
    result = load_returns(raw, mappings=load_mappings(taught))
    assert not [i for i in result.issues if i.code in ("clean.similar_indicator", "mappings.unused")]
    assert result.similar == [] and result.unmatched == []
    got = {(r.indicator, r.county): r.value for r in result.values.itertuples(index=False)}
    assert got[("first_aid.aed_new", "")] == 12.0 and got[("first_aid.aed_new", "西湖区")] == 8.0

"""Cells → tidy values: each case of issue 3 with a workbook built here, expected values by hand."""
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import SUMMARY_HEADER, TITLE_2023, clean_file, codes, summary_rows, value_of, write_xlsx
from jrc_analysis.returns.clean import TIDY_COLUMNS, header_role, revision_rank, years_in



def similar_labels(result) -> list[str]:
    """The labels a ``clean.similar_indicator`` warning names (read by similarity alone)."""
    return sorted(re.search("指标名称“([^”]+)”", i.message).group(1)
                  for i in result.issues if i.code == "clean.similar_indicator")


def other_issues(result) -> list:
    """The issues other than ``clean.similar_indicator``."""
    return [i for i in result.issues if i.code != "clean.similar_indicator"]

def test_template_layout_gives_values_with_their_cells(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", "≥300", 310, None],
        [2, "fundraising.total", "筹集款物合计", "元", "≥200000000", "1,234", "含物资"],
    ])})
    assert list(result.values.columns) == TIDY_COLUMNS
    rows = result.values.to_dict("records")
    assert rows == [
        dict(year=2023, prefecture="南昌市", county="", indicator="grassroots.new_orgs", value=310.0,
             unit="个", source_file="2023年度_南昌市.xlsx", sheet="汇总表", cell="F6", raw="310"),
        dict(year=2023, prefecture="南昌市", county="", indicator="fundraising.total", value=1234.0,
             unit="元", source_file="2023年度_南昌市.xlsx", sheet="汇总表", cell="F7", raw="1,234"),
    ]
    assert result.issues == []
    assert result.info.prefecture == "南昌市" and result.info.year == 2023
    assert result.info.template_version == "2024.1" and result.info.fill_date == "2023-12-20"
    # 4 title/info cells + 3 info values + 7 headers + 6 name/code/unit/target/note cells + ...: all counted
    assert result.accounting.values == 2 and result.accounting.in_issues == 0


def test_header_anywhere_extra_columns_in_any_order_and_no_code_column(cleaned_book):
    rows = [[None], [None, TITLE_2023], [None], [None],
            [None, "备注", "上年完成数", "实际完成", "指标名称", "同比", "年度目标"],
            [None, None, 280, 300, "新增基层组织", "7%", 300],
            [None, None, None, None, None, None, None],
            [None, "含学校", 20000, 25000, "发展会员", "25%", 25000]]
    result = cleaned_book({"Sheet1": rows}, merges={"Sheet1": ["B2:G2"]})
    assert value_of(result, "grassroots.new_orgs") == 300
    assert value_of(result, "grassroots.new_members") == 25000
    assert set(result.values["cell"]) == {"D6", "D8"}
    assert result.issues == []


def test_previous_year_column_is_never_the_value(cleaned_book):
    header = ["指标名称", "2022年完成数", "2023年完成数"]
    result = cleaned_book({"表": [[TITLE_2023], header, ["新增基层组织", 450, 310]]})
    assert value_of(result, "grassroots.new_orgs") == 310
    assert result.values["cell"].tolist() == ["C3"]


def test_sheets_found_by_content_whatever_their_names(cleaned_book):
    notes = [["填报说明"], ["一、本表由各设区市填报。"], ["二、金额以元为单位。"]]
    county = [["2023年度南昌市分县（市、区）完成情况明细表"],
              ["县（市、区）", "新增基层组织（个）"],
              ["东湖区", 5], ["南昌县", 7], ["市本级", 1], ["合计", 13]]
    summary = summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, 13, None]])
    result = cleaned_book({"说明": notes, "附表2": county, "附表1": summary})
    values = result.values.set_index("county")["value"].to_dict()
    assert values == {"": 13.0, "东湖区": 5.0, "南昌县": 7.0, "市本级": 1.0}
    sheets = result.values.set_index("county")["sheet"].to_dict()
    assert sheets == {"": "附表1", "东湖区": "附表2", "南昌县": "附表2", "市本级": "附表2"}
    assert result.issues == []


def test_indicator_names_as_people_write_them(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, None, "一、新增基层组织（个）", None, None, 1, None],
        [2, None, "（二）新增'博爱家园'项目", None, None, 2, None],
        [3, None, "3. 发展会员（人）", None, None, 3, None],
        [4, None, "①其中：资金", None, None, 4, None],
        [5, None, "配置ＡＥＤ", None, None, 5, None],
    ])})
    got = dict(zip(result.values["indicator"], result.values["value"]))
    assert got == {"grassroots.new_orgs": 1, "grassroots.new_boai_homes": 2,
                   "grassroots.new_members": 3, "first_aid.aed_new": 5, "fundraising.cash": 4}


def test_unmatched_row_is_a_warning_quoting_the_row(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, None, "新增基层组织", "个", None, 1, None],
        [2, None, "开展红十字博爱周活动", "次", None, 12, None],
        [None, None, "二、应急救援壮骨", None, None, None, None],   # a heading row: no number, no issue
    ])})
    assert codes(result) == ["clean.unmatched_indicator"]
    issue = result.issues[0]
    assert issue.severity == "warning" and issue.cell == "F7" and issue.sheet == "汇总表"
    assert "开展红十字博爱周活动" in issue.message and "12" in issue.message
    assert result.values["indicator"].tolist() == ["grassroots.new_orgs"]


@pytest.mark.parametrize("raw, code, expected", [
    ("1,234", "grassroots.new_members", 1234),
    ("１２３４", "grassroots.new_members", 1234),
    ("15.2万", "grassroots.new_members", 152000),
    ("2.3亿元", "fundraising.total", 230000000),
    ("约3000", "grassroots.new_members", 3000),
    ("3000余", "grassroots.new_members", 3000),
    ("是", "fundraising.transparency_evaluated", 1),
    ("否", "digital.ms_booking", 0),
    ("已完成", "digital.ms_booking", 1),
    ("无", "grassroots.new_orgs", 0),
])
def test_numbers_as_people_write_them(cleaned_book, raw, code, expected):
    result = cleaned_book({"汇总表": summary_rows([[1, code, None, None, None, raw, None]])})
    assert value_of(result, code) == expected
    assert result.values["raw"].tolist() == [raw]


@pytest.mark.parametrize("raw", ["—", "/", "不适用", "-"])
def test_not_reported_is_no_value_and_never_zero(cleaned_book, raw):
    result = cleaned_book({"汇总表": summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, raw, None]])})
    assert result.values.empty
    assert result.issues == []
    assert result.accounting.ignored == result.accounting.cells_read


@pytest.mark.parametrize("raw", ["12.5%", "很多", "见附件"])
def test_text_that_is_not_a_number_is_an_error_naming_the_cell(cleaned_book, raw):
    result = cleaned_book({"汇总表": summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, raw, None]])})
    assert result.values.empty
    assert codes(result) == ["clean.invalid_value"]
    assert result.issues[0].severity == "error" and result.issues[0].cell == "F6"
    assert raw in result.issues[0].message


def test_units_from_unit_column_header_and_unit_line(cleaned_book):
    unit_column = cleaned_book({"汇总表": summary_rows([
        [1, "fundraising.total", "筹集款物合计", "万元", None, 1.5, None],
        [2, "first_aid.popular_trainees", "应急救护普及培训", "万人次", None, "14.593", None],
    ])}, name="a.xlsx")
    assert value_of(unit_column, "fundraising.total") == 15000
    assert value_of(unit_column, "first_aid.popular_trainees") == pytest.approx(145930)

    header = ["指标名称", "2023年完成数（万元）"]
    from_header = cleaned_book({"表": [[TITLE_2023], header, ["筹集款物合计", 2]]}, name="b.xlsx")
    assert value_of(from_header, "fundraising.total") == 20000

    unit_line = [[TITLE_2023], [None, "单位：万元"], ["指标名称", "完成数"], ["其中：资金", 3]]
    from_line = cleaned_book({"表": unit_line}, name="c.xlsx")
    assert value_of(from_line, "fundraising.cash") == 30000

    # a unit in the cell wins over the column's
    in_cell = cleaned_book({"汇总表": summary_rows([[1, "fundraising.total", None, "元", None, "2.3亿元", None]])},
                   name="d.xlsx")
    assert value_of(in_cell, "fundraising.total") == 230000000


def test_unit_that_cannot_be_reconciled_is_an_error_for_that_cell(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "fundraising.total", "筹集款物合计", "台", None, 5, None],
        [2, "grassroots.new_orgs", "新增基层组织", "个", None, 6, None],
    ])})
    assert codes(result) == ["clean.invalid_value"]
    assert result.issues[0].cell == "F6" and "台" in result.issues[0].message
    assert result.values["indicator"].tolist() == ["grassroots.new_orgs"]


def test_code_column_wins_and_a_name_mismatch_is_a_warning(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "发展会员", "个", None, 7, None],
        [2, "no.such_code", "配置AED", "台", None, 8, None],
    ])})
    assert dict(zip(result.values["indicator"], result.values["value"])) == {
        "grassroots.new_orgs": 7, "first_aid.aed_new": 8}
    assert codes(result) == ["clean.code_name_mismatch"]
    assert result.issues[0].cell == "B6"


def test_duplicate_indicator_row_is_an_error_and_the_first_is_kept(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, None, "新增基层组织", "个", None, 7, None],
        [2, None, "新增基层组织", "个", None, 9, None],
    ])})
    assert value_of(result, "grassroots.new_orgs") == 7
    assert codes(result) == ["clean.duplicate_indicator"] and result.issues[0].cell == "F7"


def test_uncached_formula_is_an_error_naming_the_cell_never_zero(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", None, "=1+2", None],
        [2, "grassroots.new_members", "发展会员", "人", None, 5, None],
    ])})
    assert result.values["indicator"].tolist() == ["grassroots.new_members"]
    assert codes(result) == ["clean.formula_uncached"]
    assert result.issues[0].severity == "error" and result.issues[0].cell == "F6"


# --------------------------------------------------------------------------- who and when

def test_year_in_file_name_disagreeing_with_title_is_a_warning(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([[1, "grassroots.new_orgs", None, None, None, 1, None]])},
                  name="南昌市2022年报表.xlsx", source_file="2022/南昌市2022年报表.xlsx")
    assert result.info.year == 2023
    assert codes(result) == ["clean.year_conflict"]
    assert "2022" in result.issues[0].message and "2023" in result.issues[0].message
    assert result.values["year"].tolist() == [2023]


def test_prefecture_from_the_unit_line_in_short_form(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([[1, "grassroots.new_orgs", None, None, None, 1, None]],
                                        title="2023年度目标任务完成情况表", unit="南昌")}, name="报表.xlsx")
    assert result.info.prefecture == "南昌市"
    assert result.issues == []


def test_province_hq_return(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([[1, "digital.ms_booking", None, None, None, "是", None]],
                                        title="2023年度江西省红十字会（省本级）目标任务完成情况表",
                                        unit="江西省红十字会（省本级）")}, name="省本级.xlsx")
    assert result.info.prefecture == "省本级"
    assert value_of(result, "digital.ms_booking") == 1


def test_no_unit_or_year_anywhere_is_an_error_and_nothing_is_used(cleaned_book):
    rows = [["目标任务完成情况表"], ["指标名称", "完成数"], ["新增基层组织", 5]]
    result = cleaned_book({"Sheet1": rows}, name="报表.xlsx")
    assert result.values.empty
    assert sorted(codes(result)) == ["clean.no_prefecture", "clean.no_year"]
    assert all(i.severity == "error" for i in result.issues)


def test_no_table_at_all_is_an_error(cleaned_book):
    result = cleaned_book({"Sheet1": [["你好"], [1, 2, 3]]}, name="南昌2023.xlsx")
    assert codes(result) == ["clean.no_table"] and result.values.empty


# --------------------------------------------------------------------------- the county sheet

COUNTY_HEADER = ["县（市、区）", "新增基层组织（个）", "筹集款物合计（万元）"]


def county_book(cleaned_book, rows, name="2023年度_南昌市.xlsx"):
    sheet = [["2023年度南昌市红十字会分县（市、区）完成情况明细表"], ["填报单位：", "南昌市红十字会"],
             COUNTY_HEADER, ["指标代码", "grassroots.new_orgs", "fundraising.total"], *rows]
    return cleaned_book({"县区明细": sheet}, name=name)


def test_county_rows_city_hq_and_unit_in_header(cleaned_book):
    result = county_book(cleaned_book, [["东湖区", 2, 1.5], ["南昌县", 3, 2], ["市本级", 1, 0.5], ["合计", 6, 4]])
    table = result.values.pivot(index="county", columns="indicator", values="value")
    assert table.loc["东湖区", "grassroots.new_orgs"] == 2
    assert table.loc["南昌县", "fundraising.total"] == 20000
    assert table.loc["市本级", "fundraising.total"] == 5000
    assert set(table.index) == {"东湖区", "南昌县", "市本级"}    # 合计 is not a county
    assert result.issues == []
    assert result.values.query("county == '东湖区' and indicator == 'grassroots.new_orgs'")["cell"].item() == "B5"


def test_county_of_another_prefecture_is_an_error(cleaned_book):
    result = county_book(cleaned_book, [["东湖区", 2, 1], ["吉安县", 3, 1]])
    assert codes(result) == ["clean.county_of_other_prefecture"]
    assert result.issues[0].cell == "A6" and "吉安市" in result.issues[0].message
    assert set(result.values["county"]) == {"东湖区"}


def test_unknown_county_row_is_a_warning(cleaned_book):
    result = county_book(cleaned_book, [["东湖区", 2, 1], ["湖东区", 3, 1]])
    assert codes(result) == ["clean.unmatched_county"] and result.issues[0].cell == "A6"


def test_total_row_checked_against_the_sum_of_counties(cleaned_book):
    result = county_book(cleaned_book, [["东湖区", 2, 1], ["南昌县", 3, 2], ["市本级", 1, 0], ["合计", 7, 3]])
    assert codes(result) == ["clean.county_total_mismatch"]
    issue = result.issues[0]
    assert issue.cell == "B8" and "7" in issue.message and "6" in issue.message
    assert issue.severity == "warning"


def test_old_county_name_from_the_aliases(cleaned_book):
    result = county_book(cleaned_book, [["红谷滩新区", 2, 1]])
    assert set(result.values["county"]) == {"红谷滩区"}


# --------------------------------------------------------------------------- formats and helpers

def test_xls_and_ods_give_the_same_values(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    rows = [[TITLE_2023], ["填报单位：", "南昌市红十字会"], ["指标名称", "单位", "2023年完成数"],
            ["新增基层组织", "个", 310], ["筹集款物合计", "万元", "1.5"]]
    rows = [row + [None] * (3 - len(row)) for row in rows]
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("汇总表")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                sheet.write(r, c, v)
    workbook.save(str(tmp_path / "a.xls"))
    frame = pd.DataFrame(rows)
    with pd.ExcelWriter(tmp_path / "a.ods", engine="odf") as writer:
        frame.to_excel(writer, sheet_name="汇总表", header=False, index=False)
    expected = [("grassroots.new_orgs", 310.0, "C4"), ("fundraising.total", 15000.0, "C5")]
    for name in ("a.xls", "a.ods"):
        result = clean_file(tmp_path / name)
        got = list(zip(result.values["indicator"], result.values["value"], result.values["cell"]))
        assert got == expected, name


@pytest.mark.parametrize("text, role", [
    ("2023年完成数", "value"), ("实际完成", "value"), ("完成情况", "value"), ("本年完成", "value"),
    ("完成数（万人次）", "value"), ("上年完成数", "other"), ("同比", "other"), ("年度目标", "other"),
    ("2023年目标", "other"), ("指标名称", "name"), ("指标代码", "code"), ("单位", "unit"),
    ("县（市、区）", "county"), ("单位名称", "county"), ("备注", "note"),
])
def test_header_role(text, role):
    assert header_role(text) == role


def test_years_in_ignores_the_plan_period():
    assert years_in("三年行动方案（2022—2024年）2023年度完成情况") == [2023]


@pytest.mark.parametrize("name, rank", [
    ("南昌市.xlsx", 0), ("南昌市（修订）.xlsx", 2), ("南昌市更正.xlsx", 2), ("南昌市v2.xlsx", 2),
    ("南昌市_V3.xlsx", 3), ("南昌市v1.xlsx", 0),
])
def test_revision_rank(name, rank):
    assert revision_rank(name) == rank


# --------------------------------------------------------------------------- nothing lost

def test_numbers_outside_the_table_are_warned_not_lost(cleaned_book):
    rows = summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, 7, None]])
    rows.append([])
    rows.append([None, None, "另：新增基层组织中学校", None, None, None, None, None, 12])  # I8, right of the table
    result = cleaned_book({"汇总表": rows, "Sheet3": [["草稿"], [1, 2]]})
    got = sorted((i.code, i.sheet, i.cell) for i in result.issues)
    assert got == [("clean.unread_sheet", "Sheet3", ""), ("clean.unused_number", "汇总表", "I8")]
    assert result.accounting.in_issues == 3          # I8, Sheet3!A2, Sheet3!B2


def test_the_same_indicator_on_two_sheets_with_different_values_is_an_error_naming_both(cleaned_book):
    # issue 12: a second summary sheet is a part of the return, no longer refused as 又发现一张汇总表
    first = summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, 7, None]])
    second = summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, 9, None]])
    result = cleaned_book({"汇总表": first, "汇总表 (2)": second})
    assert result.values.empty
    assert codes(result) == ["clean.conflicting_indicator"]
    issue = result.issues[0]
    assert issue.severity == "error" and (issue.sheet, issue.cell) == ("汇总表 (2)", "F6")
    assert "工作表“汇总表”单元格 F6" in issue.message and "7个" in issue.message and "9个" in issue.message
    assert result.accounting.in_issues == 2


from hypothesis import given, settings, strategies as st  # noqa: E402

from jrc_analysis.returns.clean import clean_workbook  # noqa: E402
from jrc_analysis.returns.read import SheetInfo, cell_address  # noqa: E402

CELL_TEXT = st.one_of(
    st.sampled_from(["指标名称", "完成数", "2023年完成数", "县（市、区）", "合计", "市本级", "东湖区", "吉安县",
                     "新增基层组织", "筹集款物合计（万元）", "填报单位：", "南昌市红十字会", "—", "15.2万", "是",
                     "=1+2", "指标代码", "grassroots.new_orgs", "单位：万元", "2023年度南昌市完成情况表"]),
    st.text(max_size=8), st.integers(-10**6, 10**6), st.floats(allow_nan=False, width=32), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 8), st.integers(1, 5), CELL_TEXT), max_size=30))
def test_any_cells_never_raise_and_always_balance(cells):
    unique = {(r, c): v for r, c, v in cells}
    rows = [dict(sheet="表", row=r, col=c, cell=cell_address(r, c), value=v,
                 raw=str(v), formula_uncached=isinstance(v, str) and v.startswith("="))
            for (r, c), v in sorted(unique.items())]
    frame = pd.DataFrame(rows, columns=["sheet", "row", "col", "cell", "value", "raw", "formula_uncached"])
    workbook = type("Workbook", (), dict(format="xlsx", sheets=[SheetInfo("表", 0)], cells=frame, issues=[]))
    result = clean_workbook(workbook, "2023/南昌.xlsx")
    acc = result.accounting
    assert acc.cells_read == len(unique) == acc.values + acc.in_issues + acc.ignored


def test_columns_are_the_values_as_plain_lists_and_a_cells_table_cleans_the_same(cleaned_book):
    from jrc_analysis.returns import clean, read
    result = cleaned_book({"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", "≥300", 310, None]])})
    assert list(result.columns) == TIDY_COLUMNS
    assert result.columns["cell"] == ["F6"] and result.columns["value"] == [310.0]
    assert result.columns["year"] == [2023] and result.columns["raw"] == ["310"]
    table = read.Workbook("xlsx", [read.SheetInfo("汇总表", 0)], cells=read._cells_frame(
        ["汇总表"], [3], [2], ["B3"], [5.0], ["5"], [False]))
    assert clean.workbook_records(table) == [clean.Cell("汇总表", 3, 2, "B3", 5.0, "5", False)]
    assert clean.frame_of_columns(clean.tidy_columns([])).equals(clean.empty_values())


# --------------------------------------------------------------------------- layouts (issue 12)
# Each layout prefecture offices really use, as a tiny return written here; expected values by hand.

def test_units_in_the_value_header_and_in_the_indicator_name_without_a_unit_column(cleaned_book):
    in_header = [[TITLE_2023], ["指标名称", "完成数（万元）"], ["筹集款物合计", 2.5],
                 ["应急救护普及培训（万人次）", 7.5]]               # the name's unit wins over the header's
    result = cleaned_book({"汇总表": in_header})
    assert value_of(result, "fundraising.total") == 25_000
    assert value_of(result, "first_aid.popular_trainees") == 75_000
    assert result.issues == []
    in_name = [[TITLE_2023], ["指标名称", "本年完成"], ["筹集款物合计（万元）", 3], ["新增基层组织（个）", 12]]
    result = cleaned_book({"汇总表": in_name}, name="b.xlsx")
    assert value_of(result, "fundraising.total") == 30_000 and value_of(result, "grassroots.new_orgs") == 12
    assert result.issues == []


def test_units_in_a_county_sheet_header_apply_to_every_county(cleaned_book):
    sheet = [["2023年度南昌市分县（市、区）完成情况"], ["县（市、区）", "应急救护普及培训（万人次）"],
             ["东湖区", 1.2], ["南昌县", 0.5]]
    result = cleaned_book({"县区": sheet})
    assert value_of(result, "first_aid.popular_trainees", "东湖区") == 12_000
    assert value_of(result, "first_aid.popular_trainees", "南昌县") == 5_000


@pytest.mark.parametrize("heading", ["本年完成", "实际完成", "全年完成数", "2023年实绩", "1-12月累计"])
def test_value_column_under_other_headings_beside_columns_that_are_never_values(cleaned_book, heading):
    header = ["指标名称", "12月份", heading, "上年同期累计", "上年完成数", "年度目标", "完成率（%）"]
    rows = [[TITLE_2023], header, ["新增基层组织", 30, 310, 280, 290, 300, 103.3],
            ["发展会员", 2000, 25_000, 21_000, 22_000, 25_000, 100]]
    result = cleaned_book({"汇总表": rows})
    assert result.values.set_index("indicator")["cell"].to_dict() == {
        "grassroots.new_orgs": "C3", "grassroots.new_members": "C4"}
    assert value_of(result, "grassroots.new_orgs") == 310 and value_of(result, "grassroots.new_members") == 25_000
    assert result.issues == []


def test_two_row_header_with_a_completion_group_over_its_parts(cleaned_book):
    rows = [[TITLE_2023], [None, "填报单位：", "南昌市红十字会"],
            ["序号", "指标名称", "单位", "完成情况", None, "备注"],
            [None, None, None, "完成数", "其中：市本级", None],
            [1, "新增基层组织", "个", 30, 4, None], [2, "筹集款物合计", "万元", 12.5, 3, "含物资"]]
    merges = ["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4"]
    result = cleaned_book({"汇总表": rows}, merges={"汇总表": merges})
    assert result.values.set_index("indicator")["cell"].to_dict() == {
        "grassroots.new_orgs": "D5", "fundraising.total": "D6"}
    assert value_of(result, "fundraising.total") == 125_000
    assert result.issues == []


def test_three_row_header_year_group_completion_group_and_parts(cleaned_book):
    rows = [["2023年度南昌市红十字会工作完成情况"],
            ["序号", "指标名称", "单位", "2023年", None, "上年", None],
            [None, None, None, "完成情况", None, "完成情况", None],
            [None, None, None, "完成数", "其中：市本级", "完成数", "其中：市本级"],
            [1, "新增基层组织", "个", 30, 4, 25, 3]]
    merges = ["A2:A4", "B2:B4", "C2:C4", "D2:E2", "F2:G2", "D3:E3", "F3:G3"]
    result = cleaned_book({"表1": rows}, merges={"表1": merges})
    assert result.values[["indicator", "value", "cell"]].values.tolist() == [["grassroots.new_orgs", 30.0, "D5"]]
    assert result.issues == []


def test_county_sheet_with_action_groups_above_the_indicator_names(cleaned_book):
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["县（市、区）", "强基固本提升", None, "筹资动员优化"],
            [None, "新增基层组织（个）", "发展会员（人）", "筹集款物合计（万元）"],
            ["东湖区", 2, 150, 1.5], ["南昌县", 3, 200, 2], ["合计", 5, 350, 3.5]]
    result = cleaned_book({"县区明细": rows}, merges={"县区明细": ["A2:A3", "B2:C2"]})
    assert value_of(result, "grassroots.new_members", "南昌县") == 200
    assert value_of(result, "fundraising.total", "东湖区") == 15_000
    assert len(result.values) == 6 and result.issues == []


def test_one_table_over_several_sheets_one_per_action_and_fundraising_on_its_own(cleaned_book):
    reform = [[TITLE_2023], ["指标名称", "单位", "完成数"], ["形成可供学习借鉴的改革经验", "个", 3]]
    grassroots = [[TITLE_2023], ["指标名称", "单位", "完成数"], ["新增基层组织", "个", 310],
                  ["发展会员", "人", 25_000]]
    funds = [["2023年度南昌市筹资情况"], ["项目", "完成数（万元）"], ["筹集款物合计", 1.5], ["其中：资金", 1]]
    result = cleaned_book({"深化改革攻坚": reform, "强基固本提升": grassroots, "筹资情况": funds})
    assert result.issues == []
    assert value_of(result, "reform.innovation_cases") == 3 and value_of(result, "grassroots.new_members") == 25_000
    assert value_of(result, "fundraising.total") == 15_000 and value_of(result, "fundraising.cash") == 10_000
    assert result.values.set_index("indicator")["sheet"]["fundraising.cash"] == "筹资情况"


def test_the_same_indicator_with_the_same_value_on_two_sheets_is_taken_once_with_a_note(cleaned_book):
    first = [[TITLE_2023], ["指标名称", "完成数"], ["新增基层组织", 310], ["发展会员", 25_000]]
    second = [[TITLE_2023], ["指标名称", "完成数"], ["新增基层组织", 310], ["发展志愿者", 6000]]
    result = cleaned_book({"表一": first, "表二": second})
    assert len(result.values) == 3 and value_of(result, "grassroots.new_orgs") == 310
    assert result.values.set_index("indicator")["sheet"]["grassroots.new_orgs"] == "表一"
    assert codes(result) == ["clean.repeated_indicator"]
    assert (result.issues[0].sheet, result.issues[0].cell, result.issues[0].severity) == ("表二", "B3", "warning")
    assert "工作表“表一”单元格 B3" in result.issues[0].message


def test_two_table_blocks_side_by_side_on_one_sheet(cleaned_book):
    header = ["序号", "指标名称", "单位", "完成数", "序号", "指标名称", "单位", "完成数"]
    rows = [[TITLE_2023], header,
            [1, "新增基层组织", "个", 310, 26, "筹集款物合计", "万元", 2],
            [2, "发展会员", "人", 25_000, 27, "其中：资金", "万元", 1.5],
            [3, "发展志愿者", "人", 6000, None, None, None, None]]
    result = cleaned_book({"汇总表": rows})
    got = result.values.set_index("indicator")[["value", "cell"]].apply(tuple, axis=1).to_dict()
    assert got == {"grassroots.new_orgs": (310.0, "D3"), "grassroots.new_members": (25_000.0, "D4"),
                   "grassroots.new_volunteers": (6000.0, "D5"), "fundraising.total": (20_000.0, "H3"),
                   "fundraising.cash": (15_000.0, "H4")}
    assert result.issues == []


def test_a_county_columns_issue_names_the_cell_of_its_label_above_the_value_headings(cleaned_book):
    # each name merged over 本年完成 | 上年同期: the issue points at the name, not at 本年完成
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["县（市、区）", "救援骨干队伍（支）", None, "新增配置AED（台）", None],
            [None, "本年完成", "上年同期", "本年完成", "上年同期"],
            ["东湖区", 2, 1, 3, 2], ["西湖区", 1, 1, 4, 1]]
    result = cleaned_book({"县区明细": rows}, merges={"县区明细": ["A2:A3", "B2:C2", "D2:E2"]})
    assert value_of(result, "first_aid.aed_new", "西湖区") == 4
    assert sorted((i.code, i.cell) for i in result.issues) == [
        ("clean.similar_indicator", "D2"), ("clean.unmatched_column", "B2")]


def test_transposed_county_table_counties_as_columns(cleaned_book):
    rows = [["2023年度南昌市分县（市、区）完成情况"], ["填报单位：", "南昌市红十字会"],
            ["序号", "指标名称", "单位", "东湖区", "西湖区", "市本级", "合计"],
            [1, "新增基层组织", "个", 2, 3, 1, 6],
            [2, "筹集款物合计", "万元", 1, 2, 0.5, 3.5]]
    result = cleaned_book({"县区明细": rows})
    table = result.values.pivot(index="county", columns="indicator", values="value")
    assert table.to_dict() == {"fundraising.total": {"东湖区": 10_000.0, "市本级": 5_000.0, "西湖区": 20_000.0},
                               "grassroots.new_orgs": {"东湖区": 2.0, "市本级": 1.0, "西湖区": 3.0}}
    assert result.values.query("county == '西湖区' and indicator == 'fundraising.total'")["cell"].item() == "E5"
    assert result.issues == []


def test_transposed_county_table_whose_corner_still_says_county(cleaned_book):
    # the template turned as it was: the corner cell keeps 县（市、区）, a 区划代码 row under the labels
    rows = [["2023年度九江市分县（市、区）完成情况"], ["填报单位：", "九江市红十字会"],
            ["县（市、区）", "濂溪区红十字会", "浔阳区红十字会", "市红十字会本级", "合计"],
            ["区划代码", 360402, 360403, None, None],
            ["新增基层组织（个）", 2, 3, 1, 6],
            ["筹集款物合计（万元）", 1, 2, 0.5, 3.5]]
    result = cleaned_book({"县区明细": rows}, name="2023年度_九江市.xlsx")
    table = result.values.pivot(index="county", columns="indicator", values="value")
    assert table.to_dict() == {"fundraising.total": {"市本级": 5_000.0, "浔阳区": 20_000.0, "濂溪区": 10_000.0},
                               "grassroots.new_orgs": {"市本级": 1.0, "浔阳区": 3.0, "濂溪区": 2.0}}
    assert result.values.query("county == '浔阳区' and indicator == 'fundraising.total'")["cell"].item() == "C6"
    assert result.issues == []


def test_transposed_county_table_total_mismatch_and_unknown_column_are_named(cleaned_book):
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["指标名称", "东湖区", "西湖区", "湖东区", "合计"],
            ["新增基层组织（个）", 2, 3, 4, 9]]
    result = cleaned_book({"县区明细": rows})
    assert sorted(codes(result)) == ["clean.county_total_mismatch", "clean.unmatched_county"]
    unmatched = next(i for i in result.issues if i.code == "clean.unmatched_county")
    assert unmatched.cell == "D2" and "第 D 列" in unmatched.message
    assert value_of(result, "grassroots.new_orgs", "西湖区") == 3


def test_county_labels_with_prefecture_red_cross_and_a_division_code_column(cleaned_book):
    rows = [["2023年度九江市红十字会分县（市、区）完成情况"],
            ["区划代码", "县（市、区）", "新增基层组织（个）"],
            [360402, "九江市濂溪区", 2], [360403, "浔阳区红十字会", 3], [None, "市红十字会本级", 1],
            [360404, None, 4],                 # the code alone names 柴桑区
            [360423, "修水县", 5]]             # 360423 is 武宁县: which one is meant?
    result = cleaned_book({"县区": rows}, name="2023年度_九江市.xlsx")
    got = result.values.set_index("county")["value"].to_dict()
    assert got == {"濂溪区": 2.0, "浔阳区": 3.0, "柴桑区": 4.0, "市本级": 1.0}
    assert codes(result) == ["clean.county_code_mismatch"]
    assert result.issues[0].cell == "B7" and "武宁县" in result.issues[0].message


def test_geography_has_the_gb2260_code_of_every_county():
    from jrc_analysis.plan import catalog
    geo = catalog.geography().set_index("name")
    counties = geo[geo["level"] == "county"]
    assert len(counties) == 100 and counties["code"].is_unique
    assert geo.loc["东湖区", "code"] == "360102" and geo.loc["龙南市", "code"] == "360783"
    assert geo.loc["广信区", "code"] == "361104" and geo.loc["南昌市", "code"] == "360100"
    for name, row in counties.iterrows():  # each county's code lies under its prefecture's
        assert row["code"][:4] == geo.loc[str(row["prefecture"]), "code"][:4], name


def test_milestones_answered_in_words(cleaned_book):
    rows = [["2023年度江西省红十字会（省本级）完成情况"], ["指标名称", "完成数"],
            ["服务预约管理子系统建成", "已上线"], ["红十字会二维码管理子系统建成", "未完成"],
            ["“江小红”智能客服上线", "正在研究"]]
    result = cleaned_book({"汇总表": rows}, name="2023_省本级.xlsx")
    assert value_of(result, "digital.ms_booking") == 1 and value_of(result, "digital.ms_qrcode") == 0
    assert codes(result) == ["clean.invalid_value"] and "“正在研究”" in result.issues[0].message


def test_milestones_in_longer_words(cleaned_book):
    rows = [["2023年度江西省红十字会（省本级）完成情况"], ["指标名称", "完成数"],
            ["服务预约管理子系统建成", "已完成（2023年6月上线）"], ["红十字会二维码管理子系统建成", "建设中"]]
    result = cleaned_book({"汇总表": rows}, name="2023_省本级.xlsx")
    assert value_of(result, "digital.ms_booking") == 1 and value_of(result, "digital.ms_qrcode") == 0


def test_year_only_in_chinese_numerals_in_the_title(cleaned_book):
    rows = [["二〇二三年度南昌市红十字会目标任务完成情况表"], ["指标名称", "完成数"], ["新增基层组织", 310]]
    result = cleaned_book({"汇总表": rows}, name="南昌市报表.xlsx")
    assert result.info.year == 2023 and value_of(result, "grassroots.new_orgs") == 310


def test_counties_as_one_summary_style_sheet_per_county(cleaned_book):
    summary = [["2023年度九江市红十字会完成情况"], ["指标名称", "完成数"], ["新增基层组织", 5]]
    lianxi = [["濂溪区2023年完成情况"], ["指标名称", "完成数"], ["新增基层组织", 2], ["发展会员", 100]]
    xunyang = [["浔阳区2023年完成情况"], ["指标名称", "完成数"], ["新增基层组织", 3]]
    city = [["市本级2023年完成情况"], ["指标名称", "完成数"], ["新增基层组织", 0]]
    result = cleaned_book({"汇总": summary, "濂溪区": lianxi, "浔阳区红十字会": xunyang, "市本级": city},
                          name="2023年度_九江市.xlsx")
    got = result.values.set_index(["county", "indicator"])["value"].to_dict()
    assert got == {("", "grassroots.new_orgs"): 5.0, ("濂溪区", "grassroots.new_orgs"): 2.0,
                   ("濂溪区", "grassroots.new_members"): 100.0, ("浔阳区", "grassroots.new_orgs"): 3.0,
                   ("市本级", "grassroots.new_orgs"): 0.0}
    assert result.issues == [] and result.info.prefecture == "九江市"


def _cells_workbook(rows):
    """A read workbook (as the reader delivers it) of one sheet 汇总表 from ``(cell, value, raw)``."""
    from jrc_analysis.returns import read
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
    places = [coordinate_from_string(cell) for cell, _v, _r in rows]
    return read.Workbook("xlsx", [read.SheetInfo("汇总表", 0)], cells=read._cells_frame(
        ["汇总表"] * len(rows), [r for _c, r in places], [column_index_from_string(c) for c, _r in places],
        [cell for cell, _v, _r in rows], [v for _c, v, _r in rows], [raw for _c, _v, raw in rows],
        [False] * len(rows)))


def test_excel_error_in_a_value_cell_is_an_error_naming_the_cell_and_what_excel_shows():
    workbook = _cells_workbook([("A1", TITLE_2023, TITLE_2023), ("A2", "指标名称", "指标名称"),
                                ("B2", "完成数", "完成数"), ("A3", "新增基层组织", "新增基层组织"),
                                ("B3", "#DIV/0!", "#DIV/0!"), ("A4", "发展会员", "发展会员"), ("B4", 25_000, "25000"),
                                ("A5", "发展志愿者", "发展志愿者"), ("B5", "#REF!", "#REF!")])
    result = clean_workbook(workbook, "2023/南昌市.xlsx")
    assert result.values["indicator"].tolist() == ["grassroots.new_members"]
    assert [(i.code, i.severity, i.cell) for i in result.issues] == [
        ("clean.excel_error", "error", "B3"), ("clean.excel_error", "error", "B5")]
    assert "“#DIV/0!”（除数为 0）" in result.issues[0].message
    acc = result.accounting
    assert (acc.cells_read, acc.values, acc.in_issues) == (9, 1, 2) and acc.balanced


def test_a_workbook_that_is_not_a_return_gets_one_clear_issue(cleaned_book):
    rows = [["员工通讯录"], ["姓名", "电话"], ["张三", 13800000000], ["李四", 13900000000]]
    result = cleaned_book({"Sheet1": rows}, name="通讯录.xlsx")
    assert codes(result) == ["clean.no_table"] and result.values.empty
    assert result.issues[0].message.startswith("文件“通讯录.xlsx”：这不是年度报表")
    assert result.accounting.in_issues == 7  # every cell: title, header, names, numbers


def test_a_table_of_something_else_is_not_a_return_either(cleaned_book):
    rows = [["2023年工作计划"], ["项目", "完成时间", "完成数"], ["办公室装修", "3月", 1], ["年会", "12月", 2]]
    result = cleaned_book({"Sheet1": rows}, name="工作计划.xlsx")
    assert codes(result) == ["clean.no_table"] and "这不是年度报表" in result.issues[0].message


def test_a_sheet_named_after_a_county_of_another_prefecture_is_an_error(cleaned_book):
    summary = [["2023年度九江市红十字会完成情况"], ["指标名称", "完成数"], ["新增基层组织", 5]]
    other = [["东湖区2023年完成情况"], ["指标名称", "完成数"], ["新增基层组织", 2]]
    result = cleaned_book({"汇总": summary, "东湖区": other}, name="2023年度_九江市.xlsx")
    assert result.values[["county", "value"]].values.tolist() == [["", 5.0]]
    assert "clean.county_of_other_prefecture" in codes(result)
    issue = next(i for i in result.issues if i.code == "clean.county_of_other_prefecture")
    assert issue.sheet == "东湖区" and "南昌市" in issue.message


def test_county_tables_one_per_action_and_the_same_county_twice_with_different_values(cleaned_book):
    grassroots = [["2023年度南昌市分县（市、区）完成情况"], ["县（市、区）", "新增基层组织（个）", "发展会员（人）"],
                  ["东湖区", 2, 150], ["南昌县", 3, 200]]
    funds = [["2023年度南昌市分县（市、区）筹资情况"], ["县（市、区）", "筹集款物合计（万元）", "新增基层组织（个）"],
             ["东湖区", 1.5, 2], ["南昌县", 2, 4]]
    result = cleaned_book({"强基固本提升": grassroots, "筹资动员优化": funds})
    got = result.values.set_index(["county", "indicator"])["value"].to_dict()
    assert got == {("东湖区", "grassroots.new_orgs"): 2.0, ("东湖区", "grassroots.new_members"): 150.0,
                   ("东湖区", "fundraising.total"): 15_000.0, ("南昌县", "grassroots.new_members"): 200.0,
                   ("南昌县", "fundraising.total"): 20_000.0}
    assert sorted(codes(result)) == ["clean.conflicting_indicator", "clean.repeated_indicator"]
    conflict = next(i for i in result.issues if i.code == "clean.conflicting_indicator")
    assert (conflict.sheet, conflict.cell) == ("筹资动员优化", "C4") and "“南昌县”的" in conflict.message
    assert "工作表“强基固本提升”单元格 B4" in conflict.message


def test_a_paragraph_is_never_a_column_heading():
    # a cell of prose (a note, a pasted text) is not parsed as a heading: it has no role
    assert header_role("完成数" + "说明" * 40) is None and header_role("完成数（万元）") == "value"


# ----------------------------------------------------------------------------------------------
# The row's 行动 as context of the scored match
# ----------------------------------------------------------------------------------------------
# 普及培训 is as close to 应急救护普及培训 (应急救护提质) as to 养老护理普及培训 (救助服务关爱):
# alone it is no clear winner; under 应急救护提质 it is first_aid.popular_trainees.

def test_a_wording_two_actions_share_is_not_guessed_without_its_action(cleaned_book):
    rows = [[TITLE_2023], ["指标名称", "单位", "完成数"], ["新增救护师资", "名", 20], ["普及培训", "人次", 5000]]
    result = cleaned_book({"汇总表": rows})
    assert codes(result) == ["clean.unmatched_indicator"] and result.issues[0].cell == "C4"
    assert "indicator,普及培训,first_aid.popular_trainees," in result.issues[0].message
    assert "care.eldercare_popular" in result.issues[0].message  # the other candidate is named


def test_the_action_column_heading_rows_and_sheet_name_give_the_rows_action(cleaned_book):
    by_column = [[TITLE_2023], ["行动", "指标名称", "单位", "完成数"],
                 ["应急救护提质", "新增救护师资", "名", 20], [None, "普及培训", "人次", 5000],
                 ["救助服务关爱", "培训养老护理员", "人", 30]]
    result = cleaned_book({"汇总表": by_column}, merges={"汇总表": ["A3:A4"]})
    assert value_of(result, "first_aid.popular_trainees") == 5000 and other_issues(result) == []
    assert similar_labels(result) == ["普及培训"]  # read by similarity (and its action): named

    by_heading = [[TITLE_2023], ["指标名称", "单位", "完成数"], ["四、应急救护提质行动"],
                  ["新增救护师资", "名", 20], ["普及培训", "人次", 5000]]
    result = cleaned_book({"汇总表": by_heading}, name="2023_南昌市_b.xlsx")
    assert value_of(result, "first_aid.popular_trainees") == 5000 and other_issues(result) == []
    assert similar_labels(result) == ["普及培训"]

    grassroots = [[TITLE_2023], ["指标名称", "完成数"], ["新增基层组织", 310]]
    first_aid = [[TITLE_2023], ["指标名称", "完成数"], ["普及培训", 5000]]
    result = cleaned_book({"强基固本提升": grassroots, "应急救护提质": first_aid}, name="2023_南昌市_c.xlsx")
    assert value_of(result, "first_aid.popular_trainees") == 5000 and other_issues(result) == []
    assert similar_labels(result) == ["普及培训"]


def test_the_action_group_cell_above_a_county_column_gives_its_action(cleaned_book):
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["县（市、区）", "应急救护提质", None, "救助服务关爱"],
            [None, "新增救护师资（名）", "普及培训（人次）", "养老护理普及培训（人次）"],
            ["东湖区", 2, 150, 40], ["南昌县", 3, 200, 60]]
    result = cleaned_book({"县区明细": rows}, merges={"县区明细": ["A2:A3", "B2:C2"]})
    assert value_of(result, "first_aid.popular_trainees", "南昌县") == 200
    assert value_of(result, "care.eldercare_popular", "东湖区") == 40
    assert other_issues(result) == [] and similar_labels(result) == ["普及培训"]


def test_the_action_column_of_a_transposed_county_table_gives_each_rows_action(cleaned_book):
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["行动", "指标名称", "单位", "东湖区", "西湖区"],
            ["应急救护提质", "新增救护师资", "名", 2, 3], [None, "普及培训", "人次", 150, 200],
            ["救助服务关爱", "养老护理普及培训", "人次", 40, 60]]
    result = cleaned_book({"县区明细": rows}, merges={"县区明细": ["A3:A4"]})
    assert value_of(result, "first_aid.popular_trainees", "西湖区") == 200
    assert value_of(result, "care.eldercare_popular", "东湖区") == 40
    assert other_issues(result) == [] and similar_labels(result) == ["普及培训"]


# ----------------------------------------------------------------------------------------------
# The analyst's data/mappings.csv, through the layouts
# ----------------------------------------------------------------------------------------------

def _taught(tmp_path, *lines):
    from jrc_analysis.returns.mappings import load_mappings
    path = tmp_path / "mappings.csv"
    path.write_text("kind,text,maps_to,note\n" + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return load_mappings(path)


def _clean_with(tmp_path, sheets, mappings, name="2023年度_南昌市.xlsx", merges=None):
    from jrc_analysis.returns.read import read_cells
    path = write_xlsx(tmp_path / name, sheets, merges)
    result = clean_workbook(read_cells(path, source_file=name), name, mappings=mappings)
    assert result.accounting.balanced, result.accounting
    return result


def test_county_labels_known_only_through_place_lines(tmp_path):
    taught = _taught(tmp_path, "place,东湖片区,东湖区,", "place,城区本级,市本级,", "ignore,开发区,,",
                     "indicator,救援骨干队伍,rescue.county_teams,")
    rows = [["2023年度南昌市分县（市、区）完成情况"], ["县（市、区）", "新增基层组织（个）", "救援骨干队伍（支）"],
            ["南昌市东湖片区", 2, 1],      # the prefecture in front: the line for 东湖片区 applies
            ["城区本级", 1, 0], ["开发区", 9, 9], ["西湖区", 3, 2]]
    result = _clean_with(tmp_path, {"县区明细": rows}, taught)
    got = result.values.set_index(["county", "indicator"])["value"].to_dict()
    assert got == {("东湖区", "grassroots.new_orgs"): 2.0, ("东湖区", "rescue.county_teams"): 1.0,
                   ("西湖区", "grassroots.new_orgs"): 3.0, ("西湖区", "rescue.county_teams"): 2.0,
                   ("市本级", "grassroots.new_orgs"): 1.0, ("市本级", "rescue.county_teams"): 0.0}
    assert result.issues == [] and result.unmatched == ()
    assert result.mapping_lines == frozenset({2, 3, 4, 5})


def test_place_lines_find_a_transposed_table_and_a_sheet_per_county(tmp_path):
    taught = _taught(tmp_path, "place,东湖片区,东湖区,", "place,西湖片区,西湖区,")
    transposed = [["2023年度南昌市分县（市、区）完成情况"], ["指标名称", "东湖片区", "西湖片区"],
                  ["新增基层组织（个）", 2, 3]]
    result = _clean_with(tmp_path, {"县区明细": transposed}, taught)
    assert result.values.set_index("county")["value"].to_dict() == {"东湖区": 2.0, "西湖区": 3.0}
    assert result.issues == []

    summary = [[TITLE_2023], ["指标名称", "完成数"], ["新增基层组织", 5]]
    county = [["2023年完成情况"], ["指标名称", "完成数"], ["新增基层组织", 2]]
    result = _clean_with(tmp_path, {"汇总": summary, "东湖片区": county}, taught, name="2023_南昌市_b.xlsx")
    assert result.values.set_index("county")["value"].to_dict() == {"": 5.0, "东湖区": 2.0}


def test_unmatched_labels_of_transposed_and_county_tables_carry_the_mappings_line(tmp_path):
    from jrc_analysis.returns.mappings import Mappings
    rows = [["2023年度南昌市分县（市、区）完成情况"], ["指标名称", "东湖区", "西湖区", "东湖片区"],
            ["新增基层组织（个）", 2, 3, 4], ["省里自加的指标", 7, 8, 9]]
    result = _clean_with(tmp_path, {"县区明细": rows}, Mappings.empty())
    messages = {i.code: i.message for i in result.issues}
    assert sorted(messages) == ["clean.unmatched_column", "clean.unmatched_county"]
    assert "第 D 列" in messages["clean.unmatched_county"]
    assert "place,东湖片区,东湖区," in messages["clean.unmatched_county"]
    assert "行的指标名称“省里自加的指标”" in messages["clean.unmatched_column"]
    assert "ignore,省里自加的指标,," in messages["clean.unmatched_column"]
    assert sorted((u.kind, u.text, u.cell) for u in result.unmatched) == [
        ("indicator", "省里自加的指标", "A4"), ("place", "东湖片区", "D2")]


# ----------------------------------------------------------------------------------------------
# More wordings and county layouts
# ----------------------------------------------------------------------------------------------

def test_name_columns_headed_by_a_short_word_ending_in_indicator_or_work_task(cleaned_book):
    for heading in ("具体指标", "工作任务"):
        rows = [[TITLE_2023], ["序号", heading, "单位", "完成情况"], [1, "新增基层组织", "个", 310]]
        result = cleaned_book({"汇总表": rows}, name=f"2023年度_南昌市_{heading}.xlsx")
        assert value_of(result, "grassroots.new_orgs") == 310 and result.issues == []
    assert header_role("省里自加的指标") is None  # a long row label ending in 指标 is no heading


def test_a_note_in_brackets_that_contradicts_the_bare_names_indicator(cleaned_book):
    # 学校红十字会 alone is the stock (学校红十字会总数); （新建） says this year's new ones
    rows = [[TITLE_2023], ["指标名称", "完成数"], ["学校红十字会（新建）", 12], ["学校红十字会（总数）", 300]]
    result = cleaned_book({"汇总表": rows})
    assert value_of(result, "grassroots.school_rc_new") == 12
    assert value_of(result, "grassroots.school_rc_total") == 300 and other_issues(result) == []
    assert similar_labels(result) == ["学校红十字会（新建）"]  # read by the score, not its bare name: named


def test_county_labels_found_by_content_and_a_row_of_value_headings_under_the_names(cleaned_book):
    # the label column's heading (区域) is no county word; each name is merged over 去年同期 | 全年完成
    # (this year's figure second); 区划代码 sits in the top row; 文化传播增效 is an action, not an indicator
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["区域", "区划代码", "强基固本提升", None, None, None, "文化传播增效", None],
            [None, None, "新增基层组织（个）", None, "发展会员（人）", None, "自媒体平台（个）", None],
            [None, None, "去年同期", "全年完成", "去年同期", "全年完成", "去年同期", "全年完成"],
            ["东湖区", 360102, 1, 2, 100, 150, 1, 3], ["西湖区", 360103, 2, 3, 90, 200, 0, 1]]
    merges = ["C2:F2", "G2:H2", "C3:D3", "E3:F3", "G3:H3"]
    result = cleaned_book({"县区明细": rows}, merges={"县区明细": merges})
    got = result.values.set_index(["county", "indicator"])[["value", "cell"]].apply(tuple, axis=1).to_dict()
    assert got == {("东湖区", "grassroots.new_orgs"): (2.0, "D5"), ("东湖区", "grassroots.new_members"): (150.0, "F5"),
                   ("东湖区", "culture.media_platforms"): (3.0, "H5"), ("西湖区", "grassroots.new_orgs"): (3.0, "D6"),
                   ("西湖区", "grassroots.new_members"): (200.0, "F6"), ("西湖区", "culture.media_platforms"): (1.0, "H6")}
    assert result.issues == []


def test_a_county_tables_row_naming_the_prefecture_is_the_prefectures_own_figures(cleaned_book):
    rows = [["2023年度南昌市分县（市、区）完成情况"],
            ["县（市、区）", "设区市红十字应急救援队（支）", "新增基层组织（个）"],
            ["东湖区", None, 2], ["西湖区", None, 3], ["南昌市红十字会", 1, 5]]
    result = cleaned_book({"县区明细": rows})
    got = result.values.set_index(["county", "indicator"])["value"].to_dict()
    assert got == {("", "rescue.prefecture_teams"): 1.0, ("", "grassroots.new_orgs"): 5.0,
                   ("东湖区", "grassroots.new_orgs"): 2.0, ("西湖区", "grassroots.new_orgs"): 3.0}
    assert result.issues == []

    summary = [[TITLE_2023], ["指标名称", "完成数"], ["新增基层组织", 6]]
    result = cleaned_book({"汇总表": summary, "县区明细": rows}, name="2023年度_南昌市_b.xlsx")
    assert codes(result) == ["clean.conflicting_indicator"]
    assert "工作表“汇总表”单元格 B3" in result.issues[0].message and result.issues[0].cell == "C5"
    assert ("", "grassroots.new_orgs") not in set(zip(result.values["county"], result.values["indicator"]))

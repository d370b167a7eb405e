"""Cells and titles as prefectures write them, through the cleaner: footnote markers, Excel error
values, milestones in words, the year in Chinese numerals."""
from __future__ import annotations

import openpyxl

from conftest import clean_file, codes, summary_rows, value_of, write_xlsx

TITLE_CN = "二〇二三年度南昌市红十字会深化改革创新三年行动目标任务完成情况表"


def test_footnote_markers_are_dropped_and_kept_in_raw(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", 450, "102①", "①含社区"],
        [2, "grassroots.new_members", "发展会员", "人", 25000, "2704*", None],
        [3, "grassroots.new_volunteers", "发展志愿者", "人", 5500, "35注1", None],
    ])})
    assert value_of(result, "grassroots.new_orgs") == 102  # not 1021
    assert value_of(result, "grassroots.new_members") == 2704
    assert value_of(result, "grassroots.new_volunteers") == 35
    raw = dict(zip(result.values["indicator"], result.values["raw"]))
    assert raw["grassroots.new_orgs"] == "102①" and raw["grassroots.new_members"] == "2704*"


def test_an_excel_error_value_is_named_in_the_issue(tmp_path):
    # written as text (as a pasted value or a CSV import leaves it); a cell of Excel's error type
    # is read by python-calamine as an empty string (dimastbk/python-calamine#105), so the
    # reader has no cell to pass on for it
    path = write_xlsx(tmp_path / "2023年度_南昌市.xlsx", {"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", 450, "#DIV/0!", None],
    ])})
    book = openpyxl.load_workbook(path)
    book["汇总表"]["F6"].value = "#DIV/0!"
    book["汇总表"]["F6"].data_type = "s"
    book.save(path)
    result = clean_file(path)
    [issue] = [i for i in result.issues if i.code == "clean.excel_error"]
    assert issue.severity == "error" and issue.cell == "F6"
    assert "Excel 错误值“#DIV/0!”" in issue.message and "除数为 0" in issue.message


def test_milestones_answered_in_words(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "fundraising.transparency_evaluated", "参加透明指数评价", "是/否", "是", "已完成（2023年6月参加）", None],
        [2, "digital.ms_booking", "服务预约管理子系统建成", "是/否", "是", "正在建设", None],
        [3, "digital.ms_qrcode", "红十字会二维码管理子系统建成", "是/否", "是", "进行了一半", None],
    ])})
    assert value_of(result, "fundraising.transparency_evaluated") == 1
    assert value_of(result, "digital.ms_booking") == 0
    [issue] = [i for i in result.issues if i.code == "clean.invalid_value"]
    assert issue.cell == "F8" and "进行了一半" in issue.message and "是/否" in issue.message


def test_the_year_in_chinese_numerals_when_no_file_or_folder_says_it(cleaned_book):
    result = cleaned_book({"汇总表": summary_rows([
        [1, "grassroots.new_orgs", "新增基层组织", "个", 450, 12, None],
    ], title=TITLE_CN, header=["序号", "指标代码", "指标名称", "单位", "目标", "完成数", "备注"])},
        name="南昌市.xlsx")
    assert result.info.year == 2023
    assert "clean.no_year" not in codes(result)
    assert value_of(result, "grassroots.new_orgs") == 12

"""The blank return: structure, validation, protection, targets shown, determinism, ``jrc template``."""
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from jrc_analysis.plan import catalog

from jrc_analysis.returns import template
from jrc_analysis.cli import main


@pytest.fixture(scope="module")
def pingxiang(tmp_path_factory) -> Path:
    return template.write_template(2024, "萍乡市", tmp_path_factory.mktemp("t") / "萍乡.xlsx")


@pytest.fixture(scope="module")
def book(pingxiang):
    return load_workbook(pingxiang)


def _column(ws, col, first_row):
    return [ws.cell(row=r, column=col).value for r in range(first_row, ws.max_row + 1)]


def test_sheets_in_order(book):
    assert book.sheetnames == ["汇总表", "县区明细", "说明"]


def test_summary_title_info_lines_and_version(book):
    ws = book["汇总表"]
    assert ws["A1"].value == "2024年度萍乡市红十字会深化改革创新三年行动目标任务完成情况表"
    labels = {ws.cell(row=r, column=c).value: ws.cell(row=r, column=c + 1).value
              for r in range(2, 5) for c in (2, 6)}
    assert labels["填报单位："] == "萍乡市红十字会"
    assert {"填报人：", "联系电话：", "填报日期："} <= set(labels)
    assert labels["模板版本："] == template.TEMPLATE_VERSION == "2024.1"


def test_summary_header_and_one_row_per_indicator(book):
    ws = book["汇总表"]
    header = [ws.cell(row=5, column=c).value for c in range(1, 9)]
    assert header == ["序号", "行动", "指标代码", "指标名称", "单位", "2024年目标", "2024年完成数", "备注"]
    codes = _column(ws, 3, 6)
    assert len(codes) == 53
    assert sorted(codes) == sorted(catalog.indicators()["code"])
    assert codes[:2] == ["reform.innovation_cases", "reform.supervisory_boards"]
    assert codes[-1] == "digital.ms_crypto"  # 数字赋能 is the plan's last area
    assert _column(ws, 1, 6) == list(range(1, 54))


def test_area_cells_are_merged_per_area(book):
    ws = book["汇总表"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:H1" in merged
    assert "B6:B7" in merged  # 深化改革攻坚: two indicators
    assert ws["B6"].value == "深化改革攻坚"


def test_targets_shown_for_the_year(book):
    ws = book["汇总表"]
    target = {ws.cell(row=r, column=3).value: ws.cell(row=r, column=6).value for r in range(6, 59)}
    assert target["grassroots.new_orgs"] == "≥250"            # 2024: 新增基层组织250个
    assert target["reform.innovation_cases"] == "2–4"
    assert target["grassroots.volunteer_teams"] == "每个县≥3"
    assert target["care.hospitals_with_desk"] == "100%"
    assert target["reform.supervisory_boards"] is None        # tracked without a target
    assert target["digital.ms_booking"] is None               # a 省本级 milestone, not shown to a prefecture


def test_value_cells_have_data_validation(book):
    ws = book["汇总表"]
    rules = ws.data_validations.dataValidation
    decimal = [dv for dv in rules if dv.type == "decimal"]
    lists = [dv for dv in rules if dv.type == "list"]
    assert len(decimal) == 1 and decimal[0].operator == "greaterThanOrEqual" and decimal[0].formula1 == "0"
    assert len(lists) == 1 and lists[0].formula1 == '"是,否"'
    row_of = {ws.cell(row=r, column=3).value: r for r in range(6, 59)}
    assert f"G{row_of['first_aid.aed_new']}" in decimal[0].sqref
    assert f"G{row_of['digital.ms_crypto']}" in lists[0].sqref
    assert f"G{row_of['digital.ms_crypto']}" not in decimal[0].sqref


def test_labels_locked_inputs_unlocked_sheets_protected(book):
    for name in book.sheetnames:
        assert book[name].protection.sheet is True
        assert not book[name].protection.password
    ws = book["汇总表"]
    assert ws["D6"].protection.locked is True      # 指标名称
    assert ws["G6"].protection.locked is False     # 完成数
    assert ws["H6"].protection.locked is False     # 备注
    assert ws["C2"].protection.locked is False     # 填报单位 value
    assert ws["C4"].protection.locked is True      # 模板版本


def test_print_setup_and_frozen_panes(book):
    ws = book["汇总表"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$5:$5"
    assert ws.freeze_panes == "E6"


def test_county_sheet_has_the_prefectures_counties(book):
    ws = book["县区明细"]
    assert ws["A3"].value == "县（市、区）"
    assert ws["A4"].value == "指标代码"
    assert _column(ws, 1, 5) == ["安源区", "湘东区", "莲花县", "上栗县", "芦溪县", "市本级", "合计"]
    county_codes = list(catalog.indicators().query("county_sheet")["code"])
    assert [ws.cell(row=4, column=c).value for c in range(2, ws.max_column + 1)] == county_codes
    assert ws["B3"].value == "新增基层组织（个）"
    assert ws["B5"].protection.locked is False
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows() for c in row)


def test_province_hq_has_no_county_sheet(tmp_path):
    path = template.write_template(2023, "省本级", tmp_path / "hq.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总表", "说明"]
    assert wb["汇总表"]["A1"].value == "2023年度江西省红十字会（省本级）深化改革创新三年行动目标任务完成情况表"
    target = {wb["汇总表"].cell(row=r, column=3).value: wb["汇总表"].cell(row=r, column=6).value
              for r in range(6, 59)}
    assert target["digital.ms_booking"] is None  # milestone due by 2024, not a 2023 target


def test_same_call_writes_identical_bytes(tmp_path, pingxiang):
    again = template.write_template(2024, "萍乡市", tmp_path / "again.xlsx")
    assert again.read_bytes() == pingxiang.read_bytes()


@pytest.mark.parametrize("kind, extra, expected", [
    ("min", {"value": 100000.0}, "≥100000"),
    ("range", {"value": 2.0, "upper": 4.0}, "2–4"),
    ("coverage", {"value": 3.0, "level": "county"}, "每个县≥3"),
    ("coverage", {"value": 1.0, "level": "prefecture"}, "每个设区市≥1"),
    ("ratio", {"value": 1.0}, "100%"),
    ("milestone", {"value": 1.0}, "完成"),
    ("growth", {"value": 0.01}, ">1%"),
])
def test_target_text(kind, extra, expected):
    assert template.target_text(pd.Series({"kind": kind, **extra})) == expected


def test_target_text_of_a_yes_no_coverage():
    target = pd.Series({"kind": "coverage", "value": 1.0, "level": "prefecture"})
    assert template.target_text(target, "bool") == "每个设区市：是"


def test_year_target_texts_respects_year_and_scope():
    targets = pd.DataFrame([
        dict(indicator="first_aid.aed_new", year=2023, kind="min", value=500.0, upper=None, level="province",
             scope=""),
        dict(indicator="first_aid.aed_new", year=2024, kind="min", value=600.0, upper=None, level="province",
             scope=""),
        dict(indicator="digital.ms_crypto", year=2023, kind="milestone", value=1.0, upper=None, level="unit",
             scope="省本级"),
    ])
    texts = template.year_target_texts(targets, catalog.indicators(), 2023, "南昌市")
    assert texts == {"first_aid.aed_new": "≥500"}
    hq = template.year_target_texts(targets, catalog.indicators(), 2023, "省本级")
    assert hq == {"first_aid.aed_new": "≥500", "digital.ms_crypto": "完成"}


def test_cli_writes_one_file_per_reporting_unit(tmp_path, capsys):
    assert main(["template", "--year", "2024", "-o", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 12
    assert "2024年度_南昌市_目标任务完成情况表.xlsx" in names
    assert "2024年度_省本级_目标任务完成情况表.xlsx" in names
    assert "已生成" in capsys.readouterr().out


def test_cli_unknown_prefecture_is_a_usage_error(tmp_path, capsys):
    code = main(["template", "--year", "2024", "--prefecture", "南京市", "-o", str(tmp_path / "x.xlsx")])
    assert code == 2
    assert "未知的填报单位" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_one_prefecture_into_an_existing_folder(tmp_path):
    assert main(["template", "--year", "2023", "--prefecture", "省本级", "-o", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["2023年度_省本级_目标任务完成情况表.xlsx"]

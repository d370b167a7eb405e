"""Flagged values (jrc_analysis.analysis.flags): issues joined to the values of the cells they name."""
from __future__ import annotations

import pandas as pd

from jrc_analysis.analysis.flags import FLAG_COLUMNS, flagged_values, short_message

JUMP = ("文件“2024/2024年度_新余市_目标任务完成情况表.xlsx”工作表“汇总表”单元格 G22：新余市“新增救护师资”"
        "2024年为 30名，上年为 4名（2023/2023年度_新余市_目标任务完成情况表.xlsx），相差 5 倍以上。"
        "请核对单位（如“万”）和数字是否填错。")


def values() -> pd.DataFrame:
    rows = [
        # year, prefecture, county, indicator, value, source_file, sheet, cell
        (2024, "新余市", "", "first_aid.trainers_new", 30.0, "2024/x.xlsx", "汇总表", "G22"),
        (2024, "新余市", "", "first_aid.aed_new", 50.0, "2024/x.xlsx", "汇总表", "G23"),
        (2024, "吉安市", "吉水县", "grassroots.new_members", 983.0, "2024/j.xlsx", "县区明细", "D8"),
    ]
    return pd.DataFrame(rows, columns=["year", "prefecture", "county", "indicator", "value",
                                       "source_file", "sheet", "cell"])


def issues() -> pd.DataFrame:
    return pd.DataFrame([
        {"severity": "warning", "code": "validate.jump", "source_file": "2024/x.xlsx",
         "sheet": "汇总表", "cell": "G22", "message": JUMP},
        # a county row: the prefecture's own total is not doubtful
        {"severity": "warning", "code": "validate.jump", "source_file": "2024/j.xlsx",
         "sheet": "县区明细", "cell": "D8", "message": "文件“j”工作表“县区明细”单元格 D8：吉水县。"},
        # about the whole file: no cell, flags nothing
        {"severity": "warning", "code": "validate.old_template", "source_file": "2024/x.xlsx",
         "sheet": "", "cell": "", "message": "文件“2024/x.xlsx”：模板版本为“2023.1”。"},
    ])


def test_short_message_keeps_the_finding_only():
    assert short_message(JUMP) == "新余市“新增救护师资”2024年为 30名，上年为 4名，相差 5 倍以上。"


def test_flagged_values_joins_issues_to_the_units_own_totals():
    flags = flagged_values(values(), issues())
    assert list(flags.columns) == FLAG_COLUMNS
    assert flags[["year", "prefecture", "indicator", "value", "code"]].to_dict("records") == [
        {"year": 2024, "prefecture": "新余市", "indicator": "first_aid.trainers_new",
         "value": 30.0, "code": "validate.jump"}]
    assert flags["message"].iloc[0].startswith("新余市“新增救护师资”2024年为 30名")


def test_no_issues_no_flags():
    assert flagged_values(values(), issues().iloc[0:0]).empty
    assert list(flagged_values(values().iloc[0:0], issues()).columns) == FLAG_COLUMNS

"""Shared helpers for the cleaning tests: tiny workbooks built by the test, cleaned in one call.

It also points ``JRC_DATA_ROOT`` at the tests' fixed data set (``tests/data``, see
``tests/fixed_data.py``) for the whole session, so that no test reads the analyst's ``data/raw``
through :func:`jrc_analysis.config.raw_dir` (whatever the shell had set).
"""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from jrc_analysis.returns.clean import CleanResult, clean_workbook
from jrc_analysis.returns.read import read_cells
from fixed_data import FIXED_DATA

os.environ["JRC_DATA_ROOT"] = str(FIXED_DATA)

Rows = list[list[object]]


def write_xlsx(path: Path, sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per item; rows from A1, ``None`` for an empty cell."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def clean_file(path: Path, source_file: str | None = None) -> CleanResult:
    """Read and clean ``path``; every test also checks the accounting balances."""
    source = source_file or path.name
    result = clean_workbook(read_cells(path, source_file=source), source)
    acc = result.accounting
    assert acc.cells_read == acc.values + acc.in_issues + acc.ignored, acc
    return result


def value_of(result: CleanResult, indicator: str, county: str = "") -> float:
    rows = result.values[(result.values["indicator"] == indicator) & (result.values["county"] == county)]
    assert len(rows) == 1, (indicator, county, rows)
    return float(rows["value"].iloc[0])


def codes(result: CleanResult) -> list[str]:
    return [i.code for i in result.issues]


TITLE_2023 = "2023年度南昌市红十字会深化改革创新三年行动目标任务完成情况表"
SUMMARY_HEADER = ["序号", "指标代码", "指标名称", "单位", "2023年目标", "2023年完成数", "备注"]


def summary_rows(rows: Rows, title: str = TITLE_2023, unit: str = "南昌市红十字会",
                 header: list[str] = SUMMARY_HEADER) -> Rows:
    """Title (row 1), 填报单位/填报日期 (row 2), 模板版本 (row 3), blank row 4, header row 5, data from row 6."""
    return [[title], [None, "填报单位：", unit, None, "填报日期：", "2023-12-20"],
            [None, "模板版本：", "2024.1"], [], header, *rows]


@pytest.fixture
def cleaned_book(tmp_path):
    """``cleaned_book(sheets, name=..., merges=...)`` → the CleanResult of a workbook written in tmp_path."""
    def make(sheets: dict[str, Rows], name: str = "2023年度_南昌市.xlsx", merges=None,
             source_file: str | None = None) -> CleanResult:
        path = write_xlsx(tmp_path / name, sheets, merges)
        return clean_file(path, source_file or name)
    return make

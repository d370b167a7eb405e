"""Flagged values: the reported numbers a validation issue points at, for marking in charts and tables.

An issue names the cell it is about (``source_file, sheet, cell``); the tidy value read from that
cell says which ``year, prefecture, indicator`` it is. :func:`flagged_values` joins the two, so a
chart can hatch 新余市's 2024 新增救护师资 (30 against 4 the year before) and print the issue in a
note under it. Only a unit's own total (the summary sheet, ``county`` empty) is returned: a county
row's issue does not make the prefecture's total doubtful.
"""
from __future__ import annotations

import re

import pandas as pd

FLAG_COLUMNS = ["year", "prefecture", "indicator", "value", "severity", "code", "message"]
_WHERE = re.compile(r"^文件“[^”]*”(?:工作表“[^”]*”)?(?:单元格\s*[A-Z]+\d+)?：")
_FILE_REF = re.compile(r"（[^（）]*\.(?:xlsx|xlsm|xls|ods)）")


def short_message(message: str) -> str:
    """The issue's finding without where it is and what to do: the leading ``文件“…”工作表“…”
    单元格 G22：``, file names in brackets and every sentence after the first are dropped.

    ``"文件“a.xlsx”工作表“汇总表”单元格 G22：新余市“新增救护师资”2024年为 30名，上年为 4名（a.xlsx），
    相差 5 倍以上。请核对……"`` → ``"新余市“新增救护师资”2024年为 30名，上年为 4名，相差 5 倍以上。"``
    """
    text = _FILE_REF.sub("", _WHERE.sub("", str(message).strip()))
    first, stop, _ = text.partition("。")
    return first + stop


def flagged_values(values: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """The units' own totals that an issue points at: ``year, prefecture, indicator, value,
    severity, code, message`` (the :func:`short_message`), one row per value and issue, sorted.

    ``values`` are the tidy values (``year, prefecture, county, indicator, value, source_file,
    sheet, cell``), ``issues`` the issue report (``severity, code, source_file, sheet, cell,
    message``). An issue without a cell (about a whole file) flags nothing."""
    if values.empty or issues.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    keys = ["source_file", "sheet", "cell"]
    own = values[values["county"].fillna("").astype(str) == ""]
    own = own.assign(**{k: own[k].astype(str) for k in keys})
    pointed = issues[issues["cell"].fillna("").astype(str) != ""]
    pointed = pointed.assign(**{k: pointed[k].fillna("").astype(str) for k in keys})
    joined = own.merge(pointed[[*keys, "severity", "code", "message"]], on=keys, how="inner")
    if joined.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    joined = joined.assign(
        year=joined["year"].astype(int),
        prefecture=joined["prefecture"].astype(str),
        indicator=joined["indicator"].astype(str),
        message=joined["message"].map(short_message),
    )
    result = joined[FLAG_COLUMNS].drop_duplicates()
    return result.sort_values(["indicator", "year", "prefecture", "code"],
                              kind="stable").reset_index(drop=True)

"""Finding a return's tables by content: what header cells mean, where the tables start."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jrc_analysis.returns import names, parse
from jrc_analysis.returns.grid import Cell, Grid, grid_cells


# Header words (compared after names.plain: NFKC, no spaces or punctuation).
NAME_HEADERS = {"指标名称", "指标", "项目", "名称", "指标项目", "项目名称", "主要指标", "工作指标",
                "考核指标", "内容", "工作内容", "指标内容", "任务指标", "目标任务"}
CODE_HEADERS = {"指标代码", "代码", "编码", "指标编码", "code"}
UNIT_HEADERS = {"单位", "计量单位", "单位计量"}
COUNTY_HEADERS = {"县市区", "县区", "区县", "县市区名称", "单位名称", "地区", "县市区红十字会",
                  "县级红十字会", "县市区红会"}
VALUE_WORDS = ("完成", "实际", "实绩", "本年", "数值", "填报数", "本期")
NOT_VALUE_WORDS = ("上年", "去年", "同比", "目标", "计划", "增减", "增长", "完成率", "进度", "差额",
                   "比例", "环比", "任务数")
TOTAL_WORDS = ("合计", "小计", "总计", "全市")
TOTAL_LABEL = re.compile("|".join(TOTAL_WORDS))

UNIT_LINE = re.compile(r"^\s*(?:计量)?单位\s*[:：]\s*(\S+)\s*$")

_ASCII_LETTER = re.compile("[A-Za-z]")


def header_role(text: str) -> str | None:
    """The role of a header cell: ``name``, ``code``, ``unit``, ``value``, ``county``, ``note``,
    ``other`` (a known column to ignore: 上年完成数, 目标, 同比, 序号 …) or None (not a header word)."""
    if isinstance(text, str) and text.isascii() and not _ASCII_LETTER.search(text):
        return None  # numbers and symbols: no header word is written so (and they would flood the cache)
    return _header_role(str(text))


@lru_cache(maxsize=4096)
def _header_role(text: str) -> str | None:
    label, _unit = parse.split_header_unit(text)
    h = names.plain(label)
    full = names.plain(text)
    if not h:
        return None
    if h in COUNTY_HEADERS or full in COUNTY_HEADERS:
        return "county"
    if h in CODE_HEADERS or "代码" in h:
        return "code"
    if h in UNIT_HEADERS:
        return "unit"
    if h in NAME_HEADERS or (h.endswith("名称") and "单位" not in h):
        return "name"
    if h in ("备注", "说明", "备注说明", "情况说明"):
        return "note"
    if any(w in h for w in NOT_VALUE_WORDS):
        return "other"
    if any(w in h for w in VALUE_WORDS):
        return "value"
    if h in ("序号", "行动", "领域", "类别", "序", "编号", "分类"):
        return "other"
    return None

@dataclass(frozen=True)
class Table:
    kind: str  # "summary" or "county"
    sheet: str
    header_row: int
    columns: dict[int, str]  # col -> role (summary) or col -> header text (county)
    label_col: int = 0
    code_row: int = 0


def _texts(cols: dict[int, Cell]) -> dict[int, str]:
    return {col: rec.raw for col, rec in cols.items()}


def _roles_in(cols: dict[int, Cell]) -> set[str | None]:
    """The header roles of a row's cells (a cell of digits only has none)."""
    return {header_role(rec.raw) for rec in cols.values() if not rec.raw.isdigit()}


def find_summary_header(grid: Grid, sheet: str) -> Table | None:
    """The first row with an indicator-name (or code) column and a value column (and no
    县（市、区） column), or None."""
    for row, cols in grid.items():
        found = _roles_in(cols)
        if "value" in found and ("name" in found or "code" in found) and "county" not in found:
            roles = {col: header_role(rec.raw) for col, rec in cols.items()}
            return Table("summary", sheet, row, {c: r for c, r in roles.items() if r})
    return None


def find_county_header(grid: Grid, sheet: str) -> Table | None:
    """The first row with a 县（市、区） column and at least one indicator column, or None."""
    for row, cols in grid.items():
        if "county" not in _roles_in(cols):
            continue
        label_col = next(c for c, rec in cols.items() if header_role(rec.raw) == "county")
        texts = _texts(cols)
        below = _texts(grid.get(row + 1, {}))
        code_row = row + 1 if "代码" in names.plain(below.get(label_col, "")) else 0
        indicator_cols = {
            c: t for c, t in texts.items()
            if c > label_col and (names.match_indicator(parse.split_header_unit(t)[0])
                                  or (code_row and below.get(c, "").strip() in names.indicator_codes()))
        }
        if indicator_cols:
            columns = {c: t for c, t in texts.items() if c > label_col}
            return Table("county", sheet, row, columns, label_col=label_col, code_row=code_row)
    return None

def sheet_unit_line(grid: Grid, table: Table) -> str | None:
    """A ``单位：万元`` line above the header, if any."""
    for rec in grid_cells(grid, last_row=table.header_row - 1):
        match = UNIT_LINE.match(rec.raw)
        if match:
            return match.group(1)
    return None

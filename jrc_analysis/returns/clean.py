"""Cells → tidy values: find the return's parts by content, map them to codes and places, parse.

:func:`clean_workbook` takes a :class:`jrc_analysis.returns.read.Workbook` and returns a
:class:`CleanResult`: the tidy values (columns :data:`TIDY_COLUMNS`), the issues, the per-file
accounting (every non-empty cell is a value, named in an issue, or deliberately ignored) and what
the return says about itself (:class:`ReturnInfo`: unit, year, template version, 填报日期,
revision marker) for the resubmission logic.

Nothing is found by position or sheet name: the summary sheet is the one whose header row has an
indicator-name (or code) column and a value column; the county sheet the one whose header row has
a 县（市、区） column and indicator columns. Other sheets (说明) are skipped, their cells counted as
ignored.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from types import SimpleNamespace
from typing import Collection, Iterable, NamedTuple

import pandas as pd

from jrc_analysis.plan import catalog

from jrc_analysis.returns import mappings as taught, names, parse
from jrc_analysis.issues import Issue, error, warning

TIDY_COLUMNS = ["year", "prefecture", "county", "indicator", "value", "unit",
                "source_file", "sheet", "cell", "raw"]
CITY_HQ = "市本级"

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
_TOTAL = re.compile("|".join(TOTAL_WORDS))
INFO_LABELS = {"填报单位": "unit", "填报日期": "fill_date", "模板版本": "template_version",
               "填报人": "person", "联系电话": "phone", "审核人": "person", "制表人": "person",
               "单位负责人": "person", "报送日期": "fill_date"}
_YEAR_RANGE = re.compile(r"20\d\d\s*年?\s*[—–\-~～至到]+\s*20\d\d\s*年?")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d\d)\s*年")
_YEAR_BARE = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
INFO_HINT_WORDS = ("填报", "模板", "联系", "审核", "制表", "负责", "报送")
_INFO_HINT = re.compile("|".join(INFO_HINT_WORDS))
_COLON = re.compile("[:：]")
_UNIT_LINE = re.compile(r"^\s*(?:计量)?单位\s*[:：]\s*(\S+)\s*$")
_DATE = re.compile(r"(20\d\d)\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})")
_REVISION_WORDS = re.compile(r"修订|更正|订正|重报|修改版|更新版")
_REVISION_NUMBER = re.compile(r"(?<![a-z])v\s*(\d+)|第\s*([2-9二三四五])\s*版", re.IGNORECASE)
_CN_DIGITS = {"二": 2, "三": 3, "四": 4, "五": 5}


@dataclass(frozen=True)
class Accounting:
    """Where every non-empty cell of one file went (each cell counted once).

    ``cells_read = values + in_issues + ignored`` holds for a correct cleaner; ``balanced`` says so.
    """

    source_file: str
    cells_read: int
    values: int
    in_issues: int
    ignored: int

    @property
    def balanced(self) -> bool:
        return self.cells_read == self.values + self.in_issues + self.ignored


@dataclass(frozen=True)
class ReturnInfo:
    """What a return says about itself. ``revision``: 0 unmarked, 2 for 修订/更正/v2, N for vN."""

    source_file: str
    prefecture: str | None = None
    year: int | None = None
    template_version: str = ""
    fill_date: str = ""
    revision: int = 0
    title: str = ""


@dataclass
class CleanResult:
    """The output of :func:`clean_workbook` (unpacks as ``values, issues``).

    ``columns`` holds the tidy values as plain lists (:func:`tidy_columns`, sorted); ``values`` is
    the tidy DataFrame built from them on each access (the ingest concatenates the lists of every
    file and builds one DataFrame, instead of one per file).
    """

    columns: dict[str, list]
    issues: list[Issue]
    accounting: Accounting
    info: ReturnInfo
    unmatched: tuple = ()  # mappings.Unmatched: labels no code or place was found for
    mapping_lines: frozenset = frozenset()  # lines of the mappings used (so far, in this process)

    @property
    def values(self) -> pd.DataFrame:
        return frame_of_columns(self.columns)

    def __iter__(self):
        return iter((self.values, self.issues))


# ----------------------------------------------------------------------------------------------
# Small pure helpers
# ----------------------------------------------------------------------------------------------

def empty_values() -> pd.DataFrame:
    """An empty tidy table with the contract's columns and dtypes (a fresh copy each call)."""
    return _empty_tidy().copy()


@lru_cache(maxsize=1)
def _empty_tidy() -> pd.DataFrame:
    return _tidy_frame([])


@lru_cache(maxsize=None)
def _catalogue() -> SimpleNamespace:
    """Catalogue fields by ``.at[code, column]`` (a dict: fast, unlike DataFrame.at)."""
    frame = catalog.indicators()
    return SimpleNamespace(at={(rec["code"], col): rec[col] for rec in frame.to_dict("records")
                               for col in ("name", "unit", "value_type", "measure")})


@lru_cache(maxsize=None)
def _sort_ranks() -> tuple[dict, dict, dict]:
    units = {u: i for i, u in enumerate(catalog.reporting_units())}
    geo = catalog.geography()
    county_rank = {n: i + 1 for i, n in enumerate(geo[geo["level"] == "county"]["name"])}
    codes = {c: i for i, c in enumerate(catalog.indicators()["code"])}
    return units, county_rank, codes


_RANK_SPAN = 1 << 20  # more than the catalogue's indicators


def _county_order(county: str) -> int:
    """Where a county's rows go within a file: the prefecture's own total (``""``) first, then
    its counties in catalogue order, then anything else (市本级); in steps of :data:`_RANK_SPAN`,
    so that adding an indicator's catalogue rank gives a row's place.

    Year, unit and file are the same for every row of a file, and no two of its rows share a
    county and an indicator (the cleaner takes each indicator once per county), so this place
    orders a file's rows as the full sort key (:func:`sort_tidy`) does.
    """
    return (0 if county == "" else _sort_ranks()[1].get(county, 10_000)) * _RANK_SPAN


def tidy_frame(rows: list[dict]) -> pd.DataFrame:
    """Tidy rows as a DataFrame with the contract's columns and dtypes, in the contract's order."""
    return _tidy_frame(rows) if rows else empty_values()


def tidy_columns(rows: list[dict]) -> dict[str, list]:
    """Tidy rows as one plain list per column of :data:`TIDY_COLUMNS` (no pandas)."""
    return {col: [row[col] for row in rows] for col in TIDY_COLUMNS}


def _columns_of_tuples(rows: list[tuple]) -> dict[str, list]:
    """Tidy rows given as tuples in :data:`TIDY_COLUMNS` order, as :func:`tidy_columns` lists."""
    if not rows:
        return tidy_columns([])
    return dict(zip(TIDY_COLUMNS, map(list, zip(*rows))))


def frame_of_columns(columns: dict[str, list]) -> pd.DataFrame:
    """Tidy column lists (:func:`tidy_columns`) as the contract's DataFrame (a new frame)."""
    return _frame_of_columns(columns) if columns["year"] else empty_values()


def _tidy_frame(rows: list[dict]) -> pd.DataFrame:
    return _frame_of_columns(tidy_columns(rows))


def _frame_of_columns(data: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame({
        col: pd.Series(data[col], dtype="int64" if col == "year" else
                       "float64" if col == "value" else str)
        for col in TIDY_COLUMNS})


def sort_tidy(values: pd.DataFrame) -> pd.DataFrame:
    """Tidy values sorted by year, reporting-unit order, county order (the prefecture's own total
    first, then its counties, then 市本级), catalogue order; a new frame."""
    if values.empty:
        return values.reset_index(drop=True)
    units, county_rank, codes = _sort_ranks()
    keys = pd.DataFrame({
        "y": values["year"],
        "p": values["prefecture"].map(units).fillna(len(units)),
        "c": values["county"].map(lambda c: 0 if c == "" else county_rank.get(c, 10_000)),
        "i": values["indicator"].map(codes).fillna(len(codes)),
        "f": values["source_file"], "s": values["sheet"], "r": values["cell"],
    }, index=values.index)
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return values.loc[order].reset_index(drop=True)


def where(source_file: str, sheet: str = "", cell: str = "") -> str:
    """How a message names a place: ``文件“a.xlsx”工作表“汇总表”单元格 G7``."""
    text = f"文件“{source_file}”"
    if sheet:
        text += f"工作表“{sheet}”"
    if cell:
        text += f"单元格 {cell}"
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONG_QUOTE = re.compile(r"“([^”]{%d,})”" % 61)
QUOTE_CHARS = 60


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to ``limit`` characters for quoting in a message (``…（共 N 字）``)."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text):,} 字）"


def readable(message: str) -> str:
    """A message a person can read: control characters shown as ``\\xNN`` (tab and line breaks
    as a space would hide them too), quotations longer than :data:`QUOTE_CHARS` cut short."""
    message = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", message)
    return _LONG_QUOTE.sub(lambda m: f"“{shorten(m.group(1))}”", message)


def format_number(value: float) -> str:
    """A number for a message: integral values without decimals, others with up to 4."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "（空）"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


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


def years_in(text: object) -> list[int]:
    """Years written as ``2023年`` in a text, plan periods (2022—2024年) excluded."""
    s = _YEAR_RANGE.sub("", str(text or ""))
    return [int(y) for y in _YEAR_IN_TEXT.findall(s)]


def bare_years_in(text: object) -> list[int]:
    """Four-digit years in a text (file names: ``2023_南昌.xlsx``), plan periods excluded."""
    s = _YEAR_RANGE.sub("", str(text or ""))
    return [int(y) for y in _YEAR_BARE.findall(s)]


def revision_rank(text: object) -> int:
    """0 for no marker; 2 for 修订 / 更正 / 订正 / 重报; N for ``vN`` or 第N版 (the highest)."""
    s = str(text or "")
    rank = 2 if _REVISION_WORDS.search(s) else 0
    for digits, chinese in _REVISION_NUMBER.findall(s):
        n = int(digits) if digits else _CN_DIGITS.get(chinese, int(chinese) if chinese.isdigit() else 0)
        rank = max(rank, n if n >= 2 else rank)
    return rank


def date_text(value: object) -> str:
    """A 填报日期 as ``YYYY-MM-DD`` (from a datetime, an Excel serial number or text), or ``""``."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 30000 < value < 80000:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
    match = _DATE.search(str(value or ""))
    if not match:
        return ""
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return ""


class Cell(NamedTuple):
    """One non-empty cell (a row of the cells table as plain Python values)."""

    sheet: str
    row: int
    col: int
    cell: str
    value: object
    raw: str
    formula_uncached: bool


Grid = dict  # row -> {col -> Cell}, rows ascending, columns ascending


def cell_records(cells: pd.DataFrame) -> list[Cell]:
    """The cells table as a list of :class:`Cell` (plain Python: row-wise pandas access is slow)."""
    columns = [cells[c].tolist() for c in ("sheet", "row", "col", "cell", "value", "raw",
                                             "formula_uncached")]
    return [Cell(str(sh), int(r), int(c), str(a), v, str(raw), bool(f))
            for sh, r, c, a, v, raw, f in zip(*columns)]


def workbook_records(workbook) -> list[Cell]:
    """A workbook's cells as :class:`Cell` records: from its plain ``columns`` when it has them
    (no DataFrame round trip), else from its ``cells`` table."""
    columns = getattr(workbook, "columns", None)
    if columns is None:
        return cell_records(workbook.cells)
    return list(map(tuple.__new__, repeat(Cell), zip(*columns)))  # Cell(*values), no call per cell


# Cell fields by position, for map() and sort keys
_SHEET, _RAW = (itemgetter(Cell._fields.index(name)) for name in ("sheet", "raw"))
_PLACE = itemgetter(*(Cell._fields.index(name) for name in ("sheet", "row", "col")))


def grids_by_sheet(records: list[Cell]) -> dict[str, Grid]:
    """Sheet name → its cells by row and column (sheets in order of first appearance; of two
    records at one place, the later)."""
    grids = _grids_in_order(records)
    if grids is None:
        by_place = _grids_in_order(sorted(records, key=_PLACE))  # a stable sort
        grids = {sheet: by_place[sheet] for sheet in dict.fromkeys(map(_SHEET, records))}
    return grids


def _grids_in_order(records: list[Cell]) -> dict[str, Grid] | None:
    """:func:`grids_by_sheet` of records in grid order (the reader's: each sheet's rows ascending,
    columns ascending within a row), or None when they are not in that order."""
    grids: dict[str, Grid] = {}
    last_sheet = last_row = last_col = None
    for rec in records:
        sheet, row, col = rec.sheet, rec.row, rec.col
        if row != last_row or sheet != last_sheet:  # a new row
            grid = grids.get(sheet)
            if grid is None:
                grid = grids[sheet] = {}
            elif row <= next(reversed(grid)):
                return None
            cols = grid[row] = {}
            last_sheet, last_row = sheet, row
        elif col < last_col:
            return None
        cols[col] = rec
        last_col = col
    return grids


def hinted_cells(grids: dict[str, Grid], records: list[Cell]) -> list[Cell]:
    """The text cells of ``grids`` (built from ``records``) whose text has a label hint word
    (填报, 模板 …), in grid order: the cells :func:`info_lines` looks at."""
    rank = {sheet: i for i, sheet in enumerate(grids)}
    found = [rec for rec in map(records.__getitem__, _hint_indices(list(map(_RAW, records))))
             if isinstance(rec.value, str) and grids[rec.sheet][rec.row][rec.col] is rec]
    return sorted(found, key=lambda rec: (rank[rec.sheet], rec.row, rec.col))


def _hint_indices(texts: list) -> set[int]:
    """Indices of the texts holding a label hint word (:data:`INFO_HINT_WORDS`).

    The words are looked for in the texts joined by NUL (no hint word holds one), each place
    found mapped to its text by counting the NULs before it; one search per text when a text
    holds a NUL itself.
    """
    try:
        joined = "\x00".join(texts)
    except TypeError:  # not all str: as the texts would be shown
        joined = "\x00".join(map(str, texts))
    if joined.count("\x00") != len(texts) - 1:
        return {i for i, text in enumerate(texts) if _INFO_HINT.search(str(text))}
    found, index, position = set(), 0, 0
    for start in sorted(_places_of_words(joined, INFO_HINT_WORDS)):
        index += joined.count("\x00", position, start)
        position = start
        found.add(index)
    return found


def _places_of_words(text: str, words: tuple[str, ...]) -> list[int]:
    """Where each of ``words`` occurs in ``text`` (str.find: faster than one regex scan)."""
    places = []
    for word in words:
        place = text.find(word)
        while place >= 0:
            places.append(place)
            place = text.find(word, place + 1)
    return places


def grid_cells(grid: Grid, first_row: int = 0, last_row: int | None = None) -> list[Cell]:
    """The cells of a grid between two rows (inclusive)."""
    return [rec for row, cols in grid.items()
            if row >= first_row and (last_row is None or row <= last_row) for rec in cols.values()]


def is_number_like(value: object) -> bool:
    """True for a numeric cell value (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ----------------------------------------------------------------------------------------------
# The ledger: every cell gets a fate
# ----------------------------------------------------------------------------------------------

class _Places:
    """A set of cells named ``(sheet, address)``, kept as one set of addresses per sheet (no
    pair is built per cell)."""

    __slots__ = ("by_sheet",)

    def __init__(self) -> None:
        self.by_sheet: dict[str, set[str]] = {}

    def of(self, sheet: str) -> set[str]:
        """The addresses in ``sheet``: the set itself (adding to it adds places)."""
        addresses = self.by_sheet.get(sheet)
        if addresses is None:
            addresses = self.by_sheet[sheet] = set()
        return addresses

    def add(self, sheet: str, cell: str) -> None:
        self.of(sheet).add(cell)

    def update(self, pairs: Iterable[tuple[str, str]]) -> None:
        for sheet, cell in pairs:
            self.of(sheet).add(cell)

    def __contains__(self, pair: tuple[str, str]) -> bool:
        return pair[1] in self.by_sheet.get(pair[0], ())

    def __len__(self) -> int:
        return sum(map(len, self.by_sheet.values()))

    def difference(self, *others: _Places) -> _Places:
        """The places not in any of ``others``."""
        out = _Places()
        for sheet, addresses in self.by_sheet.items():
            rest = addresses.difference(*(other.by_sheet.get(sheet, ()) for other in others))
            if rest:
                out.by_sheet[sheet] = rest
        return out

    def pairs(self) -> set[tuple[str, str]]:
        return {(sheet, cell) for sheet, addresses in self.by_sheet.items() for cell in addresses}


def places_of(records: list[Cell]) -> _Places:
    """The places of a workbook's records."""
    places = _Places()
    last_sheet = None
    for rec in records:
        if rec.sheet != last_sheet:
            add, last_sheet = places.of(rec.sheet).add, rec.sheet
        add(rec.cell)
    return places


@dataclass
class _Ledger:
    """Collects values, issues (with the cells each covers) and ignored cells of one file."""

    source_file: str
    rows: list[tuple] = field(default_factory=list)  # tidy rows, in TIDY_COLUMNS order
    places: list[int] = field(default_factory=list)  # each row's place in the file's order
    issues: list[Issue] = field(default_factory=list)
    covered: _Places = field(default_factory=_Places)
    ignored: _Places = field(default_factory=_Places)
    used: _Places = field(default_factory=_Places)
    mappings: object = None  # mappings.Mappings (the analyst's lines) or None
    unmatched: list = field(default_factory=list)  # mappings.Unmatched

    def issue(self, item: Issue, cells=()) -> None:
        message = readable(item.message)
        if message != item.message:
            item = dataclasses.replace(item, message=message)
        self.issues.append(item)
        if item.cell:
            self.covered.add(item.sheet, item.cell)
        self.covered.update(cells)

    def ignore(self, sheet: str, cell: str) -> None:
        self.ignored.add(sheet, cell)

    def sorted_rows(self) -> list[tuple]:
        """The tidy rows in the file's order."""
        return [self.rows[i] for i in sorted(range(len(self.places)), key=self.places.__getitem__)]


# ----------------------------------------------------------------------------------------------
# Locating the parts
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Table:
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


def find_summary_header(grid: Grid, sheet: str) -> _Table | None:
    """The first row with an indicator-name (or code) column and a value column (and no
    县（市、区） column), or None."""
    for row, cols in grid.items():
        found = _roles_in(cols)
        if "value" in found and ("name" in found or "code" in found) and "county" not in found:
            roles = {col: header_role(rec.raw) for col, rec in cols.items()}
            return _Table("summary", sheet, row, {c: r for c, r in roles.items() if r})
    return None


def find_county_header(grid: Grid, sheet: str) -> _Table | None:
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
            return _Table("county", sheet, row, columns, label_col=label_col, code_row=code_row)
    return None


# ----------------------------------------------------------------------------------------------
# Who and when
# ----------------------------------------------------------------------------------------------

def info_lines(grids: dict[str, Grid], hinted: list[Cell]) -> list[dict]:
    """Label lines (填报单位：… 填报日期：… 模板版本：…) anywhere: ``key, text, value, cells``.

    ``hinted`` are the cells to look at (:func:`hinted_cells`). The value is the rest of the
    label cell after the colon, else the next non-empty cell to the right in the same row (at
    most three columns away).
    """
    out = []
    for rec in hinted:
        sheet, text, cols = rec.sheet, str(rec.raw), grids[rec.sheet][rec.row]
        recs = list(cols.values())
        i = list(cols).index(rec.col)
        head, _colon, rest = text.replace("：", ":").partition(":")
        key = INFO_LABELS.get(names.plain(head))
        if key is None:
            continue
        used = [(sheet, rec.cell)]
        value: object = rest.strip()
        if not value and i + 1 < len(recs) and recs[i + 1].col - rec.col <= 3:
            nxt = recs[i + 1]
            if INFO_LABELS.get(names.plain(_COLON.split(str(nxt.raw))[0])) is None:
                value = nxt.value if nxt.value is not None else nxt.raw
                used.append((sheet, nxt.cell))
        out.append({"key": key, "sheet": sheet, "cell": rec.cell, "text": text,
                    "value": value, "cells": used})
    return out


def _choose(found: list[tuple[str, object]]) -> tuple[object | None, list[tuple[str, object]]]:
    """The first (highest-priority) value and the sources that disagree with it."""
    found = [(src, val) for src, val in found if val not in (None, "")]
    if not found:
        return None, []
    chosen = found[0][1]
    return chosen, [(src, val) for src, val in found if val != chosen]


# ----------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=1024)
def _unit_factor(unit: str | None, base: str) -> float | None:
    return parse.unit_factor(unit, base)


class _Target(NamedTuple):
    """Where the values of a summary row or county column go: the indicator (``code``, catalogue
    ``name``, base unit, rank in the catalogue) and the unit the row or column states, with its
    factor to the base unit (None: not convertible)."""

    code: str
    name: str
    base: str
    rank: int
    column_unit: str | None
    factor: float | None


@lru_cache(maxsize=4096)
def _target(code: str, column_unit: str | None) -> _Target:
    """The :class:`_Target` of an indicator under a stated unit (the same pairs recur in every return)."""
    at = _catalogue().at
    codes = _sort_ranks()[2]
    base = at[code, "unit"]
    return _Target(code, at[code, "name"], base, codes.get(code, len(codes)), column_unit,
                   _unit_factor(column_unit, base))


def _cell_number(rec, column_unit: str | None, base: str):
    """``(value in base unit, None)`` or ``(None, reason)``; ``(None, None)`` for not reported.

    A unit written in the cell wins (``2.3亿元``); a bare multiplier in the cell (``15.2万``) takes
    the column's unit without its multiplier; otherwise the column's (or header's) unit applies.
    """
    cell_unit = None
    if is_number_like(rec.value) or isinstance(rec.value, bool):
        number = float(rec.value)
    elif isinstance(rec.value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return None, f"日期或时间“{rec.raw}”"
    else:
        parsed = (parse.parse_milestone if base == "是/否" else parse.parse_number)(str(rec.raw))
        if parsed.status == "missing":
            return None, None
        if parsed.status != "ok" or parsed.value is None or math.isnan(parsed.value):
            return None, parsed.note or f"“{rec.raw}”不是数字"
        number = float(parsed.value)
        if parsed.unit and parse.normalise_unit(parsed.unit) in ("%", "‰"):
            return None, f"“{rec.raw}”是百分比，不是以“{base}”为单位的数"
        cell_unit = parsed.value_unit
        if parsed.unit and cell_unit is None:  # bare multiplier: already applied
            column_unit = parse.strip_multiplier(column_unit)
    if math.isinf(number):
        return None, f"“{rec.raw}”不是有限的数字"
    unit = cell_unit or column_unit
    factor = _unit_factor(unit, base)
    if factor is None:
        return None, f"单位“{unit}”无法换算为“{base}”"
    return number * factor, None


# ----------------------------------------------------------------------------------------------
# The cleaner
# ----------------------------------------------------------------------------------------------

def clean_workbook(workbook, source_file: str, mappings=None) -> CleanResult:
    """Clean one read workbook into tidy values, issues, accounting and :class:`ReturnInfo`.

    ``source_file`` (relative to the raw folder, forward slashes) is what values and issues name.
    ``mappings``: the analyst's :class:`~jrc_analysis.returns.mappings.Mappings`, consulted first.
    """
    ledger = _Ledger(source_file, mappings=mappings)
    for item in getattr(workbook, "issues", []) or []:
        ledger.issue(item)
    cells = workbook_records(workbook)
    places = places_of(cells)
    if not cells:
        return _finish(ledger, cells, places, ReturnInfo(source_file))

    catalogue = _catalogue()
    hidden = {s.name for s in workbook.sheets if s.hidden}
    by_sheet = grids_by_sheet(cells)
    for item in hidden_sheet_warnings(workbook.sheets, by_sheet, source_file):
        ledger.issue(item)
    sheet_order = [s.name for s in sorted(workbook.sheets, key=lambda s: (s.hidden, s.index))]
    summary = county = None
    extra_tables = []
    for name in sheet_order:
        frame = by_sheet.get(name)
        if frame is None:
            continue
        table = find_summary_header(frame, name) or find_county_header(frame, name)
        if table is None:
            continue
        if table.kind == "summary" and summary is None:
            summary = table
        elif table.kind == "county" and county is None:
            county = table
        elif name not in hidden:
            extra_tables.append(table)

    lines = info_lines(by_sheet, hinted_cells(by_sheet, cells))
    for line in lines:
        for sheet, cell in line["cells"]:
            ledger.ignore(sheet, cell)
    info, ok = _return_info(by_sheet, lines, summary, county, source_file, ledger)

    for table in extra_tables:
        ledger.issue(warning(
            "clean.extra_table", source_file,
            f"{where(source_file, table.sheet)}：又发现一张{'汇总表' if table.kind == 'summary' else '县区明细表'}，"
            "已按第一张处理、本表未读取。请删除多余的工作表后重新报送。", sheet=table.sheet),
            cells={(r.sheet, r.cell) for r in grid_cells(by_sheet[table.sheet])})
    if summary is None and county is None:
        ledger.issue(error(
            "clean.no_table", source_file,
            f"{where(source_file)}：没有找到报表表格（应有一行表头含“指标名称”和“完成数”，"
            "或含“县（市、区）”和各项指标）。请使用省红十字会下发的模板填报。"),
            cells=places.difference(ledger.ignored).pairs())
        return _finish(ledger, cells, places, info)

    table_sheets = {t.sheet for t in (summary, county, *extra_tables) if t is not None}
    for name, frame in by_sheet.items():
        if name not in table_sheets:
            item, other_cells = _other_sheet(frame, name, source_file)
            if item is None:
                ledger.ignored.update(other_cells)
            else:
                ledger.issue(item, other_cells)

    if not ok:
        # no unit or no year: nothing can be used; the error covers every table cell
        for table in (summary, county):
            if table is not None:
                ledger.covered.update((r.sheet, r.cell) for r in grid_cells(by_sheet[table.sheet]))
        return _finish(ledger, cells, places, info)

    if summary is not None:
        _clean_summary(by_sheet[summary.sheet], summary, info, catalogue, ledger)
    if county is not None:
        _clean_county(by_sheet[county.sheet], county, info, catalogue, ledger)
    return _finish(ledger, cells, places, info)


def hidden_sheet_warnings(sheets, used: Collection[str], source_file: str) -> list[Issue]:
    """One warning per hidden sheet that holds content (``used``: the names of the sheets with
    cells; a hidden sheet is read like any other)."""
    return [warning(
        "clean.hidden_sheet", source_file,
        f"{where(source_file, s.name)}：这是一张隐藏的工作表，其中的内容照常读取。"
        "请取消隐藏、确认内容无误（不需要的请删除）后重新报送。", sheet=s.name)
        for s in sorted(sheets, key=lambda s: s.index) if s.hidden and s.name in used]


def _other_sheet(grid: Grid, sheet: str, source_file: str):
    """A sheet that is neither table (说明 …): text is ignored; numbers get one warning."""
    numbers = [r for r in grid_cells(grid) if is_number_like(r.value) or r.formula_uncached]
    if not numbers:
        return None, {(r.sheet, r.cell) for r in grid_cells(grid)}
    return warning(
        "clean.unread_sheet", source_file,
        f"{where(source_file, sheet)}：不是汇总表或县区明细表（没有找到“指标名称”+“完成数”或“县（市、区）”表头），"
        f"其中 {len(numbers)} 个数字（{numbers[0].cell} 等）未读取。如需报送，请填入汇总表或县区明细表。",
        sheet=sheet), {(r.sheet, r.cell) for r in numbers}


def _return_info(grids, lines, summary, county, source_file, ledger) -> tuple[ReturnInfo, bool]:
    """Reporting unit, year and the rest, cross-checked; errors when unit or year are unknown."""
    titles = []
    for table in (summary, county):
        if table is None:
            continue
        for rec in grid_cells(grids[table.sheet], last_row=table.header_row - 1):
            if (rec.sheet, rec.cell) in ledger.ignored:
                continue
            unit_line = _UNIT_LINE.match(rec.raw)
            if unit_line is None and isinstance(rec.value, str):
                titles.append((rec.sheet, rec.cell, rec.raw))
            ledger.ignore(rec.sheet, rec.cell)
    title_text = " ".join(t for _s, _c, t in titles)
    path = source_file.replace("\\", "/")
    folder, _, filename = path.rpartition("/")
    by_key = {}
    for line in lines:
        by_key.setdefault(line["key"], line)

    unit_line = by_key.get("unit")
    unit_from_line = None
    if unit_line is not None:
        place = names.match_place(str(unit_line["value"]))
        unit_from_line = place.prefecture if place and place.level != "county" else \
            names.find_unit_in_text(unit_line["value"])
    sheet_names = " ".join(t.sheet for t in (summary, county) if t is not None)
    unit_found = [
        ("填报单位", unit_from_line),
        ("标题", names.find_unit_in_text(title_text)),
        ("工作表名", names.find_unit_in_text(sheet_names)),
        ("文件名", names.find_unit_in_text(filename)),
        ("文件夹", names.find_unit_in_text(folder)),
    ]
    value_header_years = []
    if summary is not None:
        for col, role in summary.columns.items():
            if role == "value":
                rec = grids[summary.sheet][summary.header_row].get(col)
                value_header_years += years_in(rec.raw) if rec is not None else []
    year_found = [
        ("标题", (years_in(title_text) or [parse.chinese_year(title_text)])[0]),
        ("表头", (value_header_years or [None])[0]),
        ("工作表名", (years_in(sheet_names) + bare_years_in(sheet_names) or [None])[0]),
        ("文件名", (years_in(filename) + bare_years_in(filename) or [None])[0]),
        ("文件夹", (bare_years_in(folder) or [None])[-1] if folder else None),
    ]
    unit, unit_conflicts = _choose(unit_found)
    year, year_conflicts = _choose(year_found)
    ok = True
    if unit is None:
        ok = False
        ledger.issue(error(
            "clean.no_prefecture", source_file,
            f"{where(source_file)}：无法判断填报单位（标题、“填报单位”、工作表名和文件名中都没有设区市名称或“省本级”）。"
            "请在“填报单位：”后填写本单位名称（如“南昌市红十字会”）后重新报送。"))
    elif unit_conflicts:
        said = "，".join(f"{src}为“{val}”" for src, val in unit_conflicts)
        ledger.issue(warning(
            "clean.prefecture_conflict", source_file,
            f"{where(source_file)}：填报单位不一致：按{unit_found_source(unit_found, unit)}认定为“{unit}”，但{said}。"
            "请核对后统一填报单位和文件名。"))
    if year is None:
        ok = False
        ledger.issue(error(
            "clean.no_year", source_file,
            f"{where(source_file)}：无法判断报表年度（标题、表头、工作表名和文件名中都没有年份）。"
            "请在标题中写明年度（如“2023年度……完成情况表”）后重新报送。"))
    elif year_conflicts:
        said = "，".join(f"{src}为{val}年" for src, val in year_conflicts)
        ledger.issue(warning(
            "clean.year_conflict", source_file,
            f"{where(source_file)}：年度不一致：按{unit_found_source(year_found, year)}认定为{year}年，但{said}。"
            "请核对标题、表头和文件名中的年份。"))
    version = by_key.get("template_version")
    fill = by_key.get("fill_date")
    info = ReturnInfo(
        source_file=source_file,
        prefecture=unit,
        year=int(year) if year is not None else None,
        template_version=str(version["value"]).strip() if version else "",
        fill_date=date_text(fill["value"]) if fill else "",
        revision=max(revision_rank(filename), revision_rank(title_text)),
        title=title_text,
    )
    return info, ok


def unit_found_source(found: list[tuple[str, object]], chosen: object) -> str:
    """The name of the first source that gave ``chosen``."""
    for src, val in found:
        if val == chosen:
            return src
    return ""


def _summary_code(rec_code, rec_name, source_file, sheet, ledger, unit=None):
    """``(code, resolution of the name)`` of a summary row: a valid 指标代码 cross-checked with
    the name, else the name's code."""
    code_text = str(rec_code.raw).strip() if rec_code is not None else ""
    code, found = _row_indicator(code_text, rec_name.raw if rec_name is not None else None,
                                 unit, ledger.mappings)
    by_name = found.code
    if code == code_text:  # a valid code (no code is empty)
        if by_name is not None and by_name != code_text:
            ledger.issue(warning(
                "clean.code_name_mismatch", source_file,
                f"{where(source_file, sheet, rec_code.cell)}：指标代码“{code_text}”与指标名称“{rec_name.raw}”"
                f"（对应 {by_name}）不一致，已按指标代码处理。请核对是否填错了行。",
                sheet=sheet, cell=rec_code.cell))
    return code, found


@lru_cache(maxsize=4096)
def _row_indicator(code_text: str, name: str | None, unit: str | None = None, mappings=None):
    """``(code, names.Resolution of the name)`` of a summary row: ``code_text`` when it is a
    valid 指标代码, else the name's code (the same rows recur in every return)."""
    found = names.resolve_indicator(name, unit=unit, mappings=mappings)
    return (code_text if code_text in names.indicator_codes() else found.code), found


def _unmatched(ledger, kind: str, text: str, sheet: str, cell: str, candidates) -> str:
    """Record an unmatched label for ``--suggest``; the advice sentence for its issue."""
    ledger.unmatched.append(taught.Unmatched(kind, text, ledger.source_file, sheet, cell,
                                             tuple(candidates)))
    source = ledger.mappings.source if ledger.mappings is not None else "data/mappings.csv"
    advice = taught.unmatched_advice(kind, text, candidates, source)
    return advice


_PLAIN_NUMBERS = (float, int)


def _value_taker(ledger, info: ReturnInfo, sheet: str):
    """``take(county, order, target, rec)``: parse one value cell of ``sheet``; emit a tidy row
    or an issue. Returns the value (or None).

    ``order`` is the county's place (:func:`_county_order`). A finite int or float in a
    convertible column is taken as it is; anything else goes through :func:`_checked_number`.
    Rows are added to the ledger here, the hot loop of the cleaner.
    """
    rows, places, use = ledger.rows, ledger.places, ledger.used.of(sheet).add
    year, prefecture, source_file = info.year, info.prefecture, ledger.source_file

    def take(county: str, order: int, target: _Target, rec: Cell) -> float | None:
        value = rec.value
        if (type(value) in _PLAIN_NUMBERS and target.factor is not None
                and not rec.formula_uncached and not math.isinf(value)):
            number = float(value) * target.factor
        else:
            number = _checked_number(ledger, target, rec, sheet)
            if number is None:
                return None
        rows.append((year, prefecture, county, target.code, number, target.base, source_file,
                     sheet, rec.cell, rec.raw))
        places.append(order + target.rank)
        use(rec.cell)
        return number

    return take


def _checked_number(ledger, target: _Target, rec, sheet) -> float | None:
    """The value of any value cell in the base unit, or None after an issue (uncached formula,
    not a number, unit not convertible) or for a not-reported marker."""
    base = target.base
    source_file = ledger.source_file
    if bool(rec.formula_uncached):
        ledger.issue(error(
            "clean.formula_uncached", source_file,
            f"{where(source_file, sheet, rec.cell)}：是公式但没有保存计算结果（文件由程序生成、未在 Excel/WPS 中打开保存过），"
            "无法读取数值。请用 Excel 或 WPS 打开该文件、保存后重新报送，或直接填写数字。",
            sheet=sheet, cell=rec.cell))
        return None
    number, problem = _cell_number(rec, target.column_unit, base)
    if problem is not None:
        ledger.issue(error(
            "clean.invalid_value", source_file,
            f"{where(source_file, sheet, rec.cell)}：“{target.name}”的完成数无法使用：{problem}。"
            f"应填写以“{base}”为单位的数字。请修改后重新报送。",
            sheet=sheet, cell=rec.cell))
        return None
    if number is None:
        ledger.ignore(sheet, rec.cell)  # a not-reported marker (—, /, 不适用): completeness reports it
    return number


def _row_quote(recs) -> str:
    return " | ".join(shorten(str(r.raw)) for r in sorted(recs, key=lambda r: r.col))


def _clean_summary(grid, table: _Table, info: ReturnInfo, catalogue, ledger) -> None:
    sheet, source_file = table.sheet, ledger.source_file
    roles = table.columns
    value_col = _value_column(grid, table, info, ledger)
    name_col = next((c for c, r in roles.items() if r == "name"), None)
    code_col = next((c for c, r in roles.items() if r == "code"), None)
    unit_col = next((c for c, r in roles.items() if r == "unit"), None)
    header = grid[table.header_row]
    header_unit = parse.split_header_unit(header[value_col].raw)[1] if value_col in header else None
    sheet_unit = _sheet_unit_line(grid, table)
    ignore = ledger.ignored.of(sheet).add
    for rec in header.values():
        ignore(rec.cell)
    take = _value_taker(ledger, info, sheet)
    seen: dict[str, str] = {}
    for row, at in grid.items():
        if row <= table.header_row:
            continue
        recs = at.values()
        rec_value, rec_name, rec_code = at.get(value_col), at.get(name_col), at.get(code_col)
        for r in recs:
            if r is not rec_value and (r.col in roles or not is_number_like(r.value)):
                ignore(r.cell)  # names, codes, units, targets, notes, area cells
        if rec_name is None and rec_code is None and rec_value is None:
            continue
        unit_cell = at.get(unit_col)
        row_unit = str(unit_cell.raw).strip() if unit_cell is not None else None
        code, found = _summary_code(rec_code, rec_name, source_file, sheet, ledger, row_unit)
        if code is None:
            if found.how == "ignore":  # the analyst's ignore line: not a catalogue indicator
                for r in recs:
                    ignore(r.cell)
                continue
            if rec_value is None or _UNIT_LINE.match(str(rec_value.raw)):
                if rec_value is not None:
                    ledger.ignore(sheet, rec_value.cell)
                continue  # a heading or footnote row without a number
            advice = _unmatched(ledger, "indicator", str(rec_name.raw) if rec_name is not None else "",
                                sheet, rec_value.cell, found.candidates) if rec_name is not None else ""
            ledger.issue(warning(
                "clean.unmatched_indicator", source_file,
                f"{where(source_file, sheet, rec_value.cell)}：第 {row} 行的指标无法识别（该行内容：{_row_quote(recs)}），"
                f"其完成数未采用。{advice}请使用模板中的指标名称或填写指标代码。",
                sheet=sheet, cell=rec_value.cell), cells={(sheet, r.cell) for r in recs})
            continue
        if rec_value is None:
            continue  # left blank: completeness is reported by validate
        if code in seen:
            ledger.issue(error(
                "clean.duplicate_indicator", source_file,
                f"{where(source_file, sheet, rec_value.cell)}：指标“{catalogue.at[code, 'name']}”重复填报"
                f"（已采用 {seen[code]} 的数值，本格未采用）。请删除重复的行。",
                sheet=sheet, cell=rec_value.cell))
            continue
        column_unit = row_unit or header_unit or sheet_unit
        if take("", 0, _target(code, column_unit), rec_value) is not None:
            seen[code] = rec_value.cell


def _sheet_unit_line(grid: Grid, table: _Table) -> str | None:
    """A ``单位：万元`` line above the header, if any."""
    for rec in grid_cells(grid, last_row=table.header_row - 1):
        match = _UNIT_LINE.match(rec.raw)
        if match:
            return match.group(1)
    return None


def _value_column(grid, table: _Table, info: ReturnInfo, ledger) -> int:
    """The value column: the only one, else the one of the return's year, else the first (warned)."""
    cols = sorted(c for c, r in table.columns.items() if r == "value")
    if len(cols) == 1:
        return cols[0]
    header = {col: rec.raw for col, rec in grid[table.header_row].items()}
    of_year = [c for c in cols if info.year in years_in(header.get(c, ""))]
    if len(of_year) == 1:
        return of_year[0]
    chosen = (of_year or cols)[0]
    ledger.issue(warning(
        "clean.ambiguous_value_column", ledger.source_file,
        f"{where(ledger.source_file, table.sheet)}：第 {table.header_row} 行有多个像“完成数”的列"
        f"（{'、'.join(str(header.get(c, '')) for c in cols)}），已采用“{header.get(chosen, '')}”。"
        "请只保留一列本年完成数。", sheet=table.sheet))
    return chosen


def _county_columns(grid, table: _Table, catalogue, ledger) -> dict[int, tuple[str, str | None]]:
    """County-sheet columns → ``(code, unit from the header)``; unmatched columns with numbers warned."""
    sheet, source_file = table.sheet, ledger.source_file
    header = grid[table.header_row]
    codes_row = grid.get(table.code_row, {}) if table.code_row else {}
    data = grid_cells(grid, first_row=max(table.header_row, table.code_row) + 1)
    out = {}
    for rec in list(header.values()) + list(codes_row.values()):
        ledger.ignore(sheet, rec.cell)
    for col, text in sorted(table.columns.items()):
        label, unit = parse.split_header_unit(text)
        found = names.resolve_indicator(text, unit=unit, mappings=ledger.mappings)
        by_name = found.code
        code_text = codes_row[col].raw.strip() if col in codes_row else ""
        code = code_text if code_text in names.indicator_codes() else by_name
        if code_text in names.indicator_codes() and by_name and by_name != code_text:
            ledger.issue(warning(
                "clean.code_name_mismatch", source_file,
                f"{where(source_file, sheet, codes_row[col].cell)}：指标代码“{code_text}”与列标题“{text}”"
                f"（对应 {by_name}）不一致，已按指标代码处理。请核对。",
                sheet=sheet, cell=codes_row[col].cell))
        if code is None:
            column = [r for r in data if r.col == col]
            if found.how == "ignore":  # the analyst's ignore line
                for r in column:
                    ledger.ignore(sheet, r.cell)
                continue
            if header_role(text) is None and any(is_number_like(r.value) for r in column):
                advice = _unmatched(ledger, "indicator", text, sheet, header[col].cell, found.candidates)
                ledger.issue(warning(
                    "clean.unmatched_column", source_file,
                    f"{where(source_file, sheet, header[col].cell)}：列标题“{text}”无法识别为指标，"
                    f"该列数字未采用。{advice}请使用模板中的列标题。",
                    sheet=sheet, cell=header[col].cell),
                    cells={(r.sheet, r.cell) for r in column})
            continue
        if code in {c for c, _u in out.values()}:
            ledger.issue(error(
                "clean.duplicate_indicator", source_file,
                f"{where(source_file, sheet, header[col].cell)}：指标“{catalogue.at[code, 'name']}”的列重复，"
                "本列未采用。请删除重复的列。", sheet=sheet, cell=header[col].cell),
                cells={(r.sheet, r.cell) for r in data if r.col == col})
            continue
        out[col] = (code, unit)
    return out


def _clean_county(grid, table: _Table, info: ReturnInfo, catalogue, ledger) -> None:
    sheet, source_file = table.sheet, ledger.source_file
    columns = _county_columns(grid, table, catalogue, ledger)
    sheet_unit = _sheet_unit_line(grid, table)
    first = max(table.header_row, table.code_row) + 1
    header_cols = set(grid[table.header_row])
    targets = {col: _target(code, header_unit or sheet_unit) for col, (code, header_unit) in columns.items()}
    seen_counties: dict[str, int] = {}
    totals: list[tuple[int, dict]] = []
    sums: dict[int, float] = {}
    parts: dict[int, list[str]] = {col: [] for col in columns}
    ignore = ledger.ignored.of(sheet).add
    take = _value_taker(ledger, info, sheet)
    for row, at in grid.items():
        if row < first:
            continue
        recs = at.values()
        label = at.get(table.label_col)
        value_recs = {}  # in the order of columns (both ascending)
        for col, r in at.items():
            if col in columns:
                value_recs[col] = r
            elif col in header_cols or not is_number_like(r.value):
                ignore(r.cell)  # labels, 序号, known extra columns
        text = str(label.raw).strip() if label is not None else ""
        plain = names.plain(text)
        if not value_recs:
            continue
        if _TOTAL.search(plain):
            totals.append((row, value_recs))
            continue
        line = ledger.mappings.place_line(text) if ledger.mappings is not None and text else None
        if line is not None and line.kind == "ignore":  # the analyst's ignore line
            for r in recs:
                ignore(r.cell)
            continue
        place = names.match_place(text, info.prefecture, ledger.mappings) if line is not None else None
        if (place is not None and place.level == "city_hq") or (
                line is None and "本级" in plain and "省" not in plain):
            county = CITY_HQ
        else:
            place = place or names.match_place(text, info.prefecture)
            if place is None or place.level != "county":
                advice = _unmatched(ledger, "place", text, sheet, label.cell if label is not None else "",
                                    names.place_candidates(text, info.prefecture)) if text else ""
                ledger.issue(warning(
                    "clean.unmatched_county", source_file,
                    f"{where(source_file, sheet, label.cell if label is not None else '')}：第 {row} 行的县（市、区）"
                    f"“{text}”无法识别（该行内容：{_row_quote(recs)}），本行数字未采用。{advice}"
                    f"请填写{info.prefecture}所辖县（市、区）的规范名称。",
                    sheet=sheet, cell=label.cell if label is not None else ""),
                    cells={(sheet, r.cell) for r in recs})
                continue
            if place.prefecture != info.prefecture:
                ledger.issue(error(
                    "clean.county_of_other_prefecture", source_file,
                    f"{where(source_file, sheet, label.cell)}：“{text}”是{place.prefecture}的县（市、区），"
                    f"不属于{info.prefecture}，本行数字未采用。请删除该行或改为本市所辖县（市、区）。",
                    sheet=sheet, cell=label.cell), cells={(sheet, r.cell) for r in recs})
                continue
            county = place.name
        if county in seen_counties:
            ledger.issue(error(
                "clean.duplicate_county", source_file,
                f"{where(source_file, sheet, label.cell)}：“{county}”重复出现（第 {seen_counties[county]} 行已采用），"
                "本行数字未采用。请合并为一行。", sheet=sheet, cell=label.cell),
                cells={(sheet, r.cell) for r in recs})
            continue
        seen_counties[county] = row
        order = _county_order(county)
        for col, rec in value_recs.items():
            number = take(county, order, targets[col], rec)
            if number is not None:
                sums[col] = sums.get(col, 0.0) + number
                parts[col].append(rec.cell)
    for row, value_recs in totals:
        _check_total(row, value_recs, columns, sums, parts, info, catalogue, sheet, sheet_unit, ledger)


def _check_total(row, value_recs, columns, sums, parts, info, catalogue, sheet, sheet_unit, ledger):
    """A 合计/小计 row: not a county; each cell checked against the sum of counties and 市本级."""
    source_file = ledger.source_file
    for col, rec in value_recs.items():
        code, header_unit = columns[col]
        base = catalogue.at[code, "unit"]
        if bool(rec.formula_uncached):
            ledger.issue(error(
                "clean.formula_uncached", source_file,
                f"{where(source_file, sheet, rec.cell)}：合计行是公式但没有保存计算结果，无法核对。"
                "请用 Excel 或 WPS 打开该文件、保存后重新报送。", sheet=sheet, cell=rec.cell))
            continue
        total, problem = _cell_number(rec, header_unit or sheet_unit, base)
        if problem is not None:
            ledger.issue(warning(
                "clean.invalid_total", source_file,
                f"{where(source_file, sheet, rec.cell)}：合计行的“{catalogue.at[code, 'name']}”无法核对：{problem}。"
                "合计行应填写数字。", sheet=sheet, cell=rec.cell))
            continue
        ledger.ignore(sheet, rec.cell)
        if total is None or col not in sums:
            continue
        if abs(total - sums[col]) > tolerance(total, sums[col]):
            cells = parts[col]
            span = f"{cells[0]}:{cells[-1]}" if len(cells) > 1 else cells[0]
            ledger.issue(warning(
                "clean.county_total_mismatch", source_file,
                f"{where(source_file, sheet, rec.cell)}：合计行“{catalogue.at[code, 'name']}”为 {format_number(total)}{base}，"
                f"但各县（市、区）与市本级（{span}）之和为 {format_number(sums[col])}{base}。"
                "请核对合计或各县数字。", sheet=sheet, cell=rec.cell))


def tolerance(a: float, b: float) -> float:
    """Rounding tolerance for sums: half a base unit (counts are whole; 1 元 is within a 元 of
    rounding) or one part in a billion of the larger (float noise of 万元 conversions)."""
    return max(0.5, 1e-9 * max(abs(a), abs(b)))


def _records_at(cells: list[Cell], places: _Places) -> list[Cell]:
    """The records at ``places``, in order."""
    if not places.by_sheet:
        return []
    return [rec for rec in cells if (rec.sheet, rec.cell) in places]


def _finish(ledger: _Ledger, cells: list[Cell], places: _Places, info: ReturnInfo) -> CleanResult:
    """Account for every cell (``places``: :func:`places_of` the records); a number no rule
    used becomes a warning (never silently lost)."""
    for rec in _records_at(cells, places.difference(ledger.used, ledger.covered, ledger.ignored)):
        if (rec.sheet, rec.cell) in ledger.covered or (rec.sheet, rec.cell) in ledger.ignored:
            continue  # a second record at a place accounted for just now
        if is_number_like(rec.value) or bool(rec.formula_uncached):
            ledger.issue(warning(
                "clean.unused_number", ledger.source_file,
                f"{where(ledger.source_file, rec.sheet, rec.cell)}：数字“{rec.raw}”不在报表表格的任何指标行或列中，"
                "未采用。如是本年完成数，请填入对应指标的“完成数”单元格。",
                sheet=rec.sheet, cell=rec.cell))
        else:
            ledger.ignore(rec.sheet, rec.cell)
    columns = _columns_of_tuples(ledger.sorted_rows())
    in_issues, ignored = _fate_counts(ledger, places)
    return CleanResult(
        columns=columns,
        issues=ledger.issues,
        accounting=Accounting(
            source_file=ledger.source_file,
            cells_read=len(places),
            values=len(columns["year"]),
            in_issues=in_issues,
            ignored=ignored,
        ),
        info=info,
        unmatched=tuple(ledger.unmatched),
        mapping_lines=ledger.mappings.used_lines() if ledger.mappings is not None else frozenset(),
    )


def _fate_counts(ledger: _Ledger, places: _Places) -> tuple[int, int]:
    """How many of the cells at ``places`` are named in issues (and not used), and how many
    are ignored (and neither used nor in issues)."""
    in_issues = ignored = 0
    for sheet, addresses in places.by_sheet.items():
        used = ledger.used.by_sheet.get(sheet, set())
        covered = (ledger.covered.by_sheet.get(sheet, set()) - used) & addresses
        in_issues += len(covered)
        ignored += len(ledger.ignored.by_sheet.get(sheet, set()).difference(used, covered) & addresses)
    return in_issues, ignored

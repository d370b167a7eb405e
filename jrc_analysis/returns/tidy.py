"""The tidy contract: its columns, the cleaner's result records, tidy tables, and message wording.

Tidy tables are built from plain lists and sorted in the contract's order; messages name places
(:func:`where`), quote text (:func:`shorten`, :func:`readable`) and write numbers (:func:`format_number`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pandas as pd

from jrc_analysis.issues import Issue
from jrc_analysis.plan import catalog


TIDY_COLUMNS = ["year", "prefecture", "county", "indicator", "value", "unit",
                "source_file", "sheet", "cell", "raw"]
CITY_HQ = "市本级"


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
    similar: tuple = ()  # mappings.Unmatched with ``chosen``: labels read by similarity alone

    @property
    def values(self) -> pd.DataFrame:
        return frame_of_columns(self.columns)

    def __iter__(self):
        return iter((self.values, self.issues))


def empty_values() -> pd.DataFrame:
    """An empty tidy table with the contract's columns and dtypes (a fresh copy each call)."""
    return _empty_tidy().copy()


@lru_cache(maxsize=1)
def _empty_tidy() -> pd.DataFrame:
    return _tidy_frame([])


@lru_cache(maxsize=None)
def catalogue_fields() -> SimpleNamespace:
    """Catalogue fields by ``.at[code, column]`` (a dict: fast, unlike DataFrame.at)."""
    frame = catalog.indicators()
    return SimpleNamespace(at={(rec["code"], col): rec[col] for rec in frame.to_dict("records")
                               for col in ("name", "unit", "value_type", "measure")})


@lru_cache(maxsize=None)
def sort_ranks() -> tuple[dict, dict, dict]:
    units = {u: i for i, u in enumerate(catalog.reporting_units())}
    geo = catalog.geography()
    county_rank = {n: i + 1 for i, n in enumerate(geo[geo["level"] == "county"]["name"])}
    codes = {c: i for i, c in enumerate(catalog.indicators()["code"])}
    return units, county_rank, codes


RANK_SPAN = 1 << 20  # more than the catalogue's indicators


def county_order(county: str) -> int:
    """Where a county's rows go within a file: the prefecture's own total (``""``) first, then
    its counties in catalogue order, then anything else (市本级); in steps of :data:`RANK_SPAN`,
    so that adding an indicator's catalogue rank gives a row's place.

    Year, unit and file are the same for every row of a file, and no two of its rows share a
    county and an indicator (the cleaner takes each indicator once per county), so this place
    orders a file's rows as the full sort key (:func:`sort_tidy`) does.
    """
    return (0 if county == "" else sort_ranks()[1].get(county, 10_000)) * RANK_SPAN


def tidy_frame(rows: list[dict]) -> pd.DataFrame:
    """Tidy rows as a DataFrame with the contract's columns and dtypes, in the contract's order."""
    return _tidy_frame(rows) if rows else empty_values()


def tidy_columns(rows: list[dict]) -> dict[str, list]:
    """Tidy rows as one plain list per column of :data:`TIDY_COLUMNS` (no pandas)."""
    return {col: [row[col] for row in rows] for col in TIDY_COLUMNS}


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
    units, county_rank, codes = sort_ranks()
    keys = [  # most significant first; texts in their own order (sorted codes)
        values["year"].to_numpy(),
        _ranks_of(values["prefecture"], units, len(units)),
        _ranks_of(values["county"], {**county_rank, "": 0}, 10_000),
        _ranks_of(values["indicator"], codes, len(codes)),
        *(pd.factorize(values[column], sort=True)[0] for column in ("source_file", "sheet", "cell")),
    ]
    return values.take(np.lexsort(keys[::-1])).reset_index(drop=True)  # lexsort: stable, last key first


def _ranks_of(column: pd.Series, ranks: dict[str, int], missing: int) -> np.ndarray:
    """Each text's rank (``missing`` for one not in ``ranks``, or none), looked up once per
    distinct text."""
    codes, uniques = pd.factorize(column)  # code -1 (no text) takes the last entry: missing
    return np.array([ranks.get(text, missing) for text in uniques] + [missing], dtype=np.int64)[codes]


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


def tolerance(a: float, b: float) -> float:
    """Rounding tolerance for sums: half a base unit (counts are whole; 1 元 is within a 元 of
    rounding) or one part in a billion of the larger (float noise of 万元 conversions)."""
    return max(0.5, 1e-9 * max(abs(a), abs(b)))

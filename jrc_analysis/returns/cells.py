"""The cells contract: :class:`Workbook`, :class:`SheetInfo`, A1 addresses, raw text of values.

See ``docs/architecture.md``, section *Cells*; :func:`append_cells` fills the column lists the
reader builds."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jrc_analysis.issues import Issue


CELL_COLUMNS = ["sheet", "row", "col", "cell", "value", "raw", "formula_uncached"]
# pandas' default string dtype (``str`` in pandas 3, object before)
_STR = pd.Series([], dtype=str).dtype
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of a workbook.

    ``index`` is the 0-based position in the workbook; ``hidden`` is True for hidden and
    very-hidden sheets; ``merged`` lists merged ranges as ``(first_row, first_col, last_row,
    last_col)``, 1-based and inclusive, sorted.
    """

    name: str
    index: int
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


class Workbook:
    """A workbook read into cells (the *Cells* contract in ``docs/architecture.md``).

    ``format`` is one of ``xlsx``, ``xlsm``, ``xls``, ``ods`` when the file could be read; for a
    refused file it is what was detected (``encrypted``, or one of the four for a corrupt or
    too-large workbook) or None (not a spreadsheet, unopenable, or over :data:`MAX_FILE_BYTES`).
    ``sheets`` lists worksheets only (chart sheets are skipped; ``index`` stays the position in
    the workbook). ``cells`` always has the columns
    :data:`CELL_COLUMNS` (see :func:`read_cells`); ``issues`` holds what went wrong.

    ``columns`` is the same table as seven plain lists in the order of :data:`CELL_COLUMNS` (what
    the reader builds and the cleaner uses); ``cells`` is built from them on first access. Either
    may be given to the constructor.
    """

    def __init__(self, format: str | None, sheets: list[SheetInfo],  # noqa: A002 - the contract's name
                 cells: pd.DataFrame | None = None, issues: list[Issue] | None = None,
                 columns: tuple[list, ...] | None = None) -> None:
        self.format = format
        self.sheets = sheets
        self.issues = issues if issues is not None else []
        self._cells = cells
        self._columns = columns if columns is not None or cells is not None else empty_columns()

    @property
    def cells(self) -> pd.DataFrame:
        if self._cells is None:
            self._cells = cells_frame(*self._columns)
        return self._cells

    @property
    def columns(self) -> tuple[list, ...]:
        if self._columns is None:
            self._columns = tuple(self._cells[c].tolist() for c in CELL_COLUMNS)
        return self._columns

    def __repr__(self) -> str:
        return (f"Workbook(format={self.format!r}, sheets={self.sheets!r}, "
                f"cells={len(self.columns[0])} rows, issues={self.issues!r})")


def empty_columns() -> tuple[list, ...]:
    return tuple([] for _ in CELL_COLUMNS)


def column_letters(col: int) -> str:
    """Excel column letters of a 1-based column number (1 -> ``A``, 28 -> ``AB``)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    """A1-style address of a 1-based ``(row, col)``: ``(3, 2)`` -> ``B3``."""
    return f"{column_letters(col)}{row}"


def parse_address(ref: str) -> tuple[int, int] | None:
    """1-based ``(row, col)`` of an A1-style address (``$B$3`` allowed), or None if malformed."""
    match = _CELL_REF.match(ref.strip())
    if not match:
        return None
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    return int(match.group(2)), col


def raw_text(value: object) -> str:
    """The cell as a person sees it: integral floats without ``.0`` (1234.0 -> ``1234``), other
    floats by ``repr`` (0.1 -> ``0.1``), booleans ``TRUE``/``FALSE``, dates ``2023-12-01``,
    datetimes ``2023-01-02 03:04:05``, strings unchanged."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _cell_value(value: object) -> object:
    """Calamine's value as the contract's value: dates become midnight datetimes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def empty_cells() -> pd.DataFrame:
    """An empty cells table with the contract's columns and dtypes (a fresh copy each call)."""
    return _EMPTY_CELLS.copy()


def cells_frame(sheets, rows, cols, cells, values, raws, uncached) -> pd.DataFrame:
    """The cells DataFrame built once from plain lists (no per-cell pandas work)."""
    value_array = np.empty(len(values), dtype=object)
    value_array[:] = values
    return pd.DataFrame({
        "sheet": pd.array(sheets, dtype=_STR),
        "row": np.asarray(rows, dtype=np.int64),
        "col": np.asarray(cols, dtype=np.int64),
        "cell": pd.array(cells, dtype=_STR),
        "value": value_array,
        "raw": pd.array(raws, dtype=_STR),
        "formula_uncached": np.asarray(uncached, dtype=bool),
    })


_EMPTY_CELLS = cells_frame([], [], [], [], [], [], [])


def append_cells(columns: tuple[list, ...], sheet: str, rows: list[list], start: tuple[int, int],
                  uncached: set[tuple[int, int]], errors: dict[tuple[int, int], str]) -> None:
    """Append the non-empty cells of one sheet, its uncached formulas and its error cells
    (``#DIV/0!`` …, value and raw both the text Excel shows; the engine reads them as empty)
    to ``columns``.

    The hot loop of the reader: plain lists, one pass, no pandas per cell.
    """
    row0, col0 = start[0] + 1, start[1] + 1
    rs: list[int] = []
    cs: list[int] = []
    values: list[object] = []
    raws: list[str] = []
    for i, row in enumerate(rows):
        r = row0 + i
        for j, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if not value or value.isspace():
                    continue
                raw = value
            elif kind is float:
                raw = "%d" % value if value.is_integer() and -1e16 < value < 1e16 else repr(value)
            elif value is None:
                continue
            elif kind is int:
                raw = str(value)
            else:
                raw = raw_text(value)
                value = _cell_value(value)
            rs.append(r)
            cs.append(col0 + j)
            values.append(value)
            raws.append(raw)
    flags = [False] * len(rs)
    if uncached or errors:
        present = set(zip(rs, cs))
        for r, c in sorted(set(errors) - present):
            rs.append(r)
            cs.append(c)
            values.append(errors[r, c])
            raws.append(errors[r, c])
            flags.append(False)
        for r, c in sorted(uncached - present - set(errors)):
            rs.append(r)
            cs.append(c)
            values.append(None)
            raws.append("")
            flags.append(True)
        order = sorted(range(len(rs)), key=lambda k: (rs[k], cs[k]))
        rs, cs, values, raws, flags = ([seq[k] for k in order]
                                       for seq in (rs, cs, values, raws, flags))
    letters = {c: column_letters(c) for c in set(cs)}
    sheets, row_numbers, col_numbers, addresses, value_column, raw_column, flag_column = columns
    sheets.extend([sheet] * len(rs))
    row_numbers.extend(rs)
    col_numbers.extend(cs)
    addresses.extend([f"{letters[c]}{r}" for r, c in zip(rs, cs)])
    value_column.extend(values)
    raw_column.extend(raws)
    flag_column.extend(flags)

"""A workbook's cells as plain records, laid out by sheet, row and column (the cleaner's view of a sheet)."""
from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

import pandas as pd


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


def grid_cells(grid: Grid, first_row: int = 0, last_row: int | None = None) -> list[Cell]:
    """The cells of a grid between two rows (inclusive; the rows after ``last_row`` are not
    looked at: a grid's rows are ascending)."""
    cells: list[Cell] = []
    for row, cols in grid.items():
        if last_row is not None and row > last_row:
            break
        if row >= first_row:
            cells.extend(cols.values())
    return cells


def is_number_like(value: object) -> bool:
    """True for a numeric cell value (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)

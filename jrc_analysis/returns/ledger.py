"""The ledger of one file: every cell gets a fate (a value, named in an issue, or ignored), counted.

:func:`finish` turns a ledger into the :class:`~jrc_analysis.returns.tidy.CleanResult`, its
accounting proving that ``cells read = values + in issues + ignored``.
"""
from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from itertools import groupby, islice
from operator import itemgetter
from typing import Iterable

from jrc_analysis.issues import Issue, warning
from jrc_analysis.returns import mappings as taught
from jrc_analysis.returns import names
from jrc_analysis.returns.grid import Cell, is_number_like
from jrc_analysis.returns.tidy import TIDY_COLUMNS, Accounting, CleanResult, ReturnInfo, readable, where


# the tidy columns the ledger keeps per row (year, prefecture and source file are the file's)
ROW_COLUMNS = ("county", "indicator", "value", "unit", "sheet", "cell", "raw")


class Places:
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

    def difference(self, *others: Places) -> Places:
        """The places not in any of ``others``."""
        out = Places()
        for sheet, addresses in self.by_sheet.items():
            rest = addresses.difference(*(other.by_sheet.get(sheet, ()) for other in others))
            if rest:
                out.by_sheet[sheet] = rest
        return out

    def pairs(self) -> set[tuple[str, str]]:
        return {(sheet, cell) for sheet, addresses in self.by_sheet.items() for cell in addresses}


def places_of(records: list[Cell]) -> Places:
    """The places of a workbook's records."""
    places = Places()
    for sheet, cells in groupby(records, key=_SHEET):
        places.of(sheet).update(map(_CELL, cells))
    return places


_SHEET, _CELL = (itemgetter(Cell._fields.index(name)) for name in ("sheet", "cell"))


@dataclass
class Ledger:
    """Collects values, issues (with the cells each covers) and ignored cells of one file."""

    source_file: str
    # the tidy values taken, one list per column of ROW_COLUMNS (a row: the same index in each)
    columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in ROW_COLUMNS})
    places: list[int] = field(default_factory=list)  # each row's place in the file's order
    issues: list[Issue] = field(default_factory=list)
    covered: Places = field(default_factory=Places)
    ignored: Places = field(default_factory=Places)
    used: Places = field(default_factory=Places)
    withdrawn: set[int] = field(default_factory=set)  # rows taken back (:meth:`withdraw`)
    mappings: object = None  # mappings.Mappings (the analyst's lines) or None
    unmatched: list = field(default_factory=list)  # mappings.Unmatched, for ``jrc check --suggest``
    similar: dict = field(default_factory=dict)  # label key → mappings.Unmatched read by similarity, and its count

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

    def unmatched_advice(self, kind: str, text: str, sheet: str, cell: str, candidates) -> str:
        """Record a label no code (``kind`` indicator) or county (``place``) was found for; the
        sentence its ``clean.unmatched_*`` issue carries: the closest candidates and the exact
        line to add to the mappings file."""
        self.unmatched.append(taught.Unmatched(kind, text, self.source_file, sheet, cell, tuple(candidates)))
        source = self.mappings.source if self.mappings is not None else "data/mappings.csv"
        return taught.unmatched_advice(kind, text, candidates, source)

    def read_by_similarity(self, text: str, found, sheet: str, cell: str) -> None:
        """Note a label (at ``sheet``/``cell``) read as ``found.code`` by the scored match alone
        (``found.how`` ``scored`` or ``contained``; not its name, an alias, a code or a mappings
        line): :func:`finish` names each such label once per file, for the analyst to confirm."""
        key = names.label_key(text)
        seen = self.similar.get(key)
        if seen is None:
            self.similar[key] = (taught.Unmatched("indicator", text, self.source_file, sheet, cell,
                                                  tuple(found.candidates), found.code), 1)
        else:
            self.similar[key] = (seen[0], seen[1] + 1)

    def withdraw(self, index: int, sheet: str, cell: str) -> None:
        """Take back the tidy row at ``index`` (from ``sheet``/``cell``): the cell is then no
        longer used (an issue must name it)."""
        self.withdrawn.add(index)
        self.used.of(sheet).discard(cell)

    def sorted_columns(self, info: ReturnInfo) -> dict[str, list]:
        """The tidy values in the file's order (withdrawn rows left out), one list per column
        of :data:`TIDY_COLUMNS`; year and prefecture are the return's (``info``), the source
        file the ledger's. The columns taken are used as they are when the rows were taken in
        that order (no value is touched again), else rearranged."""
        places, withdrawn = self.places, self.withdrawn
        if not withdrawn and all(map(operator.le, places, islice(places, 1, None))):
            rows = self.columns
        else:
            order = sorted(range(len(places)), key=places.__getitem__)
            if withdrawn:
                order = [i for i in order if i not in withdrawn]
            rows = {name: [column[i] for i in order] for name, column in self.columns.items()}
        count = len(rows["value"])
        file_wide = {"year": [info.year] * count, "prefecture": [info.prefecture] * count,
                     "source_file": [self.source_file] * count}
        return {name: file_wide[name] if name in file_wide else rows[name] for name in TIDY_COLUMNS}


def _records_at(cells: list[Cell], places: Places) -> list[Cell]:
    """The records at ``places``, in order."""
    if not places.by_sheet:
        return []
    return [rec for rec in cells if (rec.sheet, rec.cell) in places]


def finish(ledger: Ledger, cells: list[Cell], places: Places, info: ReturnInfo) -> CleanResult:
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
    for item, count in ledger.similar.values():
        source = ledger.mappings.source if ledger.mappings is not None else "data/mappings.csv"
        elsewhere = f"（本文件另有 {count - 1} 处同样的名称，一并按此读取）" if count > 1 else ""
        ledger.issue(warning(
            "clean.similar_indicator", ledger.source_file,
            f"{where(ledger.source_file, item.sheet, item.cell)}："
            f"{taught.similar_advice(item.text, item.chosen, item.candidates, source)}{elsewhere}。"
            "今后请使用模板中的指标名称。", sheet=item.sheet, cell=item.cell))
    columns = ledger.sorted_columns(info)
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
        similar=tuple(item for item, _count in ledger.similar.values()),
        mapping_lines=ledger.mappings.used_lines() if ledger.mappings is not None else frozenset(),
    )


def _fate_counts(ledger: Ledger, places: Places) -> tuple[int, int]:
    """How many of the cells at ``places`` are named in issues (and not used), and how many
    are ignored (and neither used nor in issues)."""
    in_issues = ignored = 0
    for sheet, addresses in places.by_sheet.items():
        used = ledger.used.by_sheet.get(sheet, set())
        covered = (ledger.covered.by_sheet.get(sheet, set()) - used) & addresses
        in_issues += len(covered)
        ignored += len(ledger.ignored.by_sheet.get(sheet, set()).difference(used, covered) & addresses)
    return in_issues, ignored

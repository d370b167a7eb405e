"""Issues: what is wrong with a return, said so that the prefecture can fix it.

Every stage reports problems as :class:`Issue` records instead of raising; the ingest collects
them all in one pass into ``issues.csv`` (columns :data:`ISSUE_COLUMNS`). Messages are Chinese and
name what was found and what was expected; ``source_file``/``sheet``/``cell`` say where.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
ISSUE_COLUMNS = ["severity", "code", "source_file", "sheet", "cell", "message"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a return.

    ``code`` is a stable dotted identifier (``read.encrypted``, ``clean.unmatched_indicator``,
    ``validate.cash_plus_in_kind``); tests and the feedback workbooks rely on it.
    ``sheet`` and ``cell`` are empty strings when the issue concerns the whole file or sheet.
    """

    severity: Severity
    code: str
    source_file: str
    sheet: str
    cell: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in ("error", "warning"):
            raise ValueError(f"severity must be 'error' or 'warning', not {self.severity!r}")


def error(code: str, source_file: str, message: str, sheet: str = "", cell: str = "") -> Issue:
    """An error: the cell (or file) cannot be used as it is."""
    return Issue("error", code, source_file, sheet, cell, message)


def warning(code: str, source_file: str, message: str, sheet: str = "", cell: str = "") -> Issue:
    """A warning: the value is used, but someone should look at it."""
    return Issue("warning", code, source_file, sheet, cell, message)


def issue_order(issue: Issue) -> tuple:
    """The stable order of issues everywhere (file, sheet, severity, code, cell by row then column,
    message): lists, ``issues.csv`` and feedback workbooks agree."""
    return (issue.source_file, issue.sheet, issue.severity, issue.code, cell_order(issue.cell),
            issue.message)


def cell_order(cell: str) -> tuple[int, str]:
    """``"AB12"`` → ``(12, " AB")``: cells by row, then column (letters right-aligned)."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, letters.rjust(3))


class UsageError(Exception):
    """A problem with how a command or function was called, for people (Chinese message; the
    ``jrc`` command exits 2)."""

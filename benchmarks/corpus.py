"""Synthetic corpora of N returns for the benchmarks, and the values they were written with.

A corpus of N files is built from the sample returns' values (:func:`jrc_analysis.returns.samples.sample_truth`),
copied and re-labelled: file ``i`` is reporting unit ``i % 12``; its year cycles over ``2022 …``
(at most :data:`MAX_YEARS` years, each year taking the values of 2022, 2023 or 2024 in turn); past
``12 × MAX_YEARS`` files the same returns come again as resubmissions (``…_v2``, ``…_v3``: same
bytes, a higher revision marker in the name, so exactly one file per unit and year counts).
Every unit and year is written once with :func:`jrc_analysis.returns.samples.write_return` in one of
:data:`STYLES` (the blank return filled in as is, the sample files' hand-made variants, .xls,
.ods, 万元, numbers typed as text, county sheets included); resubmissions are byte copies.

Distinct returns are written once into ``_work/distinct/`` and linked (or copied) into each
``_work/n<N>/`` folder, so a second run generates nothing. :func:`expected_values` is the simple
reference path: the values each winning file was written with, in the catalogue's base unit.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from jrc_analysis.plan import catalog
from jrc_analysis.returns.samples import SAMPLE_FILES, ReturnStyle, sample_truth, write_return

WORK = Path(__file__).resolve().parent / "_work"
FIRST_YEAR = 2022
MAX_YEARS = 30  # distinct years written; beyond 12 × 30 files, resubmissions
BASE_YEARS = (2022, 2023, 2024)
KEY = ["year", "prefecture", "county", "indicator"]
EXTENSIONS = {"xlsx": "xlsx", "xls": "xls", "ods": "ods"}

# The blank return as is (four times: the common case), then every hand-made sample variant,
# re-labelled (unit_label None: the 填报单位 line names the unit the file is for).
# the seven hand-made variants the corpus was defined with (issue 7): sample layouts added later
# (issue 12's) are left out, so that runs of different commits read the same corpus
CORPUS_SAMPLE_STYLES = 7
STYLES = [ReturnStyle()] * 4 + [replace(f["style"], unit_label=None) for f in SAMPLE_FILES[:CORPUS_SAMPLE_STYLES]]


@dataclass(frozen=True)
class PlannedFile:
    """One file of a corpus: where it goes, what it says, which distinct return it copies."""

    name: str        # relative to the corpus folder, e.g. ``2023/2023年度_南昌市_….xlsx``
    distinct: str    # relative to ``_work/distinct``
    prefecture: str
    year: int
    base_year: int   # whose sample values it carries
    style: int       # index into STYLES
    revision: int    # 1 for the first submission


def year_of(k: int) -> int:
    """The year of the k-th group of 12 files (k counts from 0)."""
    return FIRST_YEAR + k % MAX_YEARS


def plan(n: int) -> list[PlannedFile]:
    """The ``n`` files of a corpus, in order."""
    units = catalog.reporting_units()
    files = []
    for i in range(n):
        u, k = i % len(units), i // len(units)
        unit, year, revision = units[u], year_of(k), k // MAX_YEARS + 1
        style = (u + k % MAX_YEARS) % len(STYLES)  # a resubmission copies its first file
        ext = EXTENSIONS[STYLES[style].fmt]
        stem = f"{year}年度_{unit}_三年行动完成情况表"
        distinct = f"{year}/{stem}.{ext}"
        name = distinct if revision == 1 else f"{year}/{stem}_v{revision}.{ext}"
        files.append(PlannedFile(name, distinct, unit, year, BASE_YEARS[(year - FIRST_YEAR) % 3],
                                 style, revision))
    return files


def _unit_values(truth: pd.DataFrame, year: int, unit: str) -> pd.DataFrame:
    part = truth[(truth["year"] == year) & (truth["prefecture"] == unit)]
    return part[["indicator", "county", "value"]].reset_index(drop=True)


def write_distinct(files: list[PlannedFile], log=print) -> int:
    """Write every distinct return not yet in ``_work/distinct``; the number written."""
    truth = sample_truth()
    todo = {f.distinct: f for f in files if f.revision == 1 and not (WORK / "distinct" / f.distinct).exists()}
    for j, f in enumerate(todo.values(), start=1):
        values = _unit_values(truth, f.base_year, f.prefecture)
        before = f.base_year - 1 if f.base_year - 1 in BASE_YEARS else None
        previous = _unit_values(truth, before, f.prefecture) if before else None
        write_return(values, WORK / "distinct" / f.distinct, f.year, f.prefecture, STYLES[f.style],
                     previous=previous)
        if j % 50 == 0:
            log(f"  生成报表 {j}/{len(todo)}")
    return len(todo)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def build(n: int, log=print) -> Path:
    """The folder of an ``n``-file corpus (built on first use); distinct returns written once."""
    folder = WORK / f"n{n}"
    files = plan(n)
    stamp = folder / ".complete"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == str(len(files)):
        return folder
    written = write_distinct(files, log)
    if written:
        log(f"  新生成不同的报表 {written} 个")
    if folder.exists():
        shutil.rmtree(folder)
    for f in files:
        _link(WORK / "distinct" / f.distinct, folder / f.name)
    stamp.write_text(str(len(files)), encoding="utf-8")
    return folder


def corpus_files(folder: Path) -> list[Path]:
    """The return files of a corpus folder (sorted; the stamp file excluded)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def expected_values(n: int) -> pd.DataFrame:
    """The reference path: ``year, prefecture, county, indicator, value`` of every winning file,
    straight from the values the files were written with (re-labelled to the file's year)."""
    truth = sample_truth()
    frames = []
    for f in plan(n):
        if f.revision != 1:
            continue  # a resubmission carries the same values as the first file
        part = truth[(truth["year"] == f.base_year) & (truth["prefecture"] == f.prefecture)]
        frames.append(part.assign(year=f.year))
    frame = pd.concat(frames, ignore_index=True)[KEY + ["value"]]
    return normalised(frame)


def normalised(values: pd.DataFrame) -> pd.DataFrame:
    """Key and value columns only, typed alike and sorted, for an exact comparison."""
    out = values[KEY + ["value"]].astype({"year": "int64", "prefecture": str, "county": str,
                                          "indicator": str, "value": "float64"})
    return out.sort_values(KEY, kind="stable").reset_index(drop=True)

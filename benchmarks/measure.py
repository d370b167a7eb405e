"""One measurement in a fresh process: ``python benchmarks/measure.py TASK FOLDER [OUT]``.

Prints one JSON line: ``seconds`` (wall time of the task itself, imports excluded), ``files``,
``rss_before_mb`` (resident memory after the imports), ``peak_mb`` (the process's peak resident
memory, ``ru_maxrss``), ``workers_peak_mb`` (the largest peak of its worker processes, 0 without
workers) and task-specific fields (``digest``: SHA-256 of the tidy values, to compare
two paths). A fresh process per run: every run pays the same first-file costs a user pays.

Tasks (FOLDER is a corpus folder, OUT a scratch folder):
- ``ingest``       — ``load_returns`` + ``write_outputs`` (the product's full ingest, as ``jrc ingest``
  runs it: every CPU from ``ingest.POOL_MIN_FILES`` files on);
- ``ingest_serial`` — the same in one process (``jobs=1``);
- ``openpyxl``     — ``pandas.read_excel(sheet_name=None)`` per file: openpyxl for .xlsx, odf for
  .ods, calamine for .xls (xlrd is not installed; openpyxl cannot read .xls);
- ``calamine``     — ``CalamineWorkbook.from_path(p)`` and ``.to_python()`` of every sheet;
- ``serial_read``  — ``load_returns(folder, jobs=1)``: the product's reading in one process;
- ``pool_read``    — ``load_returns(folder, jobs=os.cpu_count())``: the product's process pool;
- ``briefing``     — ``run_briefing`` on FOLDER (a raw folder) into OUT;
- ``render``       — every briefing chart rendered once, timed one by one (``per_figure``).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pandas as pd  # noqa: E402

from corpus import corpus_files  # noqa: E402
from jrc_analysis.returns import ingest  # noqa: E402

WORKBOOK_SUFFIXES = {".xlsx", ".xls", ".ods", ".xlsm"}


def rss_mb() -> float:
    """Current resident memory of this process (Linux ``/proc``), MB."""
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process so far (``ru_maxrss`` is in KB on Linux), MB; with
    ``RUSAGE_CHILDREN``, the largest peak among its finished child processes."""
    return resource.getrusage(who).ru_maxrss / 1024


def values_digest(values: pd.DataFrame) -> str:
    """SHA-256 of the tidy values in a canonical order (every column, as text)."""
    ordered = values.astype(str).sort_values(list(values.columns), kind="stable")
    return hashlib.sha256(ordered.to_csv(index=False).encode("utf-8")).hexdigest()


def workbooks(folder: Path) -> list[Path]:
    return [p for p in corpus_files(folder) if p.suffix in WORKBOOK_SUFFIXES]


def task_ingest(folder: Path, out: Path, jobs: int | None = None) -> dict:
    result = ingest.load_returns(folder, jobs=jobs)
    ingest.write_outputs(result, out)
    workers = jobs or ingest.default_jobs(len(result.returns))
    return {"values": len(result.values), "issues": len(result.issues), "workers": workers}


def task_ingest_serial(folder: Path, out: Path) -> dict:
    return task_ingest(folder, out, jobs=1)


def task_openpyxl(folder: Path, out: Path) -> dict:
    engines = {".xlsx": "openpyxl", ".ods": "odf", ".xls": "calamine"}
    cells = 0
    for path in workbooks(folder):
        sheets = pd.read_excel(path, sheet_name=None, engine=engines[path.suffix], header=None)
        cells += sum(int(s.notna().sum().sum()) for s in sheets.values())
    return {"cells": cells}


def task_calamine(folder: Path, out: Path) -> dict:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in workbooks(folder):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            cells += sum(1 for row in rows for v in row if v != "")
    return {"cells": cells}


def _load_values(folder: Path, jobs: int) -> pd.DataFrame:
    from jrc_analysis.returns.ingest import load_returns

    with contextlib.redirect_stderr(io.StringIO()):
        return load_returns(folder, jobs=jobs).values


def task_serial_read(folder: Path, out: Path) -> dict:
    values = _load_values(folder, jobs=1)
    return {"values": len(values), "digest": values_digest(values), "workers": 1}


def task_pool_read(folder: Path, out: Path) -> dict:
    workers = os.cpu_count() or 1
    values = _load_values(folder, jobs=workers)
    return {"values": len(values), "digest": values_digest(values), "workers": workers}


def task_briefing(folder: Path, out: Path) -> dict:
    from jrc_analysis.report.briefing import run_briefing

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = run_briefing(None, raw_dir=folder, processed_dir=out / "processed",
                            figures_dir=out / "figures")
    figures = sum(1 for _ in (out / "figures").rglob("*.png"))
    return {"exit_code": code, "figures": figures}


def task_render(folder: Path, out: Path) -> dict:
    from jrc_analysis.analysis.analysis import analyse
    from jrc_analysis.report import briefing

    tables = analyse(raw_dir=folder, processed_dir=out / "processed")
    year = tables.year
    per_figure = {}
    for spec in tables.charts:
        started = time.perf_counter()
        briefing.render_chart(spec, tables)
        per_figure[spec.name] = time.perf_counter() - started
    return {"per_figure": per_figure, "year": year}


TASKS = {"ingest": task_ingest, "ingest_serial": task_ingest_serial, "openpyxl": task_openpyxl, "calamine": task_calamine,
         "serial_read": task_serial_read, "pool_read": task_pool_read,
         "briefing": task_briefing, "render": task_render}


def main(argv: list[str]) -> int:
    task, folder = argv[0], Path(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else folder.parent / f"_out_{task}"
    out.mkdir(parents=True, exist_ok=True)
    before = rss_mb()
    started = time.perf_counter()
    extra = TASKS[task](folder, out)
    seconds = time.perf_counter() - started
    report = {"task": task, "seconds": seconds, "files": len(workbooks(folder)),
              "rss_before_mb": round(before, 1), "peak_mb": round(peak_mb(), 1),
              "workers_peak_mb": round(peak_mb(resource.RUSAGE_CHILDREN), 1), **extra}
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

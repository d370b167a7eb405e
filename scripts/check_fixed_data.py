"""Prove that the tests guard the code, not the analyst's data: ``make check-fixed-data``.

Copies the project (the files git tracks, plus new untracked ones) to a temporary folder, changes
its ``data/raw`` the way an office does — one number of a 2024 return corrected, and a return for
a new year (2025) added — and runs the unit tests and nbval there. Both must pass: they read the
fixed data set in ``tests/data/raw``, never ``data/raw``.

    .venv/bin/python scripts/check_fixed_data.py          # exit 0: green with changed data/raw

The copy imports its own ``jrc_analysis`` (``PYTHONPATH``), so the run checks the working tree;
the temporary folder is removed afterwards.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CHANGED_RETURN = Path("data/raw/2024/2024年度_南昌市_目标任务完成情况表.xlsx")
SUMMARY_SHEET = "汇总表"


def tracked_files(project: Path) -> list[str]:
    """Files git tracks and untracked files not ignored, relative to ``project``."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=project, check=True, capture_output=True).stdout
    return sorted({name for name in out.decode("utf-8").split("\0") if name})


def copy_project(project: Path, target: Path) -> None:
    """The project's files (see :func:`tracked_files`) under ``target``."""
    for name in tracked_files(project):
        source = project / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def change_one_number(path: Path) -> tuple[str, float, float]:
    """Add 1000 to the first number in the 完成数 column of the summary sheet; (cell, old, new)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book[SUMMARY_SHEET]
    for row in sheet.iter_rows():
        for cell in row:
            header = sheet.cell(row=5, column=cell.column).value or ""
            if cell.row > 5 and "完成数" in str(header) and isinstance(cell.value, (int, float)):
                old = float(cell.value)
                cell.value = old + 1000
                book.save(path)
                return cell.coordinate, old, old + 1000
    raise SystemExit(f"{path}: no number found in the 完成数 column")


def add_new_year(raw: Path) -> Path:
    """A 2025 return for 南昌市 with two values (a year the fixed data set does not have)."""
    import pandas as pd

    from jrc_analysis.returns import samples

    values = pd.DataFrame([{"indicator": "grassroots.new_orgs", "county": "", "value": 77.0},
                           {"indicator": "first_aid.aed_new", "county": "", "value": 55.0}])
    path = raw / "2025" / "2025年度_南昌市_目标任务完成情况表.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    return samples.write_return(values, path, 2025, "南昌市")


def run(command: list[str], cwd: Path, env: dict) -> int:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=cwd, env=env).returncode


def main() -> int:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="jrc-fixed-data-") as tmp:
        copy = Path(tmp) / "project"
        copy_project(PROJECT, copy)
        cell, old, new = change_one_number(copy / CHANGED_RETURN)
        added = add_new_year(copy / "data" / "raw")
        print(f"data/raw changed in the copy: {CHANGED_RETURN.name} {SUMMARY_SHEET}!{cell} "
              f"{old:g} → {new:g}; added {added.relative_to(copy).as_posix()}", flush=True)
        env = {k: v for k, v in os.environ.items() if k not in ("JRC_DATA_ROOT", "JRC_FIGURES_ROOT")}
        env["PYTHONPATH"] = str(copy)
        codes = {
            "unit tests": run([python, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
                               "-x"], copy, env),
            "nbval": run([python, "-m", "pytest", "--nbval", "notebooks", "--nbval-sanitize-with",
                          "notebooks/sanitize.cfg", "-p", "no:cacheprovider", "-q"], copy, env),
        }
    for name, code in codes.items():
        print(f"{name}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return 0 if all(code == 0 for code in codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The tests and nbval read the fixed data set (tests/data/raw), never the analyst's data/raw.

The full proof runs the suite on a copy of the project whose data/raw was changed
(``make check-fixed-data``, scripts/check_fixed_data.py); these are the quick guards."""
from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

from fixed_data import FIXED_DATA, FIXED_RAW
from jrc_analysis import config

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
# a path built from the project root into its data folder: PROJECT_ROOT / "data", PROJECT / "data"
PROJECT_DATA = re.compile(r"PROJECT\w*\s*/\s*[\"']data[\"']")


def test_the_session_points_the_data_root_at_the_fixed_set():
    assert Path(os.environ["JRC_DATA_ROOT"]) == FIXED_DATA
    assert config.raw_dir() == FIXED_RAW
    assert FIXED_RAW != config.PROJECT_ROOT / "data" / "raw"


def test_the_fixed_set_holds_the_three_sample_years():
    years = sorted(p.name for p in FIXED_RAW.iterdir() if p.is_dir())
    assert years == ["2022", "2023", "2024"]
    assert len([p for p in FIXED_RAW.rglob("*") if p.is_file()]) == 39  # 38 files + README.md


def test_no_test_module_builds_a_path_into_the_projects_data_folder():
    offenders = [p.name for p in sorted(TESTS.glob("*.py")) if p.name != Path(__file__).name
                 and PROJECT_DATA.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_nbval_runs_the_notebooks_on_the_fixed_set(monkeypatch):
    monkeypatch.setenv("JRC_DATA_ROOT", "/somewhere/else")
    runpy.run_path(str(PROJECT / "notebooks" / "conftest.py"))
    assert Path(os.environ["JRC_DATA_ROOT"]) == FIXED_DATA


def test_make_notebooks_executes_them_on_the_fixed_set():
    built = runpy.run_path(str(PROJECT / "notebooks" / "build_notebooks.py"))
    assert Path(built["FIXED_DATA"]) == FIXED_DATA

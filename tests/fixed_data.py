"""Where the tests' fixed data set lives (``tests/data/raw``), and nothing else.

The unit tests and nbval read the returns from here, never from the project's ``data/raw``: that
folder is the analyst's and changes whenever a return arrives or is corrected, and the tests must
guard the code, not those numbers. See ``tests/data/README.md``.
"""
from __future__ import annotations

from pathlib import Path

FIXED_DATA = Path(__file__).resolve().parent / "data"
FIXED_RAW = FIXED_DATA / "raw"

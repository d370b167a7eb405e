"""nbval runs the notebooks on the tests' fixed data set (``tests/data/raw``), never on ``data/raw``.

The kernels nbval starts inherit this process's environment, so ``JRC_DATA_ROOT`` set here moves
the notebooks' ``explore.load()`` (raw returns and its cache) to ``tests/data``: the stored outputs
were made from that set by ``make notebooks``, and the analyst's returns in ``data/raw`` can change
without turning the notebook tests red.
"""
from __future__ import annotations

import os
from pathlib import Path

FIXED_DATA = Path(__file__).resolve().parents[1] / "tests" / "data"

os.environ["JRC_DATA_ROOT"] = str(FIXED_DATA)

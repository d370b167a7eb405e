"""jrc_analysis — the Jiangxi Red Cross Society's action-plan analytics.

Raw returns → tidy values → the analysis of a year → the briefing (see docs/architecture.md).

The entry points, importable from the package itself::

    import jrc_analysis as jrc
    a = jrc.analyse(2023)      # Analysis: tables cut at 2023, the chart plan, the sentences
    a.province                 # the province gap table (pandas)
    a.reading("fundraising.total")
    jrc.views.indicator_figures(a, "fundraising.total")   # the briefing's charts of it

- ``analyse(year=None)`` / ``Analysis`` / ``AnalysisError`` — the one analysis behind the briefing,
  the annex, the page and every notebook (:mod:`jrc_analysis.analysis.analysis`);
- ``load_plan()`` / ``Plan`` — the plan's reference data (:mod:`jrc_analysis.plan`);
- ``load()`` — tidy values and full gap tables, cached (:mod:`jrc_analysis.analysis.explore`);
- ``read_return()``, ``load_returns()`` — the cleaning of returns (:mod:`jrc_analysis.returns.ingest`);
- ``province_gaps()``, ``prefecture_gaps()`` — gap tables (:mod:`jrc_analysis.analysis.gaps`);
- ``run_briefing()`` — ``jrc briefing`` (:mod:`jrc_analysis.report.briefing`);
- modules ``catalog``, ``gaps``, ``explore``, ``charts``, ``views``.

Everything is imported on first use, so ``import jrc_analysis`` (and the ``jrc`` command) stays fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "analyse": "jrc_analysis.analysis.analysis",
    "Analysis": "jrc_analysis.analysis.analysis",
    "AnalysisError": "jrc_analysis.analysis.analysis",
    "load_plan": "jrc_analysis.plan.plan",
    "Plan": "jrc_analysis.plan.plan",
    "load": "jrc_analysis.analysis.explore",
    "read_return": "jrc_analysis.returns.ingest",
    "load_returns": "jrc_analysis.returns.ingest",
    "province_gaps": "jrc_analysis.analysis.gaps",
    "prefecture_gaps": "jrc_analysis.analysis.gaps",
    "run_briefing": "jrc_analysis.report.briefing",
}
_MODULES = {
    "catalog": "jrc_analysis.plan.catalog",
    "gaps": "jrc_analysis.analysis.gaps",
    "explore": "jrc_analysis.analysis.explore",
    "charts": "jrc_analysis.report.charts",
    "views": "jrc_analysis.report.views",
}

__all__ = sorted(_LAZY) + sorted(_MODULES)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'jrc_analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"__version__", "analysis", "config", "plan", "report", "returns"})

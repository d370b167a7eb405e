"""jrc_analysis — the Jiangxi Red Cross Society's action-plan analytics.

Raw returns → cells → tidy values → gaps → charts and the briefing (see docs/architecture.md).
The entry points analysts and other code rely on are importable from the package itself.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["read_return", "load_returns", "province_gaps", "prefecture_gaps", "load"]


def __getattr__(name: str):
    # Lazy re-exports: `import jrc_analysis` stays fast (the CLI and template need no pandas stack).
    if name in ("read_return", "load_returns"):
        from jrc_analysis.returns import ingest

        return getattr(ingest, name)
    if name in ("province_gaps", "prefecture_gaps"):
        from jrc_analysis.analysis import gaps

        return getattr(gaps, name)
    if name == "load":
        from jrc_analysis.analysis.explore import load

        return load
    raise AttributeError(f"module 'jrc_analysis' has no attribute {name!r}")

"""jrc_analysis — the Jiangxi Red Cross Society's action-plan analytics.

Raw returns → cells → tidy values → gaps → charts and the briefing. The public entry points are
re-exported here as the stages land.
"""
from __future__ import annotations

__version__ = "0.1.0"

"""The plan wing: the action plan's reference data (indicators, targets, geography, allocation,
status rules), read by :mod:`~jrc_analysis.plan.catalog` and held together by :class:`Plan`."""
from jrc_analysis.plan.plan import Plan, load_plan

__all__ = ["Plan", "load_plan"]

"""The action plan loaded once: one :class:`Plan` object holding every piece of reference data.

:func:`load_plan` reads the catalogue's CSVs (through :mod:`jrc_analysis.plan.catalog`) once and
keeps them together — indicators, areas, targets, geography, the target allocation (the packaged
population-share assumption or a user's official file) and the status rules — so that the
analysis, the briefing and the notebooks all work from the same tables::

    from jrc_analysis.plan import load_plan
    plan = load_plan()                       # the default allocation (an assumption)
    plan = load_plan("任务分解.xlsx")         # the province's own allocation
    plan.targeted_indicators                 # ['reform.innovation_cases', …]
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from jrc_analysis.plan import catalog


@dataclass(frozen=True, eq=False)
class Plan:
    """The plan's reference data (see :mod:`jrc_analysis.plan.catalog` for each table's columns).

    ``indicators`` (catalogue), ``areas`` (the eight 行动), ``targets`` (one row per indicator and
    year), ``geography`` (units and counties), ``allocation`` (prefecture targets; ``basis`` says
    whether it is the assumption or the user's file), ``status_rules`` (达标 / 未达标 / 未报送 /
    无目标, first match wins) and ``headline`` (the headline indicators, in briefing order).
    """

    indicators: pd.DataFrame
    areas: pd.DataFrame
    targets: pd.DataFrame
    geography: pd.DataFrame
    allocation: pd.DataFrame
    status_rules: pd.DataFrame
    headline: tuple[str, ...]

    @property
    def years(self) -> list[int]:
        """The years the plan sets targets for (2022, 2023, 2024)."""
        return sorted(set(self.targets["year"].astype(int)))

    @property
    def reporting_units(self) -> list[str]:
        """The 11 prefectures in the plan's order, then 省本级."""
        return catalog.reporting_units()

    @property
    def targeted_indicators(self) -> list[str]:
        """Indicators with a target in some year, in catalogue order."""
        have = set(self.targets["indicator"])
        return [code for code in self.indicators["code"] if code in have]

    @property
    def area_of(self) -> dict[str, str]:
        """Indicator code → area code."""
        return dict(zip(self.indicators["code"], self.indicators["area"].astype(str)))

    def allocated_indicators(self, year: int) -> list[str]:
        """Indicators with a prefecture allocation for ``year``, in catalogue order."""
        rows = self.allocation[self.allocation["year"].astype(int) == year]
        have = set(rows["indicator"].astype(str))
        return [code for code in self.indicators["code"] if code in have]

    def __repr__(self) -> str:
        basis = next(iter(dict.fromkeys(self.allocation["basis"].astype(str))), "无")
        years = self.years
        span = f"{years[0]}—{years[-1]}年" if years else "无"
        return (f"Plan（指标 {len(self.indicators)} 项，行动 {len(self.areas)} 项，"
                f"有目标的指标 {len(self.targeted_indicators)} 项，目标年度 {span}，分市目标：{basis}）")


def load_plan(allocation_path: str | os.PathLike | None = None) -> Plan:
    """The plan. Without ``allocation_path`` it is read once per process (the packaged
    population-share allocation, an assumption); a user's ``allocation_path`` (the official
    allocation) is read on every call, so an edited file counts at once; a bad file raises
    ``ValueError`` naming the file and row."""
    if allocation_path is None:
        return _default_plan()
    return _read_plan(allocation_path)


@lru_cache(maxsize=None)
def _default_plan() -> Plan:
    return _read_plan(None)


def _read_plan(allocation_path: str | os.PathLike | None) -> Plan:
    return Plan(
        indicators=catalog.indicators(),
        areas=catalog.areas(),
        targets=catalog.targets(),
        geography=catalog.geography(),
        allocation=catalog.allocation(allocation_path),
        status_rules=catalog.status_rules(),
        headline=catalog.headline_indicators(),
    )

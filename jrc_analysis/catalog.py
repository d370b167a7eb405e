"""The plan as data: indicator catalogue, targets, geography and the target allocation.

Everything here is read from the CSV files in ``jrc_analysis/data/`` (reference data as data, not
dicts in code). Functions return fresh DataFrames with proper dtypes: ``area`` and ``prefecture``
are ordered categoricals in the plan's order, so sorting by them gives the order of the briefing.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from jrc_analysis.config import REFERENCE_DIR

PROVINCE_HQ = "省本级"
ALIAS_SEP = "|"


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def areas() -> pd.DataFrame:
    """The eight action areas (行动) in the plan's order: ``area, name, order``."""
    frame = _read("areas.csv").copy()
    frame["order"] = frame["order"].astype(int)
    frame = frame.sort_values("order", kind="stable").reset_index(drop=True)
    frame["area"] = pd.Categorical(frame["area"], categories=list(frame["area"]), ordered=True)
    return frame


def area_dtype() -> pd.CategoricalDtype:
    """Ordered categorical dtype of area codes, in the plan's order."""
    return pd.CategoricalDtype(list(areas()["area"].astype(str)), ordered=True)


def indicators() -> pd.DataFrame:
    """The indicator catalogue (codes are a contract), in catalogue order.

    Columns: ``code, area, name, unit, measure (flow|stock), value_type (number|bool),
    county_sheet (bool: asked per county in the 县区明细 sheet), aliases (list of str)``, plus the
    catalogue's notes.
    """
    frame = _read("indicators.csv").copy()
    frame["area"] = frame["area"].astype(area_dtype())
    frame["county_sheet"] = frame["county_sheet"].map({"1": True, "0": False}).astype(bool)
    frame["aliases"] = frame["aliases"].map(
        lambda s: [a.strip() for a in s.split(ALIAS_SEP) if a.strip()]
    )
    return frame.reset_index(drop=True)


def geography() -> pd.DataFrame:
    """Reporting units and counties: ``level (prefecture|province_hq|county), name, prefecture,
    population (万人, prefectures only), order, aliases (list of str)``."""
    frame = _read("geography.csv").copy()
    frame["population"] = pd.to_numeric(frame["population"].replace("", None), errors="raise")
    frame["order"] = frame["order"].astype(int)
    frame["aliases"] = frame["aliases"].map(
        lambda s: [a.strip() for a in s.split(ALIAS_SEP) if a.strip()]
    )
    frame["prefecture"] = frame["prefecture"].astype(prefecture_dtype())
    return frame


def prefectures() -> list[str]:
    """The 11 prefecture-level cities in the plan's (geographic) order."""
    geo = _read("geography.csv")
    rows = geo[geo["level"] == "prefecture"].copy()
    rows["order"] = rows["order"].astype(int)
    return list(rows.sort_values("order")["name"])


def reporting_units() -> list[str]:
    """The 12 reporting units: the 11 prefectures, then 省本级."""
    return prefectures() + [PROVINCE_HQ]


def prefecture_dtype() -> pd.CategoricalDtype:
    """Ordered categorical dtype of reporting units (11 prefectures, then 省本级)."""
    return pd.CategoricalDtype(reporting_units(), ordered=True)


def counties(prefecture: str) -> list[str]:
    """The county-level units of ``prefecture`` (canonical name), in the catalogue's order."""
    geo = _read("geography.csv")
    rows = geo[(geo["level"] == "county") & (geo["prefecture"] == prefecture)].copy()
    rows["order"] = rows["order"].astype(int)
    return list(rows.sort_values("order")["name"])

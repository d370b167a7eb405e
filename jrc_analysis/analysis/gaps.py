"""Actuals against the plan: gaps, trends, status, coverage and completeness.

Input is the tidy values table (DESIGN.md's data contract: ``year, prefecture, county, indicator,
value, unit, source_file, sheet, cell, raw``) and the targets (``catalog.targets()``, schema in
docs/architecture.md). Every figure here is computed from those two; nothing is typed in.

Conventions used by every table of this module
----------------------------------------------
* **Totals.** A reporting unit's total is its summary-sheet value (``county == ""``). The province
  total of an indicator is the sum of the 12 reporting units' totals; county rows are never added
  to it. County rows (not ``市本级``) are used only for county-level coverage.
* **Reported.** A unit reported an indicator in a year when it has a total for it. A unit *sent a
  return* in a year when it has any value at all that year. Missing is never zero: a unit that did
  not report gets ``actual`` = NaN and status 未报送; a province total is the sum over the units that
  reported, with ``units_reported``/``units_expected`` and the text ``reported`` ("11/12")
  beside it.
* **Years.** The years present in the values plus the target years up to the latest year with
  values. A year without targets (2025 onward) still gets its trend rows, with status 无目标.
* **Target resolution.** A target with ``timing == "annual"`` applies to its own year. A target with
  ``timing == "by"`` (reach it by year Y) applies to Y (``due`` True) and, as *progress only*, to
  every earlier year of the table (``due`` False): those rows carry ``target``, ``gap`` and
  ``completion`` so charts can show progress, but their status is 无目标, never 未达标. An annual
  target of the same indicator and year takes precedence over a ``by`` target. ``due_year`` says
  which year a row's target is due. In a year no target covers (e.g. 2025) an indicator that has
  targets keeps the ``kind`` (and level, related indicator, threshold for coverage) of its nearest
  target, so ``actual`` means the same thing every year and the trend is comparable; ``target``
  and ``threshold`` are then NaN, ``timing`` "" and the status 无目标.
* **What is compared** (``actual`` against ``target``, by ``kind``):
  ``min`` / ``range`` / no target — the total; ``range`` also gets ``band`` (below / within /
  above ``target``..``target_upper``; achieved at or above the low end).
  ``coverage`` — the number of units at the target's ``level`` (the 11 prefectures, or the 100
  counties) whose value is at least ``threshold``, against the number of units at that level; a
  unit without a value does not meet it (see :func:`coverage_table` for the names).
  ``ratio`` — Σ indicator ÷ Σ ``related_indicator`` over the units that reported both, against
  ``threshold`` (a fraction). ``growth`` — Σ new ÷ (Σ total − Σ new) (``related_indicator`` is the
  new-this-year flow) over the units that reported both, against ``threshold``.
  ``milestone`` at ``level == "unit"`` — the value of the unit(s) in ``scope`` (1 done, 0 not yet)
  against 1; ``units_expected`` is then the number of scope units.
  ``threshold`` is always the plan's own number (targets' ``value``); ``actual_unit`` names the unit
  of ``actual`` (the catalogue unit, 比例 for a fraction, or the kind of unit counted).
* **Status** comes from the published rule table ``jrc_analysis/data/status_rules.csv`` (see
  :func:`status_rules`), applied in its ``order``; the first rule that matches wins. Statuses are
  exactly 达标 / 未达标 / 未报送 / 无目标.
* **Failed returns.** Given ``failed`` (:func:`failed_returns`: the unit-years whose return came
  but gave no value — it could not be read, or had only errors), a unit's 未报送 in those years
  becomes 报表有错误 (:data:`RETURN_FAILED`), ``completeness`` says ``return_failed``, and a count
  such as "11/12" names them: "11/12（赣州市报表有错误）".
* **Trend.** ``yoy_change`` = actual − actual of the year before (NaN if either is missing);
  ``yoy_pct`` = yoy_change ÷ the year before (NaN when that is 0).
* **Cumulative** over the plan's years (first to last target year, 2022–2024), up to the row's
  year: for a flow, the running sum of ``total`` and of the due ``min``/``range`` targets; for a
  stock, never a sum — the year-end level and that year's target. Outside the plan's years, NaN.
* ``gap`` = actual − target; ``completion`` = actual ÷ target (a fraction: 1.95 is 195%), NaN
  without a positive target.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from jrc_analysis.plan import catalog

MET, NOT_MET, NOT_REPORTED, NO_TARGET = "达标", "未达标", "未报送", "无目标"
STATUSES = (MET, NOT_MET, NOT_REPORTED, NO_TARGET)
# a unit whose return came but gave no value (unreadable, broken, every value refused): shown
# instead of 未报送 when the tables are given the ingest's failed returns (:func:`failed_returns`)
RETURN_FAILED = "报表有错误"
COUNTY_HQ = "市本级"
PROVINCE_LABEL = "全省"
DIGITS = 9  # comparisons are made on values rounded to this many decimals (float noise)

FUNDRAISING_TOTAL = "fundraising.total"
FUNDRAISING_PARTS = {"cash": "fundraising.cash", "in_kind": "fundraising.in_kind",
                     "online": "fundraising.online"}

TARGET_COLUMNS = ["indicator", "year", "kind", "value", "upper", "level", "timing",
                  "related_indicator", "scope", "wording", "sentence"]
RESOLVED_COLUMNS = ["indicator", "year", "kind", "threshold", "threshold_upper", "level", "timing",
                    "related_indicator", "scope", "due_year", "due"]
PROVINCE_COLUMNS = [
    "area", "indicator", "name", "unit", "measure", "kind", "level", "timing", "due_year", "due",
    "year", "total", "actual", "actual_unit", "threshold", "target", "target_upper", "band", "gap",
    "completion", "status", "yoy_change", "yoy_pct", "cumulative_actual", "cumulative_target",
    "cumulative_completion", "units_reported", "units_expected", "reported",
]
PREFECTURE_COLUMNS = [
    "area", "indicator", "name", "unit", "measure", "kind", "level", "timing", "due_year", "due",
    "year", "prefecture", "returned", "total", "actual", "actual_unit", "threshold", "target",
    "target_upper", "target_basis", "allocation_share", "band", "gap", "completion", "status",
    "yoy_change", "yoy_pct", "cumulative_actual", "cumulative_target", "cumulative_completion",
    "share", "rank", "completion_rank", "units_reported", "units_expected", "reported",
]
COVERAGE_COLUMNS = [
    "area", "indicator", "name", "year", "level", "timing", "due_year", "due", "threshold",
    "units_expected", "units_meeting", "share", "units_missing", "missing_text", "units_reported",
    "status",
]
COMPLETENESS_COLUMNS = ["year", "prefecture", "returned", "indicators_reported",
                        "indicators_expected", "indicators_blank", "blank_indicators", "blank_text",
                        "return_failed"]
RATE_COLUMNS = ["area", "indicator", "name", "year", "units_reported", "units_expected", "rate",
                "reported"]
MIX_COLUMNS = ["prefecture", "year", "total", "cash", "in_kind", "online", "cash_share",
               "in_kind_share", "online_share", "cash_share_change", "online_share_change",
               "cash_share_trend", "units_reported"]

LEVEL_LABELS = {"prefecture": "个设区市", "county": "个县（市、区）"}
FRACTION_LABEL = "比例"
_OPERATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
              "==": operator.eq}


# --- reference data -------------------------------------------------------------------------

def status_rules() -> pd.DataFrame:
    """The published status rules, in the order they are applied (:func:`catalog.status_rules`:
    ``order, kind, test, operator, threshold, status, condition``)."""
    return catalog.status_rules()


@lru_cache(maxsize=None)
def _units() -> tuple[str, ...]:
    """The 12 reporting units (cached)."""
    return tuple(catalog.reporting_units())


@lru_cache(maxsize=None)
def _prefectures() -> tuple[str, ...]:
    """The 11 prefectures (cached)."""
    return tuple(catalog.prefectures())


def _catalogue() -> pd.DataFrame:
    """Catalogue columns used here, with the catalogue position for sorting."""
    return _catalogue_cached().copy()


@lru_cache(maxsize=None)
def _catalogue_cached() -> pd.DataFrame:
    ind = catalog.indicators()[["code", "area", "name", "unit", "measure"]].copy()
    ind = ind.rename(columns={"code": "indicator"})
    ind["position"] = np.arange(len(ind))
    return ind


def _level_units() -> pd.DataFrame:
    """Units a coverage target can be about: ``level, unit, prefecture, unit_order``."""
    return _level_units_cached().copy()


@lru_cache(maxsize=None)
def _level_units_cached() -> pd.DataFrame:
    geo = catalog.geography()
    geo = geo[geo["level"].isin(["prefecture", "county"])]
    units = pd.DataFrame({
        "level": geo["level"].astype(str).to_numpy(),
        "unit": geo["name"].astype(str).to_numpy(),
        "prefecture": geo["prefecture"].astype(str).to_numpy(),
        "unit_order": geo["order"].to_numpy(),
    })
    pref_order = {p: i for i, p in enumerate(_prefectures())}
    units["pref_order"] = units["prefecture"].map(pref_order)
    units = units.sort_values(["level", "pref_order", "unit_order"], kind="stable")
    units["unit_order"] = np.arange(len(units))
    return units.drop(columns="pref_order").reset_index(drop=True)


# --- inputs ---------------------------------------------------------------------------------

def _clean_values(values: pd.DataFrame) -> pd.DataFrame:
    """Values with plain dtypes, reporting units and catalogue indicators only, no empty values."""
    out = pd.DataFrame({
        "year": pd.to_numeric(values["year"], errors="coerce"),
        "prefecture": values["prefecture"].astype(str),
        "county": values["county"].astype(object).where(values["county"].notna(), "").astype(str),
        "indicator": values["indicator"].astype(str),
        "value": pd.to_numeric(values["value"], errors="coerce"),
    })
    known = (out["prefecture"].isin(_units())
             & out["indicator"].isin(set(_catalogue_cached()["indicator"]))
             & out["year"].notna() & out["value"].notna())
    out = out[known].copy()
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


def _inputs(values: pd.DataFrame,
            targets: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean values and clean targets (``catalog.targets()`` when ``targets`` is None)."""
    targets = catalog.targets() if targets is None else targets
    return _clean_values(values), _clean_targets(targets)


def _clean_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Targets with numeric ``year/value/upper`` and empty strings for missing text."""
    out = targets.copy()
    for column in TARGET_COLUMNS:
        if column not in out.columns:
            out[column] = ""
    out = out[TARGET_COLUMNS].copy()
    out["year"] = pd.to_numeric(out["year"], errors="coerce")
    out = out[out["year"].notna()].copy()
    out["year"] = out["year"].astype(int)
    for column in ("value", "upper"):
        out[column] = pd.to_numeric(out[column].replace("", None), errors="coerce").astype(float)
    text = ["indicator", "kind", "level", "timing", "related_indicator", "scope"]
    for column in text:
        out[column] = out[column].astype(object).where(out[column].notna(), "").astype(str)
    return out.reset_index(drop=True)


def _totals(v: pd.DataFrame) -> pd.DataFrame:
    v = v[v["county"] == ""]
    out = v.groupby(["year", "prefecture", "indicator"], as_index=False)["value"].sum()
    return out.rename(columns={"value": "total"}).sort_values(
        ["year", "prefecture", "indicator"], kind="stable").reset_index(drop=True)


def _county_rows(v: pd.DataFrame) -> pd.DataFrame:
    v = v[(v["county"] != "") & (v["county"] != COUNTY_HQ)]
    return v.groupby(["year", "prefecture", "county", "indicator"], as_index=False)["value"].sum()


def _returns(v: pd.DataFrame) -> pd.DataFrame:
    return (v[["year", "prefecture"]].drop_duplicates()
            .sort_values(["year", "prefecture"], kind="stable").reset_index(drop=True))


def _period(t: pd.DataFrame) -> tuple[int, int] | None:
    if t.empty:
        return None
    return int(t["year"].min()), int(t["year"].max())


def _years(v: pd.DataFrame, t: pd.DataFrame) -> list[int]:
    value_years = set(v["year"].tolist())
    target_years = set(t["year"].tolist())
    latest = max(value_years) if value_years else max(target_years, default=None)
    if latest is None:
        return []
    return sorted(value_years | {y for y in target_years if y <= latest})


def targets_by_year(targets: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The target that applies to each indicator and year, and how the indicator is measured.

    One row per indicator that has any target × each of ``years``; sorted by indicator and year.
    Columns: ``indicator, year, kind, threshold, threshold_upper, level, timing,
    related_indicator, scope, due_year, due, applies, measure_threshold``. ``applies`` is False
    for a year no target covers (e.g. 2025): such a row borrows the kind, level, related
    indicator, scope and ``measure_threshold`` of the nearest target (the latest earlier one,
    else the earliest later one) so that ``actual`` means the same thing every year, but its
    ``threshold``/``threshold_upper`` are NaN, ``timing`` is "" and ``due_year``/``due`` NA.
    """
    return _resolve(_clean_targets(targets), years)


def _resolve(t: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    columns = RESOLVED_COLUMNS + ["applies", "measure_threshold"]
    if t.empty or not years:
        return pd.DataFrame(columns=columns)
    t = t.rename(columns={"value": "threshold", "upper": "threshold_upper"})
    annual = t[t["timing"] != "by"].assign(due_year=lambda f: f["year"], due=True, priority=0)
    annual = annual[annual["year"].isin(years)]
    by = t[t["timing"] == "by"].merge(pd.DataFrame({"grid_year": years}), how="cross")
    by = by[by["grid_year"] <= by["year"]]
    by = by.assign(due_year=by["year"], year=by["grid_year"], due=by["grid_year"] == by["year"])
    by = by.assign(priority=np.where(by["due"], 1, 2))
    resolved = pd.concat([annual, by.drop(columns="grid_year")], ignore_index=True)
    resolved = (resolved.sort_values(["indicator", "year", "priority", "due_year"], kind="stable")
                .drop_duplicates(["indicator", "year"], keep="first"))
    resolved = resolved.assign(applies=True, measure_threshold=resolved["threshold"])

    filler = (t[["indicator"]].drop_duplicates().merge(pd.DataFrame({"year": years}), how="cross")
              .merge(resolved[["indicator", "year"]], how="left", indicator="__have"))
    filler = filler[filler["__have"] == "left_only"].drop(columns="__have")
    nearest = filler.merge(t.rename(columns={"year": "target_year"}), on="indicator")
    earlier = nearest["target_year"] <= nearest["year"]
    nearest = nearest.assign(
        __side=np.where(earlier, 0, 1),
        __distance=(nearest["year"] - nearest["target_year"]).abs())
    nearest = (nearest.sort_values(["indicator", "year", "__side", "__distance"], kind="stable")
               .drop_duplicates(["indicator", "year"], keep="first"))
    nearest = nearest.assign(measure_threshold=nearest["threshold"], threshold=np.nan,
                             threshold_upper=np.nan, timing="", due_year=pd.NA, due=pd.NA,
                             applies=False)
    out = pd.concat([resolved[columns], nearest[columns]], ignore_index=True)
    out["due_year"] = out["due_year"].astype("Int64")
    out["due"] = out["due"].astype("boolean")
    out["applies"] = out["applies"].astype(bool)
    for column in ("threshold", "threshold_upper", "measure_threshold"):
        out[column] = out[column].astype(float)
    return out.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)


# --- measures -------------------------------------------------------------------------------

def _overwrite(frame: pd.DataFrame, updates: pd.DataFrame, keys: list[str],
               columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` replaced by ``updates`` on the rows whose keys appear there."""
    if updates.empty:
        return frame
    merged = frame.merge(updates[keys + columns], on=keys, how="left", suffixes=("", "__new"),
                         indicator="__hit")
    hit = merged["__hit"].eq("both").to_numpy()
    for column in columns:
        merged[column] = merged[column + "__new"].where(hit, merged[column])
    return merged.drop(columns=[c + "__new" for c in columns] + ["__hit"])


def _paired_totals(totals: pd.DataFrame, resolved: pd.DataFrame) -> pd.DataFrame:
    """Per unit: the indicator's total (``own``) and its related indicator's (``related``) for
    ratio and growth targets; only units that reported both."""
    pairs = resolved.loc[resolved["kind"].isin(["ratio", "growth"]),
                         ["indicator", "year", "kind", "related_indicator"]]
    own = totals.rename(columns={"total": "own"})
    related = totals.rename(columns={"indicator": "related_indicator", "total": "related"})
    out = pairs.merge(own, on=["indicator", "year"]).merge(
        related, on=["related_indicator", "year", "prefecture"])
    return out[["indicator", "year", "kind", "prefecture", "own", "related"]]


def _pair_rate(frame: pd.DataFrame) -> pd.Series:
    """Ratio (own ÷ related) or growth rate (related new ÷ (own total − new))."""
    ratio = frame["own"] / frame["related"].where(frame["related"] != 0)
    base = frame["own"] - frame["related"]
    growth = frame["related"] / base.where(base != 0)
    return pd.Series(np.where(frame["kind"] == "growth", growth, ratio), index=frame.index)


def _coverage_units(v: pd.DataFrame, resolved: pd.DataFrame) -> pd.DataFrame:
    """One row per coverage target × year × unit at its level, with the unit's value and whether
    it meets the threshold: ``indicator, year, level, unit, prefecture, unit_order, value,
    meets``."""
    cov = resolved.loc[resolved["kind"] == "coverage",
                       ["indicator", "year", "level", "measure_threshold"]]
    cov = cov.rename(columns={"measure_threshold": "threshold"})
    rows = cov.merge(_level_units(), on="level")
    totals = _totals(v).rename(columns={"total": "value"})
    pref_values = totals.assign(level="prefecture", unit=totals["prefecture"])
    counties = _county_rows(v)
    county_rows = counties.assign(level="county").rename(columns={"county": "unit"})
    keyed = pd.concat([pref_values, county_rows], ignore_index=True)[
        ["level", "indicator", "year", "prefecture", "unit", "value"]]
    rows = rows.merge(keyed, on=["level", "indicator", "year", "prefecture", "unit"], how="left")
    rows["meets"] = rows["value"].round(DIGITS).ge(rows["threshold"]) & rows["value"].notna()
    rows = rows.sort_values(["indicator", "year", "unit_order"], kind="stable")
    return rows.reset_index(drop=True)


def _coverage_summary(units: pd.DataFrame) -> pd.DataFrame:
    """Per coverage target and year: ``units_expected, units_meeting, units_reported,
    units_missing`` (list of names, in geographic order)."""
    keys = ["indicator", "year"]
    if units.empty:
        return pd.DataFrame(columns=keys + ["units_expected", "units_meeting", "units_reported",
                                            "units_missing"])
    grouped = units.groupby(keys, sort=True)
    summary = grouped.agg(units_expected=("unit", "size"), units_meeting=("meets", "sum"),
                          units_reported=("value", "count")).reset_index()
    missing = (units[~units["meets"]].groupby(keys)["unit"].agg(list)
               .rename("units_missing").reset_index())
    summary = summary.merge(missing, on=keys, how="left")
    summary["units_missing"] = summary["units_missing"].map(
        lambda names: names if isinstance(names, list) else [])
    return summary


def _base_grid(years: list[int], resolved: pd.DataFrame) -> pd.DataFrame:
    """Catalogue × years with the applying target (empty ``kind`` when there is none)."""
    grid = _catalogue().merge(pd.DataFrame({"year": years}, dtype=int), how="cross")
    grid = grid.merge(resolved, on=["indicator", "year"], how="left")
    for column in ("kind", "level", "timing", "related_indicator", "scope"):
        grid[column] = grid[column].fillna("")
    grid["applies"] = grid["applies"].astype(object).where(grid["applies"].notna(), False)
    grid["applies"] = grid["applies"].astype(bool)
    return grid


def _scope_units(resolved: pd.DataFrame) -> pd.DataFrame:
    """Milestones due from named units: ``indicator, year, prefecture`` (one row per scope unit)."""
    due_from_unit = resolved[(resolved["kind"] == "milestone") & (resolved["level"] == "unit")]
    scope = due_from_unit[["indicator", "year", "scope"]].assign(
        prefecture=due_from_unit["scope"].str.split("|"))
    scope = scope.explode("prefecture")
    scope["prefecture"] = scope["prefecture"].str.strip()
    return scope[scope["prefecture"] != ""][["indicator", "year", "prefecture"]]


@dataclass(frozen=True)
class _Basis:
    """What every table is computed from, prepared once per call."""

    years: list[int]
    resolved: pd.DataFrame
    totals: pd.DataFrame
    returns: pd.DataFrame
    coverage_units: pd.DataFrame
    scope: pd.DataFrame
    period: tuple[int, int] | None


def _basis(values: pd.DataFrame, targets: pd.DataFrame | None) -> _Basis:
    v, t = _inputs(values, targets)
    years = _years(v, t)
    resolved = _resolve(t, years)
    return _Basis(years=years, resolved=resolved, totals=_totals(v), returns=_returns(v),
                  coverage_units=_coverage_units(v, resolved), scope=_scope_units(resolved),
                  period=_period(t))


def _province_measures(basis: _Basis) -> pd.DataFrame:
    """Catalogue × years with ``total, actual, target, target_upper, units_reported,
    units_expected`` (the kind-specific comparisons of the module notes)."""
    keys = ["indicator", "year"]
    resolved, totals = basis.resolved, basis.totals
    grid = _base_grid(basis.years, resolved)
    province = totals.groupby(keys).agg(total=("total", "sum"),
                                        units_reported=("total", "size")).reset_index()
    grid = grid.merge(province, on=keys, how="left")
    grid["units_reported"] = grid["units_reported"].fillna(0).astype(int)
    grid["units_expected"] = len(_units())
    grid["actual"] = grid["total"]
    grid["target"] = grid["threshold"]
    grid["target_upper"] = grid["threshold_upper"]

    pairs = _paired_totals(totals, resolved)
    pair_sums = pairs.groupby(keys + ["kind"]).agg(
        own=("own", "sum"), related=("related", "sum"),
        units_reported=("own", "size")).reset_index()
    pair_sums["actual"] = _pair_rate(pair_sums)
    pair_rows = resolved.loc[resolved["kind"].isin(["ratio", "growth"]), keys].merge(
        pair_sums[keys + ["actual", "units_reported"]], on=keys, how="left")
    pair_rows["units_reported"] = pair_rows["units_reported"].fillna(0).astype(int)
    grid = _overwrite(grid, pair_rows, keys, ["actual", "units_reported"])

    coverage = _coverage_summary(basis.coverage_units)
    coverage = coverage.assign(actual=coverage["units_meeting"].astype(float),
                               target=coverage["units_expected"].astype(float),
                               target_upper=np.nan)
    coverage["actual"] = coverage["actual"].where(coverage["units_reported"] > 0)
    grid = _overwrite(grid, coverage, keys,
                      ["actual", "target", "target_upper", "units_reported", "units_expected"])

    scoped = basis.scope.merge(totals, on=keys + ["prefecture"], how="left").groupby(keys).agg(
        actual=("total", "sum"), units_reported=("total", "count"),
        units_expected=("prefecture", "size")).reset_index()
    scoped["actual"] = scoped["actual"].where(scoped["units_reported"] > 0)
    grid = _overwrite(grid, scoped, keys, ["actual", "units_reported", "units_expected"])
    for column in ("units_reported", "units_expected"):
        grid[column] = grid[column].astype(int)
    return grid


def _prefecture_measures(basis: _Basis, allocation: pd.DataFrame) -> pd.DataFrame:
    """Reporting units × catalogue × years with ``returned, total, actual, target, target_upper,
    target_basis, allocation_share``."""
    keys = ["indicator", "year", "prefecture"]
    resolved, totals = basis.resolved, basis.totals
    units = pd.DataFrame({"prefecture": list(_units())})
    grid = _base_grid(basis.years, resolved).merge(units, how="cross")
    grid = grid.merge(totals, on=keys, how="left")
    grid = grid.merge(basis.returns.assign(returned=True),
                      on=["year", "prefecture"], how="left")
    grid["returned"] = grid["returned"].fillna(False).astype(bool)
    grid["actual"] = grid["total"]
    grid["target"] = np.nan
    grid["target_upper"] = np.nan

    alloc = _clean_allocation(allocation)
    allocated = grid.loc[grid["kind"].isin(["min", "range"]),
                         ["indicator", "year", "prefecture", "due_year", "threshold",
                          "threshold_upper", "kind"]]
    allocated = allocated.merge(
        alloc.rename(columns={"year": "due_year"}), on=["indicator", "due_year", "prefecture"])
    scaled_upper = allocated["threshold_upper"] * allocated["allocation_share"]
    allocated["target_upper"] = scaled_upper.where(allocated["kind"] == "range")
    grid["target_basis"] = ""
    grid["allocation_share"] = np.nan
    grid = _overwrite(grid, allocated, keys,
                      ["target", "target_upper", "target_basis", "allocation_share"])

    pairs = _paired_totals(totals, resolved)
    pairs["actual"] = _pair_rate(pairs)
    pair_rows = grid.loc[grid["kind"].isin(["ratio", "growth"]), keys + ["threshold"]].merge(
        pairs[keys + ["actual"]], on=keys, how="left").rename(columns={"threshold": "target"})
    grid = _overwrite(grid, pair_rows, keys, ["actual", "target"])

    is_pref_cov = (grid["kind"] == "coverage") & (grid["level"] == "prefecture")
    grid["target"] = grid["target"].where(
        ~(is_pref_cov & grid["prefecture"].isin(_prefectures())), grid["threshold"])

    cov_units = basis.coverage_units
    county_cov = cov_units[cov_units["level"] == "county"]
    by_pref = county_cov.groupby(keys).agg(
        meeting=("meets", "sum"), counties=("unit", "size"),
        reported=("value", "count")).reset_index()
    by_pref = by_pref.assign(actual=by_pref["meeting"].astype(float).where(by_pref["reported"] > 0),
                             target=by_pref["counties"].astype(float))
    grid = _overwrite(grid, by_pref, keys, ["actual", "target"])

    scope = basis.scope.assign(in_scope=True)
    grid = grid.merge(scope, on=keys, how="left")
    grid["target"] = grid["target"].where(grid["in_scope"].isna(), grid["threshold"])
    return grid.drop(columns="in_scope")


def _clean_allocation(allocation: pd.DataFrame) -> pd.DataFrame:
    """Allocation rows ``indicator, year, prefecture, target, allocation_share, target_basis``."""
    a = allocation.copy()
    for column, default in (("share", np.nan), ("basis", "")):
        if column not in a.columns:
            a[column] = default
    out = pd.DataFrame({
        "indicator": a["indicator"].astype(str),
        "year": pd.to_numeric(a["year"], errors="coerce"),
        "prefecture": a["prefecture"].astype(str),
        "target": pd.to_numeric(a["target"], errors="coerce"),
        "allocation_share": pd.to_numeric(a["share"], errors="coerce"),
        "target_basis": a["basis"].astype(object).where(a["basis"].notna(), "").astype(str),
    })
    out = out[out["year"].notna()].copy()
    out["year"] = out["year"].astype(int)
    return out.drop_duplicates(["indicator", "year", "prefecture"], keep="first")


# --- derived columns ------------------------------------------------------------------------

def _with_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``gap, completion, band, actual_unit``."""
    out = frame.copy()
    out["target"] = out["target"].where(out["applies"])
    out["target_upper"] = out["target_upper"].where(out["applies"])
    out["gap"] = out["actual"] - out["target"]
    out["completion"] = out["actual"] / out["target"].where(out["target"] > 0)
    actual = out["actual"].round(DIGITS)
    is_range = (out["kind"] == "range") & out["actual"].notna() & out["target"].notna()
    band = np.select(
        [actual < out["target"], out["target_upper"].notna() & (actual > out["target_upper"])],
        ["below", "above"], default="within")
    out["band"] = np.where(is_range, band, "")
    unit = out["unit"].astype(str)
    unit = unit.where(~out["kind"].isin(["ratio", "growth"]), FRACTION_LABEL)
    coverage_label = out["level"].map(LEVEL_LABELS).fillna("个单位")
    out["actual_unit"] = unit.where(out["kind"] != "coverage", coverage_label)
    return out


def apply_status(frame: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """``frame`` with a ``status`` column decided by the status rules (first match wins).

    Needs ``kind, actual, target, due, completion``. Rows no rule matches (an unknown kind, a
    zero target) get 无目标.
    """
    rules = status_rules() if rules is None else rules
    status = pd.Series(None, index=frame.index, dtype=object)
    completion = frame["completion"].astype(float).round(DIGITS)
    due = frame["due"].astype(object).where(frame["due"].notna(), True).astype(bool)
    for rule in rules.sort_values("order", kind="stable").itertuples(index=False):
        if rule.kind == "*":
            kind_ok = pd.Series(True, index=frame.index)
        else:
            kind_ok = frame["kind"].eq(rule.kind)
        if rule.operator == "missing":
            test = frame[rule.test].isna()
        elif rule.test == "due":
            test = _OPERATORS[rule.operator](due.astype(float), float(rule.threshold))
        else:
            test = _OPERATORS[rule.operator](completion, float(rule.threshold)).fillna(False)
        status = status.where(~(status.isna() & kind_ok & test), rule.status)
    out = frame.copy()
    out["status"] = status.fillna(NO_TARGET)
    return out


def _with_trend(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """Add ``yoy_change, yoy_pct`` against the same group's previous calendar year."""
    previous = frame[group + ["year", "actual"]].assign(year=frame["year"] + 1)
    previous = previous.rename(columns={"actual": "previous"})
    out = frame.merge(previous, on=group + ["year"], how="left")
    out["yoy_change"] = out["actual"] - out["previous"]
    out["yoy_pct"] = out["yoy_change"] / out["previous"].where(out["previous"] != 0)
    return out.drop(columns="previous")


def _with_cumulative(frame: pd.DataFrame, group: list[str],
                     period: tuple[int, int] | None) -> pd.DataFrame:
    """Add ``cumulative_actual, cumulative_target, cumulative_completion`` over the plan years."""
    out = frame.sort_values(group + ["year"], kind="stable").reset_index(drop=True)
    for column in ("cumulative_actual", "cumulative_target", "cumulative_completion"):
        out[column] = np.nan
    if period is None:
        return out
    in_plan = out["year"].between(*period)
    plan = out[in_plan]
    keys = [plan[g] for g in group]
    flow = plan["measure"] == "flow"
    sums_target = plan["kind"].isin(["min", "range"])
    running_total = plan["total"].groupby(keys).cumsum()
    due = plan["due"].astype(object).where(plan["due"].notna(), False).astype(bool)
    counted = plan["target"].where(sums_target & due)
    running_target = counted.fillna(0).groupby(keys).cumsum()
    seen_target = counted.notna().astype(int).groupby(keys).cumsum() > 0
    cum_actual = running_total.where(flow, plan["total"])
    cum_target = running_target.where(flow & seen_target, plan["target"].where(sums_target & ~flow))
    out.loc[in_plan, "cumulative_actual"] = cum_actual
    out.loc[in_plan, "cumulative_target"] = cum_target
    out.loc[in_plan, "cumulative_completion"] = cum_actual / cum_target.where(cum_target > 0)
    return out


def _finish(frame: pd.DataFrame, group: list[str], period: tuple[int, int] | None,
            columns: list[str], sort: list[str]) -> pd.DataFrame:
    """Comparison, status, trend, cumulative; typed and sorted with the contract's columns."""
    out = _with_comparison(frame)
    out = apply_status(out)
    out = _with_trend(out, group)
    out = _with_cumulative(out, group, period)
    out["reported"] = out["units_reported"].astype(str) + "/" + out["units_expected"].astype(str)
    out["due_year"] = out["due_year"].astype("Int64")
    out["due"] = out["due"].astype("boolean")
    out["area"] = out["area"].astype(catalog.area_dtype())
    out = out.sort_values(sort, kind="stable").reset_index(drop=True)
    return out[columns]


# --- public tables --------------------------------------------------------------------------

def province_gaps(values: pd.DataFrame, targets: pd.DataFrame | None = None,
                  failed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Province totals against the plan: one row per catalogue indicator × year.

    ``targets`` defaults to ``catalog.targets()``. Columns (in this order): ``area`` (ordered
    categorical), ``indicator, name, unit, measure`` (flow|stock), ``kind`` (min, range,
    coverage, ratio, milestone, growth, or "" for an indicator the plan sets no target for; it
    says how ``actual`` is measured, also in years without a target), ``level, timing, due_year``
    (Int64), ``due`` (boolean; NA without a target), ``year, total`` (Σ of the units' totals),
    ``actual, actual_unit, threshold, target, target_upper, band`` (below|within|above for range,
    else ""), ``gap, completion`` (fraction), ``status`` (达标|未达标|未报送|无目标),
    ``yoy_change, yoy_pct, cumulative_actual, cumulative_target, cumulative_completion,
    units_reported, units_expected, reported`` (text "11/12"). What ``actual`` and ``target`` are
    for each kind is in the module notes. Sorted by area (plan order), catalogue order, year.
    ``failed``: see the module notes (Failed returns).
    """
    basis = _basis(values, targets)
    return _province_table(basis, _province_measures(basis), failed)


def _province_table(basis: _Basis, measures: pd.DataFrame,
                    failed: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`province_gaps` from the prepared basis and its :func:`_province_measures`."""
    return _name_failed(_finish(measures, ["indicator"], basis.period, PROVINCE_COLUMNS,
                                ["area", "position", "year"]), failed)


def prefecture_gaps(values: pd.DataFrame, allocation: pd.DataFrame | None = None,
                    targets: pd.DataFrame | None = None,
                    failed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each reporting unit against its share of the plan: reporting unit × indicator × year.

    Every one of the 12 reporting units gets a row for every indicator and year of
    :func:`province_gaps`; a unit that sent nothing (``returned`` False) or left the indicator
    blank gets ``actual`` NaN and status 未报送, never zero.

    Targets: ``min``/``range`` — the allocated target from ``allocation`` (default
    ``catalog.allocation()``: ``indicator, year, prefecture, share, target, basis``; matched on the
    target's due year; ``target_upper`` = the range's upper end × ``share``); no allocation row →
    无目标. ``coverage`` at prefecture level — each prefecture against the threshold (省本级 has
    none); at county level — the unit's counties meeting the threshold against its number of
    counties. ``ratio``/``growth`` — the unit's own ratio or rate against the threshold.
    ``milestone`` — the scope units only, against 1.

    Columns (in this order): those of :func:`province_gaps` with ``prefecture`` (ordered
    categorical, ``catalog.reporting_units()`` order) after ``year``, ``returned`` (bool: the unit
    sent a return that year), ``target_basis`` and ``allocation_share`` (from the allocation),
    and ``share`` (the unit's total ÷ the province total), ``rank`` (by total, largest first,
    ties share the best rank; Int64, NA when not reported) and ``completion_rank`` (by
    completion, likewise) before ``units_reported, units_expected, reported``, which repeat the
    province's counts for that indicator and year (the basis of ``share``). Sorted by area,
    catalogue order, year, prefecture. ``failed``: see the module notes (Failed returns).
    """
    allocation = catalog.allocation() if allocation is None else allocation
    basis = _basis(values, targets)
    return _prefecture_table(basis, allocation, _province_measures(basis), failed)


def _prefecture_table(basis: _Basis, allocation: pd.DataFrame, province_measures: pd.DataFrame,
                      failed: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`prefecture_gaps` from the prepared basis and the province's measures (for the
    shares and the reporting counts)."""
    frame = _prefecture_measures(basis, allocation)
    province = province_measures[
        ["indicator", "year", "total", "units_reported", "units_expected"]].rename(
        columns={"total": "province_total"})
    frame = frame.merge(province, on=["indicator", "year"], how="left")
    frame["share"] = frame["total"] / frame["province_total"].where(frame["province_total"] != 0)
    by_year = frame.groupby(["indicator", "year"])
    frame["rank"] = by_year["total"].rank(ascending=False, method="min").astype("Int64")
    frame["completion_rank"] = pd.NA  # needs the completion: set after _finish
    out = _finish(frame, ["indicator", "prefecture"], basis.period,
                  PREFECTURE_COLUMNS + ["position"],
                  ["area", "position", "year", "prefecture"])
    out["completion_rank"] = (out.groupby(["indicator", "year"])["completion"]
                              .rank(ascending=False, method="min").astype("Int64"))
    out["prefecture"] = out["prefecture"].astype(catalog.prefecture_dtype())
    out = out.sort_values(["area", "position", "year", "prefecture"], kind="stable")
    out = _name_failed(_mark_failed(out, failed), failed)
    return out[PREFECTURE_COLUMNS].reset_index(drop=True)


def coverage_table(values: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Coverage targets in detail: which units meet them and which do not.

    One row per coverage target × year (years as in :func:`province_gaps`). Columns: ``area,
    indicator, name, year, level`` (prefecture|county), ``timing, due_year, due, threshold``
    (each unit at least this), ``units_expected`` (11 prefectures or 100 counties),
    ``units_meeting, share`` (meeting ÷ expected), ``units_missing`` (list of the names not
    meeting it, in geographic order — a unit absent from the returns does not meet it and is
    named), ``missing_text`` (the same, joined with 、), ``units_reported`` (units at that level
    with a value), ``status``. Sorted by area, catalogue order, year.
    """
    return _coverage_table(_basis(values, targets))


def _coverage_table(basis: _Basis) -> pd.DataFrame:
    """:func:`coverage_table` from the prepared basis."""
    resolved = basis.resolved
    summary = _coverage_summary(basis.coverage_units)
    cov = resolved[resolved["kind"] == "coverage"].merge(summary, on=["indicator", "year"])
    cov = cov.merge(_catalogue()[["indicator", "area", "name", "position"]], on="indicator")
    cov["share"] = cov["units_meeting"] / cov["units_expected"]
    cov = cov.assign(actual=cov["share"].where(cov["units_reported"] > 0),
                     target=np.where(cov["applies"], 1.0, np.nan), completion=cov["share"])
    cov = apply_status(cov)
    cov["missing_text"] = cov["units_missing"].map("、".join)
    cov["due_year"] = cov["due_year"].astype("Int64")
    cov["due"] = cov["due"].astype("boolean")
    for column in ("units_expected", "units_meeting", "units_reported"):
        cov[column] = cov[column].astype(int)
    cov["area"] = cov["area"].astype(catalog.area_dtype())
    cov = cov.sort_values(["area", "position", "year"], kind="stable")
    return cov[COVERAGE_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class GapTables:
    """The three gap tables of the same values (see :func:`gap_tables`)."""

    province: pd.DataFrame
    prefectures: pd.DataFrame
    coverage: pd.DataFrame


def gap_tables(values: pd.DataFrame, allocation: pd.DataFrame | None = None,
               targets: pd.DataFrame | None = None, failed: pd.DataFrame | None = None) -> GapTables:
    """:func:`province_gaps`, :func:`prefecture_gaps` and :func:`coverage_table` of ``values``
    at once, equal to calling the three: the values and targets are cleaned and resolved once,
    and the province measures (which the prefecture table also needs) computed once."""
    allocation = catalog.allocation() if allocation is None else allocation
    basis = _basis(values, targets)
    measures = _province_measures(basis)
    return GapTables(province=_province_table(basis, measures, failed),
                     prefectures=_prefecture_table(basis, allocation, measures, failed),
                     coverage=_coverage_table(basis))


def completeness(values: pd.DataFrame, expected_units: list[str] | None = None,
                 failed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which unit sent a return for which year, and which indicators it left blank.

    A unit *sent a return* when it has any value that year; it *reported* an indicator when it has
    a total (summary-sheet value) for it — every catalogue indicator is expected from every unit.
    Years are those present in ``values``; ``expected_units`` defaults to the 12 reporting units.
    Columns: ``year, prefecture`` (text), ``returned`` (bool), ``indicators_reported,
    indicators_expected, indicators_blank`` (int; blank counts every indicator when nothing was
    sent), ``blank_indicators`` (list of codes, catalogue order), ``blank_text`` (their Chinese
    names joined with 、), ``return_failed`` (bool: the unit's return came but gave no value —
    from ``failed``, :func:`failed_returns`; always False without it). Sorted by year, then the
    order of ``expected_units``.
    """
    units = list(_units()) if expected_units is None else list(expected_units)
    ind = _catalogue()
    v = _clean_values(values)
    years = sorted(set(v["year"].tolist()))
    grid = (pd.DataFrame({"year": years}).merge(pd.DataFrame({"prefecture": units}), how="cross")
            .merge(ind[["indicator", "name", "position"]], how="cross"))
    reported = _totals(v)[["year", "prefecture", "indicator"]].assign(reported=True)
    grid = grid.merge(reported, on=["year", "prefecture", "indicator"], how="left")
    grid["reported"] = grid["reported"].fillna(False).astype(bool)
    blank = grid[~grid["reported"]].sort_values("position", kind="stable")
    keys = ["year", "prefecture"]
    lists = blank.groupby(keys).agg(blank_indicators=("indicator", list),
                                    blank_text=("name", "、".join)).reset_index()
    counts = grid.groupby(keys).agg(indicators_reported=("reported", "sum"),
                                    indicators_expected=("indicator", "size")).reset_index()
    out = counts.merge(lists, on=keys, how="left")
    out = out.merge(_returns(v).assign(returned=True), on=keys, how="left")
    out["returned"] = out["returned"].fillna(False).astype(bool)
    out["indicators_blank"] = out["indicators_expected"] - out["indicators_reported"]
    out["blank_indicators"] = out["blank_indicators"].map(
        lambda codes: codes if isinstance(codes, list) else [])
    out["blank_text"] = out["blank_text"].fillna("")
    out["return_failed"] = _is_failed(out, failed) & ~out["returned"]
    out["order"] = out["prefecture"].map({u: i for i, u in enumerate(units)})
    out = out.sort_values(["year", "order"], kind="stable")
    return out[COMPLETENESS_COLUMNS].reset_index(drop=True)


def reporting_rates(values: pd.DataFrame, expected_units: list[str] | None = None,
                    failed: pd.DataFrame | None = None) -> pd.DataFrame:
    """The province's reporting rate per indicator and year.

    Columns: ``area, indicator, name, year, units_reported`` (units with a total for it),
    ``units_expected`` (12 by default), ``rate`` (fraction), ``reported`` (text "11/12").
    Years are those present in ``values``. Sorted by area, catalogue order, year.
    ``failed``: see the module notes (Failed returns).
    """
    units = list(_units()) if expected_units is None else list(expected_units)
    v = _clean_values(values)
    years = sorted(set(v["year"].tolist()))
    grid = _catalogue().merge(pd.DataFrame({"year": years}, dtype=int), how="cross")
    totals = _totals(v)
    counts = (totals[totals["prefecture"].isin(units)].groupby(["indicator", "year"])
              .size().rename("units_reported").reset_index())
    grid = grid.merge(counts, on=["indicator", "year"], how="left")
    grid["units_reported"] = grid["units_reported"].fillna(0).astype(int)
    grid["units_expected"] = len(units)
    grid["rate"] = grid["units_reported"] / grid["units_expected"]
    grid["reported"] = grid["units_reported"].astype(str) + "/" + str(len(units))
    grid = _name_failed(grid.sort_values(["area", "position", "year"], kind="stable"), failed)
    return grid[RATE_COLUMNS].reset_index(drop=True)


# --- returns that came but gave nothing ----------------------------------------------------

def failed_returns(returns: pd.DataFrame) -> pd.DataFrame:
    """The unit-years whose return came but gave no value: ``year, prefecture``, sorted.

    ``returns``: the ingest's one row per file (``LoadResult.returns``: ``source_file,
    prefecture, year, …, used, superseded_by``; a file that could not be read has the unit and
    year of its folder and file name). A unit-year counts when it has a file that no other file
    replaced and no file whose values were used."""
    known = returns[(returns["prefecture"].astype(str) != "") & returns["year"].notna()]
    used = set(zip(known.loc[known["used"].astype(bool), "year"].astype(int),
                   known.loc[known["used"].astype(bool), "prefecture"].astype(str)))
    standing = known[known["superseded_by"].astype(str) == ""]
    came = set(zip(standing["year"].astype(int), standing["prefecture"].astype(str)))
    return pd.DataFrame(sorted(came - used), columns=["year", "prefecture"]).astype(
        {"year": int, "prefecture": str})


def _is_failed(frame: pd.DataFrame, failed: pd.DataFrame | None) -> pd.Series:
    """Whether each row's (year, prefecture) is a failed return."""
    if failed is None or failed.empty:
        return pd.Series(False, index=frame.index)
    keys = set(zip(failed["year"].astype(int), failed["prefecture"].astype(str)))
    return pd.Series([(int(y), str(p)) in keys for y, p in zip(frame["year"], frame["prefecture"])],
                     index=frame.index, dtype=bool)


def _mark_failed(frame: pd.DataFrame, failed: pd.DataFrame | None) -> pd.DataFrame:
    """A unit's 未报送 becomes 报表有错误 in the years its return failed."""
    hit = _is_failed(frame, failed) & frame["status"].eq(NOT_REPORTED)
    if not hit.any():
        return frame
    out = frame.copy()
    out.loc[hit, "status"] = RETURN_FAILED
    return out


def _name_failed(frame: pd.DataFrame, failed: pd.DataFrame | None) -> pd.DataFrame:
    """"11/12" followed by the units whose return failed that year, where a unit is missing:
    "11/12（赣州市报表有错误）"."""
    if failed is None or failed.empty:
        return frame
    order = {u: i for i, u in enumerate(_units())}
    ranked = failed.assign(order=failed["prefecture"].map(order).fillna(len(order)))
    names = (ranked.sort_values(["year", "order", "prefecture"], kind="stable")
             .groupby("year")["prefecture"].agg("、".join))
    note = frame["year"].map(names)
    show = note.notna() & (frame["units_reported"] < frame["units_expected"])
    if not show.any():
        return frame
    out = frame.copy()
    out.loc[show, "reported"] = out.loc[show, "reported"] + "（" + note[show] + RETURN_FAILED + "）"
    return out


def fundraising_mix(values: pd.DataFrame) -> pd.DataFrame:
    """Cash, in-kind and online shares of fundraising by year, for the province and each unit.

    Shares are Σ part ÷ Σ ``fundraising.total`` over the units that reported both the part and
    the total (for a single unit: its own part ÷ its own total). ``total, cash, in_kind,
    online`` are plain sums of what was reported. The trend: ``cash_share_change`` and
    ``online_share_change`` (share − the previous year's share, in fraction points) and
    ``cash_share_trend`` (上升 / 下降 / 持平, "" when it cannot be computed) — the plan asks the
    cash share to rise (款物比例不断优化).
    Columns: ``prefecture`` (全省 first, then the reporting units), ``year, total, cash, in_kind,
    online, cash_share, in_kind_share, online_share, cash_share_change, online_share_change,
    cash_share_trend, units_reported`` (units with a total). Sorted by prefecture, year; only
    years with values.
    """
    v = _clean_values(values)
    totals = _totals(v)
    keys = ["year", "prefecture"]
    wide = totals[totals["indicator"] == FUNDRAISING_TOTAL][keys + ["total"]]
    wide = _returns(v).merge(wide, on=keys, how="left")
    for part, code in FUNDRAISING_PARTS.items():
        piece = totals.loc[totals["indicator"] == code, keys + ["total"]]
        piece = piece.rename(columns={"total": part})
        wide = wide.merge(piece, on=keys, how="left")
    wide["units_reported"] = wide["total"].notna().astype(int)
    parts = list(FUNDRAISING_PARTS)
    for part in parts:
        wide[f"{part}_base"] = wide["total"].where(wide[part].notna())
        wide[f"{part}_paired"] = wide[part].where(wide["total"].notna())
    sums = {c: (c, "sum") for c in ["total"] + parts}
    sums.update({f"{c}__n": (c, "count") for c in ["total"] + parts})
    sums.update({f"{p}_base": (f"{p}_base", "sum") for p in parts})
    sums.update({f"{p}_paired": (f"{p}_paired", "sum") for p in parts})
    sums["units_reported"] = ("units_reported", "sum")
    province = wide.groupby("year").agg(**sums).reset_index().assign(prefecture=PROVINCE_LABEL)
    for column in ["total"] + parts:
        province[column] = province[column].where(province.pop(f"{column}__n") > 0)
    out = pd.concat([province, wide], ignore_index=True)
    for part in parts:
        base = out[f"{part}_base"]
        out[f"{part}_share"] = out[f"{part}_paired"] / base.where(base > 0)
    out = _share_trend(out)
    order = {u: i for i, u in enumerate((PROVINCE_LABEL,) + _units())}
    out["order"] = out["prefecture"].map(order)
    out = out.sort_values(["order", "year"], kind="stable")
    out["units_reported"] = out["units_reported"].astype(int)
    return out[MIX_COLUMNS].reset_index(drop=True)


def _share_trend(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the year-on-year change of the cash and online shares and the cash-share trend."""
    previous = frame[["prefecture", "year", "cash_share", "online_share"]].assign(
        year=frame["year"] + 1).rename(columns={"cash_share": "prev_cash",
                                                "online_share": "prev_online"})
    out = frame.merge(previous, on=["prefecture", "year"], how="left")
    out["cash_share_change"] = out["cash_share"] - out["prev_cash"]
    out["online_share_change"] = out["online_share"] - out["prev_online"]
    change = out["cash_share_change"].round(DIGITS)
    out["cash_share_trend"] = np.select([change > 0, change < 0, change == 0],
                                        ["上升", "下降", "持平"], default="")
    return out.drop(columns=["prev_cash", "prev_online"])

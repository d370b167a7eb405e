"""The plan judged as a whole (三年行动收官评估): every targeted indicator over the plan, from the gap tables.

:func:`plan_verdict` reads the province gap table (:func:`jrc_analysis.analysis.gaps.province_gaps`)
and the coverage table (:func:`jrc_analysis.analysis.gaps.coverage_table`) and judges, for the
year ``Y`` of the briefing, every indicator the plan sets a target for (``kind`` not empty). No
number is typed in: actuals, targets and the status rules are the gap tables' own.

How an indicator is judged (``rule``):

* ``cumulative`` — a **flow** with ``min``/``range`` targets: the plan's years up to ``Y`` added up,
  ``cumulative_actual`` against ``cumulative_target`` (the sum of the targets due so far; for a
  range, of the low ends) of the row of year ``Y``; status by the published rules
  (:func:`gaps.apply_status`, completion ≥ 1 is 达标). In 2024 that is the three years' sum.
* ``by`` — a target due **by** a year (2024年底前: stocks, coverage, ratios, milestones): judged in
  its due year, by that year's row (status, actual, target, gap). Before that year it is
  未到期, with the progress of year ``Y`` shown (not counted as 达标 or 未达标).
* ``every_year`` — any other target (annual targets on a stock or a rate: coverage of every
  county each year, growth > 1% each year, a stock level in a given year): judged in every year
  its target was due, up to ``Y``. 达标 only if every such year is 达标; 未达标 if any year is
  未达标; else 未报送 if any year was not reported. The row shown is the latest year that decides
  the verdict (the latest 未达标 year, or the latest 未报送 year, or the latest due year).

An indicator with no target due up to ``Y`` is 未到期. ``gap`` is ``actual − target`` in the
plan's units (people, yuan, units of a coverage target, a fraction for ratios and growth rates,
1/0 for a milestone).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from jrc_analysis.analysis import gaps
from jrc_analysis.plan import catalog

NOT_DUE = "未到期"
VERDICT_STATUSES = (gaps.MET, gaps.NOT_MET, gaps.NOT_REPORTED, NOT_DUE)
CUMULATIVE, BY, EVERY_YEAR = "cumulative", "by", "every_year"
VERDICT_COLUMNS = ["area", "indicator", "name", "measure", "kind", "rule", "basis", "year",
                   "actual", "target", "actual_unit", "gap", "completion", "status", "detail"]
COUNT_COLUMNS = ["area", "name", *VERDICT_STATUSES, "total"]
TOTAL_LABEL = "合计"
SUMMED_KINDS = ("min", "range")


def plan_span(province: pd.DataFrame, year: int) -> list[int]:
    """The plan's years up to ``year`` that the table has (the years a verdict looks at)."""
    first, last = catalog.plan_years()[0], catalog.plan_years()[-1]
    years = sorted(int(y) for y in pd.unique(province["year"]) if first <= int(y) <= min(last, year))
    return years


def judging_rule(rows: pd.DataFrame) -> str:
    """``cumulative``, ``by`` or ``every_year`` for one indicator's rows (see the module notes)."""
    first = rows.iloc[0]
    if str(first["measure"]) == "flow" and str(first["kind"]) in SUMMED_KINDS:
        return CUMULATIVE
    if (rows["timing"].astype(str) == "by").any():
        return BY
    return EVERY_YEAR


def span_text(years: list[int]) -> str:
    """``2022—2024年`` (or ``2022年`` for one year)."""
    if not years:
        return ""
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"


def _is_due(rows: pd.DataFrame) -> pd.Series:
    """Rows whose target is due that year (a target, and not a "by" target before its year)."""
    due = rows["due"].astype(object).where(rows["due"].notna(), False).astype(bool)
    return rows["target"].notna() & due


def _verdict_row(row: pd.Series, rule: str, basis: str, status: str, detail: str,
                 actual=None, target=None) -> dict:
    actual = row["actual"] if actual is None else actual
    target = row["target"] if target is None else target
    gap = actual - target if pd.notna(actual) and pd.notna(target) else np.nan
    completion = actual / target if pd.notna(actual) and pd.notna(target) and target > 0 else np.nan
    return {"area": row["area"], "indicator": str(row["indicator"]), "name": row["name"],
            "measure": row["measure"], "kind": row["kind"], "rule": rule, "basis": basis,
            "year": int(row["year"]), "actual": actual, "target": target,
            "actual_unit": row["actual_unit"], "gap": gap, "completion": completion,
            "status": status, "detail": detail.strip("；")}


def _years_text(years) -> str:
    return "、".join(f"{int(y)}年" for y in years)


def cumulative_verdict(rows: pd.DataFrame, year: int) -> dict:
    """A flow with summed targets: the plan's years up to ``year`` added up."""
    latest = rows[rows["year"] == year].iloc[0]
    years = sorted(int(y) for y in rows["year"])
    due_years = sorted(int(y) for y in rows.loc[_is_due(rows), "year"])
    silent = sorted(int(y) for y in rows.loc[rows["actual"].isna(), "year"])
    if not due_years:
        return _verdict_row(latest, CUMULATIVE, f"{span_text(years)}累计", NOT_DUE,
                            f"{year}年前无到期目标", actual=latest["cumulative_actual"],
                            target=np.nan)
    actual, target = latest["cumulative_actual"], latest["cumulative_target"]
    if pd.isna(latest["actual"]) or pd.isna(actual):
        status = gaps.NOT_REPORTED
    else:
        judged = pd.DataFrame({"kind": [latest["kind"]], "actual": [actual], "target": [target],
                               "due": [True],
                               "completion": [actual / target if target > 0 else np.nan]})
        status = str(gaps.apply_status(judged)["status"].iloc[0])
    notes = [f"目标为{span_text(due_years)}各年目标之和" if len(due_years) > 1
             else f"目标为{due_years[0]}年目标"]
    if silent:
        notes.append(f"{_years_text(silent)}全省未报送（未按0计）")
    return _verdict_row(latest, CUMULATIVE, f"{span_text(years)}累计", status, "；".join(notes),
                        actual=actual, target=target)


def by_verdict(rows: pd.DataFrame, year: int, coverage: pd.DataFrame) -> dict:
    """A target due by a year: judged in that year; before it, 未到期 with the progress."""
    due_year = int(rows["due_year"].dropna().iloc[0])
    basis = f"{due_year}年底前"
    if year < due_year:
        latest = rows[rows["year"] == year].iloc[0]
        return _verdict_row(latest, BY, basis, NOT_DUE,
                            f"{due_year}年底前达到，{year}年为进展" + _missing(coverage, latest))
    row = rows[rows["year"] == due_year].iloc[0]
    return _verdict_row(row, BY, basis, str(row["status"]), _missing(coverage, row))


def every_year_verdict(rows: pd.DataFrame, year: int, coverage: pd.DataFrame) -> dict:
    """Any other target: every year it was due must be met."""
    due = rows[_is_due(rows)]
    if due.empty:
        latest = rows[rows["year"] == year].iloc[0]
        return _verdict_row(latest, EVERY_YEAR, "每年", NOT_DUE, f"{year}年前无到期目标")
    years = sorted(int(y) for y in due["year"])
    basis = f"{span_text(years)}每年" if len(years) > 1 else f"{years[0]}年"
    failed = due[due["status"] == gaps.NOT_MET]
    silent = due[due["status"] == gaps.NOT_REPORTED]
    if len(failed):
        row, status = failed.iloc[-1], gaps.NOT_MET
        detail = f"{_years_text(failed['year'])}未达标"
    elif len(silent):
        row, status = silent.iloc[-1], gaps.NOT_REPORTED
        detail = f"{_years_text(silent['year'])}未报送"
    else:
        row, status = due.iloc[-1], gaps.MET
        detail = f"{_years_text(years)}均达标" if len(years) > 1 else ""
    if len(failed) and len(silent):
        detail += f"；{_years_text(silent['year'])}未报送"
    return _verdict_row(row, EVERY_YEAR, basis, status, detail + _missing(coverage, row))


def _missing(coverage: pd.DataFrame, row: pd.Series) -> str:
    """``；未达到：…`` naming the units short of a coverage target in the row's year."""
    if str(row["kind"]) != "coverage" or coverage is None or coverage.empty:
        return ""
    hit = coverage[(coverage["indicator"].astype(str) == str(row["indicator"]))
                   & (coverage["year"] == row["year"])]
    if hit.empty or not str(hit["missing_text"].iloc[0]):
        return ""
    return f"；未达到：{hit['missing_text'].iloc[0]}"


def plan_verdict(province: pd.DataFrame, coverage: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every indicator with a target, judged over the plan's years up to ``year``.

    ``province``: :func:`gaps.province_gaps` (any years; those of the plan up to ``year`` are
    used); ``coverage``: :func:`gaps.coverage_table` (for the names of the units short of a
    coverage target). Columns :data:`VERDICT_COLUMNS`: ``rule`` (cumulative | by | every_year),
    ``basis`` (the span in words: 2022—2024年累计, 2024年底前, 2022—2024年每年), ``year`` (the
    year of the row judged), ``actual, target, actual_unit, gap, completion`` (in the plan's units;
    cumulative sums for a flow), ``status`` (达标 | 未达标 | 未报送 | 未到期) and ``detail`` (Chinese:
    which years, which units). Rows in the table's order (area, catalogue).
    """
    years = plan_span(province, year)
    table = province[province["year"].isin(years) & (province["kind"].astype(str) != "")]
    rows = []
    for _, group in table.groupby("indicator", sort=False):
        group = group.sort_values("year", kind="stable")
        if year not in set(group["year"].astype(int)):
            continue
        rule = judging_rule(group)
        if rule == CUMULATIVE:
            rows.append(cumulative_verdict(group, year))
        elif rule == BY:
            rows.append(by_verdict(group, year, coverage))
        else:
            rows.append(every_year_verdict(group, year, coverage))
    out = pd.DataFrame(rows, columns=VERDICT_COLUMNS)
    for column in ("actual", "target", "gap", "completion"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["area"] = out["area"].astype(catalog.area_dtype())
    return out.reset_index(drop=True)


def verdict_counts(verdict: pd.DataFrame) -> pd.DataFrame:
    """How many indicators are 达标 / 未达标 / 未报送 / 未到期, per area (plan order, every area
    listed) and in total (last row, ``area`` = 合计). Columns :data:`COUNT_COLUMNS`."""
    areas = catalog.areas()
    names = dict(zip(areas["area"].astype(str), areas["name"]))
    counts = pd.crosstab(verdict["area"].astype(str), verdict["status"])
    counts = counts.reindex(index=list(names), columns=list(VERDICT_STATUSES), fill_value=0)
    counts.loc[TOTAL_LABEL] = counts.sum()
    counts = counts.astype(int)
    counts["total"] = counts[list(VERDICT_STATUSES)].sum(axis=1)
    counts.insert(0, "name", [names.get(a, TOTAL_LABEL) for a in counts.index])
    counts.index.name = "area"
    counts.columns.name = None
    return counts.reset_index()[COUNT_COLUMNS]


def not_met(verdict: pd.DataFrame) -> pd.DataFrame:
    """The 未达标 rows of a verdict, in plan order."""
    return verdict[verdict["status"] == gaps.NOT_MET].reset_index(drop=True)


def is_final_year(year: int) -> bool:
    """True for the plan's last year (收官): the verdict is then on the whole plan."""
    return int(year) == int(catalog.plan_years()[-1])


def verdict_title(year: int) -> str:
    """三年行动收官评估 in the plan's last year, else 三年行动进展评估（截至Y年）."""
    return "三年行动收官评估" if is_final_year(year) else f"三年行动进展评估（截至{year}年）"


def verdict_sentence(verdict: pd.DataFrame, year: int) -> str:
    """The headline sentence of the verdict, e.g. ``三年行动方案设定目标的43项指标，按2022—2024年
    整体评估：达标35项，未达标7项，未报送1项。`` (未到期 named only when there are some)."""
    counts = verdict["status"].value_counts()
    years = span_text(plan_span_years(year))
    parts = [f"达标{int(counts.get(gaps.MET, 0))}项", f"未达标{int(counts.get(gaps.NOT_MET, 0))}项",
             f"未报送{int(counts.get(gaps.NOT_REPORTED, 0))}项"]
    if counts.get(NOT_DUE, 0):
        parts.append(f"目标未到期{int(counts.get(NOT_DUE, 0))}项")
    how = "整体评估" if is_final_year(year) else "截至目前评估"
    return f"三年行动方案设定目标的{len(verdict)}项指标，按{years}{how}：" + "，".join(parts) + "。"


def plan_span_years(year: int) -> list[int]:
    """The plan's years up to ``year`` (from the catalogue)."""
    return [y for y in catalog.plan_years() if y <= year]

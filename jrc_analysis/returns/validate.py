"""Tidy values → issues: the plausibility rules, all collected in one pass.

:func:`validate` runs every rule and returns all the issues together (never one at a time):

- ``validate.negative`` (error): a negative value;
- ``validate.cash_plus_in_kind`` (warning): 资金 + 物资折价 differs from 筹集款物合计 by more than 1 元;
- ``validate.online_above_cash`` (warning): 网络众筹 above 资金;
- ``validate.certified_above_popular`` (warning): 持证培训 above 普及培训;
- ``validate.counties_vs_summary`` (warning): the counties and 市本级 of the 县区明细 do not add up
  to the 汇总表 (the 合计 row itself is checked by ``clean``: each mismatch is reported once);
- ``validate.jump`` (warning): more than 5× or less than ⅕ of the same unit's previous year
  (ignored when both years are below 10 in the base unit: 1 → 0 is not news);
- ``validate.unit_slip`` (error): a jump that lines up with 万 — 100× or more, and within ten times
  of ×10,000 either way (:data:`SLIP_BAND`): a value read in the wrong unit. The later year's value
  is **withheld** — :func:`unit_slips` names it, the ingest leaves it out of the tidy values (so
  no total or gap ever counts it) and lists it in ``LoadResult.withheld`` (状态 未采用);
- ``validate.incomplete`` (warning): one per return, listing the indicators left blank;
- ``validate.old_template`` (warning): a template version older than ``config.TEMPLATE_VERSION``.

The first six need one return only: :func:`return_issues` checks one file's tidy column lists in
plain Python (the ingest runs it beside the cleaning, in the worker that read the file). The last
two compare returns with each other or with the template: :func:`cross_return_issues`.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Iterable, NamedTuple

import numpy as np
import pandas as pd

from jrc_analysis.plan import catalog
from jrc_analysis.returns.clean import TIDY_COLUMNS, format_number, tolerance, where
from jrc_analysis.config import TEMPLATE_VERSION
from jrc_analysis.issues import Issue, error, issue_order, warning

JUMP_FACTOR = 5.0
# 万 read as 1 (or the reverse) multiplies by 10,000; a real year-on-year change of up to ten
# times either way on top of it keeps the ratio within 10^3..10^5 — and at least 100×.
WAN = 1e4
SLIP_BAND = (WAN / 10, WAN * 10)
WITHHELD = "未采用"
WITHHELD_COLUMNS = [*TIDY_COLUMNS, "status", "issue", "reason"]
JUMP_MIN = 10.0  # below this (in the base unit, both years) a 5× change is ordinary noise: 1 → 0
FUNDS = ("fundraising.total", "fundraising.cash", "fundraising.in_kind")


class Value(NamedTuple):
    """One tidy value (a row of :data:`~jrc_analysis.returns.clean.TIDY_COLUMNS`)."""

    year: int
    prefecture: str
    county: str
    indicator: str
    value: float
    unit: str
    source_file: str
    sheet: str
    cell: str
    raw: str

    @property
    def place(self) -> tuple:
        """The reporting place within its file: (year, prefecture, county, source_file)."""
        return (self.year, self.prefecture, self.county, self.source_file)


@lru_cache(maxsize=None)
def _names() -> dict[str, str]:
    frame = catalog.indicators()
    return dict(zip(frame["code"], frame["name"]))


@lru_cache(maxsize=None)
def _units() -> dict[str, str]:
    frame = catalog.indicators()
    return dict(zip(frame["code"], frame["unit"]))


@lru_cache(maxsize=None)
def _bools() -> frozenset[str]:
    frame = catalog.indicators()
    return frozenset(frame[frame["value_type"] == "bool"]["code"])


Columns = dict[str, list]  # one return's tidy values: a list per column of ``TIDY_COLUMNS``


def value_row(columns: Columns, i: int) -> Value:
    """Row ``i`` of tidy column lists as a :class:`Value` (built only where a rule needs one)."""
    return Value(*(columns[col][i] for col in TIDY_COLUMNS))


# ----------------------------------------------------------------------------------------------
# Rules within one return (over its column lists: a row object is built only for what is used)
# ----------------------------------------------------------------------------------------------

def negative_values(columns: Columns) -> list[Issue]:
    """An error for every negative value."""
    names = _names()
    out = []
    for i, value in enumerate(columns["value"]):
        if value < 0:
            r = value_row(columns, i)
            out.append(error(
                "validate.negative", r.source_file,
                f"{where(r.source_file, r.sheet, r.cell)}：“{names.get(r.indicator, r.indicator)}”"
                f"为负数（{r.raw}）。完成数不能为负，请填写实际完成数（未开展填 0）。",
                sheet=r.sheet, cell=r.cell))
    return out


def reported_together(columns: Columns, codes: Iterable[str]) -> list[dict[str, Value]]:
    """For every place reporting each of ``codes`` (a number, not NaN): code → its first value."""
    codes = tuple(codes)
    first: dict[tuple, dict[str, Value]] = {}
    for i, indicator in enumerate(columns["indicator"]):
        if indicator in codes:
            r = value_row(columns, i)
            first.setdefault(r.place, {}).setdefault(indicator, r)
    return [found for _place, found in sorted(first.items())
            if len(found) == len(codes) and not any(math.isnan(v.value) for v in found.values())]


def _unit_label(r: Value) -> str:
    return f"{r.prefecture}{r.county or ''}{int(r.year)}年"


def cash_plus_in_kind(columns: Columns) -> list[Issue]:
    """资金 + 物资折价 must equal 筹集款物合计 (tolerance 1 元)."""
    out = []
    for found in reported_together(columns, FUNDS):
        total, cash, kind = (found[c] for c in FUNDS)
        if abs(cash.value + kind.value - total.value) > 1.0:
            out.append(warning(
                "validate.cash_plus_in_kind", total.source_file,
                f"{where(total.source_file, total.sheet, total.cell)}：{_unit_label(total)}筹集款物合计为 "
                f"{format_number(total.value)} 元，但资金（{cash.cell}）{format_number(cash.value)} 元 + 物资折价"
                f"（{kind.cell}）{format_number(kind.value)} 元 = {format_number(cash.value + kind.value)} 元。"
                "应相等，请核对这三格。", sheet=total.sheet, cell=total.cell))
    return out


def _above(columns: Columns, upper_code: str, lower_code: str, code: str, message) -> list[Issue]:
    out = []
    for found in reported_together(columns, (upper_code, lower_code)):
        high, low = found[upper_code], found[lower_code]
        if high.value > low.value:
            out.append(warning(code, high.source_file,
                               f"{where(high.source_file, high.sheet, high.cell)}：{_unit_label(high)}"
                               + message(high.value, low.value, low.cell),
                               sheet=high.sheet, cell=high.cell))
    return out


def online_above_cash(columns: Columns) -> list[Issue]:
    """网络众筹 is part of 资金, so it cannot be larger."""
    return _above(columns, "fundraising.online", "fundraising.cash", "validate.online_above_cash",
                  lambda high, low, cell: f"网络众筹 {format_number(high)} 元大于资金（{cell}）{format_number(low)} 元。"
                  "网络众筹是资金的一部分，不应更大，请核对。")


def certified_above_popular(columns: Columns) -> list[Issue]:
    """Certified first-aiders (持证培训) are a subset of the people reached (普及培训)."""
    return _above(columns, "first_aid.certified_trainees", "first_aid.popular_trainees",
                  "validate.certified_above_popular",
                  lambda high, low, cell: f"应急救护持证培训 {format_number(high)} 人大于普及培训（{cell}）"
                  f"{format_number(low)} 人次。持证培训人数一般不超过普及培训人次，请核对。")


def _summary_key(columns: Columns, i: int) -> tuple:
    return (columns["year"][i], columns["prefecture"][i], columns["source_file"][i],
            columns["indicator"][i])


def county_groups(columns: Columns) -> dict[tuple, list[int]]:
    """Rows of the county (and 市本级) values by (year, prefecture, source_file, indicator), in order."""
    groups: dict[tuple, list[int]] = {}
    for i, county in enumerate(columns["county"]):
        if county != "":
            groups.setdefault(_summary_key(columns, i), []).append(i)
    return groups


def counties_vs_summary(columns: Columns) -> list[Issue]:
    """The counties and 市本级 of a return must add up to its summary-sheet value."""
    groups = county_groups(columns)
    if not groups:
        return []
    names, units, values = _names(), _units(), columns["value"]
    out = []
    for i, county in enumerate(columns["county"]):
        parts = groups.get(_summary_key(columns, i)) if county == "" else None
        if not parts:
            continue
        total = math.fsum(values[j] for j in parts)
        if abs(values[i] - total) <= tolerance(values[i], total):
            continue
        r, first, last = (value_row(columns, j) for j in (i, parts[0], parts[-1]))
        unit = units.get(r.indicator, "")
        span = f"{first.cell}:{last.cell}" if len(parts) > 1 else first.cell
        out.append(warning(
            "validate.counties_vs_summary", r.source_file,
            f"{where(r.source_file, r.sheet, r.cell)}：汇总表“{names.get(r.indicator, r.indicator)}”为 "
            f"{format_number(r.value)}{unit}，但工作表“{first.sheet}”各县（市、区）与市本级（{span}）之和为 "
            f"{format_number(total)}{unit}。两者应一致，请核对汇总表或县区明细。",
            sheet=r.sheet, cell=r.cell))
    return out


def incomplete(columns: Columns) -> list[Issue]:
    """One warning per return listing the indicators its summary sheet left blank."""
    catalogue = list(_names().items())
    reported: dict[tuple, set] = {}
    sheets: dict[tuple, str] = {}
    for source_file, prefecture, year, county, indicator, sheet in zip(
            columns["source_file"], columns["prefecture"], columns["year"], columns["county"],
            columns["indicator"], columns["sheet"]):
        key = (source_file, prefecture, int(year))
        codes = reported.setdefault(key, set())
        if county == "":
            codes.add(indicator)
            sheets.setdefault(key, sheet)
    out = []
    for (source_file, prefecture, year), codes in sorted(reported.items()):
        missing = [name for code, name in catalogue if code not in codes]
        if not missing:
            continue
        sheet = sheets.get((source_file, prefecture, year), "")
        out.append(warning(
            "validate.incomplete", source_file,
            f"{where(source_file, sheet)}：{prefecture}{year}年有 {len(missing)} 项指标未填报完成数：{'、'.join(missing)}。"
            "请补填；未开展的填 0，确实无法统计的在备注中说明原因。", sheet=sheet))
    return out


RETURN_RULES = (negative_values, cash_plus_in_kind, online_above_cash, certified_above_popular,
                counties_vs_summary, incomplete)


def return_issues(columns: Columns) -> list[Issue]:
    """Every rule that needs one return only, over its tidy column lists (plain Python: fast
    enough to run on every file as it is read), rule by rule (callers sort all issues once)."""
    if not columns["year"]:
        return []
    return [i for rule in RETURN_RULES for i in rule(columns)]


# ----------------------------------------------------------------------------------------------
# Rules across returns
# ----------------------------------------------------------------------------------------------

_PREVIOUS = {"value": "value_prev", "source_file": "source_file_prev", "cell": "cell_prev"}


def _year_pairs(values: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``values`` with the same unit's value the year before, numbers only (no
    是/否): each row's position in ``values`` (``pos``), its ``value`` and the year before's
    (``value_prev``, ``source_file_prev``, ``cell_prev``: its first row), in the order of
    ``values`` (only the columns the comparison needs: :func:`_pair_rows` gives the whole rows
    of the few kept)."""
    history = values if previous is None or previous.empty else pd.concat([previous, values])
    keys, year_step = _year_keys(history)
    first = ~pd.Series(keys).duplicated().to_numpy() & ~history["indicator"].isin(_bools()).to_numpy()
    before = np.flatnonzero(first)
    found = pd.Index(keys[before] + year_step).get_indexer(keys[len(history) - len(values):])
    pos = np.flatnonzero(found >= 0)
    prev = before[found[pos]]
    return pd.DataFrame({
        "pos": pos, "value": values["value"].to_numpy()[pos],
        **{column: history[source].array.take(prev) for source, column in _PREVIOUS.items()}})


def _year_keys(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """One integer per row of ``frame`` for its year, prefecture, county and indicator (equal
    keys, equal rows; NaN a value of its own), and the step that adds one year to a key."""
    units = frame.groupby(["prefecture", "county", "indicator"], sort=False, dropna=False).ngroup()
    step = int(units.max()) + 1 if len(units) else 1
    return frame["year"].to_numpy(dtype=np.int64) * step + units.to_numpy(dtype=np.int64), step


def _pair_rows(values: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``values`` (index kept) that ``pairs`` (:func:`_year_pairs`) name, with the
    year before's ``value_prev``, ``source_file_prev`` and ``cell_prev``."""
    rows = values.iloc[pairs["pos"].to_numpy()].copy()
    for column in _PREVIOUS.values():
        rows[column] = pairs[column].array
    return rows


def _slipped(now: pd.Series, prev: pd.Series) -> pd.Series:
    """Where ``now`` against ``prev`` lines up with 万 (:data:`SLIP_BAND`, either direction)."""
    low, high = SLIP_BAND
    ratio = now / prev.where(prev > 0)
    up = (ratio >= low) & (ratio <= high)
    down = (ratio > 0) & (ratio <= 1 / low) & (ratio >= 1 / high)
    big = now.where(now > prev, prev) >= JUMP_MIN
    return (up | down) & big & (now > 0)


def unit_slips(values: pd.DataFrame, previous: pd.DataFrame | None = None,
               pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``values`` (index kept) that are a unit slip against the year before, with
    ``value_prev``, ``source_file_prev`` and ``cell_prev``: the values to withhold. ``pairs``:
    :func:`_year_pairs` when already computed."""
    if values is None or values.empty:
        return pd.DataFrame(columns=list(TIDY_COLUMNS) + ["value_prev", "source_file_prev", "cell_prev"])
    pairs = _year_pairs(values, previous) if pairs is None else pairs
    return _pair_rows(values, pairs[_slipped(pairs["value"], pairs["value_prev"]).to_numpy(dtype=bool)])


def unit_slip_issues(slips: pd.DataFrame) -> list[Issue]:
    """One error per :func:`unit_slips` row, naming both cells and saying the value is withheld."""
    names, units = _names(), _units()
    out = []
    for rec in slips.itertuples(index=False):
        unit = units.get(rec.indicator, "")
        times = rec.value / rec.value_prev
        said = f"是上年的 {format_number(round(times))} 倍" if times >= 1 else \
            f"只有上年的 {format_number(round(1 / times))} 分之一"
        out.append(error(
            "validate.unit_slip", rec.source_file,
            f"{where(rec.source_file, rec.sheet, rec.cell)}：{rec.prefecture}{rec.county}"
            f"“{names.get(rec.indicator, rec.indicator)}”{rec.year}年为 {format_number(rec.value)}{unit}"
            f"（单元格内容“{rec.raw}”），{said}（上年 {format_number(rec.value_prev)}{unit}，"
            f"{rec.source_file_prev} {rec.cell_prev}），与“万”的换算（1 万 = 10,000）吻合，"
            f"很可能单位填错或读错。本年数值{WITHHELD}，不计入合计。"
            "请核对单位（如“万人次”“万元”）后修改并重新报送。", sheet=rec.sheet, cell=rec.cell))
    return out


def withheld_values(values: pd.DataFrame, previous: pd.DataFrame | None = None,
                    slips: pd.DataFrame | None = None) -> pd.DataFrame:
    """The tidy rows withheld from the totals (:func:`unit_slips`, or ``slips`` when already
    found), with ``status`` (未采用), ``issue`` (the issue code) and ``reason`` (Chinese):
    :data:`WITHHELD_COLUMNS`, index kept."""
    slips = unit_slips(values, previous) if slips is None else slips
    out = slips[list(TIDY_COLUMNS)].copy()
    out["status"] = WITHHELD
    out["issue"] = "validate.unit_slip"
    out["reason"] = [
        f"与上年（{format_number(p)}）相差约 {format_number(round(max(v / p, p / v)))} 倍，与“万”的换算吻合"
        for v, p in zip(slips["value"], slips["value_prev"])]
    return out[WITHHELD_COLUMNS]


def jumps(values: pd.DataFrame, previous: pd.DataFrame | None = None,
          pairs: pd.DataFrame | None = None) -> list[Issue]:
    """More than 5× or less than ⅕ of the same unit's value the year before (warning); unit
    slips are left to :func:`unit_slip_issues` (an error instead).

    The comparison is vectorised; messages are built for the jumps only. ``pairs``:
    :func:`_year_pairs` when already computed."""
    pairs = _year_pairs(values, previous) if pairs is None else pairs
    now, prev = pairs["value"], pairs["value_prev"]
    jumped = ((prev > 0) & (now >= 0)
              & (now.where(now > prev, prev) >= JUMP_MIN)
              & ((now > JUMP_FACTOR * prev) | (now * JUMP_FACTOR < prev))
              & ~_slipped(now, prev))
    names, units = _names(), _units()
    out = []
    for rec in _pair_rows(values, pairs[jumped.to_numpy(dtype=bool)]).itertuples(index=False):
        unit = units.get(rec.indicator, "")
        out.append(warning(
            "validate.jump", rec.source_file,
            f"{where(rec.source_file, rec.sheet, rec.cell)}：{rec.prefecture}{rec.county}"
            f"“{names.get(rec.indicator, rec.indicator)}”{rec.year}年为 {format_number(rec.value)}{unit}，"
            f"上年为 {format_number(rec.value_prev)}{unit}（{rec.source_file_prev}），相差 5 倍以上。"
            "请核对单位（如“万”）和数字是否填错。", sheet=rec.sheet, cell=rec.cell))
    return out


def version_tuple(text: object) -> tuple[int, ...]:
    """``"2024.1"`` → ``(2024, 1)``; no digits → ``()``."""
    return tuple(int(n) for n in re.findall(r"\d+", str(text or "")))


def old_templates(returns: pd.DataFrame | None) -> list[Issue]:
    """A warning for every return whose template version is older than the current one."""
    if returns is None or returns.empty:
        return []
    current = version_tuple(TEMPLATE_VERSION)
    out = []
    for source_file, version in sorted(zip(returns["source_file"], returns["template_version"])):
        found = str(version or "").strip()
        if found and version_tuple(found) >= current:
            continue
        said = f"模板版本为“{found}”" if found else "没有“模板版本”"
        out.append(warning(
            "validate.old_template", source_file,
            f"{where(source_file)}：{said}，当前模板版本为“{TEMPLATE_VERSION}”。"
            "请使用省红十字会下发的最新模板填报（用 jrc template 生成）。"))
    return out


def cross_return_issues(values: pd.DataFrame, previous: pd.DataFrame | None = None,
                        returns: pd.DataFrame | None = None) -> list[Issue]:
    """The rules that compare returns: unit slips (errors), year-on-year jumps and old template
    versions."""
    return cross_return_checks(values, previous, returns)[0]


def cross_return_checks(values: pd.DataFrame, previous: pd.DataFrame | None = None,
                        returns: pd.DataFrame | None = None) -> tuple[list[Issue], pd.DataFrame]:
    """:func:`cross_return_issues` and :func:`withheld_values` from one comparison of the years."""
    if values is None or values.empty:
        return old_templates(returns), withheld_values(values, previous, unit_slips(values))
    pairs = _year_pairs(values, previous)
    slips = unit_slips(values, previous, pairs)
    issues = unit_slip_issues(slips) + jumps(values, previous, pairs) + old_templates(returns)
    return issues, withheld_values(values, previous, slips)


def validate(values: pd.DataFrame, previous: pd.DataFrame | None = None,
             returns: pd.DataFrame | None = None) -> list[Issue]:
    """Every rule over tidy ``values`` in one pass; ``previous``: earlier years' tidy values (the
    year-before comparison also looks inside ``values``); ``returns``: one row per return with
    ``source_file`` and ``template_version`` (for the template check). Returns all the issues, in
    the stable order of ``issues.issue_order``."""
    issues: list[Issue] = []
    if values is not None and not values.empty:
        columns = {col: values[col].tolist() for col in TIDY_COLUMNS}
        by_file: dict[str, list[int]] = {}
        for i, source_file in enumerate(columns["source_file"]):
            by_file.setdefault(source_file, []).append(i)
        for rows in by_file.values():
            issues += return_issues({col: [columns[col][i] for i in rows] for col in TIDY_COLUMNS})
    issues += cross_return_issues(values, previous, returns)
    return sorted(issues, key=issue_order)

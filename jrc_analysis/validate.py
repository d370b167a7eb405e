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
- ``validate.incomplete`` (warning): one per return, listing the indicators left blank;
- ``validate.old_template`` (warning): a template version older than ``template.TEMPLATE_VERSION``.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from jrc_analysis import catalog
from jrc_analysis.clean import format_number, tolerance, where
from jrc_analysis.issues import Issue, error, warning

JUMP_FACTOR = 5.0
JUMP_MIN = 10.0  # below this (in the base unit, both years) a 5× change is ordinary noise: 1 → 0
KEY = ["year", "prefecture", "county", "source_file"]


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


def _wide(values: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per unit and file, a value and a cell column per code (only those codes)."""
    rows = values[values["indicator"].isin(codes)]
    if rows.empty:
        return pd.DataFrame(columns=KEY)
    rows = rows.drop_duplicates(KEY + ["indicator"])
    wide = rows.pivot(index=KEY, columns="indicator", values=["value", "cell", "sheet"])
    wide.columns = [f"{what}:{code}" for what, code in wide.columns]
    return wide.reset_index()


def negative_values(values: pd.DataFrame) -> list[Issue]:
    """An error for every negative value."""
    names, units = _names(), _units()
    out = []
    for rec in values[values["value"] < 0].itertuples(index=False):
        out.append(error(
            "validate.negative", rec.source_file,
            f"{where(rec.source_file, rec.sheet, rec.cell)}：“{names.get(rec.indicator, rec.indicator)}”"
            f"为负数（{rec.raw}）。完成数不能为负，请填写实际完成数（未开展填 0）。",
            sheet=rec.sheet, cell=rec.cell))
    return out


def _pairs(values: pd.DataFrame, codes: list[str]):
    """Units and files that report every one of ``codes``, as rows of the wide table."""
    wide = _wide(values, codes)
    need = [f"value:{c}" for c in codes]
    if not set(need) <= set(wide.columns):
        return []
    return wide.dropna(subset=need).to_dict("records")


def _unit_label(row) -> str:
    return f"{row['prefecture']}{row['county'] or ''}{int(row['year'])}年"


def cash_plus_in_kind(values: pd.DataFrame) -> list[Issue]:
    """资金 + 物资折价 must equal 筹集款物合计 (tolerance 1 元)."""
    codes = ["fundraising.total", "fundraising.cash", "fundraising.in_kind"]
    out = []
    for row in _pairs(values, codes):
        total, cash, kind = (float(row[f"value:{c}"]) for c in codes)
        if abs(cash + kind - total) > 1.0:
            sheet, cell = row["sheet:fundraising.total"], row["cell:fundraising.total"]
            out.append(warning(
                "validate.cash_plus_in_kind", row["source_file"],
                f"{where(row['source_file'], sheet, cell)}：{_unit_label(row)}筹集款物合计为 {format_number(total)} 元，"
                f"但资金（{row['cell:fundraising.cash']}）{format_number(cash)} 元 + 物资折价"
                f"（{row['cell:fundraising.in_kind']}）{format_number(kind)} 元 = {format_number(cash + kind)} 元。"
                "应相等，请核对这三格。", sheet=sheet, cell=cell))
    return out


def _above(values, upper_code, lower_code, code, message) -> list[Issue]:
    out = []
    for row in _pairs(values, [upper_code, lower_code]):
        high, low = float(row[f"value:{upper_code}"]), float(row[f"value:{lower_code}"])
        if high > low:
            sheet, cell = row[f"sheet:{upper_code}"], row[f"cell:{upper_code}"]
            out.append(warning(code, row["source_file"],
                               f"{where(row['source_file'], sheet, cell)}：{_unit_label(row)}"
                               + message(high, low, row[f"cell:{lower_code}"]),
                               sheet=sheet, cell=cell))
    return out


def online_above_cash(values: pd.DataFrame) -> list[Issue]:
    """网络众筹 is part of 资金, so it cannot be larger."""
    return _above(values, "fundraising.online", "fundraising.cash", "validate.online_above_cash",
                  lambda high, low, cell: f"网络众筹 {format_number(high)} 元大于资金（{cell}）{format_number(low)} 元。"
                  "网络众筹是资金的一部分，不应更大，请核对。")


def certified_above_popular(values: pd.DataFrame) -> list[Issue]:
    """Certified first-aiders (持证培训) are a subset of the people reached (普及培训)."""
    return _above(values, "first_aid.certified_trainees", "first_aid.popular_trainees",
                  "validate.certified_above_popular",
                  lambda high, low, cell: f"应急救护持证培训 {format_number(high)} 人大于普及培训（{cell}）"
                  f"{format_number(low)} 人次。持证培训人数一般不超过普及培训人次，请核对。")


def counties_vs_summary(values: pd.DataFrame) -> list[Issue]:
    """The counties and 市本级 of a return must add up to its summary-sheet value."""
    names, units = _names(), _units()
    summary = values[values["county"] == ""]
    counties = values[values["county"] != ""]
    if summary.empty or counties.empty:
        return []
    keys = ["year", "prefecture", "source_file", "indicator"]
    sums = counties.groupby(keys, sort=True).agg(
        total=("value", "sum"), first=("cell", "first"), last=("cell", "last"),
        sheet=("sheet", "first"), n=("value", "size")).reset_index()
    merged = summary.merge(sums, on=keys, how="inner", suffixes=("", "_c"))
    out = []
    for rec in merged.itertuples(index=False):
        if abs(rec.value - rec.total) <= tolerance(rec.value, rec.total):
            continue
        unit = units.get(rec.indicator, "")
        span = f"{rec.first}:{rec.last}" if rec.n > 1 else rec.first
        out.append(warning(
            "validate.counties_vs_summary", rec.source_file,
            f"{where(rec.source_file, rec.sheet, rec.cell)}：汇总表“{names.get(rec.indicator, rec.indicator)}”为 "
            f"{format_number(rec.value)}{unit}，但工作表“{rec.sheet_c}”各县（市、区）与市本级（{span}）之和为 "
            f"{format_number(rec.total)}{unit}。两者应一致，请核对汇总表或县区明细。",
            sheet=rec.sheet, cell=rec.cell))
    return out


def jumps(values: pd.DataFrame, previous: pd.DataFrame | None = None) -> list[Issue]:
    """More than 5× or less than ⅕ of the same unit's value the year before (warning)."""
    history = values if previous is None or previous.empty else pd.concat([previous, values])
    bools = _bools()
    key = ["year", "prefecture", "county", "indicator"]
    before = history.drop_duplicates(key)[key + ["value", "source_file"]].copy()
    before["year"] = before["year"] + 1
    merged = values.merge(before, on=key, how="inner", suffixes=("", "_prev"))
    names, units = _names(), _units()
    out = []
    for rec in merged.itertuples(index=False):
        prev = rec.value_prev
        if rec.indicator in bools or prev <= 0 or rec.value < 0 or max(prev, rec.value) < JUMP_MIN:
            continue
        if rec.value > JUMP_FACTOR * prev or rec.value * JUMP_FACTOR < prev:
            unit = units.get(rec.indicator, "")
            out.append(warning(
                "validate.jump", rec.source_file,
                f"{where(rec.source_file, rec.sheet, rec.cell)}：{rec.prefecture}{rec.county}"
                f"“{names.get(rec.indicator, rec.indicator)}”{rec.year}年为 {format_number(rec.value)}{unit}，"
                f"上年为 {format_number(prev)}{unit}（{rec.source_file_prev}），相差 5 倍以上。"
                "请核对单位（如“万”）和数字是否填错。", sheet=rec.sheet, cell=rec.cell))
    return out


def incomplete(values: pd.DataFrame) -> list[Issue]:
    """One warning per return listing the indicators its summary sheet left blank."""
    catalogue = list(_names().items())
    reported: dict[tuple, set] = {}
    sheets: dict[tuple, str] = {}
    for source_file, prefecture, year, county, indicator, sheet in zip(
            values["source_file"], values["prefecture"], values["year"], values["county"],
            values["indicator"], values["sheet"]):
        key = (source_file, prefecture, int(year))
        reported.setdefault(key, set())
        if county == "":
            reported[key].add(indicator)
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


def version_tuple(text: object) -> tuple[int, ...]:
    """``"2024.1"`` → ``(2024, 1)``; no digits → ``()``."""
    return tuple(int(n) for n in re.findall(r"\d+", str(text or "")))


def old_templates(returns: pd.DataFrame | None) -> list[Issue]:
    """A warning for every return whose template version is older than the current one."""
    if returns is None or returns.empty:
        return []
    from jrc_analysis.template import TEMPLATE_VERSION

    current = version_tuple(TEMPLATE_VERSION)
    out = []
    for rec in returns.sort_values("source_file").itertuples(index=False):
        found = str(rec.template_version or "").strip()
        if found and version_tuple(found) >= current:
            continue
        said = f"模板版本为“{found}”" if found else "没有“模板版本”"
        out.append(warning(
            "validate.old_template", rec.source_file,
            f"{where(rec.source_file)}：{said}，当前模板版本为“{TEMPLATE_VERSION}”。"
            "请使用省红十字会下发的最新模板填报（用 jrc template 生成）。"))
    return out


def python_text(values: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``str`` columns hold Python strings (object dtype): the rules loop over rows,
    and iterating Arrow-backed strings element by element is slow. Same values, same order."""
    text = [col for col in values.columns if isinstance(values[col].dtype, pd.StringDtype)]
    return values.astype({col: object for col in text}) if text else values.copy()


def validate(values: pd.DataFrame, previous: pd.DataFrame | None = None,
             returns: pd.DataFrame | None = None) -> list[Issue]:
    """Every rule over tidy ``values`` in one pass; ``previous``: earlier years' tidy values (the
    year-before comparison also looks inside ``values``); ``returns``: one row per return with
    ``source_file`` and ``template_version`` (for the template check). Returns all the issues."""
    issues: list[Issue] = []
    if values is not None and not values.empty:
        values = python_text(values)
        issues += negative_values(values)
        issues += cash_plus_in_kind(values)
        issues += online_above_cash(values)
        issues += certified_above_popular(values)
        issues += counties_vs_summary(values)
        issues += jumps(values, previous)
        issues += incomplete(values)
    issues += old_templates(returns)
    return issues

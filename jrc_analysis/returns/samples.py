"""Synthetic sample returns for 2022–2024 (``python -m jrc_analysis.returns.samples data/raw``).

Deterministic and seeded: :func:`generate_samples` always writes the same bytes. The numbers are made
up but shaped like real returns — each province total (``jrc_analysis/data/sample_totals.csv``) is
split over the 12 reporting units roughly by population, and each prefecture's value over its counties
and 市本级; stocks only grow; the 2023 totals of the eight published indicators equal
``reference/published-figures.csv`` exactly. :func:`sample_truth` is what the winning files mean, in
the catalogue's base unit — the cleaner's end-to-end test compares its output with it.

The files vary the way real returns do (:data:`SAMPLE_FILES` says which file does what): most are the
blank return filled in as is; some are hand-made tables (renamed sheets, shifted headers, no code
column, extra and reordered columns, numbered names, 万元, numbers typed as text), one .xls, one .ods,
one resubmission (…（修订）.xlsx) and one Excel lock file. :data:`SLIPS` lists the data-quality slips a
validator should flag; none touches the published 2023 totals.

:func:`write_return` is the writer, public so tests can fill a return with known values and re-save it
in any :class:`ReturnStyle`.
"""
from __future__ import annotations

import io
import sys
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from jrc_analysis.plan import catalog

from jrc_analysis.returns import template
from jrc_analysis.config import REFERENCE_DIR
from jrc_analysis.fileio import write_bytes_atomic, write_text_atomic

YEARS = (2022, 2023, 2024)
SEED = 20221231
CITY_HQ = template.CITY_HQ_ROW
TRUTH_COLUMNS = ["year", "prefecture", "county", "indicator", "value"]
MONEY_UNIT = "元"
WAN = 10_000
BOOL_TEXT = {1.0: "是", 0.0: "否"}


# --------------------------------------------------------------------------- the numbers

def _rng(*keys: object) -> np.random.Generator:
    """A generator seeded from ``keys`` (stable across runs and machines, unlike ``hash``)."""
    return np.random.default_rng([SEED, zlib.crc32("|".join(map(str, keys)).encode("utf-8"))])


def allocate(amount: int, weights: np.ndarray, needs: np.ndarray | None = None) -> np.ndarray:
    """Split the integer ``amount`` into integers: first ``needs``, the rest in proportion to ``weights``
    (largest remainder, ties to the earlier position). The parts always sum to ``amount``."""
    weights = np.asarray(weights, dtype=float)
    needs = np.zeros(len(weights), dtype=np.int64) if needs is None else np.asarray(needs, dtype=np.int64)
    rest = int(amount) - int(needs.sum())
    if rest < 0:
        raise ValueError(f"cannot allocate {amount}: needs add up to {int(needs.sum())}")
    if rest == 0 or weights.sum() == 0:
        if rest:
            raise ValueError("nothing to allocate the rest to")
        return needs.copy()
    exact = rest * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    short = rest - int(parts.sum())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:short]:
        parts[i] += 1
    return needs + parts


@lru_cache(maxsize=None)
def sample_totals() -> pd.DataFrame:
    """The province totals the samples are calibrated to, with the split parameters."""
    return pd.read_csv(REFERENCE_DIR / "sample_totals.csv", dtype={"indicator": str})


@lru_cache(maxsize=None)
def _populations() -> tuple[float, ...]:
    geo = catalog.geography()
    pops = geo[geo["level"] == "prefecture"].set_index("name")["population"]
    return tuple(float(pops[p]) for p in catalog.prefectures())


@lru_cache(maxsize=None)
def _counties(prefecture: str) -> tuple[str, ...]:
    return tuple(catalog.counties(prefecture))


@lru_cache(maxsize=None)
def _catalogue() -> pd.DataFrame:
    return catalog.indicators().set_index("code")


def _unit_weights(indicator: str, year: int, hq_share: float) -> np.ndarray:
    """Weights of the 12 reporting units: population × a lasting effect × a yearly wobble."""
    prefs = catalog.prefectures()
    lasting = _rng("unit", indicator).lognormal(0.0, 0.3, len(prefs))
    yearly = _rng("unit", indicator, year).lognormal(0.0, 0.12, len(prefs))
    weights = np.array(_populations()) * lasting * yearly
    if hq_share >= 1:
        return np.append(np.zeros(len(prefs)), 1.0)
    return np.append(weights, weights.sum() * hq_share / (1 - hq_share))


def _county_weights(indicator: str, prefecture: str, year: int, city_share: float) -> np.ndarray:
    """Weights of a prefecture's counties and its 市本级 (the last position)."""
    n = len(_counties(prefecture))
    lasting = _rng("county", indicator, prefecture).lognormal(0.0, 0.4, n)
    yearly = _rng("county", indicator, prefecture, year).lognormal(0.0, 0.15, n)
    weights = lasting * yearly
    return np.append(weights, weights.sum() * city_share / (1 - city_share) if city_share else 0.0)


def _floors(text: str) -> dict[int, int]:
    return dict(zip(YEARS, (int(x) for x in str(text).split("/"))))


def _allocated(spec: pd.Series, county_sheet: bool, stock: bool) -> list[dict]:
    """Values of one allocated indicator for every year, unit and (if asked per county) county."""
    code, step = spec["indicator"], int(spec["granularity"])
    prefs, units = catalog.prefectures(), catalog.reporting_units()
    floor_p, floor_c = _floors(spec["floor_prefecture"]), _floors(spec["floor_county"])
    current = np.zeros(len(units), dtype=np.int64)
    county_now = {p: np.zeros(len(_counties(p)) + 1, dtype=np.int64) for p in prefs}
    rows = []
    for year in YEARS:
        total = int(spec[f"total_{year}"])
        if total % step:
            raise ValueError(f"{code} {year}: total not a multiple of {step}")
        if not stock:
            current[:] = 0
            county_now = {p: np.zeros_like(v) for p, v in county_now.items()}
        increment = total // step - int(current.sum())
        if increment < 0:
            raise ValueError(f"{code} {year}: a stock cannot fall")
        county_needs = {p: np.maximum(0, floor_c[year] - county_now[p]) for p in prefs}
        for needs in county_needs.values():
            needs[-1] = 0  # 市本级 is not a county
        unit_needs = np.array(
            [max(floor_p[year] - current[i], int(county_needs[p].sum())) if county_sheet
             else max(floor_p[year] - current[i], 0) for i, p in enumerate(prefs)] + [0])
        added = allocate(increment, _unit_weights(code, year, float(spec["hq_share"])), unit_needs)
        current = current + added
        for i, unit in enumerate(units):
            rows.append(dict(year=year, prefecture=unit, county="", indicator=code,
                             value=float(current[i] * step)))
        if not county_sheet:
            continue
        for i, p in enumerate(prefs):
            weights = _county_weights(code, p, year, float(spec["city_share"]))
            county_now[p] = county_now[p] + allocate(int(added[i]), weights, county_needs[p])
            for name, value in zip(_counties(p) + (CITY_HQ,), county_now[p]):
                rows.append(dict(year=year, prefecture=p, county=name, indicator=code,
                                 value=float(value * step)))
    return rows


def _summary(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    part = rows[(rows["indicator"] == code) & (rows["county"] == "")]
    return part.set_index(["year", "prefecture"])["value"]


def _unit_offset(name: str, unit: str, low: float, high: float) -> float:
    return float(_rng("offset", name, unit).uniform(low, high))


def _derived(rows: pd.DataFrame) -> list[dict]:
    """Indicators computed from others, so that their rules hold for every unit and year."""
    units = catalog.reporting_units()
    out: list[dict] = []

    def add(year, unit, code, value):
        out.append(dict(year=year, prefecture=unit, county="", indicator=code, value=float(value)))

    new_schools = _summary(rows, "grassroots.school_rc_new")
    old = allocate(2160 - int(sum(new_schools[(2022, u)] for u in units)),
                   _unit_weights("grassroots.school_rc_total", 2022, 0.0))
    for i, unit in enumerate(units):
        total = int(old[i])
        for year in YEARS:
            total += int(new_schools[(year, unit)])
            add(year, unit, "grassroots.school_rc_total", total)

    ratio_rules = [("care.hospitals_with_desk", "care.hospitals_l2plus", (0.55, 0.76, 0.95)),
                   ("digital.ganzhengtong_staff", "digital.staff_total", (0.62, 0.85, 0.97))]
    for code, base, rates in ratio_rules:
        denominators = _summary(rows, base)
        for unit in units:
            offset = _unit_offset(code, unit, -0.1, 0.08)
            for year, rate in zip(YEARS, rates):
                denominator = denominators[(year, unit)]
                add(year, unit, code, min(denominator, round(denominator * min(1.0, rate + offset))))

    totals = _summary(rows, "fundraising.total")
    for unit in units:
        cash_offset = _unit_offset("cash", unit, -0.12, 0.12)
        online_share = _unit_offset("online", unit, 0.03, 0.12)
        for year in YEARS:
            total = totals[(year, unit)]
            share = 0.55 + 0.05 * (year - 2022) + cash_offset
            cash = round(total * share / 2500) * 2500
            add(year, unit, "fundraising.cash", cash)
            add(year, unit, "fundraising.in_kind", total - cash)
            add(year, unit, "fundraising.online", round(cash * online_share / 2500) * 2500)

    prefs = catalog.prefectures()
    joined = {p: YEARS[i % 3] for i, p in enumerate(prefs)}
    joined["萍乡市"] = 9999  # never joins: the 2024 coverage target is missed
    for unit in units:
        for year in YEARS:
            done = unit == catalog.PROVINCE_HQ or year >= joined[unit]
            add(year, unit, "fundraising.transparency_evaluated", 1.0 if done else 0.0)

    milestones = {"digital.ms_booking": 2022, "digital.ms_qrcode": 2023, "digital.ms_ai_service": 2023,
                  "digital.ms_data_exchange": 2024, "digital.ms_crypto": 9999}
    for code, done_in in milestones.items():
        for unit in units:
            for year in YEARS:
                add(year, unit, code, 1.0 if unit == catalog.PROVINCE_HQ and year >= done_in else 0.0)
    return out


def _sort(frame: pd.DataFrame) -> pd.DataFrame:
    order = {code: i for i, code in enumerate(template.summary_indicators()["code"])}
    unit_order = {u: i for i, u in enumerate(catalog.reporting_units())}
    keys = frame.assign(_u=frame["prefecture"].map(unit_order), _i=frame["indicator"].map(order),
                        _c=frame["county"].ne("").astype(int))
    county_rank = {}
    for p in catalog.prefectures():
        for i, c in enumerate(catalog.counties(p) + [CITY_HQ]):
            county_rank[(p, c)] = i
    keys["_k"] = [county_rank.get((p, c), -1) for p, c in zip(frame["prefecture"], frame["county"])]
    keys = keys.sort_values(["year", "_u", "_c", "_i", "_k"], kind="stable")
    return keys[TRUTH_COLUMNS].reset_index(drop=True)


@lru_cache(maxsize=None)
def _clean_truth() -> pd.DataFrame:
    """Every value before the slips: consistent in every rule."""
    ind = _catalogue()
    rows: list[dict] = []
    for _, spec in sample_totals().iterrows():
        code = spec["indicator"]
        rows += _allocated(spec, bool(ind.loc[code, "county_sheet"]), ind.loc[code, "measure"] == "stock")
    frame = pd.DataFrame(rows, columns=TRUTH_COLUMNS)
    frame = pd.concat([frame, pd.DataFrame(_derived(frame), columns=TRUTH_COLUMNS)], ignore_index=True)
    missing = set(ind.index) - set(frame["indicator"])
    if missing:
        raise ValueError(f"no sample values for {sorted(missing)}")
    return _sort(frame)


# Data-quality slips the validator should flag (what the winning files say). ``value`` None: left blank.
SLIPS = [
    dict(year=2023, prefecture="萍乡市", county="", indicator="culture.micro_lectures", value=None,
         what="汇总表一项指标未填（空白）"),
    dict(year=2024, prefecture="吉安市", county="吉水县", indicator="grassroots.new_members", value="+900",
         what="县区明细一个县多填900人，各县与市本级之和（及合计行）与汇总表不一致"),
    dict(year=2022, prefecture="宜春市", county="", indicator="fundraising.in_kind", value="+10000",
         what="物资折价多填10000元，资金＋物资折价≠筹集款物合计"),
    dict(year=2024, prefecture="新余市", county="", indicator="first_aid.trainers_new", value="x10",
         what="新增救护师资多打一个0，是上年的5倍以上（异常波动）"),
]

# Notes written in 备注 (year, prefecture) -> {indicator: text}.
NOTES = {
    (2024, "赣州市"): {"first_aid.aed_new": "含市财政民生实事配置AED 20台",
                       "care.organ_donations": "数据来源：省人体器官捐献管理中心"},
    (2023, "南昌市"): {"fundraising.total": "含疫情防控物资折价"},
}


def _apply_slip(frame: pd.DataFrame, slip: dict) -> pd.DataFrame:
    mask = ((frame["year"] == slip["year"]) & (frame["prefecture"] == slip["prefecture"])
            & (frame["county"] == slip["county"]) & (frame["indicator"] == slip["indicator"]))
    if mask.sum() != 1:
        raise ValueError(f"slip matches {mask.sum()} rows: {slip}")
    change = slip["value"]
    if change is None:
        return frame[~mask].reset_index(drop=True)
    out = frame.copy()
    old = float(out.loc[mask, "value"].iloc[0])
    out.loc[mask, "value"] = old + float(change[1:]) if change.startswith("+") else round(old * float(change[1:]))
    return out


def sample_truth() -> pd.DataFrame:
    """What the winning sample files mean: ``year, prefecture, county, indicator, value``.

    ``county`` is "" for the summary sheet and ``市本级`` for the prefecture's own row; values are in the
    catalogue's base unit (元, 人; 是/否 as 1/0); a blank cell has no row. Includes the :data:`SLIPS`.
    """
    frame = _clean_truth()
    for slip in SLIPS:
        frame = _apply_slip(frame, slip)
    return frame.copy()


# --------------------------------------------------------------------------- how a file looks

@dataclass(frozen=True)
class ReturnStyle:
    """The switches of a return's look (the default: the blank return filled in as is)."""

    fmt: str = "xlsx"                 # xlsx | xls | ods (xls and ods are always hand-made tables)
    from_template: bool = True        # False: a hand-made table in the template's spirit
    summary_sheet: str = template.SUMMARY_SHEET
    county_sheet: str = template.COUNTY_SHEET
    county_first: bool = False        # the county sheet before the summary sheet
    shift_rows: int = 0               # blank spacer rows above the header row
    shift_cols: int = 0               # blank columns left of the table
    code_column: bool = True          # the 指标代码 column / row
    extra_columns: bool = False       # 上年完成数, 同比 (and the 备注 column moved)
    reorder_columns: bool = False     # 指标名称 first, the value column in the middle
    value_header: str = "{year}年完成数"
    name_variant: bool = False        # numbered names, other quotes, (half-width), small wording changes
    money_unit: str = "元"            # 元 | 万元 (unit column in the summary, header bracket per county)
    numbers_as_text: bool = False     # "1,234" and "15.2万" typed as text in some cells
    unit_label: str | None = None     # how 填报单位 is written (None: as the template says)
    template_version: str | None = template.TEMPLATE_VERSION
    notes_sheet: bool = True
    unit_in_name: bool = False        # no 单位 column: the unit in brackets after each name (培训（万人次）)
    markers: bool = False             # footnote markers typed after some numbers (102①, 35*) and a 注 line
    sheet_per_area: bool = False      # the summary as one sheet per 行动, each named after its 行动
    county_label: str = "{county}"    # a county row's label ("{prefecture}{county}", "{county}红十字会")
    hq_label: str = CITY_HQ           # the 市本级 row's label (市红十字会本级)
    division_codes: bool = False      # a 区划代码 column beside the county labels (GB/T 2260)
    counties_as_columns: bool = False  # the county sheet turned: indicators as rows, counties as columns


@dataclass(frozen=True)
class ReturnInfo:
    """Who filled the return in and when (the 填报人/联系电话/填报日期 lines)."""

    filled_by: str = ""
    phone: str = ""
    filled_on: datetime | None = None


def _number(value: float):
    return int(value) if float(value).is_integer() else float(value)


def _money_factor(unit: str, style: ReturnStyle) -> int:
    return WAN if unit == MONEY_UNIT and style.money_unit == "万元" else 1


def _typed_text(value: float) -> str | None:
    """How a person might type ``value`` as text ("15.2万", "1,234"), or None to keep the number."""
    if value >= WAN and value % 1000 == 0:
        text = f"{value / WAN:.1f}".rstrip("0").rstrip(".")
        if float(text) * WAN == value:
            return f"{text}万"
    if value >= 1000 and float(value).is_integer():
        return f"{int(value):,}"
    return None


# the footnote markers a person types after a number, and the line that explains them
MARKERS = ("①", "*", "②")
MARKERS_NOTE = "注：①含市本级；②为快报数；*为预估数，以年报为准。"


def cell_value(value, unit: str, value_type: str, style: ReturnStyle, position: int):
    """What goes into a value cell for ``value`` (base unit) under ``style``; None for a blank."""
    if value is None or pd.isna(value):
        return None
    if value_type == "bool":
        return BOOL_TEXT[float(value)]
    shown = value / _money_factor(unit, style)
    if style.numbers_as_text and position % 3 == 0:
        typed = _typed_text(shown)
        if typed is not None:
            return typed
    if style.markers and position % 7 == 3:
        return f"{_number(shown)}{MARKERS[position % len(MARKERS)]}"
    return _number(shown)


def _values_map(values: pd.DataFrame, county: str = "") -> dict[str, float]:
    part = values[values["county"] == county]
    return dict(zip(part["indicator"], part["value"]))


def _unit_label(prefecture: str, style: ReturnStyle) -> str:
    return style.unit_label if style.unit_label is not None else template.unit_title(prefecture)


def _totals_row(values: pd.DataFrame, prefecture: str) -> dict[str, float]:
    """The 合计 row as a person adds it up: the sum of the county and 市本级 rows they wrote."""
    part = values[values["county"] != ""]
    return part.groupby("indicator")["value"].sum().to_dict()


# ---- the template filled in as is

def _fill_template(values: pd.DataFrame, year: int, prefecture: str, style: ReturnStyle,
                   info: ReturnInfo, notes: dict[str, str]) -> Workbook:
    wb = template.build_template(year, prefecture)
    ws = wb[template.SUMMARY_SHEET]
    summary = _values_map(values)
    catalogue = _catalogue()
    info_values = {"填报单位：": _unit_label(prefecture, style), "填报人：": info.filled_by,
                   "联系电话：": info.phone, "填报日期：": info.filled_on,
                   "模板版本：": style.template_version}
    for label, (row, col) in template.INFO_CELLS.items():
        ws.cell(row=row, column=col + 1).value = info_values[label]
        if label == "填报日期：" and info.filled_on is not None:
            ws.cell(row=row, column=col + 1).number_format = "yyyy-mm-dd"
    for row in range(template.SUMMARY_FIRST_ROW, ws.max_row + 1):
        code = ws.cell(row=row, column=template.CODE_COL).value
        if code not in catalogue.index:
            continue
        ind = catalogue.loc[code]
        ws.cell(row=row, column=template.VALUE_COL).value = cell_value(
            summary.get(code), ind["unit"], ind["value_type"], style, row)
        if code in notes:
            ws.cell(row=row, column=template.NOTE_COL).value = notes[code]
    if prefecture != catalog.PROVINCE_HQ:
        cs = wb[template.COUNTY_SHEET]
        cs.cell(row=2, column=2).value = _unit_label(prefecture, style)
        codes = {cs.cell(row=template.COUNTY_CODE_ROW, column=c).value: c
                 for c in range(2, cs.max_column + 1)}
        totals = _totals_row(values, prefecture)
        for row in range(template.COUNTY_FIRST_ROW, cs.max_row + 1):
            label = cs.cell(row=row, column=1).value
            numbers = totals if label == template.TOTAL_ROW else _values_map(values, label)
            for code, col in codes.items():
                cs.cell(row=row, column=col).value = cell_value(
                    numbers.get(code), catalogue.loc[code, "unit"], "number", style, row)
    for ws_name, new in ((template.SUMMARY_SHEET, style.summary_sheet),
                         (template.COUNTY_SHEET, style.county_sheet)):
        if ws_name in wb.sheetnames and new != ws_name:
            wb[ws_name].title = new
    if style.county_first and prefecture != catalog.PROVINCE_HQ:
        wb.move_sheet(style.county_sheet, offset=-1)
        wb.active = 0
    if not style.notes_sheet:
        del wb[template.NOTES_SHEET]
    return wb


# ---- a hand-made table: sheets as grids, then written as xlsx, xls or ods

@dataclass
class Grid:
    """One sheet as a person typed it: ``cells[(row, col)] = value`` (1-based), merged ranges."""

    name: str
    cells: dict
    merges: list


def _renamed(text: str, code: str, style: ReturnStyle, position: int) -> str:
    if not style.name_variant:
        return text
    aliases = _catalogue().loc[code, "aliases"]
    if position % 4 == 1 and len(aliases) > 1:
        text = aliases[1]
    text = text.replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")
    return f"{position}.{text}" if position % 2 else f"（{_chinese_number(position)}）{text}"


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _summary_columns(year: int, style: ReturnStyle) -> list[str]:
    value = style.value_header.format(year=year)
    columns = ["序号", "行动"] + (["指标代码"] if style.code_column else []) + ["指标名称"] + (
        [] if style.unit_in_name else ["单位"])
    if style.reorder_columns:
        columns = ["指标名称", "单位", "序号"] + (["指标代码"] if style.code_column else [])
        middle = (["上年完成数"] if style.extra_columns else []) + [value]
        middle += (["同比"] if style.extra_columns else [])
        return columns + middle + ["年度目标", "备注"]
    if style.extra_columns:
        return columns + [f"{year}年目标", "上年完成数", value, "同比", "备注"]
    return columns + [f"{year}年目标", value, "备注"]


def _growth_text(now, before) -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before) or before == 0:
        return None
    return f"{(now / before - 1) * 100:.1f}%"


def _summary_grids(values: pd.DataFrame, previous: pd.DataFrame | None, year: int, prefecture: str,
                   style: ReturnStyle, info: ReturnInfo, notes: dict[str, str]) -> list[Grid]:
    """The summary as one sheet, or one sheet per 行动 named after it (``style.sheet_per_area``)."""
    if not style.sheet_per_area:
        return [_summary_grid(values, previous, year, prefecture, style, info, notes)]
    areas = catalog.areas()
    return [_summary_grid(values, previous, year, prefecture, replace(style, summary_sheet=str(name)),
                          info, notes, area=str(area))
            for area, name in zip(areas["area"], areas["name"])]


def _summary_grid(values: pd.DataFrame, previous: pd.DataFrame | None, year: int, prefecture: str,
                  style: ReturnStyle, info: ReturnInfo, notes: dict[str, str], area: str | None = None) -> Grid:
    """The summary sheet (``area``: only that 行动's rows, numbered as in the whole table)."""
    r0, c0 = 1, 1 + style.shift_cols
    columns = _summary_columns(year, style)
    cells: dict = {(r0, c0): template.return_title(year, prefecture)}
    merges = [(r0, c0, r0, c0 + len(columns) - 1)]
    date_text = info.filled_on.strftime("%Y年%m月%d日") if info.filled_on else None
    cells[(r0 + 1, c0)] = "填报单位："
    cells[(r0 + 1, c0 + 1)] = _unit_label(prefecture, style)
    cells[(r0 + 1, c0 + 4)] = "填报日期："
    cells[(r0 + 1, c0 + 5)] = date_text
    cells[(r0 + 2, c0)] = "填报人："
    cells[(r0 + 2, c0 + 1)] = info.filled_by
    cells[(r0 + 2, c0 + 4)] = "联系电话："
    cells[(r0 + 2, c0 + 5)] = info.phone
    header_row = r0 + 3
    if style.template_version is not None:
        cells[(r0 + 3, c0)] = "模板版本："
        cells[(r0 + 3, c0 + 1)] = style.template_version
        header_row += 1
    header_row += style.shift_rows
    for j, label in enumerate(columns):
        cells[(header_row, c0 + j)] = label
    summary, before = _values_map(values), _values_map(previous) if previous is not None else {}
    targets = template.year_target_texts(template._targets(), catalog.indicators(), year, prefecture)
    area_names = dict(zip(catalog.areas()["area"].astype(str), catalog.areas()["name"]))
    rows = template.summary_indicators()
    area_position: dict[str, int] = {}
    r = header_row
    for i, ind in rows.iterrows():
        code, row_area = ind["code"], str(ind["area"])
        area_position[row_area] = area_position.get(row_area, 0) + 1
        if area is not None and row_area != area:
            continue
        r += 1
        unit = "万元" if _money_factor(ind["unit"], style) == WAN else ind["unit"]
        now = summary.get(code)
        shown_now = cell_value(now, ind["unit"], ind["value_type"], style, i)
        prev = before.get(code)
        name = _renamed(ind["name"], code, style, area_position[row_area])
        row = {"序号": i + 1, "行动": area_names[row_area] if area_position[row_area] == 1 else None,
               "指标代码": code, "指标名称": f"{name}（{unit}）" if style.unit_in_name else name,
               "单位": unit, f"{year}年目标": targets.get(code), "年度目标": targets.get(code),
               "上年完成数": cell_value(prev, ind["unit"], ind["value_type"], replace(style, numbers_as_text=False), 1),
               "同比": _growth_text(now, prev) if ind["value_type"] == "number" else None,
               "备注": notes.get(code), style.value_header.format(year=year): shown_now}
        for j, label in enumerate(columns):
            if row.get(label) is not None:
                cells[(r, c0 + j)] = row[label]
    if style.markers:
        cells[(r + 2, c0)] = MARKERS_NOTE
    return Grid(style.summary_sheet, cells, merges)


def _county_grid(values: pd.DataFrame, year: int, prefecture: str, style: ReturnStyle) -> Grid:
    r0, c0 = 1, 1 + style.shift_cols
    table = _county_table(values, prefecture, style)
    if style.counties_as_columns:
        table = [list(column) for column in zip(*table)]
    width = max(len(line) for line in table)
    cells: dict = {(r0, c0): f"{year}年度{template.unit_title(prefecture)}分县（市、区）完成情况明细表"}
    merges = [(r0, c0, r0, c0 + width - 1)]
    cells[(r0 + 1, c0)] = "填报单位："
    cells[(r0 + 1, c0 + 1)] = _unit_label(prefecture, style)
    header_row = r0 + 2 + style.shift_rows
    for i, line in enumerate(table):
        for j, value in enumerate(line):
            if value is not None:
                cells[(header_row + i, c0 + j)] = value
    return Grid(style.county_sheet, cells, merges)


def _county_table(values: pd.DataFrame, prefecture: str, style: ReturnStyle) -> list[list]:
    """The county sheet's table with counties as rows: the header row (the label, 区划代码, each
    indicator with its unit), the 指标代码 row, then one row per county, 市本级 and 合计."""
    columns = template.county_indicators()
    codes = dict(zip(catalog.geography()["name"], catalog.geography()["code"]))
    lead = [template.COUNTY_LABEL] + (["区划代码"] if style.division_codes else [])
    header = lead + [template.county_column_label(
        _renamed(ind["name"], ind["code"], replace(style, name_variant=False), 0),
        "万元" if _money_factor(ind["unit"], style) == WAN else ind["unit"]) for _j, ind in columns.iterrows()]
    table = [header]
    if style.code_column:
        table.append([template.CODE_ROW_LABEL] + [None] * (len(lead) - 1) + list(columns["code"]))
    first = len(table) + 3 + style.shift_rows  # the sheet row of the first county (title, 填报单位, header)
    totals = _totals_row(values, prefecture)
    for i, label in enumerate(catalog.counties(prefecture) + [CITY_HQ, template.TOTAL_ROW]):
        numbers = totals if label == template.TOTAL_ROW else _values_map(values, label)
        shown = (style.hq_label if label == CITY_HQ else label if label == template.TOTAL_ROW
                 else style.county_label.format(prefecture=prefecture, county=label))
        line = [shown] + ([int(codes[label]) if codes.get(label) else None] if style.division_codes else [])
        table.append(line + [cell_value(numbers.get(ind["code"]), ind["unit"], "number", style, first + i + j)
                             for j, ind in columns.iterrows()])
    return table


def _notes_grid() -> Grid:
    return Grid(template.NOTES_SHEET, {(i, 1): line for i, line in enumerate(template.NOTES, start=1)}, [])


def _grids(values, previous, year, prefecture, style, info, notes) -> list[Grid]:
    grids = _summary_grids(values, previous, year, prefecture, style, info, notes)
    if prefecture != catalog.PROVINCE_HQ:
        county = _county_grid(values, year, prefecture, style)
        grids = [county] + grids if style.county_first else grids + [county]
    if style.notes_sheet:
        grids.append(_notes_grid())
    return grids


def _xlsx_bytes(grids: list[Grid]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for grid in grids:
        ws = wb.create_sheet(grid.name)
        for (r, c), value in sorted(grid.cells.items()):
            ws.cell(row=r, column=c, value=value)
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        ws.column_dimensions["A"].width = 14
    wb.properties.creator = "Administrator"
    return template.workbook_bytes(wb)


def _xls_bytes(grids: list[Grid]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for grid in grids:
        sheet = book.add_sheet(grid.name, cell_overwrite_ok=True)
        merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in grid.merges}
        for (r, c), value in sorted(grid.cells.items()):
            if (r, c) in merged:
                r2, c2 = merged[(r, c)]
                sheet.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, value)
            else:
                sheet.write(r - 1, c - 1, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ods_bytes(grids: list[Grid]) -> bytes:
    from odf.element import Element

    # odfpy keeps the namespaces it has seen in a class-level dict shared by every document, and
    # declares them all: start from an empty dict so the bytes do not depend on earlier documents.
    saved = dict(Element.namespaces)
    Element.namespaces.clear()
    try:
        return _ods_document_bytes(grids)
    finally:
        Element.namespaces.update(saved)


def _ods_document_bytes(grids: list[Grid]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for grid in grids:
        table = Table(name=grid.name)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in grid.merges}
        covered = {(r, c) for (r1, c1), (h, w) in spans.items()
                   for r in range(r1, r1 + h) for c in range(c1, c1 + w)} - set(spans)
        last_row = max(r for r, _ in grid.cells)
        last_col = max(c for _, c in grid.cells)
        for r in range(1, last_row + 1):
            row = TableRow()
            for c in range(1, last_col + 1):
                value = grid.cells.get((r, c))
                if (r, c) in covered:
                    row.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    attrs = {"numberrowsspanned": spans[(r, c)][0], "numbercolumnsspanned": spans[(r, c)][1]}
                if value is None:
                    cell = TableCell(**attrs)
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    cell.addElement(P(text=str(value)))
                row.addElement(cell)
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return template.deterministic_zip(buffer.getvalue())


def return_bytes(values: pd.DataFrame, year: int, prefecture: str, style: ReturnStyle = ReturnStyle(),
                 info: ReturnInfo = ReturnInfo(), notes: dict[str, str] | None = None,
                 previous: pd.DataFrame | None = None) -> bytes:
    """The bytes of ``prefecture``'s return for ``year`` holding ``values`` (see :func:`write_return`)."""
    notes = notes or {}
    if style.from_template and style.fmt == "xlsx":
        return template.workbook_bytes(_fill_template(values, year, prefecture, style, info, notes))
    grids = _grids(values, previous, year, prefecture, style, info, notes)
    writers = {"xlsx": _xlsx_bytes, "xls": _xls_bytes, "ods": _ods_bytes}
    return writers[style.fmt](grids)


def write_return(values: pd.DataFrame, path: str | Path, year: int, prefecture: str,
                 style: ReturnStyle = ReturnStyle(), info: ReturnInfo = ReturnInfo(),
                 notes: dict[str, str] | None = None, previous: pd.DataFrame | None = None) -> Path:
    """Write ``prefecture``'s return for ``year`` to ``path`` (atomically) and return the path.

    ``values``: rows ``indicator, county, value`` (other columns ignored) in the catalogue's base unit,
    ``county`` "" for the 汇总表 and a county name or ``市本级`` for the 县区明细; a missing indicator
    is left blank. The 合计 row is the sum of the county rows written. ``previous`` (same shape) fills
    the 上年完成数 column when the style has one; ``notes`` maps indicator codes to 备注 text.
    """
    path = Path(path)
    write_bytes_atomic(path, return_bytes(values, year, prefecture, style, info, notes, previous))
    return path


# --------------------------------------------------------------------------- the sample files

_REWORKED = ReturnStyle(from_template=False)

# Which file uses which variant. ``style`` None: the template filled in as is.
SAMPLE_FILES = [
    dict(year=2022, prefecture="景德镇市", file="景德镇市红十字会2022年度三年行动任务完成情况.xlsx",
         style=replace(_REWORKED, summary_sheet="Sheet1", county_sheet="Sheet2", shift_rows=2, shift_cols=1,
                       notes_sheet=False, template_version=None),
         variants="手工表格；工作表改名 Sheet1/Sheet2；表头下移两行（空行）并右移一列；无模板版本"),
    dict(year=2022, prefecture="抚州市", file="附件2：抚州市2022年度目标任务完成情况表.xls",
         style=replace(_REWORKED, fmt="xls", code_column=False, value_header="完成数"),
         variants="Excel 97–2003（.xls）；无指标代码列/行；表头“完成数”"),
    dict(year=2023, prefecture="南昌市", file="南昌市2023年度三年行动完成情况（报省红会）.xlsx",
         style=replace(_REWORKED, extra_columns=True, reorder_columns=True, numbers_as_text=True,
                       unit_label="南昌", value_header="实际完成"),
         variants="手工表格；列顺序调整并加上年完成数、同比、备注列；部分数字写成文本（“1,234”“15.2万”）；"
                  "填报单位写作“南昌”；表头“实际完成”"),
    dict(year=2023, prefecture="鹰潭市", file="鹰潭市2023年度完成情况.ods",
         style=replace(_REWORKED, fmt="ods", summary_sheet="附表1", county_sheet="附表2", money_unit="万元"),
         variants="OpenDocument（.ods）；工作表改名 附表1/附表2；金额以万元填报（单位列“万元”，县区表头“（万元）”）"),
    dict(year=2023, prefecture="赣州市", file="2023年度_赣州市_目标任务完成情况表.xlsx",
         style=replace(_REWORKED, name_variant=True, county_first=True, unit_label="赣州市红十字会"),
         variants="手工表格；指标名称加编号（1. /（二））、换引号和半角括号、个别用常见别称；县区明细在汇总表之前"),
    dict(year=2024, prefecture="上饶市", file="上饶市红十字会2024年度任务完成情况表.xlsx",
         style=replace(_REWORKED, money_unit="万元", name_variant=True, summary_sheet="完成情况", code_column=False,
                       template_version="2023.1"),
         variants="手工表格；金额以万元填报；无指标代码、指标名称变体；汇总表改名“完成情况”；模板版本为旧版 2023.1"),
    dict(year=2024, prefecture="抚州市", file="抚州市2024年报表.xlsx",
         style=replace(_REWORKED, summary_sheet="Sheet1", county_sheet="Sheet3", shift_rows=3, shift_cols=2,
                       numbers_as_text=True, code_column=False),
         variants="手工表格；工作表改名 Sheet1/Sheet3；表头下移三行右移两列；无指标代码；部分数字写成文本"),
    dict(year=2022, prefecture="新余市", file="新余市红十字会2022年三年行动完成情况（分行动）.xlsx",
         style=replace(_REWORKED, sheet_per_area=True, code_column=False, counties_as_columns=True,
                       county_label="{county}红十字会", hq_label="市红十字会本级", division_codes=True),
         variants="手工表格；八个行动各一张表（工作表以行动命名）；无指标代码；县区明细转置（县区为列、指标为行），"
                  "县区写作“渝水区红十字会”“市红十字会本级”，另有区划代码行"),
    dict(year=2024, prefecture="吉安市", file="吉安市2024年度目标任务完成情况.xlsx",
         style=replace(_REWORKED, unit_in_name=True, money_unit="万元", markers=True, code_column=False,
                       value_header="本年完成", county_label="{prefecture}{county}", hq_label="市红十字会本级",
                       division_codes=True),
         variants="手工表格；无单位列，单位写在指标名称后（“筹集款物合计（万元）”）；金额以万元填报；"
                  "部分数字后带注释符号（①②*）并有注释行；表头“本年完成”旁有年度目标；无指标代码；"
                  "县区写作“吉安市吉州区”“市红十字会本级”，另有区划代码列"),
]

RESUBMISSION = dict(year=2023, prefecture="九江市", indicator="grassroots.new_members", factor=10,
                    file="2023年度_九江市_目标任务完成情况表.xlsx",
                    revised_file="2023年度_九江市_目标任务完成情况表（修订）.xlsx")
LOCK_FILE = dict(year=2024, file="~$2024年度_南昌市_目标任务完成情况表.xlsx")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ["丽", "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰"]


def _info(year: int, prefecture: str, day: int | None = None) -> ReturnInfo:
    i = catalog.reporting_units().index(prefecture)
    name = _SURNAMES[(i * 7 + year) % len(_SURNAMES)] + _GIVEN[(i + year) % len(_GIVEN)]
    phone = f"0791-8{(i * 1237 + year) % 10_000_000:07d}"
    return ReturnInfo(filled_by=name, phone=phone, filled_on=datetime(year, 12, day or 10 + i))


def _plan() -> list[dict]:
    """Every sample file: year, prefecture, file, style, variants (and, for the resubmission, the error)."""
    special = {(f["year"], f["prefecture"]): f for f in SAMPLE_FILES}
    plan = []
    for year in YEARS:
        for unit in catalog.reporting_units():
            if (year, unit) in special:
                plan.append(special[(year, unit)])
                continue
            entry = dict(year=year, prefecture=unit, file=template.template_filename(year, unit),
                         style=ReturnStyle(), variants="空白报表原样填报")
            if (year, unit) == (RESUBMISSION["year"], RESUBMISSION["prefecture"]):
                plan.append(dict(entry, variants="首次报送（有一处错误，已被修订版取代）", superseded=True))
                entry = dict(entry, file=RESUBMISSION["revised_file"], variants="修订版（更正首次报送的会员数）")
            plan.append(entry)
    return plan


def _with_slip_notes(plan: list[dict]) -> list[dict]:
    out = []
    for entry in plan:
        slips = [s["what"] for s in SLIPS if (s["year"], s["prefecture"]) == (entry["year"], entry["prefecture"])]
        if entry.get("superseded"):
            slips = []
        if (entry["year"], entry["prefecture"]) in NOTES and not entry.get("superseded"):
            slips.append("备注栏有说明文字")
        out.append(dict(entry, slips="；".join(slips)))
    return out


def sample_files() -> pd.DataFrame:
    """The sample files and their variants: ``year, prefecture, file, format, variants, slips``."""
    rows = [dict(year=e["year"], prefecture=e["prefecture"], file=f"{e['year']}/{e['file']}",
                 format=e["style"].fmt, variants=e["variants"], slips=e["slips"])
            for e in _with_slip_notes(_plan())]
    rows.append(dict(year=LOCK_FILE["year"], prefecture="", file=f"{LOCK_FILE['year']}/{LOCK_FILE['file']}",
                     format="lock", variants="Excel 锁定文件（应跳过）", slips=""))
    return pd.DataFrame(rows)


def lock_file_bytes(user: str = "Administrator") -> bytes:
    """A tiny owner file as Excel leaves it beside an open workbook (165 bytes)."""
    name = user.encode("ascii")
    data = bytes([len(name)]) + name.ljust(53, b" ") + len(user).to_bytes(2, "little")
    data += user.encode("utf-16-le").ljust(110, b"\x00")
    return data[:165].ljust(165, b"\x00")


def _unit_values(truth: pd.DataFrame, year: int, prefecture: str) -> pd.DataFrame:
    part = truth[(truth["year"] == year) & (truth["prefecture"] == prefecture)]
    return part[["indicator", "county", "value"]].reset_index(drop=True)


def _superseded_values(values: pd.DataFrame) -> pd.DataFrame:
    out = values.copy()
    mask = (out["indicator"] == RESUBMISSION["indicator"]) & (out["county"] == "")
    out.loc[mask, "value"] = out.loc[mask, "value"] * RESUBMISSION["factor"]
    return out


def generate_samples(raw_dir: str | Path) -> list[Path]:
    """Write every sample return (and ``README.md``) under ``raw_dir/<year>/``; return the paths written."""
    raw_dir = Path(raw_dir)
    truth = sample_truth()
    written = []
    for entry in _plan():
        year, unit = entry["year"], entry["prefecture"]
        values = _unit_values(truth, year, unit)
        info = _info(year, unit)
        if entry.get("superseded"):
            values = _superseded_values(values)
        elif entry["file"] == RESUBMISSION["revised_file"]:
            info = replace(info, filled_on=datetime(year + 1, 1, 8))
        previous = _unit_values(truth, year - 1, unit) if year - 1 in YEARS else None
        path = raw_dir / str(year) / entry["file"]
        written.append(write_return(values, path, year, unit, entry["style"], info,
                                    NOTES.get((year, unit)), previous))
    lock = raw_dir / str(LOCK_FILE["year"]) / LOCK_FILE["file"]
    write_bytes_atomic(lock, lock_file_bytes())
    written.append(lock)
    readme = raw_dir / "README.md"
    write_text_atomic(readme, readme_text())
    written.append(readme)
    return written


def _published_lines() -> list[str]:
    names = catalog.indicators().set_index("code")["name"]
    truth = sample_truth()
    lines = []
    for code in ["fundraising.total", "first_aid.aed_new", "first_aid.certified_trainees",
                 "first_aid.popular_trainees", "care.eldercare_caregivers", "care.eldercare_popular",
                 "care.organ_donations", "care.stem_cell_donations"]:
        total = truth[(truth["year"] == 2023) & (truth["county"] == "") & (truth["indicator"] == code)]["value"].sum()
        lines.append(f"| `{code}` | {names[code]} | {int(total):,} |")
    return lines


def readme_text() -> str:
    """``data/raw/README.md``: what these files are, how they were made, which file does what."""
    table = ["| 文件 | 格式 | 变体 | 数据问题（供校验） |", "|---|---|---|---|"]
    for row in sample_files().itertuples(index=False):
        table.append(f"| `{row.file}` | {row.format} | {row.variants} | {row.slips or '—'} |")
    return "\n".join([
        "# data/raw — the returns as received",
        "",
        "**The files in `2022/`, `2023/` and `2024/` are synthetic samples, not real returns.** They were",
        "made by a seeded script so that the package can be tried, tested and demonstrated end to end:",
        "",
        "```",
        "python -m jrc_analysis.returns.samples data/raw",
        "```",
        "",
        "The script (`jrc_analysis/returns/samples.py`) is deterministic: it writes byte-identical files every time,",
        "and a test (`tests/test_samples.py`) regenerates them into a temporary folder and compares them with",
        "the tests' frozen copy in `tests/data/raw`. The tests and the notebooks' regression run (nbval) read",
        "that copy, never this folder: change, add or replace the returns here and `make test` stays green.",
        "",
        "## How the numbers were made",
        "",
        "- Province totals per indicator and year are in `jrc_analysis/data/sample_totals.csv`. Each total is",
        "  split over the 11 prefectures roughly by population (with a lasting and a yearly random wobble) and",
        "  a share for 省本级, then each prefecture's value over its counties and 市本级, in whole units",
        "  (money in steps of 2,500 元, so that a value in 万元 converts back exactly). County rows plus 市本级",
        "  add up to the summary sheet; stocks never fall; cash + in-kind = total; online ≤ cash;",
        "  certified first-aiders ≤ people reached; some prefectures and some years miss their targets.",
        "- **Calibration:** the 2023 province totals (the sum of the 12 units' summary sheets) equal the",
        "  published figures in `reference/published-figures.csv` exactly:",
        "",
        "| indicator | 名称 | 2023 total |",
        "|---|---|---|",
        *_published_lines(),
        "",
        "- Totals for 2022 and 2024 are plausible values around the plan's targets (some above, some below).",
        "- `jrc_analysis.returns.samples.sample_truth()` returns what the winning files mean, value by value.",
        "",
        "## Which file does what",
        "",
        "Most files are the blank return (`jrc template`) filled in as is; the others are reworked the ways",
        "real returns are. The 2023 九江市 return was sent twice: the file marked （修订） corrects one value",
        "of the first and is the one that counts.",
        "",
        *table,
        "",
        "## Next year's real returns",
        "",
        "Put the files exactly as received into `data/raw/<year>/` (e.g. `data/raw/2025/`) — any name, any of",
        "xlsx/xls/ods — and never edit them: a correction comes as a new file marked （修订）. Then run",
        "`make briefing`. When the real returns replace these samples, delete the sample folders (the tests",
        "keep their own copy in `tests/data/raw`), and keep this README's last section.",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    """``python -m jrc_analysis.returns.samples RAW_DIR``: write the sample returns into RAW_DIR."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("用法：python -m jrc_analysis.returns.samples RAW_DIR", file=sys.stderr)
        return 2
    written = generate_samples(argv[0])
    print(f"已生成 {len(written)} 个文件：{argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

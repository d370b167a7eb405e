"""The plan as data: indicator catalogue, targets, geography, the target allocation and the status rules.

Everything here is read from the CSV files in ``jrc_analysis/data/`` (reference data as data, not
dicts in code). Functions return fresh DataFrames with proper dtypes: ``area`` and ``prefecture``
are ordered categoricals in the plan's order, so sorting by them gives the order of the briefing.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from jrc_analysis.config import REFERENCE_DIR

PROVINCE_HQ = "省本级"
ALIAS_SEP = "|"


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def areas() -> pd.DataFrame:
    """The eight action areas (行动) in the plan's order: ``area, name, order``."""
    return _areas().copy()


@lru_cache(maxsize=None)
def _areas() -> pd.DataFrame:
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
    return _indicators().copy()


@lru_cache(maxsize=None)
def _indicators() -> pd.DataFrame:
    frame = _read("indicators.csv").copy()
    frame["area"] = frame["area"].astype(area_dtype())
    frame["county_sheet"] = frame["county_sheet"].map({"1": True, "0": False}).astype(bool)
    frame["aliases"] = frame["aliases"].map(
        lambda s: [a.strip() for a in s.split(ALIAS_SEP) if a.strip()]
    )
    return frame.reset_index(drop=True)


def geography() -> pd.DataFrame:
    """Reporting units and counties: ``level (prefecture|province_hq|county), name, prefecture,
    population (万人, prefectures only), order, aliases (list of str), code`` (GB/T 2260 区划代码
    as text, 360102; empty for 省本级)."""
    return _geography().copy()


@lru_cache(maxsize=None)
def _geography() -> pd.DataFrame:
    frame = _read("geography.csv").copy()
    frame["population"] = pd.to_numeric(frame["population"].replace("", None), errors="raise")
    frame["order"] = frame["order"].astype(int)
    frame["aliases"] = frame["aliases"].map(
        lambda s: [a.strip() for a in s.split(ALIAS_SEP) if a.strip()]
    )
    frame["prefecture"] = frame["prefecture"].replace("", None).astype(prefecture_dtype())
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


# --- indicators one at a time ------------------------------------------------------------------


def indicator(code: str) -> dict:
    """The catalogue row of ``code`` as a dict (``aliases`` as a list); KeyError for an unknown code."""
    frame = indicators()
    rows = frame[frame["code"] == code]
    if rows.empty:
        raise KeyError(f"指标目录中没有指标代码“{code}”（代码区分大小写，如 grassroots.new_orgs）")
    row = rows.iloc[0].to_dict()
    row["area"] = str(row["area"])
    return row


def _catalogue_position() -> dict[str, int]:
    return {code: i for i, code in enumerate(indicators()["code"])}


# --- targets -----------------------------------------------------------------------------------

TARGET_COLUMNS = [
    "indicator", "year", "kind", "value", "upper", "level", "timing",
    "related_indicator", "scope", "wording", "sentence",
]


def targets() -> pd.DataFrame:
    """Every target of the plan (``targets.csv``), one row per indicator × year.

    Columns: ``indicator, area`` (ordered categorical, joined from the catalogue), then the
    contract's ``year (int), kind, value (float), upper (float, NaN unless a range), level, timing,
    related_indicator, scope, wording, sentence`` (empty strings where not applicable). Values are in
    the catalogue's base unit; ratio and growth thresholds are fractions. Sorted by area, catalogue
    order, year.
    """
    frame = _read("targets.csv").copy()
    frame["year"] = frame["year"].astype(int)
    frame["value"] = pd.to_numeric(frame["value"]).astype(float)
    frame["upper"] = pd.to_numeric(frame["upper"].replace("", None)).astype(float)
    area_of = dict(zip(indicators()["code"], indicators()["area"].astype(str)))
    frame.insert(1, "area", pd.Categorical(frame["indicator"].map(area_of), dtype=area_dtype()))
    frame["_position"] = frame["indicator"].map(_catalogue_position())
    frame = frame.sort_values(["area", "_position", "year"], kind="stable")
    return frame.drop(columns="_position").reset_index(drop=True)


def plan_years() -> list[int]:
    """The years the plan sets targets for (2022, 2023, 2024)."""
    return sorted(int(y) for y in _read("targets.csv")["year"].unique())


def targeted_indicators() -> list[str]:
    """Indicators the plan sets a target for (in some year), in catalogue order."""
    with_target = set(_read("targets.csv")["indicator"])
    return [code for code in indicators()["code"] if code in with_target]


def headline_indicators() -> tuple[str, ...]:
    """Codes of the headline indicators (``headline_indicators.csv``), in briefing order."""
    frame = _read("headline_indicators.csv").copy()
    frame["order"] = frame["order"].astype(int)
    return tuple(frame.sort_values("order", kind="stable")["indicator"])


def status_rules() -> pd.DataFrame:
    """The published status rules (``status_rules.csv``), in the order they are applied.

    Columns: ``order, kind ("*" = every kind), test (actual | target | due | completion),
    operator (missing | >= | > | <= | < | ==), threshold (float; NaN for missing), status,
    condition`` (the rule in words, Chinese). The first matching rule decides a row's status.
    """
    rules = _read("status_rules.csv").copy()
    rules["order"] = rules["order"].astype(int)
    rules["threshold"] = pd.to_numeric(rules["threshold"].replace("", None), errors="coerce")
    return rules.sort_values("order", kind="stable").reset_index(drop=True)


# --- allocation of province targets to prefectures ---------------------------------------------

ALLOCATION_COLUMNS = ["indicator", "year", "prefecture", "share", "target", "basis"]
DEFAULT_BASIS = "假设：按2020年常住人口占比分解（非官方分解）"
USER_BASIS = "用户提供的任务分解"
ALLOCATION_FILE = "allocation_default.csv"


def allocatable_targets() -> pd.DataFrame:
    """The province ``min`` targets that can be split among prefectures.

    Flows that every reporting unit reports (``reported_by == all``); work only 省本级 does
    (``reported_by == province_hq``: provincial/national teams, the province's training classes,
    the digital milestones), stocks, ranges, coverage, ratio, growth and milestones are not split.
    """
    cat = indicators()
    splittable = set(cat.loc[(cat["measure"] == "flow") & (cat["reported_by"] == "all"), "code"])
    frame = targets()
    keep = (frame["kind"] == "min") & (frame["level"] == "province") & frame["indicator"].isin(splittable)
    return frame[keep].reset_index(drop=True)


def population_shares() -> pd.Series:
    """Each prefecture's share of the 11 prefectures' 2020 population (sums to 1), in plan order."""
    geo = geography()
    rows = geo[geo["level"] == "prefecture"].set_index("name")["population"]
    rows = rows.reindex(prefectures())
    return rows / rows.sum()


def _allocation_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Allocation columns with their dtypes, sorted by catalogue order, year, prefecture."""
    out = pd.DataFrame({
        "indicator": frame["indicator"].astype(str),
        "year": frame["year"].astype(int),
        "prefecture": pd.Categorical(frame["prefecture"].astype(str), dtype=prefecture_dtype()),
        "share": frame["share"].astype(float),
        "target": frame["target"].astype(float),
        "basis": frame["basis"].astype(str),
    })
    out["_position"] = out["indicator"].map(_catalogue_position())
    out = out.sort_values(["_position", "year", "prefecture"], kind="stable")
    return out.drop(columns="_position").reset_index(drop=True)


def default_allocation() -> pd.DataFrame:
    """The default split of every splittable province ``min`` target among the 11 prefectures.

    Assumption (not an official allocation): each prefecture's share is its share of the
    2020-census population of the 11 prefectures; 省本级 gets no allocated target (its own work
    counts towards the province total but is not a prefecture's task). ``share`` is rounded to 6
    decimals; ``target`` is the province value split into **whole units** (whole 个, 人, 元) by
    largest remainder, so the 11 targets add up to the province target exactly. An indicator
    whose target in some year would give a prefecture less than one unit
    (:func:`splits_into_whole_units`: 2 warehouses give 鹰潭市 0.05) is not split at all — no
    prefecture can be measured against a fraction of a warehouse. Columns:
    ``indicator, year, prefecture, share, target, basis``.
    """
    shares = population_shares()
    splittable = allocatable_targets()
    whole = splittable.groupby("indicator")["value"].min().map(
        lambda smallest: splits_into_whole_units(smallest, list(shares)))
    rows = []
    for t in splittable[splittable["indicator"].map(whole)].itertuples(index=False):
        parts = split_by_largest_remainder(round(float(t.value)), list(shares))
        rows += [
            {
                "indicator": t.indicator,
                "year": t.year,
                "prefecture": prefecture,
                "share": round(float(share), 6),
                "target": float(part),
                "basis": DEFAULT_BASIS,
            }
            for (prefecture, share), part in zip(shares.items(), parts)
        ]
    return _allocation_frame(pd.DataFrame(rows, columns=ALLOCATION_COLUMNS))


def splits_into_whole_units(total: float, shares: list[float]) -> bool:
    """Whether ``total`` split by ``shares`` gives every part at least one whole unit (the
    smallest share × ``total`` ≥ 1): 30 博爱家园 × 鹰潭市 0.0255 = 0.77 does not, 180 救护师资
    × 0.0255 = 4.6 does."""
    return bool(shares) and min(shares) * float(total) >= 1.0


def split_by_largest_remainder(total: int, shares: list[float]) -> list[int]:
    """``total`` split into integers proportional to ``shares`` (summing to 1) that add up to
    ``total``: floors first, then one more to the largest remainders (earlier first on ties)."""
    exact = [total * s for s in shares]
    parts = [int(x // 1) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def write_default_allocation(path: str | Path | None = None) -> None:
    """Save :func:`default_allocation` as ``allocation_default.csv`` (atomically, UTF-8)."""
    from jrc_analysis.fileio import write_text_atomic

    target = REFERENCE_DIR / ALLOCATION_FILE if path is None else path
    write_text_atomic(target, default_allocation().to_csv(index=False, lineterminator="\n"))


def allocation(path: str | Path | None = None) -> pd.DataFrame:
    """The target allocation: the packaged default (:func:`default_allocation`, saved in
    ``allocation_default.csv``) or, with ``path``, a user's allocation file.

    The user's file is CSV (UTF-8 or GBK, as Excel saves it) or a workbook (xlsx/xls/ods, first
    sheet) with a header row ``indicator, year, prefecture, target`` and optionally ``share`` and
    ``basis``. Prefectures may be written as 南昌 / 南昌市 / 南昌市红十字会. A missing ``share``
    is computed as target ÷ the province target. Raises ``ValueError`` with a Chinese message naming
    the file and row for an unknown indicator, prefecture or year, a missing or negative number, or
    a duplicated row.
    """
    if path is None:
        raw = pd.read_csv(REFERENCE_DIR / ALLOCATION_FILE, dtype=str, keep_default_na=False,
                          encoding="utf-8")
        return _validated_allocation(raw, ALLOCATION_FILE)
    path = Path(path)
    return _validated_allocation(_read_table(path), path.name)


def _read_table(path: Path) -> pd.DataFrame:
    """A user's table as strings (empty cells as ``""``), header from the first row."""
    if not path.is_file():
        raise ValueError(f"找不到任务分解文件：{path.name}（请检查路径）")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            except UnicodeDecodeError:
                continue
        raise ValueError(f"任务分解文件 {path.name} 的编码无法识别：应为 UTF-8 或 GBK 编码的 CSV")
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:
            frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="calamine")
        except Exception as exc:  # any unreadable workbook becomes a message for people
            raise ValueError(f"任务分解文件 {path.name} 无法读取（{type(exc).__name__}）：请用 Excel 另存为 .xlsx 后重试") from exc
        return frame.map(_cell_text).astype(str)
    raise ValueError(f"任务分解文件 {path.name} 的格式不支持：应为 .csv 或 .xlsx")


def _cell_text(value) -> str:
    """A workbook cell as text: empty for missing, integral floats without ``.0``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _prefecture_names() -> dict[str, str]:
    """Prefecture name or alias → canonical name."""
    geo = geography()
    names = {}
    for row in geo[geo["level"] == "prefecture"].itertuples(index=False):
        for text in [row.name, *row.aliases]:
            names[text] = row.name
    return names


def _number(text: str) -> float | None:
    try:
        value = float(str(text).strip().replace(",", ""))
    except ValueError:
        return None
    return None if pd.isna(value) else value


def _validated_allocation(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    raw = raw.rename(columns=lambda c: str(c).strip())
    missing = [c for c in ("indicator", "year", "prefecture", "target") if c not in raw.columns]
    if missing:
        raise ValueError(
            f"任务分解文件 {name} 缺少列：{'、'.join(missing)}；"
            f"第1行应为列名 {', '.join(ALLOCATION_COLUMNS)}（share、basis 可省略）"
        )
    codes = set(indicators()["code"])
    years = plan_years()
    names = _prefecture_names()
    province = {(t.indicator, t.year): t.value
                for t in targets().itertuples(index=False) if t.kind == "min" and t.level == "province"}
    rows, seen = [], {}
    for i, rec in enumerate(raw.to_dict("records")):
        line = i + 2  # the header is row 1
        if not any(str(v).strip() for v in rec.values()):
            continue  # a blank row (e.g. ",,,," left by Excel)
        where = f"任务分解文件 {name} 第{line}行"
        code = str(rec["indicator"]).strip()
        if code not in codes:
            raise ValueError(f"{where}：指标代码“{code}”不在指标目录中，应为目录中的代码（如 grassroots.new_orgs）")
        year = _number(str(rec["year"]).strip().removesuffix("年"))
        if year is None or not year.is_integer() or int(year) not in years:
            raise ValueError(f"{where}：年度“{rec['year']}”无效，应为 {'、'.join(map(str, years))} 之一")
        place = names.get(str(rec["prefecture"]).strip())
        if place is None:
            raise ValueError(f"{where}：设区市“{rec['prefecture']}”无法识别，应为 {'、'.join(prefectures())} 之一")
        target = _number(rec["target"])
        if target is None or target < 0:
            raise ValueError(f"{where}：目标值“{rec['target']}”无效，应为不小于0的数")
        share_text = str(rec.get("share", "")).strip()
        if share_text:
            share = _number(share_text)
            if share is None or not 0 <= share <= 1:
                raise ValueError(f"{where}：占比“{share_text}”无效，应为0到1之间的小数（如 0.125）")
        else:
            base = province.get((code, int(year)))
            share = target / base if base else float("nan")
        key = (code, int(year), place)
        if key in seen:
            raise ValueError(f"{where}：与第{seen[key]}行重复（同一指标、年度、设区市只能有一行）")
        seen[key] = line
        basis = str(rec.get("basis", "")).strip() or USER_BASIS
        rows.append({"indicator": code, "year": int(year), "prefecture": place,
                     "share": share, "target": target, "basis": basis})
    return _allocation_frame(pd.DataFrame(rows, columns=ALLOCATION_COLUMNS))


if __name__ == "__main__":  # python -m jrc_analysis.plan.catalog: regenerate allocation_default.csv
    write_default_allocation()

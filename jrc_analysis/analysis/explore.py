"""The raw folder read once and cached (tidy values, issues, full gap tables), and the tables the
notebooks show.

:func:`load` returns a :class:`Loaded` — the tidy values, the issues, the files read and the gap
tables of :mod:`jrc_analysis.analysis.gaps` over every year — ingesting the raw folder only when
it changed since the last run, so a notebook is ready in a couple of seconds. The analysis of one
year (:func:`jrc_analysis.analysis.analysis.analyse`) is cut from it; notebooks and the briefing
use that, not :func:`load` directly.

When is the raw folder "changed"? :func:`fingerprint` is a sha256 over

* every file under the raw folder (the same files the ingest sees, junk included): its path relative
  to the folder, its size and the sha256 of its **content** (no mtimes: copying a folder, a git
  checkout or unzipping keeps the fingerprint; a few hundred workbooks hash in well under a second);
* the **pipeline**: the package's own source files and reference data (``jrc_analysis/**/*.py``,
  ``jrc_analysis/data/*.csv``) and the Python, pandas and numpy versions — a change in the cleaning
  or gap code, a target, or the library versions also makes the cached tables stale.

The cache lives in the processed folder: the contract's outputs (``returns.parquet``,
``returns.csv``, ``issues.csv``, via :func:`jrc_analysis.returns.ingest.write_outputs`), then
``explore_cache.pkl`` (the :class:`Loaded` tables, pickled), then — last, atomically —
``fingerprint.json`` (the fingerprint and the sha256 of the pickle). A run killed halfway leaves an
old or missing ``fingerprint.json``, so the next call ingests again; a pickle that does not match its
recorded hash is never read. The pickle is a private cache written by this code, never a file to
share.

Nothing here prints or shows a progress bar: warnings and stderr output of the ingest are
swallowed, so a notebook's stored output is the same whether this call ingested or not.

The small table functions below (:func:`per_population`, :func:`issues_by_unit`, …) are the
tables the notebooks show that :mod:`jrc_analysis.analysis.gaps` does not provide; each is pure.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import platform
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from jrc_analysis.plan import catalog

from jrc_analysis import config
from jrc_analysis import units as written  # numbers in the units readers use

from jrc_analysis.analysis import gaps
from jrc_analysis.fileio import atomic_path, write_text_atomic

FINGERPRINT_FILE = "fingerprint.json"
OUTPUT_FILES = ("returns.parquet", "returns.csv", "issues.csv")  # ingest.OUTPUT_FILES
CACHE_FILE = "explore_cache.pkl"
CACHE_FORMAT = 1  # bump when the Loaded fields change
PACKAGE_DIR = config.PACKAGE_DIR
PROVINCE_LABEL = gaps.PROVINCE_LABEL

# Chinese column headers of the display tables (what an analyst reads in a notebook): reference data,
# kept in jrc_analysis/data/column_labels.csv.
COLUMN_LABELS = dict(pd.read_csv(config.REFERENCE_DIR / "column_labels.csv", dtype=str, encoding="utf-8")
                     .itertuples(index=False, name=None))
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}



# ----------------------------------------------------------------------------------------------
# Loaded: what a notebook works with
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Loaded:
    """Everything :func:`load` computes once.

    ``values`` (tidy values, DESIGN.md's columns), ``issues`` (the issue table: ``severity, code,
    source_file, sheet, cell, message``), ``returns`` (one row per file read:
    ``jrc_analysis.returns.ingest.RETURN_COLUMNS``), ``skipped`` (junk files: ``source_file, reason``),
    ``province`` (:func:`gaps.province_gaps`), ``prefecture`` (:func:`gaps.prefecture_gaps`, default
    allocation), ``coverage`` (:func:`gaps.coverage_table`), ``completeness``
    (:func:`gaps.completeness`), ``reporting_rates`` (:func:`gaps.reporting_rates`),
    ``fundraising_mix`` (:func:`gaps.fundraising_mix`), ``synthetic`` (the raw folder holds the
    synthetic samples — :func:`is_synthetic` — so charts carry the note
    示例数据（合成）; pass it on as ``synthetic=data.synthetic``), ``fingerprint`` (hex digest of
    the raw folder and the pipeline) and ``ingested`` (True when this call read the raw files,
    False when it came from the cache).
    """

    values: pd.DataFrame
    issues: pd.DataFrame
    returns: pd.DataFrame
    skipped: pd.DataFrame
    province: pd.DataFrame
    prefecture: pd.DataFrame
    coverage: pd.DataFrame
    completeness: pd.DataFrame
    reporting_rates: pd.DataFrame
    fundraising_mix: pd.DataFrame
    synthetic: bool
    fingerprint: str
    ingested: bool

    @property
    def years(self) -> list[int]:
        """Years with values, ascending."""
        return sorted(int(y) for y in pd.unique(self.values["year"].dropna()))

    @property
    def latest_year(self) -> int | None:
        """The latest year with values (the default briefing year), None without values."""
        return self.years[-1] if self.years else None

    def __repr__(self) -> str:
        issues = self.issues["severity"]
        return (f"Loaded（报表 {len(self.returns)} 个，数值 {len(self.values)} 个，年度："
                f"{'、'.join(map(str, self.years)) or '无'}；错误 {int((issues == 'error').sum())} 条，"
                f"警告 {int((issues == 'warning').sum())} 条；"
                f"{'本次读取了原始报表' if self.ingested else '来自缓存'}）")


# ----------------------------------------------------------------------------------------------
# Fingerprint
# ----------------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_records(folder: str | os.PathLike) -> list[dict]:
    """Every file under ``folder`` (recursively): ``path`` (relative, ``/``), ``size``, ``sha256``;
    sorted by path. An absent folder has no files."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = sorted((p for p in folder.rglob("*") if p.is_file()),
                   key=lambda p: p.relative_to(folder).as_posix())
    return [{"path": p.relative_to(folder).as_posix(), "size": p.stat().st_size,
             "sha256": _sha256_file(p)} for p in files]


def pipeline_version() -> str:
    """sha256 over the package's source and reference data and the library versions."""
    digest = hashlib.sha256()
    for record in file_records(PACKAGE_DIR):
        if record["path"].endswith((".py", ".csv")) and "__pycache__" not in record["path"]:
            digest.update(f"{record['path']}\0{record['sha256']}\n".encode())
    versions = f"python {platform.python_version()}; pandas {pd.__version__}; numpy {np.__version__}"
    digest.update(f"{versions}; cache format {CACHE_FORMAT}".encode())
    return digest.hexdigest()


def fingerprint(raw_dir: str | os.PathLike, pipeline: str | None = None) -> dict:
    """The raw folder's fingerprint: ``digest`` (hex), ``pipeline`` (:func:`pipeline_version`)
    and ``files`` (:func:`file_records`). Paths are relative: no machine-specific text."""
    files = file_records(raw_dir)
    pipeline = pipeline_version() if pipeline is None else pipeline
    text = json.dumps({"pipeline": pipeline, "files": files}, sort_keys=True, ensure_ascii=False)
    return {"digest": hashlib.sha256(text.encode("utf-8")).hexdigest(), "pipeline": pipeline,
            "files": files}


def read_fingerprint(processed_dir: str | os.PathLike) -> dict | None:
    """The fingerprint recorded by the last :func:`load` (None if absent or unreadable)."""
    path = Path(processed_dir) / FINGERPRINT_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------
# Load
# ----------------------------------------------------------------------------------------------

def _read_cache(processed_dir: Path, digest: str) -> Loaded | None:
    """The cached :class:`Loaded` if the recorded fingerprint is ``digest``, the pickle is the
    one recorded and the contract's outputs (``returns.parquet``, ``returns.csv``, ``issues.csv``)
    are all there (someone may have deleted one); else None."""
    recorded = read_fingerprint(processed_dir)
    if not recorded or recorded.get("digest") != digest:
        return None
    if not all((processed_dir / name).is_file() for name in OUTPUT_FILES):
        return None
    cache = processed_dir / CACHE_FILE
    try:
        data = cache.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != recorded.get("cache_sha256"):
        return None
    try:
        loaded = pickle.loads(data)  # noqa: S301 - our own cache, checked against its hash
    except Exception:  # noqa: BLE001 - an unreadable cache is simply rebuilt
        return None
    return loaded if isinstance(loaded, Loaded) else None


SYNTHETIC_MARK = "synthetic samples"  # what the samples' README.md in the raw folder says


def is_synthetic(raw_dir: str | os.PathLike) -> bool:
    """True when the raw folder holds the synthetic samples (its README.md says so): the charts
    then carry the note 示例数据（合成），非官方统计."""
    readme = Path(raw_dir) / "README.md"
    return readme.is_file() and SYNTHETIC_MARK in readme.read_text(encoding="utf-8", errors="replace")


def _ingest_quietly(raw_dir: Path):
    """``(ingest.load_returns(raw_dir), is_synthetic(raw_dir))`` with the progress bar,
    warnings and stderr swallowed (importing tqdm in a kernel without ipywidgets warns on stderr:
    that too)."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        from jrc_analysis.returns import ingest

        return ingest.load_returns(raw_dir), is_synthetic(raw_dir)


def compute(raw_dir: str | os.PathLike, digest: str = "") -> Loaded:
    """Ingest ``raw_dir`` and compute every table (no cache involved)."""
    result, synthetic = _ingest_quietly(Path(raw_dir))
    from jrc_analysis.returns import ingest  # already imported, quietly, by _ingest_quietly

    values = result.values
    failed = gaps.failed_returns(result.returns)  # returns that came but gave nothing: 报表有错误
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = gaps.gap_tables(values, failed=failed)  # the three gap tables from one preparation
        return Loaded(
            values=values,
            issues=ingest.issues_table(result.issues),
            returns=result.returns,
            skipped=result.skipped,
            province=tables.province,
            prefecture=tables.prefectures,
            coverage=tables.coverage,
            completeness=gaps.completeness(values, failed=failed),
            reporting_rates=gaps.reporting_rates(values, failed=failed),
            fundraising_mix=gaps.fundraising_mix(values),
            synthetic=synthetic,
            fingerprint=digest,
            ingested=True,
        )


def _write_cache(loaded: Loaded, processed_dir: Path, current: dict) -> None:
    """The contract's outputs, the pickle, then ``fingerprint.json`` (each atomically)."""
    from jrc_analysis.returns import ingest
    from jrc_analysis.issues import Issue

    issues = [Issue(*row) for row in loaded.issues.itertuples(index=False)]
    outputs = ingest.LoadResult(values=loaded.values, issues=issues, returns=loaded.returns,
                                accounting=pd.DataFrame(columns=ingest.ACCOUNTING_COLUMNS),
                                skipped=loaded.skipped)
    ingest.write_outputs(outputs, processed_dir)
    data = pickle.dumps(replace(loaded, ingested=False), protocol=4)
    with atomic_path(processed_dir / CACHE_FILE) as tmp:
        tmp.write_bytes(data)
    record = {"digest": current["digest"], "pipeline": current["pipeline"],
              "cache_sha256": hashlib.sha256(data).hexdigest(), "files": current["files"]}
    write_text_atomic(processed_dir / FINGERPRINT_FILE,
                      json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def load(raw_dir: str | os.PathLike | None = None, processed_dir: str | os.PathLike | None = None,
         refresh: bool = False) -> Loaded:
    """The tidy values, issues and gap tables of the raw folder, ingesting only when needed.

    ``raw_dir`` defaults to ``config.raw_dir()`` and ``processed_dir`` to
    ``config.processed_dir()`` (``JRC_DATA_ROOT`` moves both). The raw folder is ingested when its
    :func:`fingerprint` differs from the one recorded in ``processed_dir/fingerprint.json``, when
    the cache is missing or damaged, or when ``refresh`` is True; the outputs and the cache are then
    written to ``processed_dir``. Nothing is printed. Raises ``FileNotFoundError`` (Chinese message)
    when the raw folder does not exist.
    """
    raw = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    out = Path(processed_dir) if processed_dir is not None else config.processed_dir()
    if not raw.is_dir():
        raise FileNotFoundError(
            f"找不到原始报表文件夹 {raw.resolve()}。请把各单位报表放在 data/raw/<年度>/ 下"
            "（或运行 make samples 生成示例报表），也可用环境变量 JRC_DATA_ROOT 指定数据文件夹。")
    current = fingerprint(raw)
    if not refresh:
        cached = _read_cache(out, current["digest"])
        if cached is not None:
            return cached
    loaded = compute(raw, current["digest"])
    _write_cache(loaded, out, current)
    return loaded


# ----------------------------------------------------------------------------------------------
# Tables the notebooks show
# ----------------------------------------------------------------------------------------------

def unit_order() -> dict[str, int]:
    """Reporting unit → position (the 11 prefectures, 省本级, 全省 last)."""
    return {u: i for i, u in enumerate(catalog.reporting_units() + [PROVINCE_LABEL])}


def issues_with_unit(issues: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """A copy of the issue table with ``prefecture`` and ``year`` of the file each issue is about
    (from ``returns``; 未识别单位 and NA when the file's unit is unknown). Sorted by unit order,
    year, then the issue table's own order."""
    meta = returns[["source_file", "prefecture", "year"]].drop_duplicates("source_file")
    own = [c for c in ("prefecture", "year") if c in issues.columns]  # e.g. Analysis.issues' year
    out = issues.drop(columns=own).merge(meta, on="source_file", how="left")
    out["prefecture"] = out["prefecture"].fillna("").astype(str).replace("", "未识别单位")
    out["year"] = out["year"].astype("Int64")
    order = unit_order()
    out["_order"] = out["prefecture"].map(order).fillna(len(order))
    out["_pos"] = np.arange(len(out))
    out = out.sort_values(["_order", "year", "_pos"], kind="stable", na_position="last")
    return out.drop(columns=["_order", "_pos"]).reset_index(drop=True)


def issues_by_unit(issues: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Errors and warnings per reporting unit and year: ``prefecture, year, files, errors,
    warnings`` (``files``: files read for that unit and year). Every unit with a file or an issue
    appears; sorted by unit order and year."""
    tagged = issues_with_unit(issues, returns)
    counts = (tagged.assign(errors=tagged["severity"].eq("error").astype(int),
                            warnings=tagged["severity"].eq("warning").astype(int))
              .groupby(["prefecture", "year"], dropna=False)[["errors", "warnings"]].sum())
    files = (returns.assign(prefecture=returns["prefecture"].fillna("").astype(str)
                            .replace("", "未识别单位"), year=returns["year"].astype("Int64"))
             .groupby(["prefecture", "year"], dropna=False).size().rename("files"))
    out = pd.concat([files, counts], axis=1).fillna(0).astype(int).reset_index()
    order = unit_order()
    out["_order"] = out["prefecture"].map(order).fillna(len(order))
    out = out.sort_values(["_order", "year"], kind="stable", na_position="last")
    return out[["prefecture", "year", "files", "errors", "warnings"]].reset_index(drop=True)


def send_back(issues: pd.DataFrame, returns: pd.DataFrame, prefecture: str | None = None,
              year: int | None = None) -> pd.DataFrame:
    """What to send back to each unit: ``prefecture, year, severity`` (错误/警告), ``source_file,
    sheet, cell, message``; errors before warnings within a file; optionally one unit / year."""
    tagged = issues_with_unit(issues, returns)
    if prefecture is not None:
        tagged = tagged[tagged["prefecture"] == prefecture]
    if year is not None:
        tagged = tagged[tagged["year"] == year]
    tagged = tagged.assign(_sev=tagged["severity"].map({"error": 0, "warning": 1}).fillna(2))
    tagged["_order"] = tagged["prefecture"].map(unit_order()).fillna(99)
    tagged = tagged.sort_values(["_order", "year", "source_file", "_sev"], kind="stable")
    tagged["severity"] = tagged["severity"].map(SEVERITY_LABELS).fillna(tagged["severity"])
    columns = ["prefecture", "year", "severity", "source_file", "sheet", "cell", "message"]
    return tagged[columns].reset_index(drop=True)


def area_indicators(province: pd.DataFrame, area: str, targeted_only: bool = False) -> list[str]:
    """Indicator codes of ``area`` in catalogue order (only those with a target in some year when
    ``targeted_only``)."""
    rows = province[province["area"].astype(str) == area]
    if targeted_only:
        has = rows.groupby("indicator", sort=False)["target"].apply(lambda s: s.notna().any())
        rows = rows[rows["indicator"].isin(has[has].index)]
    return list(dict.fromkeys(rows["indicator"]))


def _row(table: pd.DataFrame, indicator: str, year: int) -> pd.Series | None:
    rows = table[(table["indicator"] == indicator) & (table["year"] == year)]
    return None if rows.empty else rows.iloc[0]


PERCENT_KINDS = ("ratio", "growth")
COUNT_KINDS = ("coverage",)


def _shower(kind: str, unit: str, scale: list[float]):
    """How a value of this kind is written: a percentage (ratio, growth), a count of units
    (coverage: ``95个县（市、区）``), 是/否 (milestone) or a number in the display unit."""
    if kind in PERCENT_KINDS:
        return lambda v: written.format_percent(v, 1)
    if kind in COUNT_KINDS:
        return lambda v: "—" if pd.isna(v) else f"{written.format_number(v)}{unit}"
    return lambda v: written.format_value(v, unit, scale_by=scale)


def _series_scale(province: pd.DataFrame, indicator: str) -> list[float]:
    series = province[province["indicator"] == indicator]
    return list(pd.concat([series["actual"], series["target"]]).dropna())


def _target_text(row, show) -> str:
    """The target as text: 10万人 / 2个—4个 / 100%（2024年底前）; — without a target."""
    if pd.isna(row["target"]):
        return "—"
    text = show(row["target"])
    if row["kind"] == "range" and pd.notna(row["target_upper"]):
        text = f"{text}—{show(row['target_upper'])}"
    if row["timing"] == "by" and pd.notna(row["due"]) and not bool(row["due"]):
        text += f"（{int(row['due_year'])}年底前）"
    return text


def _completion_text(row) -> str:
    """Completion for amounts only (a percentage of a percentage or of 是 says nothing)."""
    if row["kind"] in PERCENT_KINDS + COUNT_KINDS + ("milestone",):
        return "—"
    return written.format_percent(row["completion"], 1)


def reading(province: pd.DataFrame, indicator: str, year: int) -> str:
    """One sentence on an indicator in ``year``, generated from the province table.

    E.g. "应急救护持证培训（救护员）：2024年全省11.72万人，目标10万人（完成率117.2%），达标；
    12/12报送；比上年减少3.44万人（-22.7%）。" The words follow the row: 未报送 when no unit
    reported (never 0), the count of units for a coverage target, a percentage for a ratio or
    growth rate, 是/否 for a milestone, no status without a target, no comparison without the year
    before.
    """
    rows = province[(province["indicator"] == indicator) & (province["year"] == year)]
    if rows.empty:
        return f"{indicator}：{year}年没有数据。"
    row = rows.iloc[0]
    kind, name = str(row["kind"]), str(row["name"])
    unit = str(row["actual_unit"] or row["unit"])
    show = _shower(kind, unit, _series_scale(province, indicator))
    has_target = pd.notna(row["target"])
    if pd.isna(row["actual"]):
        target = f"，目标{_target_text(row, show)}" if has_target else ""
        return f"{name}：{year}年各单位均未报送（未报送不按0计）{target}。"
    measured = {"growth": "增长率（新增÷上年末总数）为", "ratio": "比例为",
                "coverage": "达到要求的有"}.get(kind, "")
    text = f"{name}：{year}年全省{measured}{show(row['actual'])}"
    if kind == "coverage":
        need = ("为“是”" if row["unit"] == "是/否"
                else f"至少{written.format_number(row['threshold'])}{row['unit']}")
        text += f"（每个{need}）"
    if has_target:
        text += f"，{'应为' if kind == 'coverage' else '目标'}{_target_text(row, show)}"
        if _completion_text(row) != "—":
            text += f"（完成率{_completion_text(row)}）"
        if row["timing"] == "by" and pd.notna(row["due"]) and not bool(row["due"]):
            text += "，尚未到期、只看进展"
        else:
            text += f"，{row['status']}"
    text += f"；{row['reported']}报送"
    if pd.notna(row["yoy_change"]) and kind not in PERCENT_KINDS + COUNT_KINDS + ("milestone",):
        change = float(row["yoy_change"])
        if change == 0:
            text += "；与上年持平"
        else:
            text += f"；比上年{'增加' if change > 0 else '减少'}{show(abs(change))}"
            if pd.notna(row["yoy_pct"]):
                text += f"（{written.format_percent(row['yoy_pct'], 1)}）"
    return text + "。"


def gap_table(province: pd.DataFrame, indicators: list[str] | None = None,
              years: list[int] | None = None) -> pd.DataFrame:
    """The province gap table as people read it (text, Chinese headers): 指标, 年度, 完成数,
    目标, 完成率, 状态, 报送. Amounts in each indicator's display unit (one unit per indicator
    over the years), ratio and growth as percentages, coverage as a count of units, milestones as
    是/否; 完成率 only for amounts. Rows in the table's order (area, catalogue, year)."""
    table = province
    if indicators is not None:
        table = table[table["indicator"].isin(indicators)]
    if years is not None:
        table = table[table["year"].isin(years)]
    rows = []
    for code, group in table.groupby("indicator", sort=False):
        for _, row in group.iterrows():
            unit = str(row["actual_unit"] or row["unit"])
            show = _shower(str(row["kind"]), unit, _series_scale(province, code))
            rows.append({
                "name": row["name"], "year": int(row["year"]), "actual": show(row["actual"]),
                "target": _target_text(row, show), "completion": _completion_text(row),
                "status": row["status"], "reported": row["reported"],
            })
    out = pd.DataFrame(rows, columns=["name", "year", "actual", "target", "completion", "status",
                                      "reported"])
    return out.rename(columns=COLUMN_LABELS)


def prefecture_table(prefecture: pd.DataFrame, indicator: str, year: int) -> pd.DataFrame:
    """One indicator and year by reporting unit, as people read it: 填报单位, 完成数, 分解目标,
    完成率, 状态, 占全省, 排名 (units in the plan's order; 未报送 shown as —)."""
    rows = prefecture[(prefecture["indicator"] == indicator) & (prefecture["year"] == year)]
    unit = str(rows["actual_unit"].iloc[0] or rows["unit"].iloc[0]) if len(rows) else ""
    shown, factor = written.display_unit(unit, pd.concat([rows["actual"], rows["target"]]).dropna())
    out = pd.DataFrame({
        "prefecture": rows["prefecture"].astype(str),
        "actual": [written.format_number(v / factor) for v in rows["actual"]],
        "allocated": [written.format_number(v / factor) for v in rows["target"]],
        "completion": [written.format_percent(v, 1) for v in rows["completion"]],
        "status": rows["status"].astype(str),
        "share": [written.format_percent(v, 1) for v in rows["share"]],
        "rank": [("—" if pd.isna(v) else str(int(v))) for v in rows["rank"]],
    })
    labels = dict(COLUMN_LABELS, actual=f"完成数（{shown}）", allocated=f"分解目标（{shown}）")
    return out.rename(columns=labels).reset_index(drop=True)


def per_population(prefecture: pd.DataFrame, indicator: str, year: int) -> pd.DataFrame:
    """An indicator per 10,000 residents by prefecture (2020 census; 省本级 has no population).

    Columns ``prefecture, actual, population`` (万人), ``per_10k`` (actual ÷ population, i.e. per
    10,000 residents; NaN when not reported), ``rank`` (largest first, Int64). Plus a 全省 row:
    the province total of the prefectures *and* 省本级 over the whole population — the province
    rate counts everyone trained. Prefectures in the plan's order, 全省 last.
    """
    geo = catalog.geography()
    geo = geo[geo["level"] == "prefecture"]
    population = dict(zip(geo["name"].astype(str), geo["population"].astype(float)))
    rows = prefecture[(prefecture["indicator"] == indicator) & (prefecture["year"] == year)]
    actual = dict(zip(rows["prefecture"].astype(str), rows["actual"].astype(float)))
    names = catalog.prefectures()
    out = pd.DataFrame({"prefecture": names,
                        "actual": [actual.get(p, np.nan) for p in names],
                        "population": [population[p] for p in names]})
    out["per_10k"] = out["actual"] / out["population"]
    out["rank"] = out["per_10k"].rank(ascending=False, method="min").astype("Int64")
    total = pd.Series(list(actual.values()), dtype=float).sum(min_count=1)
    province = pd.DataFrame({"prefecture": [PROVINCE_LABEL], "actual": [total],
                             "population": [sum(population[p] for p in names)]})
    province["per_10k"] = province["actual"] / province["population"]
    province["rank"] = pd.array([pd.NA], dtype="Int64")
    return pd.concat([out, province], ignore_index=True)


def compare_indicators(prefecture: pd.DataFrame, numerator: str, denominator: str,
                       year: int) -> pd.DataFrame:
    """Two indicators side by side by reporting unit, and their ratio: ``prefecture, numerator,
    denominator, ratio`` (numerator ÷ denominator, NaN if either is missing or the denominator
    is 0); 全省 last (sums over the units that reported both)."""
    rows = prefecture[prefecture["year"] == year]
    pick = {code: dict(zip(rows.loc[rows["indicator"] == code, "prefecture"].astype(str),
                           rows.loc[rows["indicator"] == code, "actual"].astype(float)))
            for code in (numerator, denominator)}
    units = catalog.reporting_units()
    out = pd.DataFrame({"prefecture": units,
                        "numerator": [pick[numerator].get(u, np.nan) for u in units],
                        "denominator": [pick[denominator].get(u, np.nan) for u in units]})
    both = out["numerator"].notna() & out["denominator"].notna()
    total = pd.DataFrame({"prefecture": [PROVINCE_LABEL],
                          "numerator": [out.loc[both, "numerator"].sum()] if both.any() else [np.nan],
                          "denominator": [out.loc[both, "denominator"].sum()] if both.any() else [np.nan]})
    out = pd.concat([out, total], ignore_index=True)
    out["ratio"] = out["numerator"] / out["denominator"].where(out["denominator"] != 0)
    return out


def headline_numbers(province: pd.DataFrame, year: int,
                     indicators: list[str] | None = None) -> pd.DataFrame:
    """The headline indicators in ``year`` and cumulatively since the plan began, as text:
    指标, 完成数, 目标, 完成率, 状态, 报送, 累计完成数, 累计目标, 累计完成率."""
    codes = list(indicators) if indicators is not None else list(catalog.headline_indicators())
    rows = []
    for code in codes:
        row = _row(province, code, year)
        if row is None:
            continue
        series = province[province["indicator"] == code]
        unit = str(row["actual_unit"] or row["unit"])
        scale = list(pd.concat([series["actual"], series["target"]]).dropna())
        show = lambda v: written.format_value(v, unit, scale_by=scale)  # noqa: E731
        rows.append({
            "name": row["name"], "actual": show(row["actual"]), "target": show(row["target"]),
            "completion": written.format_percent(row["completion"], 1), "status": row["status"],
            "reported": row["reported"], "cumulative": show(row["cumulative_actual"]),
            "cumulative_target": show(row["cumulative_target"]),
            "cumulative_completion": written.format_percent(row["cumulative_completion"], 1),
        })
    columns = ["name", "actual", "target", "completion", "status", "reported", "cumulative",
               "cumulative_target", "cumulative_completion"]
    return pd.DataFrame(rows, columns=columns).rename(columns=COLUMN_LABELS)


def status_counts(province: pd.DataFrame, year: int) -> pd.DataFrame:
    """How many indicators are 达标 / 未达标 / 未报送 / 无目标 in ``year``, by area (plan order)
    and in total: rows = areas (Chinese names) + 合计, columns = the four statuses."""
    rows = province[province["year"] == year]
    names = dict(zip(catalog.areas()["area"].astype(str), catalog.areas()["name"]))
    counts = pd.crosstab(rows["area"].astype(str), rows["status"])
    counts = counts.reindex(index=list(names), columns=list(gaps.STATUSES), fill_value=0)
    counts.loc["合计"] = counts.sum()
    counts.index = [names.get(a, a) for a in counts.index]
    counts.index.name = "行动"
    counts.columns.name = None
    return counts.astype(int)


def text_table(frame: pd.DataFrame) -> str:
    """A table as aligned text for printing (no index when it is a plain range; ``—`` for
    missing values; ``（无）`` for an empty table). Numbers should already be formatted."""
    if frame.empty:
        return "（无）"
    plain = isinstance(frame.index, pd.RangeIndex)
    return frame.astype(object).where(frame.notna(), "—").to_string(index=not plain)


def plan_sentences(area: str) -> list[str]:
    """The plan's own sentences behind the area's targets (``targets.csv``), in catalogue order,
    each once."""
    targets = catalog.targets()
    rows = targets[(targets["area"].astype(str) == area) & (targets["sentence"] != "")]
    return list(dict.fromkeys(rows["sentence"]))


def labelled(frame: pd.DataFrame, **extra: str) -> pd.DataFrame:
    """A copy with Chinese column headers (:data:`COLUMN_LABELS`, overridden by ``extra``)."""
    return frame.rename(columns={**COLUMN_LABELS, **extra})


def returns_matrix(completeness: pd.DataFrame) -> pd.DataFrame:
    """Reporting unit × year: 已报送 (with the number of blank indicators) or 未报送; units in the
    plan's order, years ascending (from :func:`gaps.completeness`)."""
    cells = completeness.assign(text=np.where(
        completeness["returned"].astype(bool),
        "已报送（空白" + completeness["indicators_blank"].astype(int).astype(str) + "项）",
        np.where(completeness.get("return_failed", False), gaps.RETURN_FAILED, "未报送")))
    out = cells.pivot(index="prefecture", columns="year", values="text")
    order = [u for u in unit_order() if u in out.index]
    out = out.reindex(order)
    out.columns = [f"{y}年" for y in out.columns]
    out.index.name = "填报单位"
    return out


def overview_text(loaded: Loaded) -> str:
    """Files read and used, junk skipped, values, errors and warnings — one line of Chinese."""
    issues = loaded.issues["severity"]
    used = int(loaded.returns["used"].astype(bool).sum()) if len(loaded.returns) else 0
    return (f"报表文件 {len(loaded.returns)} 个（采用 {used} 个，跳过非报表文件 "
            f"{len(loaded.skipped)} 个）；数值 {len(loaded.values)} 个；"
            f"错误 {int((issues == 'error').sum())} 条；警告 {int((issues == 'warning').sum())} 条。")


def issue_codes(issues: pd.DataFrame) -> pd.DataFrame:
    """How many issues of each code: ``severity`` (错误/警告), ``code``, ``count``; errors first,
    then most frequent, then code."""
    counts = issues.groupby(["severity", "code"]).size().rename("count").reset_index()
    counts["_sev"] = counts["severity"].map({"error": 0, "warning": 1}).fillna(2)
    counts = counts.sort_values(["_sev", "count", "code"], ascending=[True, False, True],
                                kind="stable")
    counts["severity"] = counts["severity"].map(SEVERITY_LABELS).fillna(counts["severity"])
    return counts[["severity", "code", "count"]].reset_index(drop=True)


def rates_below(reporting_rates: pd.DataFrame, year: int) -> pd.DataFrame:
    """Indicators not reported by every unit in ``year``: 指标, 报送, 报送率 (lowest first)."""
    rows = reporting_rates[(reporting_rates["year"] == year) & (reporting_rates["rate"] < 1)]
    rows = rows.sort_values("rate", kind="stable")
    out = pd.DataFrame({"name": rows["name"], "reported": rows["reported"],
                        "rate": [written.format_percent(r, 1) for r in rows["rate"]]})
    return labelled(out.reset_index(drop=True))


def mix_table(mix: pd.DataFrame, prefecture: str | None = None, year: int | None = None
              ) -> pd.DataFrame:
    """The fundraising mix (:func:`gaps.fundraising_mix`) as people read it: 填报单位, 年度,
    合计, 资金, 物资折价, 网络众筹 (one display unit for the whole table), 资金占比, 网络众筹占比,
    资金占比变化; optionally one unit (全省 for the province) and/or one year. The display unit
    is chosen from the smallest total, so that no unit's amounts round to 0."""
    rows = mix
    if prefecture is not None:
        rows = rows[rows["prefecture"] == prefecture]
    if year is not None:
        rows = rows[rows["year"] == year]
    amounts = ["total", "cash", "in_kind", "online"]
    totals = rows["total"].astype(float)
    smallest = totals[totals > 0].min() if (totals > 0).any() else 0.0
    shown, factor = written.display_unit("元", smallest)  # the smallest total still reads well
    out = pd.DataFrame({"prefecture": rows["prefecture"].astype(str), "year": rows["year"]})
    for column in amounts:
        out[column] = [written.format_number(v / factor) for v in rows[column]]
    for column in ("cash_share", "online_share"):
        out[column] = [written.format_percent(v, 1) for v in rows[column]]
    out["cash_share_trend"] = rows["cash_share_trend"].replace("", "—")
    labels = {c: f"{COLUMN_LABELS[c]}（{shown}）" for c in amounts}
    return labelled(out.reset_index(drop=True), **labels)


def blank_indicators(completeness: pd.DataFrame, year: int) -> pd.DataFrame:
    """Units that sent a return for ``year`` but left indicators blank: 填报单位, 空白指标数,
    空白指标 (names, catalogue order); units in the table's order (from :func:`gaps.completeness`)."""
    rows = completeness[(completeness["year"] == year) & completeness["returned"].astype(bool)
                        & (completeness["indicators_blank"] > 0)]
    out = rows[["prefecture", "indicators_blank", "blank_text"]].reset_index(drop=True)
    return labelled(out)

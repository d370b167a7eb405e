"""Scores the cleaner on the held-out wild returns: found, missing, wrong and extra values, by class.

Runs the package's public API (``jrc_analysis.returns.ingest.load_returns``) on the returns written by
``make_wild.py`` (generated first when the folder is missing or ``--regenerate`` is given) and
compares the tidy values with ``truth.csv`` and ``decoys.csv``, cell by cell:

- **found**: a tidy value at the truth's file, sheet and cell, with its year, unit, county and
  indicator, and the value within 1e-9 (relative) of the truth in the base unit;
- **found at another cell**: the right key and value, traced to a different cell;
- **missing**: no value for the key — *named* when an issue names its value, label or county cell,
  *sheet-level* when only an issue about its whole sheet or file exists, *silent* otherwise;
- **WRONG**: a value written at a truth cell with another value (e.g. ×10,000 off) or another
  indicator / county / unit / year; a value for an expected key taken from another cell with a
  different value (上年同期, 目标, 合计 …); a row that is not a catalogue indicator read as one; a
  guess where the wording is ambiguous (``ambiguous=1`` in the truth);
- **extra**: any other value (e.g. a 合计 row as a county), by the kind of cell it came from.

A measurement, not a test: the exit code is 0 whatever the score. ``--mappings PATH`` is passed to
``load_returns`` when the API accepts a mappings argument (detected from its signature).
``--failures CSV`` writes every failure, one per line, for a closer look.
"""
from __future__ import annotations

import argparse
import inspect
import math
import os
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_wild  # noqa: E402  (the generator next to this file)

KEY = ["year", "prefecture", "county", "indicator"]
EXAMPLES = 4
_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def cell_position(cell: str) -> tuple[int, int] | None:
    """``B5`` -> (5, 2); anything else -> None."""
    match = _CELL.match(cell.strip().replace("$", "").upper())
    return (int(match.group(2)), column_number(match.group(1))) if match else None


def cells_named(cell: str) -> list[tuple[int, int, int, int]]:
    """The rectangles an issue's ``cell`` names (``B5``, ``B5:C9``, several separated by , or ;)."""
    rects = []
    for part in re.split(r"[,;，；\s]+", str(cell or "")):
        ends = [cell_position(p) for p in part.split(":")] if part else []
        if ends and all(ends):
            (r1, c1), (r2, c2) = ends[0], ends[-1]
            rects.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return rects


def close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def load(folder: Path, mappings: str | None) -> tuple[object, str]:
    """Run ``load_returns`` on ``folder`` (with the mappings file when the API takes one).

    It runs with the set's own folder as the working directory, so that a project's
    ``data/mappings.csv`` found relative to the working directory is not used by accident: without
    ``--mappings`` the score is the cleaner's alone.
    """
    from jrc_analysis.returns.ingest import load_returns

    note = ""
    kwargs = {}
    folder = Path(folder).resolve()
    if mappings:
        mappings = str(Path(mappings).resolve())
        names = [p for p in inspect.signature(load_returns).parameters if "mapping" in p.lower()]
        if names:
            kwargs[names[0]] = mappings
            note = f"对照表：{mappings}（参数 {names[0]}）"
        else:
            note = "load_returns 没有对照表参数：--mappings 未使用"
    here = os.getcwd()
    os.chdir(folder.parent)
    try:
        return load_returns(folder, **kwargs), note
    finally:
        os.chdir(here)


@dataclass
class Score:
    """Every truth value and tidy value put in one class."""

    expected: int = 0
    ambiguous: int = 0
    classes: dict = field(default_factory=lambda: {})
    found_cells: set = field(default_factory=set)

    def add(self, name: str, example: str) -> None:
        self.classes.setdefault(name, []).append(example)

    def count(self, name: str) -> int:
        return len(self.classes.get(name, []))


WRONG_CLASSES = ["wrong.value", "wrong.place", "wrong.other_cell", "wrong.non_catalogue_row",
                 "wrong.ambiguous_guess"]
MISSING_CLASSES = ["missing.named", "missing.sheet_level", "missing.silent"]
LABELS = {
    "found": "找到（值、单位、单元格都对）",
    "found.other_cell": "值对，但追溯到别的单元格",
    "missing.named": "缺失，问题清单指出了该单元格（数值、指标名或县名单元格）",
    "missing.sheet_level": "缺失，只有整张表或整个文件的问题",
    "missing.silent": "缺失，没有任何问题提到（静默丢失）",
    "missing.wrong_instead": "缺失，因为该单元格写成了错误的值（见下面“错误”）",
    "wrong.value": "错误：真值单元格读成了别的数值（如差一万倍、脚注当数字）",
    "wrong.place": "错误：真值单元格归到了别的指标、县、单位或年份",
    "wrong.other_cell": "错误：应有的键取了别的单元格的另一个值（上年同期、目标、合计等）",
    "wrong.non_catalogue_row": "错误：非目录指标行被当成了目录指标",
    "wrong.ambiguous_guess": "错误：措辞有歧义却猜了一个指标（应报问题）",
    "ambiguous.named": "歧义措辞：问题清单指出了（正确做法）",
    "ambiguous.not_named": "歧义措辞：没写值，也没有问题指出",
    "extra.duplicate": "多余：应有的键又从别的单元格取了同样的值（重复）",
    "extra.decoy": "多余：从非数值单元格读出（不是已知键）",
    "extra.other": "多余：从真值和诱饵以外的单元格读出",
}


def issue_index(issues) -> tuple[dict, set]:
    """(file, sheet) -> rectangles named by cell-level issues; the (file, sheet) pairs with a
    sheet-level issue and the files with a file-level one (sheet '')."""
    by_sheet: dict[tuple[str, str], list] = {}
    whole: set[tuple[str, str]] = set()
    for issue in issues:
        source, sheet, cell = str(issue.source_file), str(issue.sheet or ""), str(issue.cell or "")
        rects = cells_named(cell)
        if rects:
            by_sheet.setdefault((source, sheet), []).extend(rects)
        else:
            whole.add((source, sheet))
    return by_sheet, whole


def named_at(by_sheet: dict, source: str, sheet: str, cells: list[str]) -> bool:
    rects = by_sheet.get((source, sheet), [])
    for cell in cells:
        pos = cell_position(cell) if cell else None
        if pos and any(r1 <= pos[0] <= r2 and c1 <= pos[1] <= c2 for r1, c1, r2, c2 in rects):
            return True
    return False


def flags_at(issues) -> dict[tuple[str, str, str], list[str]]:
    """(file, sheet, cell) -> the ``severity code`` of every issue naming exactly that cell."""
    flags: dict[tuple[str, str, str], list[str]] = {}
    for issue in issues:
        key = (str(issue.source_file), str(issue.sheet or ""), str(issue.cell or "").replace("$", ""))
        flags.setdefault(key, []).append(f"{issue.severity} {issue.code}")
    return flags


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def number(value) -> str:
    """12345600.0 -> 12,345,600; 13.34 -> 13.34."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"


def describe(row, value=None) -> str:
    place = f"{row['prefecture']}{('/' + row['county']) if row['county'] else ''}"
    text = f"{row['source_file']}!{row['sheet']}!{row['cell']} {row['year']} {place} {row['indicator']}"
    return text + (f" = {number(value)}" if value is not None else "")


def score(values: pd.DataFrame, issues, truth: pd.DataFrame, decoys: pd.DataFrame) -> Score:
    """Classify every truth value and every tidy value (see the module docstring)."""
    result = Score()
    values = values.copy()
    values["county"] = values["county"].fillna("").astype(str)
    values["year"] = pd.to_numeric(values["year"], errors="coerce").fillna(-1).astype(int)
    truth = truth.copy()
    must = truth[truth["ambiguous"] == 0]
    result.expected, result.ambiguous = len(must), int(truth["ambiguous"].sum())
    truth_at = {(t.source_file, t.sheet, t.cell): t for t in truth.itertuples(index=False)}
    decoy_at = {(d.source_file, d.sheet, d.cell): d.kind for d in decoys.itertuples(index=False)}
    must_value = {tuple(getattr(t, k) for k in KEY): t for t in must.itertuples(index=False)}
    by_sheet, whole = issue_index(issues)
    flags = flags_at(issues)

    written_at: dict[tuple, list] = {}
    by_key: dict[tuple, list] = {}
    for v in values.to_dict("records"):
        written_at.setdefault((v["source_file"], v["sheet"], v["cell"]), []).append(v)
        by_key.setdefault(tuple(v[k] for k in KEY), []).append(v)

    # every tidy value
    for v in values.to_dict("records"):
        where = (v["source_file"], v["sheet"], v["cell"])
        key = tuple(v[k] for k in KEY)
        t = truth_at.get(where)
        flagged = flags.get(where, [])
        shown = f"{describe(v, v['value'])}（原文 {v.get('raw', '')!s}" \
                + (f"；该单元格的问题：{'、'.join(flagged)}）" if flagged else "；该单元格无问题）")
        if t is not None and t.ambiguous:
            result.add("wrong.ambiguous_guess", f"{shown}；措辞歧义，候选 {t.candidates}")
        elif t is not None:
            expected_key = tuple(getattr(t, k) for k in KEY)
            if key == expected_key and str(v.get("unit", t.unit)) == t.unit:
                if not close(v["value"], t.value):
                    result.add("wrong.value", f"{shown}；应为 {number(t.value)} {t.unit}")
            else:
                diff = [k for k, a, b in zip(KEY, key, expected_key) if a != b]
                if str(v.get("unit", t.unit)) != t.unit:
                    diff.append("unit")
                result.add("wrong.place", f"{shown}；该单元格是 {t.year} {t.prefecture}"
                                          f"{('/' + t.county) if t.county else ''} {t.indicator}"
                                          f"（{'、'.join(diff)} 不同）")
        else:
            kind = decoy_at.get(where, "")
            expected = must_value.get(key)
            source = f"（{kind}）" if kind else ""
            if expected is not None and not close(v["value"], expected.value):
                result.add("wrong.other_cell", f"{shown}{source}；真值 {number(expected.value)} 在 "
                                               f"{expected.sheet}!{expected.cell}")
            elif expected is not None:
                result.add("extra.duplicate", f"{shown}{source}；真值在 {expected.sheet}!{expected.cell}")
            elif kind == "非目录指标":
                result.add("wrong.non_catalogue_row", f"{shown}；该行不是目录指标")
            elif kind:
                result.add("extra.decoy", f"{shown}（{kind}）")
            else:
                result.add("extra.other", shown)

    # every truth value
    for t in truth.itertuples(index=False):
        key = tuple(getattr(t, k) for k in KEY)
        where = (t.source_file, t.sheet, t.cell)
        text = describe(t._asdict(), t.value) + f"（原文 {t.raw}）"
        cells = [t.cell, t.label_cell, t.place_cell]
        if t.ambiguous:
            if not written_at.get(where):
                named = named_at(by_sheet, t.source_file, t.sheet, cells)
                result.add("ambiguous.named" if named else "ambiguous.not_named", text)
            continue
        here = [v for v in written_at.get(where, [])
                if tuple(v[k] for k in KEY) == key and close(v["value"], t.value)
                and str(v.get("unit", t.unit)) == t.unit]
        if here:
            result.add("found", text)
            result.found_cells.add(where)
        elif any(close(v["value"], t.value) for v in by_key.get(key, [])):
            result.add("found.other_cell", text)
        elif written_at.get(where):
            result.add("missing.wrong_instead", text)
        elif named_at(by_sheet, t.source_file, t.sheet, cells):
            result.add("missing.named", text)
        elif (t.source_file, t.sheet) in whole or (t.source_file, "") in whole:
            result.add("missing.sheet_level", text)
        else:
            result.add("missing.silent", text)
    return result


def report_lines(result: Score, issues, note: str, slices: dict | None = None) -> list[str]:
    """The printed report: the headline numbers, then one line per class with examples."""
    found = result.count("found")
    wrong = sum(result.count(c) for c in WRONG_CLASSES)
    missing = sum(result.count(c) for c in MISSING_CLASSES + ["missing.wrong_instead", "found.other_cell"])
    extra = sum(result.count(c) for c in ("extra.duplicate", "extra.decoy", "extra.other"))
    pct = 100.0 * found / result.expected if result.expected else 0.0
    severities = Counter(i.severity for i in issues)
    lines = [f"应读取的数值 {result.expected}；找到 {found}（{pct:.2f}%）；未找到 {missing}；"
             f"错误值 {wrong}；多余值 {extra}；措辞有歧义的数值 {result.ambiguous}（不计入应读取）",
             f"问题清单：错误 {severities.get('error', 0)}，警告 {severities.get('warning', 0)}"]
    if note:
        lines.append(note)
    lines.append("")
    for name, label in LABELS.items():
        examples = result.classes.get(name, [])
        lines.append(f"{len(examples):6d}  {name:<26} {label}")
        for example in examples[:EXAMPLES]:
            lines.append(f"          例：{example}")
    codes = Counter(i.code for i in issues)
    lines.append("")
    lines.append("问题代码（前 12）：" + "，".join(f"{c} {n}" for c, n in codes.most_common(12)))
    for name, counts in (slices or {}).items():
        lines.append("")
        lines.append(f"按{name}的找到率：")
        for value, (got, total) in counts.items():
            lines.append(f"  {pad(str(value), 40)} {got:5d}/{total:<5d} {100.0 * got / total:6.2f}%")
    lines.append("")
    lines.append(f"found_pct={pct:.2f} found={found} expected={result.expected} wrong={wrong} "
                 f"missing_silent={result.count('missing.silent')} missing_named={result.count('missing.named')} "
                 f"extra={extra}")
    return lines


def found_by(result: Score, truth: pd.DataFrame) -> dict[str, pd.Series]:
    """For each way of slicing the set (layout, table, number style, unit shown, file format):
    slice -> (found, expected)."""
    must = truth[truth["ambiguous"] == 0]
    hit = [(t.source_file, t.sheet, t.cell) in result.found_cells for t in must.itertuples(index=False)]
    frame = pd.DataFrame({
        "版式": list(must["layout"]),
        "表": ["汇总（county 为空）" if c == "" else "县区" for c in must["county"]],
        "数字写法": list(must["style"]),
        "单位": ["万（×10000）" if str(u).startswith("万") else "基本单位" for u in must["shown_unit"]],
        "格式": [Path(f).suffix for f in must["source_file"]],
        "hit": hit,
    })
    return {name: pd.Series({k: (int(g.sum()), int(g.size)) for k, g in frame.groupby(name)["hit"]})
            for name in ["版式", "表", "数字写法", "单位", "格式"]}


def failures_frame(result: Score) -> pd.DataFrame:
    rows = [{"class": name, "detail": example} for name, examples in sorted(result.classes.items())
            if name != "found" for example in examples]
    return pd.DataFrame(rows, columns=["class", "detail"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="在留出评测集上给清洗器打分（只是测量，退出码总是 0）")
    parser.add_argument("--dir", default=str(make_wild.DEFAULT_OUT), help="评测集目录（默认 benchmarks/_work/wild）")
    parser.add_argument("--regenerate", action="store_true", help="先重新生成评测集")
    parser.add_argument("--mappings", help="对照表 CSV（load_returns 支持时传入）")
    parser.add_argument("--failures", help="把每个失败写入这个 CSV")
    args = parser.parse_args(argv)
    out = Path(args.dir)
    if args.regenerate or not (out / "truth.csv").exists():
        make_wild.write_set(out)
    truth = pd.read_csv(out / "truth.csv", dtype={"county": str, "candidates": str, "raw": str,
                                                  "label_cell": str, "place_cell": str},
                        keep_default_na=False)
    decoys = pd.read_csv(out / "decoys.csv", dtype=str, keep_default_na=False)
    loaded, note = load(out / "returns", args.mappings)
    result = score(loaded.values, loaded.issues, truth, decoys)
    print("\n".join(report_lines(result, loaded.issues, note, found_by(result, truth))))
    if args.failures:
        make_wild.write_atomic(Path(args.failures), failures_frame(result).to_csv(index=False)
                               .encode("utf-8-sig"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

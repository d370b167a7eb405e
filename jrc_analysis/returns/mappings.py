"""``data/mappings.csv``: the analyst's one-line lessons to the cleaner, loaded and checked.

A project-level CSV (next to ``data/raw``, :func:`jrc_analysis.config.mappings_path`) with the
columns :data:`MAPPING_COLUMNS` — ``kind, text, maps_to, note``:

- ``indicator``: a wording of a return → a catalogue code
  (``indicator,县级应急救援服务队伍,rescue.county_teams,``);
- ``place``: a county label → a county's canonical name or ``市本级`` (``place,濂溪,濂溪区,``);
- ``ignore``: a label that is not a catalogue indicator or place (``ignore,省里自加的指标,,``):
  its row or column is left out without a warning.

:func:`load_mappings` reads and **validates** the whole file before any return is read: a bad
header, an unknown kind, code or place, an empty text, a text that is already another code's
catalogue name, or one text given twice are :class:`MappingsError`, a Chinese message naming the
file and every bad line (the CLI prints it and exits 2). The matchers in
:mod:`jrc_analysis.returns.names` consult a :class:`Mappings` first; lines never used by any
return are reported by :func:`unused_line_warnings`. The cleaner names what it could not match
with :func:`unmatched_advice` (the closest candidates and the exact line to add) and records it
as an :class:`Unmatched`; ``jrc check --suggest`` writes those with their candidates
(:func:`suggestions_frame`, :func:`write_suggestions`) for the analyst to confirm and copy over.
"""
from __future__ import annotations

import csv
import difflib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from jrc_analysis import config
from jrc_analysis.fileio import write_bytes_atomic
from jrc_analysis.issues import Issue, warning
from jrc_analysis.plan import catalog
from jrc_analysis.returns import names
from jrc_analysis.safe_text import FORMULA_START, escape_formula

MAPPING_COLUMNS = ["kind", "text", "maps_to", "note"]
KINDS = ("indicator", "place", "ignore")
CITY_HQ = names.CITY_HQ
CANDIDATE_COLUMNS = ["candidate_1", "candidate_2", "candidate_3"]
SUGGESTION_COLUMNS = MAPPING_COLUMNS + CANDIDATE_COLUMNS + ["seen_in"]
SHOWN_CANDIDATES = 3
MAX_LABEL = 60  # longer labels are no wording of an indicator: no line is offered for them
ENCODINGS = ("utf-8-sig", "gb18030")  # Excel on Chinese Windows saves "CSV" in GBK


class MappingsError(Exception):
    """``data/mappings.csv`` cannot be used; the message (Chinese) names the file and each bad line."""


class MappingLine(NamedTuple):
    """One line of the file: ``kind, text, maps_to, note`` and its ``line`` number (header = 1)."""

    kind: str
    text: str
    maps_to: str
    note: str
    line: int


class Unmatched(NamedTuple):
    """A label the cleaner could not place, or placed by similarity alone: ``kind``
    (``indicator`` or ``place``), the label as received, where it was (``source_file, sheet,
    cell``), its ranked ``(target, score)`` candidates (codes, or county names) and ``chosen``:
    the code it was read as by the scored match (to be confirmed), ``""`` when nothing matched."""

    kind: str
    text: str
    source_file: str
    sheet: str
    cell: str
    candidates: tuple[tuple[str, float], ...] = ()
    chosen: str = ""


@dataclass(frozen=True, eq=False)
class Mappings:
    """The validated lines of a mappings file, looked up by label key (compared by identity:
    the matchers cache their answers per :class:`Mappings`).

    ``source``: how messages name the file (``data/mappings.csv``). Every lookup that finds a
    line records its number: :meth:`used_lines` (per process; the ingest collects them from
    each file it reads)."""

    source: str = "data/mappings.csv"
    lines: tuple[MappingLine, ...] = ()
    _labels: dict = field(default_factory=dict, repr=False)
    _places: dict = field(default_factory=dict, repr=False)
    _used: set = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        for line in self.lines:
            if line.kind in ("indicator", "ignore"):
                self._labels.setdefault(names.label_key(line.text), line)
            if line.kind in ("place", "ignore"):
                self._places.setdefault(names.place_key(line.text), line)

    @classmethod
    def empty(cls, source: str = "data/mappings.csv") -> Mappings:
        """No lines: the cleaner works from the catalogue alone."""
        return cls(source)

    def indicator_line(self, text: object) -> MappingLine | None:
        """The ``indicator`` or ``ignore`` line for an indicator label, or None."""
        return self._found(self._labels.get(names.label_key(text)))

    def place_line(self, text: object) -> MappingLine | None:
        """The ``place`` or ``ignore`` line for a place label, or None."""
        return self._found(self._places.get(names.place_key(text)))

    def _found(self, line: MappingLine | None) -> MappingLine | None:
        if line is not None:
            self._used.add(line.line)
        return line

    def used_lines(self) -> frozenset[int]:
        """Line numbers found by a lookup so far (in this process)."""
        return frozenset(self._used)

    def __len__(self) -> int:
        return len(self.lines)


# ----------------------------------------------------------------------------------------------
# Loading and validating
# ----------------------------------------------------------------------------------------------

def display_name(path: str | os.PathLike) -> str:
    """How messages name the mappings file: relative to the project (``data/mappings.csv``) or
    to the data root's parent, else its file name (never a machine path)."""
    path = Path(path)
    for root in (config.PROJECT_ROOT, config.data_root().parent):
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return path.name


def load_mappings(path: str | os.PathLike | None = None) -> Mappings:
    """The validated mappings of ``path`` (default :func:`jrc_analysis.config.mappings_path`);
    no lines when the file does not exist. Raises :class:`MappingsError` listing every bad line."""
    path = Path(path) if path is not None else config.mappings_path()
    source = display_name(path)
    if not path.is_file():
        if path.exists():
            raise MappingsError(f"{source}：不是文件，无法读取对照表。")
        return Mappings.empty(source)
    text = _decoded(path, source)
    rows = list(csv.reader(io.StringIO(text)))
    return Mappings(source, tuple(validated_lines(rows, source)))


def _decoded(path: Path, source: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingsError(f"{source}：无法读取（{type(exc).__name__}）。请检查文件是否被占用或无权限。") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MappingsError(f"{source}：不是 UTF-8 或 GBK 编码的文本文件。请用“CSV UTF-8（逗号分隔）”格式另存。")


def validated_lines(rows: list[list[str]], source: str) -> list[MappingLine]:
    """The lines of a parsed CSV (header first) after every check; :class:`MappingsError`
    naming ``source`` and each bad line otherwise."""
    if not rows or [c.strip().lower() for c in rows[0]] != MAPPING_COLUMNS:
        found = ",".join(rows[0]) if rows else "（空文件）"
        raise MappingsError(f"{source} 第 1 行：表头应为“{','.join(MAPPING_COLUMNS)}”，实际为“{found}”。")
    problems: list[str] = []
    lines: list[MappingLine] = []
    seen: dict[tuple[str, str], MappingLine] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(MAPPING_COLUMNS) and any(c.strip() for c in row[len(MAPPING_COLUMNS):]):
            problems.append(f"第 {number} 行：多于 {len(MAPPING_COLUMNS)} 列（“{','.join(row)}”）。"
                            "文字中有逗号时请用英文双引号括起来。")
            continue
        kind, text, maps_to, note = (list(_unescaped(c.strip()) for c in row) + [""] * 4)[:4]
        line = MappingLine(kind.lower(), text, maps_to, note, number)
        problem = line_problem(line)
        if problem is None:
            for key in _keys_of(line):
                earlier = seen.get(key)
                if earlier is not None:
                    same = (earlier.kind, earlier.maps_to) == (line.kind, line.maps_to)
                    problem = (f"“{text}”与第 {earlier.line} 行重复" + ("，请删除一行。" if same else
                               f"，但对应不同（第 {earlier.line} 行：{earlier.kind} → “{earlier.maps_to}”；"
                               f"本行：{line.kind} → “{line.maps_to}”）。同一文字只能对应一处，请删除其中一行。"))
                    break
        if problem is not None:
            problems.append(f"第 {number} 行：{problem}")
            continue
        for key in _keys_of(line):
            seen[key] = line
        lines.append(line)
    if problems:
        raise MappingsError(f"{source} 有 {len(problems)} 处错误，未读取任何报表：\n" + "\n".join(problems))
    return lines


def _unescaped(text: str) -> str:
    """A cell as written by :func:`write_suggestions`: the ``'`` that kept = + - @ from being a
    formula is removed."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _keys_of(line: MappingLine) -> list[tuple[str, str]]:
    keys = []
    if line.kind in ("indicator", "ignore"):
        keys.append(("label", names.label_key(line.text)))
    if line.kind in ("place", "ignore"):
        keys.append(("place", names.place_key(line.text)))
    return keys


def line_problem(line: MappingLine) -> str | None:
    """What is wrong with one line on its own (Chinese), or None."""
    if line.kind not in KINDS:
        return f"kind 为“{line.kind}”，应为 {'、'.join(KINDS)} 之一。"
    if not line.text or not names.label_key(line.text) and not names.place_key(line.text):
        return "text 为空（应填写报表中出现的文字）。"
    if line.kind == "indicator":
        return _indicator_problem(line)
    if line.kind == "place":
        return _place_problem(line)
    if line.maps_to:
        return f"ignore 行的 maps_to 应为空，实际为“{line.maps_to}”。"
    owner = _catalogue_owner(line.text)
    if owner is not None:
        return (f"“{line.text}”是方案指标 {owner}（{_name(owner)}）的名称，不能忽略。"
                "如确实不要它，请在报表中删去该行。")
    return None


def _indicator_problem(line: MappingLine) -> str | None:
    codes = sorted(names.indicator_codes())
    if line.maps_to not in names.indicator_codes():
        close = difflib.get_close_matches(line.maps_to, codes, n=3, cutoff=0.6)
        hint = f"（是否为 {'、'.join(close)}？）" if close else "（见 jrc_analysis/data/indicators.csv 的 code 列）"
        return f"未知的指标代码“{line.maps_to}”{hint}。"
    owner = _catalogue_owner(line.text)
    if owner is not None and owner != line.maps_to:
        return (f"“{line.text}”已是指标 {owner}（{_name(owner)}）的名称或别名，"
                f"不能再对应 {line.maps_to}。")
    return None


def _place_problem(line: MappingLine) -> str | None:
    counties = set(catalog.geography().query("level == 'county'")["name"])
    if line.maps_to != CITY_HQ and line.maps_to not in counties:
        close = difflib.get_close_matches(line.maps_to, sorted(counties), n=3, cutoff=0.5)
        hint = f"（是否为 {'、'.join(close)}？）" if close else ""
        return f"“{line.maps_to}”不是县（市、区）的规范名称，也不是“{CITY_HQ}”{hint}。"
    return None


def _catalogue_owner(text: str) -> str | None:
    """The code whose catalogue name or alias (or code) ``text`` is, else None."""
    stripped = text.strip()
    if stripped in names.indicator_codes():
        return stripped
    return names.exact_indicator(stripped)


def _name(code: str) -> str:
    frame = catalog.indicators()
    return str(frame.loc[frame["code"] == code, "name"].iloc[0])


# ----------------------------------------------------------------------------------------------
# What the cleaner could not match: the advice in its issue, unused lines, suggestions
# ----------------------------------------------------------------------------------------------

def mapping_line(kind: str, text: str, maps_to: str = "", note: str = "") -> str:
    """One CSV line as the analyst adds it (quoted where the text needs it)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([kind, text, maps_to, note])
    return buffer.getvalue()


def _target_label(kind: str, target: str) -> str:
    return f"“{_name(target)}”" if kind == "indicator" else f"“{target}”"


def unmatched_advice(kind: str, text: object, candidates=(), source: str = "data/mappings.csv") -> str:
    """The sentence every ``clean.unmatched_*`` issue ends its finding with: the closest
    candidates and the exact line to add to the mappings file, e.g.
    ``如“县级应急救援服务队伍”即“县级可参与应急救援服务的队伍”，在 data/mappings.csv 加一行：
    indicator,县级应急救援服务队伍,rescue.county_teams,``.

    ``kind``: ``indicator`` or ``place``; ``candidates``: ranked ``(code or county, score)``."""
    label = names.label_text(text) if kind == "indicator" else " ".join(str(text or "").split())
    shown = [c for c, _s in list(candidates)[:SHOWN_CANDIDATES]]
    if not label:
        return ""
    if len(label) > MAX_LABEL:
        return f"（该文字共 {len(label):,} 字，过长，不像指标或地名，不提供对照行。）"
    if not shown:
        what = "指标代码" if kind == "indicator" else "县（市、区）规范名称或市本级"
        return (f"如“{label}”是方案中的某项{'指标' if kind == 'indicator' else '县（市、区）'}，"
                f"在 {source} 加一行：{mapping_line(kind, label, f'<{what}>')}；"
                f"如不需要，加一行：{mapping_line('ignore', label)}。")
    best = shown[0]
    others = "、".join(f"{_target_label(kind, c)}（{c}）" if kind == "indicator" else _target_label(kind, c)
                      for c in shown[1:])
    return (f"如“{label}”即{_target_label(kind, best)}，在 {source} 加一行：{mapping_line(kind, label, best)}"
            + (f"（其他候选：{others}）" if others else "") + "。")


def similar_advice(text: object, code: str, candidates=(), source: str = "data/mappings.csv") -> str:
    """The finding of a ``clean.similar_indicator`` warning: a label read as ``code`` by the
    scored match alone (not by its name, an alias, a code or a mappings line), its score and the
    runner-up, and the two lines the analyst can add: one confirming, one correcting, e.g.
    ``指标名称“新增培训师资”与模板不同，已按最相近的“新增救护师资”（first_aid.trainers_new，相似度
    0.62；其次“培训养老服务师资” 0.35）读取。…``."""
    label = names.label_text(text)
    scores = dict(candidates)
    runner = next(((c, s) for c, s in candidates if c != code), None)
    detail = code + (f"，相似度 {scores[code]:.2f}" if code in scores else "") + (
        f"；其次{_target_label('indicator', runner[0])} {runner[1]:.2f}" if runner else "")
    return (f"指标名称“{label}”与模板不同，已按最相近的{_target_label('indicator', code)}（{detail}）读取。"
            f"请核对：无误可在 {source} 加一行 {mapping_line('indicator', label, code)} 确认（此后不再提示），"
            f"有误请加一行 {mapping_line('indicator', label, '<正确的指标代码>')} 改正")


def unused_line_warnings(mappings: Mappings, used: frozenset[int] | set[int]) -> list[Issue]:
    """One warning per line of ``mappings`` no return needed (a typo, or a wording no longer
    sent): ``mappings.unused``, cell ``A<line>`` (the row where Excel shows it)."""
    return [warning(
        "mappings.unused", mappings.source,
        f"{mappings.source} 第 {line.line} 行（{mapping_line(line.kind, line.text, line.maps_to)}）"
        "没有被任何报表用到。请核对文字是否与报表一致，或删除这一行。", cell=f"A{line.line}")
        for line in mappings.lines if line.line not in used]


def suggestions_frame(unmatched: list[Unmatched]) -> pd.DataFrame:
    """One row per distinct label of at most :data:`MAX_LABEL` characters that nothing matched
    or that was read by similarity alone (``chosen``) (:data:`SUGGESTION_COLUMNS`): the mappings
    columns, ``maps_to`` filled with the code read (``chosen``) or else the best candidate (empty
    when there is none) and ``note`` saying what awaits confirmation, then the ranked candidates
    and where the label was seen. Sorted by kind and label."""
    groups: dict[tuple[str, str], list[Unmatched]] = {}
    for item in unmatched:
        label = names.label_text(item.text) if item.kind == "indicator" else " ".join(item.text.split())
        key = names.label_key(label) if item.kind == "indicator" else names.place_key(label)
        if key and len(label) <= MAX_LABEL:
            groups.setdefault((item.kind, key), []).append(item._replace(text=label))
    rows = []
    for (kind, _key), items in sorted(groups.items()):
        first = min(items, key=lambda i: (i.source_file, i.sheet, i.cell))
        ranked = list(first.candidates)
        cells = sorted({f"{i.source_file}!{i.sheet}!{i.cell}" for i in items})
        row = dict.fromkeys(SUGGESTION_COLUMNS, "") | {
            "kind": kind, "text": first.text, "maps_to": first.chosen or (ranked[0][0] if ranked else ""),
            "note": "已按相似度采用：核对无误后把本行前四列复制到 data/mappings.csv（有误则改 maps_to）"
            if first.chosen else "待确认：核对后把本行前四列复制到 data/mappings.csv" if ranked
            else "待填写：maps_to 填对应的代码或名称；不需要的改为 ignore",
            "seen_in": "；".join(cells[:3]) + (f" 等 {len(cells)} 处" if len(cells) > 3 else ""),
        }
        for column, (target, score) in zip(CANDIDATE_COLUMNS, ranked):
            label = _name(target) if kind == "indicator" else target
            row[column] = f"{target}（{label}，{score:.2f}）" if kind == "indicator" else f"{label}（{score:.2f}）"
        rows.append(row)
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS, dtype=object)


def write_suggestions(unmatched: list[Unmatched], path: str | os.PathLike) -> int:
    """Write :func:`suggestions_frame` as UTF-8 CSV with BOM (Excel opens it), atomically; text
    that a spreadsheet would read as a formula gets a leading ``'`` (removed again on loading).
    Returns the number of suggestions written."""
    frame = suggestions_frame(unmatched).map(escape_formula)
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    write_bytes_atomic(path, data)
    return len(frame)

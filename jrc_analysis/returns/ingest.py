"""Files → outputs: every return under the raw folder into one tidy table and one issue list.

- :func:`read_return` — one file: its values, issues, accounting and what it says about itself;
- :func:`load_returns` — every file under a folder (recursively, sorted, progress bar over files):
  junk skipped with a note, one bad file never stops the others, resubmissions resolved (two
  returns for the same unit and year are never summed), then validation across years;
- :func:`write_outputs` — ``returns.parquet``, ``returns.csv`` (UTF-8 with BOM), ``issues.csv``:
  replaced as one set (a new generation folder, then one rename: a killed run leaves the previous
  set or the new one, never a mix; :func:`output_paths` reads one whole set); text that would
  start a formula (= + - @) is escaped with a leading ``'``; feedback workbooks hold text cells only;
- :func:`run_ingest` / :func:`run_check` — what ``jrc ingest`` and ``jrc check`` do.
"""
from __future__ import annotations

import glob
import io
from concurrent.futures import ProcessPoolExecutor
import itertools
import multiprocessing
import os
from contextlib import closing
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from tqdm import tqdm  # plain (stderr) bar: hidden when stderr is not a terminal, e.g. in notebooks

from jrc_analysis.plan import catalog

from jrc_analysis import config
from jrc_analysis.returns.clean import (TIDY_COLUMNS, Accounting, CleanResult, ReturnInfo, bare_years_in,
                                       clean_workbook, empty_values, frame_of_columns, sort_tidy,
                                       tidy_columns, where, years_in)
from jrc_analysis.safe_text import FORMULA_START, escape_formula, sheet_text  # noqa: F401
from jrc_analysis.fileio import atomic_path, current_files, replace_set
from jrc_analysis.issues import ISSUE_COLUMNS, Issue, error, issue_order, warning
from jrc_analysis.returns import names
from jrc_analysis.returns.mappings import Mappings, load_mappings, unused_line_warnings, write_suggestions
from jrc_analysis.returns.read import is_junk, read_cells
from jrc_analysis.returns.tidy import catalogue_fields, sort_ranks
from jrc_analysis.returns.validate import WITHHELD_COLUMNS, cross_return_checks, return_issues
from jrc_analysis.workers import initializer_args, stop_workers, worker_start

RETURN_COLUMNS = ["source_file", "prefecture", "year", "template_version", "fill_date",
                  "revision", "used", "superseded_by"]
ACCOUNTING_COLUMNS = ["source_file", "cells_read", "values", "in_issues", "ignored", "balanced"]
UNKNOWN_UNIT = "未识别单位"
FEEDBACK_COLUMNS = ["文件", "工作表", "单元格", "发现的问题", "如何修改"]


@dataclass
class LoadResult:
    """Every return of a folder: ``values`` (tidy, resubmissions resolved, sorted, withheld values
    left out), ``issues`` (cleaning and validation), ``returns`` (one row per file read:
    :data:`RETURN_COLUMNS`), ``accounting`` (one row per file: :data:`ACCOUNTING_COLUMNS`),
    ``skipped`` (junk files: ``source_file, reason``), ``unmatched`` (labels no code or place was
    found for, with candidates), ``similar`` (labels read by similarity alone, ``chosen`` the code
    read, for the analyst to confirm), ``withheld`` (tidy values read but not used because an error
    says they are wrong — a 万 slip: :data:`~jrc_analysis.returns.validate.WITHHELD_COLUMNS`,
    ``status`` 未采用)."""

    values: pd.DataFrame
    issues: list[Issue]
    returns: pd.DataFrame
    accounting: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source_file", "reason"]))
    unmatched: list = field(default_factory=list)  # mappings.Unmatched of the files used
    similar: list = field(default_factory=list)  # mappings.Unmatched with ``chosen``, of the files used
    withheld: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WITHHELD_COLUMNS))

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")


def relative_name(path: Path, raw_root: Path | None) -> str:
    """``path`` relative to ``raw_root`` with forward slashes (the file name if not under it)."""
    path = Path(path)
    if raw_root is not None:
        try:  # by the names alone first: no file-system call for the usual file under the root
            relative = path.relative_to(raw_root)
            if ".." not in relative.parts:
                return relative.as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(Path(raw_root).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def read_return(path: str | os.PathLike, raw_root: str | os.PathLike | None = None,
                mappings: Mappings | None = None) -> CleanResult:
    """Read, clean and check one return (cleaning issues, then the rules that need this return
    only: :func:`~jrc_analysis.returns.validate.return_issues`). Never raises: any failure is an error
    issue for this file.

    ``raw_root`` (default: the file's folder) is the folder ``source_file`` is relative to;
    ``mappings``: the analyst's lines (:mod:`~jrc_analysis.returns.mappings`), none by default.
    """
    path = Path(path)
    source = relative_name(path, Path(raw_root) if raw_root is not None else path.parent)
    try:
        workbook = read_cells(path, source_file=source)
        result = clean_workbook(workbook, source, mappings)
        issues = result.issues + return_issues(result.columns)
        return replace(result, issues=issues, info=with_path_info(result))
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
        if os.environ.get("JRC_DEBUG"):
            raise
        issue = error(
            "ingest.internal_error", source,
            f"{where(source)}：处理时程序出错（{type(exc).__name__}），本文件未采用。"
            "请把该文件发给维护人员；其余文件照常处理。")
        unit, year = unit_and_year_of_path(source)
        return CleanResult(tidy_columns([]), [issue], Accounting(source, 0, 0, 0, 0),
                            ReturnInfo(source, prefecture=unit, year=year))


def unit_and_year_of_path(source_file: str) -> tuple[str | None, int | None]:
    """The reporting unit and year the folder and file name of ``source_file`` say
    (``2024/赣州市….xlsx`` → 赣州市, 2024), as the cleaner reads them: the file name first, then
    the folder (its last year); None where they say nothing."""
    folder, _, filename = source_file.replace("\\", "/").rpartition("/")
    unit = names.find_unit_in_text(filename) or (names.find_unit_in_text(folder) if folder else None)
    years = years_in(filename) + bare_years_in(filename)
    if not years and folder:
        years = bare_years_in(folder)[-1:]
    return unit, (years[0] if years else None)


def unreadable(result: CleanResult) -> bool:
    """True when nothing of the file could be read (damaged, encrypted, not a workbook, …)."""
    return result.accounting.cells_read == 0


def with_path_info(result: CleanResult) -> ReturnInfo:
    """What the return says about itself; when its content could not be read at all, the unit
    and year come from its folder and file name (:func:`unit_and_year_of_path`), so that its
    issues and feedback go to that unit and the briefing shows 报表有错误 for it, not 未报送."""
    info = result.info
    if not unreadable(result) or (info.prefecture and info.year is not None):
        return info
    unit, year = unit_and_year_of_path(info.source_file)
    return replace(info, prefecture=info.prefecture or unit,
                   year=info.year if info.year is not None else year)


def list_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, recursively, sorted by relative path."""
    return sorted((p for p in Path(folder).rglob("*") if p.is_file()),
                  key=lambda p: p.relative_to(folder).as_posix())


def _winner(infos: list[ReturnInfo]) -> tuple[ReturnInfo, str]:
    """The return that counts among resubmissions, and why (Chinese)."""
    ranked = sorted(infos, key=lambda i: (i.revision, i.fill_date, i.source_file))
    best = ranked[-1]
    if best.revision > ranked[-2].revision:
        return best, "标有“修订/更正/v2”等字样"
    if best.fill_date and best.fill_date > ranked[-2].fill_date:
        return best, f"填报日期较晚（{best.fill_date}）"
    return best, "无法从修订标记或填报日期判断先后，按文件名排序取最后一个"


def resolve_resubmissions(infos: list[ReturnInfo]) -> tuple[dict[str, str], list[Issue]]:
    """Superseded file → the file that replaces it, and one warning per superseded file.
    ``infos``: the returns that were read (an unreadable file never replaces another)."""
    groups: dict[tuple[str, int], list[ReturnInfo]] = {}
    for info in infos:
        if info.prefecture and info.year is not None:
            groups.setdefault((info.prefecture, info.year), []).append(info)
    superseded: dict[str, str] = {}
    issues = []
    for (unit, year), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if len(group) < 2:
            continue
        best, why = _winner(group)
        for info in sorted(group, key=lambda i: i.source_file):
            if info is best:
                continue
            superseded[info.source_file] = best.source_file
            issues.append(warning(
                "ingest.resubmission", info.source_file,
                f"{unit}{year}年报送了两份报表：“{info.source_file}”和“{best.source_file}”。"
                f"采用“{best.source_file}”（{why}），“{info.source_file}”未采用（两份不会相加）。"
                "如有误，请删除不用的文件或在文件名中注明“（修订）”。"))
    return superseded, issues


def _rank(info: ReturnInfo) -> tuple:
    """The order :func:`_winner` ranks resubmissions by (the greatest wins)."""
    return (info.revision, info.fill_date, info.source_file)


def _group(info: ReturnInfo) -> tuple[str, int] | None:
    """The (reporting unit, year) a return counts for, or None when either is unknown."""
    return (info.prefecture, info.year) if info.prefecture and info.year is not None else None


@dataclass
class _Kept:
    """One file as the ingest keeps it: metadata, accounting, and (until superseded) its values
    as compact column lists and its issues."""

    info: ReturnInfo
    accounting: Accounting
    columns: dict[str, list] | None
    issues: list[Issue]


# Fewer files than this are read in this process: starting workers costs more than they save.
# Measured here (Linux, workers forked, 2 CPUs, medians of 5): 24 files 0.32 s in one process and
# 0.36 s in two, 37 files (data/raw) 0.44 s and 0.41 s, 120 files 1.05 s and 0.80 s. Where workers
# are spawned (Windows, macOS) each first imports the package (1.15 s here) and the pool saves
# about 2 ms a file, so it pays from about 500 files.
POOL_MIN_FILES = 50
POOL_MIN_FILES_SPAWNED = 500
# Files handed to a worker at a time: small enough that no worker idles at the end while another
# finishes a long batch, large enough that the hand-over costs little.
MAX_CHUNK = 16


def default_jobs(files: int) -> int:
    """Processes to read ``files`` returns with: ``$JRC_JOBS`` when set to a positive whole
    number; otherwise every CPU from :data:`POOL_MIN_FILES` files on (:data:`POOL_MIN_FILES_SPAWNED`
    where workers are spawned, not forked), and one below."""
    wanted = config.jobs_from_env()
    if wanted:
        return wanted
    forked = multiprocessing.get_start_method() == "fork"
    return (os.cpu_count() or 1) if files >= (POOL_MIN_FILES if forked else POOL_MIN_FILES_SPAWNED) else 1


def shared_reference_data() -> tuple:
    """The catalogue's sort ranks and fields (cached on first use): every worker needs both to
    clean a return, and this process the ranks to sort the values. Asked for before the workers
    are forked, so that they inherit them instead of each reading the catalogue again (spawned
    workers read it themselves)."""
    return sort_ranks(), catalogue_fields()


def read_returns(paths: list[Path], folder: Path, jobs: int | None = None,
                 mappings: Mappings | None = None):
    """:func:`read_return` of each path, in the order of ``paths`` (a generator). With ``jobs``
    above 1, the files are read by that many worker processes (the results are the same);
    None: :func:`default_jobs`. The workers die with this process, however it ends
    (:mod:`jrc_analysis.workers`); when the reading stops early (Ctrl+C, an error, the generator
    closed) they are terminated at once."""
    if jobs is None:
        jobs = default_jobs(len(paths))
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield read_return(path, folder, mappings)
        return
    chunk = max(1, min(MAX_CHUNK, len(paths) // (jobs * 8)))
    shared_reference_data()  # before the workers are forked: they inherit it
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=worker_start, initargs=initializer_args())
    finished = False
    try:
        yield from pool.map(read_return, paths, itertools.repeat(folder), itertools.repeat(mappings),
                            chunksize=chunk)
        finished = True
    finally:
        if finished:
            pool.shutdown()
        else:  # Ctrl+C, an error, or the caller stopped early: no waiting for the queued files
            pool.shutdown(wait=False, cancel_futures=True)
            stop_workers(set(multiprocessing.active_children()) - before)


def load_returns(folder: str | os.PathLike, jobs: int | None = None,
                 mappings: Mappings | None = None) -> LoadResult:
    """Read, clean and validate every return under ``folder`` (see the module docstring).

    ``jobs``: worker processes reading the files (default: :func:`default_jobs`); the result is
    the same whatever the number. ``mappings``: the analyst's lines (default: ``data/mappings.csv``
    via :func:`~jrc_analysis.returns.mappings.load_mappings`, validated before any return is read:
    a bad file raises :class:`~jrc_analysis.returns.mappings.MappingsError`); lines no return used
    are warned about (``mappings.unused``).
    Memory: each file keeps only plain column lists of its values; a file superseded by a
    resubmission read so far drops its values and issues at once; one DataFrame is built at the end.
    """
    folder = Path(folder)
    mappings = load_mappings() if mappings is None else mappings
    skipped, files, paths, used_lines, unmatched = [], [], [], set(), {}
    leaders: dict[tuple[str, int], _Kept] = {}
    for path in list_files(folder):
        reason = is_junk(path)
        if reason:
            skipped.append({"source_file": relative_name(path, folder), "reason": reason})
        else:
            paths.append(path)
    with closing(read_returns(paths, folder, jobs, mappings)) as results:  # closed at once on Ctrl+C
        for result in tqdm(results, total=len(paths), desc="读取报表", unit="个文件",
                           disable=None, leave=False):
            kept = _Kept(result.info, result.accounting, result.columns, result.issues)
            used_lines |= result.mapping_lines
            unmatched[result.info.source_file] = result.unmatched + result.similar
            files.append(kept)
            key = None if unreadable(result) else _group(kept.info)
            if key is None:
                continue
            leader = leaders.get(key)
            if leader is None or _rank(kept.info) > _rank(leader.info):
                leader, kept = kept, leader
                leaders[key] = leader
            if kept is not None:  # the loser of the two can never win: drop what only a winner needs
                kept.columns, kept.issues = None, []
    superseded, issues = resolve_resubmissions([f.info for f in files if f.accounting.cells_read])
    used = [f for f in files if f.info.source_file not in superseded]
    issues = [i for f in reversed(used) for i in f.issues] + issues + unused_line_warnings(mappings, used_lines)
    values = sort_tidy(_concat_columns([f.columns for f in used if f.accounting.values]))
    returns = returns_frame(files, superseded)
    checked, withheld = cross_return_checks(values, returns=returns[returns["used"]])
    issues += checked  # withheld: values an error says are wrong (validate.unit_slip), never totalled
    values = values.drop(index=withheld.index).reset_index(drop=True)
    return LoadResult(
        values=values,
        issues=_as_issues(issues),
        returns=returns,
        accounting=accounting_frame(files),
        skipped=pd.DataFrame(skipped, columns=["source_file", "reason"]),
        unmatched=[u for f in used for u in unmatched.get(f.info.source_file, ()) if not u.chosen],
        similar=[u for f in used for u in unmatched.get(f.info.source_file, ()) if u.chosen],
        withheld=withheld.reset_index(drop=True),
    )


def _concat_columns(parts: list[dict[str, list]]) -> pd.DataFrame:
    """One tidy DataFrame from the column lists of several files, in their order."""
    if not parts:
        return empty_values()
    return frame_of_columns({col: list(itertools.chain.from_iterable(p[col] for p in parts))
                             for col in TIDY_COLUMNS})


def _as_issues(issues: list[Issue]) -> list[Issue]:
    """Issues in the stable order of :func:`~jrc_analysis.issues.issue_order`."""
    return sorted(issues, key=issue_order)


def returns_frame(results: list, superseded: dict[str, str]) -> pd.DataFrame:
    """One row per file read: what it says about itself and whether it was used."""
    rows = [{
        "source_file": r.info.source_file, "prefecture": r.info.prefecture or "",
        "year": r.info.year if r.info.year is not None else pd.NA,
        "template_version": r.info.template_version, "fill_date": r.info.fill_date,
        "revision": r.info.revision,
        "used": r.info.source_file not in superseded and r.accounting.values > 0,
        "superseded_by": superseded.get(r.info.source_file, ""),
    } for r in results]
    frame = pd.DataFrame(rows, columns=RETURN_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["used"] = frame["used"].astype(bool)
    return frame


def accounting_frame(results: list) -> pd.DataFrame:
    """One row per file read: cells read = values + cells in issues + cells ignored."""
    rows = [{"source_file": a.source_file, "cells_read": a.cells_read, "values": a.values,
             "in_issues": a.in_issues, "ignored": a.ignored, "balanced": a.balanced}
            for a in (r.accounting for r in results)]
    return pd.DataFrame(rows, columns=ACCOUNTING_COLUMNS)


# ----------------------------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------------------------

def escape_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text column escaped (:func:`escape_formula`); numbers untouched.

    Vectorised: ``str`` columns are tested with one ``str.startswith``; only the cells that look
    like a formula are rewritten (object and other text columns are mapped cell by cell)."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if not isinstance(series.dtype, pd.StringDtype):
            if series.dtype == object or pd.api.types.is_string_dtype(series):
                out[col] = series.map(escape_formula)
            continue
        starts = series.str.startswith(FORMULA_START, na=False).astype(bool)
        if starts.any():
            escaped = series.copy()
            escaped[starts] = "'" + series[starts]
            out[col] = escaped
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (so Excel opens it), formulas escaped, ``\\n`` line ends."""
    return escape_text_columns(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


OUTPUT_FILES = ("returns.parquet", "returns.csv", "issues.csv")


def output_bytes(result: LoadResult) -> dict[str, bytes]:
    """The content of each output file (:data:`OUTPUT_FILES`), built in memory."""
    values = result.values.reset_index(drop=True)
    buffer = io.BytesIO()
    values.to_parquet(buffer, index=False)
    return {
        "returns.parquet": buffer.getvalue(),
        "returns.csv": csv_bytes(values),
        "issues.csv": csv_bytes(issues_table(result.issues)),
    }


def stale_temp_files(out_dir: Path, pattern: str) -> list[Path]:
    """Hidden temporary files (``.<name>.<random>.tmp``) a killed run left beside the outputs."""
    return sorted(p for p in Path(out_dir).glob(f".{pattern}.*.tmp") if p.is_file())


def write_outputs(result: LoadResult, out_dir: str | os.PathLike) -> list[Path]:
    """Write ``returns.parquet``, ``returns.csv`` and ``issues.csv`` as one set; their paths.

    The three are written to a new generation folder, then switched to with one rename
    (:func:`jrc_analysis.fileio.replace_set`): a run killed at any point, or a failed write,
    leaves the previous set or the new one, never a mix. Temporary files left beside the outputs
    by runs of earlier versions are removed first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUT_FILES:
        for stale in stale_temp_files(out, glob.escape(name)):
            stale.unlink(missing_ok=True)
    return replace_set(out, output_bytes(result))


def output_paths(out_dir: str | os.PathLike) -> dict[str, Path]:
    """Where the current set of outputs is (:data:`OUTPUT_FILES` → path): all three from one run,
    even while another run replaces them. ``out_dir/returns.parquet`` etc. work too; this is for
    a reader that must never mix two runs."""
    return current_files(out_dir, OUTPUT_FILES)


def issues_table(issues: list[Issue]) -> pd.DataFrame:
    """Issues with the contract's columns, in the stable order."""
    rows = [(i.severity, i.code, i.source_file, i.sheet, i.cell, i.message) for i in _as_issues(issues)]
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)


# ----------------------------------------------------------------------------------------------
# Summary, feedback workbooks, the two commands
# ----------------------------------------------------------------------------------------------

def unit_of_file(result: LoadResult) -> dict[str, tuple[str, object]]:
    """source_file → (reporting unit, year) as the return says (unknown: 未识别单位, None)."""
    return {rec.source_file: (rec.prefecture or UNKNOWN_UNIT, rec.year)
            for rec in result.returns.itertuples(index=False)}


def summary_table(result: LoadResult) -> pd.DataFrame:
    """Files, values, warnings and errors per reporting unit (rows) and year (column groups)."""
    units = unit_of_file(result)
    rows = []
    for rec in result.returns.itertuples(index=False):
        rows.append({"unit": rec.prefecture or UNKNOWN_UNIT, "year": rec.year, "files": 1,
                     "values": 0, "warnings": 0, "errors": 0})
    counts = result.values.groupby(["prefecture", "year"]).size()
    for (unit, year), n in counts.items():
        rows.append({"unit": unit, "year": year, "files": 0, "values": int(n), "warnings": 0, "errors": 0})
    for issue in result.issues:
        unit, year = units.get(issue.source_file, (UNKNOWN_UNIT, pd.NA))
        rows.append({"unit": unit, "year": year, "files": 0, "values": 0,
                     "warnings": int(issue.severity == "warning"), "errors": int(issue.severity == "error")})
    frame = pd.DataFrame(rows, columns=["unit", "year", "files", "values", "warnings", "errors"])
    if frame.empty:
        return frame
    frame["year"] = frame["year"].astype("Int64").astype(str).replace("<NA>", "?")
    return frame.groupby(["unit", "year"], sort=False).sum().reset_index()


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def summary_text(result: LoadResult) -> str:
    """The terminal summary: totals, one line per reporting unit (years as columns), accounting."""
    acc = result.accounting
    lines = [
        f"报表文件 {len(result.returns)} 个（采用 {int(result.returns['used'].sum())} 个，"
        f"跳过非报表文件 {len(result.skipped)} 个）",
        f"数值 {len(result.values)} 个；警告 {result.warnings} 条；错误 {result.errors} 条。",
    ]
    table = summary_table(result)
    if not table.empty:
        order = {u: i for i, u in enumerate(catalog.reporting_units() + [UNKNOWN_UNIT])}
        years = sorted(table["year"].unique())
        width = 20
        lines.append(pad("填报单位", 12) + "".join(pad(f"{y}年", width, right=True) for y in years))
        lines.append(pad("", 12) + "".join(pad("文件/数值/警告/错误", width, right=True) for _ in years))
        for unit in sorted(table["unit"].unique(), key=lambda u: order.get(u, len(order))):
            cells = []
            for year in years:
                hit = table[(table["unit"] == unit) & (table["year"] == year)]
                if hit.empty:
                    cells.append("—")
                else:
                    r = hit.iloc[0]
                    cells.append(f"{r['files']}/{r['values']}/{r['warnings']}/{r['errors']}")
            lines.append(pad(unit, 12) + "".join(pad(c, width, right=True) for c in cells))
    if not acc.empty:
        unbalanced = acc[~acc["balanced"]]
        lines.append(
            f"单元格核对：读取 {int(acc['cells_read'].sum())} = 数值 {int(acc['values'].sum())} + "
            f"问题所指 {int(acc['in_issues'].sum())} + 忽略 {int(acc['ignored'].sum())}（标题、表头、说明等）"
            + ("" if unbalanced.empty else f"；{len(unbalanced)} 个文件对不上（程序错误，请报告）"))
        for rec in unbalanced.itertuples(index=False):
            lines.append(
                f"  对不上：{rec.source_file}：读取 {rec.cells_read} ≠ 数值 {rec.values} + "
                f"问题所指 {rec.in_issues} + 忽略 {rec.ignored}")
    if result.errors:
        lines.append("有错误的报表已在问题清单中逐格列出；其余报表照常采用。")
    return "\n".join(lines)


ADVICE_MARK = "请"


def split_advice(message: str) -> tuple[str, str]:
    """A message as (what was found, what to do): the advice is the last sentence starting 请."""
    at = message.rfind("。" + ADVICE_MARK)
    if at < 0:
        return message, "请按“发现的问题”修改后重新报送。"
    return message[: at + 1], message[at + 1:]


# characters a worksheet cannot hold (XML 1.0 forbids C0 controls other than tab/LF/CR)
def write_feedback(result: LoadResult, feedback_dir: str | os.PathLike) -> list[Path]:
    """One workbook per reporting unit listing its own issues (文件, 工作表, 单元格, 发现的问题, 如何修改)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    out = Path(feedback_dir)
    units = unit_of_file(result)
    by_unit: dict[str, list[Issue]] = {}
    for issue in _as_issues(result.issues):
        unit = units.get(issue.source_file, (UNKNOWN_UNIT, None))[0]
        by_unit.setdefault(unit, []).append(issue)
    written = []
    for unit, issues in sorted(by_unit.items()):
        wb = Workbook()
        ws = wb.active
        ws.title = "问题清单"
        header = FEEDBACK_COLUMNS
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for issue in issues:
            found, advice = split_advice(issue.message)
            level = "【错误】" if issue.severity == "error" else "【警告】"
            row = [issue.source_file, issue.sheet, issue.cell, level + found, advice]
            ws.append([escape_formula(sheet_text(v)) for v in row])
            for cell in ws[ws.max_row]:
                cell.data_type = "s"  # what came from the returns is text, never a formula
        for col, width in zip("ABCDE", [36, 12, 8, 80, 40]):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        path = out / f"{unit}_问题反馈.xlsx"
        for stale in stale_temp_files(out, glob.escape(path.name)):
            stale.unlink(missing_ok=True)
        with atomic_path(path) as tmp:
            wb.save(tmp)
        written.append(path)
    return written


def run_ingest(raw_dir: str | os.PathLike, out_dir: str | os.PathLike, jobs: int | None = None,
               mappings: Mappings | None = None) -> int:
    """``jrc ingest``: clean everything, write the outputs, print the summary; 0 or 1 (errors).
    ``jobs``, ``mappings``: see :func:`load_returns`."""
    result = load_returns(raw_dir, jobs=jobs, mappings=mappings)
    write_outputs(result, out_dir)
    print(summary_text(result))
    print(f"已写出：{Path(out_dir) / 'returns.parquet'}、returns.csv、issues.csv")
    return 1 if result.errors else 0


def run_check(raw_dir: str | os.PathLike, feedback_dir: str | os.PathLike | None = None,
              jobs: int | None = None, suggest: str | os.PathLike | None = None,
              mappings: Mappings | None = None) -> int:
    """``jrc check``: the same checks writing nothing, unless ``feedback_dir`` is given (then one
    feedback workbook per reporting unit) or ``suggest`` (then every unmatched label, and every
    label read by similarity alone, with its ranked candidates, for ``data/mappings.csv``). Returns 0, or 1 when there are errors.
    ``jobs``, ``mappings``: see :func:`load_returns`."""
    result = load_returns(raw_dir, jobs=jobs, mappings=mappings)
    print(summary_text(result))
    if suggest is not None:
        written = write_suggestions(result.unmatched + result.similar, suggest)
        print(f"已写出对照建议 {written} 条：{Path(suggest)}"
              "（核对后把要采用的行的前四列复制到 data/mappings.csv）")
    if feedback_dir is not None:
        written = write_feedback(result, feedback_dir)
        print(f"已写出反馈表 {len(written)} 份：{Path(feedback_dir)}")
    return 1 if result.errors else 0

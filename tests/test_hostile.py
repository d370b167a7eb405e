"""Hostile and broken inputs: nothing crashes, nothing is lost, nothing leaks (issue 8).

The bad-input corpus is built by :mod:`hostile_corpus` in a temporary folder; expected values are
the good return's own rows (:data:`hostile_corpus.GOOD_VALUES`).
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
from contextlib import contextmanager, suppress

try:
    import fcntl
except ImportError:  # Windows: the stopped-run tests skip
    fcntl = None
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import hostile_corpus as hc
from fixed_data import FIXED_RAW
from jrc_analysis.plan import catalog
from jrc_analysis.returns import ingest
from jrc_analysis.returns.ingest import (
    LoadResult,
    load_returns,
    read_return,
    run_ingest,
    sheet_text,
    summary_text,
    write_feedback,
    write_outputs,
)
from jrc_analysis.returns.names import match_indicator, match_place
from jrc_analysis.returns.parse import parse_number, unit_factor

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_RAW = FIXED_RAW  # the tests' fixed data set (tests/data/raw), never data/raw
FORMULA_START = ("=", "+", "-", "@")


def good_values(result, source_file: str = hc.GOOD_NAME) -> dict:
    rows = result.values[result.values["source_file"] == source_file]
    return {(r.indicator, r.cell): r.value for r in rows.itertuples()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Every corpus file plus the good return, in one folder."""
    folder = tmp_path_factory.mktemp("corpus")
    hc.build_corpus(folder)
    hc.good_return(folder)
    return folder


@pytest.fixture(scope="module")
def loaded(corpus) -> LoadResult:
    return load_returns(corpus)


# --------------------------------------------------------------------------------------------
# each bad file: a clear issue for that file, the good return next to it untouched
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(hc.CORPUS))
def test_each_bad_file_gets_its_issue_and_the_good_return_is_all_there(tmp_path, case):
    builder, expected = hc.CORPUS[case]
    bad = builder(tmp_path)
    hc.good_return(tmp_path)
    result = load_returns(tmp_path)
    codes = {i.code for i in result.issues if i.source_file == bad.name}
    assert expected <= codes, codes
    assert "ingest.internal_error" not in codes
    assert good_values(result) == hc.GOOD_VALUES
    assert result.accounting["balanced"].all()


def test_whole_corpus_in_one_folder(loaded):
    assert good_values(loaded) == hc.GOOD_VALUES
    assert len(loaded.returns) == len(hc.CORPUS) + 1
    assert "ingest.internal_error" not in {i.code for i in loaded.issues}
    own = {i.source_file for i in loaded.issues if not i.code.startswith("validate.")}
    assert set(loaded.returns["source_file"]) - own == {hc.GOOD_NAME}
    good = {i.code for i in loaded.issues if i.source_file == hc.GOOD_NAME}
    assert good == {"validate.incomplete"}  # the tiny good return fills 2 of the indicators


def test_bad_files_that_still_hold_a_return_keep_their_values(loaded):
    """Macros, external links, hidden rows/sheets and far cells only add warnings: the two values
    of each such return (310 and 1,234) are used."""
    for name, unit in [("带宏.xlsm", "宜春市"), ("外部链接.xlsx", "吉安市"), ("隐藏.xlsx", "赣州市"),
                       ("百万行.xlsx", "景德镇市"), ("一万六千列.xlsx", "萍乡市"), ("整张表.xlsx", "新余市")]:
        rows = loaded.values[loaded.values["source_file"] == name]
        assert sorted(rows["value"]) == [310.0, 1234.0], name
        assert set(rows["prefecture"]) == {unit}
        assert all(i.severity == "warning" for i in loaded.issues
                   if i.source_file == name and i.code.startswith("read.") and name != "整张表.xlsx")


def test_hidden_row_warning_names_the_row_and_its_first_cell(loaded):
    hidden = [i for i in loaded.issues if i.code == "read.hidden_rows"]
    assert [(i.source_file, i.sheet, i.cell) for i in hidden] == [("隐藏.xlsx", "汇总表", "A7")]
    assert "第 7 行" in hidden[0].message


def test_macros_are_never_run_and_said_so(loaded):
    [issue] = [i for i in loaded.issues if i.code == "read.macros_ignored"]
    assert issue.source_file == "带宏.xlsm" and "宏没有运行" in issue.message


def test_control_characters_are_shown_and_long_cells_cut_in_messages(loaded):
    mine = [i for i in loaded.issues if i.source_file == "控制字符.xlsx"]
    f6 = [i for i in mine if i.cell == "F6"]
    assert f6 and "3\\x0110" in f6[0].message  # the invisible \x01 is shown, the value not guessed
    f8 = [i for i in mine if i.cell == "F8"]
    assert f8 and "（共 32,767 字）" in f8[0].message and len(f8[0].message) < 400
    assert not loaded.values["source_file"].eq("控制字符.xlsx").any()


# --------------------------------------------------------------------------------------------
# errors for people
# --------------------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_issue_names_file_sheet_cell_and_says_what_to_do(loaded):
    assert loaded.issues
    for issue in loaded.issues:
        assert issue.source_file and issue.source_file in issue.message, issue
        if issue.sheet:
            assert f"“{issue.sheet}”" in issue.message, issue
        assert CJK.search(issue.message), issue
        assert "请" in issue.message, issue  # what to do
        assert "Traceback" not in issue.message and "Error" not in issue.message


def test_cli_over_the_corpus_never_shows_a_traceback(corpus, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("JRC_DEBUG", None)
    for args in (["ingest", str(corpus), "-o", str(tmp_path / "out")],
                 ["check", str(corpus), "--feedback", str(tmp_path / "fb")]):
        done = subprocess.run([sys.executable, "-m", "jrc_analysis", *args], capture_output=True,
                              text=True, env=env, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode in (0, 1), done.stderr
        assert "单元格核对" in done.stdout
    assert (tmp_path / "out" / "issues.csv").is_file()
    assert (tmp_path / "fb" / "南昌市_问题反馈.xlsx").is_file()


# --------------------------------------------------------------------------------------------
# odd file names and a folder of junk
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", hc.ODD_NAMES)
def test_odd_file_names_are_read_and_named_as_they_are(tmp_path, name):
    raw = tmp_path / "raw"
    hc.good_return(raw, name)
    result = load_returns(raw)
    if name.startswith("."):  # a hidden file (macOS leaves ._name copies): skipped with a note
        assert result.skipped.values.tolist() == [[name, "隐藏文件（以 . 开头），不是报表"]]
        return
    assert good_values(result, name) == hc.GOOD_VALUES
    write_outputs(result, tmp_path / "out")
    returns = pd.read_csv(tmp_path / "out" / "returns.csv", encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
    expected = "'" + name if name.startswith(FORMULA_START) else name
    assert set(returns["source_file"]) == {expected}


def test_a_folder_of_2000_junk_files_stays_fast(tmp_path):
    raw = tmp_path / "raw"
    hc.junk_folder(raw, 2000)
    hc.good_return(raw)
    wall, cpu = time.perf_counter(), time.process_time()
    result = load_returns(raw)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert good_values(result) == hc.GOOD_VALUES
    # lock, temp, note and hidden files are skipped by name (4 of each 6); png and html are read
    # and refused as not spreadsheets (2 of each 6)
    assert len(result.skipped) == 2000 // 6 * 4 + 2  # 333 full rounds + i = 1998, 1999 (~$, tmp)
    not_sheets = [i for i in result.issues if i.code == "read.not_spreadsheet"]
    assert len(not_sheets) == 2000 - len(result.skipped)
    assert cpu < 15, f"{cpu:.1f} s CPU ({wall:.1f} s wall) for 2,000 junk files"


# --------------------------------------------------------------------------------------------
# outputs never carry a live formula
# --------------------------------------------------------------------------------------------

def formula_return(folder: Path) -> Path:
    """A good return whose file name, sheet name and value cell start like formulas."""
    return hc.write_xlsx(folder / "=HYPERLINK(1).xlsx", {"@汇总": hc.return_rows("南昌市", "+310")})


def test_text_from_returns_never_becomes_a_formula_in_the_csvs(tmp_path):
    raw = tmp_path / "raw"
    formula_return(raw)
    hc.control_characters(raw)
    result = load_returns(raw)
    assert sorted(result.values["value"]) == [310.0, 1234.0]
    write_outputs(result, tmp_path / "out")
    fields = []
    for name in ("returns.csv", "issues.csv"):
        with open(tmp_path / "out" / name, encoding="utf-8-sig", newline="") as handle:
            fields += [f for row in csv.reader(handle) for f in row]
    assert "'=HYPERLINK(1).xlsx" in fields and "'@汇总" in fields and "'+310" in fields
    assert not [f for f in fields if f.startswith(FORMULA_START)]


def test_text_from_returns_never_becomes_a_formula_in_the_feedback_workbooks(tmp_path):
    raw = tmp_path / "raw"
    formula_return(raw)
    hc.control_characters(raw)
    result = load_returns(raw)
    written = write_feedback(result, tmp_path / "fb")
    assert written
    for path in written:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.startswith("xl/worksheets/"):
                    assert b"<f>" not in archive.read(member) and b"<f " not in archive.read(member)
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)


def test_sheet_text_holds_anything_a_cell_can():
    assert sheet_text("a\x01b\tc\nd") == "a\\x01b\tc\nd"
    assert sheet_text(None) == ""
    long = sheet_text("长" * 40000)
    assert len(long) == 32767 and long.endswith("…")


# --------------------------------------------------------------------------------------------
# accounting
# --------------------------------------------------------------------------------------------

def test_accounting_balances_on_every_sample_return():
    result = load_returns(SAMPLE_RAW)
    acc = result.accounting
    assert len(acc) == len(result.returns) > 30
    bad = acc[acc["cells_read"] != acc["values"] + acc["in_issues"] + acc["ignored"]]
    assert bad.empty, bad
    assert (acc["cells_read"] > 0).all()
    text = summary_text(result)
    assert "单元格核对：读取" in text and "对不上" not in text


def test_accounting_balances_on_the_corpus(loaded):
    acc = loaded.accounting
    assert (acc["cells_read"] == acc["values"] + acc["in_issues"] + acc["ignored"]).all()
    assert acc.loc[acc["source_file"] == hc.GOOD_NAME, "values"].tolist() == [2]


def test_summary_names_each_file_that_does_not_balance():
    acc = pd.DataFrame([["a.xlsx", 10, 2, 1, 7, True], ["b.xlsx", 10, 2, 1, 5, False]],
                       columns=ingest.ACCOUNTING_COLUMNS)
    returns = pd.DataFrame([["a.xlsx", "南昌市", 2023, "", "", 0, True, ""],
                            ["b.xlsx", "九江市", 2023, "", "", 0, True, ""]], columns=ingest.RETURN_COLUMNS)
    result = LoadResult(values=ingest.empty_values(), issues=[], returns=returns, accounting=acc)
    text = summary_text(result)
    assert "读取 20 = 数值 4 + 问题所指 2 + 忽略 12" in text
    assert "1 个文件对不上" in text
    assert "对不上：b.xlsx：读取 10 ≠ 数值 2 + 问题所指 1 + 忽略 5" in text
    assert "对不上：a.xlsx" not in text


# --------------------------------------------------------------------------------------------
# raw data never written; outputs replaced atomically
# --------------------------------------------------------------------------------------------

def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def output_hashes(folder: Path) -> dict[str, str]:
    """The three outputs as a user opens them (folder/returns.csv etc.)."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ingest.OUTPUT_FILES}


def test_raw_data_is_never_written_by_ingest(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(SAMPLE_RAW, root / "raw")
    hc.build_corpus(root / "raw" / "坏文件")
    monkeypatch.setenv("JRC_DATA_ROOT", str(root))
    before = tree_hashes(root / "raw")
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "raw").rglob("*")}
    assert run_ingest(root / "raw", root / "processed") == 1
    assert tree_hashes(root / "raw") == before
    assert {p: p.stat().st_mtime_ns for p in (root / "raw").rglob("*")} == mtimes


# The briefing's own run (tests/test_briefing.py::test_raw_data_is_unchanged) hashes data/raw before
# and after a full briefing; it is not repeated here.


def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".returns.csv.k3j2_x.tmp", out / ".issues.csv.abc.tmp", out / ".returns.parquet.q.tmp"]
    for path in stale:
        path.write_bytes(b"half")
    keep = out / ".notes.txt.tmp"  # not ours: left alone
    keep.write_bytes(b"x")
    write_outputs(load_returns(hc.good_return(tmp_path / "raw").parent), out)
    assert sorted(p.name for p in out.iterdir()) == [".notes.txt.tmp", ".outputs", "issues.csv",
                                                     "returns.csv", "returns.parquet"]


def test_a_failure_while_writing_leaves_every_previous_output(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    hc.good_return(raw)
    out = tmp_path / "out"
    write_outputs(load_returns(raw), out)
    before = output_hashes(out)
    formula_return(raw)  # new values and issues: every output changes
    new = load_returns(raw)
    calls = []
    real = Path.write_bytes

    def fail_on_third(self, data):
        calls.append(self.name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail_on_third)
    with pytest.raises(OSError):
        write_outputs(new, out)
    monkeypatch.undo()
    assert len(calls) == 3 and all(name.startswith(".") and name.endswith(".tmp") for name in calls)
    # two files of the new set were complete, yet the previous set is what every reader sees
    assert output_hashes(out) == before
    assert {name: path.read_bytes() for name, path in ingest.output_paths(out).items()} == {
        name: (out / name).read_bytes() for name in ingest.OUTPUT_FILES}
    assert sorted(p.name for p in out.iterdir()) == [".outputs", "issues.csv", "returns.csv",
                                                     "returns.parquet"]
    write_outputs(new, out)  # the next run replaces the whole set
    assert all(output_hashes(out)[name] != before[name] for name in ingest.OUTPUT_FILES)


# A run stopped while it reads. Nothing here waits on a guess of how long anything takes:
# - the run cannot finish before it is stopped: one of its two returns is held by a Linux write
#   lease (fcntl F_SETLEASE) that this test takes, and the kernel blocks any other process's open()
#   of that file until the lease is released — which the test does only after the stop;
# - the test stops the run only once the kernel has told it the run is inside that open() (the
#   lease-break signal, SIGIO, sent to this thread when the open starts to wait);
# - then it waits for events: the run's exit (wait) and each worker's end (a pidfd turns readable).
# On a machine 3 times faster or slower the same things happen in the same order; only the time
# between them changes. The timeouts (SAFETY_S here; the kernel's lease-break-time, 45 s by default,
# after which it lets the open through) are safety nets that turn a hang into a loud failure.
SAFETY_S = 120
F_SETLEASE, F_SETOWN_EX, F_OWNER_TID = 1024, 15, 0  # <linux/fcntl.h>


@contextmanager
def held_open(path: Path):
    """Hold a write lease on ``path`` (its open() by another process blocks until we let go);
    yield a function that returns once another process has started to open it."""
    if fcntl is None or not sys.platform.startswith("linux"):
        pytest.skip("needs Linux file leases (fcntl F_SETLEASE) to hold a file unopenable")
    previous = signal.signal(signal.SIGIO, signal.SIG_IGN)  # blocked below; ignored once unblocked
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGIO})
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.fcntl(fd, F_SETLEASE, fcntl.F_WRLCK)
        except OSError as exc:
            pytest.skip(f"this file system gives no write lease ({exc}): cannot hold a return unopenable")
        # the lease-break signal to this very thread, which blocks it and takes it below
        fcntl.fcntl(fd, F_SETOWN_EX, struct.pack("ii", F_OWNER_TID, threading.get_native_id()))

        def wait_for_opener() -> None:
            got = signal.sigtimedwait({signal.SIGIO}, SAFETY_S)
            assert got is not None, f"no process tried to open {path.name} within {SAFETY_S} s"

        yield wait_for_opener
    finally:
        os.close(fd)  # releases the lease
        while signal.sigtimedwait({signal.SIGIO}, 0) is not None:
            pass
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGIO})
        signal.signal(signal.SIGIO, previous)


def group_processes(pgid: int) -> list[int]:
    """Processes of the process group ``pgid`` that have not ended (zombies excluded), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            pids.append(int(entry.name))
    return sorted(pids)


def pidfds(pids: list[int]) -> list[int]:
    """A pidfd for each process still there (readable once the process has ended)."""
    fds = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(pid))
        except ProcessLookupError:
            pass
    return fds


def wait_until_ended(fds: list[int]) -> None:
    """Return once every process of ``fds`` has ended; fail loudly after SAFETY_S."""
    try:
        for fd in fds:
            ready, _, _ = select.select([fd], [], [], SAFETY_S)
            assert ready, f"a process of the stopped run was still running after {SAFETY_S} s"
    finally:
        for fd in fds:
            os.close(fd)


@pytest.mark.parametrize("jobs, signal_name", [(1, "SIGKILL"), (2, "SIGKILL"), (2, "SIGTERM"), (2, "SIGINT")])
def test_a_run_stopped_while_reading_leaves_the_previous_outputs_and_no_process(tmp_path, jobs, signal_name):
    """Stopped while its reader is blocked opening a return (see above): the previous outputs are
    unchanged, no process of the run is left (one process, or --jobs 2: the pool path), Ctrl+C
    ends with the usual message; the next run writes the new outputs."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    held = hc.good_return(raw)
    write_outputs(load_returns(raw), out)
    before = tree_hashes(out)
    formula_return(raw)  # a second return: the next outputs differ from the previous ones
    stop = getattr(signal, signal_name)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("JRC_DEBUG", None)
    # its output goes to a file, not a pipe: a surviving worker would hold a pipe open
    with held_open(held) as wait_for_opener, open(tmp_path / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jrc_analysis", "ingest", str(raw), "-o", str(out), "--jobs", str(jobs)],
            stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True)
        try:
            wait_for_opener()  # the run is inside reading: blocked opening the held return
            running = group_processes(proc.pid)
            # one process, or the run and its workers (2, forked before any file is handed out)
            assert proc.pid in running and len(running) == (1 if jobs == 1 else 1 + jobs), running
            workers = pidfds([pid for pid in running if pid != proc.pid])
            proc.send_signal(stop)
            proc.wait(timeout=SAFETY_S)
            wait_until_ended(workers)
            assert group_processes(proc.pid) == []  # no process of the run survives
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # only if the test failed above
            proc.wait()
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    if stop == signal.SIGINT:  # Ctrl+C: the run stops its workers, says so, no traceback
        assert proc.returncode == 130 and "已中断" in stderr and "Traceback" not in stderr, stderr
    else:
        assert proc.returncode == -stop
    assert tree_hashes(out) == before  # stopped while reading: nothing was written
    # the next run cleans up any hidden temporary left by the stop and writes the new outputs
    assert run_ingest(raw, out) in (0, 1)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "issues.csv", "returns.csv", "returns.parquet"]
    assert tree_hashes(out) != before


# --------------------------------------------------------------------------------------------
# property tests: the number parser and the name matcher
# --------------------------------------------------------------------------------------------

BASE_UNITS = sorted(set(catalog.indicators()["unit"]) - {"是/否"})


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.integers(0, 10**12), st.floats(0, 1e12, allow_nan=False)))
def test_every_number_the_template_holds_comes_back(number):
    """Numbers as the template's value cells hold them (a float), and as text."""
    assert parse_number(float(number)).value == float(number)
    assert parse_number(str(number)).value == float(number)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(BASE_UNITS))
def test_a_number_written_with_its_base_unit_comes_back(number, unit):
    parsed = parse_number(f"{number}{unit}")
    assert (parsed.value, parsed.unit, parsed.status) == (float(number), unit, "ok")
    assert unit_factor(parsed.unit, unit) == 1.0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=12), st.text(max_size=12))
def test_unit_factor_never_raises(unit, base):
    factor = unit_factor(unit, base)
    assert factor is None or factor > 0


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_any_cell_text_never_raises_and_non_negative_text_stays_non_negative(text):
    parsed = parse_number(text)
    assert parsed.status in ("ok", "missing", "invalid")
    if parsed.value is not None and not re.search(r"[-－−‐‑‒–—―﹣]", text):
        assert parsed.value >= 0, (text, parsed)


def catalogue_names() -> list[tuple[str, str]]:
    return [(r.code, name) for r in catalog.indicators().itertuples() for name in [r.name, *r.aliases]]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(catalogue_names()), st.sampled_from(["", "1.", "（三）", "一、", " "]),
       st.sampled_from(["", "（{}）", "({})"]))
def test_every_name_the_template_writes_matches_its_own_code(item, prefix, unit_suffix):
    code, name = item
    unit = catalog.indicators().set_index("code").loc[code, "unit"]
    assert match_indicator(prefix + name + unit_suffix.format(unit)) == code


def test_every_place_name_and_alias_matches_itself():
    for r in catalog.geography().itertuples():
        for name in [r.name, *r.aliases]:
            place = match_place(name, prefecture=r.prefecture if r.level == "county" else None)
            assert place is not None and place.name == r.name, (r.level, r.name, name)

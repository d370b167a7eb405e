"""A set of files replaced as one (``fileio.replace_set``): old or new, never a mix.

The sets are three tiny byte strings; the crash test stops a replacement before each of its
file-system steps in turn (the k-th rename, symlink, write, unlink or removal raises) and looks at
what a reader would see then.
"""
from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest

from jrc_analysis import fileio
from jrc_analysis.fileio import LOCK, POINTER, STORE, current_files, generation_name, replace_set

NAMES = ["issues.csv", "returns.csv", "returns.parquet"]
OLD = {"issues.csv": b"old issues", "returns.csv": b"old values", "returns.parquet": b"old parquet"}
NEW = {"issues.csv": b"new issues", "returns.csv": b"new values", "returns.parquet": b"new parquet"}
NOTHING = dict.fromkeys(NAMES)


class Crash(Exception):
    """The simulated end of a run (a kill, a full disk) before a file-system step."""


def top_level(folder: Path) -> dict:
    """What a person opening folder/<name> reads (None: no such file)."""
    return {name: (folder / name).read_bytes() if (folder / name).is_file() else None for name in NAMES}


def through_library(folder: Path) -> dict:
    """What a reader going through ``current_files`` reads."""
    paths = current_files(folder, NAMES)
    return {name: paths[name].read_bytes() if paths[name].is_file() else None for name in NAMES}


def no_symlinks(monkeypatch) -> None:
    """As on Windows without the symlink privilege: os.symlink fails."""
    def refuse(*_args, **_kwargs):
        raise OSError("symbolic link privilege not held")
    monkeypatch.setattr(os, "symlink", refuse)


def crash_before_step(monkeypatch, k: int) -> None:
    """The k-th file-system step of what follows raises :class:`Crash` instead of happening."""
    steps = itertools.count(1)

    def wrap(owner, name):
        real = getattr(owner, name)

        def step(*args, **kwargs):
            if next(steps) == k:
                raise Crash(f"before step {k}: {name}")
            return real(*args, **kwargs)
        monkeypatch.setattr(owner, name, step)

    for owner, name in [(os, "replace"), (os, "symlink"), (Path, "write_bytes"), (Path, "write_text"),
                        (Path, "unlink"), (Path, "mkdir"), (shutil, "rmtree")]:
        wrap(owner, name)


def prepare(folder: Path, start: str) -> dict:
    """The folder before the replacement, and the set a reader sees in it."""
    if start == "empty":
        return NOTHING
    if start == "plain files":  # written by an earlier version: three plain files
        folder.mkdir(parents=True)
        for name, data in OLD.items():
            (folder / name).write_bytes(data)
    else:
        replace_set(folder, OLD)
    return OLD


@pytest.mark.parametrize("links", [True, False], ids=["symlinks", "copies"])
@pytest.mark.parametrize("start", ["generations", "plain files", "empty"])
def test_a_crash_at_any_step_leaves_the_old_set_or_the_new_one(tmp_path, monkeypatch, start, links):
    if not links:
        no_symlinks(monkeypatch)
    base = tmp_path / "base"
    old = prepare(base, start)
    for k in itertools.count(1):
        folder = tmp_path / f"crash{k}"
        if base.exists():
            shutil.copytree(base, folder, symlinks=True)
        with monkeypatch.context() as patch:
            crash_before_step(patch, k)
            try:
                replace_set(folder, NEW)
                finished = True
            except Crash:
                finished = False
        seen = through_library(folder)
        assert seen in (old, NEW), (k, seen)
        if links:  # the top-level names go through the pointer: they switch with it
            assert top_level(folder) == seen, k
        replace_set(folder, NEW)  # the next run
        assert top_level(folder) == through_library(folder) == NEW, k
        entries = {p.name for p in (folder / STORE).iterdir()} - {LOCK}
        assert {POINTER, generation_name(NEW)} <= entries <= {POINTER, generation_name(NEW),
                                                               generation_name(OLD)}, (k, entries)
        if finished:
            break
    assert k > 6, k  # the replacement took that many steps, and a crash before each was tried


def test_the_top_level_names_are_symlinks_through_one_pointer_and_one_rename_switches_them(
        tmp_path, monkeypatch):
    replace_set(tmp_path, OLD)
    renames = []
    real = os.replace

    def record(src, dst):
        renames.append(Path(dst).relative_to(tmp_path).as_posix())
        return real(src, dst)

    monkeypatch.setattr(os, "replace", record)
    assert replace_set(tmp_path, NEW) == [tmp_path / name for name in NAMES]
    new = generation_name(NEW)
    # three files into the new generation (unseen by any reader), then the one switch
    assert renames == [f"{STORE}/{new}/{name}" for name in NAMES] + [f"{STORE}/{POINTER}"]
    for name in NAMES:
        assert os.readlink(tmp_path / name) == f"{STORE}/{POINTER}/{name}"
    assert os.readlink(tmp_path / STORE / POINTER) == new
    assert top_level(tmp_path) == NEW


def test_an_unchanged_set_is_not_rewritten(tmp_path, monkeypatch):
    replace_set(tmp_path, OLD)
    writes = []
    monkeypatch.setattr(os, "replace", lambda *a: writes.append(a))
    replace_set(tmp_path, dict(OLD))
    assert writes == []


def test_a_reader_that_resolved_the_set_before_a_switch_still_reads_it_whole(tmp_path):
    replace_set(tmp_path, OLD)
    before = current_files(tmp_path, NAMES)
    replace_set(tmp_path, NEW)
    assert {name: before[name].read_bytes() for name in NAMES} == OLD  # the previous set is kept
    assert through_library(tmp_path) == NEW
    third = {name: data + b" 3" for name, data in NEW.items()}
    replace_set(tmp_path, third)
    assert not before["returns.csv"].exists()  # two sets back: removed
    assert {p.name for p in (tmp_path / STORE).iterdir()} == {LOCK, POINTER, generation_name(NEW),
                                                              generation_name(third)}


def test_without_symlinks_the_pointer_is_a_text_file_and_the_names_plain_copies(tmp_path, monkeypatch):
    no_symlinks(monkeypatch)
    replace_set(tmp_path, OLD)
    replace_set(tmp_path, NEW)
    assert (tmp_path / STORE / POINTER).read_text(encoding="utf-8") == generation_name(NEW) + "\n"
    assert not any((tmp_path / name).is_symlink() for name in NAMES)
    assert top_level(tmp_path) == through_library(tmp_path) == NEW


def test_a_folder_written_with_copies_turns_to_symlinks_when_they_work(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        no_symlinks(patch)
        replace_set(tmp_path, OLD)
    replace_set(tmp_path, NEW)
    assert os.readlink(tmp_path / STORE / POINTER) == generation_name(NEW)
    assert all((tmp_path / name).is_symlink() for name in NAMES)
    assert top_level(tmp_path) == NEW


def test_the_generation_name_depends_on_every_name_and_byte():
    assert generation_name(OLD) == generation_name(dict(reversed(list(OLD.items()))))
    assert generation_name(OLD) != generation_name({**OLD, "issues.csv": b"old issues!"})
    assert generation_name(OLD) != generation_name({"x" + k: v for k, v in OLD.items()})
    assert len(generation_name(OLD)) == 16 and fileio.STORE == ".outputs"


def wait_for_a_blocked_lock(path: Path) -> None:
    """Return once the kernel lists a process waiting for the lock of ``path`` (/proc/locks marks
    a waiter with ``->``); fail after 120 s."""
    import time

    inode = f":{os.stat(path).st_ino} "
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with open("/proc/locks", encoding="ascii") as handle:
            if any("->" in line and inode in line for line in handle):
                return
        time.sleep(0.01)
    raise AssertionError("no process waited for the lock within 120 s")


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="reads the kernel's lock list (Linux)")
def test_a_second_writer_waits_for_the_first(tmp_path):
    """While one process holds the folder's lock (as a run replacing the set does), another
    process's replace_set waits; it finishes once the lock is released."""
    import subprocess
    import sys

    replace_set(tmp_path, OLD)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys; h = open(sys.argv[1], 'a+b'); fcntl.flock(h, fcntl.LOCK_EX); "
         "print('held', flush=True); sys.stdin.read()", str(tmp_path / STORE / LOCK)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        writer = subprocess.Popen(
            [sys.executable, "-c",
             "import sys; from jrc_analysis.fileio import replace_set; "
             "replace_set(sys.argv[1], {'issues.csv': b'w', 'returns.csv': b'w', 'returns.parquet': b'w'})",
             str(tmp_path)])
        try:
            wait_for_a_blocked_lock(tmp_path / STORE / LOCK)  # the writer is waiting for its turn
            assert writer.poll() is None and top_level(tmp_path) == OLD
            holder.stdin.close()  # the holder ends, the lock with it
            assert writer.wait(timeout=120) == 0
        finally:
            writer.kill()
            writer.wait()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert top_level(tmp_path) == dict.fromkeys(NAMES, b"w")

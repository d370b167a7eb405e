"""Atomic writes: a reader (or a run killed halfway) never sees a half-written output, nor a
set of outputs half replaced (:func:`replace_set`)."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    Write the whole file to the yielded path. If the block raises, the temporary file is removed
    and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, leaving the file untouched if it is unchanged."""
    target = Path(target)
    if target.exists() and target.read_bytes() == data:
        return
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically (see :func:`write_bytes_atomic`)."""
    write_bytes_atomic(target, text.encode(encoding))


# ----------------------------------------------------------------------------------------------
# A set of files replaced as one: generation folders and one pointer
# ----------------------------------------------------------------------------------------------
#
# folder/returns.csv -> .outputs/current/returns.csv        (a symlink, made once, never changed)
# folder/.outputs/current -> 3f9c2a…                        (the pointer: one rename switches it)
# folder/.outputs/3f9c2a…/returns.csv, …                    (a generation, named by its content)
#
# A new set is written to its own generation folder, complete, before the pointer is switched by
# one rename; the top-level names are symlinks through the pointer, so they switch with it: a
# run killed at any point leaves the previous set or the new one, never a mix. The previous
# generation is kept (a reader that resolved the pointer just before the switch still reads it
# whole); older ones are removed.
#
# Where symlinks cannot be made (Windows without the symlink privilege, some network or FAT
# drives) the pointer is a small text file naming the generation, switched by the same one
# rename, and the top-level names are plain copies refreshed right after the switch, one by one
# (each atomically). Readers that go through :func:`current_files` (the library's own) still see
# one whole set; a person opening the top-level copies at that very instant, or after a run killed
# in it, may see two files from different runs until the next run, which refreshes them first.

STORE = ".outputs"
POINTER = "current"
LOCK = ".lock"  # held by the run replacing the set: two runs into one folder take turns


def generation_name(contents: dict[str, bytes]) -> str:
    """The name of the generation holding ``contents`` (name → bytes): a digest of it."""
    digest = hashlib.sha256()
    for name, data in sorted(contents.items()):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:16]


def current_generation(store: Path) -> str | None:
    """The generation the pointer of ``store`` names (None when there is none)."""
    pointer = Path(store) / POINTER
    try:
        if pointer.is_symlink():
            return Path(os.readlink(pointer)).name
        return pointer.read_text(encoding="utf-8").strip() or None
    except (OSError, ValueError):
        return None


def current_files(folder: str | os.PathLike, names) -> dict[str, Path]:
    """Each of ``names`` in the current generation of ``folder`` (the pointer is read once, so the
    paths belong to one set); the top-level paths when ``folder`` has no generation."""
    folder = Path(folder)
    generation = current_generation(folder / STORE)
    if generation is None or not (folder / STORE / generation).is_dir():
        return {name: folder / name for name in names}
    return {name: folder / STORE / generation / name for name in names}


def symlinks_work(store: Path) -> bool:
    """Whether symlinks can be made in ``store`` (never tried on Windows: see above)."""
    if os.name != "posix":
        return False
    probe = Path(store) / ".symlink-probe.tmp"
    try:
        probe.unlink(missing_ok=True)
        os.symlink(POINTER, probe)
    except OSError:
        return False
    probe.unlink(missing_ok=True)
    return True


def _point(store: Path, generation: str, links: bool) -> None:
    """Switch the pointer of ``store`` to ``generation`` with one rename."""
    tmp = store / f".{POINTER}.{generation}.tmp"
    tmp.unlink(missing_ok=True)
    if links:
        os.symlink(generation, tmp)
    else:
        tmp.write_text(generation + "\n", encoding="utf-8")
    os.replace(tmp, store / POINTER)


def _write_generation(directory: Path, contents: dict[str, bytes]) -> None:
    """Every file of ``contents`` in ``directory`` (each atomically; identical files kept)."""
    directory.mkdir(exist_ok=True)
    for name, data in sorted(contents.items()):
        write_bytes_atomic(directory / name, data)


def _adopt_plain_files(folder: Path, store: Path, names: list[str]) -> str | None:
    """Outputs written before generations existed (plain files): copied into a generation the
    pointer names, so that turning them into symlinks changes nothing a reader sees."""
    existing = {name: (folder / name).read_bytes() for name in names
                if (folder / name).is_file() and not (folder / name).is_symlink()}
    if not existing:
        return None
    generation = generation_name(existing)
    _write_generation(store / generation, existing)
    _point(store, generation, links=True)
    return generation


def _link_top_level(folder: Path, names: list[str]) -> None:
    """Each top-level name a symlink through the pointer (made once; each replacement atomic)."""
    for name in names:
        top, target = folder / name, f"{STORE}/{POINTER}/{name}"
        if top.is_symlink() and os.readlink(top) == target:
            continue
        tmp = folder / f".{name}.link.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, top)


def _copy_top_level(folder: Path, contents: dict[str, bytes]) -> None:
    """Each top-level name a plain copy of the current generation's file (each atomically)."""
    for name, data in sorted(contents.items()):
        top = folder / name
        if top.is_symlink() or not top.is_file() or top.read_bytes() != data:
            with atomic_path(top) as tmp:
                tmp.write_bytes(data)


def _remove_other_generations(store: Path, keep: set) -> None:
    """Everything in ``store`` but the pointer, the lock and the generations in ``keep`` (a
    folder still open elsewhere, on Windows, is left for the next run)."""
    for entry in sorted(store.iterdir()):
        if entry.name in (POINTER, LOCK) or entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@contextmanager
def _writers_take_turns(store: Path) -> Iterator[None]:
    """Hold the lock of ``store`` (blocking): a second run into the same folder waits, so that it
    never removes a generation the first is writing. Released when the block ends or the process
    dies. Readers never take it."""
    with open(store / LOCK, "a+b") as handle:
        if os.name == "posix":
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for 10 s, then OSError
        yield


def replace_set(folder: str | os.PathLike, contents: dict[str, bytes]) -> list[Path]:
    """Replace the files ``contents`` (name → bytes) in ``folder`` as one set (see above); their
    top-level paths. Nothing is rewritten when the set is unchanged."""
    folder = Path(folder)
    store = folder / STORE
    store.mkdir(parents=True, exist_ok=True)
    with _writers_take_turns(store):
        return _replace_set(folder, store, contents)


def _replace_set(folder: Path, store: Path, contents: dict[str, bytes]) -> list[Path]:
    """:func:`replace_set` once the lock is held."""
    names = sorted(contents)
    links = symlinks_work(store)
    previous = current_generation(store)
    if links:
        if previous is None:
            previous = _adopt_plain_files(folder, store, names)
        elif not (store / POINTER).is_symlink():  # the pointer was a text file (copies)
            _point(store, previous, links=True)
        _link_top_level(folder, names)  # through the pointer: they switch with it
    generation = generation_name(contents)
    _write_generation(store / generation, contents)
    if generation != previous:
        _point(store, generation, links)  # the switch: one rename
    if not links:
        _copy_top_level(folder, contents)
    _remove_other_generations(store, {generation, previous})
    return [folder / name for name in names]
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # every zip entry's time: the same bytes on every run


def deterministic_zip(data: bytes, fixes: dict | None = None) -> bytes:
    """Rewrite a zip container with fixed entry times (and optional per-entry byte fixes:
    entry name → function of its bytes).

    Entry order and per-entry compression are kept (an ODF ``mimetype`` entry stays first and stored).
    """
    fixes = fixes or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename in fixes:
                payload = fixes[info.filename](payload)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = info.compress_type
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, payload)
    return out.getvalue()

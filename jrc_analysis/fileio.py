"""Atomic writes: a reader (or a run killed halfway) never sees a half-written output; zip
containers (xlsx, ods) rewritten byte-deterministically."""
from __future__ import annotations

import io
import os
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

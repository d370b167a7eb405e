"""Worker processes that never outlive the run that started them.

- :func:`worker_start` — the initializer of every worker: Ctrl+C is left to the parent, and the
  worker dies with its parent, however the parent ends (SIGKILL included);
- :func:`stop_workers` — the parent's side: end a pool's workers at once (Ctrl+C, an error, or
  a reader that stops early), instead of waiting for the files still queued.

How a worker dies with its parent: on Linux the kernel kills it (``prctl(PR_SET_PDEATHSIG,
SIGKILL)``, asked for through ``ctypes``), even while it is stuck in a system call or in native
code. Elsewhere a daemon thread waits on :func:`multiprocessing.parent_process`'s sentinel (a
pipe that closes, or on Windows the parent's process handle, when the parent ends) and ends the
worker then.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Iterable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _kernel_kills_on_parent_death() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_parent_ends() -> None:
    """A daemon thread that ends this process as soon as the parent's sentinel fires."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_start(parent_pid: int | None) -> None:
    """Initializer of a worker process; ``parent_pid``: the process that forked it (None when a
    fork server did, as with the ``forkserver`` start method: the server dies with the run).

    SIGINT is ignored (a terminal sends Ctrl+C to the whole process group; the parent alone
    decides, and stops the workers with :func:`stop_workers`). The worker dies with its parent
    (see the module docstring); if the parent already ended before this ran, it exits at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _kernel_kills_on_parent_death():
        _exit_when_parent_ends()
    if parent_pid is not None and os.getppid() != parent_pid:  # ended before the request took effect
        os._exit(1)


def initializer_args() -> tuple[int | None]:
    """The arguments of :func:`worker_start` for a pool about to be started by this process with
    the default start method."""
    return (None if multiprocessing.get_start_method() == "forkserver" else os.getpid(),)


def stop_workers(workers: Iterable[multiprocessing.Process]) -> None:
    """Terminate ``workers`` (SIGTERM; TerminateProcess on Windows) and wait until each has ended."""
    workers = list(workers)
    for process in workers:
        if process.is_alive():
            process.terminate()
    for process in workers:
        process.join()

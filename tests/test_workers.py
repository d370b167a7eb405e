"""Worker processes die with their parent (``jrc_analysis.workers``), on each of its two ways.

A small parent process (``python -c``) starts one worker with :mod:`multiprocessing`; the worker
prints its pid once its protection is in place, then sleeps. The test kills the parent with
SIGKILL and waits for the worker's end — an event (its pidfd turns readable), with a timeout that
only turns a hang into a failure. Nothing waits on a guess of how long anything takes.
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
from contextlib import suppress

import pytest

SAFETY_S = 120

PARENT = textwrap.dedent("""
    import multiprocessing, os, sys, time
    from jrc_analysis import workers

    def worker(way):
        if way == "kernel":
            workers.worker_start(os.getppid())
        else:  # the watcher thread used where the kernel cannot do it (macOS, Windows)
            workers._exit_when_parent_ends()
        print(os.getpid(), flush=True)
        time.sleep(3600)

    if __name__ == "__main__":
        multiprocessing.set_start_method("fork")
        multiprocessing.Process(target=worker, args=(sys.argv[1],)).start()
        time.sleep(3600)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfds and PR_SET_PDEATHSIG: Linux")
@pytest.mark.parametrize("way", ["kernel", "watcher"])
def test_a_worker_dies_when_its_parent_is_killed(way):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, way], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        worker = int(parent.stdout.readline())  # the worker is protected and running
        pidfd = os.pidfd_open(worker)
        try:
            parent.send_signal(signal.SIGKILL)
            parent.wait()
            ready, _, _ = select.select([pidfd], [], [], SAFETY_S)
            assert ready, f"the worker ({way}) outlived its parent by {SAFETY_S} s"
        finally:
            os.close(pidfd)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)  # only if the test failed above
        parent.wait()
        parent.stdout.close()


def test_stop_workers_ends_every_worker_and_waits_for_it():
    import multiprocessing
    import time

    from jrc_analysis.workers import stop_workers

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    processes = [context.Process(target=time.sleep, args=(3600,)) for _ in range(2)]
    for process in processes:
        process.start()
    stop_workers(processes)
    assert [p.is_alive() for p in processes] == [False, False]
    assert all(p.exitcode is not None for p in processes)

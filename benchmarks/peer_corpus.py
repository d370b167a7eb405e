"""The peer corpus through ``jrc ingest``: wall time and peak memory.

``.venv/bin/python benchmarks/peer_corpus.py [CORPUS] [--jobs N] [--repeats R]``

Copies the 758 files of ``../shared/peer-corpus/files`` (or CORPUS) into year folders of a
temporary raw folder, as ``tests/test_peer_corpus.py`` does, runs ``jrc ingest`` on them R times
(default 3) as a subprocess and prints, per run, the wall time, the CPU time of the ingest and
its workers, and the peak resident memory of the largest of them (``ru_maxrss`` of the waited-for
children, in MB); then the median wall time and the largest peak. ``--jobs`` sets ``JRC_JOBS``
(default: the ingest's own choice, every CPU from 50 files on).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from test_peer_corpus import copy_into_years, find_corpus, jrc_command  # noqa: E402


def children_usage() -> tuple[float, float]:
    """CPU seconds (user + system) of the waited-for children so far, and their peak MB."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = args.corpus or find_corpus()
    if corpus is None or not corpus.is_dir():
        print("peer corpus not found (../shared/peer-corpus/files)", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if k != "JRC_JOBS"}
    if args.jobs:
        env["JRC_JOBS"] = str(args.jobs)
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp, "raw")
        names = copy_into_years(sorted(p for p in corpus.rglob("*") if p.is_file()), raw, corpus)
        mib = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 2**20
        print(f"{len(names)} files, {mib:.1f} MiB, JRC_JOBS={env.get('JRC_JOBS', '(default)')}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        for run in range(1, args.repeats + 1):
            cpu_before, _ = children_usage()
            start = time.perf_counter()
            command = [*jrc_command(), "ingest", str(raw), "-o", str(Path(tmp, "out"))]
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  encoding="utf-8")
            wall = time.perf_counter() - start
            cpu_after, peak = children_usage()
            walls.append(wall)
            print(f"run {run}: exit {done.returncode}, wall {wall:.1f} s, CPU "
                  f"{cpu_after - cpu_before:.1f} s, peak {peak:.0f} MB (largest process so far)")
    _, peak = children_usage()
    print(f"median wall {statistics.median(walls):.1f} s over {len(walls)} runs, peak {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

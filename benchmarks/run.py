"""Benchmarks at scale (issue 7): ``python benchmarks/run.py [--quick] [--sizes 12,120] [--repeats 3]``.

Side by side in one run, medians of repeated runs, every run in a fresh process
(``benchmarks/measure.py``):

1. for each corpus size N (synthetic returns, ``benchmarks/corpus.py``): the full ingest
   (``load_returns`` + ``write_outputs``) against the openpyxl read loop and the raw calamine cell dump —
   seconds, files/s, peak memory; the ingest's tidy table is checked against the values the files
   were written with (the simple reference path);
2. ``load_returns(folder, jobs=1)`` against ``jobs=os.cpu_count()`` (the product's process pool over
   files); both must give identical values;
3. ``jrc briefing`` for one year end to end against executing every notebook with nbconvert, and
   the render time per figure (sample returns of ``data/raw``);
4. the nbval suite's wall time (skipped by ``--quick``; ``--nbval`` forces it).

Then a pyinstrument profile of the ingest on 120 files (``_work/profile_120.txt``). The table is
printed, and its last line is the summary. Results also go to ``benchmarks/_work/results.json``.
Everything generated lives in ``benchmarks/_work/`` (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import pandas as pd  # noqa: E402

import corpus  # noqa: E402
from corpus import WORK  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
FULL_SIZES = (12, 120, 1_200, 12_000)
QUICK_SIZES = (12, 120)
POOL_MAX = 1_200        # the pool comparison runs on the largest size up to this
ONE_RUN_FROM = 5_000    # sizes this large are run once (a run takes minutes)
PROFILE_SIZE = 120


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def uptime() -> str:
    """The load averages (``uptime``), for the record: the machine is shared."""
    with open("/proc/loadavg", encoding="ascii") as f:
        one, five, fifteen = f.read().split()[:3]
    return f"load average {one} {five} {fifteen} on {os.cpu_count()} CPUs"


def child(task: str, folder: Path, out: Path, env: dict | None = None) -> dict:
    """One measurement in a fresh process (``measure.py``); its JSON report."""
    if out.exists():
        shutil.rmtree(out)
    done = subprocess.run([PYTHON, str(HERE / "measure.py"), task, str(folder), str(out)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_command(command: list[str], env: dict) -> tuple[float, int, str]:
    """Wall time, exit code and the tail of the output of a command run from the project root."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode, (done.stdout + done.stderr)[-2000:]


def median(runs: list[dict], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


# --------------------------------------------------------------------------- 1. ingest at scale

def check_ingest(n: int, out: Path) -> str:
    """``ok`` when the ingest's tidy table equals the reference path exactly, else what differs."""
    got = corpus.normalised(pd.read_parquet(out / "returns.parquet"))
    want = corpus.expected_values(n)
    if got.equals(want):
        return "ok"
    both = got.merge(want, on=corpus.KEY, how="outer", suffixes=("_got", "_want"), indicator=True)
    missing = int((both["_merge"] == "right_only").sum())
    extra = int((both["_merge"] == "left_only").sum())
    wrong = int(((both["_merge"] == "both") & (both["value_got"] != both["value_want"])).sum())
    return f"DIFFERS (missing {missing}, extra {extra}, wrong value {wrong})"


def bench_size(n: int, repeats: int) -> dict:
    log(f"[{n} 个文件] 生成/复用合成报表 …")
    folder = corpus.build(n, log=log)
    runs = {"ingest": [], "ingest_serial": [], "openpyxl": [], "calamine": []}
    check = ""
    for r in range(repeats):
        for task in runs:  # interleaved, so that a burst of load hits every path alike
            out = WORK / "out" / f"{task}_{n}"
            runs[task].append(child(task, folder, out))
            if task == "ingest" and r == 0:
                check = check_ingest(n, out)
        log(f"  第 {r + 1}/{repeats} 轮：" + "，".join(f"{t} {runs[t][-1]['seconds']:.2f} 秒" for t in runs))
    ingest_s = median(runs["ingest"])
    return {
        "files": n, "repeats": repeats, "check": check, "workers": runs["ingest"][0]["workers"],
        "ingest_s": ingest_s, "serial_s": median(runs["ingest_serial"]),
        "openpyxl_s": median(runs["openpyxl"]), "calamine_s": median(runs["calamine"]),
        "files_per_s": n / ingest_s,
        "peak_mb": max(r["peak_mb"] for r in runs["ingest"]),
        "workers_peak_mb": max(r["workers_peak_mb"] for r in runs["ingest"]),
        "serial_peak_mb": max(r["peak_mb"] for r in runs["ingest_serial"]),
        "peak_above_imports_mb": max(r["peak_mb"] - r["rss_before_mb"] for r in runs["ingest_serial"]),
        "values": runs["ingest"][0]["values"],
        "cells": runs["calamine"][0]["cells"],
    }


# --------------------------------------------------------------------------- 2. one core vs all

def bench_pool(n: int, repeats: int) -> dict:
    folder = corpus.build(n, log=log)
    serial, pool = [], []
    for r in range(repeats):
        serial.append(child("serial_read", folder, WORK / "out" / "serial"))
        pool.append(child("pool_read", folder, WORK / "out" / "pool"))
        log(f"  [{n} 个文件] 单进程 {serial[-1]['seconds']:.2f} 秒，进程池 {pool[-1]['seconds']:.2f} 秒")
    same = len({r["digest"] for r in serial + pool}) == 1
    return {"files": n, "repeats": repeats, "serial_s": median(serial), "pool_s": median(pool),
            "workers": pool[0]["workers"], "identical": same}


# --------------------------------------------------------------------------- 3. briefing, notebooks

def sample_raw() -> Path:
    """A private copy of the sample returns (``data/raw``; generated when missing)."""
    target = WORK / "briefing" / "raw"
    if target.exists():
        shutil.rmtree(target)
    source = ROOT / "data" / "raw"
    if any(source.rglob("*.xlsx")):
        shutil.copytree(source, target)
    else:
        from jrc_analysis.returns.samples import generate_samples

        generate_samples(target)
    return target


def notebook_env(data_root: Path) -> dict:
    """The environment for notebooks: a private, empty data root (a cold cache every run)."""
    processed = data_root / "processed"
    if processed.exists():
        shutil.rmtree(processed)
    processed.mkdir(parents=True)
    env = dict(os.environ, JRC_DATA_ROOT=str(data_root), JRC_FIGURES_ROOT=str(data_root / "figures"),
               PYTHONHASHSEED="0", MPLBACKEND="Agg")
    return env


def bench_briefing(repeats: int) -> dict:
    raw = sample_raw()
    data_root = raw.parent
    briefing = [child("briefing", raw, WORK / "out" / "briefing") for _ in range(repeats)]
    log("  通报：" + "，".join(f"{r['seconds']:.1f}" for r in briefing) + " 秒")
    render = child("render", raw, WORK / "out" / "render")
    notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))
    nbconvert = []
    for _ in range(repeats):
        out = WORK / "out" / "nbconvert"
        if out.exists():
            shutil.rmtree(out)
        seconds, code, tail = timed_command(
            [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output-dir", str(out),
             *notebooks], notebook_env(data_root))
        nbconvert.append({"seconds": seconds, "exit_code": code, "tail": tail})
        log(f"  nbconvert：{seconds:.1f} 秒（退出码 {code}）")
    per_figure = sorted(render["per_figure"].values())
    return {"briefing_s": median(briefing), "briefing_exit": briefing[0]["exit_code"],
            "figures": briefing[0]["figures"], "nbconvert_s": median(nbconvert),
            "nbconvert_exit": nbconvert[0]["exit_code"], "notebooks": len(notebooks),
            "nbconvert_tail": nbconvert[0]["tail"] if nbconvert[0]["exit_code"] else "",
            "render_median_s": statistics.median(per_figure), "render_max_s": per_figure[-1],
            "render_total_s": sum(per_figure), "render_count": len(per_figure),
            "render_slowest": sorted(render["per_figure"].items(), key=lambda kv: -kv[1])[:5],
            "repeats": repeats}


def bench_nbval() -> dict:
    data_root = WORK / "briefing"
    if not (data_root / "raw").exists():
        sample_raw()
    seconds, code, tail = timed_command(
        [PYTHON, "-m", "pytest", "--nbval", "notebooks", "--nbval-sanitize-with", "notebooks/sanitize.cfg",
         "-p", "no:cacheprovider", "-q"], notebook_env(data_root))
    summary = [line for line in tail.splitlines() if " passed" in line or " failed" in line or " error" in line]
    return {"nbval_s": seconds, "nbval_exit": code, "nbval_summary": summary[-1] if summary else tail[-300:]}


# --------------------------------------------------------------------------- profile

def profile_ingest(n: int = PROFILE_SIZE) -> Path | None:
    """A pyinstrument profile of ``load_returns`` + ``write_outputs`` on ``n`` files (flat, self time,
    then the call tree), written to ``_work/profile_<n>.txt``; None when pyinstrument is missing."""
    try:
        from pyinstrument import Profiler
        from pyinstrument.renderers import ConsoleRenderer
    except ImportError:
        log("  未安装 pyinstrument，跳过剖析（.venv/bin/pip install pyinstrument）")
        return None
    from jrc_analysis.returns import ingest

    folder = corpus.build(n, log=log)
    profiler = Profiler(interval=0.001)
    profiler.start()
    result = ingest.load_returns(folder)
    ingest.write_outputs(result, WORK / "out" / "profile")
    profiler.stop()
    session = profiler.last_session
    flat = ConsoleRenderer(flat=True, flat_time="self", time="percent_of_total", show_all=False).render(session)
    total = ConsoleRenderer(flat=True, flat_time="total", time="percent_of_total").render(session)
    tree = ConsoleRenderer(time="percent_of_total", unicode=True).render(session)
    path = WORK / f"profile_{n}.txt"
    path.write_text("# self time\n" + flat + "\n# total time\n" + total + "\n# call tree\n" + tree,
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the table

def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def table_lines(sizes: list[dict], pool: dict | None, notes: dict | None, nbval: dict | None,
                load: tuple[str, str]) -> list[str]:
    lines = [f"机器：{load[0]}（开始）；{load[1]}（结束）。中位数，每次运行一个新进程。", ""]
    lines += ["入库 = load_returns + write_outputs，按产品默认的进程数（进程）；单进程 = jobs=1。",
              "峰值 MB：单进程运行的峰值（增量 = 减去导入后的内存）；默认运行的主进程 / 最大工作进程。"]
    head = (f"{'文件数':>7} {'轮':>2} {'进程':>3} {'入库 s':>8} {'单进程 s':>8} {'文件/s':>7} "
            f"{'峰值MB':>6} {'增量MB':>6} {'主/工作MB':>9} {'openpyxl s':>10} {'calamine s':>10} "
            f"{'快于openpyxl':>11} {'慢于calamine':>11} {'单进程慢于':>9}  核对")
    lines.append(head)
    for s in sizes:
        lines.append(
            f"{s['files']:>7,} {s['repeats']:>2} {s['workers']:>3} {s['ingest_s']:>8.2f} "
            f"{s['serial_s']:>8.2f} {s['files_per_s']:>7.0f} {s['serial_peak_mb']:>6.0f} "
            f"{s['peak_above_imports_mb']:>6.0f} {s['peak_mb']:>4.0f}/{s['workers_peak_mb']:<4.0f} "
            f"{s['openpyxl_s']:>10.2f} {s['calamine_s']:>10.3f} "
            f"{ratio(s['openpyxl_s'], s['ingest_s']):>10.1f}x {ratio(s['ingest_s'], s['calamine_s']):>10.1f}x "
            f"{ratio(s['serial_s'], s['calamine_s']):>8.1f}x  {s['check']}")
    if pool:
        lines += ["", f"load_returns × {pool['files']:,} 个文件：单进程 {pool['serial_s']:.2f} s，"
                      f"进程池（{pool['workers']} 进程）{pool['pool_s']:.2f} s，"
                      f"加速 {ratio(pool['serial_s'], pool['pool_s']):.2f}x；"
                      f"结果{'完全相同' if pool['identical'] else '不同！'}"]
    if notes:
        lines += ["",
                  f"jrc briefing（一年，{notes['figures']} 张图）：{notes['briefing_s']:.1f} s（退出码 "
                  f"{notes['briefing_exit']}）；nbconvert 执行 {notes['notebooks']} 个笔记本："
                  f"{notes['nbconvert_s']:.1f} s（退出码 {notes['nbconvert_exit']}）；"
                  f"快 {ratio(notes['nbconvert_s'], notes['briefing_s']):.1f}x",
                  f"每张图渲染（PNG+SVG）：中位数 {notes['render_median_s']:.2f} s，最长 "
                  f"{notes['render_max_s']:.2f} s，{notes['render_count']} 张合计 {notes['render_total_s']:.1f} s"]
    if nbval:
        lines.append(f"nbval 全套：{nbval['nbval_s']:.1f} s（退出码 {nbval['nbval_exit']}；{nbval['nbval_summary']}）")
    return lines


def summary_line(sizes: list[dict], pool: dict | None, notes: dict | None, nbval: dict | None) -> str:
    big = sizes[-1]
    parts = [f"ingest_vs_openpyxl={ratio(big['openpyxl_s'], big['ingest_s']):.1f}x",
             f"ingest_vs_calamine_dump={ratio(big['ingest_s'], big['calamine_s']):.1f}x",
             f"one_process_vs_calamine_dump={ratio(big['serial_s'], big['calamine_s']):.1f}x",
             f"files_per_s={big['files_per_s']:.0f}", f"at_files={big['files']}"]
    if pool:
        parts.append(f"all_cores_vs_one={ratio(pool['serial_s'], pool['pool_s']):.2f}x")
    small = sizes[0]
    parts.append(f"peak_mb={small['serial_peak_mb']:.0f}@{small['files']}..{big['serial_peak_mb']:.0f}@{big['files']}")
    if notes:
        parts.append(f"briefing_vs_nbconvert={ratio(notes['nbconvert_s'], notes['briefing_s']):.1f}x")
    if nbval:
        parts.append(f"nbval_s={nbval['nbval_s']:.0f}")
    return " ".join(parts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="jrc_analysis 性能基准（见 benchmarks/README.md）")
    parser.add_argument("--quick", action="store_true", help="短跑：12 和 120 个文件，不跑 nbval")
    parser.add_argument("--sizes", help="文件数，逗号分隔（默认 12,120,1200,12000）")
    parser.add_argument("--repeats", type=int, default=3, help="每项重复次数（取中位数，默认 3）")
    parser.add_argument("--slow-repeats", type=int, default=2,
                        help="通报和 nbconvert 的重复次数（每次一两分钟，默认 2；--quick 为 1）")
    parser.add_argument("--no-notebooks", action="store_true", help="不比较通报与笔记本、不跑 nbval")
    parser.add_argument("--nbval", action="store_true", help="--quick 时也跑 nbval")
    parser.add_argument("--no-profile", action="store_true", help="不做 pyinstrument 剖析")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = ([int(s.replace(",", "").replace("_", "")) for s in args.sizes.split(",")] if args.sizes
             else list(QUICK_SIZES if args.quick else FULL_SIZES))
    WORK.mkdir(parents=True, exist_ok=True)
    started_load = uptime()
    log(f"开始：{started_load}")
    results, pool, notes, nbval = [], None, None, None

    def save_partial() -> None:  # a long run that breaks off still leaves what it measured
        (WORK / "partial.json").write_text(json.dumps(
            {"sizes": results, "pool": pool, "briefing": notes, "nbval": nbval},
            ensure_ascii=False, indent=1, default=str), encoding="utf-8")

    for n in sorted(sizes):
        results.append(bench_size(n, 1 if n >= ONE_RUN_FROM else args.repeats))
        save_partial()
    pool_n = max((n for n in sizes if n <= POOL_MAX), default=None)
    pool = bench_pool(pool_n, args.repeats) if pool_n else None
    save_partial()
    if not args.no_notebooks:
        log("通报与笔记本 …")
        notes = bench_briefing(1 if args.quick else args.slow_repeats)
        save_partial()
        if args.nbval or not args.quick:
            log("nbval …")
            nbval = bench_nbval()
            save_partial()
    profile = None if args.no_profile else profile_ingest()
    lines = table_lines(results, pool, notes, nbval, (started_load, uptime()))
    if profile:
        lines += [f"剖析（pyinstrument，{PROFILE_SIZE} 个文件）：{profile.relative_to(ROOT)}"]
    lines.append(summary_line(results, pool, notes, nbval))
    (WORK / "results.json").write_text(
        json.dumps({"sizes": results, "pool": pool, "briefing": notes, "nbval": nbval, "table": lines},
                   ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(s["check"] == "ok" for s in results) and (pool is None or pool["identical"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())

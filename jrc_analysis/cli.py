"""The ``jrc`` command line (``python -m jrc_analysis`` does the same).

Exit codes: 0 success, 1 the run found errors in the returns (good files are still written),
2 a usage error (bad arguments, a folder that does not exist, a bad ``data/mappings.csv`` — checked
before any return is read). No traceback reaches the user;
set ``JRC_DEBUG=1`` to see one.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jrc_analysis import config
from jrc_analysis.issues import UsageError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jrc",
        description="江西省红十字会深化改革创新三年行动方案（2022—2024年）统计分析工具",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("template", help="生成空白年度报表（下发各设区市）")
    p.add_argument("--year", type=int, required=True, help="报表年度，如 2024")
    p.add_argument("--prefecture", help="填报单位（如 南昌市、省本级）；省略则每个填报单位各一份")
    p.add_argument("-o", "--output", required=True, type=Path,
                   help="输出文件（指定 --prefecture 时）或文件夹")

    p = sub.add_parser("ingest", help="清洗 RAW_DIR 下的全部报表，写出整洁数据和问题清单")
    p.add_argument("raw_dir", type=Path)
    p.add_argument("-o", "--output", required=True, type=Path, help="输出文件夹")
    _mappings_option(p)
    p.add_argument("--jobs", type=int, default=None,
                   help="并行读取报表的进程数（默认：文件多时用全部 CPU——Linux 50 个起，"
                        "Windows/macOS 500 个起；否则 1）")

    p = sub.add_parser("check", help="只检查报表、不写出数据（可选：每个设区市一份反馈表）")
    p.add_argument("raw_dir", type=Path)
    p.add_argument("--feedback", type=Path, default=None,
                   help="把每个填报单位的问题清单写成反馈工作簿，放在这个文件夹")
    p.add_argument("--suggest", type=Path, default=None, metavar="CSV",
                   help="把无法识别的指标名称和县（市、区）连同候选写成对照建议表"
                        "（如 data/mappings_suggested.csv），核对后复制到 data/mappings.csv")
    _mappings_option(p)
    p.add_argument("--jobs", type=int, default=None,
                   help="并行读取报表的进程数（默认：文件多时用全部 CPU——Linux 50 个起，"
                        "Windows/macOS 500 个起；否则 1）")

    p = sub.add_parser("briefing", help="主任务：清洗 data/raw，重新生成年度通报的全部图表")
    p.add_argument("--year", type=int, default=None, help="通报年度（默认：有报表的最近一年）")
    return parser


def _mappings_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mappings", type=Path, default=None, metavar="CSV",
                   help="名称对照表（默认 data/mappings.csv；不存在则不用）")


def _mappings(path: Path | None):
    """The validated mappings (before any return is read); a bad file is a usage error."""
    from jrc_analysis.returns.mappings import MappingsError, load_mappings

    if path is not None and not path.is_file():
        raise UsageError(f"找不到名称对照表：{path}（请检查路径是否正确）")
    try:
        return load_mappings(path)
    except MappingsError as exc:
        raise UsageError(str(exc)) from None


def _jobs(jobs: int | None) -> int | None:
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs 应为不小于 1 的整数，收到 {jobs}")
    return jobs


def _existing_dir(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(f"找不到文件夹：{path}（请检查路径是否正确）")
    return path


def _run(args: argparse.Namespace) -> int:
    if args.command == "template":
        from jrc_analysis.returns.template import write_templates

        written = write_templates(args.year, args.output, prefecture=args.prefecture)
        for path in written:
            print(f"已生成：{path}")
        return 0
    if args.command == "ingest":
        raw_dir = _existing_dir(args.raw_dir)
        from jrc_analysis.returns.ingest import run_ingest

        return run_ingest(raw_dir, args.output, jobs=_jobs(args.jobs), mappings=_mappings(args.mappings))
    if args.command == "check":
        raw_dir = _existing_dir(args.raw_dir)
        from jrc_analysis.returns.ingest import run_check

        return run_check(raw_dir, feedback_dir=args.feedback, jobs=_jobs(args.jobs),
                         suggest=args.suggest, mappings=_mappings(args.mappings))
    if args.command == "briefing":
        from jrc_analysis.report.briefing import run_briefing

        _mappings(None)  # data/mappings.csv checked before any return is read

        return run_briefing(year=args.year, raw_dir=config.raw_dir())
    raise UsageError(f"未知命令：{args.command}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jrc`` console script; returns the exit code."""
    args = _parser().parse_args(argv)  # argparse exits with 2 on a usage error
    try:
        return _run(args)
    except UsageError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。已写出的文件保持上一次的完整版本。", file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: no traceback reaches a user
        if os.environ.get("JRC_DEBUG"):
            raise
        print(f"运行失败：{type(exc).__name__}: {exc}\n（设置环境变量 JRC_DEBUG=1 可查看详细信息）",
              file=sys.stderr)
        return 1

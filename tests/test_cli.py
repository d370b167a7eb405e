"""The command line: usage errors exit 2 with a Chinese message and no traceback."""
import subprocess
import sys

import pytest

from jrc_analysis.cli import main


def test_missing_raw_folder_is_a_usage_error(tmp_path, capsys):
    code = main(["ingest", str(tmp_path / "不存在"), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "找不到文件夹" in err
    assert "Traceback" not in err


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2


def test_python_dash_m_runs_the_same_cli():
    done = subprocess.run([sys.executable, "-m", "jrc_analysis", "--help"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0
    assert "template" in done.stdout and "briefing" in done.stdout


def test_jobs_below_one_is_a_usage_error(tmp_path, capsys):
    code = main(["check", str(tmp_path), "--jobs", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--jobs" in err

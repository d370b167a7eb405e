"""The notebooks as files and as reports: committed JSON free of per-machine metadata, the
JupyterLab save hook, the bundled CJK font winning over system fonts, the YEAR parameter checked
in the first cell (papermill exits non-zero), and the analyst's reports written elsewhere."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fixed_data import FIXED_DATA
from jrc_analysis.report import notebooks as nbfiles

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebooks_carry_no_per_machine_metadata(path):
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert nb.metadata == {"kernelspec": nbfiles.KERNELSPEC, "language_info": {"name": "python"}}
    assert all(set(cell.metadata) <= {"tags"} for cell in nb.cells)
    # written exactly as normalise + nbformat write them: a save in JupyterLab changes no byte
    assert nbfiles.notebook_text(nbfiles.normalise(copy.deepcopy(nb))) == text


def lab_saved_model() -> dict:
    """A notebook as JupyterLab hands it to the contents manager after opening and running it."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("YEAR = None")])
    nb.metadata.update({
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "name": "python",
                          "version": "3.11.2", "file_extension": ".py"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    nb.cells[0].metadata.update({"tags": ["parameters"], "execution": {"iopub.execute_input": "2026-12-04"},
                                 "scrolled": True})
    return {"type": "notebook", "format": "json", "content": nb}


def test_the_save_hook_normalises_what_jupyterlab_saves():
    model = lab_saved_model()
    nbfiles.pre_save_hook(model=model, path="notebooks/x.ipynb", contents_manager=None)
    content = model["content"]
    assert content.metadata == {"kernelspec": nbfiles.KERNELSPEC, "language_info": {"name": "python"}}
    assert content.cells[0].metadata == {"tags": ["parameters"]}
    other = {"type": "file", "content": "text"}
    nbfiles.pre_save_hook(model=other)
    assert other == {"type": "file", "content": "text"}


def test_chunks_of_one_stream_are_merged_and_other_outputs_kept_in_order():
    stream = nbformat.v4.new_output
    outputs = [stream("stream", name="stdout", text="通报年度：2024年"), stream("stream", name="stdout", text="\n"),
               stream("display_data", data={"image/png": "iVBOR"}),
               stream("stream", name="stdout", text="第二句\n"), stream("stream", name="stderr", text="警告\n")]
    merged = nbfiles.merged_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "通报年度：2024年\n"), ("display_data", None, None),
        ("stream", "stdout", "第二句\n"), ("stream", "stderr", "警告\n")]


def test_make_lab_loads_the_config_that_registers_the_hook():
    from traitlets.config import Config
    from traitlets.utils.importstring import import_item

    config = Config()
    exec((PROJECT / "jupyter_server_config.py").read_text(encoding="utf-8"),
         {"get_config": lambda: config})
    hook = import_item(config.FileContentsManager.pre_save_hook)
    assert hook is nbfiles.pre_save_hook
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    assert "--config=$(CURDIR)/jupyter_server_config.py" in makefile and "jupyter lab" in makefile


# --------------------------------------------------------------------------- the font


def test_the_bundled_font_wins_over_a_system_font_of_the_same_family():
    from matplotlib import font_manager

    from jrc_analysis.report.charts import style

    manager = font_manager.fontManager
    saved = list(manager.ttflist)
    bundled = style.cjk_font_path()
    impostor = next(f for f in manager.ttflist if f.fname == str(bundled))
    other_file = font_manager.findfont("DejaVu Sans")
    try:
        # a system copy of "Noto Sans CJK SC" listed before the bundled one (as fonts-noto-cjk is)
        manager.ttflist.insert(0, font_manager.FontEntry(fname=other_file, name=impostor.name,
                                                         style=impostor.style, weight=impostor.weight,
                                                         stretch=impostor.stretch,
                                                         variant=impostor.variant, size=impostor.size))
        manager._findfont_cached.cache_clear()
        style.cjk_font_path.cache_clear()
        style.cjk_font.cache_clear()
        assert style.cjk_font_path() == bundled
        found = font_manager.findfont(font_manager.FontProperties(family=style.cjk_font()))
        assert found == str(bundled)
    finally:
        manager.ttflist = saved
        manager._findfont_cached.cache_clear()


TWO_LINE_NOTE = """
import hashlib, sys
from matplotlib.figure import Figure
from jrc_analysis.report.charts import style
with style.house_style():
    fig = Figure(figsize=(7.2, 1))
    fig.text(0.01, 0.5, "目标：《江西省红十字会深化改革创新三年行动方案（2022—2024年）》。\\n非官方统计。", fontsize=8)
sys.stdout.write(hashlib.sha256(style.figure_bytes(fig, "png", 100)).hexdigest())
"""


def locale_available(name: str) -> bool:
    import locale

    before = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, name)
    except locale.Error:
        return False
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    return True


@pytest.mark.skipif(not locale_available("zh_CN.UTF-8"), reason="locale zh_CN.UTF-8 not generated")
def test_chart_pixels_do_not_depend_on_the_locale():
    def png_hash(lang: str) -> str:
        env = dict(os.environ, LANG=lang, LC_ALL=lang)
        return subprocess.run([sys.executable, "-c", TWO_LINE_NOTE], env=env, capture_output=True,
                              text=True, check=True, timeout=120).stdout
    assert png_hash("zh_CN.UTF-8") == png_hash("C.UTF-8")


# --------------------------------------------------------------------------- YEAR and papermill


@pytest.fixture(scope="module")
def first_cells(tmp_path_factory) -> Path:
    """A notebook made of the committed notebooks' first cells (title, parameters, setup)."""
    source = nbformat.read(PROJECT / "notebooks" / "00-data-quality.ipynb", as_version=4)
    nb = nbformat.v4.new_notebook(cells=[copy.deepcopy(c) for c in source.cells[:3]])
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    folder = tmp_path_factory.mktemp("nb")
    path = folder / "00-first-cells.ipynb"
    nbformat.write(nbfiles.normalise(nb), path)
    return path


def papermill(notebook: Path, out: Path, *args: str, data_root: Path = FIXED_DATA):
    env = dict(os.environ, JRC_DATA_ROOT=str(data_root))
    return subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(out), *args,
                           "--cwd", str(notebook.parent), "--no-progress-bar"],
                          capture_output=True, text=True, env=env, timeout=300)


def setup_output(executed: Path) -> str:
    nb = nbformat.read(executed, as_version=4)
    cell = [c for c in nb.cells if c.cell_type == "code"][-1]
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", "") + "".join(output.get("traceback", [])))
    return "".join(parts)


@pytest.mark.parametrize("args, message", [
    (["-p", "YEAR", "abc"], "收到的是 'abc'；有报表的年度：2022、2023、2024。"),
    (["-r", "YEAR", "2023"], "收到的是 '2023'；有报表的年度：2022、2023、2024。"),
    (["-p", "YEAR", "2030"], "2030年没有报表数据；有报表的年度：2022、2023、2024。"),
], ids=["abc", "string 2023", "2030"])
def test_a_bad_year_stops_the_first_cell_and_papermill_exits_non_zero(first_cells, tmp_path,
                                                                      args, message):
    out = tmp_path / "out.ipynb"
    done = papermill(first_cells, out, *args)
    assert done.returncode != 0
    shown = setup_output(out)
    assert message in shown
    assert "Traceback" not in shown and "通报年度：" not in shown


def test_an_empty_raw_folder_stops_the_first_cell_with_its_full_path(first_cells, tmp_path):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    out = tmp_path / "out.ipynb"
    done = papermill(first_cells, out, "-p", "YEAR", "2023", data_root=tmp_path / "data")
    assert done.returncode != 0
    assert f"报表文件夹 {(tmp_path / 'data' / 'raw').resolve()} 中没有任何报表数据" in setup_output(out)


def test_reports_are_executed_copies_with_html_without_code(first_cells, tmp_path):
    before = first_cells.read_bytes()
    code = nbfiles.run_reports(2023, out_root=tmp_path / "reports", notebooks_dir=first_cells.parent)
    assert code == 0
    assert first_cells.read_bytes() == before  # the notebook itself is never written
    executed = tmp_path / "reports" / "2023" / first_cells.name
    html = (tmp_path / "reports" / "2023" / f"{first_cells.stem}.html").read_text(encoding="utf-8")
    assert "通报年度：2023年；有数据的年度：2022、2023、2024年" in setup_output(executed)
    assert "通报年度：2023年" in html and "analyse(YEAR)" not in html
    assert nbformat.read(executed, as_version=4).metadata["language_info"] == {"name": "python"}


def test_reports_for_a_bad_year_write_nothing_and_say_why(tmp_path, capsys, first_cells):
    assert nbfiles.run_reports(2030, out_root=tmp_path / "reports",
                               notebooks_dir=first_cells.parent) == 2
    assert "2030年没有报表数据" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
    assert nbfiles.year_argument("abc") == "abc" and nbfiles.year_argument("2024") == 2024
    assert nbfiles.year_argument("") is None

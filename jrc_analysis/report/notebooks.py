"""The analysts' notebooks as files: JSON free of per-machine metadata, and executed copies for the
analyst (``make reports``).

- :func:`normalise` keeps a notebook's metadata to what every machine agrees on (the kernel
  ``python3`` and the language name; cell tags) — no interpreter version, no timings, no
  papermill or JupyterLab state. :func:`pre_save_hook` applies it whenever JupyterLab saves a
  notebook (``make lab`` loads ``jupyter_server_config.py``, which registers it), so opening and
  saving a committed notebook leaves ``git diff`` empty; ``make notebooks`` writes them normalised.
- :func:`run_reports` (``make reports YEAR=2024``, ``python -m jrc_analysis.report.notebooks
  2024``) executes every notebook with papermill on the analyst's data (``data/raw``, or
  ``JRC_DATA_ROOT``) into ``reports/<Y>/NN-….ipynb`` and ``reports/<Y>/NN-….html`` (the HTML
  without code cells), never touching the committed notebooks in ``notebooks/``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from jrc_analysis import config
from jrc_analysis.fileio import write_text_atomic

NOTEBOOKS_DIR = config.PROJECT_ROOT / "notebooks"
REPORTS_DIR = config.PROJECT_ROOT / "reports"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
CELL_METADATA_KEPT = ("tags",)
TIMEOUT = 600


def normalise(nb: dict) -> dict:
    """``nb`` (a notebook as a dict / NotebookNode) with machine-independent metadata, in place and
    returned: notebook metadata = the kernel spec and language name only; cell metadata = tags
    only (nbval and papermill read them); consecutive chunks of one output stream merged
    (:func:`merged_streams`); outputs otherwise untouched."""
    nb["metadata"] = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    for cell in nb.get("cells", []):
        kept = {k: cell["metadata"][k] for k in CELL_METADATA_KEPT if k in cell.get("metadata", {})}
        cell["metadata"] = kept
        if "outputs" in cell:
            cell["outputs"] = merged_streams(cell["outputs"])
    return nb


def merged_streams(outputs: list) -> list:
    """``outputs`` with consecutive stream outputs of the same name (stdout, stderr) joined into
    one: the kernel sends a long ``print`` in chunks whose cut depends on timing, so the same
    text arrives as one output on one run and two on the next (nbval joins them too)."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = _text(previous["text"]) + _text(output["text"])
            continue
        merged.append(output)
    return merged


def _text(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def pre_save_hook(model: dict, **kwargs) -> None:
    """jupyter_server's ``pre_save_hook``: :func:`normalise` every notebook JupyterLab saves."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        normalise(model["content"])


def notebook_text(nb) -> str:
    """The notebook as the files are written (nbformat's JSON, one trailing newline)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks (``00-….ipynb`` …), in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


def report_year(year) -> int:
    """The year of the reports: ``year`` checked against the analyst's returns (the latest year
    with returns when None); :class:`~jrc_analysis.analysis.analysis.AnalysisError` otherwise."""
    from jrc_analysis.analysis.analysis import analyse

    return analyse(year).year


def html_without_code(nb) -> str:
    """The executed notebook as one HTML page without its code cells (nbconvert)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def run_report(source: Path, year: int, out_dir: Path) -> list[Path]:
    """Execute ``source`` with ``YEAR = year`` (papermill) into ``out_dir``: the ``.ipynb`` and
    its ``.html``; the paths. Raises papermill's error when a cell fails."""
    import nbformat
    import papermill

    executed = papermill.execute_notebook(
        str(source), None, parameters={"YEAR": year}, cwd=str(source.parent),
        kernel_name="python3", progress_bar=False, log_output=False,
        execution_timeout=TIMEOUT)
    nb = normalise(nbformat.from_dict(executed))
    notebook = out_dir / source.name
    page = out_dir / f"{source.stem}.html"
    write_text_atomic(notebook, notebook_text(nb))
    write_text_atomic(page, html_without_code(nb))
    return [notebook, page]


def run_reports(year=None, out_root: Path = REPORTS_DIR,
                notebooks_dir: Path = NOTEBOOKS_DIR) -> int:
    """``make reports``: every notebook executed for ``year`` (default: the latest year with
    returns) into ``out_root/<Y>/``. Returns 0, 1 when a notebook failed (the others are still
    written), 2 when the year or the raw folder is wrong (one Chinese sentence on stderr)."""
    from jrc_analysis.analysis.analysis import AnalysisError

    try:
        chosen = report_year(year)
    except AnalysisError as problem:
        print(f"无法生成报告：{problem}", file=sys.stderr)
        return 2
    out_dir = Path(out_root) / str(chosen)
    failed = []
    for source in notebook_paths(notebooks_dir):
        try:
            written = run_report(source, chosen, out_dir)
        except Exception as problem:  # noqa: BLE001 - one failed notebook never stops the others
            failed.append(source.name)
            first = str(problem).strip().splitlines()[-1] if str(problem).strip() else type(problem).__name__
            print(f"{source.name} 运行失败：{first}", file=sys.stderr)
            continue
        print("已写出：" + "、".join(p.relative_to(out_root.parent).as_posix()
                                   if p.is_relative_to(out_root.parent) else p.as_posix()
                                   for p in written))
    return 1 if failed else 0


def year_argument(text: str | None):
    """The command line's year: None for empty, an int for digits, else the text as given (so
    that :func:`report_year` names it in its message)."""
    if text is None or not text.strip():
        return None
    return int(text) if text.strip().isdigit() else text


def main(argv: list[str] | None = None) -> int:
    """``python -m jrc_analysis.report.notebooks [YEAR]``."""
    argv = sys.argv[1:] if argv is None else argv
    return run_reports(year_argument(argv[0] if argv else None))


if __name__ == "__main__":
    sys.exit(main())

# JupyterLab for this project (`make lab` loads this file): every notebook is saved with its
# metadata normalised (kernel python3, no interpreter version, timings or widget state), so that
# opening and saving a committed notebook leaves `git diff` empty. See jrc_analysis/report/notebooks.py.
c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.FileContentsManager.pre_save_hook = "jrc_analysis.report.notebooks.pre_save_hook"

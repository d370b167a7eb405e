"""What the notebooks show: figures of the chart plan, figures displayed as the house PNG, rich
tables whose text form (what nbval compares) is the aligned text and whose HTML is deterministic."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.figure import Figure

from jrc_analysis.analysis.analysis import ChartSpec
from jrc_analysis.analysis.explore import text_table
from jrc_analysis.report import views


def small_figure() -> Figure:
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    return fig


def test_show_stores_only_a_png(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    views.show(small_figure())
    (obj, raw), = shown
    assert raw is True and list(obj) == ["image/png"]  # no text/plain "<Figure size …>"
    assert obj["image/png"].startswith(b"\x89PNG\r\n\x1a\n")


def test_a_figure_last_in_a_cell_displays_as_the_house_png(monkeypatch):
    import IPython
    from IPython.core.formatters import DisplayFormatter

    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert views.register_figure_display() is True
    fig = small_figure()
    data, _ = shell.display_formatter.format(fig)
    assert data["image/png"] == views.png(fig)
    assert b"Software" not in data["image/png"]  # no matplotlib version in the bytes


def test_outside_ipython_nothing_is_registered(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert views.register_figure_display() is False


def test_an_unknown_chart_kind_is_named(monkeypatch):
    with pytest.raises(ValueError, match="pie"):
        views.chart_figure(ChartSpec("x/y_pie", "pie", "first_aid.aed_new", "first_aid"),
                           SimpleNamespace(synthetic=True, flags=None))


def test_chart_figure_passes_on_whether_the_data_are_synthetic(monkeypatch):
    from jrc_analysis.report import charts

    seen = []
    monkeypatch.setattr(charts, "trend_chart",
                        lambda table, code, synthetic, flags: seen.append((synthetic, flags)))
    spec = ChartSpec("first_aid/aed_new_trend", "trend", "first_aid.aed_new", "first_aid")
    views.chart_figure(spec, SimpleNamespace(synthetic=False, province=None, flags="F"))
    views.chart_figure(spec, SimpleNamespace(synthetic=True, province=None, flags="F"))
    assert seen == [(False, "F"), (True, "F")]


FRAME = pd.DataFrame({"指标": ["发展会员", "<b>配置AED</b>"], "完成数": ["2.39万人", "—"],
                      "完成率": ["119.3%", None], "状态": ["达标", "未报送"]})


def test_a_table_prints_as_the_aligned_text_nbval_compares():
    shown = views.table(FRAME)
    assert repr(shown) == text_table(FRAME)
    assert repr(views.table(FRAME, "说明")) == "说明\n" + text_table(FRAME)


def test_a_table_renders_html_with_status_colours_aligned_numbers_and_no_ids():
    from jrc_analysis.report import charts

    html = views.table(FRAME)._repr_html_()
    assert html == views.table(FRAME)._repr_html_()  # the same text every time
    assert " id=" not in html and "uuid" not in html
    assert f"background:{charts.status_colour('达标')}" in html
    assert "&lt;b&gt;配置AED&lt;/b&gt;" in html and "<b>" not in html
    # numbers (also with units and %) right-aligned, text left-aligned, missing as —
    assert '<td style="padding:0.15em 0.6em;text-align:right;font-variant-numeric:tabular-nums">2.39万人</td>' in html
    assert '<td style="padding:0.15em 0.6em;text-align:left">发展会员</td>' in html
    assert html.count(">—<") == 2


def test_an_empty_table_says_so():
    assert views.table(FRAME.iloc[0:0])._repr_html_() == "<p>（无）</p>"
    assert repr(views.table(FRAME.iloc[0:0])) == "（无）"

"""What a notebook shows: the analysis's charts as figures, and tables rendered for reading.

- :func:`chart_figure` draws one chart of the plan (the same figure the briefing saves);
  :func:`indicator_figures` and :func:`area_figures` the charts of one indicator or area, in plan
  order — so a notebook shows exactly the charts the briefing draws.
- Figures display as a PNG when they are the last expression of a cell (or through
  :func:`show`): importing this module in IPython registers the house PNG (no metadata, the
  bundled font) for matplotlib Figures.
- :func:`table` wraps a display table so that JupyterLab renders it as HTML — aligned Chinese
  columns, numbers right-aligned, status cells coloured — while its ``text/plain`` form (what nbval
  compares) is the aligned text of :func:`jrc_analysis.analysis.explore.text_table`.
"""
from __future__ import annotations

from html import escape

import pandas as pd
from matplotlib.figure import Figure

from jrc_analysis.analysis.analysis import FUNDRAISING, MILESTONES, Analysis, ChartSpec, cumulative_years
from jrc_analysis.analysis.explore import text_table
from jrc_analysis.report import charts

PNG_DPI = 100  # notebooks store PNGs at this resolution (the briefing saves its own at 200)
STATUS_COLUMN = "状态"


# --------------------------------------------------------------------------- figures


def chart_figure(spec: ChartSpec, analysis: Analysis) -> Figure:
    """The Figure of one chart of the plan (from the library's chart functions); values that
    validation flagged are hatched (``analysis.flags``)."""
    synthetic, flags = analysis.synthetic, analysis.flags
    if spec.chart == "scorecard":
        years = sorted(set(analysis.province["year"].astype(int)))
        return charts.scorecard_chart(analysis.province, years=years, synthetic=synthetic,
                                      flags=flags)
    if spec.chart == "cumulative":
        return charts.cumulative_chart(analysis.province,
                                       years=cumulative_years(analysis.plan, analysis.year),
                                       synthetic=synthetic)
    if spec.chart == "heatmap":
        return charts.completion_heatmap(analysis.prefectures, analysis.year, synthetic=synthetic,
                                         flags=flags)
    if spec.chart == "tiles":
        return charts.tile_map(analysis.prefectures, spec.indicator, analysis.year,
                               synthetic=synthetic, flags=flags)
    if spec.chart == MILESTONES:
        return charts.milestone_table_chart(analysis.province, synthetic=synthetic)
    if spec.chart == FUNDRAISING:
        return charts.fundraising_chart(analysis.province, synthetic=synthetic, flags=flags)
    if spec.chart == "trend":
        return charts.trend_chart(analysis.province, spec.indicator, synthetic=synthetic,
                                  flags=flags)
    if spec.chart == "prefectures":
        return charts.prefecture_gap_chart(analysis.prefectures, spec.indicator, analysis.year,
                                           synthetic=synthetic, flags=flags)
    if spec.chart == "contribution":
        return charts.contribution_chart(analysis.prefectures, spec.indicator,
                                         province=analysis.province, synthetic=synthetic,
                                         flags=flags)
    if spec.chart == "coverage":
        return charts.coverage_chart(analysis.coverage, spec.indicator, synthetic=synthetic)
    raise ValueError(f"未知的图表类型“{spec.chart}”")


def indicator_figures(analysis: Analysis, indicator: str) -> list[Figure]:
    """The figures of the plan's charts about ``indicator``, in plan order."""
    return [chart_figure(spec, analysis) for spec in analysis.charts_for(indicator)]


def area_figures(analysis: Analysis, area: str) -> list[Figure]:
    """The figures of the plan's charts in ``area`` (``overview``: scorecard and cumulative)."""
    return [chart_figure(spec, analysis) for spec in analysis.area_charts(area)]


def show_charts(analysis: Analysis, specs) -> None:
    """Show each chart of ``specs`` with its caption above it (the sentence the page prints)."""
    from jrc_analysis.report.captions import chart_caption

    for spec in specs:
        print(chart_caption(spec, analysis))
        show(chart_figure(spec, analysis))


def png(fig: Figure) -> bytes:
    """The figure as the notebooks store it: house-style PNG at :data:`PNG_DPI`, no metadata."""
    return charts.figure_bytes(fig, "png", dpi=PNG_DPI)


def show(fig: Figure) -> None:
    """Show a figure in a notebook as a PNG only (no text repr is stored in the output)."""
    from IPython.display import display

    display({"image/png": png(fig)}, raw=True)


def register_figure_display() -> bool:
    """In IPython, display matplotlib Figures as :func:`png` (the last expression of a cell, or
    ``display(fig)``); True when registered, False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebooks' dependencies
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, png)
    return True


# --------------------------------------------------------------------------- tables


class Table:
    """A display table: HTML in JupyterLab (``_repr_html_``), aligned text elsewhere."""

    def __init__(self, frame: pd.DataFrame, caption: str = ""):
        self.frame = frame
        self.caption = caption

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.caption)

    def __repr__(self) -> str:
        text = text_table(self.frame)
        return f"{self.caption}\n{text}" if self.caption else text


def table(frame: pd.DataFrame, caption: str = "") -> Table:
    """``frame`` (numbers already formatted as text, Chinese headers) for display."""
    return Table(frame, caption)


def _is_numeric_text(value) -> bool:
    text = str(value).replace(",", "").replace("%", "").replace("万", "").replace("亿", "")
    text = text.rstrip("人个元台名场支项期家份例次")
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell_style(column: str, value) -> str:
    """Inline CSS of one cell: status cells in their colour, numbers right-aligned."""
    styles = ["padding:0.15em 0.6em"]
    if column == STATUS_COLUMN and isinstance(value, str) and value in charts.colours("status"):
        colour = charts.status_colour(value)
        from jrc_analysis.report.charts.style import text_colour_on

        styles.append(f"background:{colour};color:{text_colour_on(colour)}")
    if not isinstance(value, str) or _is_numeric_text(value):
        styles.append("text-align:right;font-variant-numeric:tabular-nums")
    else:
        styles.append("text-align:left")
    return ";".join(styles)


def table_html(frame: pd.DataFrame, caption: str = "") -> str:
    """The table as a small HTML table (no ids, no random names: the same text on every run)."""
    if frame.empty:
        return f"<p>{escape(caption)}（无）</p>" if caption else "<p>（无）</p>"
    show_index = not isinstance(frame.index, pd.RangeIndex)
    head = "".join(f'<th style="padding:0.15em 0.6em">{escape(str(c))}</th>' for c in
                   ([frame.index.name or ""] if show_index else []) + list(frame.columns))
    rows = []
    for label, row in frame.iterrows():
        cells = [f'<th style="text-align:left;padding:0.15em 0.6em">{escape(str(label))}</th>'] if show_index else []
        for column, value in row.items():
            text = "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else value
            cells.append(f'<td style="{cell_style(str(column), text)}">{escape(str(text))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption style=\"text-align:left\">{escape(caption)}</caption>" if caption else ""
    return (f'<table class="jrc-table" style="border-collapse:collapse;white-space:nowrap">{title}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


register_figure_display()

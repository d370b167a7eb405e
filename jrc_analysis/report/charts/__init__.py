"""The briefing's charts: house style, CJK font, units readers use, and one function per chart.

Typical use::

    from jrc_analysis.report import charts
    fig = charts.trend_chart(province, "first_aid.popular_trainees")
    charts.save_figure(fig, figures_dir / "2023" / "first_aid.popular_trainees")
"""
from jrc_analysis.report.charts.figures import (
    DEFAULT_ALLOCATION_NOTE,
    contribution_chart,
    coverage_rule,
    cumulative_chart,
    cumulative_table,
    headline_indicators,
    coverage_chart,
    MIN_ALLOCATED,
    prefecture_chart_indicators,
    prefecture_chart_meaningful,
    prefecture_gap_chart,
    reported_text,
    scorecard_chart,
    trend_chart,
    with_catalogue,
)
from jrc_analysis.report.charts.style import (
    CJKFontError,
    area_colour,
    cjk_font,
    cjk_font_path,
    colours,
    data_note,
    figure_bytes,
    house_rc,
    house_style,
    palette,
    save_figure,
    status_colour,
)
from jrc_analysis.report.charts.units import (
    display_unit,
    display_units,
    format_number,
    format_percent,
    format_target,
    format_value,
    with_display_units,
)

__all__ = [
    "CJKFontError", "DEFAULT_ALLOCATION_NOTE", "area_colour", "cjk_font", "cjk_font_path",
    "colours", "contribution_chart", "coverage_chart",
    "coverage_rule", "cumulative_chart",
    "cumulative_table", "data_note", "display_unit", "display_units", "figure_bytes",
    "format_number", "format_percent", "format_target", "format_value", "headline_indicators", "house_rc",
    "house_style", "MIN_ALLOCATED", "palette", "prefecture_chart_indicators",
    "prefecture_chart_meaningful", "prefecture_gap_chart", "reported_text", "save_figure",
    "scorecard_chart", "status_colour", "trend_chart", "with_catalogue",
    "with_display_units",
]

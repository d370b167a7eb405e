"""The briefing's charts: house style, CJK font, units readers use, and one function per chart.

Modules: ``style`` (font, rcParams, palette, saving; numbers and units come from
:mod:`jrc_analysis.units`), ``figures`` (trend, prefecture gaps, contribution, scorecard, cumulative, coverage),
``maps`` (completion heat-map and tile map), ``milestones`` (the ✓/✗ table) and ``fundraising``
(款物合计, 资金 and 款物比例).

Typical use::

    from jrc_analysis.report import charts
    fig = charts.trend_chart(province, "first_aid.popular_trainees")
    charts.save_figure(fig, figures_dir / "2023" / "first_aid.popular_trainees")
"""
from jrc_analysis.report.charts.figures import (
    DEFAULT_ALLOCATION_NOTE,
    PROGRESS,
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
    flag_lookup,
    flag_note,
    growth_text,
    pair_text,
    shown_statuses,
    total_label_anchor,
    with_catalogue,
    years_span,
)
from jrc_analysis.report.charts.fundraising import cash_share_table, fundraising_chart, plan_sentence
from jrc_analysis.report.charts.maps import (
    completion_class,
    completion_colour,
    completion_heatmap,
    completion_matrix,
    tile_map,
    tile_positions,
)
from jrc_analysis.report.charts.milestones import (
    milestone_indicators,
    milestone_table_chart,
    milestone_text,
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
    unit_colour,
)
from jrc_analysis.units import (
    display_unit,
    display_units,
    format_indicator_value,
    format_number,
    format_percent,
    format_target,
    format_value,
    indicator_display_unit,
    round_half_up,
    with_display_units,
)

__all__ = [
    "CJKFontError", "DEFAULT_ALLOCATION_NOTE", "area_colour", "cjk_font", "cjk_font_path",
    "colours", "contribution_chart", "coverage_chart",
    "coverage_rule", "cumulative_chart",
    "cumulative_table", "data_note", "display_unit", "display_units", "figure_bytes",
    "format_indicator_value", "format_number", "format_percent", "format_target", "format_value",
    "headline_indicators", "house_rc", "indicator_display_unit", "round_half_up",
    "house_style", "MIN_ALLOCATED", "palette", "prefecture_chart_indicators",
    "prefecture_chart_meaningful", "prefecture_gap_chart", "reported_text", "save_figure",
    "scorecard_chart", "status_colour", "trend_chart", "with_catalogue",
    "with_display_units",
    # issue 14
    "PROGRESS", "cash_share_table", "completion_class", "completion_colour", "completion_heatmap",
    "completion_matrix", "flag_lookup", "flag_note", "fundraising_chart", "growth_text",
    "milestone_indicators", "milestone_table_chart", "milestone_text",
    "pair_text", "plan_sentence", "shown_statuses", "tile_map",
    "tile_positions", "total_label_anchor", "unit_colour", "years_span",
]

"""The analysis wing: tidy values + the plan → gap tables, trends, the one :class:`Analysis` of a
year (tables cut at the year, the chart plan, the sentences) and the notebooks' tables."""
from jrc_analysis.analysis.analysis import Analysis, AnalysisError, ChartSpec, analyse

__all__ = ["Analysis", "AnalysisError", "ChartSpec", "analyse"]

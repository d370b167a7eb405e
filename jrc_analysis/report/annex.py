"""The briefing's tables (Chinese headers, readers' units) and the annex workbook.

The display tables (:func:`scorecard_table`, :func:`area_table`, :func:`ranking_table`,
:func:`coverage_sheet`, :func:`completeness_sheet`, :func:`issues_sheet`) are shared by the annex
(:func:`annex_bytes`) and the page (:mod:`jrc_analysis.report.report_html`). They hold raw numbers in each
indicator's display unit (``charts.with_display_units``: 万人, 亿元 …; fractions stay fractions)
and a hidden ``_fmt`` column saying how a row's values read: ``number``, ``percent`` (a fraction,
e.g. a ratio target) or ``yesno`` (1/0). Columns whose header starts with ``_`` are never shown.

:func:`annex_bytes` writes them with openpyxl: bold header row, frozen, column widths, number
formats, status cells in the charts' status colours. Text is always written as text (a cell
starting with = + - @ never becomes a formula) and the bytes are deterministic (fixed document
properties and zip timestamps).
"""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import numpy as np
import pandas as pd

from jrc_analysis.plan import catalog

from jrc_analysis.report import charts

from jrc_analysis.analysis import gaps
from jrc_analysis.report.charts.style import text_colour_on
from jrc_analysis.safe_text import looks_like_formula, sheet_text
from jrc_analysis.fileio import deterministic_zip

FMT = "_fmt"
NUMBER, PERCENT, YESNO = "number", "percent", "yesno"
FIXED_TIME = datetime(2022, 1, 1)
HEADER_FILL = "F2F2F2"
STATUS_HEADER = "状态"
VALUE_HEADERS = ("目标", "完成数", "分解目标", "比上年增减", "累计完成", "累计目标")
PERCENT_HEADERS = ("完成率（%）", "占全省（%）", "比上年增长（%）", "覆盖率（%）", "累计完成率（%）")
INTEGER_HEADERS = ("年度", "完成率排名", "总量排名", "达到要求的单位数", "应达到的单位数",
                   "已填指标数", "应填指标数", "空白指标数")
MAX_WIDTH = 60
OVERVIEW_SHEET, RANKING_SHEET, COVERAGE_SHEET = "总览", "分市排名", "覆盖情况"
COMPLETENESS_SHEET, ISSUES_SHEET = "报送情况", "数据问题"


# --------------------------------------------------------------------------- display tables


def display_values(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a gap table with values in each indicator's display unit, ``display_unit`` and
    ``_fmt``: fractions (``actual_unit`` 比例) stay fractions (percent), 是/否 stay 1/0.

    The unit of an indicator is chosen by ``charts.display_unit`` over all its rows and value
    columns, as ``charts.with_display_units`` does (done here with one lookup per indicator:
    that function assigns group by group and is slow on whole gap tables)."""
    columns = [c for c in ("actual", "target", "target_upper", "gap", "yoy_change",
                           "cumulative_actual", "cumulative_target") if c in table.columns]
    out = table.copy()
    codes = out["indicator"].astype(str)
    units = out["actual_unit"].astype(str)
    scale = {}
    for code, rows in out.groupby(codes, sort=True):
        magnitude = pd.concat([pd.to_numeric(rows[c], errors="coerce") for c in columns])
        scale[code] = charts.display_unit(str(units[rows.index[0]]), magnitude)
    factor = codes.map({code: f for code, (_, f) in scale.items()}).astype(float)
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float) / factor
    out["display_unit"] = codes.map({code: shown for code, (shown, _) in scale.items()})
    fraction = units == gaps.FRACTION_LABEL
    yesno = units == "是/否"
    out[FMT] = np.select([fraction, yesno], [PERCENT, YESNO], default=NUMBER)
    out.loc[fraction, "display_unit"] = "%"
    return out


def target_note(row) -> str:
    """What the target means, in words: a band, a deadline, coverage, a ratio or growth rate."""
    notes = []
    kind = str(row["kind"])
    if kind == "range" and pd.notna(row["target_upper"]):
        notes.append(f"区间目标，上限{charts.format_number(row['target_upper'])}")
    if kind == "coverage":
        level = gaps.LEVEL_LABELS.get(str(row["level"]), "个单位")
        notes.append(f"覆盖目标：每{level[1:]}至少{charts.format_number(row['threshold'])}")
    if kind == "ratio":
        notes.append("比例目标")
    if kind == "growth":
        notes.append("增长率目标：新增÷（总数−新增）")
    if kind == "milestone":
        notes.append("里程碑：1 为已完成")
    due = row["due"]
    if pd.notna(due) and not bool(due):
        notes.append(f"{int(row['due_year'])}年底前达到，当年只看进展")
    if pd.isna(row["target"]):
        notes.append("无目标")
    return "；".join(notes)


def _area_names() -> dict[str, str]:
    areas = catalog.areas()
    return dict(zip(areas["area"].astype(str), areas["name"]))


def scorecard_table(province: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every indicator with a plan target, for ``year``: target, actual, completion, status
    (``province``: the output of :func:`display_values` on the province gap table)."""
    targeted = set(catalog.targets()["indicator"])
    rows = province[(province["year"] == year) & province["indicator"].astype(str).isin(targeted)]
    names = _area_names()
    return pd.DataFrame({
        "行动": rows["area"].astype(str).map(names),
        "指标名称": rows["name"], "指标代码": rows["indicator"].astype(str),
        "单位": rows["display_unit"], "目标": rows["target"], "完成数": rows["actual"],
        "完成率（%）": rows["completion"], STATUS_HEADER: rows["status"],
        "比上年增减": rows["yoy_change"], "报送单位": rows["reported"],
        "说明": [target_note(r) for _, r in rows.iterrows()], FMT: rows[FMT],
    }).reset_index(drop=True)


def area_table(province: pd.DataFrame, area: str) -> pd.DataFrame:
    """One action area: every indicator × year (targets or not), trend and cumulative figures
    (``province``: the output of :func:`display_values` on the province gap table)."""
    rows = province[province["area"].astype(str) == area]
    return pd.DataFrame({
        "指标名称": rows["name"], "指标代码": rows["indicator"].astype(str),
        "年度": rows["year"].astype(int), "单位": rows["display_unit"], "目标": rows["target"],
        "完成数": rows["actual"], "完成率（%）": rows["completion"], STATUS_HEADER: rows["status"],
        "比上年增减": rows["yoy_change"], "比上年增长（%）": rows["yoy_pct"],
        "累计完成": rows["cumulative_actual"], "累计目标": rows["cumulative_target"],
        "累计完成率（%）": rows["cumulative_completion"], "报送单位": rows["reported"],
        "说明": [target_note(r) for _, r in rows.iterrows()], FMT: rows[FMT],
    }).reset_index(drop=True)


def ranking_indicators(allocation: pd.DataFrame, year: int) -> list[str]:
    """Indicators ranked by prefecture: the allocated ones for ``year`` and the headline ones."""
    allocated = set(allocation.loc[allocation["year"].astype(int) == year, "indicator"].astype(str))
    wanted = allocated | set(charts.headline_indicators())
    return [code for code in catalog.indicators()["code"] if code in wanted]


def ranking_table(prefectures: pd.DataFrame, allocation: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each reporting unit's result for ``year`` on the ranked indicators, best completion first
    (then largest total); units that did not report last."""
    codes = ranking_indicators(allocation, year)
    rows = prefectures[(prefectures["year"] == year)
                       & prefectures["indicator"].astype(str).isin(codes)]
    rows = display_values(rows)
    order = {code: i for i, code in enumerate(codes)}
    unit_order = {u: i for i, u in enumerate(catalog.reporting_units())}
    rows = rows.assign(
        _ind=rows["indicator"].astype(str).map(order),
        _crank=rows["completion_rank"].astype("Float64").fillna(np.inf).astype(float),
        _rank=rows["rank"].astype("Float64").fillna(np.inf).astype(float),
        _unit=rows["prefecture"].astype(str).map(unit_order),
    ).sort_values(["_ind", "_crank", "_rank", "_unit"], kind="stable")
    return pd.DataFrame({
        "指标名称": rows["name"], "单位": rows["display_unit"],
        "填报单位": rows["prefecture"].astype(str), "完成数": rows["actual"],
        "分解目标": rows["target"], "完成率（%）": rows["completion"],
        "完成率排名": rows["completion_rank"], "占全省（%）": rows["share"],
        "总量排名": rows["rank"], STATUS_HEADER: rows["status"],
        "目标依据": rows["target_basis"].fillna("").astype(str), FMT: rows[FMT],
    }).reset_index(drop=True)


def coverage_sheet(coverage: pd.DataFrame) -> pd.DataFrame:
    """Coverage targets year by year, with the units that do not meet them by name."""
    return pd.DataFrame({
        "指标名称": coverage["name"], "年度": coverage["year"].astype(int),
        "层级": coverage["level"].astype(str).map({"prefecture": "设区市", "county": "县（市、区）"}),
        "每单位至少": coverage["threshold"], "达到要求的单位数": coverage["units_meeting"],
        "应达到的单位数": coverage["units_expected"], "覆盖率（%）": coverage["share"],
        STATUS_HEADER: coverage["status"], "未达到的单位": coverage["missing_text"],
        FMT: NUMBER,
    }).reset_index(drop=True)


def completeness_sheet(completeness: pd.DataFrame) -> pd.DataFrame:
    """Which unit sent its return and which indicators it left blank."""
    return pd.DataFrame({
        "年度": completeness["year"].astype(int), "填报单位": completeness["prefecture"].astype(str),
        "是否报送": np.where(completeness["returned"], "已报送",
                         np.where(completeness.get("return_failed", False), gaps.RETURN_FAILED, "未报送")),
        "已填指标数": completeness["indicators_reported"],
        "应填指标数": completeness["indicators_expected"],
        "空白指标数": completeness["indicators_blank"], "空白指标": completeness["blank_text"],
        FMT: NUMBER,
    }).reset_index(drop=True)


def issues_sheet(issues: pd.DataFrame) -> pd.DataFrame:
    """The issue report in Chinese: year, severity, file, sheet, cell, message (newest year first)."""
    ordered = issues.assign(_year=issues["year"].astype("Float64").fillna(0).astype(float))
    ordered = ordered.sort_values("_year", ascending=False, kind="stable")
    return pd.DataFrame({
        "年度": ordered["year"], "严重程度": ordered["severity"].map({"error": "错误", "warning": "警告"}),
        "问题代码": ordered["code"], "文件": ordered["source_file"], "工作表": ordered["sheet"],
        "单元格": ordered["cell"], "问题说明": ordered["message"], FMT: NUMBER,
    }).reset_index(drop=True)


def annex_tables(tables) -> dict[str, pd.DataFrame]:
    """Sheet name → display table, in sheet order (``tables``: :class:`~jrc_analysis.analysis.analysis.Analysis`)."""
    province = display_values(tables.province)
    sheets = {OVERVIEW_SHEET: scorecard_table(province, tables.year)}
    for area, name in _area_names().items():
        sheets[name] = area_table(province, area)
    sheets[RANKING_SHEET] = ranking_table(tables.prefectures, tables.allocation, tables.year)
    sheets[COVERAGE_SHEET] = coverage_sheet(tables.coverage)
    sheets[COMPLETENESS_SHEET] = completeness_sheet(tables.completeness)
    sheets[ISSUES_SHEET] = issues_sheet(tables.issues)
    return sheets


def shown_columns(table: pd.DataFrame) -> list[str]:
    """The columns a reader sees (not the hidden ``_`` ones)."""
    return [c for c in table.columns if not str(c).startswith("_")]


# --------------------------------------------------------------------------- the workbook


def number_format(header: str, value: float, fmt: str) -> str:
    """The Excel number format of a value cell."""
    if header in PERCENT_HEADERS or (header in VALUE_HEADERS and fmt == PERCENT):
        return "0.0%"
    if header in VALUE_HEADERS and fmt == YESNO:
        return '"是";"是";"否"'
    if header in INTEGER_HEADERS or float(value).is_integer():
        return "#,##0"
    return "#,##0.00"


def _cell_value(value):
    """A plain Python value for openpyxl (None for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def text_width(text: str) -> float:
    """Width of ``text`` in Excel character units (a CJK character counts two)."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in str(text))


def write_text(cell, text: str) -> None:
    """Put ``text`` in ``cell`` as a string, never a formula (quote-prefixed if it looks like one)."""
    text = sheet_text(text)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


def write_sheet(ws, table: pd.DataFrame) -> None:
    """One display table: header row (bold, grey, frozen), formatted values, status colours,
    column widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = shown_columns(table)
    fmts = table[FMT].tolist() if FMT in table.columns else [NUMBER] * len(table)
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    fills = {s: PatternFill("solid", fgColor=charts.status_colour(s).lstrip("#"))
             for s in gaps.STATUSES}
    fonts = {s: Font(color=text_colour_on(charts.status_colour(s)).lstrip("#"))
             for s in gaps.STATUSES}
    widths = [text_width(c) for c in columns]
    for j, header in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j)
        write_text(cell, str(header))
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, (values, fmt) in enumerate(zip(table[columns].itertuples(index=False), fmts), start=2):
        for j, (header, raw) in enumerate(zip(columns, values), start=1):
            value = _cell_value(raw)
            if value is None:
                continue
            cell = ws.cell(row=i, column=j)
            if isinstance(value, str):
                write_text(cell, value)
                widths[j - 1] = max(widths[j - 1], text_width(value))
            else:
                cell.value = value
                cell.number_format = number_format(header, value, fmt)
                widths[j - 1] = max(widths[j - 1], 12)
            if header == STATUS_HEADER and value in fills:
                cell.fill, cell.font = fills[value], fonts[value]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = round(min(width + 2, MAX_WIDTH), 1)
    ws.freeze_panes = "A2"


def workbook_bytes(wb) -> bytes:
    """``wb`` saved to bytes with fixed document properties and zip timestamps (deterministic)."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = "jrc_analysis"
    wb.properties.lastModifiedBy = "jrc_analysis"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return deterministic_zip(raw.getvalue())


def annex_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """The annex workbook ``briefing_<Y>.xlsx`` as bytes, one sheet per display table
    (``sheets``: :func:`annex_tables`)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        write_sheet(wb.create_sheet(title=name), table)
    return workbook_bytes(wb)

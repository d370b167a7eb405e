"""The blank return the provincial office sends out every November (``jrc template``).

One workbook per reporting unit with three sheets, laid out as ``docs/architecture.md`` says:

- ``汇总表``: title, the 填报单位/填报人/联系电话/填报日期 lines, the 模板版本 cell, a header row
  (:data:`SUMMARY_HEADER_ROW`), then one row per indicator grouped by area (merged area cells), with the
  year's target for reference and an input column carrying data validation;
- ``县区明细`` (not for 省本级): the prefecture's counties × the county-sheet indicators, a 指标代码
  row under the header, a 市本级 row and a 合计 row (no formulas);
- ``说明``: filling instructions.

Labels are locked and only input cells are editable; the sheets are protected **without a password**
(审阅 → 撤销工作表保护 lifts it). Files are byte-deterministic: the document times and the zip entry
times are fixed (:func:`workbook_bytes`), so the same call always writes the same bytes.
"""
from __future__ import annotations

import io
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from jrc_analysis.plan import catalog
from jrc_analysis.config import TEMPLATE_VERSION  # noqa: F401 - re-exported: the template's version
from jrc_analysis.fileio import deterministic_zip, write_bytes_atomic  # noqa: F401 - re-exported
from jrc_analysis.issues import UsageError


SUMMARY_SHEET = "汇总表"
COUNTY_SHEET = "县区明细"
NOTES_SHEET = "说明"
CITY_HQ_ROW = "市本级"
TOTAL_ROW = "合计"

# 汇总表 layout (1-based rows and columns).
INFO_CELLS = {  # label -> (row, column of the label); the value sits in the next cell to the right
    "填报单位：": (2, 2),
    "填报人：": (3, 2),
    "模板版本：": (4, 2),
    "填报日期：": (2, 6),
    "联系电话：": (3, 6),
}
SUMMARY_HEADER_ROW = 5
SUMMARY_FIRST_ROW = SUMMARY_HEADER_ROW + 1
SUMMARY_COLUMNS = ["序号", "行动", "指标代码", "指标名称", "单位", "{year}年目标", "{year}年完成数", "备注"]
SUMMARY_WIDTHS = [6, 16, 34, 40, 8, 16, 18, 28]
CODE_COL, NAME_COL, UNIT_COL, TARGET_COL, VALUE_COL, NOTE_COL = 3, 4, 5, 6, 7, 8

# 县区明细 layout.
COUNTY_HEADER_ROW = 3
COUNTY_CODE_ROW = 4
COUNTY_FIRST_ROW = 5
COUNTY_LABEL = "县（市、区）"
CODE_ROW_LABEL = "指标代码"

FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
CREATOR = "江西省红十字会"
BOOL_CHOICES = ("是", "否")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BODY = Font(name="宋体", size=11)
_BOLD = Font(name="宋体", size=11, bold=True)
_TITLE = Font(name="黑体", size=16, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)

NOTES = [
    "填报说明",
    "一、本表由各设区市红十字会和省红十字会机关（省本级）填报，每个填报单位一份，请于每年12月底前报送省红十字会。",
    "二、“汇总表”填写本单位（含所辖县级红十字会）全年完成数；“县区明细”按县（市、区）逐一填写，市本级自身完成的填在“市本级”行，“合计”行填写全市合计，应与“汇总表”一致。",
    "三、只在浅黄色单元格内填写；其余单元格已锁定（工作表保护未设密码），请勿增删行列、修改指标名称和指标代码。",
    "四、完成数按“单位”列的计量单位填写数字：金额以“元”为单位，人数以“人”或“人次”为单位，不要填写“万”“约”等文字；“是/否”类指标从下拉列表中选择。",
    "五、流量指标（如新增、培训、筹资）填写当年新增数；存量指标（如总数、累计）填写年末实有数。",
    "六、未开展的工作填 0；确实无法统计的请留空并在“备注”栏说明原因。",
    "七、“年目标”列为全省三年行动方案的年度目标，仅供参考，无需填写。",
    "八、请保留“模板版本”单元格；如需修订已报送的报表，请在文件名中注明“（修订）”并重新报送。",
]


def template_filename(year: int, prefecture: str) -> str:
    """The stable file name of a reporting unit's return, e.g. ``2024年度_南昌市_目标任务完成情况表.xlsx``."""
    return f"{year}年度_{prefecture}_目标任务完成情况表.xlsx"


def unit_title(prefecture: str) -> str:
    """How the title and the 填报单位 line name a reporting unit."""
    if prefecture == catalog.PROVINCE_HQ:
        return "江西省红十字会（省本级）"
    return f"{prefecture}红十字会"


def return_title(year: int, prefecture: str) -> str:
    """The title of a return, with its year and reporting unit."""
    return f"{year}年度{unit_title(prefecture)}深化改革创新三年行动目标任务完成情况表"


def summary_header(year: int) -> list[str]:
    """The header row of the 汇总表 for ``year``."""
    return [c.format(year=year) for c in SUMMARY_COLUMNS]


def county_column_label(name: str, unit: str) -> str:
    """A county-sheet column header: the indicator's name with its unit in brackets."""
    return f"{name}（{unit}）"


@lru_cache(maxsize=None)
def _summary_indicators() -> pd.DataFrame:
    return catalog.indicators().sort_values("area", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=None)
def _targets() -> pd.DataFrame:
    return catalog.targets()


def summary_indicators() -> pd.DataFrame:
    """The catalogue in the order of the 汇总表 rows: by area (the plan's order), then catalogue order."""
    return _summary_indicators().copy()


def county_indicators() -> pd.DataFrame:
    """The indicators asked per county, in the order of the 县区明细 columns."""
    frame = summary_indicators()
    return frame[frame["county_sheet"]].reset_index(drop=True)


def _number_text(value) -> str:
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.6f}".rstrip("0").rstrip(".")


def _percent_text(value) -> str:
    return f"{_number_text(float(value) * 100)}%"


_LEVEL_WORDS = {"county": "每个县", "prefecture": "每个设区市", "province": "", "unit": ""}


def target_text(target: pd.Series, value_type: str = "number") -> str:
    """One target as the template shows it: ``≥100000``, ``2–4``, ``每个县≥3``, ``100%``, ``完成``."""
    kind = str(target["kind"])
    if kind == "min":
        return f"≥{_number_text(target['value'])}"
    if kind == "range":
        return f"{_number_text(target['value'])}–{_number_text(target['upper'])}"
    if kind == "coverage":
        every = _LEVEL_WORDS.get(str(target.get("level", "")), "")
        if value_type == "bool":
            return f"{every}：是" if every else "是"
        return f"{every}≥{_number_text(target['value'])}"
    if kind == "ratio":
        return _percent_text(target["value"])
    if kind == "milestone":
        return "完成"
    if kind == "growth":
        return f">{_percent_text(target['value'])}"
    return ""


def _applies_to(target: pd.Series, prefecture: str) -> bool:
    scope = str(target.get("scope", "") or "")
    if scope in ("", "nan"):
        return True
    return scope == prefecture


def year_target_texts(targets: pd.DataFrame, indicators: pd.DataFrame, year: int,
                      prefecture: str) -> dict[str, str]:
    """Indicator code -> the text of its target for ``year`` as shown to ``prefecture`` (no key: none).

    Only targets of that very year are shown (a ``by`` target appears in its deadline year); a target
    scoped to another unit (e.g. a 省本级 milestone) is not shown to a prefecture.
    """
    value_types = dict(zip(indicators["code"], indicators["value_type"]))
    rows = targets[pd.to_numeric(targets["year"]).astype(int) == int(year)]
    texts: dict[str, list[str]] = {}
    for _, target in rows.iterrows():
        code = str(target["indicator"])
        if code not in value_types or not _applies_to(target, prefecture):
            continue
        text = target_text(target, value_types[code])
        if text and text not in texts.setdefault(code, []):
            texts[code].append(text)
    return {code: "；".join(parts) for code, parts in texts.items()}


_STYLES = {
    # name: (font, alignment, border, fill, unlocked)
    "jrc_title": (_TITLE, _CENTER, False, None, False),
    "jrc_label": (_BOLD, Alignment(horizontal="right", vertical="center"), False, None, False),
    "jrc_info": (_BODY, _LEFT, False, _INPUT_FILL, True),
    "jrc_info_locked": (_BODY, _LEFT, False, None, False),
    "jrc_header": (_BOLD, _CENTER, True, _HEADER_FILL, False),
    "jrc_code_header": (Font(name="宋体", size=8), _CENTER, True, _HEADER_FILL, False),
    "jrc_cell": (_BODY, _CENTER, True, None, False),
    "jrc_cell_left": (_BODY, _LEFT, True, None, False),
    "jrc_cell_bold": (_BOLD, _CENTER, True, None, False),
    "jrc_input": (_BODY, _CENTER, True, _INPUT_FILL, True),
    "jrc_note": (_BODY, _LEFT, True, None, True),
    "jrc_text": (_BODY, _LEFT, False, None, False),
    "jrc_text_title": (_TITLE, _LEFT, False, None, False),
}


def _register_styles(wb: Workbook) -> None:
    """Register the form's named styles once (one style lookup per cell instead of five)."""
    for name, (font, align, border, fill, unlocked) in _STYLES.items():
        style = NamedStyle(name=name, font=font, alignment=align,
                           protection=_UNLOCKED if unlocked else Protection(locked=True))
        if border:
            style.border = _BORDER
        if fill is not None:
            style.fill = fill
        wb.add_named_style(style)


def _put(ws: Worksheet, row: int, col: int, value, style: str):
    cell = ws.cell(row=row, column=col, value=value)
    cell.style = style
    return cell


def _print_setup(ws: Worksheet, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = title_rows


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True  # no password: 审阅 → 撤销工作表保护
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _number_validation(refs: list[str]) -> DataValidation:
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        showErrorMessage=True, showInputMessage=True,
                        errorTitle="输入有误", error="请填写不小于0的数字（不要带单位或文字）。",
                        promptTitle="完成数", prompt="填写数字；未开展填0，无法统计请留空并在备注说明。")
    for ref in refs:
        dv.add(ref)
    return dv


def _bool_validation(refs: list[str]) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(BOOL_CHOICES) + '"', allow_blank=True,
                        showErrorMessage=True, showInputMessage=True,
                        errorTitle="输入有误", error="请从下拉列表中选择“是”或“否”。",
                        promptTitle="完成情况", prompt="请选择“是”或“否”。")
    for ref in refs:
        dv.add(ref)
    return dv


def _merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge a range whose cells are already styled (openpyxl's merge_cells restyles every edge cell,
    which is slow and not needed here)."""
    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
    ws.merged_cells.add(MergedCellRange(ws, ref))


def _write_title(ws: Worksheet, text: str, width: int) -> None:
    _put(ws, 1, 1, text, "jrc_title")
    _merge(ws, 1, 1, 1, width)
    ws.row_dimensions[1].height = 30


def _write_info(ws: Worksheet, prefecture: str) -> None:
    values = {"填报单位：": unit_title(prefecture), "模板版本：": TEMPLATE_VERSION}
    for label, (row, col) in INFO_CELLS.items():
        _put(ws, row, col, label, "jrc_label")
        cell = _put(ws, row, col + 1, values.get(label), "jrc_info_locked" if label == "模板版本：" else "jrc_info")
        if label == "填报日期：":
            cell.number_format = "yyyy-mm-dd"


def build_summary_sheet(ws: Worksheet, year: int, prefecture: str, targets: pd.DataFrame) -> None:
    """Fill an empty worksheet with the 汇总表 of ``prefecture``'s return for ``year``."""
    rows = summary_indicators()
    texts = year_target_texts(targets, rows, year, prefecture)
    area_names = dict(zip(catalog.areas()["area"].astype(str), catalog.areas()["name"]))
    header = summary_header(year)
    ws.title = SUMMARY_SHEET
    _write_title(ws, return_title(year, prefecture), len(header))
    _write_info(ws, prefecture)
    for col, (label, width) in enumerate(zip(header, SUMMARY_WIDTHS), start=1):
        _put(ws, SUMMARY_HEADER_ROW, col, label, "jrc_header")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[SUMMARY_HEADER_ROW].height = 28
    styles = ["jrc_cell", "jrc_cell", "jrc_cell_left", "jrc_cell_left", "jrc_cell", "jrc_cell",
              "jrc_input", "jrc_note"]
    numbers, bools = [], []
    for i, ind in enumerate(rows.itertuples(index=False)):
        r = SUMMARY_FIRST_ROW + i
        cells = [i + 1, area_names[str(ind.area)], ind.code, ind.name, ind.unit, texts.get(ind.code), None, None]
        for col, (value, style) in enumerate(zip(cells, styles), start=1):
            _put(ws, r, col, value, style)
        (bools if ind.value_type == "bool" else numbers).append(f"{get_column_letter(VALUE_COL)}{r}")
    for _, group in rows.groupby("area", observed=True, sort=False):
        first, last = SUMMARY_FIRST_ROW + group.index.min(), SUMMARY_FIRST_ROW + group.index.max()
        if last > first:
            _merge(ws, first, 2, last, 2)
    ws.add_data_validation(_number_validation(numbers))
    if bools:
        ws.add_data_validation(_bool_validation(bools))
    ws.freeze_panes = ws.cell(row=SUMMARY_FIRST_ROW, column=UNIT_COL)
    _print_setup(ws, f"{SUMMARY_HEADER_ROW}:{SUMMARY_HEADER_ROW}")
    _protect(ws)


def build_county_sheet(ws: Worksheet, year: int, prefecture: str) -> None:
    """Fill an empty worksheet with the 县区明细 of ``prefecture``'s return for ``year``."""
    columns = county_indicators()
    width = len(columns) + 1
    ws.title = COUNTY_SHEET
    _write_title(ws, f"{year}年度{unit_title(prefecture)}分县（市、区）完成情况明细表", width)
    _put(ws, 2, 1, "填报单位：", "jrc_label")
    _put(ws, 2, 2, unit_title(prefecture), "jrc_info")
    _put(ws, COUNTY_HEADER_ROW, 1, COUNTY_LABEL, "jrc_header")
    _put(ws, COUNTY_CODE_ROW, 1, CODE_ROW_LABEL, "jrc_code_header")
    ws.column_dimensions["A"].width = 16
    for j, ind in enumerate(columns.itertuples(index=False)):
        col = 2 + j
        _put(ws, COUNTY_HEADER_ROW, col, county_column_label(ind.name, ind.unit), "jrc_header")
        _put(ws, COUNTY_CODE_ROW, col, ind.code, "jrc_code_header")
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.row_dimensions[COUNTY_HEADER_ROW].height = 42
    labels = catalog.counties(prefecture) + [CITY_HQ_ROW, TOTAL_ROW]
    for i, label in enumerate(labels):
        r = COUNTY_FIRST_ROW + i
        _put(ws, r, 1, label, "jrc_cell_bold" if label == TOTAL_ROW else "jrc_cell")
        for col in range(2, width + 1):
            _put(ws, r, col, None, "jrc_input")
    last_row = COUNTY_FIRST_ROW + len(labels) - 1
    ws.add_data_validation(_number_validation(
        [f"B{COUNTY_FIRST_ROW}:{get_column_letter(width)}{last_row}"]))
    ws.freeze_panes = ws.cell(row=COUNTY_FIRST_ROW, column=2)
    _print_setup(ws, f"{COUNTY_HEADER_ROW}:{COUNTY_CODE_ROW}")
    _protect(ws)


def build_notes_sheet(ws: Worksheet) -> None:
    """Fill an empty worksheet with the filling instructions (说明)."""
    ws.title = NOTES_SHEET
    ws.column_dimensions["A"].width = 110
    for i, line in enumerate(NOTES, start=1):
        _put(ws, i, 1, line, "jrc_text_title" if i == 1 else "jrc_text")
    _put(ws, len(NOTES) + 2, 1, f"模板版本：{TEMPLATE_VERSION}", "jrc_text")
    _print_setup(ws, "1:1")
    _protect(ws)


def build_template(year: int, prefecture: str, targets: pd.DataFrame | None = None) -> Workbook:
    """The blank return of ``prefecture`` (canonical name or 省本级) for ``year``, as an openpyxl Workbook.

    ``targets`` defaults to :func:`jrc_analysis.plan.catalog.targets`.
    """
    if targets is None:
        targets = _targets()
    wb = Workbook()
    _register_styles(wb)
    build_summary_sheet(wb.active, year, prefecture, targets)
    if prefecture != catalog.PROVINCE_HQ:
        build_county_sheet(wb.create_sheet(), year, prefecture)
    build_notes_sheet(wb.create_sheet())
    wb.active = 0
    wb.properties.creator = CREATOR
    wb.properties.title = return_title(year, prefecture)
    return wb


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _fix_core(payload: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", payload)


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of ``wb``, byte-deterministic (fixed document and zip entry times)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = CREATOR
    buffer = io.BytesIO()
    wb.save(buffer)
    return deterministic_zip(buffer.getvalue(), {"docProps/core.xml": _fix_core})


def _check_unit(prefecture: str) -> None:
    units = catalog.reporting_units()
    if prefecture not in units:
        raise UsageError(f"未知的填报单位“{prefecture}”；应为以下之一：{'、'.join(units)}")


def write_template(year: int, prefecture: str, path: str | Path) -> Path:
    """Write the blank return of ``prefecture`` for ``year`` to ``path`` (atomically); return the path."""
    _check_unit(prefecture)
    path = Path(path)
    write_bytes_atomic(path, workbook_bytes(build_template(year, prefecture)))
    return path


def write_templates(year: int, out: str | Path, prefecture: str | None = None) -> list[Path]:
    """Write blank returns for ``year``: with ``prefecture``, ``out`` is the file (or an existing folder to
    put it in); without, ``out`` is a folder and every reporting unit gets :func:`template_filename` in
    it. Returns the paths written."""
    out = Path(out)
    if prefecture is not None:
        path = out / template_filename(year, prefecture) if out.is_dir() else out
        return [write_template(year, prefecture, path)]
    targets = _targets()
    written = []
    for unit in catalog.reporting_units():
        path = out / template_filename(year, unit)
        write_bytes_atomic(path, workbook_bytes(build_template(year, unit, targets)))
        written.append(path)
    return written

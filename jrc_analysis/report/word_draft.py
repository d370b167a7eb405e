"""The Word draft of the 通报 (``figures/<Y>/通报_<Y>.docx``), written with python-docx.

A4, opening with the headline paragraph and the plan verdict (三年行动收官评估, or 进展评估 before
the plan's last year), then one section per 行动 with the notebooks' own sentences
(:func:`jrc_analysis.analysis.explore.reading`, :func:`~jrc_analysis.analysis.explore.plan_sentences`:
one source of wording), its tables and key charts (the 200 dpi PNGs, 16 cm wide), the prefecture
ranking, the data-quality annex (who did not report, left items blank, sent a corrected return,
or has errors) and the sources and assumptions (示例数据 while the samples are used).

Headings use Word's built-in 标题 1/标题 2 styles (Heading 1/2), so they are contents-level
headings in Word's and WPS's navigation pane and in a PDF's outline. The bytes are
deterministic: fixed core properties (python-docx would stamp the time of the run) and fixed zip
entry times.
"""
from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

from jrc_analysis.analysis import explore, gaps
from jrc_analysis.analysis.verdict import (VERDICT_STATUSES, not_met, verdict_counts,
                                           verdict_sentence, verdict_title)
from jrc_analysis.plan import catalog
from jrc_analysis.report.annex import FMT, STATUS_HEADER, shown_columns, text_width
from jrc_analysis.report.charts.style import SOURCE_NOTE, SYNTHETIC_NOTE
from jrc_analysis.report.report_html import cell_text
from jrc_analysis.report.verdict_display import verdict_text_table
from jrc_analysis.fileio import deterministic_zip

FIXED_TIME = datetime(2022, 1, 1)
CHART_WIDTH_CM = 16.0
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less 2.5 cm margins each side
MAX_COLUMN_CHARS = 28
MIN_COLUMN_SHARE = 0.5
BODY_FONT, HEADING_FONT = "宋体", "黑体"
NUMERALS = "一二三四五六七八九十"
MAX_ISSUES_LISTED = 30
ALLOCATION_NOTE = ("分市目标按2020年人口普查常住人口比例分解（默认假设，非官方任务分解）；"
                   "省本级不分配目标，其完成数计入全省合计。")
VERDICT_NOTE = ("收官评估口径：流量指标（每年新增）按方案各年目标之和与历年累计完成数比较；"
                "“到2024年底前”类目标按到期年份的数值判断，到期前只看进展（未到期）；"
                "其余每年目标（覆盖、增长率等）要求每个到期年份均达标。未报送不按0计算。")


def heading_number(i: int) -> str:
    """一、二、… for the i-th (0-based) 行动 section."""
    return NUMERALS[i] if i < len(NUMERALS) else str(i + 1)


def _set_run_font(run, name: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size_pt:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold


def _style_fonts(doc) -> None:
    """宋体 for the body, 黑体 for the headings (East Asian font set too)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for style_name, font, size in (("Normal", BODY_FONT, 11), ("Heading 1", HEADING_FONT, 16),
                                   ("Heading 2", HEADING_FONT, 13), ("Title", HEADING_FONT, 18)):
        style = doc.styles[style_name]
        style.font.name = font
        style.font.size = Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if style_name != "Normal":
            style.font.color.rgb = RGBColor(0x22, 0x22, 0x22)


def _a4(doc) -> None:
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin, section.bottom_margin = Mm(25), Mm(20)


def _fixed_properties(doc, title: str) -> None:
    props = doc.core_properties
    props.author = props.last_modified_by = "jrc_analysis"
    props.title = title
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1


def _repeat_header(row) -> None:
    """Mark a table row as a header row repeated on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def add_table(doc, table: pd.DataFrame, font_pt: float = 9) -> None:
    """A display table (annex conventions: hidden ``_`` columns, ``_fmt``) as a Word table with a
    bold, repeated header row; values written as the page writes them."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    columns = shown_columns(table)
    fmts = table[FMT].tolist() if FMT in table.columns else [""] * len(table)
    grid = doc.add_table(rows=len(table) + 1, cols=len(columns))
    grid.style = "Table Grid"
    grid.autofit = False
    texts = [[str(h)] + [cell_text(h, v, f) for v, f in zip(table[h], fmts)] for h in columns]
    widths = column_widths(texts)
    for j, header in enumerate(columns):
        cell = grid.cell(0, j)
        cell.text = ""
        _set_run_font(cell.paragraphs[0].add_run(str(header)), HEADING_FONT, font_pt, True)
    _repeat_header(grid.rows[0])
    for i, (values, fmt) in enumerate(zip(table[columns].itertuples(index=False), fmts), start=1):
        for j, (header, value) in enumerate(zip(columns, values)):
            paragraph = grid.cell(i, j).paragraphs[0]
            _set_run_font(paragraph.add_run(cell_text(header, value, fmt)), BODY_FONT, font_pt)
            if not isinstance(value, str):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for j, width in enumerate(widths):
        grid.columns[j].width = width
        for cell in grid.columns[j].cells:
            cell.width = width
    doc.add_paragraph()


def column_widths(texts: list[list[str]], total_cm: float = TEXT_WIDTH_CM) -> list:
    """Column widths (EMU) sharing ``total_cm`` by each column's longest text (a CJK character
    counts two), every column at least :data:`MIN_COLUMN_SHARE` of its fair share and none over
    :data:`MAX_COLUMN_CHARS` characters wide (longer text wraps)."""
    from docx.shared import Cm

    need = [min(max(text_width(t) for t in column), MAX_COLUMN_CHARS) for column in texts]
    fair = sum(need) / len(need)
    need = [max(n, MIN_COLUMN_SHARE * fair) for n in need]
    return [Cm(total_cm * n / sum(need)) for n in need]


def add_chart(doc, png: bytes, caption: str) -> None:
    """A chart at print width with its caption below."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(io.BytesIO(png), width=Cm(CHART_WIDTH_CM))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_run_font(paragraph.add_run(caption), BODY_FONT, 9)


def headline_paragraph(province: pd.DataFrame, verdict: pd.DataFrame, year: int) -> str:
    """The opening paragraph: the year's status counts and the verdict sentence."""
    rows = province[(province["year"] == year) & province["target"].notna()]
    counts = rows["status"].value_counts()
    year_text = (f"{year}年，方案中当年有量化目标的{len(rows)}项指标，达标{int(counts.get(gaps.MET, 0))}项，"
                 f"未达标{int(counts.get(gaps.NOT_MET, 0))}项，未报送{int(counts.get(gaps.NOT_REPORTED, 0))}项。")
    return year_text + verdict_sentence(verdict, year)


def area_indicators_with_target(province: pd.DataFrame, area: str) -> list[str]:
    """The area's indicators that have a target in some year (catalogue order)."""
    return explore.area_indicators(province, area, targeted_only=True)


def key_charts(rendered, area: str) -> list:
    """An area's key charts: its verdict chart, then the trend charts of its headline indicators."""
    from jrc_analysis.report.charts import headline_indicators

    headline = set(headline_indicators())
    verdicts = [c for c in rendered if c.spec.chart == "verdict" and c.spec.area == area]
    trends = [c for c in rendered if c.spec.chart == "trend" and c.spec.area == area
              and c.spec.indicator in headline]
    return verdicts + trends


def ranking_summary(prefectures: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each prefecture's allocated targets in ``year``: 达标 / 未达标 / 未报送 counts, most 达标
    first (then fewest 未达标, then the plan's order of units)."""
    rows = prefectures[(prefectures["year"] == year) & prefectures["target_basis"].astype(str).ne("")
                       & prefectures["target"].notna()]
    units = catalog.prefectures()
    counts = pd.crosstab(rows["prefecture"].astype(str), rows["status"]).reindex(
        index=units, columns=[gaps.MET, gaps.NOT_MET, gaps.NOT_REPORTED], fill_value=0)
    out = counts.reset_index().rename(columns={"prefecture": "填报单位", "index": "填报单位"})
    out.columns = ["填报单位", gaps.MET, gaps.NOT_MET, gaps.NOT_REPORTED]
    out["_order"] = range(len(out))
    out = out.sort_values([gaps.MET, gaps.NOT_MET, "_order"], ascending=[False, True, True],
                          kind="stable")
    out.insert(0, "名次", range(1, len(out) + 1))
    return out.drop(columns="_order").assign(**{FMT: "number"}).reset_index(drop=True)


def quality_table(completeness: pd.DataFrame, issues: pd.DataFrame,
                  returns: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """Per reporting unit for ``year``: 是否报送, 空白指标数, 错误, 警告, 填报日期, 更正报表."""
    done = completeness[completeness["year"] == year].set_index("prefecture")
    files = pd.DataFrame(columns=["source_file", "prefecture", "year", "fill_date", "revision"])
    if returns is not None and len(returns):
        files = returns[returns["year"] == year]
    unit_of = dict(zip(files["source_file"], files["prefecture"].astype(str)))
    mine = issues[issues["year"] == year] if "year" in issues.columns else issues
    tagged = mine.assign(unit=mine["source_file"].map(unit_of))
    rows = []
    for unit in catalog.reporting_units():
        sent = bool(done.loc[unit, "returned"]) if unit in done.index else False
        own = tagged[tagged["unit"] == unit]
        unit_files = files[files["prefecture"].astype(str) == unit]
        dates = sorted({str(d) for d in unit_files["fill_date"].dropna() if str(d)})
        revised = unit_files["revision"].astype(str).str.len().gt(0).any() if len(unit_files) else False
        rows.append({"填报单位": unit, "是否报送": "已报送" if sent else "未报送",
                     "空白指标数": int(done.loc[unit, "indicators_blank"]) if unit in done.index else 0,
                     "错误": int((own["severity"] == "error").sum()),
                     "警告": int((own["severity"] == "warning").sum()),
                     "填报日期": "、".join(dates) or "—",
                     "更正报表": "有" if len(unit_files) > 1 or revised else "无"})
    return pd.DataFrame(rows).assign(**{FMT: "number"})


def issue_lines(issues: pd.DataFrame, year: int) -> list[str]:
    """The year's errors, then warnings, one line each (file, sheet, cell, message)."""
    mine = issues[issues["year"] == year] if "year" in issues.columns else issues
    mine = mine.assign(_sev=mine["severity"].map({"error": 0, "warning": 1}).fillna(2))
    mine = mine.sort_values(["_sev"], kind="stable")
    label = {"error": "错误", "warning": "警告"}
    lines = []
    for row in mine.itertuples(index=False):
        where = "，".join(str(x) for x in (row.source_file, row.sheet, row.cell) if str(x) not in ("", "nan", "None"))
        lines.append(f"【{label.get(row.severity, row.severity)}】{where}：{row.message}")
    return lines


def draft_document(tables, rendered, verdict: pd.DataFrame, returns: pd.DataFrame | None = None):
    """The python-docx Document of the draft (``tables``: :class:`~jrc_analysis.analysis.analysis.Analysis`;
    ``rendered``: the rendered charts; ``verdict``: :func:`plan_verdict`; ``returns``: the files
    read, for 填报日期 and corrected returns)."""
    from docx import Document

    year = tables.year
    province = tables.province
    title = f"{year}年度全省红十字系统三年行动方案完成情况通报（初稿）"
    doc = Document()
    _a4(doc)
    _style_fonts(doc)
    _fixed_properties(doc, title)
    doc.add_heading(title, level=0)
    note = "本稿由 jrc_analysis 根据各单位年度报表自动生成，数字均可追溯到报表单元格，供起草通报参考。"
    if tables.synthetic:
        note += "注意：" + SYNTHETIC_NOTE
    doc.add_paragraph(note)

    doc.add_heading(verdict_title(year), level=1)
    doc.add_paragraph(headline_paragraph(province, verdict, year))
    for code in (c for c in _headline_codes() if c in set(province["indicator"].astype(str))):
        doc.add_paragraph(explore.reading(province, code, year), style="List Bullet")
    counts = verdict_counts(verdict).rename(columns={"name": "行动", "total": "合计"})
    columns = ["行动", *[s for s in VERDICT_STATUSES if s != "未到期" or counts[s].any()], "合计"]
    doc.add_heading("各行动评估结果（项）", level=2)
    add_table(doc, counts[columns].assign(**{FMT: "number"}))
    doc.add_heading("未达标指标及差距", level=2)
    missed = verdict_text_table(not_met(verdict), with_area=True)
    if len(missed):
        add_table(doc, missed.drop(columns=[STATUS_HEADER]))
    else:
        doc.add_paragraph("无。")

    sheet = verdict_text_table(verdict, with_area=True)
    names = dict(zip(catalog.areas()["area"].astype(str), catalog.areas()["name"]))
    for i, (area, name) in enumerate(names.items()):
        doc.add_heading(f"{heading_number(i)}、{name}", level=1)
        sentences = explore.plan_sentences(area)
        if sentences:
            doc.add_heading("（一）方案目标", level=2)
            for sentence in sentences:
                doc.add_paragraph(sentence)
        doc.add_heading(f"（{'二' if sentences else '一'}）{year}年完成情况", level=2)
        for code in area_indicators_with_target(province, area):
            doc.add_paragraph(explore.reading(province, code, year))
        area_rows = sheet[sheet["行动"] == name].drop(columns=["行动"])
        doc.add_paragraph(f"表：{name}各项指标{verdict_title(year)}")
        add_table(doc, area_rows)
        for chart in key_charts(rendered, area):
            add_chart(doc, chart.png, chart.caption)

    doc.add_heading("各设区市完成分解目标情况", level=1)
    doc.add_paragraph(f"{year}年各设区市完成分解目标的项数（按达标项数排列）。{ALLOCATION_NOTE}")
    add_table(doc, ranking_summary(tables.prefectures, year))

    doc.add_heading("数据质量", level=1)
    doc.add_paragraph(f"{year}年各报送单位报表情况（未报送、空白指标、错误与警告、填报日期、更正报表）。"
                      "方案未规定报送截止日期，填报日期供核对是否按时报送。")
    add_table(doc, quality_table(tables.completeness, tables.issues, returns, year))
    lines = issue_lines(tables.issues, year)
    for line in lines[:MAX_ISSUES_LISTED]:
        doc.add_paragraph(line, style="List Bullet")
    if len(lines) > MAX_ISSUES_LISTED:
        doc.add_paragraph(f"其余{len(lines) - MAX_ISSUES_LISTED}条见附表“数据问题”。")

    doc.add_heading("数据来源与说明", level=1)
    for text in (SOURCE_NOTE, VERDICT_NOTE, ALLOCATION_NOTE,
                 "状态判定规则见 jrc_analysis/data/status_rules.csv；未报送不按0计算。"):
        doc.add_paragraph(text)
    if tables.synthetic:
        doc.add_paragraph("示例数据：" + SYNTHETIC_NOTE + "正式报表到达后删除 data/raw/README.md 并重新生成。")
    return doc


def _headline_codes() -> tuple[str, ...]:
    from jrc_analysis.report.charts import headline_indicators

    return headline_indicators()


def draft_bytes(tables, rendered, verdict: pd.DataFrame, returns: pd.DataFrame | None = None) -> bytes:
    """The draft as .docx bytes, deterministic (see :func:`draft_document`)."""
    raw = io.BytesIO()
    draft_document(tables, rendered, verdict, returns).save(raw)
    return deterministic_zip(raw.getvalue())

"""The briefing as one self-contained HTML page (``figures/<Y>/briefing_<Y>.html``).

What the director opens: the plan verdict first (its sentence, counts per area, the 未达标 items
and one chart per area), a contents list, the headline numbers, then every chart with its caption
and the tables of :mod:`jrc_analysis.report.annex`. No external resource, no script, no
timestamp; every text (names, messages, anything that came from a return) is HTML-escaped.

Small enough to mail and readable on a phone: the charts are embedded at half their width and height
as 64-colour PNGs (:func:`page_png`; the full-size files stay on disk), images scale to the
screen and wide tables scroll inside their own box, so a 390 px wide screen has no sideways
scroll. Printed, each chart and table stays whole on a page (long tables repeat their header).
"""
from __future__ import annotations

import base64
import io
from html import escape

import pandas as pd

from jrc_analysis.plan import catalog

from jrc_analysis.report import charts
from jrc_analysis.report.annex import (FMT, OVERVIEW_SHEET, PERCENT, PERCENT_HEADERS, RANKING_SHEET,
                                       STATUS_HEADER, VALUE_HEADERS, YESNO, shown_columns,
                                       verdict_sheet_name)
from jrc_analysis.report.charts.style import SOURCE_NOTE, SYNTHETIC_NOTE, text_colour_on
from jrc_analysis.formatting import MISSING, format_number

PAGE_REDUCE = 2  # embedded charts at half the width and height of the 200 dpi files (100 dpi)
PAGE_COLOURS = 64  # and quantised to a palette of this many colours
VERDICT_ID, CONTENTS_ID, TABLES_ID = "verdict", "contents", "tables"

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", "SimHei", sans-serif')


def css() -> str:
    """The page's style sheet: Chinese font stack, fluid widths (no sideways scroll at 390 px),
    tables scrolling inside their own box, and a print style that keeps charts and tables whole."""
    return f"""
* {{ box-sizing: border-box; }}
body {{ font-family: {FONT_STACK}; color: #222; margin: 0 auto; max-width: 1100px; padding: 16px;
       line-height: 1.6; overflow-wrap: anywhere; }}
h1 {{ font-size: 24px; margin-bottom: 4px; }}
h2 {{ font-size: 20px; border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 36px; }}
h3 {{ font-size: 16px; margin-top: 24px; }}
.note {{ color: #555; font-size: 13px; }}
.lead {{ font-size: 16px; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }}
.card {{ border: 1px solid #ddd; border-left: 6px solid #888; border-radius: 4px; padding: 10px 12px; }}
.card .name {{ font-size: 14px; color: #555; }}
.card .value {{ font-size: 22px; font-weight: bold; }}
figure {{ margin: 16px 0 24px 0; }}
figure img {{ display: block; max-width: 100%; height: auto; border: 1px solid #eee; }}
figcaption {{ font-size: 14px; color: #333; margin-top: 4px; }}
.table-wrap {{ max-width: 100%; overflow-x: auto; margin: 8px 0 20px 0; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; min-width: 4em;
          overflow-wrap: normal; }}
th {{ background: #f2f2f2; }}
td.num {{ text-align: right; white-space: nowrap; }}
nav.contents ol {{ margin: 4px 0; padding-left: 22px; columns: 2 220px; }}
@media print {{
  @page {{ size: A4; margin: 14mm; }}
  body {{ max-width: none; padding: 0; font-size: 12px; }}
  h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
  figure, .table-wrap, table, .card {{ break-inside: avoid; page-break-inside: avoid; }}
  figure img {{ max-height: 240mm; width: auto; max-width: 100%; border: none; }}
  .table-wrap {{ overflow: visible; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; page-break-inside: avoid; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""


def page_png(png: bytes, reduce: int = PAGE_REDUCE, colours: int = PAGE_COLOURS) -> bytes:
    """A chart's PNG made small for the page: 1/``reduce`` of its width and height (each pixel
    the mean of a ``reduce``×``reduce`` block) and quantised to a ``colours`` palette (fast octree,
    no dithering; the charts have few flat colours). About 16 KB a chart instead of 150 KB;
    deterministic: the same bytes in give the same bytes out."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        small = image.convert("RGB").reduce(reduce)
    quantised = small.quantize(colors=colours, method=Image.Quantize.FASTOCTREE,
                               dither=Image.Dither.NONE)
    out = io.BytesIO()
    quantised.save(out, format="PNG", compress_level=9)
    return out.getvalue()


def png_src(png: bytes) -> str:
    """A ``data:`` URL for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def cell_text(header: str, value, fmt: str) -> str:
    """A table value as text (numbers the Chinese way, fractions as %, 1/0 as 是/否)."""
    if value is None or value is pd.NA or (not isinstance(value, (str, list)) and pd.isna(value)):
        return MISSING
    if isinstance(value, str):
        return value
    if header in PERCENT_HEADERS or (header in VALUE_HEADERS and fmt == PERCENT):
        return format_number(value, "%", 1)
    if header in VALUE_HEADERS and fmt == YESNO:
        return "是" if float(value) >= 0.5 else "否"
    if header == "年度":
        return str(int(value))
    return format_number(value)


def status_style(status: str) -> str:
    """Inline style of a status cell (the charts' status colours)."""
    colour = charts.status_colour(status)
    return f' style="background:{colour};color:{text_colour_on(colour)};white-space:nowrap"'


def table_html(table: pd.DataFrame) -> str:
    """A display table as an HTML table, every value escaped, status cells coloured."""
    columns = shown_columns(table)
    fmts = table[FMT].tolist() if FMT in table.columns else [""] * len(table)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = []
    for values, fmt in zip(table[columns].itertuples(index=False), fmts):
        cells = []
        for header, value in zip(columns, values):
            text = escape(cell_text(header, value, fmt))
            style = status_style(value) if header == STATUS_HEADER and value in charts.colours(
                "status") else ""
            klass = "" if isinstance(value, str) else ' class="num"'
            cells.append(f"<td{klass}{style}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def headline_cards(province: pd.DataFrame, year: int) -> str:
    """One card per headline indicator: the province total, its target and completion."""
    from jrc_analysis.report.captions import target_text

    cards = []
    rows = province[province["year"] == year]
    for code in charts.headline_indicators():
        hit = rows[rows["indicator"].astype(str) == code]
        if hit.empty:
            continue
        row = hit.iloc[0]
        shown, factor = charts.display_unit(str(row["actual_unit"]), row["actual"])
        value = format_number(row["actual"] / factor, shown)
        rate = format_number(row["completion"], "%", 1)
        colour = charts.status_colour(row["status"])
        cards.append(
            f'<div class="card" style="border-left-color:{colour}">'
            f'<div class="name">{escape(str(row["name"]))}</div>'
            f'<div class="value">{escape(value)}</div>'
            f'<div>{escape(target_text(row))}；完成率 {escape(rate)}；'
            f'<span style="color:{colour}">{escape(str(row["status"]))}</span></div></div>')
    return '<div class="cards">' + "".join(cards) + "</div>"


def figure_html(chart, number: int) -> str:
    """One chart with its caption (``图N``), embedded small (:func:`page_png`)."""
    alt = escape(chart.spec.name)
    small = getattr(chart, "page_png", b"") or page_png(chart.png)
    return (f'<figure id="{alt}"><img src="{png_src(small)}" alt="{alt}">'
            f"<figcaption>图{number}　{escape(chart.caption)}</figcaption></figure>")


def verdict_html(verdict: pd.DataFrame, year: int, sheet: pd.DataFrame) -> list[str]:
    """The verdict section: its sentence, counts per area, the 未达标 items (from ``sheet``,
    the annex's verdict sheet)."""
    from jrc_analysis.analysis.verdict import (VERDICT_STATUSES, verdict_counts, verdict_sentence,
                                               verdict_title)

    counts = verdict_counts(verdict).rename(columns={"name": "行动", "total": "合计"})
    counts = counts[["行动", *VERDICT_STATUSES, "合计"]]
    if not counts["未到期"].any():
        counts = counts.drop(columns="未到期")
    missed = sheet[sheet[STATUS_HEADER] == "未达标"].drop(columns=["完成率（%）"])
    parts = [f'<h2 id="{VERDICT_ID}">{escape(verdict_title(year))}</h2>',
             f'<p class="lead">{escape(verdict_sentence(verdict, year))}</p>',
             "<h3>各行动评估结果（项）</h3>", table_html(counts.assign(**{FMT: "number"})),
             "<h3>未达标指标及差距</h3>",
             table_html(missed) if len(missed) else '<p class="note">无。</p>']
    return parts


def contents_html(entries: list[tuple[str, str]]) -> str:
    """The contents list: ``(anchor, title)`` pairs as a numbered list of links."""
    items = "".join(f'<li><a href="#{escape(key)}">{escape(name)}</a></li>' for key, name in entries)
    return f'<nav class="contents" id="{CONTENTS_ID}"><h2>目录</h2><ol>{items}</ol></nav>'


def split_ranking(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The ranking sheet cut into one table per indicator (each short enough for a page)."""
    return [(str(name), rows.drop(columns=["指标名称"]).reset_index(drop=True))
            for name, rows in table.groupby("指标名称", sort=False)]


def briefing_html(tables, rendered, sheets: dict[str, pd.DataFrame],
                  verdict: pd.DataFrame | None = None) -> str:
    """The whole page (``tables``: :class:`~jrc_analysis.analysis.analysis.Analysis`; ``rendered``: the charts;
    ``sheets``: :func:`jrc_analysis.report.annex.annex_tables`; ``verdict``:
    :func:`jrc_analysis.analysis.verdict.plan_verdict`, shown first)."""
    year = tables.year
    area_names = dict(zip(catalog.areas()["area"].astype(str), catalog.areas()["name"]))
    sections = [("overview", OVERVIEW_SHEET)] + list(area_names.items())
    title = f"{year}年度全省红十字系统三年行动方案完成情况通报（图表）"
    note = SOURCE_NOTE + (SYNTHETIC_NOTE if tables.synthetic else "")
    verdict_name = verdict_sheet_name(year)
    annex_names = [n for n in sheets if n not in (OVERVIEW_SHEET, verdict_name)
                   and n not in area_names.values()]
    entries = []
    if verdict is not None:
        from jrc_analysis.analysis.verdict import verdict_title

        entries.append((VERDICT_ID, verdict_title(year)))
    entries += [("headline", f"{year}年重点指标")] + sections + [(TABLES_ID, "附表")]
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{css()}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>", f'<p class="note">{escape(note)}</p>',
    ]
    number = 0
    if verdict is not None:
        parts += verdict_html(verdict, year, sheets[verdict_name])
        for chart in (c for c in rendered if c.spec.chart == "verdict"):
            number += 1
            parts.append(figure_html(chart, number))
    parts.append(contents_html(entries))
    parts += [f'<h2 id="headline">{year}年重点指标</h2>', headline_cards(tables.province, year)]
    for key, name in sections:
        charts_here = [c for c in rendered if c.spec.area == key and c.spec.chart != "verdict"]
        parts.append(f'<h2 id="{key}">{escape(name)}</h2>')
        if key == "overview":
            parts.append(table_html(sheets[OVERVIEW_SHEET]))
        for chart in charts_here:
            number += 1
            parts.append(figure_html(chart, number))
        if key in area_names:
            parts.append(f"<h3>{escape(name)}：各指标分年度情况</h3>")
            parts.append(table_html(sheets[name]))
    parts.append(f'<h2 id="{TABLES_ID}">附表</h2>')
    for name in annex_names:
        table = sheets[name]
        if name == RANKING_SHEET and len(table):
            for indicator, rows in split_ranking(table):
                parts.append(f"<h3>{escape(name)}：{escape(indicator)}</h3>")
                parts.append(table_html(rows))
            continue
        parts.append(f"<h3>{escape(name)}</h3>")
        parts.append(table_html(table) if len(table) else '<p class="note">无。</p>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)

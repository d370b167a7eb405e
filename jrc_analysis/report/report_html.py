"""The briefing as one self-contained HTML page (``figures/<Y>/briefing_<Y>.html``).

What the director opens: the headline numbers, every chart (PNG embedded as base64) with its
caption, and the tables of :mod:`jrc_analysis.report.annex`. No external resource, no script, no
timestamp; every text (names, messages, anything that came from a return) is HTML-escaped.
"""
from __future__ import annotations

import base64
from html import escape

import pandas as pd

from jrc_analysis.plan import catalog

from jrc_analysis.report import charts
from jrc_analysis.report.annex import (FMT, OVERVIEW_SHEET, PERCENT, PERCENT_HEADERS, STATUS_HEADER,
                                VALUE_HEADERS, YESNO, shown_columns)
from jrc_analysis.report.charts.style import SOURCE_NOTE, SYNTHETIC_NOTE, text_colour_on

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", "SimHei", sans-serif')


def css() -> str:
    """The page's style sheet (Chinese font stack, print-friendly widths)."""
    return f"""
body {{ font-family: {FONT_STACK}; color: #222; margin: 0 auto; max-width: 1100px; padding: 24px;
       line-height: 1.6; }}
h1 {{ font-size: 26px; margin-bottom: 4px; }}
h2 {{ font-size: 21px; border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 40px; }}
h3 {{ font-size: 17px; margin-top: 28px; }}
.note {{ color: #555; font-size: 13px; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; }}
.card {{ border: 1px solid #ddd; border-left: 6px solid #888; border-radius: 4px; padding: 10px 12px; }}
.card .name {{ font-size: 14px; color: #555; }}
.card .value {{ font-size: 24px; font-weight: bold; }}
figure {{ margin: 18px 0 28px 0; }}
figure img {{ max-width: 100%; height: auto; border: 1px solid #eee; }}
figcaption {{ font-size: 14px; color: #333; margin-top: 4px; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0 20px 0; }}
th, td {{ border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; }}
th {{ background: #f2f2f2; position: sticky; top: 0; }}
td.num {{ text-align: right; white-space: nowrap; }}
nav a {{ margin-right: 12px; }}
"""


def png_src(png: bytes) -> str:
    """A ``data:`` URL for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def cell_text(header: str, value, fmt: str) -> str:
    """A table value as text (numbers the Chinese way, fractions as %, 1/0 as 是/否)."""
    if value is None or value is pd.NA or (not isinstance(value, (str, list)) and pd.isna(value)):
        return charts.units.MISSING
    if isinstance(value, str):
        return value
    if header in PERCENT_HEADERS or (header in VALUE_HEADERS and fmt == PERCENT):
        return charts.format_percent(value, 1)
    if header in VALUE_HEADERS and fmt == YESNO:
        return "是" if float(value) >= 0.5 else "否"
    return charts.format_number(value)


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
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


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
        value = charts.format_value(row["actual"], row["actual_unit"])
        rate = charts.format_percent(row["completion"])
        colour = charts.status_colour(row["status"])
        cards.append(
            f'<div class="card" style="border-left-color:{colour}">'
            f'<div class="name">{escape(str(row["name"]))}</div>'
            f'<div class="value">{escape(value)}</div>'
            f'<div>{escape(target_text(row))}；完成率 {escape(rate)}；'
            f'<span style="color:{colour}">{escape(str(row["status"]))}</span></div></div>')
    return '<div class="cards">' + "".join(cards) + "</div>"


def figure_html(chart, number: int) -> str:
    """One chart with its caption (``图N``)."""
    alt = escape(chart.spec.name)
    return (f'<figure id="{alt}"><img src="{png_src(chart.png)}" alt="{alt}">'
            f"<figcaption>图{number}　{escape(chart.caption)}</figcaption></figure>")


def briefing_html(tables, rendered, sheets: dict[str, pd.DataFrame]) -> str:
    """The whole page (``tables``: :class:`~jrc_analysis.analysis.analysis.Analysis`; ``rendered``: the charts;
    ``sheets``: :func:`jrc_analysis.report.annex.annex_tables`)."""
    year = tables.year
    area_names = dict(zip(catalog.areas()["area"].astype(str), catalog.areas()["name"]))
    sections = [("overview", OVERVIEW_SHEET)] + list(area_names.items())
    title = f"{year}年度全省红十字系统三年行动方案完成情况通报（图表）"
    note = SOURCE_NOTE + (SYNTHETIC_NOTE if tables.synthetic else "")
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{css()}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>", f'<p class="note">{escape(note)}</p>',
        "<nav>" + "".join(f'<a href="#{key}">{escape(name)}</a>' for key, name in sections)
        + '<a href="#tables">附表</a></nav>',
        f"<h2>{year}年重点指标</h2>", headline_cards(tables.province, year),
    ]
    number = 0
    for key, name in sections:
        charts_here = [c for c in rendered if c.spec.area == key]
        parts.append(f'<h2 id="{key}">{escape(name)}</h2>')
        if key == "overview":
            parts.append(table_html(sheets[OVERVIEW_SHEET]))
        for chart in charts_here:
            number += 1
            parts.append(figure_html(chart, number))
        if key in area_names:
            parts.append(f"<h3>{escape(name)}：各指标分年度情况</h3>")
            parts.append(table_html(sheets[name]))
    parts.append('<h2 id="tables">附表</h2>')
    for name, table in sheets.items():
        if name == OVERVIEW_SHEET or name in area_names.values():
            continue
        parts.append(f"<h3>{escape(name)}</h3>")
        parts.append(table_html(table) if len(table) else '<p class="note">无。</p>')
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)

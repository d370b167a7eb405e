"""What a return says about itself: reporting unit, year, template version, 填报日期, revision."""
from __future__ import annotations

import datetime as dt
import re
from operator import itemgetter

from jrc_analysis.issues import error, warning
from jrc_analysis.returns import names, parse
from jrc_analysis.returns.grid import Cell, Grid, grid_cells
from jrc_analysis.returns.locate import UNIT_LINE
from jrc_analysis.returns.tidy import ReturnInfo, where


_RAW = itemgetter(Cell._fields.index("raw"))


INFO_LABELS = {"填报单位": "unit", "填报日期": "fill_date", "模板版本": "template_version",
               "填报人": "person", "联系电话": "phone", "审核人": "person", "制表人": "person",
               "单位负责人": "person", "报送日期": "fill_date"}
_YEAR_RANGE = re.compile(r"20\d\d\s*年?\s*[—–\-~～至到]+\s*20\d\d\s*年?")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d\d)\s*年")
_YEAR_BARE = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
INFO_HINT_WORDS = ("填报", "模板", "联系", "审核", "制表", "负责", "报送")
_INFO_HINT = re.compile("|".join(INFO_HINT_WORDS))
_COLON = re.compile("[:：]")


_DATE = re.compile(r"(20\d\d)\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})")
_REVISION_WORDS = re.compile(r"修订|更正|订正|重报|修改版|更新版")
_REVISION_NUMBER = re.compile(r"(?<![a-z])v\s*(\d+)|第\s*([2-9二三四五])\s*版", re.IGNORECASE)
_CN_DIGITS = {"二": 2, "三": 3, "四": 4, "五": 5}


def years_in(text: object) -> list[int]:
    """Years written as ``2023年`` in a text, plan periods (2022—2024年) excluded."""
    s = _YEAR_RANGE.sub("", str(text or ""))
    return [int(y) for y in _YEAR_IN_TEXT.findall(s)]


def title_years(title: str) -> list[int]:
    """The years a return's title states (2023年度), else the year it writes in Chinese
    numerals (二〇二三年度: :func:`~jrc_analysis.returns.parse.chinese_year`)."""
    found = years_in(title)
    if found:
        return found
    year = parse.chinese_year(title)
    return [year] if year is not None else []


def bare_years_in(text: object) -> list[int]:
    """Four-digit years in a text (file names: ``2023_南昌.xlsx``), plan periods excluded."""
    s = _YEAR_RANGE.sub("", str(text or ""))
    return [int(y) for y in _YEAR_BARE.findall(s)]


def revision_rank(text: object) -> int:
    """0 for no marker; 2 for 修订 / 更正 / 订正 / 重报; N for ``vN`` or 第N版 (the highest)."""
    s = str(text or "")
    rank = 2 if _REVISION_WORDS.search(s) else 0
    for digits, chinese in _REVISION_NUMBER.findall(s):
        n = int(digits) if digits else _CN_DIGITS.get(chinese, int(chinese) if chinese.isdigit() else 0)
        rank = max(rank, n if n >= 2 else rank)
    return rank


def date_text(value: object) -> str:
    """A 填报日期 as ``YYYY-MM-DD`` (from a datetime, an Excel serial number or text), or ``""``."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 30000 < value < 80000:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
    match = _DATE.search(str(value or ""))
    if not match:
        return ""
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return ""


def hinted_cells(grids: dict[str, Grid], records: list[Cell]) -> list[Cell]:
    """The text cells of ``grids`` (built from ``records``) whose text has a label hint word
    (填报, 模板 …), in grid order: the cells :func:`info_lines` looks at."""
    rank = {sheet: i for i, sheet in enumerate(grids)}
    found = [rec for rec in map(records.__getitem__, _hint_indices(list(map(_RAW, records))))
             if isinstance(rec.value, str) and grids[rec.sheet][rec.row][rec.col] is rec]
    return sorted(found, key=lambda rec: (rank[rec.sheet], rec.row, rec.col))


def _hint_indices(texts: list) -> set[int]:
    """Indices of the texts holding a label hint word (:data:`INFO_HINT_WORDS`).

    The words are looked for in the texts joined by NUL (no hint word holds one), each place
    found mapped to its text by counting the NULs before it; one search per text when a text
    holds a NUL itself.
    """
    try:
        joined = "\x00".join(texts)
    except TypeError:  # not all str: as the texts would be shown
        joined = "\x00".join(map(str, texts))
    if joined.count("\x00") != len(texts) - 1:
        return {i for i, text in enumerate(texts) if _INFO_HINT.search(str(text))}
    found, index, position = set(), 0, 0
    for start in sorted(_places_of_words(joined, INFO_HINT_WORDS)):
        index += joined.count("\x00", position, start)
        position = start
        found.add(index)
    return found


def _places_of_words(text: str, words: tuple[str, ...]) -> list[int]:
    """Where each of ``words`` occurs in ``text`` (str.find: faster than one regex scan)."""
    places = []
    for word in words:
        place = text.find(word)
        while place >= 0:
            places.append(place)
            place = text.find(word, place + 1)
    return places


def info_lines(grids: dict[str, Grid], hinted: list[Cell]) -> list[dict]:
    """Label lines (填报单位：… 填报日期：… 模板版本：…) anywhere: ``key, text, value, cells``.

    ``hinted`` are the cells to look at (:func:`hinted_cells`). The value is the rest of the
    label cell after the colon, else the next non-empty cell to the right in the same row (at
    most three columns away).
    """
    out = []
    for rec in hinted:
        sheet, text, cols = rec.sheet, str(rec.raw), grids[rec.sheet][rec.row]
        recs = list(cols.values())
        i = list(cols).index(rec.col)
        head, _colon, rest = text.replace("：", ":").partition(":")
        key = INFO_LABELS.get(names.plain(head))
        if key is None:
            continue
        used = [(sheet, rec.cell)]
        value: object = rest.strip()
        if not value and i + 1 < len(recs) and recs[i + 1].col - rec.col <= 3:
            nxt = recs[i + 1]
            if INFO_LABELS.get(names.plain(_COLON.split(str(nxt.raw))[0])) is None:
                value = nxt.value if nxt.value is not None else nxt.raw
                used.append((sheet, nxt.cell))
        out.append({"key": key, "sheet": sheet, "cell": rec.cell, "text": text,
                    "value": value, "cells": used})
    return out


def _choose(found: list[tuple[str, object]]) -> tuple[object | None, list[tuple[str, object]]]:
    """The first (highest-priority) value and the sources that disagree with it."""
    found = [(src, val) for src, val in found if val not in (None, "")]
    if not found:
        return None, []
    chosen = found[0][1]
    return chosen, [(src, val) for src, val in found if val != chosen]


def return_info(grids, lines, tables, source_file, ledger, complain: bool = True) -> tuple[ReturnInfo, bool]:
    """Reporting unit, year and the rest, cross-checked; errors when unit or year are unknown
    (none when ``complain`` is false: a workbook without a table gets one issue saying so).

    ``tables`` (:class:`~jrc_analysis.returns.locate.Table`) give the title lines (the text above
    each table's header) and the value column headers (a year: 2023年完成数).
    """
    titles = []
    for table in tables:
        for rec in grid_cells(grids[table.sheet], last_row=table.first_row - 1):
            if (rec.sheet, rec.cell) in ledger.ignored:
                continue
            unit_line = UNIT_LINE.match(rec.raw)
            if unit_line is None and isinstance(rec.value, str):
                titles.append((rec.sheet, rec.cell, rec.raw))
            ledger.ignore(rec.sheet, rec.cell)
    title_text = " ".join(dict.fromkeys(t for _s, _c, t in titles))  # a title repeated on each sheet once
    path = source_file.replace("\\", "/")
    folder, _, filename = path.rpartition("/")
    by_key = {}
    for line in lines:
        by_key.setdefault(line["key"], line)

    unit_line = by_key.get("unit")
    unit_from_line = None
    if unit_line is not None:
        place = names.match_place(str(unit_line["value"]))
        unit_from_line = place.prefecture if place and place.level != "county" else \
            names.find_unit_in_text(unit_line["value"])
    sheet_names = " ".join(dict.fromkeys(t.sheet for t in tables))
    unit_found = [
        ("填报单位", unit_from_line),
        ("标题", names.find_unit_in_text(title_text)),
        ("工作表名", names.find_unit_in_text(sheet_names)),
        ("文件名", names.find_unit_in_text(filename)),
        ("文件夹", names.find_unit_in_text(folder)),
    ]
    value_header_years = [year for table in tables if table.kind == "summary"
                          for col, role in table.columns.items() if role == "value"
                          for text in table.texts.get(col, ()) for year in years_in(text)]
    year_found = [
        ("标题", (title_years(title_text) or [None])[0]),
        ("表头", (value_header_years or [None])[0]),
        ("工作表名", (years_in(sheet_names) + bare_years_in(sheet_names) or [None])[0]),
        ("文件名", (years_in(filename) + bare_years_in(filename) or [None])[0]),
        ("文件夹", (bare_years_in(folder) or [None])[-1] if folder else None),
    ]
    unit, unit_conflicts = _choose(unit_found)
    year, year_conflicts = _choose(year_found)
    ok = unit is not None and year is not None
    if complain and unit is None:
        ledger.issue(error(
            "clean.no_prefecture", source_file,
            f"{where(source_file)}：无法判断填报单位（标题、“填报单位”、工作表名和文件名中都没有设区市名称或“省本级”）。"
            "请在“填报单位：”后填写本单位名称（如“南昌市红十字会”）后重新报送。"))
    elif complain and unit_conflicts:
        said = "，".join(f"{src}为“{val}”" for src, val in unit_conflicts)
        ledger.issue(warning(
            "clean.prefecture_conflict", source_file,
            f"{where(source_file)}：填报单位不一致：按{unit_found_source(unit_found, unit)}认定为“{unit}”，但{said}。"
            "请核对后统一填报单位和文件名。"))
    if complain and year is None:
        ledger.issue(error(
            "clean.no_year", source_file,
            f"{where(source_file)}：无法判断报表年度（标题、表头、工作表名和文件名中都没有年份）。"
            "请在标题中写明年度（如“2023年度……完成情况表”）后重新报送。"))
    elif complain and year_conflicts:
        said = "，".join(f"{src}为{val}年" for src, val in year_conflicts)
        ledger.issue(warning(
            "clean.year_conflict", source_file,
            f"{where(source_file)}：年度不一致：按{unit_found_source(year_found, year)}认定为{year}年，但{said}。"
            "请核对标题、表头和文件名中的年份。"))
    version = by_key.get("template_version")
    fill = by_key.get("fill_date")
    info = ReturnInfo(
        source_file=source_file,
        prefecture=unit,
        year=int(year) if year is not None else None,
        template_version=str(version["value"]).strip() if version else "",
        fill_date=date_text(fill["value"]) if fill else "",
        revision=max(revision_rank(filename), revision_rank(title_text)),
        title=title_text,
    )
    return info, ok


def unit_found_source(found: list[tuple[str, object]], chosen: object) -> str:
    """The name of the first source that gave ``chosen``."""
    for src, val in found:
        if val == chosen:
            return src
    return ""

"""Finding a return's tables by content: what header cells mean, where the tables start."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from jrc_analysis.plan import catalog
from jrc_analysis.returns import names, parse
from jrc_analysis.returns.grid import Cell, Grid, grid_cells, is_number_like


# Header words (compared after names.plain: NFKC, no spaces or punctuation).
NAME_HEADERS = {"指标名称", "指标", "项目", "名称", "指标项目", "项目名称", "主要指标", "工作指标",
                "考核指标", "内容", "工作内容", "指标内容", "任务指标", "目标任务", "工作任务", "具体任务"}
CODE_HEADERS = {"指标代码", "代码", "编码", "指标编码", "code"}
UNIT_HEADERS = {"单位", "计量单位", "单位计量"}
COUNTY_HEADERS = {"县市区", "县区", "区县", "县市区名称", "单位名称", "地区", "县市区红十字会",
                  "县级红十字会", "县市区红会"}
VALUE_WORDS = ("完成", "实际", "实绩", "本年", "数值", "填报数", "本期", "累计")
NOT_VALUE_WORDS = ("上年", "去年", "同比", "同期", "目标", "计划", "增减", "增长", "完成率", "进度", "差额",
                   "比例", "环比", "任务数")
# a part of the value beside it (其中：市本级) or one month's figure (12月份): never the year's value
_PART_OR_MONTH = re.compile(r"^(其中.*|\d{1,2}月份?)$")
TOTAL_WORDS = ("合计", "小计", "总计", "全市")
TOTAL_LABEL = re.compile("|".join(TOTAL_WORDS))


UNIT_LINE = re.compile(r"^\s*(?:计量)?单位\s*[:：]\s*(\S+)\s*$")


_ASCII_LETTER = re.compile("[A-Za-z]")
HEADER_MAX_CHARS = 60  # the longest heading seen is about 20 (2023年1-12月累计完成数（万元）)


def header_role(text: str) -> str | None:
    """The role of a header cell: ``name``, ``code``, ``unit``, ``value``, ``county``, ``note``,
    ``other`` (a known column to ignore: 上年完成数, 目标, 同比, 序号 …) or None (not a header word)."""
    if isinstance(text, str) and (text.isdigit() or text.isascii() and not _ASCII_LETTER.search(text)):
        return None  # numbers and symbols: no header word is written so (and they would flood the cache)
    if len(str(text)) > HEADER_MAX_CHARS:
        return None  # a paragraph, not a column heading (and costly to parse)
    return _header_role(str(text))


@lru_cache(maxsize=4096)
def _header_role(text: str) -> str | None:
    label, _unit = parse.split_header_unit(text)
    h = names.plain(label)
    full = names.plain(text)
    if not h:
        return None
    if h in COUNTY_HEADERS or full in COUNTY_HEADERS:
        return "county"
    if h in CODE_HEADERS or "代码" in h:
        return "code"
    if h in UNIT_HEADERS:
        return "unit"
    if h in NAME_HEADERS or (h.endswith("名称") and "单位" not in h) or (
            len(h) <= 4 and h.endswith("指标") and not any(w in h for w in NOT_VALUE_WORDS)):
        return "name"
    if h in ("备注", "说明", "备注说明", "情况说明"):
        return "note"
    if any(w in h for w in NOT_VALUE_WORDS) or _PART_OR_MONTH.match(h):
        return "other"
    if any(w in h for w in VALUE_WORDS):
        return "value"
    if h in ("序号", "行动", "领域", "类别", "序", "编号", "分类"):
        return "other"
    return None


HEADER_BAND = 3   # a header spans at most this many rows (group cells above the column names)
NO_COL = 1 << 14  # past Excel's last column (16,384)


@dataclass(frozen=True)
class Table:
    """Where one table of a return is.

    ``kind``: ``summary`` (indicators as rows; ``columns`` col → role) or ``county`` (counties as
    rows, indicators as columns; ``columns`` col → header text). A header may span several rows
    (group cells such as 完成情况 or a 行动 above the column names): ``top_row`` is its first row,
    ``header_row`` its last, ``texts`` each column's texts from top to bottom. A sheet may hold
    side-by-side tables: each covers ``first_col``..``last_col``. ``transposed``: a county table
    with counties as columns; its rows and columns are then those of the transposed sheet
    (:func:`transposed_grid`), ``top_row`` still the sheet's.
    """

    kind: str
    sheet: str
    header_row: int
    columns: dict[int, str]
    label_col: int = 0
    code_row: int = 0
    top_row: int = 0
    first_col: int = 1
    last_col: int = NO_COL
    texts: dict = field(default_factory=dict, compare=False)
    transposed: bool = False

    @property
    def first_row(self) -> int:
        """The first row of the header band, in the sheet's own rows."""
        return self.top_row or self.header_row


def _texts(cols: dict[int, Cell]) -> dict[int, str]:
    return {col: rec.raw for col, rec in cols.items()}


class RowRoles(dict):
    """Row → {col → header role} of a sheet's cells, each row worked out once, when first asked
    for (the table finders look at the same rows)."""

    def __init__(self, grid: Grid) -> None:
        super().__init__()
        self.grid = grid

    def __missing__(self, row: int) -> dict[int, str | None]:
        roles = self[row] = {col: header_role(rec.raw) for col, rec in self.grid[row].items()}
        return roles


def _is_header_continuation(cols: dict[int, Cell]) -> bool:
    """True for a row under a header row that continues it (完成数 | 其中：市本级 under 完成情况):
    text only, no indicator name or code, at least one header word."""
    if not cols or any(is_number_like(rec.value) or rec.raw.isdigit() for rec in cols.values()):
        return False
    if any(names.match_indicator(rec.raw) or rec.raw.strip() in names.indicator_codes()
           for rec in cols.values()):
        return False
    return any(header_role(rec.raw) is not None for rec in cols.values())


def _band_roles(grid: Grid, row: int) -> tuple[int, dict[int, str], dict[int, tuple[str, ...]]]:
    """The header band starting at ``row``: its last row, each column's role (the lowest cell's
    role that has one, a 上年/目标 group above a value column making it ``other``) and texts."""
    last = row
    while last + 1 in grid and last + 1 - row < HEADER_BAND and _is_header_continuation(grid[last + 1]):
        last += 1
    texts: dict[int, tuple[str, ...]] = {}
    for r in range(row, last + 1):
        for col, rec in grid.get(r, {}).items():
            texts[col] = texts.get(col, ()) + (rec.raw,)
    roles = {}
    for col, stack in texts.items():
        found = [header_role(t) for t in stack]
        role = next((r for r in reversed(found) if r is not None), None)
        if role == "value" and "other" in found:
            role = "other"
        if role:
            roles[col] = role
    return last, roles, texts


def _blocks(roles: dict[int, str]) -> list[tuple[int, int]]:
    """Column spans of side-by-side tables under one header row: a new table starts where an
    indicator-name (or code) column comes again, with the 序号 columns just before it."""
    starts, seen, last_kept = [1], set(), 0
    for col in sorted(roles):
        role = roles[col]
        if role in ("name", "code") and role in seen:
            start = col
            while start - 1 > last_kept and roles.get(start - 1) == "other":
                start -= 1
            starts.append(start)
            seen = set()
        seen.add(role)
        if role in ("name", "code", "unit", "value", "note"):
            last_kept = col
    ends = [s - 1 for s in starts[1:]] + [NO_COL]
    return list(zip(starts, ends))


def find_summary_tables(grid: Grid, sheet: str, roles_of: RowRoles | None = None) -> list[Table]:
    """The summary tables of a sheet: from the first row with an indicator-name (or code) column
    and a value column on it or in the header rows under it (完成情况 over 完成数), and no
    县（市、区） column, one table per side-by-side block; [] if none."""
    roles_of = RowRoles(grid) if roles_of is None else roles_of
    for row in grid:
        found = set(roles_of[row].values())
        if ("name" not in found and "code" not in found) or "county" in found:
            continue
        if "value" in found or (row + 1 in grid and _is_header_continuation(grid[row + 1])):
            last, roles, texts = _band_roles(grid, row)
            if "value" not in roles.values():
                continue
            tables = []
            for first_col, last_col in _blocks(roles):
                block = {c: r for c, r in roles.items() if first_col <= c <= last_col}
                if "value" in block.values() and ({"name", "code"} & set(block.values())):
                    tables.append(Table("summary", sheet, last, block, top_row=row, first_col=first_col,
                                        last_col=last_col, texts=texts))
            return tables
    return []


def find_county_header(grid: Grid, sheet: str, roles_of: RowRoles | None = None,
                       mappings=None) -> Table | None:
    """The first row with a 县（市、区） column and, on it or up to two rows below (under 行动
    group cells), at least one indicator column (``mappings``: the analyst's lines count); or None."""
    roles_of = RowRoles(grid) if roles_of is None else roles_of
    for row in grid:
        roles = roles_of[row]
        label_col = next((c for c, role in roles.items() if role == "county"), None)
        if label_col is None:
            label_col = _place_label_column(grid, row, roles, mappings)
            if label_col is None:
                continue
        for header_row in range(row, row + HEADER_BAND):
            table = _county_table(grid, sheet, header_row, label_col, row, mappings)
            if table is not None:
                return table
    return None


def _place_label_column(grid: Grid, row: int, roles: dict[int, str | None], mappings=None) -> int | None:
    """The column of county labels under a heading the header words do not call one (单位,
    区域 …), found by content: a short text heading on ``row`` over a column in which at least two
    of the cells in the next rows (past a header band) name a county or 市本级; else None."""
    for col, role in roles.items():
        rec = grid[row][col]
        if role not in (None, "unit") or is_number_like(rec.value) or len(rec.raw) > 12:
            continue
        found = 0
        for below in range(row + 1, row + HEADER_BAND + 4):
            cell = grid.get(below, {}).get(col)
            if cell is not None and is_place_label(cell.raw, mappings):
                found += 1
                if found == 2:
                    return col
    return None


def _county_table(grid: Grid, sheet: str, row: int, label_col: int, top_row: int,
                  mappings=None) -> Table | None:
    """The county table whose indicator names are on ``row`` (None without one)."""
    texts = _texts(grid.get(row, {}))
    below = _texts(grid.get(row + 1, {}))
    code_row = row + 1 if "代码" in names.plain(below.get(label_col, "")) else 0
    if any(c > label_col and _names_indicator(t, below.get(c, "") if code_row else "", mappings)
           for c, t in texts.items()):
        columns = {c: t for c, t in texts.items() if c > label_col}
        if not code_row and row + 1 in grid and _is_header_continuation(grid[row + 1]):
            parts = _value_parts(grid[row + 1], columns)
            if parts is not None:
                return Table("county", sheet, row + 1, parts, label_col=label_col, top_row=top_row)
        return Table("county", sheet, row, columns, label_col=label_col, code_row=code_row,
                     top_row=top_row)
    return None


def _value_parts(under: dict[int, Cell], columns: dict[int, str]) -> dict[int, str] | None:
    """Value column → indicator name when the row under the names splits each name (merged
    over several columns) into 本年完成 | 上年同期 …: under each name, the one column whose
    heading is a value word (the others, 上年同期, 目标, 其中, are never values); None when
    the row splits no name so."""
    starts = sorted(columns)
    out, split = {}, False
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else NO_COL
        parts = [c for c in under if start <= c <= end]
        values = [c for c in parts if header_role(under[c].raw) == "value"]
        split = split or bool(parts)
        if values:
            out[values[0]] = columns[start]
        elif not parts:
            out[start] = columns[start]
    return out if split else None


def _names_indicator(text: str, code_below: str, mappings=None) -> bool:
    return bool(names.match_indicator(parse.split_header_unit(text)[0], mappings=mappings)
                or code_below.strip() in names.indicator_codes())


def find_transposed_county_table(grid: Grid, sheet: str, roles_of: RowRoles | None = None,
                                 mappings=None) -> Table | None:
    """A county table with counties as columns: the first row with an indicator-name column (its
    corner cell headed as names, 指标名称, or as counties, 县（市、区）, as in the template before it
    was turned) and, right of it, at least two county labels (or 市本级; ``mappings``: the
    analyst's place lines count); None if there is none.

    The table is given in the coordinates of :func:`transposed_grid` (its rows are the sheet's
    columns): ``header_row`` is the name column, ``label_col`` the sheet's header row.
    """
    roles_of = RowRoles(grid) if roles_of is None else roles_of
    for row, cols in grid.items():
        roles = roles_of[row]
        name_col = next((c for c, role in roles.items() if role in ("name", "county")), None)
        if name_col is None:
            continue
        places = [c for c, rec in cols.items() if c > name_col and is_place_label(rec.raw, mappings)]
        if len(places) >= 2:
            code_col = next((c for c, role in roles.items() if role == "code"), 0)
            return Table("county", sheet, name_col, {}, label_col=row, code_row=code_col,
                         top_row=row, transposed=True)
    return None


def is_place_label(text: str, mappings=None) -> bool:
    """True for a column label naming a county (东湖区, 九江市濂溪区, 濂溪区红十字会) or 市本级,
    also through a ``place`` line of the analyst's ``mappings``."""
    plain = names.plain(text)
    return bool(plain) and (("本级" in plain and "省" not in plain)
                            or county_place(text, mappings=mappings) is not None)


@lru_cache(maxsize=4096)
def county_place(text: str, prefecture: str | None = None, mappings=None):
    """The county a row or column label names (a :class:`names.Place` of level county), also with
    the prefecture in front (九江市濂溪区) or 红十字会 after it (濂溪区红十字会); else None.

    A ``place`` line of the analyst's ``mappings`` for the label (or for it without the
    prefecture or 红十字会) comes first: its county, or ``市本级`` (a Place of level ``city_hq``);
    an ``ignore`` line gives None (:func:`taught_place_line` tells the two apart). Cached, as the
    matchers are per :class:`~jrc_analysis.returns.mappings.Mappings`: the same labels recur."""
    forms = _label_forms(text)
    line, form = _taught(forms, mappings)
    if line is not None:
        return names.match_place(form, prefecture, mappings) if line.kind == "place" else None
    for form in forms:
        place = names.match_place(form, prefecture)
        if place is not None and place.level == "county":
            return place
    return None


def taught_place_line(text: str, mappings):
    """The analyst's ``place`` or ``ignore`` line for a county label (as written, or without
    the prefecture in front or 红十字会 after it), or None."""
    return _taught(_label_forms(text), mappings)[0]


@lru_cache(maxsize=4096)
def _taught(forms: tuple[str, ...], mappings):
    """``(line, form)``: the first of ``forms`` a mappings line is about; ``(None, "")``
    (cached per :class:`~jrc_analysis.returns.mappings.Mappings`, whose lookups note the lines
    used once per process)."""
    if mappings is not None:
        for form in forms:
            line = mappings.place_line(form)
            if line is not None:
                return line, form
    return None, ""


@lru_cache(maxsize=4096)
def _label_forms(text: str) -> tuple[str, ...]:
    """A county label as written, without 红十字会 after it, and without the prefecture in front."""
    text = str(text).strip()
    core = _RED_CROSS_TAIL.sub("", text)
    forms = [text, core]
    for pref in _prefecture_prefixes():
        if core.startswith(pref) and len(core) > len(pref):
            forms.append(core[len(pref):])
            break
    return tuple(dict.fromkeys(f for f in forms if f))


_NOTE = re.compile(r"[（(][^（()）]*[）)]")


@lru_cache(maxsize=4096)
def is_prefecture_label(text: str, prefecture: str | None) -> bool:
    """True for a row or column label of a county table naming the return's own prefecture
    (宜春市, 宜春市（全市）, 宜春市红十字会): the prefecture's own figures, not a county's
    (cached: the same labels recur in every return)."""
    if not prefecture or "本级" in names.plain(text):
        return False
    place = names.match_place(_NOTE.sub("", str(text)), prefecture)
    return place is not None and place.level == "prefecture" and place.name == prefecture


def county_of_code(text: str):
    """The county (a :class:`names.Place`) whose GB/T 2260 code (区划代码, 360102) ``text`` is; None
    for any other text."""
    return _county_codes().get(str(text).strip().removesuffix(".0"))


@lru_cache(maxsize=1)
def _county_codes() -> dict:
    geo = catalog.geography()
    return {code: names.Place("county", name, str(pref))
            for code, name, pref in geo.loc[geo["level"] == "county", ["code", "name", "prefecture"]]
            .itertuples(index=False)}


_RED_CROSS_TAIL = re.compile(r"(红十字会|红会)$")


@lru_cache(maxsize=1)
def _prefecture_prefixes() -> tuple[str, ...]:
    """Prefecture names as they are written before a county (九江市, 九江), longest first."""
    found = {p for name in catalog.prefectures() for p in (name, name.removesuffix("市"))}
    return tuple(sorted(found, key=lambda p: (-len(p), p)))


def transposed_grid(grid: Grid, table: Table) -> Grid:
    """The cells of a counties-as-columns table turned so that counties are rows: row = the
    sheet's column, column = the sheet's row (the cells keep their own addresses).

    Only the columns a county table needs: the indicator names (with the 单位 column's unit
    written after the name, 新增基层组织（个）), the 指标代码 column and the county columns.
    """
    header = grid[table.label_col]
    name_col = table.header_row
    unit_col = next((c for c, rec in header.items() if header_role(rec.raw) == "unit"), None)
    keep = {name_col, table.code_row} | {c for c, rec in header.items()
                                         if c > name_col and header_role(rec.raw) is None}
    turned: Grid = {}
    for row, cols in grid.items():
        if row < table.label_col:
            continue
        for col, rec in cols.items():
            if col not in keep:
                continue
            if col == name_col and row > table.label_col and unit_col in cols \
                    and parse.split_header_unit(rec.raw)[1] is None:
                rec = rec._replace(raw=f"{rec.raw}（{cols[unit_col].raw}）")
            turned.setdefault(col, {})[row] = rec
    return {col: dict(sorted(turned[col].items())) for col in sorted(turned)}


def transposed_columns(turned: Grid, table: Table) -> Table:
    """``table`` with its columns (the sheet's data rows → the indicator header texts)."""
    header = turned.get(table.header_row, {})
    columns = {c: rec.raw for c, rec in header.items() if c > table.label_col}
    return replace(table, columns=columns)


AREA_HEADERS = {"行动", "领域", "类别", "分类", "行动名称", "所属行动", "工作领域", "行动领域"}


def area_column(texts: dict[int, tuple[str, ...]], first_col: int = 1, last_col: int = NO_COL) -> int | None:
    """The column of a table whose header (``texts``: column → header texts) is 行动, 领域 or
    the like: the column of the 行动 each row belongs to; None without one."""
    return next((col for col in sorted(texts) if first_col <= col <= last_col
                 and any(names.plain(t) in AREA_HEADERS for t in texts[col])), None)


def row_areas(grid: Grid, first_row: int, name_col: int | None, area_col: int | None,
              default: str | None = None) -> dict[int, str | None]:
    """Row → the action area (a code: ``rescue``) the row sits under, from ``first_row`` on: the
    row's 行动 cell (``area_col``, merged down: the last one above counts), else the last
    heading row above it (a row whose name cell names an area: 三、应急救援壮骨行动), else
    ``default`` (the sheet's area: a sheet per 行动)."""
    out, current = {}, default
    for row, cols in grid.items():
        if row < first_row:
            continue
        found = None
        if area_col is not None and area_col in cols:
            found = names.area_code(cols[area_col].raw)
        elif name_col is not None and name_col in cols:
            found = names.area_code(cols[name_col].raw)
            if found is not None and any(is_number_like(rec.value) for c, rec in cols.items() if c != name_col):
                found = None  # a row with numbers: an indicator naming its area, not a heading
        current = found or current
        out[row] = current
    return out


def column_areas(grid: Grid, table: Table) -> dict[int, str | None]:
    """Column → the action area of a county table's indicator column: the 行动 group cell
    above it in the header band (a merged cell: the nearest one to its left counts)."""
    out: dict[int, str | None] = {}
    for row in range(table.first_row, table.header_row):
        current = None
        cells = grid.get(row, {})
        for col in sorted(set(cells) | set(table.columns)):
            if col in cells:
                current = names.area_code(cells[col].raw)
            if col in table.columns and out.get(col) is None:
                out[col] = current
    return out


def sheet_area(grid: Grid, sheet: str, table: Table) -> str | None:
    """The action area a whole sheet is about (a sheet per 行动): named in the sheet name, else
    in the title lines above its table; None otherwise."""
    found = names.area_code(sheet)
    if found is None:
        for rec in grid_cells(grid, last_row=table.first_row - 1):
            found = names.area_code(rec.raw) if isinstance(rec.value, str) else None
            if found is not None:
                break
    return found


def header_unit(texts: tuple[str, ...]) -> str | None:
    """The unit a column's header texts state (the lowest first: 完成数（万元） under 完成情况)."""
    for text in reversed(texts):
        unit = parse.split_header_unit(text)[1]
        if unit:
            return unit
    return None


def sheet_unit_line(grid: Grid, table: Table) -> str | None:
    """A ``单位：万元`` line above the header, if any."""
    for rec in grid_cells(grid, last_row=table.first_row - 1):
        match = UNIT_LINE.match(rec.raw)
        if match:
            return match.group(1)
    return None

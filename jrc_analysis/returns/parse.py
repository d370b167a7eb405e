"""Text -> numbers and units: cells as people write them, read without guessing.

:func:`parse_number` reads one cell. Its ``value`` is the number as written **times any
multiplier written in the cell** (``15.2万`` -> 152000.0, ``2.3亿元`` -> 230000000.0, ``12.5%`` ->
0.125); ``unit`` records what was written (``万``, ``亿元``, ``%``) for the note. The unit that
``value`` is then expressed in is :attr:`ParsedNumber.value_unit` (``亿元`` -> ``元``; a bare
multiplier or a percentage -> None, i.e. "not said in the cell").

Converting to the catalogue's base unit is a separate step, :func:`unit_factor`:

- the cell says its own unit (``value_unit`` not None): ``value * unit_factor(value_unit, base)``;
- otherwise the unit of the column or header applies (``完成数（万人次）``, found with
  :func:`split_header_unit`): ``value * unit_factor(column_unit, base)``.

``missing`` (blank, —, /, 不适用 …) means "not reported": no value, never 0. ``无`` means 0.
Footnote and note markers before or after a number (``102①``, ``2704*``, ``35注1``, ``[1]12``,
``12（注）``, ``5³``) are dropped before the digits are read (:func:`strip_markers`): they are never
read as digits. Excel's error values (``#DIV/0!`` …) are named (:func:`excel_error`), milestones
answered in words are read by :func:`parse_milestone`, and a year written in Chinese numerals
(``二〇二三年度``) by :func:`chinese_year`. Nothing here raises on any input.
"""
from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

MISSING_TOKENS = frozenset({
    "", "-", "--", "---", "—", "——", "–", "/", "//", "\\", "…", "……", "不适用", "无数据", "暂无",
    "暂无数据", "未填报", "未统计", "n/a", "na", "null", "none", "nil",
})
TRUE_WORDS = frozenset({"是", "有", "已完成", "完成", "已建成", "建成", "已上线", "上线", "已开通",
                        "已设立", "已建立", "已参加", "参加", "√", "✓", "✔", "yes", "true"})
FALSE_WORDS = frozenset({"否", "未完成", "未建成", "未上线", "未开通", "未设立", "未建立", "未参加",
                         "没有", "×", "✗", "no", "false"})
ZERO_WORDS = frozenset({"无", "零"})

MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "千万": 1e7, "十万": 1e5}
PERCENT = {"%": 0.01, "‰": 0.001}
BASE_UNITS = ("人次", "人份", "元", "人", "名", "个", "台", "支", "家", "项", "期", "场", "例", "所",
              "处", "座", "次", "件", "套", "户", "小时", "是/否")
# Units that name the same quantity ("名" and "人" both count people; "个" is the generic
# classifier and stands for any count classifier). Anything else reconciles only with itself.
PEOPLE = frozenset({"人", "名"})
COUNT_CLASSIFIERS = frozenset({"个", "台", "支", "家", "项", "期", "场", "例", "所", "处", "座", "件",
                               "套", "户"})

_APPROX_PREFIXES = ("大约", "将近", "接近", "约", "近", "逾", "超过")
_APPROX_SUFFIXES = ("左右", "以上", "余", "多", "许")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")",
                           "〔": "(", "〕": ")", "−": "-", "﹣": "-", "－": "-"})
_NUMBER = re.compile(r"([+-]?)((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)"
                     r"((?:[eE][+-]?[0-9]+)?)")
_MULTIPLIER = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_UNIT_ALTERNATIVES = "|".join(re.escape(u) for u in sorted(BASE_UNITS, key=len, reverse=True))
_UNIT_TEXT = re.compile(rf"^(?:(?P<mult>{_MULTIPLIER})?(?P<base>{_UNIT_ALTERNATIVES})|"
                        rf"(?P<only>{_MULTIPLIER})|(?P<pct>[%‰]))$")
_HEADER_BRACKET = re.compile(r"^(?P<name>.*?)\s*\(\s*(?:单位\s*[:：]?\s*)?(?P<unit>[^()]+?)\s*\)\s*$")
_HEADER_LABEL = re.compile(r"^(?P<name>.*?)\s*[,，;；]?\s*单位\s*[:：]\s*(?P<unit>\S+?)\s*$")
# Excel's error values and what they mean (the cleaner quotes them).
EXCEL_ERRORS = {
    "#DIV/0!": "除数为 0", "#REF!": "引用的单元格已删除", "#N/A": "查找不到数据",
    "#VALUE!": "参与计算的值类型不对", "#NAME?": "公式中有无法识别的名称", "#NUM!": "数值无效",
    "#NULL!": "区域不相交", "#SPILL!": "溢出区域被占用", "#CALC!": "计算出错",
    "#GETTING_DATA": "数据尚未取回",
}
# Footnote and note markers (matched on the text as written, before NFKC turns ① and ³ into
# digits): circled, parenthesised and full-stop numbers, superscript digits, asterisks and
# daggers, 注/注1/注①, and bracketed notes holding only digits or 注 (（注）, [1], 【注2】).
_MARK_CHARS = "\u2460-\u249b\u24eb-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf"
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074-\u2079"
_MARKER = (rf"(?:[{_MARK_CHARS}]|[{_SUPERSCRIPTS}]+|[*＊※†‡]+|"
           rf"[(（\[［【〔]\s*(?:备注|注)?\s*[0-9０-９{_MARK_CHARS}]*\s*[)）\]］】〕]|"
           rf"注\s*[0-9０-９{_MARK_CHARS}]*)")
# Before a number, 注 followed by digits needs a space or colon after it (注1 12); 注10 is
# ambiguous and left as it is (then not a number).
_LEADING_MARKER = _MARKER.replace(
    rf"注\s*[0-9０-９{_MARK_CHARS}]*",
    rf"注(?:\s*[{_MARK_CHARS}]+|\s*[0-9０-９]+(?=[\s:：]))?(?![0-9０-９])")
_LEADING_MARKERS = re.compile(rf"^\s*(?:{_LEADING_MARKER}\s*[:：]?\s*)+")
_TRAILING_MARKERS = re.compile(rf"(?:\s*{_MARKER})+\s*$")
_ANY_DIGIT = re.compile(r"[0-9０-９]")
_MARKER_DIGIT = re.compile(rf"[{_MARK_CHARS}{_SUPERSCRIPTS}]")
_SPACES = re.compile(r"\s+")
_UNIT_LABEL = re.compile(r"^单位[:：]?")


@dataclass(frozen=True)
class ParsedNumber:
    """One cell read as a number.

    ``value``: float or None (None unless ``status`` is ``ok``); ``unit``: the unit or multiplier
    written in the cell (``万``, ``亿元``, ``万人次``, ``%``, ``人`` …) or None; ``status``: ``ok``,
    ``missing`` (not reported: blank, —, /, 不适用 …) or ``invalid`` (text that is not a
    number); ``approx``: the cell said 约/余/多/近/左右; ``note``: Chinese, what was read and how
    (empty for a plain number).
    """

    value: float | None
    unit: str | None
    status: str
    approx: bool = False
    note: str = ""

    @property
    def value_unit(self) -> str | None:
        """The unit ``value`` is expressed in, as said by the cell (multiplier removed):
        ``亿元`` -> ``元``, ``万人次`` -> ``人次``, ``人`` -> ``人``; None for no unit, a bare
        multiplier (``万``) or a percentage (the value is then a plain number or a fraction)."""
        return strip_multiplier(self.unit)


def strip_multiplier(unit: str | None) -> str | None:
    """The base unit of ``unit`` without its multiplier (``万元`` -> ``元``); None when ``unit``
    is None, empty, a bare multiplier or a percent sign; the normalised text when not a known
    unit."""
    text = normalise_unit(unit)
    if not text:
        return None
    match = _UNIT_TEXT.match(text)
    if not match:
        return text
    return match.group("base")


def normalise_unit(unit: object) -> str:
    """A unit as comparable text: NFKC (full-width to half-width), brackets, spaces and a
    leading ``单位：`` removed. None -> ``""``."""
    if unit is None or (isinstance(unit, float) and math.isnan(unit)):
        return ""
    return _normalised_unit_text(str(unit))


@lru_cache(maxsize=4096)
def _normalised_unit_text(text: str) -> str:
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_BRACKETS)).strip("()")
    return _UNIT_LABEL.sub("", text).strip("()")


def _plain(text: str) -> str:
    """Cell text normalised for number reading: NFKC, unified minus signs, no spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_BRACKETS))


def parse_number(raw: object) -> ParsedNumber:
    """Read one cell (a raw value or its text) as a number; never raises.

    Handles numbers already numeric (int, float, bool -> 1/0), ``1,234``, ``1 234``, full-width
    digits and punctuation (``１２３４``, ``１，２３４．５``), exponents as ``str(float)`` writes
    them, multipliers in the cell (``15.2万`` -> 152000, ``2.3亿元`` -> 230000000, unit recorded),
    percentages (``12.5%`` -> 0.125, unit ``%``), approximations (``约3000``, ``3000余``,
    ``3000多``, ``近3000``, ``3000左右`` -> 3000, ``approx`` True), trailing units (``人``,
    ``个``, ``台``, ``元`` … -> ``unit``), negative numbers as written (``-5`` -> -5; validation
    flags them), yes/no words (是 有 已完成 已建成 已上线 … -> 1; 否 未完成 未建成 未上线 … -> 0),
    ``无`` -> 0, and "not reported" markers (blank, —, -, /, 不适用, 无数据, 暂无, N/A ->
    ``missing``). Anything else is ``invalid`` with a note quoting it.
    """
    try:
        return _parse(raw)
    except Exception:  # noqa: BLE001 - the parser's promise is to never raise
        return ParsedNumber(None, None, "invalid", False, f"“{_quote(raw)}”无法识别为数字")


def _quote(raw: object) -> str:
    try:
        text = str(raw)
    except Exception:  # noqa: BLE001
        text = "?"
    return text if len(text) <= 40 else text[:40] + "…"


def _parse(raw: object) -> ParsedNumber:
    if raw is None:
        return ParsedNumber(None, None, "missing", False, "未填报（空白）")
    if isinstance(raw, bool):
        return ParsedNumber(float(raw), None, "ok")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = float(raw)
        if math.isnan(number):
            return ParsedNumber(None, None, "missing", False, "未填报（空白）")
        if math.isinf(number):
            return ParsedNumber(None, None, "invalid", False, f"“{raw}”不是有限的数字")
        return ParsedNumber(number, None, "ok")
    if not isinstance(raw, str):
        return ParsedNumber(None, None, "invalid", False,
                            f"“{_quote(raw)}”不是数字（{type(raw).__name__}）")
    return _parse_text(raw)


def excel_error(raw: object) -> str | None:
    """The Excel error value ``raw`` shows (``#DIV/0!``, ``#REF!``, ``#N/A``, ``#VALUE!``,
    ``#NAME?``, ``#NUM!``, ``#NULL!`` …, any case, full-width too) in its canonical spelling, or
    None."""
    if not isinstance(raw, str):
        return None
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    return text if text in EXCEL_ERRORS else None


def strip_markers(raw: str) -> tuple[str, str]:
    """``raw`` without the footnote or note markers before or after it, and the markers removed
    (``"102①"`` → ``("102", "①")``, ``"2704*"`` → ``("2704", "*")``, ``"[1]12"`` → ``("12",
    "[1]")``, ``"12（注）"`` → ``("12", "（注）")``). A text that would be left without a digit is
    returned unchanged (``"①"`` is not a number with a marker)."""
    head = _LEADING_MARKERS.match(raw)
    start = head.end() if head else 0
    tail = _TRAILING_MARKERS.search(raw, start)
    end = tail.start() if tail else len(raw)
    body = raw[start:end]
    if (start == 0 and end == len(raw)) or not _ANY_DIGIT.search(unicodedata.normalize("NFKC", body)):
        return raw, ""
    return body, (raw[:start] + raw[end:]).strip()


@lru_cache(maxsize=4096)
def _parse_text(raw: str) -> ParsedNumber:
    """A text cell read as a number (cached: the same texts recur in every return; the result is
    frozen)."""
    error_value = excel_error(raw)
    if error_value is not None:
        return ParsedNumber(None, None, "invalid", False,
                            f"单元格显示 Excel 错误值“{error_value}”（公式出错：{EXCEL_ERRORS[error_value]}），不是数字")
    body, markers = strip_markers(raw)
    if markers:
        parsed = _parse_text(body)
        if parsed.status != "ok":
            return parsed
        read = f"“{raw.strip()}”：“{markers}”是注释标记，已忽略，按 {_show(parsed.value)} 计"
        return dataclasses.replace(parsed, note=read + (f"（{parsed.note}）" if parsed.note else ""))
    if _MARKER_DIGIT.search(raw):  # ① or ³ inside or alone: never read as a digit
        return ParsedNumber(None, None, "invalid", False,
                            f"“{_quote(raw.strip())}”含注释标记（如①、³），无法确定数字")
    text = _plain(raw)
    word = text.lower()
    if word in MISSING_TOKENS:
        shown = raw.strip()
        return ParsedNumber(None, None, "missing", False,
                            f"未填报（“{shown}”）" if shown else "未填报（空白）")
    if word in TRUE_WORDS:
        return ParsedNumber(1.0, None, "ok", False, f"“{raw.strip()}”按 1（是）计")
    if word in FALSE_WORDS:
        return ParsedNumber(0.0, None, "ok", False, f"“{raw.strip()}”按 0（否）计")
    if word in ZERO_WORDS:
        return ParsedNumber(0.0, None, "ok", False, f"“{raw.strip()}”按 0 计")
    return _parse_numeric_text(raw, text)


def _strip_approx(text: str) -> tuple[str, bool]:
    approx = False
    for prefix in _APPROX_PREFIXES:
        if text.startswith(prefix):
            text, approx = text[len(prefix):], True
            break
    for suffix in _APPROX_SUFFIXES:
        if text.endswith(suffix):
            text, approx = text[: -len(suffix)], True
            break
    return text, approx


def _parse_numeric_text(raw: str, text: str) -> ParsedNumber:
    invalid = ParsedNumber(None, None, "invalid", False, f"“{_quote(raw.strip())}”不是数字")
    body, approx = _strip_approx(text)
    match = _NUMBER.match(body)
    if not match:
        return invalid
    sign, digits, exponent = match.groups()
    tail = body[match.end():]
    inner_approx = False
    for suffix in _APPROX_SUFFIXES:  # 3000余人, 3000多万元
        if tail.startswith(suffix):
            tail, inner_approx = tail[len(suffix):], True
            break
    tail, tail_approx = _strip_approx(tail) if tail else (tail, False)
    approx = approx or inner_approx or tail_approx
    factor, unit = Decimal(1), None
    if tail:
        unit_match = _UNIT_TEXT.match(tail)
        if not unit_match:
            return invalid
        unit = tail
        mult = unit_match.group("mult") or unit_match.group("only")
        if mult:
            factor = Decimal(int(MULTIPLIERS[mult]))
        elif unit_match.group("pct"):
            factor = Decimal(1) / Decimal(int(1 / PERCENT[unit_match.group("pct")]))
    # Decimal arithmetic: 2.3亿 is 230000000, not 229999999.99999997
    number = float(Decimal(sign + digits.replace(",", "") + exponent) * factor)
    if math.isinf(number) or math.isnan(number):
        return invalid
    return ParsedNumber(number, unit, "ok", approx, _note(raw, number, unit, approx, factor))


def _note(raw: str, number: float, unit: str | None, approx: bool, factor: Decimal) -> str:
    parts = []
    if approx:
        parts.append("约数")
    if factor != 1:
        parts.append(f"含“{unit}”，按 {_show(number)} 计")
    elif approx:
        parts.append(f"按 {_show(number)} 计")
    if not parts:
        return ""
    return f"“{raw.strip()}”：" + "，".join(parts)


def _show(number: float) -> str:
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)


def unit_factor(unit: str | None, base_unit: str | None) -> float | None:
    """The factor turning a quantity in ``unit`` into ``base_unit``, or None if they cannot be
    reconciled.

    Both are normalised first (:func:`normalise_unit`: full-width, brackets, spaces, ``单位：``).
    Empty/None ``unit`` (not stated) -> 1.0; identical -> 1.0; a multiplier prefix (万 1e4, 亿 1e8,
    千 1e3, 十万, 百万, 千万) scales: 万元 -> 元 10000, 亿元 -> 元 1e8, 万人次 -> 人次 1e4; a bare
    ``万`` converts to any base unit (1e4). ``名`` and ``人`` both count people; ``个`` stands for
    any count classifier (个 vs 家 -> 1.0); other different units -> None (台 vs 元, 人 vs 人次).
    """
    text = normalise_unit(unit)
    base = normalise_unit(base_unit)
    if not text or text == base:
        return 1.0
    match = _UNIT_TEXT.match(text)
    if not match:
        return None
    if match.group("only"):
        return MULTIPLIERS[match.group("only")]
    if match.group("pct"):
        return PERCENT[match.group("pct")] if not base else None
    factor = MULTIPLIERS[match.group("mult")] if match.group("mult") else 1.0
    written = match.group("base")
    base_match = _UNIT_TEXT.match(base)
    if base_match and base_match.group("base"):
        base_factor = MULTIPLIERS[base_match.group("mult")] if base_match.group("mult") else 1.0
        base = base_match.group("base")
    else:
        base_factor = 1.0
    if not _same_quantity(written, base):
        return None
    return factor / base_factor


def _same_quantity(written: str, base: str) -> bool:
    if written == base or not base:
        return True
    if written in PEOPLE and base in PEOPLE:
        return True
    return (written in COUNT_CLASSIFIERS and base in COUNT_CLASSIFIERS
            and "个" in (written, base))


def split_header_unit(text: object) -> tuple[str, str | None]:
    """A header's name and the unit it states: ``完成数（万人次）`` -> ``("完成数", "万人次")``,
    ``单位：万元`` -> ``("", "万元")``, ``2023年完成数(万元)`` -> ``("2023年完成数", "万元")``.

    Only a recognised unit counts (a multiplier and/or a known base unit, or %): brackets holding
    anything else stay in the name (``应急救护持证培训（救护员）`` -> unchanged, None). The name
    is returned stripped, otherwise as written; the unit in half-width form.
    """
    if text is None:
        return "", None
    text = str(text)
    if len(text) > MAX_HEADER_CHARS:  # not a header: the patterns would cost a step per character
        return text.strip(), None
    return _split_header_text(text)


# A header that states its unit is a few words; longer text (a note, a pasted paragraph) is
# never one, and matching it would cost time in proportion to its length.
MAX_HEADER_CHARS = 200


@lru_cache(maxsize=4096)
def _split_header_text(text: str) -> tuple[str, str | None]:
    original = text.strip()
    work = unicodedata.normalize("NFKC", original).translate(_BRACKETS)
    for pattern in (_HEADER_BRACKET, _HEADER_LABEL):
        match = pattern.match(work)
        if not match:
            continue
        unit = normalise_unit(match.group("unit"))
        if unit and _UNIT_TEXT.match(unit):
            return _name_part(original, len(match.group("name"))), unit
    return original, None


def _name_part(original: str, length: int) -> str:
    """The first ``length`` characters of the header as written (NFKC keeps the CJK length of
    the text we deal with; fall back to the whole text if it changed length)."""
    if len(unicodedata.normalize("NFKC", original)) != len(original):
        normalised = unicodedata.normalize("NFKC", original).translate(_BRACKETS)
        return normalised[:length].strip()
    return original[:length].strip()


# ----------------------------------------------------------------------------------------------
# Milestones answered in words; years in Chinese numerals
# ----------------------------------------------------------------------------------------------

MILESTONE_DONE = frozenset({"是", "有", "完成", "已完成", "建成", "已建成", "上线", "已上线", "开通",
                            "已开通", "已应用", "应用", "已实现", "实现", "已参加", "参加", "已建立",
                            "已设立", "已启用", "√", "✓", "✔", "yes", "true", "1"})
MILESTONE_NOT_DONE = frozenset({"否", "无", "没有", "未完成", "未建成", "未上线", "未开通", "未应用",
                                "未实现", "未参加", "未建立", "未设立", "未启用", "正在建设", "建设中",
                                "在建", "尚未完成", "尚未建成", "尚未上线", "推进中", "正在推进",
                                "×", "✗", "no", "false", "0"})
_NOTE_BRACKETS = re.compile(r"\([^()]*\)")
_CLAUSE_END = re.compile(r"[,，;；。:：]")


def parse_milestone(raw: object) -> ParsedNumber:
    """A milestone (是/否 indicator) answered in words: done → 1, not done → 0.

    ``已完成（2023年6月上线）``, ``已上线``, ``已建成``, ``是``, ``完成``, ``1`` → 1; ``未完成``,
    ``未上线``, ``正在建设``, ``建设中``, ``否``, ``0`` → 0 (a note in brackets, or after a comma, is
    dropped first: ``未完成，预计明年上线`` → 0). Blank and not-reported markers are ``missing``;
    anything else is ``invalid`` with a note quoting the text. Never raises.
    """
    try:
        return _parse_milestone(raw)
    except Exception:  # noqa: BLE001 - never raises
        return ParsedNumber(None, None, "invalid", False, f"“{_quote(raw)}”无法识别为“是/否”")


def _parse_milestone(raw: object) -> ParsedNumber:
    if isinstance(raw, bool) or raw is None or isinstance(raw, (int, float)):
        parsed = _parse(raw)
        if parsed.status == "ok" and parsed.value not in (0.0, 1.0):
            return ParsedNumber(None, None, "invalid", False, f"“{_quote(raw)}”不是“是/否”（应为 1 或 0）")
        return parsed
    if not isinstance(raw, str):
        return _parse(raw)
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw)).translate(_BRACKETS)
    if text.lower() in MISSING_TOKENS:
        return _parse_text(raw)
    previous = None
    while previous != text:
        previous, text = text, _NOTE_BRACKETS.sub("", text)
    text = _CLAUSE_END.split(text, maxsplit=1)[0].lower()
    if text in MILESTONE_DONE:
        return ParsedNumber(1.0, None, "ok", False, f"“{raw.strip()}”按 1（已完成）计")
    if text in MILESTONE_NOT_DONE:
        return ParsedNumber(0.0, None, "ok", False, f"“{raw.strip()}”按 0（未完成）计")
    return ParsedNumber(None, None, "invalid", False,
                        f"“{_quote(raw.strip())}”无法识别为“是/否”（已完成填“是”，未完成填“否”）")


_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_YEAR = re.compile("([〇○零Ｏ一二三四五六七八九]{4})\\s*年")
_RANGE_BEFORE = re.compile("[—–\\-~～至到]\\s*$")


def chinese_year(text: object) -> int | None:
    """The first year written in Chinese numerals in ``text`` (``二〇二三年度``, ``二〇二三年``,
    ``二零二三年`` → 2023), or None. Four digit characters followed by 年, not the end of a
    range (``二〇二二—二〇二四年``); years 1900–2099 only."""
    if text is None:
        return None
    text = str(text)
    for match in _CN_YEAR.finditer(text):
        if _RANGE_BEFORE.search(text[:match.start()]):
            continue  # 二〇二二—二〇二四年: the plan's period, not the return's year
        year = int("".join(str(_CN_DIGIT[ch]) for ch in match.group(1)))
        if 1900 <= year <= 2099:
            return year
    return None

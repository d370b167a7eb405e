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
Nothing here raises on any input.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

MISSING_TOKENS = frozenset({
    "", "-", "--", "---", "—", "——", "–", "/", "//", "\\", "…", "……", "不适用", "无数据", "暂无",
    "暂无数据", "未填报", "未统计", "n/a", "na", "#n/a", "null", "none", "nil",
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


@lru_cache(maxsize=4096)
def _parse_text(raw: str) -> ParsedNumber:
    """A text cell read as a number (cached: the same texts recur in every return; the result is
    frozen)."""
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

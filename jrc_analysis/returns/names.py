"""Text → catalogue codes and places.

Names arrive as people type them: other quote marks, full- or half-width punctuation, numbering
(``1.`` ``1、`` ``（三）`` ``一、`` ``①``), ``其中：``, units in brackets. :func:`normalise` removes all
of that, and matching is then an exact lookup of the normalised text among the catalogue's names
and aliases — never a fuzzy guess. The only fallback is *unique containment* (the text contains
exactly one catalogue name of four characters or more, once longer names have explained shorter
ones), which cannot be ambiguous by construction.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from jrc_analysis.plan import catalog

_CIRCLED = re.compile(r"^[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]+")
_QUOTES = re.compile(r"[\"'`“”‘’「」『』《》〈〉«»‹›]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_CN_NUM = "一二三四五六七八九十百零〇"
_NUMBERING = re.compile(
    rf"^(?:\(\s*[0-9{_CN_NUM}]+\s*\)|[0-9]+\s*[.、,)]|[{_CN_NUM}]+\s*[、.,)]|第[{_CN_NUM}0-9]+[项条]?)"
)
_OF_WHICH = re.compile(r"^其中\s*[:：,，]?")
_MIN_CONTAINED = 4

ORG_SUFFIXES = ("红十字会", "红会")
PROVINCE_PREFIXES = ("江西省", "江西")


def plain(text: object) -> str:
    """``text`` after NFKC with whitespace and punctuation removed, bracket contents kept.

    Used for headers and labels (``县（市、区）`` → ``县市区``, ``填报单位：`` → ``填报单位``).
    """
    if text is None:
        return ""
    return _plain(str(text))


class _SpaceAndPunctuation(dict):
    """A ``str.translate`` table deleting whitespace and punctuation (Unicode category P*),
    filled in as characters are met (up to :attr:`LIMIT` of them: a hostile text cannot grow it
    without bound)."""

    LIMIT = 1 << 16

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if ch.isspace() or unicodedata.category(ch).startswith("P") else code
        if len(self) < self.LIMIT:
            self[code] = kept
        return kept


_DROP_SPACE_AND_PUNCTUATION = _SpaceAndPunctuation()


@lru_cache(maxsize=16384)
def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DROP_SPACE_AND_PUNCTUATION).casefold()


def normalise(text: object) -> str:
    """The matching key of an indicator name.

    NFKC; quote marks removed; bracketed parts removed (units and notes such as ``（个）``,
    ``（万元）``); leading numbering (``1.`` ``1、`` ``（三）`` ``一、`` ``①`` ``第一项``) and
    ``其中：`` removed; whitespace and punctuation removed; Latin letters case-folded.
    """
    if text is None:
        return ""
    s = _CIRCLED.sub("", str(text).strip())
    s = unicodedata.normalize("NFKC", s)
    s = _QUOTES.sub("", s)
    previous = None
    while previous != s:  # nested or repeated brackets
        previous = s
        s = _BRACKETED.sub("", s)
    s = s.strip()
    previous = None
    while previous != s:  # "一、1. 其中：" and the like
        previous = s
        s = _NUMBERING.sub("", s).strip()
        s = _OF_WHICH.sub("", s).strip()
    return plain(s)


@lru_cache(maxsize=None)
def _indicator_keys() -> dict[str, str | None]:
    """Normalised name or alias → code; ``None`` for a key two codes share (never matched)."""
    keys: dict[str, str | None] = {}
    for row in catalog.indicators().itertuples(index=False):
        for text in [row.name, *row.aliases]:
            key = normalise(text)
            if not key:
                continue
            if key in keys and keys[key] != row.code:
                keys[key] = None
            else:
                keys[key] = row.code
    return keys


@lru_cache(maxsize=None)
def indicator_codes() -> frozenset[str]:
    """Every code of the catalogue."""
    return frozenset(catalog.indicators()["code"])


def match_indicator(text: object) -> str | None:
    """The catalogue code ``text`` names, or ``None``.

    Exact match of the normalised text against the normalised names and aliases. Fallback:
    the catalogue keys (four characters or more) contained in the text; keys contained in a longer
    matching key of another code are dropped; a code is returned only if it is the only one left.
    A text that is itself a code (``first_aid.aed_new``) matches that code.
    """
    return _match_indicator(None if text is None else str(text))


@lru_cache(maxsize=8192)
def _match_indicator(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = str(text).strip()
    if stripped in indicator_codes():
        return stripped
    key = normalise(stripped)
    if not key:
        return None
    keys = _indicator_keys()
    if key in keys:
        return keys[key]
    found = [k for k in keys if len(k) >= _MIN_CONTAINED and k in key and keys[k] is not None]
    kept = [k for k in found if not any(k != o and k in o for o in found)]
    codes = {keys[k] for k in kept}
    return codes.pop() if len(codes) == 1 else None


class Place(NamedTuple):
    """A matched place: ``level`` is ``prefecture``, ``province_hq`` or ``county``; ``prefecture``
    is the reporting unit it belongs to (the prefecture itself, or ``省本级``)."""

    level: str
    name: str
    prefecture: str


def _place_key(text: object) -> str:
    """Place text with organisation words removed: ``南昌市红十字会`` → ``南昌市``."""
    s = plain(text)
    for suffix in ORG_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


@lru_cache(maxsize=None)
def _places() -> tuple[Place, ...]:
    geo = catalog.geography()
    out = []
    for row in geo.itertuples(index=False):
        unit = catalog.PROVINCE_HQ if row.level == "province_hq" else (
            row.name if row.level == "prefecture" else str(row.prefecture))
        out.append(Place(row.level, row.name, unit))
    return tuple(out)


@lru_cache(maxsize=None)
def _place_keys() -> dict[str, tuple[Place, ...]]:
    """Exact keys (canonical names and aliases, normalised) → places."""
    geo = catalog.geography()
    keys: dict[str, list[Place]] = {}
    for place, aliases in zip(_places(), geo["aliases"]):
        for text in [place.name, *aliases]:
            key = _place_key(text)
            if key and place not in keys.setdefault(key, []):
                keys[key].append(place)
    return {k: tuple(v) for k, v in keys.items()}


def _short_name(name: str) -> str:
    """``南昌市`` → ``南昌``; names of two characters keep their suffix (no one-character names)."""
    return name[:-1] if len(name) > 2 and name[-1] in "市县区" else name


def _pick(candidates: list[Place], prefecture: str | None) -> Place | None:
    """The one candidate, preferring ``prefecture``'s counties and then prefecture-level units."""
    if not candidates:
        return None
    if prefecture:
        own = [p for p in candidates if p.level == "county" and p.prefecture == prefecture]
        if len(own) == 1:
            return own[0]
    tops = [p for p in candidates if p.level != "county"]
    if len(tops) == 1:
        return tops[0]
    return candidates[0] if len(candidates) == 1 else None


def match_place(text: object, prefecture: str | None = None) -> Place | None:
    """The place ``text`` names: ``(level, canonical_name, prefecture)`` or ``None``.

    ``南昌`` / ``南昌市`` / ``南昌市红十字会`` → the prefecture 南昌市; ``南昌县`` → the county of
    南昌市; ``吉安`` → 吉安市 and ``吉安县`` → the county; ``省本级`` and its aliases → 省本级; old
    names come from the geography's aliases. With ``prefecture`` given, that prefecture's
    counties are preferred (and their short names, such as ``东湖`` for 东湖区, are accepted).
    """
    return _place_of_key(_place_key(text), prefecture)


@lru_cache(maxsize=4096)
def _place_of_key(key: str, prefecture: str | None) -> Place | None:
    """The place a place key names (see :func:`match_place`); cached, the same labels recur."""
    if not key:
        return None
    exact = _place_keys()
    if key in exact:
        return _pick(list(exact[key]), prefecture)
    for prefix in PROVINCE_PREFIXES:  # 江西省南昌市 → 南昌市
        if key.startswith(prefix) and key[len(prefix):] in exact:
            return _pick(list(exact[key[len(prefix):]]), prefecture)
    tops = [p for p in _places() if p.level == "prefecture" and _short_name(p.name) == key]
    if len(tops) == 1:
        return tops[0]
    if prefecture:
        own = [p for p in _places()
               if p.level == "county" and p.prefecture == prefecture and _short_name(p.name) == key]
        if len(own) == 1:
            return own[0]
    return None


def find_unit_in_text(text: object) -> str | None:
    """The reporting unit a free text (title, sheet or file name) names, or ``None``.

    The first prefecture whose name or short name (or an alias) occurs in the text; a county's
    name counts for its prefecture. ``省本级`` only when no prefecture is named and the text says
    本级 (``省本级``, ``江西省本级``): every title says 江西省红十字会.
    """
    return _unit_in_plain(plain(text))


@lru_cache(maxsize=None)
def _unit_keys() -> dict[str, str]:
    """Place key (name, alias or a prefecture's short name) → the one reporting unit it names.

    Province-level keys and keys shared by several units are left out; where a prefecture's short
    name equals another key, the alphabetically first unit wins (the order of the former scan)."""
    keys: dict[str, str] = {}
    for key, places in _place_keys().items():
        units = {p.prefecture for p in places}
        if len(units) != 1 or len(key) < 2:
            continue
        unit = units.pop()
        if unit != catalog.PROVINCE_HQ:
            keys[key] = min(unit, keys.get(key, unit))
    for place in _places():
        if place.level == "prefecture":
            key = _short_name(place.name)
            keys[key] = min(place.prefecture, keys.get(key, place.prefecture))
    return keys


@lru_cache(maxsize=None)
def _unit_pattern() -> re.Pattern:
    """One alternation of :func:`_unit_keys`, longest first: the leftmost, then longest, match."""
    keys = sorted(_unit_keys(), key=lambda k: (-len(k), k))
    return re.compile("|".join(re.escape(k) for k in keys))


@lru_cache(maxsize=4096)
def _unit_in_plain(s: str) -> str | None:
    if not s:
        return None
    match = _unit_pattern().search(s)
    if match:
        return _unit_keys()[match.group(0)]
    for key, places in _place_keys().items():
        if any(p.prefecture == catalog.PROVINCE_HQ for p in places) and "本级" in key and key in s:
            return catalog.PROVINCE_HQ
    return None

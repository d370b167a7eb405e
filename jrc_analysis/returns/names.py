"""Text → catalogue codes and places: exact, then taught (mappings), then scored — never a guess.

Names arrive as people type them: other quote marks, full- or half-width punctuation, numbering
(``1.`` ``1、`` ``（三）`` ``一、`` ``①``), ``其中：``, units in brackets. :func:`normalise` removes all
of that. :func:`resolve_indicator` then tries, in order: the text is a code; the analyst's
``data/mappings.csv`` line for it; an exact catalogue name or alias; *unique containment* (the
text contains exactly one catalogue name of four characters or more, once longer names have
explained shorter ones); and last the **scored match** (:func:`indicator_candidates`): weighted
character-bigram similarity to every catalogue name and alias, adjusted by the row's context. A
scored match is taken only when the best code scores at least :data:`MIN_SCORE` and leads the
second by :data:`MARGIN`; otherwise nothing is matched and the candidates go into the issue.
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from jrc_analysis.plan import catalog
from jrc_analysis.returns.parse import split_header_unit, unit_factor

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


def exact_indicator(text: object) -> str | None:
    """The code whose catalogue name or alias :func:`normalise` makes of ``text``, else None."""
    return _indicator_keys().get(normalise(text))


@lru_cache(maxsize=None)
def indicator_codes() -> frozenset[str]:
    """Every code of the catalogue."""
    return frozenset(catalog.indicators()["code"])


class Resolution(NamedTuple):
    """How a label was resolved: ``code`` (None: not matched, or ignored), ``how`` (``code``,
    ``mapping``, ``ignore``, ``exact``, ``contained``, ``scored`` or ``None``), ``line`` (the
    mappings line used, else 0) and ``candidates`` (ranked ``(code, score)``, filled when the
    scored match was consulted)."""

    code: str | None
    how: str | None
    line: int = 0
    candidates: tuple[tuple[str, float], ...] = ()


def match_indicator(text: object, area: str | None = None, unit: str | None = None,
                    mappings=None) -> str | None:
    """The catalogue code ``text`` names, or ``None`` (see :func:`resolve_indicator`).

    A text that is itself a code (``first_aid.aed_new``) matches that code; then a mappings line,
    an exact name or alias, unique containment, and the scored match (clearly ahead, or nothing).
    """
    return resolve_indicator(text, area, unit, mappings).code


def resolve_indicator(text: object, area: str | None = None, unit: str | None = None,
                      mappings=None) -> Resolution:
    """:class:`Resolution` of an indicator label (steps in the module docstring).

    ``area``: the action area the row sits under (a code such as ``rescue``, or its heading
    ``应急救援壮骨``), ``unit``: the unit the row or column states (``支``, ``万元``); both only
    adjust the scored match. ``mappings``: a :class:`~jrc_analysis.returns.mappings.Mappings`
    (its lines come first)."""
    return _resolve_indicator(None if text is None else str(text), _area_code(area),
                              None if unit is None else str(unit), mappings)


@lru_cache(maxsize=8192)
def _resolve_indicator(text: str | None, area: str | None, unit: str | None, mappings) -> Resolution:
    if text is None:
        return Resolution(None, None)
    stripped = text.strip()
    if stripped in indicator_codes():
        return Resolution(stripped, "code")
    if mappings is not None:
        line = mappings.indicator_line(text)
        if line is not None:
            return Resolution(line.maps_to or None, line.kind if line.kind == "ignore" else "mapping",
                              line.line)
    key = normalise(stripped)
    if not key:
        return Resolution(None, None)
    keys = _indicator_keys()
    if key in keys and not (keys[key] and _note_contradicts(stripped, keys[key])):
        return Resolution(keys[key], "exact" if keys[key] else None)
    if _area_code(stripped) is not None:  # an action's heading (文化传播增效), never an indicator
        return Resolution(None, None)
    ranked = _ranked(stripped, area, unit)
    contained = _contained_code(key)
    if contained is not None and ranked and ranked[0][0] == contained and (
            len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return Resolution(contained, "contained", 0, ranked[:TOP])
    winner = clear_winner(ranked)
    return Resolution(winner, "scored" if winner else None, 0, ranked[:TOP])


def _note_contradicts(text: str, code: str) -> bool:
    """True when a note in brackets names a level or measure the code's own wording contradicts
    (``学校红十字会（新增）``: the bracket-less text is the stock's alias, the note says new ones):
    the exact match is then not taken, the scored match (which keeps the note) decides."""
    forms = _forms(text)
    return len(forms) > 1 and _attribute_factor(code, forms[1:]) < 1


def _contained_code(key: str) -> str | None:
    """The one code whose catalogue keys (four characters or more) the text contains, once keys
    inside a longer found key are dropped; None when none or several."""
    keys = _indicator_keys()
    found = [k for k in keys if len(k) >= _MIN_CONTAINED and k in key and keys[k] is not None]
    kept = [k for k in found if not any(k != o and k in o for o in found)]
    codes = {keys[k] for k in kept}
    return codes.pop() if len(codes) == 1 else None


# ---------------------------------------------------------------------------- the scored match
#
# Similarity of two texts: the weighted Dice coefficient of their character bigrams,
# 2·w(A∩B) / (w(A) + w(B)), each bigram weighted by its specificity in the catalogue,
# log(1 + N / df) with N codes and df the number of codes whose names and aliases contain it
# (a bigram of one code, 赣政, weighs 4.0; one of many, 新增, about 1.2; one the catalogue never
# uses weighs as much as the rarest). A code's score is its best over its name and aliases, each
# compared with and without the notes in brackets (units are dropped first). Context then
# multiplies: a stated unit the code's base unit cannot be converted from ×UNIT_MISMATCH; a
# known area other than the code's ×AREA_MISMATCH; and a label that names a level (国家级, 省级,
# 市级/设区市, 县级) or a measure (新增/新建… = this year's flow; 总数/累计 = the year-end stock) that
# the code's own name and aliases contradict ×ATTRIBUTE_CONFLICT (市级救援队 is not 县级救援队).
#
# Unique containment (above) is kept only when the scored match ranks the same code first, alone:
# left out of the catalogue one at a time, 13 of the 153 aliases containment caught were read as
# the wrong code (三级以上备灾仓库 contains 备灾仓库), 11 of them ranked right by the score.
#
# MIN_SCORE and MARGIN were chosen by leaving each alias out of the catalogue in turn and
# matching it against the rest (a wording the catalogue has never seen, with its true code
# known): see tests/test_names.py::test_leave_one_out_never_wrong and the report.

MIN_SCORE = 0.6
MARGIN = 0.1
UNIT_MISMATCH = 0.5
AREA_MISMATCH = 0.85
ATTRIBUTE_CONFLICT = 0.7
_LEVELS = (("national", re.compile("国家级")), ("province", re.compile("省级|省本级")),
           ("prefecture", re.compile("市级|设区市")), ("county", re.compile("县级|县区|县市区")))
_FLOW_WORDS = re.compile("新增|新建|新成立|新发展|新培养|新配置|当年")
_STOCK_WORDS = re.compile("总数|累计|总量|年末|已建")
TOP = 5


def indicator_candidates(text: object, area: str | None = None, unit: str | None = None
                         ) -> list[tuple[str, float]]:
    """The catalogue codes ranked by similarity to ``text``: ``[(code, score), …]``, best first,
    scores in [0, 1] rounded to 3 decimals, at most :data:`TOP` (codes scoring 0 left out).

    An exact name or alias (or the code itself) scores 1.0. ``area`` and ``unit`` are context
    (see the comment above :data:`MIN_SCORE`)."""
    if text is None:
        return []
    return list(_ranked(str(text).strip(), _area_code(area), None if unit is None else str(unit))[:TOP])


def clear_winner(ranked) -> str | None:
    """The first code of ``ranked`` (``[(code, score), …]`` best first) when it scores at least
    :data:`MIN_SCORE` and leads the second by at least :data:`MARGIN`; else None."""
    if not ranked or ranked[0][1] < MIN_SCORE:
        return None
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if ranked[0][1] - second >= MARGIN - 1e-9 else None


@lru_cache(maxsize=8192)
def _ranked(text: str, area: str | None, unit: str | None) -> tuple[tuple[str, float], ...]:
    if text in indicator_codes():
        return ((text, 1.0),)
    forms = _forms(text)
    if not forms:
        return ()
    shared = _indicator_keys()
    exact = {shared[f] for f in forms if shared.get(f)}
    scores = {}
    for code, key_forms in _code_forms().items():
        best = 1.0 if code in exact else max(
            (_similarity(f, k) for f in forms for k in key_forms), default=0.0)
        best *= _context_factor(code, area, unit) * _attribute_factor(code, forms)
        if best > 0:
            scores[code] = round(best, 3)
    return tuple(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))


def _forms(text: str) -> tuple[str, ...]:
    """The matching forms of a label: :func:`normalise` (brackets dropped) and the same with the
    notes in brackets kept (``应急救援队伍（县级）`` → ``应急救援队伍县级``); a unit in brackets is
    dropped in both."""
    name, _unit = split_header_unit(text)
    out = []
    for form in (normalise(name), _with_notes(name)):
        if form and form not in out:
            out.append(form)
    return tuple(out)


def _with_notes(text: str) -> str:
    s = _CIRCLED.sub("", text.strip())
    s = _QUOTES.sub("", unicodedata.normalize("NFKC", s)).strip()
    previous = None
    while previous != s:
        previous = s
        s = _NUMBERING.sub("", s).strip()
        s = _OF_WHICH.sub("", s).strip()
    return plain(s)


def label_key(text: object) -> str:
    """The key a label is taught by in ``data/mappings.csv``: :func:`normalise` but with the notes
    in brackets kept (``应急救援队伍（县级）`` → ``应急救援队伍县级``, not the same as its 市级
    twin); a unit in brackets is dropped (``县级应急救援服务队伍（支）`` → ``县级应急救援服务队伍``)."""
    if text is None:
        return ""
    return _with_notes(split_header_unit(str(text))[0])


def label_text(text: object) -> str:
    """A label as an analyst writes it in a mappings line: as received, stripped, without a unit
    in brackets (``县级应急救援服务队伍（支）`` → ``县级应急救援服务队伍``)."""
    if text is None:
        return ""
    return " ".join(split_header_unit(str(text))[0].split())


@lru_cache(maxsize=65536)
def _bigrams(text: str) -> frozenset[str]:
    return frozenset({text} if len(text) < 2 else {text[i:i + 2] for i in range(len(text) - 1)})


@lru_cache(maxsize=None)
def _code_forms() -> dict[str, tuple[str, ...]]:
    """Code → the matching forms of its name and aliases (only forms no other code shares)."""
    shared = _indicator_keys()
    out: dict[str, list[str]] = {}
    for row in catalog.indicators().itertuples(index=False):
        forms = out.setdefault(row.code, [])
        for text in [row.name, *row.aliases]:
            for form in _forms(text):
                if form not in forms and shared.get(normalise(text)) is not None:
                    forms.append(form)
    return {code: tuple(forms) for code, forms in out.items()}


@lru_cache(maxsize=None)
def _weights() -> tuple[dict[str, float], float]:
    """Bigram → specificity weight, and the weight of a bigram the catalogue never uses."""
    codes_of: dict[str, set[str]] = {}
    for code, forms in _code_forms().items():
        for form in forms:
            for gram in _bigrams(form):
                codes_of.setdefault(gram, set()).add(code)
    n = len(_code_forms())
    return {g: math.log(1 + n / len(c)) for g, c in codes_of.items()}, math.log(1 + n)


@lru_cache(maxsize=65536)
def _similarity(a: str, b: str) -> float:
    """Weighted Dice coefficient of the bigrams of ``a`` and ``b`` (1.0 for equal texts)."""
    if a == b:
        return 1.0
    weights, unseen = _weights()
    ga, gb = _bigrams(a), _bigrams(b)
    common = sum(weights.get(g, unseen) for g in ga & gb)
    if not common:
        return 0.0
    total = sum(weights.get(g, unseen) for g in ga) + sum(weights.get(g, unseen) for g in gb)
    return 2 * common / total


def _context_factor(code: str, area: str | None, unit: str | None) -> float:
    info = _code_info()[code]
    factor = 1.0
    if unit:
        if unit_factor(unit, info[1]) is None:
            factor *= UNIT_MISMATCH
    if area and area != info[0]:
        factor *= AREA_MISMATCH
    return factor


def _attributes(text: str) -> frozenset[str]:
    """The levels and the measure a text names (``市级`` → prefecture, ``新增`` → flow)."""
    found = {name for name, pattern in _LEVELS if pattern.search(text)}
    if _FLOW_WORDS.search(text):
        found.add("flow")
    if _STOCK_WORDS.search(text):
        found.add("stock")
    return frozenset(found)


@lru_cache(maxsize=None)
def _code_attributes() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Code → (levels its keys name, its measure as the catalogue says)."""
    frame = catalog.indicators()
    measure = dict(zip(frame["code"], frame["measure"]))
    out = {}
    for code, forms in _code_forms().items():
        levels = frozenset().union(*(_attributes(f) for f in forms)) - {"flow", "stock"}
        out[code] = (levels, frozenset({measure[code]}))
    return out


def _attribute_factor(code: str, forms: tuple[str, ...]) -> float:
    said = frozenset().union(*(_attributes(f) for f in forms))
    if not said:
        return 1.0
    levels, measure = _code_attributes()[code]
    said_levels, said_measure = said - {"flow", "stock"}, said & {"flow", "stock"}
    conflict = (said_levels and levels and not said_levels & levels) or (
        len(said_measure) == 1 and not said_measure & measure)
    return ATTRIBUTE_CONFLICT if conflict else 1.0


@lru_cache(maxsize=None)
def _code_info() -> dict[str, tuple[str, str]]:
    """Code → (area code, base unit)."""
    frame = catalog.indicators()
    return {c: (str(a), str(u)) for c, a, u in zip(frame["code"], frame["area"], frame["unit"])}


@lru_cache(maxsize=None)
def _area_keys() -> tuple[tuple[str, str], ...]:
    """``(area code, its name's matching key)`` in the plan's order, read once."""
    areas = catalog.areas()
    return tuple((str(code), _QUOTES.sub("", plain(name))) for code, name in zip(areas["area"], areas["name"]))


@lru_cache(maxsize=1024)
def _area_code_of(text: str) -> str | None:
    keys = _area_keys()
    if text in {code for code, _ in keys}:
        return text
    key = plain(_NUMBERING.sub("", unicodedata.normalize("NFKC", text).strip()))
    key = _QUOTES.sub("", key)
    for code, name_key in keys:
        if key and (key == name_key or name_key in key):
            return code
    return None


def area_code(text: object) -> str | None:
    """The action area a heading names (``三、应急救援壮骨行动`` → ``rescue``; an area code is
    itself), or None: the ``area`` context of :func:`resolve_indicator`."""
    return _area_code(text)


def _area_code(area: object) -> str | None:
    """An area code from a code (``rescue``) or a heading (``三、应急救援壮骨行动``); None if neither."""
    return None if area is None or str(area).strip() == "" else _area_code_of(str(area).strip())


class Place(NamedTuple):
    """A matched place: ``level`` is ``prefecture``, ``province_hq`` or ``county``; ``prefecture``
    is the reporting unit it belongs to (the prefecture itself, or ``省本级``)."""

    level: str
    name: str
    prefecture: str


def place_key(text: object) -> str:
    """The key of a place label (:func:`plain`, organisation words removed)."""
    return _place_key(text)


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


CITY_HQ = "市本级"


def match_place(text: object, prefecture: str | None = None, mappings=None) -> Place | None:
    """The place ``text`` names: ``(level, canonical_name, prefecture)`` or ``None``.

    With ``mappings``, its ``place`` line for the label comes first: a county, or ``市本级``
    (level ``city_hq``, of ``prefecture``); an ``ignore`` line → None.

    ``南昌`` / ``南昌市`` / ``南昌市红十字会`` → the prefecture 南昌市; ``南昌县`` → the county of
    南昌市; ``吉安`` → 吉安市 and ``吉安县`` → the county; ``省本级`` and its aliases → 省本级; old
    names come from the geography's aliases. With ``prefecture`` given, that prefecture's
    counties are preferred (and their short names, such as ``东湖`` for 东湖区, are accepted).
    """
    if mappings is not None:
        line = mappings.place_line(text)
        if line is not None:
            return _mapped_place(line.maps_to, prefecture) if line.kind == "place" else None
    return _place_of_key(_place_key(text), prefecture)


def _mapped_place(name: str, prefecture: str | None) -> Place | None:
    if name == CITY_HQ:
        return Place("city_hq", CITY_HQ, prefecture or "")
    found = [p for p in _places() if p.level == "county" and p.name == name]
    return found[0] if found else None


def place_candidates(text: object, prefecture: str | None = None) -> list[tuple[str, float]]:
    """The counties (of ``prefecture`` when given) and ``市本级`` ranked by bigram similarity
    (Dice) to ``text``: ``[(name, score), …]``, best first, at most :data:`TOP`, zeros left out."""
    key = _place_key(text)
    if not key:
        return []
    names = [p.name for p in _places()
             if p.level == "county" and (prefecture is None or p.prefecture == prefecture)] + [CITY_HQ]
    grams = _bigrams(key)
    scored = []
    for name in names:
        other = _bigrams(_short_name(name) if len(name) > 2 else name) | _bigrams(name)
        common = len(grams & other)
        if common:
            scored.append((name, round(2 * common / (len(grams) + len(other)), 3)))
    return sorted(scored, key=lambda ns: (-ns[1], ns[0]))[:TOP]


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

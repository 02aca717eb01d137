"""The learned fact reader: every number and date a mail states, with its context, and a linear model that says
which fact (slot) each one is.

`candidates(text, ref)` finds the numbers (digits, "1.640", Dutch number words such as "tweehonderdvijftig") and the
dates of the sender's own text and attachments. Each candidate carries its context as feature names: the words just
before and after it, the words of its sentence, cue words of the sentence (AMV, waarvan, totaal, gerealiseerd, in
voorbereiding, vervalt, the task, old-date markers, a question mark), and in a table (cells split by tabs, " | " or
aligned by spaces) its row label, the other cells of its row and its column header. Lines of one cell each (HTML
tables as text) see the lines before them.

The model is multinomial logistic regression over slots (`SLOTS`), fitted by `bot.fact_training` and shipped as
`parsers/data/fact_model.json`: per feature one weight per slot, read once. Reading needs no machine-learning library.
`read_facts` turns the per-candidate probabilities into `Facts`: a value only when its probability clears the bar
(wrong is far worse than missed), then the rules a classifier per number cannot do (a total less its AMV places, a
sum over listed locations, "geen ... in voorbereiding" as 0).
"""

from __future__ import annotations

import json
import math
import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import unicodedata
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from parsers.dates import MONTHS, FoundDate, find_dates
from parsers.model import Facts
from parsers.prefilter import fold, prefiltered

SLOTS = ("none", "realised", "realised_amv", "planned", "planned_amv", "location_lost", "total_with_amv",
         "planned_with_amv", "expected_date")
FACT_MODEL_FORMAT = 1

# -- Dutch number words -------------------------------------------------------------------------------------------

_UNITS = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9}
_TEENS = {"tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16,
          "zeventien": 17, "achttien": 18, "negentien": 19}
_TENS = {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70, "tachtig": 80,
         "negentig": 90}
_SMALL = {**_UNITS, **_TEENS, **_TENS}
_MORPHEMES = sorted([*_SMALL, "honderd", "duizend", "en", "ën"], key=len, reverse=True)
_NUMBER_WORD = re.compile(r"(?<![^\W\d_])(?:" + "|".join(_MORPHEMES) + r")+(?![^\W\d_])", re.IGNORECASE)


def _below_hundred(w: str) -> int | None:
    if w in _SMALL:
        return _SMALL[w]
    for unit, u in _UNITS.items():
        if w.startswith(unit + "en") and w[len(unit) + 2:] in _TENS:
            return u + _TENS[w[len(unit) + 2:]]
    return None


def number_word(word: str) -> int | None:
    """The value of a Dutch number word ("veertig" 40, "tweehonderdvijftig" 250, "vijfenzeventig" 75), else None."""
    w = word.lower().replace("ë", "e")
    if "duizend" in w:
        left, _, right = w.partition("duizend")
        high = 1 if not left else _below_thousand(left)
        low = 0 if not right else _below_thousand(right.removeprefix("en"))
        return None if high is None or low is None else high * 1000 + low
    return _below_thousand(w)


def _below_thousand(w: str) -> int | None:
    if "honderd" in w:
        left, _, right = w.partition("honderd")
        high = 1 if not left else _below_hundred(left)
        low = 0 if not right else _below_hundred(right.removeprefix("en"))
        return None if high is None or low is None else high * 100 + low
    return _below_hundred(w) if w else None


# -- text into segments (sentences, table cells) ------------------------------------------------------------------

_CELL_SPLIT = re.compile(r"\t| +\| +|\s*\|\s*(?=\S)| {2,}")
_BULLET = re.compile(r"^\s*(?:[-•*–·]|\d{1,2}[.)])\s+")
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'‘“-])")
_DIGIT = re.compile(r"[0-9]")
_ALIGNED = re.compile(r"\S {2,}\S")
_FIGURE = re.compile(r"[\d.,%]+")
_WORD = re.compile(r"[^\W\d_]+|\d{1,3}(?:\.\d{3})+(?!\d)|\d+|[?()%:]")


@dataclass(frozen=True)
class _Segment:
    text: str
    row: tuple[str, ...] = ()  # a table row: its cells
    header: tuple[str, ...] = ()  # the header cells of its table (by column)
    columns: tuple[int, ...] = ()  # per cell, its column in the header
    before: str = ""  # the lines before a lone-cell line (HTML tables)


def _fold(text: str) -> str:
    text = text.lower()
    if text.isascii():  # as NFKD leaves it
        return text
    text = unicodedata.normalize("NFKD", text)
    return text.encode("ascii", "ignore").decode("ascii")


def _cells(line: str) -> list[tuple[int, str]] | None:
    """The cells of a table row with their start column, or None for prose."""
    if "\t" not in line and "|" not in line and not _ALIGNED.search(line.strip()):
        return None
    out: list[tuple[int, str]] = []
    pos = 0
    for m in _CELL_SPLIT.finditer(line):
        out.append((pos, line[pos:m.start()]))
        pos = m.end()
    out.append((pos, line[pos:]))
    if "\t" in line or "|" in line:
        cells = [(p, c.strip()) for p, c in out]
        while cells and not cells[0][1] and "|" in line:
            cells.pop(0)
        return cells if len([c for _, c in cells if c]) >= 2 else None
    cells = [(p, c.strip()) for p, c in out if c.strip()]
    return cells if len(cells) >= 2 else None


def _columns(cells: Sequence[tuple[int, str]], header: Sequence[tuple[int, str]], by_index: bool) -> tuple[int, ...]:
    if by_index or not header:
        return tuple(range(len(cells)))
    out = []
    for pos, text in cells:
        end = pos + len(text)
        best, score = 0, -10**9
        for i, (hpos, htext) in enumerate(header):
            hend = hpos + len(htext)
            overlap = min(end, hend) - max(pos, hpos)
            s = overlap if overlap > 0 else -min(abs(pos - hend), abs(hpos - end))
            if s > score:
                best, score = i, s
        out.append(best)
    return tuple(out)


@lru_cache(maxsize=8)
def segments(text: str) -> tuple[_Segment, ...]:
    out: list[_Segment] = []
    para: list[str] = []
    header: list[tuple[int, str]] = []
    header_by_index = False
    in_table = False
    recent: list[str] = []

    def flush() -> None:
        if para:
            joined = " ".join(" ".join(para).split())
            for s in _SENT_SPLIT.split(joined):
                if s:
                    out.append(_Segment(s, before=" ".join(recent[-3:]) if len(s) < 40 else ""))
                    recent.append(s)
            para.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            in_table = False
            continue
        cells = _cells(line)
        if cells is not None:
            flush()
            by_index = "\t" in line or "|" in line
            texts = tuple(c for _, c in cells)
            if not in_table or not header:
                if not any(_FIGURE.fullmatch(c) for c in texts):  # no cell is a number
                    header, header_by_index, in_table = list(cells), by_index, True
                    recent.append(" ".join(texts))
                    continue
                if not in_table:
                    header = []
            in_table = True
            out.append(_Segment(" ".join(texts), texts, tuple(c for _, c in header),
                                _columns(cells, header, header_by_index and by_index)))
            continue
        in_table, header = False, []
        if _BULLET.match(line):
            flush()
        stripped = line.strip()
        para.append(stripped)
        if stripped.endswith(":") or len(stripped) < 40:  # a heading, a lone cell, or a paragraph's last line
            flush()
    flush()
    return tuple(out)


# -- candidates -----------------------------------------------------------------------------------------------------

_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((n, re.compile(p)) for n, p in (
    ("amv", r"\bamv|minderjarig|\bnidos\b"),
    ("waarvan", r"\bwaarvan\b|\bdaarvan\b"),
    ("totaal", r"\btota(?:al|le)\b|\bin totaal\b|\bsamen\b|\bopgeteld\b"),
    ("gerealiseerd", r"gerealiseerd|in gebruik|\brealised|\brealized|beschikbaar|\bbezet\b|vangt\b|\bopgevangen"),
    ("voorbereiding", r"voorbereiding|\bgepland|\bplanned|pijplijn|in ontwikkeling|in aanbouw|in procedure|"
                      r"vergunning|haalbaarheid|\bpreparation|verbouw|\bkomen\b|\bkomt\b|oplevering"),
    ("vervalt", r"vervalt|vervallen|valt weg|vallen weg|verlie|verloren|gesloten|sluit|brand|failliet|opgezegd|"
                r"trekt zich|teruggetrokken|niet door|vernietigd|onbruikbaar|ontruimd|\blost\b|kwijt|geschorst"),
    ("old", r"1 juli 2025|1-7-2025|peildatum|\bwaren\b|destijds|\btoen\b|vorige|eerder|in uw brief|uw brief noemt|"
            r"noemt u|volgens uw|\bbedroeg\b|telde"),
    ("taak", r"taakstelling|\btaak\b|wettelijke|opgave|\btask\b"),
    ("regulier", r"regulier|\bregular\b"),
    ("nu", r"\bnu\b|op dit moment|inmiddels|momenteel|per vandaag|actuele|\bcurrently\b|\bnow\b"),
    ("verwacht", r"verwacht|voldoen|voldoet|\bexpect"),
    ("geen", r"\bgeen\b|\bniets\b|\bno\b"),
    ("resteert", r"resteren|resteert|blijven|blijft|overblijven|over\b"),
    ("naar", r"\bvan \S+ naar\b|\bnaar\b"),
    ("plekken", r"plekken|plaatsen|places|bedden"),
))
_STOP = frozenset({"de", "het", "een", "en", "van", "in", "op", "te", "is", "dat", "die", "met", "voor", "aan", "er",
                   "the", "to", "of", "and", "a", "wij", "we", "ons", "onze", "deze", "dit", "zijn", "worden",
                   "wordt", "ook", "nog", "bij", "als", "om", "u", "uw"})
_SKIP_BEFORE = re.compile(r"(?<![^\W\d_])(?:artikel|art\.?|trede|kenmerk|referentie|postbus|nummer|nr\.?|"
                          r"zaaknummer|fase|bijlage|stap|versie|huisnummer|straat|weg|laan|plein|hoofdstuk|paragraaf|lid|tel\.?|telefoon|t)\s*"
                          r":?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w/.,-])(\d{1,3}(?:\.\d{3})+|\d+)(?![\w/-]|[.,]\d)")
_PHONE = re.compile(r"\b0\d{1,3}\s?-\s?\d{2,3}[\s\d]{4,}|\b06[\s-]*\d{2}[\s\d]{6,}|\b\d{4}\s?[A-Z]{2}\b")


_CLOCK_OR_DMY = re.compile(r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b|\b\d{1,2}[:.]\d{2}\s*uur|\b\d{1,2}:\d{2}\b")
_TENS_WORD = re.compile("tien|elf|twaalf|tig|honderd|duizend")
_TENS_HINT = re.compile(r"ig|ien|honderd|duizend|twaalf|elf", re.IGNORECASE)
_DAY = re.compile(r"\d{1,2}[- ]")
_PERCENT = re.compile(r"\s*%|\s*procent")
_AMV_NEAR = re.compile(r"\bamv|minderjarig", re.IGNORECASE)
_WAARVAN = re.compile(r"[^.;:?()]{0,40}?\(?\s*(?:waarvan|daarvan)\s+(\d{1,3}(?:\.\d{3})+|\d+)\s+(?:\w+\s+){0,2}?"
                      r"(?:amv|alleenstaande)", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    value: int | date
    segment: int
    text: str  # as written
    features: frozenset[str]
    parts: tuple[int, ...] = ()  # the candidates (indexes) this one is the sum of
    waarvan: int | None = None  # "N ..., waarvan M AMV": M
    amv: bool = False  # said to be AMV places right next to it (or in its table row or column)

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, date)


def _words(text: str) -> list[str]:
    return [w if not w[0].isdigit() else "<num>" for w in _WORD.findall(_fold(text))]


def _bag(prefix: str, words: Iterable[str]) -> set[str]:
    return {prefix + w for w in words if w not in _STOP and len(w) > 1 and w != "<num>"}


def _heads(items: Any) -> list[str] | None:
    """The strings one of which starts every match of parsed pattern items (\\b and the like skipped), or None."""
    head = ""
    for op, av in items:
        if op is sre.BRANCH or (op is sre.SUBPATTERN and not (av[1] or av[2])):  # alternatives, a plain group
            tails = [_heads(alt) for alt in (av[1] if op is sre.BRANCH else [av[-1]])]
            return [head + t for tail in tails if tail for t in tail] if all(tails) else [head] if head else None
        if op is not sre.AT and op is not sre.LITERAL:
            break
        head += chr(av) if op is sre.LITERAL else ""
    return [head] if head else None


def _trie(words: Iterable[str]) -> str:
    """A pattern for where one of `words` starts, its alternatives grouped by first letter (re tries each
    alternative in turn; a word that starts others stands for them)."""
    by_first: dict[str, list[str]] = {}
    for w in sorted(set(words)):
        by_first.setdefault(w[0], []).append(w[1:])
    return "|".join(re.escape(c) if "" in rest else re.escape(c + rest[0]) if len(rest) == 1 else
                    re.escape(c) + "(?:" + _trie(rest) + ")" for c, rest in by_first.items())


# re tries each alternative of a long alternation at every position of a text: a trie of the words the cues start
# with finds the few places where one can match; what it finds (a head no other head starts) → the cues it starts
_CUE_HEADS = {name: _heads(sre_parse.parse(pat.pattern)) or [] for name, pat in _CUES if pat.flags == re.UNICODE}
if len(_CUE_HEADS) < len(_CUES) or not all(_CUE_HEADS.values()):
    raise ValueError("every cue pattern must start with a word (see _heads)")
_HEAD_WORDS = {h for heads in _CUE_HEADS.values() for h in heads}
_CUE_START = re.compile(_trie(_HEAD_WORDS))
_CUES_AT = {r: frozenset(n for n, heads in _CUE_HEADS.items() if any(h.startswith(r) for h in heads))
            for r in _HEAD_WORDS if not any(r != h and r.startswith(h) for h in _HEAD_WORDS)}
_CUE = dict(_CUES)
_ALL_CUES = re.compile("|".join(f"(?P<{name}>{pat.pattern})" for name, pat in _CUES))


def _cue_scan(text: str, spans: list[tuple[int, int, str]] | None = None) -> set[str]:
    """The cues found in a (lower-cased) text, each tried only where a word it starts with is. With `spans`: also
    (start, end, cue) of each match of `_ALL_CUES.finditer(text)` (tried at those places too; none is empty)."""
    found: set[str] = set()
    pos = span_end = 0
    while (s := _CUE_START.search(text, pos)) is not None:
        pos = s.start()
        if spans is not None and pos >= span_end and (m := _ALL_CUES.match(text, pos)) is not None:
            spans.append((pos, m.end(), m.lastgroup or ""))
            span_end = m.end()
        found.update(name for name in _CUES_AT[s.group()] if name not in found and _CUE[name].match(text, pos))
        pos += 1
    return found


@lru_cache(maxsize=512)
def _cue_flags(prefix: str, folded: str) -> frozenset[str]:
    return frozenset(prefix + name for name in _cue_scan(folded))


_MONTH_YEAR = re.compile(r"\b(?:(eind|einde|end of|begin|medio)\s+)?(" + "|".join(sorted(MONTHS, key=len, reverse=True))
                         + r")\s+(\d{4})\b", re.IGNORECASE)
_HALF = re.compile(r"\b(?:(eerste|tweede|first|second)\s+(?:helft|half)|H([12]))\s+(?:van\s+|of\s+)?(\d{4})\b|"
                   r"\b(first|second|third|fourth|last)\s+quarter\s+(?:of\s+)?(\d{4})\b", re.IGNORECASE)
# what every match has: of find_dates's patterns a day and month, a numeric date or a period's word (case-folded);
# of the two above, a month's or a half year's word and a year after a space
_DAY_MONTH = re.compile(r"\d\.?\s+(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\d[-/.]\d\d?[-/.]\d{4}")
_PERIOD_WORD = re.compile(_trie(["eind", "medio", "midden", "begin", "voorjaar", "zomer", "najaar", "winter",
                                 "kwartaal", "q1", "q2", "q3", "q4"]))
_MONTH_WORD = re.compile(_trie(MONTHS))
_HALF_WORD = re.compile(_trie(["helft", "half", "h1", "h2", "quarter"]))
_YEAR = re.compile(r"\s\d{4}")
_EN_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}


def _dates(seg: str, ref: date | None) -> list[FoundDate]:
    """`find_dates` and the periods it leaves: a month with its year ("september 2026": its last day), a half year,
    an English quarter."""
    folded = fold(seg)
    found = find_dates(seg, ref) if _NUMERIC_DATE.search(seg) or _DAY_MONTH.search(seg) or \
        _PERIOD_WORD.search(folded) else []
    more: list[FoundDate] = []
    has_year = _YEAR.search(seg) is not None
    for m in _MONTH_YEAR.finditer(seg) if has_year and _MONTH_WORD.search(folded) else ():
        if any(f.start <= m.start(2) < f.end for f in found):
            continue
        month, year = MONTHS[m.group(2).lower()], int(m.group(3))
        day = 1 if (m.group(1) or "").lower() == "begin" else 15 if (m.group(1) or "").lower() == "medio" else \
            monthrange(year, month)[1]
        more.append(FoundDate(date(year, month, day), m.start(), m.end(), m.group(0)))
    for m in _HALF.finditer(seg) if has_year and _HALF_WORD.search(folded) else ():
        if any(f.start <= m.start() < f.end for f in found):
            continue
        if m.group(5):
            q, year = _EN_ORD[m.group(4).lower()], int(m.group(5))
            more.append(FoundDate(date(year, q * 3, monthrange(year, q * 3)[1]), m.start(), m.end(), m.group(0)))
        else:
            first = (m.group(1) or "").lower() in ("eerste", "first") or m.group(2) == "1"
            year = int(m.group(3))
            more.append(FoundDate(date(year, 6, 30) if first else date(year, 12, 31), m.start(), m.end(),
                                  m.group(0)))
    return sorted(found + more, key=lambda f: f.start) if more else found


def _numbers(seg: str, ref: date | None) -> list[tuple[int, int, int | date, str]]:
    """(start, end, value, as written) of each number and date of one segment, in reading order."""
    found: list[tuple[int, int, int | date, str]] = []
    spans: list[tuple[int, int]] = []
    if _DIGIT.search(seg) or (not seg.isascii() and any(ch.isdigit() for ch in seg)):
        for d in _dates(seg, ref):
            found.append((d.start, d.end, d.value, d.text))
            spans.append((d.start, d.end))
        for m in _CLOCK_OR_DMY.finditer(seg):
            spans.append((m.start(), m.end()))
        spans += [(m.start(), m.end()) for m in _PHONE.finditer(seg)]
        for m in _NUMBER.finditer(seg):
            if any(s <= m.start() < e for s, e in spans):
                continue
            digits = m.group(1)
            if ("." not in digits and len(digits) > 4) or (len(digits) == 4 and "." not in digits
                                                           and 1990 <= int(digits) <= 2039):
                continue
            if _SKIP_BEFORE.search(seg[max(0, m.start() - 14):m.start()]):
                continue
            found.append((m.start(), m.end(), int(digits.replace(".", "")), digits))
    if _TENS_WORD.search(seg.lower().replace("ë", "e")) and _TENS_HINT.search(seg):  # what a word for 10 or more has
        for m in _NUMBER_WORD.finditer(seg):
            v = number_word(m.group(0))
            if v is not None and v >= 10:
                found.append((m.start(), m.end(), v, m.group(0)))
    found.sort(key=lambda f: f[0])
    return found


def _sums(values: Sequence[int]) -> tuple[dict[int, tuple[int, ...]], set[int]]:
    """Values that are the sum of the run of 2-5 values right after or before them (index → the parts' indexes), and
    the indexes of those parts."""
    sums: dict[int, tuple[int, ...]] = {}
    parts: set[int] = set()
    n = len(values)
    for i, v in enumerate(values):
        for lo, hi in ((i + 1, i + 6), (max(0, i - 5), i)):
            total = 0
            run = range(lo, min(hi, n)) if lo > i else range(i - 1, lo - 1, -1)
            used = []
            for j in run:
                total += values[j]
                used.append(j)
                if total == v and len(used) >= 2:
                    sums[i] = tuple(used)
                    parts.update(used)
                    break
                if total > v:
                    break
    return sums, parts


_PART_SPLIT = re.compile(r"[,;]")
_CLAUSE_SPLIT = re.compile(r"[,;()]")


@lru_cache(maxsize=256)
def _context(prefix: str, text: str) -> frozenset[str]:
    """The words and cues of a context text (a row label "rl:", column header "ch:", lines before "pl:")."""
    return frozenset(_bag(prefix, _words(text)) | _cue_flags(prefix[:-1] + "c:", _fold(text)))


def _segment_context(text: str, article8: bool) -> tuple[frozenset[str], list[tuple[int, int, str]], bool, int]:
    """What a segment gives each of its candidates: the features they share (its words and cues, a question mark,
    article 8), its cue spans (of the lower-cased text), whether it may say "waarvan" and its number of words."""
    words, low, spans = _words(text), text.lower(), list[tuple[int, int, str]]()
    names = _cue_scan(low, spans)  # the cues of the folded text, which is the lower-cased one when it is ASCII
    if not low.isascii():
        names = _cue_scan(_fold(text))
    cues = ["c:" + name for name in names]
    common = {"bias", *cues, *_bag("s:", words)} | ({"question"} if "?" in text else set())
    if article8:
        common |= {"art8", *("art8&" + c for c in cues)}
    return frozenset(common), spans, "aarvan" in fold(text), len(words)


def candidates(text: str, ref: date | None = None, article8: bool = False) -> list[Candidate]:
    """Every number and date of the text with its context as features."""
    segs = segments(text)
    raw: list[tuple[int, int, int, int | date, str]] = []  # (segment, start, end, value, as written)
    for si, seg in enumerate(segs):
        for start, end, value, written in _numbers(seg.text, ref):
            raw.append((si, start, end, value, written))
    if not raw:
        return []
    counts: dict[int | date, int] = {}
    for r in raw:
        counts[r[3]] = counts.get(r[3], 0) + 1
    ints = [(k, r[3]) for k, r in enumerate(raw) if isinstance(r[3], int)]
    sums, parts = _sums([v for _, v in ints])
    sum_idx = {ints[i][0]: tuple(ints[j][0] for j in used) for i, used in sums.items()}
    part_idx = {ints[i][0] for i in parts}
    seg_cache: dict[int, tuple[frozenset[str], list[tuple[int, int, str]], bool, int]] = {}
    out: list[Candidate] = []
    seg_rank: dict[int, int] = {}
    seg_end: dict[int, int] = {}  # the end of the segment's last candidate so far
    for k, (si, start, end, value, written) in enumerate(raw):
        seg = segs[si]
        if si not in seg_cache:
            seg_cache[si] = _segment_context(seg.text, article8)
        common, spans, has_waarvan, n_words = seg_cache[si]
        rank = seg_rank.get(si, 0)
        seg_rank[si] = rank + 1
        is_date = isinstance(value, date)
        before_w = _words(seg.text[max(0, start - 60):start])[-5:]
        after_w = _words(seg.text[end:end + 60])[:5]
        f = set(common)
        f.add("date" if is_date else "num")
        f.update(_bag("b:", before_w), _bag("a:", after_w))
        f.update(f"b{i}:{w}" for i, w in enumerate(before_w[:-3:-1], 1))  # the last word, the one before it
        f.update(f"a{i}:{w}" for i, w in enumerate(after_w[:2], 1))
        f.update("nb:" + cue for a, b, cue in spans if a >= start - 30 and b <= start)
        f.update("na:" + cue for a, b, cue in spans if a >= end and b <= end + 30)
        f.add(f"rank:{min(rank, 3)}")
        before40 = seg.text[max(0, start - 40):start]
        if before40.rfind("(") > before40.rfind(")"):  # inside an opened parenthesis
            f.add("paren")
        if is_date:
            f.add("date:" + ("period" if not _DAY.search(written) else "day"))
        else:
            assert isinstance(value, int)
            f.add("v:" + ("<10" if value < 10 else "<100" if value < 100 else "<1000" if value < 1000 else "big"))
            f.update(name for name, on in (("numword", not written[0].isdigit()), ("dup", counts[value] > 1),
                                           ("is_sum", k in sum_idx), ("is_part", k in part_idx),
                                           ("pct", _PERCENT.match(seg.text[end:end + 9]))) if on)
        if seg.row:
            f.add("table")
            ci = next((i for i, c in enumerate(seg.row) if written in c), -1)
            if ci >= 0:
                if ci > 0:
                    f |= _context("rl:", seg.row[0])
                col = seg.columns[ci] if ci < len(seg.columns) else ci
                if seg.header and col < len(seg.header):
                    f |= _context("ch:", seg.header[col])
                rest = " ".join(c for i, c in enumerate(seg.row) if i != ci)
                f |= _cue_flags("row:", _fold(rest))
        elif seg.before and n_words <= 4:
            f |= _context("pl:", seg.before)
        waarvan = None
        if not is_date and has_waarvan:  # (every match has "waarvan" or "daarvan")
            w = _WAARVAN.match(seg.text, end)
            if w:
                waarvan = int(w.group(1).replace(".", ""))
        prev_end = seg_end.get(si, 0)
        seg_end[si] = max(prev_end, end)
        near = _PART_SPLIT.split(seg.text[max(prev_end, start - 30):start])[-1] + " " + \
            _CLAUSE_SPLIT.split(seg.text[end:end + 25])[0]
        amv = bool(_AMV_NEAR.search(near)) or bool(
            {"row:amv", "rlc:amv", "chc:amv"} & f and "rlc:totaal" not in f)
        out.append(Candidate(value, si, written, frozenset(f), sum_idx.get(k, ()), waarvan, amv))
    return out


# -- the model ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactModel:
    """Per feature one weight per slot, an intercept per slot, the probability bar, and what it was trained on."""

    slots: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    bar: float = 0.6
    trained_on: Mapping[str, int] = field(default_factory=dict)  # corpus → number of mails
    version: str = ""

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        ws = filter(None, map(self.weights.get, feats))  # (weights are never empty)
        z = list(map(sum, zip(self.intercept, *ws, strict=True)))  # added in the features' order
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return dict(zip(self.slots, [x / total for x in e], strict=True))

    def to_json(self) -> str:
        return json.dumps({"format": FACT_MODEL_FORMAT, "version": self.version, "slots": list(self.slots),
                           "bar": self.bar, "intercept": [round(x, 5) for x in self.intercept],
                           "trained_on": dict(self.trained_on),
                           "weights": {f: [round(x, 4) for x in w] for f, w in sorted(self.weights.items())}},
                          ensure_ascii=True, separators=(",", ":"))


def fact_model_from_json(text: str) -> FactModel:
    """Raises ValueError on a file that is not a fact model of this format."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FACT_MODEL_FORMAT:
        raise ValueError(f"not a fact model of format {FACT_MODEL_FORMAT}")
    slots = tuple(str(s) for s in data["slots"])
    if set(slots) != set(SLOTS):
        raise ValueError(f"fact model slots {slots} are not {SLOTS}")
    weights = {str(f): tuple(float(x) for x in w) for f, w in data["weights"].items()}
    if any(len(w) != len(slots) for w in weights.values()) or len(data["intercept"]) != len(slots):
        raise ValueError("fact model weights do not match its slots")
    return FactModel(slots, tuple(float(x) for x in data["intercept"]), weights, float(data.get("bar", 0.6)),
                     {str(k): int(v) for k, v in data.get("trained_on", {}).items()}, str(data.get("version", "")))


@lru_cache(maxsize=1)
def shipped_fact_model() -> FactModel:
    """The model shipped with the package (parsers/data/fact_model.json), read once."""
    return fact_model_from_json(resources.files("parsers").joinpath("data/fact_model.json").read_text(encoding="utf-8"))


# -- from probabilities to facts ------------------------------------------------------------------------------------

_NONE_PLANNED = prefiltered(r"\b(?:geen|niets|no)\b(?:\s+\S+){0,4}?\s+(?:in voorbereiding|gepland|in ontwikkeling|"
                           r"in preparation)|\bin voorbereiding\s*:\s*(?:geen|niets|0)\b", re.IGNORECASE)
_NONE_REALISED = prefiltered(r"\b(?:nog\s+)?geen\b(?:\s+\S+){0,3}?\s+(?:gerealiseerd|in gebruik)|"
                            r"\bgerealiseerd\s*:\s*(?:geen|0)\b", re.IGNORECASE)
_PLANNED_CUE = prefiltered(r"voorbereiding|gepland|pijplijn|in ontwikkeling|planned|preparation", re.IGNORECASE)
_PLACE_NUMBER = re.compile(r"(?<![\w.-])(\d{1,3}(?:\.\d{3})+|\d+)\s*\)?\s*(?:\w+\s+)?(?:plekken|plaatsen|places)\b|"
                           r"\((\d+)(?:\s+(?:plekken|plaatsen))?\)", re.IGNORECASE)


def _listed_sum(text: str) -> int | None:
    """The plain sum of the locations listed as in preparation, when the mail gives no total (AMV places apart)."""
    segs = segments(text)
    for i, seg in enumerate(segs):
        s = seg.text
        if seg.row or "?" in s or not _PLANNED_CUE.search(s) or re.search(r"\bamv\b", s, re.IGNORECASE):
            continue
        if re.search(r"\b(?:totaal|samen|in totaal)\b", s, re.IGNORECASE):
            return None
        nums = [int((m.group(1) or m.group(2)).replace(".", "")) for m in _PLACE_NUMBER.finditer(s)]
        if len(nums) >= 2:
            return sum(nums)
        if not nums and s.rstrip().endswith(":"):
            listed = []
            for nxt in segs[i + 1:i + 8]:
                if nxt.row or re.search(r"\bamv\b|gerealiseerd|in gebruik", nxt.text, re.IGNORECASE):
                    break
                m = _PLACE_NUMBER.search(nxt.text)
                if not m:
                    break
                listed.append(int((m.group(1) or m.group(2)).replace(".", "")))
            if len(listed) >= 2:
                return sum(listed)
    return None


def _less_amv(cands: Sequence[Candidate], direct: Candidate | None, total: Candidate | None,
              amv: int | date | None) -> tuple[int | date | None, int | date | None]:
    """(regular places, AMV places): the direct value, or a total less its AMV places. A value that is the sum of
    listed parts of which some are AMV places, or "N, waarvan M AMV", is a total too."""
    if direct is not None and isinstance(direct.value, int):
        amv_parts = [cands[j].value for j in direct.parts if cands[j].amv]
        if amv_parts and len(amv_parts) < len(direct.parts):
            part_sum = sum(v for v in amv_parts if isinstance(v, int))
            if amv is None or amv == part_sum:
                return direct.value - part_sum, part_sum
        if direct.waarvan is not None and (amv is None or amv == direct.waarvan) and direct.value > direct.waarvan:
            return direct.value - direct.waarvan, direct.waarvan
    if not isinstance(amv, int):
        return (direct.value if direct else None), amv
    if total is not None and isinstance(total.value, int) and total.value > amv and (
            direct is None or direct.value == total.value):
        return total.value - amv, amv
    return (direct.value if direct else None), amv


def slot_scores(model: FactModel, cands: Sequence[Candidate]) -> list[dict[str, float]]:
    return [model.scores(c.features) for c in cands]


def read_facts(model: FactModel, text: str, ref: date | None, article8: bool = False,
               bar: float | None = None) -> Facts:
    cands = candidates(text, ref, article8)
    bar = model.bar if bar is None else bar
    best: dict[str, tuple[float, Candidate]] = {}
    # a text that names no AMV places at all: a total "with AMV" is the regular figure as it stands (the conventions:
    # a total with no AMV split is taken as it is), so the two slots count as one
    no_amv = _AMV_NEAR.search(text) is None
    for c, sc in zip(cands, slot_scores(model, cands), strict=True):
        if no_amv:
            sc = {**sc, "realised": sc["realised"] + sc["total_with_amv"], "total_with_amv": 0.0,
                  "planned": sc["planned"] + sc["planned_with_amv"], "planned_with_amv": 0.0}
        slot = max(sc, key=sc.__getitem__)
        if slot == "none" or (slot == "expected_date") != c.is_date:
            continue
        if slot not in best or sc[slot] > best[slot][0]:
            best[slot] = (sc[slot], c)
    got = {slot: c for slot, (p, c) in best.items() if p >= bar}
    amv_c, pamv_c = got.get("realised_amv"), got.get("planned_amv")
    amv = amv_c.value if amv_c else None
    pamv = pamv_c.value if pamv_c else None
    realised, amv = _less_amv(cands, got.get("realised"), got.get("total_with_amv"), amv)
    planned, pamv = _less_amv(cands, got.get("planned"), got.get("planned_with_amv"), pamv)
    if planned is None:
        planned = 0 if _NONE_PLANNED.search(text) else _listed_sum(text)
    if realised is None and _NONE_REALISED.search(text):
        realised = 0
    lost = got["location_lost"].value if article8 and "location_lost" in got else None
    expected = got["expected_date"].value if "expected_date" in got else None
    return Facts(realised=realised if isinstance(realised, int) else None,
                 planned=planned if isinstance(planned, int) else None,
                 expected_date=expected if isinstance(expected, date) else None,
                 location_lost=lost if isinstance(lost, int) else None,
                 realised_amv=amv if isinstance(amv, int) else None,
                 planned_amv=pamv if isinstance(pamv, int) else None)


__all__ = ["SLOTS", "Candidate", "FactModel", "candidates", "fact_model_from_json",
           "number_word", "read_facts", "segments", "shipped_fact_model"]

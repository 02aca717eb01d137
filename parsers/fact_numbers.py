"""Numbers and dates of one segment of text, for the fact reader.

`number_word(word)` is the value of a Dutch number word ("veertig" 40, "tweehonderdvijftig" 250). `numbers(seg, ref)`
returns (start, end, value, as written) of every number and date of one segment in reading order: digits ("1.640"),
number words of 10 or more, and the dates of `parsers.dates.find_dates` with the periods it leaves (a month with its
year, a half year, an English quarter). Reference numbers, phone numbers, postcodes, years and clock times are not
numbers. `word_trie(words)` is the regular expression for where one of the words starts.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from datetime import date

from parsers.dates import MONTHS, FoundDate, find_dates
from parsers.prefilter import fold

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


def word_trie(words: Iterable[str]) -> str:
    """A pattern for where one of `words` starts, its alternatives grouped by first letter (re tries each
    alternative in turn; a word that starts others stands for them)."""
    by_first: dict[str, list[str]] = {}
    for w in sorted(set(words)):
        by_first.setdefault(w[0], []).append(w[1:])
    return "|".join(re.escape(c) if "" in rest else re.escape(c + rest[0]) if len(rest) == 1 else
                    re.escape(c) + "(?:" + word_trie(rest) + ")" for c, rest in by_first.items())


# -- numbers and dates of one segment -------------------------------------------------------------------------------

_DIGIT = re.compile(r"[0-9]")
_SKIP_BEFORE = re.compile(r"(?<![^\W\d_])(?:artikel|art\.?|trede|kenmerk|referentie|postbus|nummer|nr\.?|"
                          r"zaaknummer|fase|bijlage|stap|versie|huisnummer|straat|weg|laan|plein|hoofdstuk|paragraaf|lid|tel\.?|telefoon|t)\s*"
                          r":?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w/.,-])(\d{1,3}(?:\.\d{3})+|\d+)(?![\w/-]|[.,]\d)")
_PHONE = re.compile(r"\b0\d{1,3}\s?-\s?\d{2,3}[\s\d]{4,}|\b06[\s-]*\d{2}[\s\d]{6,}|\b\d{4}\s?[A-Z]{2}\b")
_CLOCK_OR_DMY = re.compile(r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b|\b\d{1,2}[:.]\d{2}\s*uur|\b\d{1,2}:\d{2}\b")
_TENS_WORD = re.compile("tien|elf|twaalf|tig|honderd|duizend")
_TENS_HINT = re.compile(r"ig|ien|honderd|duizend|twaalf|elf", re.IGNORECASE)

_MONTH_YEAR = re.compile(r"\b(?:(eind|einde|end of|begin|medio)\s+)?(" + "|".join(sorted(MONTHS, key=len, reverse=True))
                         + r")\s+(\d{4})\b", re.IGNORECASE)
_HALF = re.compile(r"\b(?:(eerste|tweede|first|second)\s+(?:helft|half)|H([12]))\s+(?:van\s+|of\s+)?(\d{4})\b|"
                   r"\b(first|second|third|fourth|last)\s+quarter\s+(?:of\s+)?(\d{4})\b", re.IGNORECASE)
# what every match has: of find_dates's patterns a day and month, a numeric date or a period's word (case-folded);
# of the two above, a month's or a half year's word and a year after a space
_DAY_MONTH = re.compile(r"\d\.?\s+(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\d[-/.]\d\d?[-/.]\d{4}")
_PERIOD_WORD = re.compile(word_trie(["eind", "medio", "midden", "begin", "voorjaar", "zomer", "najaar", "winter",
                                 "kwartaal", "q1", "q2", "q3", "q4"]))
_MONTH_WORD = re.compile(word_trie(MONTHS))
_HALF_WORD = re.compile(word_trie(["helft", "half", "h1", "h2", "quarter"]))
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


def numbers(seg: str, ref: date | None) -> list[tuple[int, int, int | date, str]]:
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


__all__ = ["number_word", "numbers", "word_trie"]

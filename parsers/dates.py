"""Dutch dates in free text: "1 juli 2027", "01-10-2027", "per 1 oktober", "eind dit jaar", "medio 2027",
"Q2 2027", "tweede kwartaal van 2027", "begin 2027". Periods map to their last day.

`find_dates(text, ref)` returns every date with its position; `ref` (the mail's date) supplies the year
when the text gives none (the first such date on or after `ref`, less 31 days of slack).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {"januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4, "mei": 5,
          "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
          "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
          "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
          "januar": 1, "februar": 2, "märz": 3, "mai": 5, "dezember": 12}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = {"eerste": 1, "1e": 1, "tweede": 2, "2e": 2, "derde": 3, "3e": 3, "vierde": 4, "4e": 4, "laatste": 4}

_DMY = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_QUARTER = re.compile(r"\b(?:Q([1-4])|(eerste|tweede|derde|vierde|laatste|[1-4]e)\s+kwartaal)"
                      r"(?:\s+(?:van\s+)?(\d{4}))?", re.IGNORECASE)
_PERIOD = re.compile(rf"\b(eind|einde|medio|midden|begin|voorjaar|zomer|najaar|winter)\s+(?:van\s+)?"
                     rf"(dit jaar|volgend jaar|\d{{4}}|{_MONTH})(?:\s+(\d{{4}}))?", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    end: int
    text: str


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_for(month: int, day: int, ref: date | None) -> int:
    if ref is None:
        return date.min.year
    candidate = _safe(ref.year, month, min(day, monthrange(ref.year, month)[1]))
    if candidate and candidate < ref - timedelta(days=31):
        return ref.year + 1
    return ref.year


def _period(word: str, what: str, year_s: str | None, ref: date | None) -> date | None:
    word, what = word.lower(), what.lower()
    if what in ("dit jaar", "volgend jaar"):
        if ref is None:
            return None
        year, month = ref.year + (what == "volgend jaar"), 0
    elif what.isdigit():
        year, month = int(what), 0
    else:
        month = MONTHS[what]
        year = int(year_s) if year_s else _year_for(month, 1, ref)
    if month:
        day = {"begin": 10, "medio": 15, "midden": 15}.get(word, monthrange(year, month)[1])
        return _safe(year, month, day)
    end_month = {"eind": 12, "einde": 12, "medio": 6, "midden": 6, "begin": 3, "voorjaar": 5, "zomer": 8,
                 "najaar": 11, "winter": 12}[word]
    return _safe(year, end_month, monthrange(year, end_month)[1])


def past_year(month: int, day: int, ref: date) -> int:
    """The year of a day named as past ("uw brief van 9 april"): the latest such day not after `ref`."""
    candidate = _safe(ref.year, month, min(day, monthrange(ref.year, month)[1]))
    return ref.year if candidate is None or candidate <= ref else ref.year - 1


def find_dates(text: str, ref: date | None = None, past: bool = False) -> list[FoundDate]:
    """Every date in the text, in reading order. `past`: a date without a year lies on or before `ref` (a letter
    the mail answers), instead of the default on or after it (a date the mail plans)."""
    out: list[FoundDate] = []
    for m in _DMY.finditer(text):
        month = MONTHS[m.group(2).lower()]
        day = int(m.group(1))
        year = int(m.group(3)) if m.group(3) else (
            past_year(month, day, ref) if past and ref else _year_for(month, day, ref))
        if (d := _safe(year, month, day)) is not None and year > 1900:
            out.append(FoundDate(d, m.start(), m.end(), m.group(0)))
    for m in _NUMERIC.finditer(text):
        if (d := _safe(int(m.group(3)), int(m.group(2)), int(m.group(1)))) is not None:
            out.append(FoundDate(d, m.start(), m.end(), m.group(0)))
    for m in _QUARTER.finditer(text):
        q = int(m.group(1)) if m.group(1) else _ORD[m.group(2).lower()]
        qyear = int(m.group(3)) if m.group(3) else (ref.year if ref else None)
        if qyear and (d := _safe(qyear, q * 3, monthrange(qyear, q * 3)[1])) is not None:
            out.append(FoundDate(d, m.start(), m.end(), m.group(0)))
    for m in _PERIOD.finditer(text):
        if (d := _period(m.group(1), m.group(2), m.group(3), ref)) is not None:
            out.append(FoundDate(d, m.start(), m.end(), m.group(0)))
    out.sort(key=lambda f: f.start)
    kept: list[FoundDate] = []
    for f in out:  # drop dates inside a longer one already kept
        if not any(k.start <= f.start < k.end for k in kept):
            kept.append(f)
    return kept

"""Facts a municipality states about the present, from its new text and attachments (never from quotes).

`find_facts` reads them with the learned fact model (`parsers.fact_model`); the hand-written finders below are the
former reading, kept as `find_facts_by_rules` (the baseline of the leave-one-writer-out measure).

Places realised, places in preparation, the date by which it expects to meet its full task, and places
lost (article 8). Numbers are read in their sentence: "1.640" is 1640, "van 262 naar 302" is 302,
figures "per 1 juli 2025"/"1-7-2025" are the ministry's old ones and skipped, dates are never places.
`find_return_date` reads an out-of-office's "tot en met 12 augustus" / "vanaf maandag 5 mei weer".
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from parsers.dates import find_dates
from parsers.fact_model import FactModel, read_facts, shipped_fact_model
from parsers.model import Facts
from parsers.prefilter import prefiltered

_NUM = r"(\d{1,3}(?:\.\d{3})+|\d+)"
_PLACES = re.compile(_NUM + r"\s+(?:\w+\s+){0,2}?(?:opvang)?(?:plekken|plaatsen|opvangplaatsen|places)\b",
                     re.IGNORECASE)
_OLD = prefiltered(r"PEILDATUM|1[-/]7[-/]2025|1 juli 2025|per 1 juli|waren\b|destijds|\btoen\b|eerder gemeld|vorige",
                  re.IGNORECASE)


def _int(s: str) -> int:
    return int(s.replace(".", ""))


@lru_cache(maxsize=8)  # the finders of one mail read the same text: split and strip it once
def _stripped(text: str) -> tuple[str, ...]:
    return tuple(_strip_dates(s) for s in _sentences(text))


@lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[str, ...]:
    parts = re.split(r"(?<=[.!?;])\s+(?=[A-Z0-9(\-•])|\n\s*\n|\n(?=\s*[-•*\d]+[.)]?\s)", text)
    return tuple(" ".join(p.split()) for p in parts if p.strip())


def _strip_dates(s: str) -> str:
    """Dates become DATUM (never places); the ministry's reference date 1 July 2025 becomes PEILDATUM (old figures)."""
    for d in sorted(find_dates(s), key=lambda f: -f.start):
        s = s[: d.start] + ("PEILDATUM" if (d.value.year, d.value.month, d.value.day) == (2025, 7, 1) else "DATUM") \
            + s[d.end:]
    return re.sub(r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b", "DATUM", s)


def _first_places(s: str) -> int | None:
    m = re.search(r"\bvan\s+" + _NUM + r"\s+naar\s+" + _NUM, s)
    if m:
        return _int(m.group(2))
    m = re.search(r"\b(?:in totaal|totaal|samen)\b[^\d]{0,30}" + _NUM, s, re.IGNORECASE)
    if m:
        return _int(m.group(1))
    m = _PLACES.search(s)
    return _int(m.group(1)) if m else None


def find_realised(text: str) -> int | None:
    for sentence in _stripped(text):
        remaining = _REMAINING.search(sentence)
        if remaining and "?" not in sentence and re.search(r"verlie|verloren|vervall|valt weg|vallen weg", sentence):
            return _int(remaining.group(1))
        for s in re.split(r"[:;]\s+(?!\d)", sentence):
            value = _realised_in(s)
            if value is not None:
                return value
    return None


_REMAINING = re.compile(r"\b(?:resteren?|resteert|blijven|blijft)\b(?:\s+\w+){0,4}?\s+" + _NUM + r"\b", re.IGNORECASE)


def _realised_in(s: str) -> int | None:
    low = s.lower()
    if "?" in s:  # a question about figures reports none
        return None
    if re.search(r"verlie|verloren|vervall|valt weg|vallen weg", low):  # after a loss: what remains, not what was
        m = _REMAINING.search(s) or re.search(r"\bnu\b\s+" + _NUM, low)
        if m:
            return _int(m.group(1))
        if not re.search(r"\bvan\s+" + _NUM + r"\s+naar\s+" + _NUM, s):
            return None
    now = re.search(r"\b(?:er\s+staan\s+(?:er\s+)?|staan\s+er\s+)(?:nu|inmiddels|momenteel|op dit moment)\s+"
                    + _NUM + r"\b(?!\s*(?:%|procent))", low)  # "Er staan er nu 150": places standing today
    if now and not re.search(r"voorbereiding|gepland|verlie|verloren|taak", low):
        return _int(now.group(1))
    if not re.search(r"gerealiseerd|in gebruik\b|opvangplekken in gebruik|\bhave been reali[sz]ed|"
                     r"\bare reali[sz]ed", low):
        return None
    if _OLD.search(s) or "taak bedraagt" in low or re.search(r"\b(?:plekken|plaatsen)\s+(?:meer|minder)\b", low):
        return None  # old figures, the task, or a difference ("40 plekken meer dan in uw brief")
    m = re.match(r"^\W*gerealiseerd\s*:\s*" + _NUM, s, re.IGNORECASE)
    return _int(m.group(1)) if m else _first_places(s)


_PLANNED_WORDS = (("in voorbereiding", "in preparation", "being prepared"), ("in ontwikkeling", "gepland", "planned"),
                  ("vergunning", "verbouwing", "in aanbouw", "wordt ingericht", "worden ingericht", "wordt gebouwd"))
_NOT_PLANNED = re.compile(r"vernietigd|ingetrokken|geweigerd|vervall|gaat niet door|niet door|gerealiseerd|\?",
                          re.IGNORECASE)


def find_planned(text: str) -> int | None:
    sentences = _stripped(text)
    for tier, words in enumerate(_PLANNED_WORDS):
        for i, s in enumerate(sentences):
            low = s.lower()
            if not any(w in low for w in words) or (tier == 2 and _NOT_PLANNED.search(s)) or "?" in s:
                continue
            if re.search(r"\b(?:geen|niets|nothing|no)\b(?:\s+\w+){0,3}\s+(?:in voorbereiding|in preparation)", low):
                return 0
            if re.fullmatch(r"\s*in voorbereiding\s*:?\s*", low):  # a heading: the total follows below
                for t in sentences[i + 1: i + 8]:
                    m = re.search(r"\b(?:in totaal|totaal)\b[^\d]{0,30}" + _NUM, t, re.IGNORECASE)
                    if m:
                        return _int(m.group(1))
                continue
            m = re.search(r"in voorbereiding\s*:\s*" + _NUM, s, re.IGNORECASE) or re.search(
                r"\b(?:in totaal|totaal|samen)\b[^\d]{0,30}" + _NUM, s, re.IGNORECASE) or re.search(
                _NUM + r"\s+(?:\w+\s+){0,3}?(?:zijn\s+|nog\s+)?(?:in voorbereiding|in ontwikkeling|gepland)", s)
            value = _int(m.group(1)) if m else _first_places(s)
            if value is not None:
                return value
    return None


def find_expected_date(text: str, ref: date | None) -> date | None:
    """The date by which the task is met; a "voldoen wij volledig" sentence without a date takes the date of
    the sentence before it when that one announces completion ("De verwachte oplevering is medio 2027.")."""
    sentences = _sentences(text)
    for i, s in enumerate(sentences):
        low = s.lower()
        moved = re.search(r"(?:schuiven|verleggen|verlengen|uitstellen)\b[^.?!]{0,20}\b(?:naar|tot)\b", low)
        if not (moved or re.search(r"verwacht|voldoen wij|zullen wij|uiterlijk|voldoet|\bexpect", low)) \
                or not re.search(r"\btaak|\btask", low):
            continue
        if re.search(r"\bniet\b|\bgeen\b|\bnot\b", low):
            continue
        dates = find_dates(s, ref)
        if not dates and moved and i + 1 < len(sentences) and not re.search(r"[.!?]$", s):  # date on the next line
            dates = find_dates(s + " " + sentences[i + 1], ref)
        if not dates and i and re.search(r"verwacht|oplever|gereed|beschikbaar", sentences[i - 1], re.IGNORECASE):
            dates = find_dates(sentences[i - 1], ref)
        if dates:
            return dates[-1].value if len(dates) > 1 and "uiterlijk" in low[dates[-1].start - 12: dates[-1].start] \
                else dates[0].value
    return None


def find_location_lost(text: str) -> int | None:
    stripped = _stripped(text)
    for i, s in enumerate(stripped):
        low = s.lower()
        drop = re.search(r"\b(?:daalt|dalen|gaat|neemt)\b[^.]{0,80}\bvan\s+" + _NUM + r"\s+naar\s+" + _NUM, low)
        if drop and re.search(r"verlie|verloren|vervall|valt weg|brand|sluit|gesloten", low) and \
                _int(drop.group(1)) > _int(drop.group(2)):
            return _int(drop.group(1)) - _int(drop.group(2))
        m = re.search(r"verliezen wij\s+" + _NUM, low) or re.search(
            r"(?:bestemd|goed|bedoeld|ingericht)\s+voor\s+" + _NUM + r"\s+(?:\w+\s+)?(?:plekken|plaatsen|opvang)",
            low)
        if m:
            return _int(m.group(1))
        if re.search(r"vervalt|vervallen|valt weg|vallen weg|niet door|wegvallen|failliet|brand|vernietigd|terug|"
                     r"verloren|gesloten|sluit|niet (?:meer|langer) beschikbaar|onbruikbaar", low):
            m = re.search(r"\(\s*" + _NUM + r"\s+(?:\w+\s+)?plekken\s*\)", low) or _PLACES.search(low)
            if m is None and i and not _PLACES.search(low):  # "... 48 plaatsen in voorbereiding. De eigenaar heeft
                m = _PLACES.search(stripped[i - 1].lower())  # zich teruggetrokken.": the location just described
            if m:
                total = re.search(r"(?:in totaal|samen|totaal)\s+" + _NUM, low)
                return _int(total.group(1)) if total else _int(m.group(1))
    return None


def find_facts(text: str, ref: date | None, article8: bool = False, model: FactModel | None = None) -> Facts:
    """The facts of the sender's own text and attachments, read by the learned fact model (`parsers.fact_model`;
    `model` None: the shipped one)."""
    return read_facts(model or shipped_fact_model(), text, ref, article8)


def find_facts_by_rules(text: str, ref: date | None, article8: bool = False) -> Facts:
    """The former hand-written reading (kept as the baseline the fact model is measured against)."""
    lost = find_location_lost(text) if article8 else None
    planned = find_planned(text)
    return Facts(realised=find_realised(text), planned=None if lost is not None and planned == lost else planned,
                 expected_date=find_expected_date(text, ref), location_lost=lost)


_BACK = re.compile(r"(tot en met|t/m|tot|until|bis einschließlich|bis|vanaf|from|"
                   r"weer (?:aanwezig|op kantoor) (?:op|vanaf))"
                   r"\s+(?:\w+dag,?\s+|\w+tag,?\s+|monday,?\s+|tuesday,?\s+|wednesday,?\s+|thursday,?\s+|"
                   r"friday,?\s+)?", re.IGNORECASE)


def find_return_date(text: str, ref: date | None) -> date | None:
    """When an absent person is back: the day after "tot en met X", or X for "tot X"/"vanaf X weer"."""
    for d in find_dates(text[:2000], ref):
        before = text[max(0, d.start - 40): d.start]
        found = list(_BACK.finditer(before))
        m = found[-1] if found else None
        if m is None or m.end() != len(before):
            continue
        word = m.group(1).lower()
        if word in ("tot en met", "t/m", "bis einschließlich"):  # back the next working day (no holidays known)
            back = d.value + timedelta(days=1)
            return back + timedelta(days=(7 - back.weekday()) % 7 if back.weekday() >= 5 else 0)
        return d.value
    return None

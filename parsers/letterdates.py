"""Letters a mail names by date ("in reactie op uw brief van 2 juli", "uw herinnering van 21 mei"), and the
municipalities a joint answer speaks for ("gezamenlijke reactie van de gemeenten X en Y").

A date without a year is past: the latest such day not after the mail was sent ("uw brief van 14 september" in a
mail of January 2027 is 14 September 2026). A named letter is `answered` when the date follows an answering phrase
("in reactie op", "naar aanleiding van", "ons antwoord op", "beantwoording van").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from parsers.dates import find_dates
from parsers.human_kinds import sentences
from parsers.model import LetterRef
from parsers.municipalities import MunicipalityFindings
from parsers.nlp import build_matcher, find_names
from parsers.prefilter import prefiltered
from parsers.registry import Registry

LETTER_OF = prefiltered(r"\b(?:uw|de|jullie|your)\s+(?:brief|brieven|schrijven|herinnering|informatieverzoek|rappel|"
                       r"aankondiging|letter)\s+(?:van|d\.d\.|dated|of)\s+", re.IGNORECASE)
_ANSWERS = re.compile(r"(?:\b(?:reactie|antwoord|reageren|reageert|reageer|beantwoording|beantwoorden)\s+op|"
                      r"\bnaar aanleiding van|\bn\.a\.v\.|\bbeantwoording van|\bin antwoord op)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedLetter:
    reference: str
    when: date
    answered: bool  # named as the letter this mail answers


def letter_dates(text: str, sent: date | None) -> list[tuple[date, bool]]:
    """Dates the mail gives for our letters, each with whether the mail says it answers that letter."""
    out: list[tuple[date, bool]] = []
    prev_end, prev_answered = -1, False
    for m in LETTER_OF.finditer(text):
        found = find_dates(text[m.end(): m.end() + 30], sent, past=True)[:1]
        listed = prev_end >= 0 and re.fullmatch(r"\s*(?:,|en|and)\s*", text[prev_end: m.start()]) is not None
        answered = bool(_ANSWERS.search(text[max(0, m.start() - 40): m.start()])) or (listed and prev_answered)
        out += [(f.value, answered) for f in found]
        prev_end, prev_answered = (m.end() + found[0].end, answered) if found else (-1, False)
    return out


def named_letters(text: str, sent: date | None, letters: Mapping[str, LetterRef],
                  own: Sequence[str]) -> list[NamedLetter]:
    """Of `own` (the references of the municipality's letters), those the mail names by date (a date matches when
    exactly one letter was sent on it); without the mail's date only day and month are compared."""
    dates = letter_dates(text, sent)
    if not dates:
        return []
    out: list[NamedLetter] = []
    for when, answered in dates:
        same = [r for r in own if letters[r].sent_on == when or (
            sent is None and (letters[r].sent_on.month, letters[r].sent_on.day) == (when.month, when.day))]
        if len(same) == 1:
            out.append(NamedLetter(same[0], letters[same[0]].sent_on, answered))
    return out


_JOINT = prefiltered(
    r"\b(?:gezamenlijke?|gemeenschappelijke?)\s+(?:reactie|antwoord|beantwoording|brief|melding|verzoek)\b|"
    r"\bnamens\s+(?:beide|de\s+(?:twee|drie))\s+(?:gemeenten|colleges)\b|"
    r"\b(?:één|een)\s+(?:reactie|antwoord)\s+(?:namens|van|voor)\s+(?:beide|de\s+(?:twee|drie))\b|"
    r"\b(?:beide|de\s+(?:twee|drie))\s+(?:gemeenten|colleges)\s+(?:reageren|antwoorden|sturen|melden)\b", re.IGNORECASE,
    rarer=("zamenlijk", "meenschappelijk", "beide", "twee", "drie"))  # not "reactie", "gemeenten": in most mails


def joint_members(text: str, primary: str, found: MunicipalityFindings, registry: Registry) -> list[str]:
    """A joint answer ("gezamenlijke reactie van de gemeenten X en Y", "namens beide colleges één reactie ... X ...
    Y"): the municipalities named in that sentence, primary first, when the primary is one of them."""
    if len(found.kinds) < 2 or not _JOINT.search(text):  # two found, and no sentence says it if the text does not
        return []
    nm = build_matcher(registry)
    for s in sentences(text):
        if not _JOINT.search(s):
            continue
        codes = list(dict.fromkeys(h.label for h in find_names(s, nm) if registry.by_code(h.label)))
        codes = [c for c in codes if c in found.kinds]
        if primary in codes and len(codes) > 1:
            return [primary, *(c for c in codes if c != primary)]
    return []

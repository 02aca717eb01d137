"""Find the ministry's 7-digit references in a mail and match them against the letters register.

A candidate is 7 "digits" possibly written with spaces, dashes or dots ("746 81 40", "7468-153") or with
letter O for zero / l for one. Exact register hits are strong; near misses (one substitution,
transposition, deletion or insertion) are fuzzy candidates that need the municipality to agree; numbers
not in the register are reported but never acted on. Numbers labelled as someone else's (zaaknummer,
ons kenmerk, KvK, telefoon, postbus, ...) are not candidates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from parsers.model import LetterRef
from parsers.prefilter import fold as case_fold

# 6 to 8 digit-like characters, separated by at most one space/dash/dot, not glued to letters or digits. The
# "not glued" test before the first character stands after it, (?<![\w.\-/].): so the pattern starts with a set
# of characters and `re` skips straight to them instead of trying the test at every position (four times faster).
_CANDIDATE = re.compile(r"([0-9Ool](?<![\w.\-/].)(?:[ .\-](?=[0-9Ool]))?"
                        r"(?:[0-9Ool](?:[ .\-](?=[0-9Ool]))?){4,8}[0-9Ool])(?![\w\-/]|\.\d)")
_FOREIGN_LABELS = ("ons kenmerk", "onze kenmerk", "ons zaaknummer", "zaaknummer", "zaaknr", "registratienummer", "kvk",
                   "k.v.k", "telefoon", "tel", "mobiel", "postbus", "iban", "btw", "id", "wachtwoordcode", "incident",
                   "factuur", "ecli", "bsn", "dossiernummer", "saaknûmer")  # and "m", "t" as words
_FOREIGN_LABEL = re.compile(
    r"(?:ons\s+kenmerk|onze\s+kenmerk|ons\s+zaaknummer|zaaknummer|zaaknr|registratienummer|kvk|k\.v\.k|"
    r"telefoon|tel\b|tel\.|mobiel|\bm\b|\bt\b|postbus|iban|btw|id|wachtwoordcode|incident|factuur|ecli|"
    r"bsn|dossiernummer|saaknûmer)[\s:.#]*$",
    re.IGNORECASE)
_LONGEST_LABEL = len("registratienummer")


def _foreign_label(before: str) -> bool:
    """`before` ends with another number's label (then only white space, ":", ".", "#" or "("). With white space
    made single spaces and those characters taken off the end, a label ends the text: the regex is asked only
    when the case-folded end is a label (or the word "m" or "t"), and then only at the last few positions (the
    look-behind of a word boundary still sees the character before them)."""
    t = " ".join(before.rstrip(" :(").split()).rstrip(" :.#")
    if not (case_fold(t[-_LONGEST_LABEL:]).endswith(_FOREIGN_LABELS)
            or (t[-1:] in ("m", "M", "t", "T") and not (t[-2:-1].isalnum() or t[-2:-1] == "_"))):
        return False
    return _FOREIGN_LABEL.search(t, max(0, len(t) - _LONGEST_LABEL - 1)) is not None


_ECHOED_SUBJECT = re.compile(r"^\s*(?:re|aw|antw|sv|r)\s*:", re.IGNORECASE)
_OUR_OWN_LABEL = re.compile(r"\b(?:ons|onze)\s+kenmerk[\s:.#]*$", re.IGNORECASE)
_OUR_LABEL = re.compile(r"(?:uw|onze?)\s+(?:kenmerk|referentie|ref\.?)|referentie|kenmerk|ref\.?|brief",
                        re.IGNORECASE)


# a date written with dashes or dots (9-4-2026, 2026-04-09) is never a reference, even when its digits come near one
_DATE_LIKE = re.compile(r"\d{1,2}([-.])\d{1,2}\1(?:19|20)\d\d|(?:19|20)\d\d([-.])\d{1,2}\2\d{1,2}")
_AS_DIGITS = str.maketrans("Ool", "001", " .-")  # separators out, O and l read as 0 and 1
# a postcode, an amount, a phone number's country code or other digits just before: part of another number
_OTHER_NUMBER_BEFORE = re.compile(r"\d{4}\s?[A-Z]{2}\s*$|€\s*$|\+\d*\s*$|\d[\s\-]*$")


class Citation(NamedTuple):  # a value made several times a mail: a tuple is made fastest
    written: str  # as in the mail
    digits: str  # normalised to digits (O→0, l→1), separators removed
    zone: str  # "subject" | "new" | "attachment" | "quoted" | "auto"
    labelled: bool  # preceded by kenmerk/referentie


def find_citations(zones: Mapping[str, str]) -> list[Citation]:
    """Every reference-like number per zone, in reading order, without other people's numbers."""
    out: list[Citation] = []
    for zone, text in zones.items():
        # "RE: Herinnering (ons kenmerk 7502217)": an answer's subject echoes ours, so its "ons kenmerk" is ours
        echoed = zone == "subject" and _ECHOED_SUBJECT.match(text) is not None
        for m in _CANDIDATE.finditer(text):
            written = m.group(1)
            digits = written.translate(_AS_DIGITS)
            if not digits.isdigit() or not 6 <= len(digits) <= 8:
                continue
            if written.count("O") + written.count("o") + written.count("l") > 2 or _DATE_LIKE.fullmatch(written):
                continue
            if digits.startswith("0") and (" " in written or "-" in written):  # phone numbers: 050 - 367 91 11
                continue
            before = text[max(0, m.start() - 40): m.start()]
            ours = echoed and _OUR_OWN_LABEL.search(before) is not None
            if not ours and _foreign_label(before):
                continue
            line_before = before.rsplit("\n", 1)[-1]
            if _OTHER_NUMBER_BEFORE.search(line_before):
                continue
            labelled = ours or bool(_OUR_LABEL.search(line_before[-30:]))
            out.append(Citation(written, digits, zone, labelled))
    return out


class RefCandidate(NamedTuple):  # a value made several times a mail: a tuple is made fastest
    reference: str  # register reference
    citation: Citation
    distance: int  # 0 = exact (after O/l normalisation)
    normalised: bool  # letters or separators had to be read as digits


def match_register(citations: list[Citation], letters: Mapping[str, LetterRef],
                   near: Mapping[str, tuple[str, ...]] | None = None) -> list[RefCandidate]:
    """Register references each citation could mean: exact, and every one within one edit (OSA), in order of
    reference. `near` is `near_index(letters)`, made once per register (here when not given): near misses are a
    few lookups, whatever the register's size."""
    index = near if near is not None else near_index(letters)
    out: list[RefCandidate] = []
    for c in citations:
        normalised = not c.written.isdigit()
        if c.digits in letters:
            out.append(RefCandidate(c.digits, c, 0, normalised))
        if len(c.digits) != 7 and not c.labelled:
            continue
        out += [RefCandidate(r, c, 1, True) for r in sorted(near_misses(c.digits, letters, index))]
    return out


def near_index(letters: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    """Each 7-digit reference under every string it becomes with one digit left out."""
    index: dict[str, list[str]] = {}
    for r in letters:
        if len(r) == 7:
            for key in {r[:i] + r[i + 1:] for i in range(7)}:
                index.setdefault(key, []).append(r)
    return {k: tuple(v) for k, v in index.items()}


def near_misses(digits: str, letters: Mapping[str, object], index: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The references (7 digits) one edit from `digits`: sharing a string with one digit left out (a digit
    changed or two neighbours swapped, then checked), becoming `digits` with one left out (one added), or
    `digits` with one left out (one too many)."""
    n = len(digits)
    if n == 6:
        return set(index.get(digits, ()))
    if n == 8:
        return {d for i in range(8) if (d := digits[:i] + digits[i + 1:]) in letters}
    if n != 7:
        return set()
    found = {r for i in range(7) for r in index.get(digits[:i] + digits[i + 1:], ())}
    return {r for r in found if r != digits and _one_apart(digits, r)}


def _one_apart(a: str, b: str) -> bool:
    """Two strings of 7 digits: one digit changed, or two neighbours swapped."""
    diff = [i for i in range(7) if a[i] != b[i]]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                               and a[diff[1]] == b[diff[0]])

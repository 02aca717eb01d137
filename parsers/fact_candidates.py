"""Candidates of the fact reader: every number and date of a text with its context as feature names.

`candidates(text, ref, article8)` takes the sender's own text and attachments (segmented by `parsers.fact_segments`,
numbers and dates found by `parsers.fact_numbers`) and returns a `Candidate` per number and date: the words just
before and after it, the words of its sentence, cue words of the sentence (AMV, waarvan, totaal, gerealiseerd, in
voorbereiding, vervalt, the task, old-date markers, a question mark), and in a table its row label, the other cells
of its row and its column header. Lines of one cell each (HTML tables as text) see the lines before them. A candidate
also says which others it is the sum of, an "N, waarvan M AMV" M, and whether AMV places are named right next to it.
"""

from __future__ import annotations

import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from parsers.fact_numbers import numbers, word_trie
from parsers.fact_segments import segments
from parsers.prefilter import fold

_WORD = re.compile(r"[^\W\d_]+|\d{1,3}(?:\.\d{3})+(?!\d)|\d+|[?()%:]")


def _fold(text: str) -> str:
    text = text.lower()
    if text.isascii():  # as NFKD leaves it
        return text
    text = unicodedata.normalize("NFKD", text)
    return text.encode("ascii", "ignore").decode("ascii")

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
_DAY = re.compile(r"\d{1,2}[- ]")
_PERCENT = re.compile(r"\s*%|\s*procent")
AMV_NEAR = re.compile(r"\bamv|minderjarig", re.IGNORECASE)
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


# re tries each alternative of a long alternation at every position of a text: a trie of the words the cues start
# with finds the few places where one can match; what it finds (a head no other head starts) → the cues it starts
_CUE_HEADS = {name: _heads(sre_parse.parse(pat.pattern)) or [] for name, pat in _CUES if pat.flags == re.UNICODE}
if len(_CUE_HEADS) < len(_CUES) or not all(_CUE_HEADS.values()):
    raise ValueError("every cue pattern must start with a word (see _heads)")
_HEAD_WORDS = {h for heads in _CUE_HEADS.values() for h in heads}
_CUE_START = re.compile(word_trie(_HEAD_WORDS))
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
        for start, end, value, written in numbers(seg.text, ref):
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
        amv = bool(AMV_NEAR.search(near)) or bool(
            {"row:amv", "rlc:amv", "chc:amv"} & f and "rlc:totaal" not in f)
        out.append(Candidate(value, si, written, frozenset(f), sum_idx.get(k, ()), waarvan, amv))
    return out


__all__ = ["AMV_NEAR", "Candidate", "candidates"]

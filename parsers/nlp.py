"""The one spaCy pipeline (blank Dutch, rule-based) and a PhraseMatcher over municipality names, built lazily.

Built once per registry on first use and cached (a pure value); nothing is loaded at import time.
NORM is the accent- and case-folded text so that "SÚDWEST-FRYSLÂN" and "Sudwest-Fryslan" match alike.
Names are also matched as their base without the province suffix ("Bergen" for "Bergen (NH.)"), labelled
ambiguous, for the caller to resolve by domain, province or context.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from parsers.registry import Registry, fold_name, fold_token

AMBIGUOUS = "AMBIGUOUS:"


@dataclass(frozen=True)
class NameMatcher:
    nlp: Any
    matcher: Any
    base_names: dict[str, tuple[str, ...]]  # folded base name → codes it may mean
    fuzzy_choices: tuple[tuple[str, str], ...]  # (folded name, code) for names longer than 5 characters
    fuzzy_names: tuple[str, ...]  # the folded names of fuzzy_choices, in the same order
    # the longest run of letters of every pattern (folded): a text without any of them holds no name
    keys: frozenset[str] = frozenset()
    # per key: how many characters a match may reach before and after it (see `_reach`)
    reach: dict[str, tuple[int, int]] = field(default_factory=dict)
    byte_keys: frozenset[bytes] = frozenset()  # the keys as ASCII bytes


_CACHE: dict[int, tuple[Registry, NameMatcher]] = {}
_LOCK = threading.Lock()


def _variants(name: str) -> set[str]:
    out = {name, name.replace("-", " "), name.replace("’", "'")}
    if name.startswith(("'s-", "’s-")):
        out |= {name[3:], "s-" + name[3:], "'s " + name[3:], "s " + name[3:]}
    return {v for v in out if v.strip()}


# Every new word the tokenizer meets stays in the pipeline's vocabulary (a string and a lexeme): a service that
# reads mail for years would grow without end. Past this many strings the pipeline is built afresh (0.05 s);
# freeing the words of each mail instead (spaCy's memory zones) makes reading four times slower.
MAX_VOCAB_STRINGS = 300_000


def build_matcher(registry: Registry, max_strings: int = MAX_VOCAB_STRINGS) -> NameMatcher:
    """The cached matcher for this registry (built on first call, and again once its vocabulary holds more than
    `max_strings` strings). Asked several times per mail: a built matcher is read without the lock."""
    hit = _CACHE.get(id(registry))
    if hit is not None and hit[0] is registry and len(hit[1].nlp.vocab.strings) <= max_strings:
        return hit[1]
    with _LOCK:
        hit = _CACHE.get(id(registry))
        if hit is not None and hit[0] is registry and len(hit[1].nlp.vocab.strings) <= max_strings:
            return hit[1]
        value = _build(registry)
        if len(_CACHE) > 4:
            _CACHE.clear()
        _CACHE[id(registry)] = (registry, value)
        return value


def _dutch() -> Any:
    """spaCy's blank Dutch pipeline without tokenizer exceptions. They only keep a special string one token (the
    4,500 dotted abbreviations such as "o.a.", emoticons, "'s"), which names never need: patterns and text are
    tokenized alike. Loading them was a quarter of the service's start-up; and the exceptions for a line break
    and a tab turn the tokenizer's cache off for the rest of any text that has one (spaCy caches no word after a
    special case in the same text), which made tokenizing several times slower."""
    from spacy.lang.nl import Dutch

    defaults = type("Defaults", (Dutch.Defaults,), {"tokenizer_exceptions": {}})
    return type("NameDutch", (Dutch,), {"Defaults": defaults})()


def _build(registry: Registry) -> NameMatcher:
    from spacy.attrs import NORM
    from spacy.matcher import PhraseMatcher

    nlp = _dutch()
    nlp.vocab.lex_attr_getters[NORM] = fold_token
    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    base: dict[str, list[str]] = {}
    fuzzy: list[tuple[str, str]] = []
    texts: set[str] = set()
    for m in registry.municipalities:
        names = {m.name, *m.aliases}
        variants = [v for n in names for v in _variants(n)] + [v for f in m.former for v in _variants(f)]
        texts.update(variants)
        matcher.add(m.code, [nlp.make_doc(v) for v in variants])
        stripped = re.sub(r"\s*\(.*\)\s*$", "", m.name).strip()
        if stripped != m.name:
            base.setdefault(fold_name(stripped), []).append(m.code)
        for n in names:
            f = fold_name(n)
            if len(f) > 5:
                fuzzy.append((f, m.code))
    for b, codes in base.items():
        matcher.add(AMBIGUOUS + b, [nlp.make_doc(b)])
        base[b] = codes
        texts.add(b)
    reach: dict[str, tuple[int, int]] = {}
    for t in texts:
        key = _key(t)
        before, after = _reach(nlp, t, key)
        was = reach.get(key, (0, 0))
        reach[key] = (max(before, was[0]), max(after, was[1]))
    keys = frozenset(reach)
    if not all(k.isascii() and k.isalpha() and k.islower() for k in keys):
        keys = frozenset({""})  # a name with letters beyond ASCII: no selection, every text is read whole
    return NameMatcher(nlp, matcher, {k: tuple(v) for k, v in base.items()}, tuple(fuzzy),
                       tuple(f for f, _ in fuzzy), keys, reach, frozenset(k.encode("ascii") for k in keys if k))


def _reach(nlp: Any, pattern: str, key: str) -> tuple[int, int]:
    """How far a match of `pattern` reaches before and after its key, in characters of a text whose characters
    each fold to one: its tokens have the pattern's tokens' folded forms, and between two of them stands at most
    one space (any other white space is a token of its own, which the pattern does not have). A key that is not
    within one token gets no bound."""
    norms = " ".join(t.norm_ for t in nlp.make_doc(pattern))
    at = norms.find(key)
    return (at, len(norms) - at - len(key)) if at >= 0 else (_NO_BOUND, _NO_BOUND)


# runs of letters; the tokenizer never splits a token between two letters, so a name's longest letter run is a
# whole run of the text it stands in
_LETTERS = re.compile(r"[^\W\d_]+")
# The keys are ASCII letters (checked when they are made): a key that is a whole run of letters is a whole run of
# ASCII letters too, and the ASCII class is read much faster than the Unicode one. A run of ASCII letters may be
# part of a longer run of letters: that keeps a text more, and rightly so where the letters beside the name are a
# symbol's ("Hilversum™": folding makes ™ "TM", which the tokenizer splits off; runs of letters of any script
# dropped that text and missed the name). The runs are read as bytes: every character that is not an ASCII letter
# made a space (characters beyond ASCII first made "?"), then split at spaces; twice as fast as a regex.
_ASCII_RUNS = bytes(c if 97 <= c <= 122 else 32 for c in range(256))


def ascii_runs(folded: str) -> list[bytes]:
    """The runs of ASCII letters a-z of `folded`, as `re.findall("[a-z]+", folded)` finds them, in bytes."""
    return folded.encode("ascii", "replace").translate(_ASCII_RUNS).split()


_LONG = 60
_LONG_RUN = re.compile(rf"\S{{{_LONG},}}")
_FREQUENT = frozenset({"gemeente", "de", "den", "het", "aan", "op", "van", "en", "s"})


def _key(pattern: str) -> str:
    """The run of letters of a pattern that is rarest in mail: the longest that is not a frequent word."""
    runs = _LETTERS.findall(fold_token(pattern))
    return max(runs, key=lambda r: (r not in _FREQUENT, len(r)), default="")


def _name_parts(text: str, nm: NameMatcher) -> tuple[str, list[int], list[int]]:
    """The parts of `text` that can hold a name, joined by line breaks, with where each of them starts in the
    joined text and in `text`; ("", [], []) when none can. Only a text with a key as a word can hold a name. A
    part is a window around each place a key stands (as a substring: a part too many only costs tokenizing, a
    part too few would lose a name), widened to white space so that it is tokenized as in the whole text; when
    folding does not keep every character in its place, the lines that hold a key. (The tokenizer reads white
    space a character at a time: what is not read is left out, not blanked.)"""
    keys = nm.keys
    if not keys or "" in keys:
        return text, [0], [0]
    folded = fold_token(text)
    found = nm.byte_keys.intersection(ascii_runs(folded))
    if not found:
        return "", [], []
    present = {k.decode("ascii") for k in found}
    if len(folded) == len(text) and (text.isascii() or all(map(_folds_alone, set(_NOT_ASCII.findall(text))))):
        return _windows(text, folded, present, nm.reach)
    return _lines(text, folded, present)


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_NO_BOUND = 100_000  # the most of a text that is read


@lru_cache(maxsize=4096)
def _folds_alone(char: str) -> bool:
    """Whether `char` folds to one character wherever it stands (lower case and decomposition work a character at a
    time, bar the final sigma, which is one character either way)."""
    return len(fold_token(char)) == 1


def _windows(text: str, folded: str, present: set[str] | frozenset[str],
             reach: dict[str, tuple[int, int]]) -> tuple[str, list[int], list[int]]:
    """A window around every place a present key stands, as far as a match can reach, widened to the nearest space
    or line break on each side (the tokenizer splits there and reads what lies between on its own); windows that
    overlap or touch are one."""
    spans: list[tuple[int, int]] = []
    size = len(text)
    spaced = text.replace("\n", " ")  # one search finds the nearest space or line break
    for key in present:
        before, after = reach[key]
        width = len(key) + after
        at = folded.find(key)
        while at >= 0:
            lo = at - before
            stop = spaced.find(" ", at + width)
            spans.append((spaced.rfind(" ", 0, lo) + 1 if lo > 0 else 0, stop if stop >= 0 else size))
            at = folded.find(key, at + 1)
    if len(spans) > 1:
        spans.sort()
        merged = [spans[0]]
        for start, stop in spans[1:]:
            if start <= merged[-1][1] + 1:
                if stop > merged[-1][1]:
                    merged[-1] = (merged[-1][0], stop)
            else:
                merged.append((start, stop))
        spans = merged
    starts: list[int] = []
    joined = 0
    for start, stop in spans:
        starts.append(joined)
        joined += stop - start + 1
    return "\n".join([text[start:stop] for start, stop in spans]), starts, [start for start, _ in spans]


def _lines(text: str, folded: str, present: set[str] | frozenset[str]) -> tuple[str, list[int], list[int]]:
    """The lines that hold a present key."""
    lines, flines = text.split("\n"), folded.split("\n")
    if len(lines) != len(flines):  # folding never adds or removes a line break; if it ever did, keep all
        return text, [0], [0]
    kept: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    at = joined = 0
    for line, fl in zip(lines, flines, strict=True):
        if any(k in fl for k in present):
            kept.append(line)
            starts.append(joined)
            origins.append(at)
            joined += len(line) + 1
        at += len(line) + 1
    return "\n".join(kept), starts, origins


class NameHit(NamedTuple):  # a value made several times a mail: a tuple is made fastest
    label: str  # CBS code, or AMBIGUOUS + folded base name
    start: int  # character offsets in the text
    end: int
    text: str


def find_names(text: str, nm: NameMatcher) -> list[NameHit]:
    """Non-overlapping municipality name mentions (longest first) in reading order."""
    return find_names_each([text], nm)[0]


def find_names_each(texts: Sequence[str], nm: NameMatcher) -> list[list[NameHit]]:
    """`find_names` of each text, tokenized and matched as one document: a match never spans a line break (a token
    of its own), so the texts' parts that can hold a name, joined by line breaks, give each text its own matches."""
    parts: list[str] = []
    starts: list[int] = []  # where each part starts in the joined text
    origins: list[int] = []  # ... and in its own text
    owners: list[int] = []  # ... and which text that is
    joined = 0
    for i, text in enumerate(texts):
        clean, part_starts, part_origins = _name_parts(text[:_NO_BOUND], nm)
        if not clean.strip():
            continue
        parts.append(clean)
        starts += [joined + at for at in part_starts]
        origins += part_origins
        owners += [i] * len(part_starts)
        joined += len(clean) + 1
    out: list[list[NameHit]] = [[] for _ in texts]
    if not parts:
        return out
    # long runs without spaces (base64 debris, URLs) are never names and make the tokenizer slow
    clean = "\n".join(parts)
    if max(map(len, clean.split())) >= _LONG:  # str.split and \S agree on what is white space
        clean = _LONG_RUN.sub(lambda m: " " * len(m.group(0)), clean)
    doc = nm.nlp.make_doc(clean)
    # spacy.util.filter_spans on (start, end) token indices: longest first, then earliest; a match is dropped
    # when its first or last token is taken
    matches = sorted(nm.matcher(doc), key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
    taken: set[int] = set()
    kept: list[tuple[int, int, int]] = []
    for match_id, start, end in matches:
        if start not in taken and end - 1 not in taken:
            kept.append((match_id, start, end))
            taken.update(range(start, end))
    strings = nm.nlp.vocab.strings
    for match_id, start, end in sorted(kept, key=lambda m: m[1]):
        last = doc[end - 1]
        begin, stop = doc[start].idx, last.idx + len(last)
        part = bisect_right(starts, begin) - 1  # a match is within one part
        shift = origins[part] - starts[part]
        out[owners[part]].append(NameHit(strings[match_id], begin + shift, stop + shift, clean[begin:stop]))
    return out

"""Regular expressions that first check for a word every match must contain.

Python's `re` tries every alternative of a long alternation at every position of the text: the rules' patterns
(forty ways to say a location is lost) cost up to 0.4 µs per character, most of it on text without a single one
of their words. `prefiltered(pattern)` derives from the pattern itself a set of strings of which every match
contains at least one (the longest literal run of each alternative), and searches the text with `re` only when
one of them occurs in it. The answer is always the pattern's own: the check only skips searches that cannot match.
The set is chosen by length, which knows nothing of how often a word is written; a caller may name rarer words
instead (`rarer=`), which are taken only once the pattern's structure shows that every match has one of them.

Strings are compared case-folded the way `re.IGNORECASE` compares characters (lower case, plus the characters
`re` also treats as equal to an ASCII letter: ı and İ as i, ſ as s), so the check holds with or without that
flag. Factors are ASCII only: a pattern whose factors are not gets no check.
The pattern's structure is read with `re._parser`, the parser of the running Python (3.11, pinned).
"""

from __future__ import annotations

import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterator
from typing import Any

MIN_FACTOR = 3  # shorter strings are in almost every text: no use as a check

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


def fold(text: str) -> str:
    """Lower case as `re.IGNORECASE` compares (ı, İ and ſ as i, i and s); may only ever add matches of factors."""
    low = text.lower()
    return low if low.isascii() else low.replace("\u0307", "").replace("ı", "i").replace("ſ", "s")


def factors(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Folded strings of which every match of `pattern` contains one; None when no useful set exists."""
    found = _factors(sre_parse.parse(pattern.pattern, pattern.flags))
    if not found or min(len(f) for f in found) < MIN_FACTOR or not all(f.isascii() for f in found):
        return None  # beyond ASCII, lower case and re's case equality part ways (final ς, µ/μ): no check
    return frozenset(fold(f) for f in found)


def _rank(found: frozenset[str]) -> tuple[int, int]:
    return min(len(f) for f in found), -len(found)


def _parts(items: Any) -> Iterator[str | list[Any]]:
    """The parts of a sequence of parsed items that every match has: a run of literal characters (next to each other;
    a zero-width assertion between them does not part them), or the alternatives of a group, a branch or a repeat
    made at least once (one of which matches). Other items (a set, any character, an optional part) give none."""
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            yield "".join(run)
        run = []
        if op is sre.SUBPATTERN:
            yield [av[-1]]
        elif op is sre.ATOMIC_GROUP:
            yield [av]
        elif op is sre.BRANCH:
            yield list(av[1])
        elif op in _REPEATS and av[0] >= 1:
            yield [av[2]]
    if run:
        yield "".join(run)


def _factors(items: Any) -> frozenset[str] | None:
    """For a sequence of parsed items: the best set among its parts' sets (each part must match, so any one
    part's set holds for the whole; alternatives give the union of theirs, when each has one)."""
    best: frozenset[str] | None = None
    for part in _parts(items):
        if isinstance(part, str):
            found: frozenset[str] | None = frozenset({part})
        else:
            sets = [_factors(alternative) for alternative in part]
            found = frozenset().union(*sets) if all(sets) else None  # type: ignore[arg-type]
        if found and (best is None or _rank(found) > _rank(best)):
            best = found
    return best


def _holds(items: Any, words: frozenset[str]) -> bool:
    """Whether every match of a sequence of parsed items contains one of `words` (folded): some part always does (a
    run of literal characters that holds one, or alternatives each of which does)."""
    return any(any(w in fold(part) for w in words) if isinstance(part, str)
               else all(_holds(alternative, words) for alternative in part) for part in _parts(items))


class Prefiltered:
    """A compiled pattern that skips the search when none of its factors is in the text (the two methods the
    reader uses; `regex` is the pattern itself). `rarer`: words the caller knows to be rarer in mail than the
    derived factors (which are chosen by length alone), taken instead once the pattern shows that every match has
    one of them."""

    def __init__(self, regex: re.Pattern[str], rarer: tuple[str, ...] = ()) -> None:
        self.regex = regex
        self.factors = factors(regex)
        if rarer:
            words = frozenset(fold(w) for w in rarer)
            if min(map(len, words)) < MIN_FACTOR or not all(w.isascii() for w in words) or not _holds(
                    sre_parse.parse(regex.pattern, regex.flags), words):
                raise ValueError(f"not every match of {regex.pattern!r} has one of {sorted(words)}")
            self.factors = words

    def possible(self, text: str) -> bool:
        if self.factors is None:
            return True
        folded = fold(text)
        return any(f in folded for f in self.factors)

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.possible(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.possible(text) else iter(())


def prefiltered(pattern: str, flags: int = 0, rarer: tuple[str, ...] = ()) -> Prefiltered:
    return Prefiltered(re.compile(pattern, flags), rarer)

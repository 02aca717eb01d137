"""The prefilter of a pattern only ever skips searches that cannot match: checked on strings made to match
each prefiltered pattern of the reader, and on every character `re.IGNORECASE` treats as equal to one in a factor."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import facts, human_kinds, kinds, letterdates, municipalities, refchoice, senders
from parsers.prefilter import Prefiltered, factors, fold, prefiltered

READERS = (human_kinds, kinds, facts, letterdates, municipalities, refchoice, senders)
PATTERNS = {f"{m.__name__}.{name}": value for m in READERS
            for name, value in vars(m).items() if isinstance(value, Prefiltered)}


def test_the_readers_patterns_are_prefiltered() -> None:
    assert len(PATTERNS) >= 15
    assert all(p.factors for p in PATTERNS.values())  # a prefilter without factors would only cost


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_string_that_matches_passes_the_prefilter(name: str) -> None:
    p = PATTERNS[name]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(p.regex), st.text(max_size=20), st.text(max_size=20),
           st.sampled_from([str.upper, str.lower, str.title, str.swapcase, lambda s: s]))
    def check(matching: str, before: str, after: str, case: object) -> None:
        text = before + (case(matching) if p.regex.flags & re.IGNORECASE else matching) + after  # type: ignore[operator]
        assert bool(p.regex.search(text)) == bool(p.search(text))

    check()


def test_folding_keeps_every_character_ignorecase_treats_as_equal() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    wanted = {ch for p in PATTERNS.values() for f in p.factors or () for ch in f}
    for ch in wanted:
        for same in re.findall(re.escape(ch), every, re.IGNORECASE):
            assert fold(same) == fold(ch), (ch, same)


def test_factors_of_a_pattern() -> None:
    found = factors(re.compile(r"\b(?:gaat niet door|valt (?:\w+ )?weg|vervalt)\b"))
    assert found == frozenset({"gaat niet door", "valt ", "vervalt"})
    assert factors(re.compile(r"(?:ab)?c|x")) is None  # a match may be one character: nothing to look for
    p = prefiltered(r"uitstel\s+(?:tot|per)", re.IGNORECASE)
    assert p.search("Wij vragen UITSTEL tot 1 juni") and not p.search("Wij vragen om verlenging")
    assert p.search("ſtel: UITſTEL tot") is not None  # ſ is an s to re.IGNORECASE, and so to the prefilter


def test_rarer_words_are_taken_only_when_every_match_has_one() -> None:
    pattern = r"\b(?:gezamenlijke?\s+(?:reactie|antwoord)|namens\s+(?:beide|de\s+(?:twee|drie))\s+gemeenten)\b"
    assert factors(re.compile(pattern, re.IGNORECASE)) == frozenset({"gezamenlijk", "gemeenten"})  # by length
    p = prefiltered(pattern, re.IGNORECASE, rarer=("zamenlijk", "beide", "twee", "drie"))
    assert p.factors == frozenset({"zamenlijk", "beide", "twee", "drie"})
    assert p.search("Namens DE TWEE gemeenten") and not p.search("Onze reactie namens de gemeenten")
    for words in (("beide", "twee", "drie"), ("zamenlijk", "beide", "twee"), ("zamenlijk", "beide", "twee", "dr")):
        with pytest.raises(ValueError, match="not every match"):
            prefiltered(pattern, re.IGNORECASE, rarer=words)
    with pytest.raises(ValueError, match="not every match"):  # an optional word is not in every match
        prefiltered(r"(?:beide\s+)?gemeenten", 0, rarer=("beide",))
    assert prefiltered(r"(?:beide\s+){1,2}gemeenten", 0, rarer=("beide",)).factors == frozenset({"beide"})

"""Patterns and name finding written for speed give exactly what their plain form gives.

A leading look-behind or word boundary keeps `re` from skipping ahead to the pattern's first character; the reader
writes those tests after the first character instead. The plain patterns stay here as the specification.
The names of several texts are found in one spaCy document; each text must get what it gets on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.mime import parse_mime
from parsers.municipalities import (
    _AFTER_GEMEENTE,
    _COLLEGE,
    _GEMEENTE,
    _PHRASE_ENDS,
    _SKIP_BEFORE,
    _SKIP_WORDS,
    _phrase_before,
    _skip_before,
)
from parsers.nlp import _LONG_RUN, NameHit, NameMatcher, ascii_runs, build_matcher, find_names, find_names_each
from parsers.quotes import split_quote
from parsers.refchoice import _SEVEN_DIGITS
from parsers.references import _CANDIDATE, _FOREIGN_LABEL, _foreign_label
from parsers.registry import Registry, fold_name, fold_token
from parsers.senders import regional_body
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]

PLAIN_CANDIDATE = re.compile(r"(?<![\w.\-/])((?:[0-9Ool](?:[ .\-](?=[0-9Ool]))?){5,9}[0-9Ool])(?![\w\-/]|\.\d)")
PLAIN_SEVEN_DIGITS = re.compile(r"(?<![\w.])(\d{7})(?![\w])")
PLAIN_AFTER_GEMEENTE = re.compile(r"\bgemeente\s+([A-ZÀ-Ý'’][\w'’\-]+(?:\s+(?:aan|op|de|den|en|[A-ZÀ-Ý][\w\-]+)){0,3})")

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


def _same(fast: re.Pattern[str], plain: re.Pattern[str], text: str) -> None:
    assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
        [(m.span(), m.groups()) for m in plain.finditer(text)]


@SETTINGS
@given(st.lists(st.sampled_from(["0", "7", "4", "6", "8", "O", "o", "l", " ", ".", "-", "/", "\n", "x", "_", "é",
                                 "7468089", "746 80 89", "ref. ", "1.5"]), max_size=24).map("".join))
def test_reference_candidates_as_the_plain_pattern_finds_them(text: str) -> None:
    _same(_CANDIDATE, PLAIN_CANDIDATE, text)


@SETTINGS
@given(st.lists(st.sampled_from(["7", "4", "0", "٣", ".", " ", "x", "_", "\n", "é", "7468089", "74680891"]),
                max_size=20).map("".join))
def test_machine_references_as_the_plain_pattern_finds_them(text: str) -> None:
    _same(_SEVEN_DIGITS, PLAIN_SEVEN_DIGITS, text)


@SETTINGS
@given(st.lists(st.sampled_from(["gemeente", "Gemeente", "gemeentegemeente", " ", "\n", "x", "_", "é", "1", "-",
                                 "Hilversum", "Bergen", " op ", " Zoom", "'s-Hertogenbosch", "de"]),
                max_size=12).map("".join))
def test_gemeente_phrases_as_the_plain_pattern_finds_them(text: str) -> None:
    _same(_AFTER_GEMEENTE, PLAIN_AFTER_GEMEENTE, text)


# letters that re.IGNORECASE takes for an ASCII letter
RE_CASE_EQUAL = str.maketrans({"i": "ı", "I": "İ", "s": "ſ", "k": "\u212a"})
LABEL_WORDS = ["ons", "onze", "kenmerk", "zaaknummer", "zaaknr", "registratienummer", "KvK", "k.v.k", "Tel", "tel.",
               "telefoon", "mobiel", "m", "t", "Postbus", "IBAN", "btw", "id", "wachtwoordcode", "incident",
               "factuur", "ECLI", "bsn", "dossiernummer", "saaknûmer", "referentie", "x", "mt", "am"]


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(LABEL_WORDS),
                          st.sampled_from(LABEL_WORDS).map(str.upper),
                          st.sampled_from(LABEL_WORDS).map(lambda w: w.translate(RE_CASE_EQUAL)),
                          st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", ":", ".", "#", "(", ")", "-", "é", "1", "_",
                                           "İ", "ı", "ſ", "\u0307", "\u212a", "Û", "ﬁ"])),
                max_size=14).map("".join))
def test_foreign_labels_as_the_plain_search_finds_them(before: str) -> None:
    assert _foreign_label(before) == bool(_FOREIGN_LABEL.search(before.rstrip(" :(")))


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(_SKIP_WORDS).map(lambda w: w.upper() if len(w) % 2 else w.title()),
                          st.sampled_from(_SKIP_WORDS),
                          st.sampled_from([" ", "\n", "\t", "\u00a0", "x", "ı", "İ", "ſ", "é", "1", "-", "Hilversum"])),
                max_size=10).map("".join))
def test_skip_words_as_the_plain_search_finds_them(before: str) -> None:
    assert _skip_before(before) == bool(_SKIP_BEFORE.search(before.rstrip()[-24:]))


@SETTINGS
@given(st.from_regex(_SKIP_BEFORE), st.text(max_size=10))
def test_every_skip_phrase_passes_the_check(phrase: str, before: str) -> None:
    assert _skip_before(before + phrase) == bool(_SKIP_BEFORE.search((before + phrase).rstrip()[-24:]))


@SETTINGS
@given(st.one_of(st.text(), st.lists(st.sampled_from(["hilversum", "a", "z", "`", "{", "@", "[", "é", "?", " ", "\n",
                                                      "\x00", "\x7f", "\udc80", "ﬁ", "A"]), max_size=20).map("".join)))
def test_ascii_runs_as_the_plain_pattern_finds_them(text: str) -> None:
    assert [r.decode("ascii") for r in ascii_runs(text)] == re.findall("[a-z]+", text)


def plain_phrase_before(before: str) -> str:
    if before[-1:].isspace() and before.rstrip()[-9:].lower().endswith(_PHRASE_ENDS):
        if _COLLEGE.search(before):
            return "college"
        if _GEMEENTE.search(before):
            return "gemeente"
    return ""


PHRASE_WORDS = ["college", "Colleges", "van", "burgemeester", "en", "wethouders", "WETHOUDERS", "wethouderſ", "b", "B",
                "&", "w", "W", ".", "de", "De", "gemeente", "gemeenten", "GEMEENTE", "xgemeente", "Hilversum"]


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(PHRASE_WORDS), st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", " \n"])),
                max_size=16).map("".join))
def test_phrases_before_a_name_as_the_plain_search_finds_them(before: str) -> None:
    assert _phrase_before(before) == plain_phrase_before(before)


@SETTINGS
@given(st.sampled_from(["college van burgemeester en wethouders van de gemeente ", "college van B & W van ",
                        "College van b. en w. van de gemeenten ", "Burgemeester en Wethouders van ", "b&w van de ",
                        "de gemeente ", "Gemeenten\n \n"]),
       st.text(max_size=10), st.sampled_from([str.upper, str.lower, str.title, lambda s: s]))
def test_every_phrase_before_a_name_passes_the_checks(phrase: str, before: str, case: object) -> None:
    text = before + " " + case(phrase)  # type: ignore[operator]
    assert _phrase_before(text) == plain_phrase_before(text) != ""


def plain_regional_body(address: str, display_name: str, signature: str,
                        regions: dict[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]] | None:
    domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(">")
    for key, members in regions.items():
        if "." in key and (domain == key or domain.endswith("." + key)):
            return key, members
    folded = fold_token(display_name + "\n" + signature[:600])
    names = sorted((k for k in regions if "." not in k and max(k.split(), key=len, default="") in folded),
                   key=len, reverse=True)
    where = " " + fold_name(display_name) + " " + " ".join(fold_name(ln) for ln in signature[:600].splitlines()) + " "
    hit = next((k for k in names if f" {k} " in where), None)
    return (hit, regions[hit]) if hit else None


REGION_KEYS = ["regio.nl", "a.regio.nl", "regiogv.nl", "nl", ".nl", "regio gooi", "regio", "gooi", "buch",
               "werkorganisatie buch", "drechtsteden", "servicecentrum drechtsteden"]


@SETTINGS
@given(st.lists(st.sampled_from(REGION_KEYS), unique=True).map(lambda ks: {k: (f"GM{i}",) for i, k in enumerate(ks)}),
       st.one_of(st.lists(st.sampled_from(["x", "a", "regio", "regiogv", "nl", "", "NL"]), max_size=4).map(".".join),
                 st.tuples(st.sampled_from(["", "x.", "a.", "mail.a.", "xa."]),
                           st.sampled_from([k for k in REGION_KEYS if "." in k])).map("".join)),
       st.lists(st.sampled_from(["Regio", "Gooi", "BUCH", "Werkorganisatie", "Drechtsteden", "x", " ", "\n", "é"]),
                max_size=6).map(" ".join))
def test_regional_bodies_as_the_plain_search_finds_them(regions: dict[str, tuple[str, ...]], domain: str,
                                                       words: str) -> None:
    for display, signature in ((words, ""), ("", words), ("Jan", "Met groet,\n" + words)):
        assert regional_body(f"jan@{domain}>", display, signature, regions) == \
            plain_regional_body(f"jan@{domain}>", display, signature, regions)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return shared_registry()


def _zone_texts() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests" / "fixtures" / "dev").glob("*.eml")):
        mail = parse_mime(path.read_bytes())
        split = split_quote(mail.text)
        out += [mail.subject, split.new, split.signature, split.quoted]
    return out


def plain_names(text: str, nm: NameMatcher) -> list[NameHit]:
    """The specification of `find_names`: the whole text tokenized, long runs blanked, and spaCy's filter_spans."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    clean = _LONG_RUN.sub(lambda m: " " * len(m.group(0)), text[:100_000])
    doc = nm.nlp.make_doc(clean)
    spans = filter_spans([Span(doc, start, end, label=m) for m, start, end in nm.matcher(doc)])
    return [NameHit(s.label_, s.start_char, s.end_char, text[s.start_char: s.end_char]) for s in spans]


def test_names_are_found_as_in_the_whole_text(registry: Registry) -> None:
    nm = build_matcher(registry)
    texts = _zone_texts()
    assert sum(map(len, (plain_names(t, nm) for t in texts))) > 50
    for text in texts:
        assert find_names(text, nm) == plain_names(text, nm)


# around names: spaces of every kind, characters that fold to none, one or several ("e\u0301", "ĳ", "…", "™"),
# letters that change length in lower case ("İ"), the final sigma, punctuation the tokenizer splits off
NOISE = [" ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2009", ", ", "-", "–", "(", ")", "'", "’", ".", ":", "/",
         "é", "e\u0301", "\u0301", "ĳ", "…", "™", "İ", "ΟΔΟΣ ", "ø", "x", "1", "gemeente ", "op ", "aan den ", "de ",
         "'s-", "s ", "ede", "tweede", "Beste", "bergen", "HAAG", "Den", "Zoom"]


def test_names_amid_every_kind_of_noise_are_found_as_in_the_whole_text(registry: Registry) -> None:
    nm = build_matcher(registry)
    names = sorted({n for m in registry.municipalities for n in (m.name, *m.aliases, *m.former)})

    @SETTINGS
    @given(st.lists(st.one_of(st.sampled_from(names), st.sampled_from(NOISE)), max_size=14).map("".join))
    def check(text: str) -> None:
        assert find_names(text, nm) == plain_names(text, nm)

    check()


def test_names_after_characters_that_fold_to_several_are_found(registry: Registry) -> None:
    nm = build_matcher(registry)  # folded text as long as the text, but its places shifted by eight
    text = "\u2026" * 4 + " Bergen op Zoom e" + "\u0301" * 8
    assert [h.text for h in find_names(text, nm)] == ["Bergen op Zoom"] == [h.text for h in plain_names(text, nm)]


def test_names_of_several_texts_are_each_texts_own(registry: Registry) -> None:
    nm = build_matcher(registry)
    texts = _zone_texts()
    assert sum(map(len, (find_names(t, nm) for t in texts))) > 50
    for i in range(0, len(texts), 4):
        group = texts[i: i + 4]
        assert find_names_each(group, nm) == [find_names(t, nm) for t in group]


def test_names_of_several_texts_with_names_at_every_edge(registry: Registry) -> None:
    nm = build_matcher(registry)
    names = sorted({n for m in registry.municipalities for n in (m.name, *m.aliases)})

    @SETTINGS
    @given(st.lists(st.lists(st.one_of(st.sampled_from(names), st.sampled_from([" ", "\n", ", ", "–", "(", ")", "\t",
                                                                                 "gemeente ", "ø", "x", ""])),
                             max_size=8).map("".join), max_size=5))
    def check(texts: list[str]) -> None:
        each = find_names_each(texts, nm)
        assert each == [find_names(t, nm) for t in texts]
        for text, hits in zip(texts, each, strict=True):
            assert all(text[h.start: h.end] == h.text for h in hits)

    check()


def test_names_beside_long_runs_are_found_and_names_inside_them_are_not(registry: Registry) -> None:
    nm = build_matcher(registry)
    url = "https://www.example.nl/" + "a" * 40 + "/Hilversum/brief.pdf"
    text = f"Gemeente Hilversum\n{url} en Baarn\u00a0{'b' * 70}\u00a0Huizen"
    assert [h.text for h in find_names(text, nm)] == ["Hilversum", "Baarn", "Huizen"]
    assert [h.text for h in find_names("Gemeente Hilversum en Baarn", nm)] == ["Hilversum", "Baarn"]


def test_no_foreign_label_is_longer_than_the_search_looks_back() -> None:
    from parsers.references import _FOREIGN_LABELS, _LONGEST_LABEL

    group = _FOREIGN_LABEL.pattern[len("(?:"): _FOREIGN_LABEL.pattern.index(")[")]
    labels = [re.sub(r"\\s\+", " ", a).replace("\\b", "").replace("\\.", ".") for a in group.split("|")]
    assert len(labels) > 20
    assert max(map(len, labels)) == _LONGEST_LABEL
    # the end check knows every label: the words "m" and "t" apart, and "tel." (a text never ends with ".")
    assert set(labels) - {"m", "t", "tel."} == set(_FOREIGN_LABELS)


def test_a_name_beside_a_symbol_that_folds_to_letters_is_found(registry: Registry) -> None:
    nm = build_matcher(registry)  # ™ folds to "TM", which the tokenizer splits off: the line must still be read
    for text in ("Hilversum™", "™Hilversum", "Gemeente ™Hilversum", "x\n℠Hilversum"):
        assert [h.text for h in find_names(text, nm)] == ["Hilversum"], text

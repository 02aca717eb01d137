"""Small Dutch examples per reader module."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dates import find_dates
from parsers.facts import find_facts, find_return_date
from parsers.htmltext import html_to_text
from parsers.mime import decode_header, parse_mime
from parsers.model import Kind, LetterRef
from parsers.municipalities import find_municipalities
from parsers.quotes import find_forwarded, split_quote
from parsers.references import find_citations, match_register
from parsers.registry import Registry
from parsers.senders import domain_municipality
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return shared_registry()


@pytest.fixture(scope="module")
def ctx(registry: Registry) -> ReadingContext:
    def letter(ref: str, name: str) -> LetterRef:
        m = registry.resolve(name)
        assert m is not None
        return LetterRef(ref, m.code, date(2026, 4, 9))
    return ReadingContext(registry, {"1234567": letter("1234567", "Hilversum"),
                                     "1234576": letter("1234576", "Amersfoort")})


def _mail(sender: str, subject: str, body: str, extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: {subject}\r\n"
            f"Date: Tue, 28 Apr 2026 10:00:00 +0200\r\nMessage-ID: <x@y>\r\n{extra}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


def test_decode_header_rfc2047() -> None:
    assert decode_header("=?iso-8859-1?Q?S=FAdwest-Frysl=E2n?=") == "Súdwest-Fryslân"


def test_html_to_text_drops_scripts_and_marks_blockquotes() -> None:
    text = html_to_text("<p>Geachte <b>heer</b>,</p><script>x()</script><blockquote>oud</blockquote>")
    assert "Geachte heer," in text and "x()" not in text and "> oud" in text


def test_html_to_text_keeps_a_footer_after_the_document_and_survives_stray_tags() -> None:
    # a mailing list appends its footer after </html>; tags closed in the wrong order; an unclosed blockquote
    text = html_to_text("<html><body><p>Stand van <i><b>zaken</i></b></p></body></html>\n___\nLijst: x@y.nl")
    assert text.splitlines()[0] == "Stand van zaken" and "Lijst: x@y.nl" in text
    assert html_to_text("<td>a</td><td>b</td><blockquote><p>oud") == "a b\n> oud"


def test_html_with_more_tags_than_the_parser_handles_in_bounded_time_is_stripped() -> None:
    from parsers.htmltext import MAX_TAGS

    # unclosed tags and stray end tags make libxml2's work quadratic in their number: such markup is only stripped
    hostile = "<b>" * MAX_TAGS + "Gemeente <br>Hilversum &amp; co" + "</i>" * MAX_TAGS
    assert html_to_text(hostile) == "Gemeente\nHilversum & co"
    # still no styles, scripts or heads as text, and quoted history still marked as quoted
    page = ("<html><head><style>p {color: red}</style><title>Nieuwsbrief</title></head><body><p>Geachte heer,</p>"
            + "<span>x</span>" * MAX_TAGS + "<blockquote><p>Kenmerk 1234567</p></blockquote><script>x()</script>")
    text = html_to_text(page)
    assert text.startswith("Geachte heer,\nxxx") and text.endswith("\n> Kenmerk 1234567")
    assert "color" not in text and "Nieuwsbrief" not in text and "x()" not in text


def test_cp1252_fallback() -> None:
    p = parse_mime(b"Subject: x\r\nContent-Type: text/plain; charset=bogus\r\n\r\nCaf\xe9 \x80 5")
    assert "Café € 5" in p.text


def test_split_quote_outlook_block_and_signature() -> None:
    s = split_quote("Hierbij onze reactie.\n\nMet vriendelijke groet,\nAnne\nGemeente Ede\n\n"
                    "Van: IBT <ibtspreidingswet@minjenv.nl>\nVerzonden: dinsdag\nAan: x\nOnderwerp: y\n\noud")
    assert s.new == "Hierbij onze reactie."
    assert "Gemeente Ede" in s.signature and s.quoted.startswith("Van:")


def test_find_forwarded() -> None:
    fwd = find_forwarded("Van: Lotte <l.h@leiden.nl>\nVerzonden: do\nAan: p@minjenv.nl\nOnderwerp: Reactie\n\nTekst")
    assert fwd is not None and fwd.sender == "l.h@leiden.nl" and fwd.body == "Tekst"


def test_citations_skip_other_numbers() -> None:
    cits = find_citations({"new": "uw kenmerk 123 45 67, ons kenmerk 7654321, T 050 - 367 91 11, KvK 71234567"})
    assert [c.digits for c in cits] == ["1234567"]


def test_fuzzy_reference_candidates(ctx: ReadingContext) -> None:
    cands = match_register(find_citations({"subject": "kenmerk 123456O"}), ctx.letters)
    assert {(c.reference, c.distance) for c in cands} >= {("1234567", 1)}


@settings(max_examples=600, deadline=None)
@given(cited=st.text("0123456789", min_size=6, max_size=8),
       register=st.lists(st.text("0123456789", min_size=7, max_size=7), max_size=40),
       edits=st.lists(st.tuples(st.integers(0, 7), st.sampled_from("0123456789")), max_size=6))
def test_near_references_are_every_register_letter_one_edit_away(cited: str, register: list[str],
                                                                   edits: list[tuple[int, str]]) -> None:
    """The edits of a citation, looked up in the register, find what comparing it with every letter finds."""
    from rapidfuzz.distance import OSA

    for i, d in edits:  # letters one digit from the citation, so that near misses occur
        register.append((cited[:i] + d + cited[i + 1:])[:7].ljust(7, "0"))
    letters = {r: LetterRef(r, "GM0402", date(2026, 4, 9), "", "informatieverzoek") for r in register}
    from parsers.references import near_index

    brute = sorted(r for r in letters if r != cited and OSA.distance(cited, r) <= 1)
    citations = find_citations({"subject": f"kenmerk {cited}"})
    for near in (None, near_index(letters)):  # the index made here, or given
        assert [c.reference for c in match_register(citations, letters, near) if c.distance == 1] == brute


def test_the_name_tokenizer_has_no_special_cases(registry: Registry) -> None:
    """spaCy stops caching the words of a text after its first special case, and a line break is one in its
    Dutch defaults: without special cases every word is cached (names are matched on tokens made alike)."""
    from parsers.nlp import build_matcher, find_names

    nm = build_matcher(registry)
    assert not nm.nlp.tokenizer.rules
    text = "Geachte heer,\n\nnamens het college van ’s-Hertogenbosch en Súdwest-Fryslân :-) o.a. 't\tHilversum."
    assert [h.label for h in find_names(text, nm)] == ["GM0796", "GM1900", "GM0402"]


def test_the_name_pipeline_is_built_afresh_once_its_vocabulary_is_full(registry: Registry) -> None:
    from parsers.nlp import build_matcher, find_names

    nm = build_matcher(registry)
    bound = len(nm.nlp.vocab.strings) + 50
    for i in range(30):  # words never seen before, beside a name (read with it): each stays in the vocabulary
        find_names(f"gemeente Hilversum,woordx{i}a,woordx{i}b,woordx{i}c", nm)
    assert len(nm.nlp.vocab.strings) > bound
    fresh = build_matcher(registry, max_strings=bound)
    assert fresh is not nm and len(fresh.nlp.vocab.strings) < bound
    assert [h.text for h in find_names("namens de gemeente Hilversum", fresh)] == ["Hilversum"]


def test_domain_with_gemeente_prefix(registry: Registry) -> None:
    assert domain_municipality("info@gemeente-assen.nl", registry) == registry.resolve("Assen").code  # type: ignore[union-attr]


def test_common_word_name_needs_context(registry: Registry) -> None:
    found = find_municipalities({"new": "Dat is het beste, Best of niet."}, "a@example.org", "", registry)
    assert not found.scores
    found = find_municipalities({"new": "Namens de gemeente Best stuur ik u dit."}, "a@example.org", "", registry)
    assert found.strong() == [registry.resolve("Best").code]  # type: ignore[union-attr]


def test_dates_and_periods() -> None:
    got = [f.value for f in find_dates("eind 2027, Q2 2027, medio 2027, per 1 oktober", date(2026, 4, 28))]
    assert got == [date(2027, 12, 31), date(2027, 6, 30), date(2027, 6, 30), date(2026, 10, 1)]


def test_facts_from_new_text() -> None:
    facts = find_facts("Op dit moment zijn 1.640 opvangplekken gerealiseerd. In totaal zijn 590 plekken in "
                       "voorbereiding. Wij verwachten uiterlijk 1 juli 2027 aan de taak te voldoen.", date(2026, 4, 28))
    assert (facts.realised, facts.planned, facts.expected_date) == (1640, 590, date(2027, 7, 1))


def test_return_date() -> None:
    assert find_return_date("Ik ben afwezig tot en met 12 augustus.", date(2026, 7, 30)) == date(2026, 8, 13)


def test_reply_with_reference_and_domain(ctx: ReadingContext) -> None:
    r = read_mail(_mail("a@hilversum.nl", "Reactie kenmerk 1234567",
                        "Geachte heer,\n\nIn reactie op uw brief: 262 plekken gerealiseerd.\n\nGroet,\nA"), ctx)
    assert r.kind is Kind.REPLY and not r.needs_triage
    assert r.reference is not None and r.reference.value == "1234567"
    assert r.municipalities[0].name == "Hilversum"


def test_reference_of_other_municipality_goes_to_triage(ctx: ReadingContext) -> None:
    r = read_mail(_mail("a@utrecht.nl", "Reactie kenmerk 1234567", "In reactie op uw brief: zie bijlage."), ctx)
    assert r.needs_triage


def test_private_sender_without_reference_is_triaged(ctx: ReadingContext) -> None:
    r = read_mail(_mail("iemand@gmail.com", "Vraag", "Ik heb een vraag over de brief. Kunt u mij bellen?"), ctx)
    assert r.kind is Kind.QUESTION and r.needs_triage


def test_out_of_office_and_suppress_header(ctx: ReadingContext) -> None:
    r = read_mail(_mail("a@hilversum.nl", "Automatisch antwoord: brief", "Ik ben afwezig tot en met 12 mei."), ctx)
    assert r.kind is Kind.AUTO_REPLY and r.return_date == date(2026, 5, 13)
    human = read_mail(_mail("a@hilversum.nl", "Reactie", "In reactie op uw brief: 20 plekken gerealiseerd.",
                            "X-Auto-Response-Suppress: All\r\n"), ctx)
    assert human.kind is Kind.REPLY


def test_quoted_article8_is_not_a_notification(ctx: ReadingContext) -> None:
    body = ("In reactie op uw brief: 300 plekken gerealiseerd.\n\nGroet,\nA\n\n"
            "> Mochten zich omstandigheden voordoen, dan wordt u verzocht hiervan melding te doen conform artikel 8")
    assert read_mail(_mail("a@hilversum.nl", "RE: brief", body), ctx).kind is Kind.REPLY


def test_explicit_article8(ctx: ReadingContext) -> None:
    body = "Conform artikel 8 van de wet melden wij dat de locatie (120 plekken) vervalt."
    r = read_mail(_mail("a@hilversum.nl", "Melding", body), ctx)
    assert r.kind is Kind.ARTICLE8 and r.facts.location_lost == 120


def test_return_date_skips_the_weekend_and_reads_german() -> None:
    assert find_return_date("Ik ben afwezig t/m vrijdag 17 april 2026.", date(2026, 4, 10)) == date(2026, 4, 20)
    assert find_return_date("Ich bin bis einschließlich Freitag, 10. Juli 2026, nicht im Büro.",
                            date(2026, 7, 1)) == date(2026, 7, 13)


def test_dates_are_no_reference_and_an_echoed_ons_kenmerk_is_ours() -> None:
    from parsers.references import find_citations

    found = find_citations({"new": "uw brief van 9-4-2026 (2026-04-09), ons kenmerk 1234567, uw kenmerk 7468-153",
                            "subject": "RE: Herinnering informatieverzoek (ons kenmerk 7502217)"})
    assert [(c.digits, c.zone, c.labelled) for c in found] == [("7468153", "new", True), ("7502217", "subject", True)]

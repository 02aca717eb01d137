"""Which letter a mail answers when a later step's letter is open: named by what it is, the later letter; named
neither way, triage with both; never the older letter by its number alone."""

from __future__ import annotations

from datetime import date

import pytest

from parsers.model import LetterRef
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ZEIST = "GM0355"


@pytest.fixture(scope="module")
def ctx() -> ReadingContext:
    letters = {"7700001": LetterRef("7700001", ZEIST, date(2026, 4, 9), kind="informatieverzoek"),
               "7700002": LetterRef("7700002", ZEIST, date(2026, 5, 12), kind="rappel"),
               "7700004": LetterRef("7700004", ZEIST, date(2026, 9, 29), kind="vooraankondiging")}
    return ReadingContext(registry=shared_registry(), letters=letters)


def _mail(body: str, when: str = "Wed, 14 Oct 2026 10:00:00 +0200") -> bytes:
    return (f"From: A B <a.b@zeist.nl>\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: Uw kenmerk 7700001\r\n"
            f"Date: {when}\r\nMessage-ID: <l@zeist.nl>\r\n\r\n{body}\r\n\r\nMet vriendelijke groet,\r\n\r\n"
            f"A. B.\r\nGemeente Zeist\r\n").encode()


def test_the_later_letter_named_by_what_it_is_is_answered(ctx: ReadingContext) -> None:
    r = read_mail(_mail("Wij hebben kennisgenomen van uw vooraankondiging. Op dit moment zijn 146 plaatsen "
                        "gerealiseerd en 220 in voorbereiding."), ctx)
    assert r.reference is not None and r.reference.value == "7700004" and not r.needs_triage
    assert any(e.rule == "reference_later_step" for e in r.evidence)


def test_the_older_number_alone_goes_to_triage_with_both(ctx: ReadingContext) -> None:
    r = read_mail(_mail("Hierbij onze reactie: 146 plaatsen zijn gerealiseerd en 220 in voorbereiding."), ctx)
    assert r.needs_triage and any("7700004" in e.detail for e in r.evidence if e.rule == "triage")


def test_before_the_later_letter_was_sent_the_cited_one_stands(ctx: ReadingContext) -> None:
    r = read_mail(_mail("Hierbij onze reactie: 146 plaatsen zijn gerealiseerd en 220 in voorbereiding.",
                        "Mon, 27 Apr 2026 10:00:00 +0200"), ctx)
    assert r.reference is not None and r.reference.value == "7700001" and not r.needs_triage

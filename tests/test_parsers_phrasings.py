"""Families of phrasings the kind rules must read alike (not one fixture's wording)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from parsers.model import Kind, LetterRef
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ctx() -> ReadingContext:
    registry = shared_registry()
    return ReadingContext(registry=registry, letters={"7700001": LetterRef("7700001", "GM0355", date(2026, 4, 16))})


def _mail(body: str, sender: str = "a.b@zeist.nl") -> bytes:
    return (f"From: A B <{sender}>\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: Brief kenmerk 7700001\r\n"
            f"Date: Tue, 28 Apr 2026 10:00:00 +0200\r\nMessage-ID: <x@zeist.nl>\r\n\r\n{body}\r\n\r\n"
            "Met vriendelijke groet,\r\n\r\nA. B.\r\nGemeente Zeist\r\n").encode()


@pytest.mark.parametrize("text", [
    "Wij verzoeken u om uitstel tot 1 juni.",
    "Zouden wij twee weken uitstel kunnen krijgen?",
    "Is het mogelijk de termijn met twee weken te verlengen?",
    "Graag verzoeken wij om verlenging van de termijn.",
    "Daarvoor hebben wij meer tijd nodig; wij sturen onze reactie later, uiterlijk 1 juni.",
    "Het lukt ons niet om binnen de gestelde termijn te reageren.",
    "Wij redden de termijn van 7 mei helaas niet.",
    "Wij verwachten pas op 2 juni te kunnen reageren.",
    "Onze reactie volgt later, na de raadsvergadering.",
])
def test_extension_requests(ctx: ReadingContext, text: str) -> None:
    assert read_mail(_mail(text), ctx).kind is Kind.EXTENSION_REQUEST


@pytest.mark.parametrize("text", [
    "Wij hebben geen uitstel nodig. Tellen plekken in een buurgemeente mee?",
    "Het is niet nodig de termijn te verlengen. Kunt u aangeven waar uw cijfer op is gebaseerd?",
    "Wij reageren binnen de gestelde termijn. Met wie kunnen wij een afspraak maken?",
])
def test_negated_extension_is_a_question(ctx: ReadingContext, text: str) -> None:
    assert read_mail(_mail(text), ctx).kind is Kind.QUESTION


@pytest.mark.parametrize("text", [
    "Door een brand in de nacht van 5 september zijn de 48 plekken aan de Dorpsstraat vervallen.",
    "De eigenaar heeft de huur opgezegd; daarmee komen 65 opvangplekken te vervallen.",
    "De locatie is per direct gesloten na een inspectie; de 120 plaatsen zijn niet meer beschikbaar.",
])
def test_counted_loss_of_places_is_article8(ctx: ReadingContext, text: str) -> None:
    r = read_mail(_mail(text), ctx)
    assert r.kind is Kind.ARTICLE8 and r.facts.location_lost is not None


def test_construction_delay_in_a_reply_is_no_extension(ctx: ReadingContext) -> None:
    text = ("In Zeist zijn 140 opvangplekken gerealiseerd en 60 plekken in voorbereiding. Door uitstel van de "
            "vergunning verwachten wij eind 2027 aan onze taak te voldoen.")
    r = read_mail(_mail(text), ctx)
    assert r.kind is Kind.REPLY and (r.facts.realised, r.facts.planned) == (140, 60)
    assert r.facts.expected_date == date(2027, 12, 31)

"""Families of wording from held-out corpus 9: a question written as statements ("Graag ontvang ik uitleg",
"hoor ik graag of"), a hurried extension request ("Graag 2 weken uitstel", "lukt ons niet ... te reageren"), an
answer with full figures that asks more time for one part only (a reply), and an out-of-office of a shared-service
domain whose signature says "werkzaam voor gemeente X". Each test is a family of wordings, not one fixture's
sentence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from parsers.model import Kind, LetterRef
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]
ZEIST, BUNNIK = "GM0355", "GM0312"


@pytest.fixture(scope="module")
def ctx() -> ReadingContext:
    registry = shared_registry()
    letters = {
        "7700001": LetterRef("7700001", ZEIST, date(2026, 4, 9)),
        "7700010": LetterRef("7700010", BUNNIK, date(2026, 4, 9)),
    }
    return ReadingContext(registry=registry, letters=letters)


def _mail(body: str, subject: str = "Uw brief, kenmerk 7700001", sender: str = "a.b@zeist.nl",
          sign: str = "Gemeente Zeist", headers: str = "") -> bytes:
    return (f"From: A B <{sender}>\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: {subject}\r\n{headers}"
            f"Date: Mon, 20 Apr 2026 10:00:00 +0200\r\nMessage-ID: <x@{sender.split('@')[1]}>\r\n\r\n{body}\r\n\r\n"
            f"Met vriendelijke groet,\r\n\r\nA. B.\r\n{sign}\r\n").encode()


@pytest.mark.parametrize("ask", [
    "Graag ontvang ik uitleg over de wijze waarop tijdelijke plekken worden meegeteld.",
    "Wij ontvangen graag een toelichting op de berekening van onze taak.",
    "Daarnaast hoor ik graag of plekken die wij samen met de buurgemeente realiseren aan ons worden toegerekend.",
    "Ik verneem graag hoe u de noodopvang meetelt.",
    "Graag horen wij van u wanneer de nieuwe peildatum ingaat.",
])
def test_request_for_an_explanation_is_a_question(ctx: ReadingContext, ask: str) -> None:
    body = ask + " Zodra dit duidelijk is, sturen wij u onze reactie."
    assert read_mail(_mail(body), ctx).kind is Kind.QUESTION


def test_explanation_asked_beside_figures_stays_a_reply(ctx: ReadingContext) -> None:
    body = ("Hierbij onze reactie: 120 plekken gerealiseerd, 40 plekken in voorbereiding. "
            "Graag hoor ik of u hiermee voldoende geïnformeerd bent.")
    assert read_mail(_mail(body), ctx).kind is Kind.REPLY


@pytest.mark.parametrize("ask", [
    "Graag 2 weken uitstel, dus tot 14 mei.",
    "Graag een week extra tijd voor onze reactie.",
    "Lukt ons niet om vandaag op uw brief te reageren ivm ziekte van de behandelaar.",
    "Het lukt ons helaas niet de gegevens op tijd aan te leveren.",
])
def test_hurried_extension_request(ctx: ReadingContext, ask: str) -> None:
    assert read_mail(_mail(ask, subject="uitstel"), ctx).kind is Kind.EXTENSION_REQUEST


@pytest.mark.parametrize("part", [
    'Voor het onderdeel "planning per locatie" vragen wij u om uitstel tot 1 september.',
    "Voor het overige verzoeken wij u om uitstel tot 1 september.",
])
def test_answer_with_figures_and_more_time_for_one_part_is_a_reply(ctx: ReadingContext, part: str) -> None:
    body = ("Hierbij onze reactie op uw brief. Stand van zaken: 190 plekken gerealiseerd, 110 plekken in "
            "voorbereiding. " + part)
    assert read_mail(_mail(body), ctx).kind is Kind.REPLY


@pytest.mark.parametrize("body", [
    # more time for the whole answer, or for the term of the task itself, beside a progress report
    "Inmiddels zijn 215 plekken gerealiseerd. Wij verzoeken u daarom de termijn waarbinnen wij aan de taak moeten "
    "voldoen te verlengen tot 1 juli 2027.",
    pytest.param("Hierbij onze reactie: 190 plekken gerealiseerd, 110 plekken in voorbereiding. Wij verzoeken u om "
                 "uitstel van de termijn waarbinnen wij aan de taak moeten voldoen tot 1 juli 2027.",
                 marks=pytest.mark.xfail(strict=True, reason="a known miss of the kind model: an answer that also asks "
                                         "more time for the task reads as a reply (0.55 against 0.42)")),
    "Voor het onderdeel planning vragen wij u om uitstel tot 1 september. Wij hebben 190 plekken gerealiseerd.",
])
def test_progress_with_a_real_extension_request_stays_an_extension_request(ctx: ReadingContext, body: str) -> None:
    assert read_mail(_mail(body), ctx).kind is Kind.EXTENSION_REQUEST


def test_out_of_office_of_a_shared_service_domain_names_the_municipality_it_works_for(ctx: ReadingContext) -> None:
    mail = _mail("Ik ben tot en met 24 april afwezig en lees mijn mail niet.", subject="Automatisch antwoord: brief",
                 sender="j.w@8rhk.nl", sign="Adviseur\r\n8RHK ambtenaren, werkzaam voor gemeente Zeist",
                 headers="Auto-Submitted: auto-replied\r\n")
    r = read_mail(mail, ctx)
    assert r.kind is Kind.AUTO_REPLY
    assert [m.code for m in r.municipalities] == [ZEIST] and not r.needs_triage


def test_works_for_in_a_person_s_signature_does_not_outweigh_namens(ctx: ReadingContext) -> None:
    body = ("Als regionaal coördinator stuur ik u namens de gemeente Bunnik de reactie op uw brief (kenmerk 7700010). "
            "Bunnik heeft 95 plekken gerealiseerd en 70 plekken in voorbereiding.")
    r = read_mail(_mail(body, subject="Reactie Bunnik", sign="Regionaal coördinator\r\n(werkzaam bij gemeente Zeist)"),
                  ctx)
    assert r.kind is Kind.REPLY
    assert r.municipalities and r.municipalities[0].code == BUNNIK

"""The ReadingContext values learned in service: learned domains, our own reminder threads, regional bodies,
and the acting threshold; plus the ministry-domain, phishing and calendar rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from parsers.model import Kind, LetterRef
from parsers.reading import MIN_ACT_SCORE, MIN_MARGIN
from parsers.registry import Registry
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return shared_registry()


def _code(registry: Registry, name: str) -> str:
    m = registry.resolve(name)
    assert m is not None
    return m.code


@pytest.fixture(scope="module")
def ctx(registry: Registry) -> ReadingContext:
    letters = {"1234567": LetterRef("1234567", _code(registry, "Hilversum"), date(2026, 4, 9)),
               "1234580": LetterRef("1234580", _code(registry, "Huizen"), date(2026, 4, 9)),
               "1299001": LetterRef("1299001", _code(registry, "Hilversum"), date(2026, 5, 21))}
    return ReadingContext(registry, letters)


def _mail(sender: str, subject: str, body: str, extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: {subject}\r\n"
            f"Date: Tue, 28 Apr 2026 10:00:00 +0200\r\nMessage-ID: <x@y>\r\n{extra}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


REPLY = "Geachte heer, mevrouw,\n\nGerealiseerd: 120 plekken.\n\nMet vriendelijke groet,\nP. Jansen\n"


def test_learned_domain_is_sender_evidence(ctx: ReadingContext, registry: Registry) -> None:
    raw = _mail("p.jansen@hilversum-opvang.nl", "Reactie IBT", REPLY)
    assert read_mail(raw, ctx).needs_triage
    learned = replace(ctx, learned_domains={"hilversum-opvang.nl": _code(registry, "Hilversum")})
    r = read_mail(raw, learned)
    assert not r.needs_triage and r.primary_municipality and r.primary_municipality.name == "Hilversum"


def test_learned_domain_weaker_than_registry_domain(ctx: ReadingContext, registry: Registry) -> None:
    learned = replace(ctx, learned_domains={"hilversum.nl": _code(registry, "Huizen")})
    r = read_mail(_mail("p.jansen@hilversum.nl", "Reactie", REPLY), learned)
    assert r.primary_municipality and r.primary_municipality.name == "Hilversum"


def test_thread_of_our_reminder_gives_the_reference(ctx: ReadingContext) -> None:
    raw = _mail("p.jansen@hilversum.nl", "RE: Herinnering", "Zie hieronder de stand: gerealiseerd 120 plekken.\n",
                "In-Reply-To: <rappel-1@minjenv.nl>\r\n")
    threaded = replace(ctx, threads={"<rappel-1@minjenv.nl>": "1299001"})
    r = read_mail(raw, threaded)
    assert r.reference and r.reference.value == "1299001" and not r.needs_triage
    assert any(e.rule == "reference_thread" for e in r.evidence)


def test_thread_names_the_municipality_of_a_private_sender(ctx: ReadingContext) -> None:
    raw = _mail("wethouder@gmail.com", "RE: Herinnering", "Gerealiseerd zijn 120 plekken.\n",
                "References: <a@b> <Rappel-1@MINJENV.nl>\r\n")
    r = read_mail(raw, replace(ctx, threads={"rappel-1@minjenv.nl": "1299001"}))
    assert r.primary_municipality and r.primary_municipality.name == "Hilversum"
    assert r.reference and r.reference.value == "1299001"


def test_region_writes_for_named_members_only(ctx: ReadingContext, registry: Registry) -> None:
    members = tuple(_code(registry, n) for n in ("Hilversum", "Huizen", "Laren"))
    regional = replace(ctx, regions={"regio gooi en vechtstreek": members, "regiogv.nl": members})
    body = ("Namens het college van Huizen stuur ik de reactie op uw brief (kenmerk 1234580).\n"
            "Gerealiseerd: 90 plekken. Hilversum stuurt een eigen reactie.\n\nMet vriendelijke groet,\nA. Smit\n")
    r = read_mail(_mail("a.smit@regiogv.nl", "Reactie Huizen", body), regional)
    assert [m.name for m in r.municipalities] == ["Huizen"]
    assert r.reference and r.reference.value == "1234580" and not r.needs_triage
    assert any(e.rule == "municipality_region" for e in r.evidence)


def test_region_domain_is_not_a_municipality(ctx: ReadingContext, registry: Registry) -> None:
    members = (_code(registry, "Hilversum"), _code(registry, "Huizen"))
    regional = replace(ctx, regions={"regiogv.nl": members},
                       learned_domains={"regiogv.nl": _code(registry, "Hilversum")})
    r = read_mail(_mail("team@regiogv.nl", "Reactie", "Kunnen wij uitstel krijgen voor onze reactie?\n"), regional)
    assert r.needs_triage


def test_failing_authentication_never_matches_a_municipality(ctx: ReadingContext) -> None:
    raw = _mail("p.jansen@hilversum.nl", "Reactie 1234567", REPLY,
                "Authentication-Results: spf=fail smtp.mailfrom=hilversum.nl; dmarc=fail header.from=hilversum.nl\r\n")
    r = read_mail(raw, ctx)
    assert r.kind is Kind.OTHER and not r.municipalities


def test_fake_ministry_display_name_is_not_an_auto_reply(ctx: ReadingContext) -> None:
    raw = _mail('"Ministerie van Asiel en Migratie" <noreply@portaal-example.com>', "Actie vereist",
                "Dit is een automatisch bericht. Bevestig uw gegevens.\n")
    assert read_mail(raw, ctx).kind is Kind.OTHER


def test_colleague_writing_onbestelbaar_is_internal(ctx: ReadingContext) -> None:
    raw = _mail("collega@minjenv.nl", "Stand: onbestelbaar en afwezig", "Hilversum (1234567) was onbestelbaar.\n")
    r = read_mail(raw, ctx)
    assert r.kind is Kind.OTHER and not r.municipalities


def test_teams_text_is_an_invitation(ctx: ReadingContext) -> None:
    """Without a text/calendar part an invitation's text is a signal, not a verdict: the kind model weighs it. A
    municipality's own mail about a meeting is never taken as an answer to our letter."""
    body = "Gesprek over uw brief (kenmerk 1234567).\n\nMicrosoft Teams\nNu deelnemen aan de vergadering\n"
    r = read_mail(_mail("p.jansen@hilversum.nl", "Overleg", body), ctx)
    assert "rule_invitation" in r.signals and r.kind in (Kind.OTHER, Kind.QUESTION)


def test_press_writing_about_a_municipality_is_other(ctx: ReadingContext) -> None:
    body = "Klopt het dat gemeente Hilversum (kenmerk 1234567) te laat is?\n\nJ. de Vries\nverslaggever\n"
    r = read_mail(_mail("j@krant-example.nl", "Vraag gemeente Hilversum", body), ctx)
    assert r.kind is Kind.OTHER and not r.municipalities


def test_acting_threshold_constants() -> None:
    assert 0 < MIN_ACT_SCORE < 1 and 0 < MIN_MARGIN < 1


def test_two_equal_signatures_have_no_clear_margin(ctx: ReadingContext) -> None:
    body = "Gerealiseerd: 120 plekken.\n\nMet vriendelijke groet,\nP. Jansen\nGemeente Hilversum\nGemeente Huizen\n"
    assert read_mail(_mail("p.jansen@example.org", "Reactie", body), ctx).needs_triage

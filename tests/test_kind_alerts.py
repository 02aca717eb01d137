"""What the kind decision means for officers: a possible artikel 8 notice is raised urgently, a look-alike sender
as possible phishing and never matched, a delay notice is no bounce, and a mail system's subject decides."""

from __future__ import annotations

from datetime import date

from bot.core.decide import decide_inbound
from parsers.model import Evidence, Kind, MunicipalityMatch, Reading
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry


def _reading(**kw: object) -> Reading:
    base: dict[str, object] = {"kind": Kind.ARTICLE8, "message_id": "<m@x>", "subject": "Locatie", "sender":
                               "a@dronten.nl", "sent_at": None}
    return Reading(**(base | kw))  # type: ignore[arg-type]


def test_possible_article8_goes_to_triage_urgently() -> None:
    r = _reading(needs_triage=True, possible_article8=True, kind_candidates=(Kind.ARTICLE8, Kind.REPLY),
                 kind_scores=(("reply", 0.5), ("article8", 0.3)),
                 municipalities=(MunicipalityMatch("GM0303", "Dronten", 0.9),))
    d = decide_inbound(r, None, "k1", date(2026, 6, 1))
    (alert,) = d.alerts
    assert alert.template == "alert_triage" and alert.urgent
    assert alert.context["possible_article8"] and alert.context["kind_candidates"] == ["article8", "reply"]


def test_phishing_is_alerted_once_and_never_acted_on() -> None:
    r = _reading(kind=Kind.OTHER, possible_phishing=True,
                 evidence=(Evidence("kind_lookalike", "x.nl imitates y.nl"),))
    d = decide_inbound(r, None, "k2", date(2026, 6, 1))
    (alert,) = d.alerts
    assert alert.template == "alert_triage" and alert.context["possible_phishing"] and not d.letter_changes


def _raw(sender: str, subject: str, body: str, headers: str = "") -> bytes:
    return (f"From: Gemeente <{sender}>\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: {subject}\r\n{headers}"
            f"Message-ID: <p@x>\r\nDate: Mon, 11 May 2026 10:00:00 +0200\r\n\r\n{body}\r\n").encode()


def test_lookalike_sender_is_read_as_other_without_municipality() -> None:
    ctx = ReadingContext(registry=shared_registry())
    r = read_mail(_raw("noreply@haarlemmerrneer.nl", "Beveiligd bericht: reactie Spreidingswet",
                       "Gemeente Haarlemmermeer heeft u een beveiligd bericht gestuurd. Log in om het te lezen."), ctx)
    assert r.kind is Kind.OTHER and r.possible_phishing and not r.municipalities
    assert any(e.rule == "kind_lookalike" for e in r.evidence)


def test_delay_notice_is_an_auto_reply_not_a_bounce() -> None:
    body = ("--b\r\nContent-Type: text/plain\r\n\r\nDelivery is delayed.\r\n--b\r\n"
            "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.minjenv.nl\r\n\r\n"
            "Final-Recipient: rfc822; info@dronten.nl\r\nAction: delayed\r\nStatus: 4.4.1\r\n--b--\r\n")
    raw = ("From: MAILER-DAEMON@minjenv.nl\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: Delayed Mail\r\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" + body).encode()
    r = read_mail(raw, ReadingContext(registry=shared_registry()))
    assert r.kind is Kind.AUTO_REPLY and any(e.rule == "kind_delay_notice" for e in r.evidence)


def test_a_mail_systems_subject_decides_but_a_person_answering_it_does_not() -> None:
    ctx = ReadingContext(registry=shared_registry())
    auto = read_mail(_raw("a@dronten.nl", "Automatisch antwoord: Informatieverzoek", "Ik ben afwezig."), ctx)
    assert auto.kind is Kind.AUTO_REPLY and auto.kind_scores[0] == ("auto_reply", 1.0)
    person = read_mail(_raw("a@dronten.nl", "RE: Automatisch antwoord: Informatieverzoek",
                            "Hierbij onze reactie op uw brief: 120 plaatsen zijn gerealiseerd, 40 in voorbereiding."),
                       ctx)
    assert person.kind not in (Kind.AUTO_REPLY, Kind.BOUNCE)

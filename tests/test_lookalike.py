"""Look-alike senders and links elsewhere: phishing is never matched to a municipality."""

from __future__ import annotations

import pytest

from parsers.lookalike import credential_link, lookalike_of, lookalike_sender, registrable
from parsers.mime import parse_mime

GENUINE = ("hilversum.nl", "amersfoort.nl", "minjenv.nl", "zivver.com", "ede.nl", "haarlemmermeer.nl")


@pytest.mark.parametrize(("domain", "imitates"), [
    ("hilversurn.nl", "hilversum.nl"),      # m → rn
    ("hilversum-nl.com", "hilversum.nl"),   # the genuine domain with its dot made a dash
    ("gemeente-amersfoort.info", None),     # a municipality's name with a word added: maybe its own project
    ("zivver-secure.com", "zivver.com"),    # a secure-mail brand with a word added: nobody else uses that name
    ("minjenv.nl.secure-login.com", None),  # its registrable part (secure-login.com) imitates nothing here
    ("m1njenv.nl", "minjenv.nl"),
    ("haarlemmerrneer.nl", "haarlemmermeer.nl"),  # m written as rn
])
def test_lookalike_domains(domain: str, imitates: str | None) -> None:
    assert lookalike_of(domain, GENUINE) == imitates


@pytest.mark.parametrize("domain", ["hilversum.nl", "mail.hilversum.nl", "gmail.com", "edam.nl", "regiogv.nl"])
def test_genuine_free_and_unrelated_domains_are_not_lookalikes(domain: str) -> None:
    # edam.nl is a real municipality near ede.nl, but too short a name to judge by one letter
    assert lookalike_of(domain, GENUINE) is None


def test_registrable_part() -> None:
    assert registrable("mail.gemeente.hilversum.nl") == "hilversum.nl"
    assert registrable("a.b.example.co.uk") == "example.co.uk"


def _mail(sender: str, body: str, html: bool = True) -> bytes:
    ctype = "text/html" if html else "text/plain"
    return (f"From: Gemeente Ede <{sender}>\r\nSubject: U heeft een beveiligd bericht\r\nContent-Type: {ctype}\r\n\r\n"
            f"{body}\r\n").encode()


def test_credential_link_to_another_domain() -> None:
    mail = parse_mime(_mail("noreply@ede.nl", '<p>Klik om in te loggen: <a href="https://ede-secure.example.org/l">'
                                              'bekijk het bericht</a></p>'))
    assert mail.link_hosts == ("ede-secure.example.org",)
    assert credential_link(mail, "Klik om in te loggen en bekijk het bericht") == \
        "link to ede-secure.example.org from noreply@ede.nl"


def test_links_to_the_senders_own_domain_are_fine() -> None:
    mail = parse_mime(_mail("info@ede.nl", "Zie https://www.ede.nl/opvang voor het bericht; log in", html=False))
    assert credential_link(mail, mail.text) is None
    assert lookalike_sender("x@zivver-secure.com", GENUINE) == "zivver-secure.com imitates zivver.com"

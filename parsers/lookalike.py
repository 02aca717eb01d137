"""Senders and links that pretend: look-alike domains of municipalities, of our ministry or of secure-mail
services, and links that lead elsewhere than the sender's own domain.

A look-alike sender is never matched to a municipality: its mail is read as `other` and shown to officers as
"mogelijk phishing".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from parsers.mime import ParsedMail

FREE_MAIL = frozenset({"gmail.com", "googlemail.com", "hotmail.com", "hotmail.nl", "outlook.com", "live.nl",
                       "live.com", "icloud.com", "me.com", "yahoo.com", "yahoo.nl", "ziggo.nl", "kpnmail.nl",
                       "xs4all.nl", "hetnet.nl", "planet.nl", "home.nl", "casema.nl", "proton.me",
                       "protonmail.com", "upcmail.nl", "telfort.nl", "chello.nl", "quicknet.nl", "zeelandnet.nl",
                       "gmx.de", "gmx.net", "web.de", "t-online.de", "outlook.de"})
# services whose notifications are imitated to steal a login; their own domains are genuine
SECURE_MAIL_DOMAINS = frozenset({"zivver.com", "zivver.eu", "cryptshare.com", "securemail.nl", "docusign.net",
                                 "docusign.com", "sharepoint.com", "microsoft.com", "office.com", "office365.com",
                                 "rijksoverheid.nl", "minjenv.nl", "overheid.nl", "digid.nl",
                                 # genuine hosts of mail services, not look-alikes of the names above
                                 "onmicrosoft.com", "outlook.com", "microsoftonline.com", "office365.us"})
_SECOND_LEVEL = frozenset({"co.uk", "com.au", "org.uk"})


def registrable(host: str) -> str:
    """The registrable part of a host name: `mail.gemeente.hilversum.nl` → `hilversum.nl`."""
    parts = host.lower().strip(".").split(".")
    if len(parts) >= 3 and ".".join(parts[-2:]) in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def _label(domain: str) -> str:
    return registrable(domain).rsplit(".", 1)[0]


@dataclass(frozen=True)
class _Genuine:
    """The genuine domains, indexed once: their registrable parts, their names (the part before the top-level
    domain) of five letters or more, sorted, and those names and domains without dashes and dots."""

    known: frozenset[str]
    names: tuple[tuple[str, str], ...]  # (name, registrable domain)
    flat: dict[str, str]  # name or domain without "-" and "." → registrable domain
    brands: tuple[tuple[str, str], ...]  # (name, domain) of the branded services


@lru_cache(maxsize=4)
def _index(genuine: frozenset[str], branded: frozenset[str]) -> _Genuine:
    known = frozenset(registrable(d) for d in genuine if d)
    names = tuple(sorted((_label(g), g) for g in known if len(_label(g)) >= 5))
    flat: dict[str, str] = {}
    for name, g in names:
        flat.setdefault(name.replace("-", "").replace(".", ""), g)
        flat.setdefault(g.replace("-", "").replace(".", ""), g)
    brands = tuple(sorted((_label(b), registrable(b)) for b in branded if len(_label(b)) >= 6))
    return _Genuine(known, names, flat, brands)


def lookalike_of(domain: str, genuine: Iterable[str], branded: Iterable[str] = SECURE_MAIL_DOMAINS) -> str | None:
    """The genuine domain this one imitates: not itself genuine (nor a subdomain of one), but one or two letters
    away from one (hilversurn.nl, minjenv-nl.com), or — for the `branded` services whose names nobody else uses —
    the name with a word added (zivver-secure.com). A municipality's name with a word added (hilversum-opvang.nl)
    may be its own project's domain: that is for triage and learned domains, not phishing."""
    domain = domain.lower().strip(".")
    if not domain or "." not in domain or domain in FREE_MAIL:
        return None
    index = _index(frozenset(genuine), frozenset(branded))
    own = registrable(domain)
    if own in index.known:
        return None
    label = _label(own)
    if len(label) < 5:
        return None
    flat = index.flat.get(label.replace("-", "").replace(".", ""))
    if flat is not None:
        return flat
    hit = process.extractOne(label, [n for n, _ in index.names], scorer=DamerauLevenshtein.distance, score_cutoff=2)
    if hit is not None:
        name, distance, i = hit
        if distance <= (1 if len(name) < 8 else 2):
            return index.names[i][1]
    for name, g in index.brands:
        if name != label and re.search(rf"(?:^|[-.]){re.escape(name)}(?:[-.]|$)", label):
            return g
    return None


def lookalike_sender(sender: str, genuine: Iterable[str] = SECURE_MAIL_DOMAINS) -> str | None:
    """`"<sender domain> imitates <genuine domain>"` or None."""
    domain = sender.rsplit("@", 1)[-1].lower()
    g = lookalike_of(domain, genuine)
    return f"{domain} imitates {g}" if g else None


_CREDENTIAL_WORDS = re.compile(
    r"\b(?:beveiligd\w* (?:bericht|e-?mail|document)|secure (?:message|mail|document)|versleuteld|inloggen|log ?in|"
    r"aanmelden|wachtwoord|password|verifi[eë]er\w*|verify|bevestig uw|confirm your|bekijk (?:het )?(?:bericht|"
    r"document)|view (?:the )?(?:message|document)|open (?:het |the )?(?:bericht|document|message)|download)\b",
    re.IGNORECASE)


def credential_link(mail: ParsedMail, text: str) -> str | None:
    """A link to another domain than the sender's, in a mail that asks to log in or open a secured message."""
    if not mail.link_hosts or not _CREDENTIAL_WORDS.search(mail.subject + "\n" + text):
        return None
    own = registrable(mail.sender.rsplit("@", 1)[-1]) if "@" in mail.sender else ""
    for host in mail.link_hosts:
        if registrable(host) != own:
            return f"link to {host} from {mail.sender or 'an unknown sender'}"
    return None


__all__ = ["FREE_MAIL", "SECURE_MAIL_DOMAINS", "credential_link", "lookalike_of", "lookalike_sender", "registrable"]

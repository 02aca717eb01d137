"""Render `replies/templates/*.txt.j2` with strict undefined variables (a missing value is a bug)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

# Dutch labels for the kinds of mail, as officers read them.
KIND_LABELS = {
    "reply": "Reactie op brief",
    "article8": "Melding artikel 8",
    "extension_request": "Verzoek om uitstel",
    "question": "Vraag",
    "auto_reply": "Automatisch antwoord",
    "bounce": "Onbestelbaar bericht",
    "other": "Overig",
    "unreadable": "Onleesbaar bericht",
}

# The six treden of the interventieladder.
STEP_LABELS = {
    1: "Signaleren",
    2: "Informatie opvragen en valideren",
    3: "Actief toezicht",
    4: "Vooraankondiging juridische interventie",
    5: "Besluit tot indeplaatsstelling",
    6: "Sanctie indeplaatsstelling",
}

# Letter states as officers read them.
STATE_LABELS = {
    "awaiting_reply": "wacht op antwoord",
    "answered": "beantwoord, te beoordelen",
    "extension_requested": "uitstel gevraagd",
    "overdue": "termijn verstreken",
    "reminded": "gerappelleerd",
    "escalation_due": "opschaling te overwegen",
    "paused_bounced": "onbestelbaar, gepauzeerd",
    "closed": "afgehandeld",
}

# How a letter of each kind is named in a reminder ("Betreft").
LETTER_SUBJECTS = {
    "informatieverzoek": "verzoek om informatie in het kader van het interbestuurlijk toezicht Spreidingswet",
    "rappel": "herinnering in het kader van het interbestuurlijk toezicht Spreidingswet",
    "actief_toezicht": "actief toezicht in het kader van de Spreidingswet",
    "vooraankondiging": "vooraankondiging van juridische interventie in het kader van de Spreidingswet",
    "besluit_indeplaatsstelling": "besluit tot indeplaatsstelling in het kader van de Spreidingswet",
    "sanctie": "sanctie indeplaatsstelling in het kader van de Spreidingswet",
    "overig": "interbestuurlijk toezicht Spreidingswet",
}

FACT_LABELS = {
    "realised": "gerealiseerde plaatsen",
    "planned": "geplande plaatsen",
    "expected_date": "verwachte datum",
    "location_lost": "vervallen plaatsen",
}


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("replies", "templates"), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(kind_label=KIND_LABELS.get, fact_label=FACT_LABELS.get, step_label=STEP_LABELS.get,
                       state_label=STATE_LABELS.get, date_nl=date_nl)
    return env


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")


def date_nl(iso: str | None) -> str:
    """"2026-04-30" → "30 april 2026"."""
    if not iso:
        return "onbekend"
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{d} {MONTHS_NL[m - 1]} {y}"


def render(template: str, context: dict[str, Any]) -> str:
    return _env().get_template(f"{template}.txt.j2").render(**context)

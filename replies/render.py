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

# The reader's evidence rules as officers read them; the rule's own detail follows in parentheses.
EVIDENCE_LABELS = {
    "municipality_domain": "afzenderdomein van de gemeente",
    "municipality_learned_domain": "afzenderdomein eerder door een medewerker bevestigd",
    "municipality_signature": "gemeente in de ondertekening",
    "municipality_subject": "gemeente in het onderwerp",
    "municipality_namens": "geschreven namens de gemeente",
    "municipality_college": "college van B&W van de gemeente genoemd",
    "municipality_letterhead": "briefhoofd van de gemeente",
    "municipality_failed_recipient": "onbestelbaar adres van de gemeente",
    "municipality_regional_sender": "afzender is een regionaal samenwerkingsverband",
    "municipality_reference": "gemeente volgt uit het kenmerk",
    "reference_exact": "kenmerk gevonden",
    "reference_echoed": "kenmerk in het teruggestuurde bericht",
    "reference_fuzzy_agreed": "kenmerk met een tikfout, bevestigd door de gemeente",
    "reference_by_letter_date": "brief herkend aan de datum",
    "reference_thread": "antwoord op een bericht van de bot",
    "forwarded": "doorgestuurd bericht",
    "triage": "beoordeling nodig",
    "unreadable": "onleesbaar",
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
    env.filters["evidence_nl"] = evidence_nl
    return env


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")


def date_nl(iso: str | None) -> str:
    """"2026-04-30" → "30 april 2026"."""
    if not iso:
        return "onbekend"
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{d} {MONTHS_NL[m - 1]} {y}"


def evidence_nl(line: str) -> str:
    """"reference_exact: 7468089 in subject" → "kenmerk gevonden (7468089 in subject)"; kind rules get "soort"."""
    rule, _, detail = line.partition(": ")
    label = EVIDENCE_LABELS.get(rule)
    if label is None and rule.startswith("kind_"):
        name = rule[5:]
        kind = next((k for k in KIND_LABELS if name.startswith(k)), None) or (
            "auto_reply" if name.startswith(("auto", "read_receipt", "zaaksysteem")) else
            "bounce" if name.startswith("bounce") else "other")
        label = f"soort bericht: {KIND_LABELS[kind].lower()}"
    return f"{label or rule} ({detail})" if detail else (label or rule)


def render(template: str, context: dict[str, Any]) -> str:
    return _env().get_template(f"{template}.txt.j2").render(**context)


def render_subject(template: str, context: dict[str, Any]) -> str:
    """The subject line of a mail from `<template>.subject.j2`, on one line, at most 200 characters."""
    text = _env().get_template(f"{template}.subject.j2").render(**context)
    return " ".join(text.split())[:200]

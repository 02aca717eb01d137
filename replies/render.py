"""Render `replies/templates/*.txt.j2` with strict undefined variables (a missing value is a bug)."""

from __future__ import annotations

import re
from collections.abc import Callable
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
    "reference_later_step": "antwoord op de brief van een latere trede (het genoemde kenmerk is ouder)",
    "reference_thread": "antwoord op een bericht van de bot",
    "forwarded": "doorgestuurd bericht",
    "triage": "beoordeling nodig",
    "kind_model": "inschatting van de soort bericht",
    "kind_words": "woorden die zwaar wogen",
    "kind_system_subject": "soort bericht: automatisch antwoord (onderwerp van een mailsysteem)",
    "kind_system_bounce_subject": "soort bericht: onbestelbaar bericht (onderwerp van een mailsysteem)",
    "kind_delay_notice": "soort bericht: automatisch antwoord (vertraagde bezorging, geen onbestelbaar bericht)",
    "kind_lookalike": "soort bericht: mogelijk phishing (afzenderdomein lijkt op een echt domein)",
    "kind_phishing": "soort bericht: mogelijk phishing (afzender niet echt)",
    "unreadable": "onleesbaar",
}

# The kind model's named signals (parsers/kind_signals.py) as officers read them.
SIGNAL_LABELS = {
    "rule_article8_explicit": "meldt iets onder artikel 8",
    "rule_article8_implicit": "meldt dat een locatie wegvalt en de taak niet meer haalbaar is",
    "rule_extension": "vraagt om meer tijd",
    "rule_question": "stelt een vraag of vraagt om een gesprek",
    "rule_reply": "beantwoordt de brief",
    "rule_auto_subject": "onderwerp van een automatisch antwoord",
    "rule_auto_body": "tekst van een automatisch antwoord of ontvangstbevestiging",
    "rule_bounce_subject": "onderwerp van een onbestelbaar bericht",
    "rule_newsletter": "nieuwsbrief of reclame (afmeldlink)",
    "rule_invitation": "uitnodiging voor een vergadering",
    "rule_third_party": "geschreven door een derde (pers, adviesbureau, andere organisatie)",
    "rule_unrelated": "geen gemeente en geen brief van ons",
    "article8_words": "noemt artikel 8 of de meldplicht",
    "loss_event": "meldt verlies van een locatie",
    "loss_hypothetical": "verlies van een locatie nog onzeker",
    "task_consequence": "de taak is niet (meer) haalbaar",
    "council_against": "de raad stemde tegen of nam een motie aan",
    "court": "uitspraak van een rechter",
    "asks_time": "spreekt over uitstel of meer tijd",
    "later_answer": "het antwoord komt op of na een latere datum",
    "loss_words_other_language": "meldt verlies van een locatie (Engels, Fries of Duits)",
    "private_person": "geschreven door een inwoner, raadslid of fractie",
    "question_mark": "bevat een vraag",
    "meeting_words": "spreekt over een gesprek of overleg",
    "contact_change": "wijziging van contactpersoon of adres",
    "dispute_words": "betwist een gegeven",
    "gives_figures": "noemt aantallen plaatsen",
    "planning_words": "spreekt over planning of realisatie",
    "progress_words": "geeft een stand van zaken",
    "cites_letter": "noemt een kenmerk uit het register",
    "municipal_sender": "afzender is een gemeente",
    "municipal_writer": "geschreven door of namens een gemeente",
    "forwarded_by_us": "intern doorgestuurd",
    "free_mail": "afzender gebruikt een privé-mailadres",
    "reply_subject": "antwoord in een bestaande correspondentie",
    "forward_subject": "doorgestuurd bericht",
    "out_of_office_words": "tekst van een afwezigheidsbericht",
    "receipt_words": "tekst van een ontvangstbevestiging",
    "recall_words": "een bericht wordt ingetrokken",
    "secure_mail_words": "vraagt in te loggen of een beveiligd bericht te openen",
    "link_elsewhere": "link naar een ander domein dan dat van de afzender",
    "lookalike_sender": "afzenderdomein lijkt op een echt domein",
    "short_text": "korte tekst",
    "long_text": "lange tekst",
    "no_text": "geen eigen tekst",
    "attachment_text": "bijlage met tekst",
    "cover_note": "begeleidend bericht bij een brief in de bijlage",
    "html_only": "alleen HTML",
    "in_reply_to": "antwoord op een eerder bericht",
    "system_generated": "verstuurd door een systeem van de gemeente (zaaksysteem)",
}

FACT_LABELS = {
    "realised": "gerealiseerde plaatsen (regulier)",
    "realised_amv": "gerealiseerde AMV-plaatsen",
    "planned": "geplande plaatsen (regulier)",
    "planned_amv": "geplande AMV-plaatsen",
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


_KIND_SCORE = re.compile(r"\b(reply|article8|extension_request|question|auto_reply|bounce|other) (\d\.\d+)")
_FEATURE_PREFIX = {"w": "", "b": "", "s": "onderwerp: ", "a": "bijlage: "}


def _kind_scores_nl(detail: str) -> str:
    """"kind model: reply 0.52; article8 0.31" → "reactie op brief 52%, melding artikel 8 31%"."""
    return ", ".join(f"{KIND_LABELS[k].lower()} {float(p) * 100:.0f}%" for k, p in _KIND_SCORE.findall(detail))


def _words_nl(detail: str) -> str:
    """"w:stopt, b:is_afgebrand, s:uitstel" → "stopt, is afgebrand, onderwerp: uitstel"."""
    out = []
    for f in detail.split(", "):
        prefix, _, word = f.partition(":")
        out.append(_FEATURE_PREFIX.get(prefix, "") + word.replace("_", " ").replace("<naam>", "(naam)")
                   .replace("<num4>", "(getal)").replace("<ref>", "(kenmerk)").replace("<numlong>", "(getal)"))
    return ", ".join(out)


_TRIAGE_NL: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^possibly an artikel 8 notification \((\d\.\d+)\), else (\w+)$"),
     lambda m: f"mogelijk een melding artikel 8 ({float(m[1]) * 100:.0f}%), anders "
               f"{KIND_LABELS.get(m[2], m[2]).lower()}"),
    (re.compile(r"^kind uncertain: (.*)$"),
     lambda m: "soort bericht onzeker: " + _kind_scores_nl(m[1].replace("(", "")).replace(", ", " of ")),
)


def evidence_nl(line: str) -> str:
    """"reference_exact: 7468089 in subject" → "kenmerk gevonden (7468089 in subject)"; kind rules get "soort"."""
    rule, _, detail = line.partition(": ")
    if rule == "kind_model":
        return f"{EVIDENCE_LABELS[rule]}: {_kind_scores_nl(detail)}"
    if rule == "kind_words":
        return f"{EVIDENCE_LABELS[rule]}: {_words_nl(detail)}"
    if rule == "triage":
        for pattern, say in _TRIAGE_NL:
            if m := pattern.match(detail):
                return f"{EVIDENCE_LABELS[rule]}: {say(m)}"
    label = EVIDENCE_LABELS.get(rule)
    if label is None and rule.startswith("signal_"):
        label = f"signaal: {SIGNAL_LABELS.get(rule[7:], rule[7:])}"
        return f"{label} ({detail.strip()})" if detail.strip() else label
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

"""Golden files for the Dutch wording officers read: every alert_* and slack_* template, rendered from a fixed
context, compared exactly with tests/fixtures/golden/<name>.txt (some templates twice, for their variants).

Regenerate after an intended wording change with `IBT_REGEN_GOLDEN=1 .venv/bin/python -m pytest
tests/test_golden_replies.py`, then read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from replies.render import render

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
TEMPLATES = ROOT / "replies" / "templates"

INBOUND: dict[str, Any] = {
    "kind": "reply", "municipalities": ["Hilversum"], "reference": "7468089",
    "subject": "RE: Informatieverzoek Spreidingswet, uw kenmerk 7468089", "sender": "j.devries@hilversum.nl",
    "facts": {"realised": 40, "planned": 120, "expected_date": "2026-10-01"},
    "excerpt": "Geachte heer/mevrouw,\nIn antwoord op uw brief melden wij dat 40 plaatsen zijn gerealiseerd.",
    "attachments": ["reactie-ibt.pdf"], "evidence": [], "deadline": "2026-04-30",
}
LETTER = {"reference": "7468089", "kind": "informatieverzoek", "deadline": "2026-04-30", "state": "answered",
          "days_left": -4}

# (golden name, template, context)
SAMPLES: list[tuple[str, str, dict[str, Any]]] = [
    ("alert_inbound_reply", "alert_inbound", INBOUND),
    ("alert_inbound_extension", "alert_inbound",
     {**INBOUND, "kind": "extension_request", "facts": {}, "attachments": [],
      "excerpt": "Wij verzoeken u om uitstel tot 28 mei.",
      "kind_scores": {"extension_request": 0.55, "reply": 0.31, "question": 0.08, "auto_reply": 0.06}}),
    ("alert_inbound_question", "alert_inbound",
     {**INBOUND, "kind": "question", "reference": None, "facts": {}, "attachments": [], "deadline": None,
      "excerpt": "Tellen de plaatsen in de noodopvang mee?"}),
    ("alert_inbound_article8", "alert_inbound",
     {**INBOUND, "kind": "article8", "municipalities": ["Ede"], "reference": None, "deadline": None,
      "facts": {"location_lost": 150}, "attachments": [], "excerpt": "De locatie aan de Zandlaan vervalt."}),
    ("alert_closed_letter", "alert_closed_letter", INBOUND),
    ("alert_triage", "alert_triage",
     {**INBOUND, "kind": "extension_request", "municipalities": ["Bergen (NH.)", "Alkmaar"], "reference": None,
      "evidence": ["municipality_regional_sender: s.kok@alkmaar.nl writes as a regional body",
                   "kind_extension_request: asks for more time: 'Wij verzoeken u om uitstel'",
                   "triage: two municipalities named, none singled out"]}),
    ("alert_triage_possible_article8", "alert_triage",
     {**INBOUND, "kind": "article8", "municipalities": ["Dronten"], "reference": None, "possible_article8": True,
      "kind_candidates": ["article8", "reply"], "kind_scores": {"reply": 0.52, "article8": 0.31, "question": 0.1},
      "evidence": ["kind_model: kind model: reply 0.52; article8 0.31; question 0.10",
                   "signal_loss_event: De eigenaar van het vakantiepark stopt per 1 januari.",
                   "kind_words: w:stopt, w:vakantiepark",
                   "triage: possibly an artikel 8 notification (0.31), else reply"]}),
    ("alert_triage_phishing", "alert_triage",
     {**INBOUND, "kind": "other", "municipalities": [], "reference": None, "possible_phishing": True,
      "evidence": ["kind_lookalike: look-alike sender domain: haarlemmerrneer.nl imitates haarlemmermeer.nl"]}),
    ("alert_triage_unknown", "alert_triage",
     {**INBOUND, "kind": "question", "municipalities": [], "reference": None, "evidence": []}),
    ("alert_deadline_slipped", "alert_deadline_slipped",
     {"municipality": "Zwolle", "reference": "7468125", "sent_on": "2026-04-09", "deadline": "2026-04-30",
      "reminder": "2026-05-11"}),
    ("alert_escalation_due", "alert_escalation_due",
     {"municipality": "Hilversum", "reference": "7468089", "step": 2,
      "reason": "De reactie is als onvoldoende beoordeeld."}),
    ("alert_reminder_sent", "alert_reminder_sent",
     {"municipality": "Zwolle", "reference": "7468125", "deadline": "2026-05-11", "requested_by": "<@U012ABC>"}),
    ("alert_quarantine", "alert_quarantine",
     {"reason": "MIME structure nested too deep", "subject": "Factuur", "sender": "", "mail_key": "0123456789ab"}),
    ("alert_source_health_outage", "alert_source_health",
     {"kind": "outage", "source": "imap:mail.minjenv.nl/INBOX", "since": "2026-05-04T07:12:00+00:00",
      "error": "connection refused"}),
    ("alert_source_health_credentials", "alert_source_health",
     {"kind": "credentials", "source": "ews:ibtspreidingswet@minjenv.nl/inbox",
      "since": "2026-05-04T07:12:00+00:00", "error": "invalid_client"}),
    ("slack_case_card", "slack_case_card",
     {"municipality": "Hilversum", "code": "GM0402", "step": 3, "article8": 1, "assigned": "<@U012ABC>",
      "letters": [LETTER, {**LETTER, "reference": "7583310", "state": "awaiting_reply", "days_left": 12}]}),
    ("slack_case_card_empty", "slack_case_card",
     {"municipality": "Ede", "code": "GM0228", "step": 2, "article8": 0, "assigned": None, "letters": []}),
    *[(f"slack_action_done_{a}", "slack_action_done",
       {"action": a, "actor": "<@U012ABC>", "reference": "7468089", "deadline": "2026-05-28", "step": 4,
        "reason": "geen zicht op realisatie", "municipality": "Bergen (NH.)"})
      for a in ("mark_sufficient", "mark_insufficient", "grant_extension", "refuse_extension", "escalate", "assign",
                "request_reminder", "confirm_match", "dismiss")],
    ("slack_refused_not_allowed", "slack_refused", {"reason": "not_allowed"}),
    ("slack_refused_action", "slack_refused",
     {"reason": "Alleen een beantwoorde brief kan voldoende worden bevonden."}),
    ("slack_overdue", "slack_overdue",
     {"letters": [{"municipality": "Zwolle", "reference": "7468125", "kind": "informatieverzoek",
                   "deadline": "2026-04-30", "days_left": -4, "state": "overdue"},
                  {"municipality": "Breda", "reference": "7468177", "kind": "informatieverzoek",
                   "deadline": "2026-05-03", "days_left": -1, "state": "awaiting_reply"}]}),
    ("slack_overdue_none", "slack_overdue", {"letters": []}),
    ("slack_help", "slack_help", {"target": "Atlantis"}),
    ("slack_home", "slack_home",
     {"steps": [(1, 0), (2, 25), (3, 6), (4, 1), (5, 0), (6, 0)], "triage": 1,
      "overdue": [{"municipality": "Zwolle", "reference": "7468125", "days_left": -4}],
      "sources": [{"name": "imap:mail.minjenv.nl/INBOX", "error": "", "failing_since": None,
                   "last_success_at": "2026-05-04T08:59:00+00:00"},
                  {"name": "ews:ibtspreidingswet@minjenv.nl/inbox", "error": "ErrorServerBusy",
                   "failing_since": "2026-05-04T07:12:00+00:00", "last_success_at": None}]}),
    ("slack_escalate_modal", "slack_escalate_modal", {"municipality": "Hilversum", "step": 3}),
    ("slack_extension_modal", "slack_extension_modal",
     {"municipality": "Breda", "reference": "7468177", "deadline": "2026-04-30"}),
    ("slack_triage_modal", "slack_triage_modal", {}),
]


def test_every_officer_template_has_a_golden_sample() -> None:
    names = {p.name.removesuffix(".txt.j2") for p in TEMPLATES.glob("*.txt.j2")
             if p.name.startswith(("alert_", "slack_"))}
    assert names == {template for _, template, _ in SAMPLES}


@pytest.mark.parametrize(("golden", "template", "context"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_wording_matches_the_golden_file(golden: str, template: str, context: dict[str, Any]) -> None:
    text = render(template, context)
    path = GOLDEN / f"{golden}.txt"
    if os.environ.get("IBT_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with IBT_REGEN_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")

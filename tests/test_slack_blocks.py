"""Block Kit built from values (replies/blocks.py): pure, so tested without any Slack."""

from __future__ import annotations

import json

from replies.blocks import (
    CONFIRM,
    DISMISS,
    GRANT,
    REFUSE,
    SUFFICIENT,
    blocks_after_action,
    escalate_modal,
    render_alert_blocks,
)
from replies.render import render

CTX = {"kind": "reply", "municipalities": ["Hilversum"], "reference": "7468089", "subject": "<!channel> kijk",
       "sender": "a@hilversum.nl", "facts": {}, "excerpt": "<https://evil.example|klik>", "attachments": [],
       "evidence": [], "deadline": None}


def actions(blocks: list[dict[str, object]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


def test_text_from_mail_cannot_mention_or_link() -> None:
    blocks = render_alert_blocks("alert_inbound", render("alert_inbound", CTX), CTX, case_code="GM0402")
    text = json.dumps(blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil" not in text


def test_buttons_follow_what_the_alert_asks() -> None:
    reply = render_alert_blocks("alert_inbound", "t", CTX, case_code="GM0402")
    assert actions(reply)[:2] == [SUFFICIENT, "ibt_insufficient"]
    ext = render_alert_blocks("alert_inbound", "t", {**CTX, "kind": "extension_request"}, case_code="GM0758")
    assert actions(ext)[:2] == [GRANT, REFUSE]
    triage = render_alert_blocks("alert_triage", "t", {**CTX, "municipalities": ["Bergen (NH.)", "Alkmaar"]},
                                 mail_id=7)
    assert actions(triage) == [CONFIRM, CONFIRM, "ibt_choose_other", DISMISS]
    assert json.loads(triage[-1]["elements"][0]["value"]) == {"mail": 7, "m": "Bergen (NH.)", "ref": "7468089"}
    assert actions(render_alert_blocks("alert_quarantine", "t", {})) == []


def test_after_an_action_the_buttons_give_way_to_who_did_it() -> None:
    before = render_alert_blocks("alert_inbound", "titel\nbody", CTX, case_code="GM0402")
    after = blocks_after_action(before, "<@U1> heeft …")
    assert actions(after) == [] and after[-1]["type"] == "context" and after[:-1] == before[:-1]


def test_escalation_dialog_offers_only_higher_steps() -> None:
    modal = escalate_modal("Hilversum", 3, {"case": "GM0402"})
    options = modal["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == ["4", "5", "6"] and len(modal["title"]["text"]) <= 24

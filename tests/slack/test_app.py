"""Slack end to end: the real Bolt app (HTTP mode, signed requests) and the real WebClient against a local
Web API stand-in (tests/support/fake_slack.py). Officers act through the same code as the CLI."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

from bot.store.models import HistoryEntryRow, InboundMailRow
from tests.slack.conftest import Harness
from tests.support.fake_slack import FakeSlack, interaction

pytestmark = pytest.mark.slack


def posts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [c.body for c in fake.named("chat.postMessage")]


def test_one_parent_per_case_every_event_in_its_thread(slack: Harness) -> None:
    slack.ingest("d011", "d046")  # two mails from Hilversum
    case = slack.case("GM0402")
    assert case.slack_channel == "CTEAM" and case.slack_ts
    parents = [p for p in posts(slack.fake) if not p.get("thread_ts")]
    assert len(parents) == 1 and "Hilversum" in parents[0]["text"]
    thread = slack.fake.thread("CTEAM", case.slack_ts)
    assert len(thread) == 2 and all("Hilversum" in m["text"] for m in thread)
    assert "Reactie op brief" in thread[0]["text"]
    # the parent shows the case's current state, updated in place
    card = next(m for m in slack.fake.messages if m["ts"] == case.slack_ts)
    assert "beantwoord, te beoordelen" in json.dumps(card["blocks"], ensure_ascii=False)
    assert slack.fake.named("chat.update")
    assert {c.token for c in slack.fake.calls} == {"Bearer xoxb-test"}


def test_article8_is_urgent_in_its_own_channel_and_in_the_case_thread(slack: Harness) -> None:
    slack.ingest("d031")
    case = slack.case("GM0228")
    urgent = [m for m in slack.fake.messages if m["channel"] == "CURGENT"]
    assert len(urgent) == 1 and urgent[0]["text"].startswith("[URGENT] Melding artikel 8")
    assert len(slack.fake.thread("CTEAM", str(case.slack_ts))) == 1


def test_signature_wrong_or_stale_is_refused_and_changes_nothing(slack: Harness) -> None:
    slack.ingest("d011")
    msg = slack.fake.thread("CTEAM", str(slack.case("GM0402").slack_ts))[0]
    value = next(e["value"] for b in msg["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == "ibt_sufficient")
    body = interaction({"type": "block_actions", "user": {"id": "UOFFICER"}, "team": {"id": "T1"},
                        "actions": [{"type": "button", "action_id": "ibt_sufficient", "value": value,
                                     "action_ts": "9.9", "block_id": "b"}], "trigger_id": "t"})
    assert slack.post(body, secret="not-the-secret")[0] == 401
    assert slack.post(body, age=600)[0] == 401
    assert slack.letter("7468089").state == "answered"


def test_unauthorised_user_gets_a_private_refusal_and_nothing_changes(slack: Harness) -> None:
    slack.ingest("d011")
    msg = slack.fake.thread("CTEAM", str(slack.case("GM0402").slack_ts))[0]
    assert slack.click(msg, "ibt_sufficient", user="USTRANGER") == 200
    assert slack.letter("7468089").state == "answered"
    refusal = slack.fake.named("chat.postEphemeral")[-1].body
    assert refusal["user"] == "USTRANGER" and "Alleen medewerkers van het IBT-team" in refusal["text"]
    with Session(slack.app.engine) as s:
        assert not s.exec(select(HistoryEntryRow).where(HistoryEntryRow.actor == "USTRANGER")).all()


def test_officer_judges_an_answer_and_the_history_names_the_slack_user(slack: Harness) -> None:
    slack.ingest("d011")
    msg = slack.fake.thread("CTEAM", str(slack.case("GM0402").slack_ts))[0]
    assert slack.click(msg, "ibt_sufficient") == 200
    assert slack.click(msg, "ibt_sufficient") == 200  # Slack's retry of the same action changes nothing
    assert slack.letter("7468089").state == "closed"
    with Session(slack.app.engine) as s:
        done = s.exec(select(HistoryEntryRow).where(HistoryEntryRow.event == "mark_sufficient")).all()
    assert [h.actor for h in done] == ["UOFFICER"]
    updated = next(m for m in slack.fake.messages if m["ts"] == msg["ts"])
    text = json.dumps(updated["blocks"], ensure_ascii=False)
    assert "<@UOFFICER> heeft de reactie op brief 7468089 voldoende bevonden." in text
    assert not any(b["type"] == "actions" for b in updated["blocks"])  # the buttons are gone
    card = next(m for m in slack.fake.messages if m["ts"] == slack.case("GM0402").slack_ts)
    assert "7468089" not in json.dumps(card["blocks"])  # the card lists open letters only


def test_user_group_member_may_act(slack: Harness) -> None:
    slack.ingest("d011")
    msg = slack.fake.thread("CTEAM", str(slack.case("GM0402").slack_ts))[0]
    assert slack.click(msg, "ibt_assign_me", user="UGROUP") == 200
    assert slack.case("GM0402").assigned_officer == "UGROUP"
    assert slack.fake.named("usergroups.users.list")


def test_insufficient_raises_escalation_due_and_the_escalation_dialog_needs_a_reason(slack: Harness) -> None:
    slack.ingest("d011")
    parent = str(slack.case("GM0402").slack_ts)
    assert slack.click(slack.fake.thread("CTEAM", parent)[0], "ibt_insufficient") == 200
    assert slack.letter("7468089").state == "escalation_due"
    due = slack.fake.thread("CTEAM", parent)[-1]
    assert due["text"].startswith("Opschaling te overwegen: Hilversum")
    assert slack.click(due, "ibt_escalate", action_ts="2.2") == 200
    modal = slack.fake.named("views.open")[-1].body["view"]
    assert "Opschalen" in json.dumps(modal, ensure_ascii=False)
    step = {"to_step": {"value": {"type": "static_select", "selected_option": {"value": "4"}}}}
    status, body = slack.submit({**step, "reason": {"value": {"type": "plain_text_input", "value": " "}}})
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    assert slack.case("GM0402").step == 3  # the register put Hilversum on trede 3
    status, _ = slack.submit({**step, "reason": {"value": {"type": "plain_text_input", "value": "geen planning"}}},
                             view_id="V2")
    assert status == 200 and slack.case("GM0402").step == 4
    with Session(slack.app.engine) as s:
        changed = s.exec(select(HistoryEntryRow).where(HistoryEntryRow.event == "step_changed")).one()
    assert (changed.actor, changed.new_state, changed.detail) == ("UOFFICER", "4", "geen planning")
    shown = json.dumps(next(m for m in slack.fake.messages if m["ts"] == due["ts"])["blocks"], ensure_ascii=False)
    assert "heeft het dossier opgeschaald naar trede 4" in shown


def test_extension_granted_with_a_date_picker(slack: Harness) -> None:
    slack.ingest("d009")  # Breda asks for more time
    msg = slack.fake.thread("CTEAM", str(slack.case("GM0758").slack_ts))[0]
    assert slack.click(msg, "ibt_grant_extension") == 200
    view = slack.fake.named("views.open")[-1].body["view"]
    assert '"datepicker"' in json.dumps(view)
    status, _ = slack.submit({"deadline": {"value": {"type": "datepicker", "selected_date": "2026-05-28"}}})
    assert status == 200
    letter = slack.letter("7468177")
    assert (letter.state, letter.deadline.isoformat()) == ("awaiting_reply", "2026-05-28")


def test_triage_dismiss_and_match_to_another_municipality(slack: Harness) -> None:
    slack.ingest("d005", "d010")  # a private phone mail, and a regional body asking more time for someone
    top = [m for m in slack.fake.messages if m["channel"] == "CTEAM" and m["thread_ts"] is None
           and m["text"].startswith("Beoordeling nodig")]
    assert len(top) == 2
    unknown = next(m for m in top if "gemeente onbekend" in m["text"])
    assert slack.click(unknown, "ibt_dismiss") == 200
    regional = next(m for m in top if m is not unknown)
    assert slack.click(regional, "ibt_choose_other", action_ts="3.3") == 200
    suggest = {"type": "block_suggestion", "user": {"id": "UOFFICER"}, "team": {"id": "T1"}, "api_app_id": "A1",
               "action_id": "ibt_pick_municipality", "block_id": "municipality", "value": "bergen n",
               "view": {"id": "V1", "type": "modal", "callback_id": "ibt_triage_view"}}
    status, body = slack.post(interaction(suggest))
    options = json.loads(body)["options"]
    assert status == 200 and options[0]["value"] == "GM0373"  # Bergen (NH.) first, searched among all 342
    status, _ = slack.submit({"municipality": {"ibt_pick_municipality": {"selected_option": {"value": "GM0373"}}},
                              "reference": {"value": {"value": "7468245"}}})
    assert status == 200
    with Session(slack.app.engine) as s:
        states = sorted(str(r.triage_state) for r in s.exec(select(InboundMailRow)).all())
    assert states == ["dismissed", "resolved"]
    assert slack.letter("7468245").state == "extension_requested"
    assert slack.case("GM0373").slack_ts  # the decision's alert opened Bergen's thread


def test_slash_command_case_card_overdue_and_refusal(slack: Harness) -> None:
    slack.ingest("d011")
    def command(text: str, user: str = "UOFFICER") -> dict[str, Any]:
        status, body = slack.post(urlencode({"command": "/ibt", "text": text, "user_id": user, "team_id": "T1",
                                             "channel_id": "CTEAM", "trigger_id": "t",
                                             "response_url": "https://hooks.invalid/2"}))
        assert status == 200
        return dict(json.loads(body)) if body.startswith("{") else {"text": body}  # Bolt answers bare text as is

    card = command("Hilversum")
    assert card["text"].startswith("*Hilversum* (GM0402) · trede 3: Actief toezicht")
    assert "7468089" in json.dumps(card["blocks"])
    overdue = json.dumps(command("achterstallig")["blocks"], ensure_ascii=False)
    assert "*Achterstallige brieven* (28)" in overdue and "Zwolle: brief 7468125" in overdue  # past 30 April
    assert "Alleen medewerkers" in command("Hilversum", user="USTRANGER")["text"]
    assert "Geen dossier gevonden" in command("Atlantis")["text"]


def test_app_home_shows_counts_triage_overdue(slack: Harness) -> None:
    slack.ingest("d011", "d005")
    event = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev1", "event_time": 1,
             "event": {"type": "app_home_opened", "user": "UOFFICER", "channel": "D1", "tab": "home",
                       "event_ts": "1.0"}}
    assert slack.post(json.dumps(event), json_body=True)[0] == 200
    view = json.dumps(slack.fake.named("views.publish")[-1].body["view"], ensure_ascii=False)
    assert "Trede 3 (Actief toezicht): 6" in view
    assert "Wachten op beoordeling:* 1 bericht" in view and "Achterstallige brieven" in view

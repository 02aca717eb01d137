"""The Bolt app: officers' buttons, dialogs, `/ibt` and the App Home, all calling bot/officer.py.

Every listener first checks the allow-list (bot/slack/access.py); anyone else gets a refusal only they see
and nothing changes. An action's id comes from Slack (the action's `action_ts`, the dialog's view id), so a
retried request changes nothing the second time. After a change: the clicked message shows who did what,
the outbox is delivered (new alerts in the case thread) and the case's parent message is brought up to date.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import App as BoltApp
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.bootstrap import App
from bot.dossier import case_view
from bot.officer import ActionResult, assign, escalate, letter_action, request_reminder, resolve_triage
from bot.services import local_today
from bot.slack.access import Access
from bot.slack.sink import SlackSink
from bot.slack.views import load_home, load_overdue, search_municipalities
from bot.store.models import CaseRow, InboundMailRow
from replies import blocks as B

log = logging.getLogger(__name__)
Payload = dict[str, Any]


class Listeners:
    """The listeners' shared state: the ibt application, the Slack sink (threads, parents) and access."""

    def __init__(self, app: App, sink: SlackSink, access: Access) -> None:
        self.app, self.sink, self.access = app, sink, access

    # -- buttons --------------------------------------------------------------------------------------------
    def on_button(self, ack: Callable[..., None], body: Payload, client: WebClient, action: Payload) -> None:
        ack()
        user = body["user"]["id"]
        if not self._allowed(client, body, user):
            return
        aid, value = action["action_id"], json.loads(action.get("value") or "{}")
        key = f"slack:{user}:{action.get('action_ts') or body.get('trigger_id')}"
        where = {"channel": (body.get("channel") or {}).get("id"), "ts": (body.get("message") or {}).get("ts")}
        if aid in (B.ESCALATE, B.GRANT, B.CHOOSE):
            self._open_dialog(client, body["trigger_id"], aid, {**value, **where})
            return
        code, ref, mail = value.get("case"), value.get("ref"), value.get("mail")
        ctx: Payload = {"reference": ref}
        if aid == B.ASSIGN:
            result = assign(self.app, code, user, user)
        elif aid in (B.SUFFICIENT, B.INSUFFICIENT, B.REFUSE):
            name = {B.SUFFICIENT: "mark_sufficient", B.INSUFFICIENT: "mark_insufficient",
                    B.REFUSE: "refuse_extension"}[aid]
            result = letter_action(self.app, code, name, user, reference=ref, action_id=key)
        elif aid == B.REMIND:
            result = request_reminder(self.app, code, user, reference=ref, action_id=key)
        elif aid == B.CONFIRM:
            result = resolve_triage(self.app, int(mail), user, municipality=value.get("m"), reference=ref)
            ctx["municipality"] = value.get("m") or ""
        elif aid == B.DISMISS:
            result = resolve_triage(self.app, int(mail), user, dismiss=True)
        else:
            return
        self._after(client, body, key, result, _DONE[aid], ctx, where, code or self._case_of_mail(mail))

    # -- dialogs --------------------------------------------------------------------------------------------
    def _open_dialog(self, client: WebClient, trigger_id: str, aid: str, meta: Payload) -> None:
        if aid == B.CHOOSE:
            client.views_open(trigger_id=trigger_id, view=B.triage_modal(meta, meta.get("ref")))
            return
        view = case_view(self.app, str(meta.get("case")))
        if view is None:
            return
        name, step = view["municipality"]["name"], int(view["step"])
        if aid == B.ESCALATE:
            client.views_open(trigger_id=trigger_id, view=B.escalate_modal(name, step, meta))
            return
        deadline = next((x["deadline"] for x in view["letters"] if x["reference"] == meta.get("ref")),
                        local_today(self.app).isoformat())
        client.views_open(trigger_id=trigger_id, view=B.extension_modal(name, str(meta.get("ref")), deadline, meta))

    def on_submit(self, ack: Callable[..., None], body: Payload, client: WebClient, view: Payload) -> None:
        user = body["user"]["id"]
        meta = json.loads(view.get("private_metadata") or "{}")
        values = view["state"]["values"]
        if not self.access.allowed(user):
            ack(response_action="errors", errors={_first_block(view): B.render_refusal("not_allowed")})
            return
        key, code, ref = f"slack:{user}:{view['id']}", meta.get("case"), meta.get("ref")
        cb = view["callback_id"]
        ctx: Payload = {"reference": ref}
        if cb == B.ESCALATE_VIEW:
            to_step = int(values["to_step"]["value"]["selected_option"]["value"])
            reason = str(values["reason"]["value"]["value"] or "").strip()
            result = escalate(self.app, code, to_step, user, reason, reference=ref, action_id=key)
            ctx |= {"step": to_step, "reason": reason}
            field, done = "reason", "escalate"
        elif cb == B.EXTENSION_VIEW:
            deadline = date.fromisoformat(values["deadline"]["value"]["selected_date"])
            result = letter_action(self.app, code, "grant_extension", user, reference=ref, new_deadline=deadline,
                                   action_id=key)
            ctx["deadline"] = deadline.isoformat()
            field, done = "deadline", "grant_extension"
        else:
            picked = values["municipality"][B.PICK_MUNICIPALITY]["selected_option"]["value"]
            ref = (values["reference"]["value"].get("value") or "").strip() or None
            result = resolve_triage(self.app, int(meta["mail"]), user, municipality=picked, reference=ref)
            m = self.app.registry.by_code(picked)
            ctx |= {"reference": ref, "municipality": m.name if m else picked}
            field, done, code = "municipality", "confirm_match", picked
        if not result.ok:
            ack(response_action="errors", errors={field: result.message})
            return
        ack()
        self._after(client, body, key, result, done, ctx, meta, code)

    def on_options(self, ack: Callable[..., None], body: Payload) -> None:
        """The municipality picker: all 342, prefix and fuzzy matches on what the officer typed."""
        if not self.access.allowed(body["user"]["id"]):
            ack(options=[])
            return
        ack(options=B.municipality_options(search_municipalities(self.app.registry, str(body.get("value", "")))))

    # -- /ibt and the App Home ------------------------------------------------------------------------------
    def on_command(self, ack: Callable[..., None], command: Payload) -> None:
        if not self.access.allowed(command["user_id"]):
            ack(text=B.render_refusal("not_allowed"))
            return
        target = str(command.get("text") or "").strip()
        if target.lower() in ("achterstallig", "te laat", "overdue"):
            text, blocks = B.render_overdue(load_overdue(self.app.engine, local_today(self.app)))
            ack(text=text, blocks=blocks)
            return
        view = case_view(self.app, target) if target else None
        if view is None:
            ack(text=B.render_help(target or None))
            return
        text, blocks = B.render_case_card(view, buttons=False)
        ack(text=text, blocks=blocks)

    def on_home(self, event: Payload, client: WebClient) -> None:
        user = event["user"]
        if self.access.allowed(user):
            view = B.render_home(load_home(self.app.engine, local_today(self.app)))
        else:
            view = {"type": "home", "blocks": [{"type": "section", "text": {
                "type": "mrkdwn", "text": B.render_refusal("not_allowed")}}]}
        client.views_publish(user_id=user, view=view)

    # -- shared ---------------------------------------------------------------------------------------------
    def _allowed(self, client: WebClient, body: Payload, user: str) -> bool:
        if self.access.allowed(user):
            return True
        channel = (body.get("channel") or {}).get("id")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=B.render_refusal("not_allowed"))
        return False

    def _after(self, client: WebClient, body: Payload, key: str, result: ActionResult, done: str, ctx: Payload,
               where: Payload, code: str | None) -> None:
        """Show the outcome: refusal to the officer alone; success on the message, the thread and the card."""
        channel, ts, user = where.get("channel"), where.get("ts"), body["user"]["id"]
        if not result.ok:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user, text=B.render_refusal(result.message))
            return
        text = B.render_done(done, user, **ctx)
        if channel and ts:
            self.sink.mark_done(channel, ts, text, key, (body.get("message") or {}).get("blocks"))
        self.app.deliverer.deliver_pending()  # alerts this decision raised, in the case thread
        case_id = self._case_id(code)
        if case_id is not None:
            try:
                self.sink.update_parent(case_id)
            except Exception as exc:  # the card catches up with the next alert; the action itself is done
                log.warning("case card %s not updated: %s", case_id, exc)

    def _case_id(self, code: str | None) -> int | None:
        if not code:
            return None
        with Session(self.app.engine) as s:
            return s.exec(select(CaseRow.id).where(CaseRow.municipality_code == code)
                          .order_by(col(CaseRow.id).desc())).first()

    def _case_of_mail(self, mail: Any) -> str | None:
        if mail is None:
            return None
        with Session(self.app.engine) as s:
            row = s.get(InboundMailRow, int(mail))
            return row.municipality_code if row else None


_DONE = {B.ASSIGN: "assign", B.SUFFICIENT: "mark_sufficient", B.INSUFFICIENT: "mark_insufficient",
         B.REFUSE: "refuse_extension", B.REMIND: "request_reminder", B.CONFIRM: "confirm_match", B.DISMISS: "dismiss"}


def _first_block(view: Payload) -> str:
    return next((b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"), "reason")


def build_bolt_app(app: App, sink: SlackSink, access: Access, *, signing_secret: str = "",
                   process_before_response: bool = False) -> BoltApp:
    """The Bolt app with every listener registered. Bolt verifies HTTP signatures with `signing_secret`."""
    bolt = BoltApp(client=sink.client, signing_secret=signing_secret, token_verification_enabled=False,
                   process_before_response=process_before_response)
    on = Listeners(app, sink, access)
    for aid in (*_DONE, B.ESCALATE, B.GRANT, B.CHOOSE):
        bolt.action(aid)(on.on_button)
    for cb in (B.ESCALATE_VIEW, B.EXTENSION_VIEW, B.TRIAGE_VIEW):
        bolt.view(cb)(on.on_submit)
    bolt.options(B.PICK_MUNICIPALITY)(on.on_options)
    bolt.command("/ibt")(on.on_command)
    bolt.event("app_home_opened")(on.on_home)
    return bolt

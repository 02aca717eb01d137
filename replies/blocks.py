"""Slack Block Kit for officers, built from values and from the rendered Dutch templates: pure, no I/O.

Every sentence comes from `replies/templates/slack_*.txt.j2` or `alert_*.txt.j2`; the short labels of buttons
and dialogs are in `LABELS`. Buttons carry a compact JSON value (municipality, reference, mail id) that
`bot/slack/app.py` hands to the officer actions. Text from mails is escaped so a subject cannot mention
`<!channel>` or forge a link.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from replies.render import render

Block = dict[str, Any]

LABELS = {
    "assign_me": "Ik pak dit op",
    "sufficient": "Voldoende",
    "insufficient": "Onvoldoende",
    "grant_extension": "Uitstel verlenen…",
    "refuse_extension": "Uitstel weigeren",
    "send_reminder": "Rappel nu sturen",
    "escalate": "Opschalen…",
    "confirm": "Bevestig",
    "choose_other": "Andere gemeente of brief…",
    "dismiss": "Terzijde leggen",
    "escalate_title": "Opschalen",
    "extension_title": "Uitstel verlenen",
    "triage_title": "Bericht koppelen",
    "submit": "Vastleggen",
    "cancel": "Annuleren",
    "reason": "Reden",
    "to_step": "Naar trede",
    "new_deadline": "Nieuwe termijn",
    "municipality": "Gemeente",
    "reference": "Kenmerk (optioneel)",
    "search": "Zoek een gemeente",
}

# action ids: the contract between these blocks and the listeners in bot/slack/app.py
ASSIGN, SUFFICIENT, INSUFFICIENT = "ibt_assign_me", "ibt_sufficient", "ibt_insufficient"
GRANT, REFUSE, REMIND, ESCALATE = "ibt_grant_extension", "ibt_refuse_extension", "ibt_send_reminder", "ibt_escalate"
CONFIRM, CHOOSE, DISMISS = "ibt_confirm_match", "ibt_choose_other", "ibt_dismiss"
PICK_MUNICIPALITY = "ibt_pick_municipality"  # external_select, options from the registry
ESCALATE_VIEW, EXTENSION_VIEW, TRIAGE_VIEW = "ibt_escalate_view", "ibt_extension_view", "ibt_triage_view"


def escape(text: str) -> str:
    """Slack's three control characters: untrusted text must not become mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(officer: str | None) -> str | None:
    """A Slack user id as a mention (Slack shows the name); anything else as it is."""
    if officer and officer[:1] in "UW" and officer.isalnum():
        return f"<@{officer}>"
    return escape(officer) if officer else None


def _text(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:3000]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75], "emoji": True}


def button(label: str, action_id: str, value: Mapping[str, Any], style: str | None = None) -> Block:
    b: Block = {"type": "button", "text": _plain(label), "action_id": action_id,
                "value": json.dumps(dict(value), separators=(",", ":"))[:2000]}
    if style:
        b["style"] = style
    return b


def _sections(text: str, size: int = 2900) -> list[Block]:
    """Sections of whole lines, each within Slack's 3000-character limit per text block."""
    out: list[str] = []
    for line in text.strip("\n").split("\n"):
        if out and len(out[-1]) + len(line) < size:
            out[-1] += "\n" + line
        else:
            out.append(line[:size])
    return [{"type": "section", "text": _text(part)} for part in out if part.strip()]


def _section_blocks(text: str) -> list[Block]:
    """A rendered alert: its first line bold, the rest as the body."""
    title, _, body = escape(text).partition("\n")
    return [{"type": "section", "text": _text(f"*{title.strip()}*")}, *_sections(body)]


def alert_buttons(template: str, context: Mapping[str, Any], case_code: str | None,
                  mail_id: int | None) -> list[Block]:
    """The decisions an officer can take on this alert, as buttons."""
    ref = context.get("reference")
    kind = context.get("kind")
    on_case = {"case": case_code, "ref": ref}
    out: list[Block] = []
    if template == "alert_triage" and mail_id is not None:
        for name in list(context.get("municipalities") or [])[:3]:
            out.append(button(f"{LABELS['confirm']}: {name}", CONFIRM, {"mail": mail_id, "m": name, "ref": ref},
                              "primary"))
        out.append(button(LABELS["choose_other"], CHOOSE, {"mail": mail_id, "ref": ref}))
        out.append(button(LABELS["dismiss"], DISMISS, {"mail": mail_id}))
        return out
    if case_code is None:
        return out
    if template == "alert_inbound" and ref and kind == "reply":
        out += [button(LABELS["sufficient"], SUFFICIENT, on_case, "primary"),
                button(LABELS["insufficient"], INSUFFICIENT, on_case, "danger")]
    if template == "alert_inbound" and ref and kind == "extension_request":
        out += [button(LABELS["grant_extension"], GRANT, on_case, "primary"),
                button(LABELS["refuse_extension"], REFUSE, on_case)]
    if template == "alert_deadline_slipped" and ref:
        out.append(button(LABELS["send_reminder"], REMIND, on_case))
    if template == "alert_escalation_due":
        out.append(button(LABELS["escalate"], ESCALATE, on_case, "danger"))
    if template in ("alert_inbound", "alert_closed_letter", "alert_deadline_slipped", "alert_escalation_due"):
        out.append(button(LABELS["assign_me"], ASSIGN, {"case": case_code}))
    return out


def render_alert_blocks(template: str, text: str, context: Mapping[str, Any], *, case_code: str | None = None,
                        mail_id: int | None = None) -> list[Block]:
    """An alert message: the rendered template, then its buttons."""
    blocks = _section_blocks(text)
    buttons = alert_buttons(template, context, case_code, mail_id)
    if buttons:
        blocks.append({"type": "actions", "block_id": "ibt_actions", "elements": buttons})
    return blocks


def render_done(action: str, actor: str, **context: Any) -> str:
    """Who did what, in Dutch (`actor` is a Slack user id or a name)."""
    values = {"reference": None, "deadline": None, "step": None, "reason": "", "municipality": "", **context}
    values = {k: escape(v) if isinstance(v, str) else v for k, v in values.items()}
    return render("slack_action_done", {"action": action, "actor": mention(actor) or "?", **values}).strip()


def done_blocks(done: str) -> list[Block]:
    return [{"type": "context", "elements": [_text(f":white_check_mark: {done}")]}]


def blocks_after_action(blocks: Sequence[Block], done: str) -> list[Block]:
    """The message as it was, its buttons replaced by who did what."""
    return [*(b for b in blocks if b.get("type") != "actions"), *done_blocks(done)]


def render_refusal(reason: str) -> str:
    """`not_allowed`, or an officer-action refusal (already Dutch)."""
    return render("slack_refused", {"reason": reason}).strip()


def case_card_values(view: Mapping[str, Any]) -> dict[str, Any]:
    """`bot.dossier.case_view` output to the card's template context (open letters only)."""
    letters = [x for x in view["letters"] if x["state"] != "closed"]
    return {"municipality": escape(view["municipality"]["name"]), "code": view["municipality"]["code"],
            "step": view["step"], "letters": letters, "article8": len(view.get("article8") or []),
            "assigned": mention(view.get("assigned_officer"))}


def render_case_card(view: Mapping[str, Any], *, buttons: bool = True) -> tuple[str, list[Block]]:
    """The case's parent message (and the /ibt answer): trede, open letters and their state, officer."""
    text = render("slack_case_card", case_card_values(view)).strip()
    blocks: list[Block] = [{"type": "section", "text": _text(text)}]
    code = view["municipality"]["code"]
    if buttons:
        blocks.append({"type": "actions", "block_id": "ibt_case", "elements": [
            button(LABELS["assign_me"], ASSIGN, {"case": code}),
            button(LABELS["escalate"], ESCALATE, {"case": code})]})
    return text.split("\n", 1)[0], blocks


def render_overdue(letters: Sequence[Mapping[str, Any]]) -> tuple[str, list[Block]]:
    text = render("slack_overdue", {"letters": letters}).strip()
    return text.split("\n", 1)[0], _sections(text)


def render_help(target: str | None = None) -> str:
    return render("slack_help", {"target": escape(target) if target else None}).strip()


def render_home(values: Mapping[str, Any]) -> Block:
    """The App Home tab: counts per trede, triage waiting, overdue letters, mailbox health."""
    text = render("slack_home", dict(values))
    blocks: list[Block] = []
    for part in text.split("---\n"):
        if blocks:
            blocks.append({"type": "divider"})
        blocks.append({"type": "section", "text": _text(part.strip())})
    return {"type": "home", "blocks": blocks}


def _modal(callback_id: str, title: str, intro: str, inputs: list[Block], metadata: Mapping[str, Any]) -> Block:
    return {"type": "modal", "callback_id": callback_id, "title": _plain(title[:24]),
            "submit": _plain(LABELS["submit"]), "close": _plain(LABELS["cancel"]),
            "private_metadata": json.dumps(dict(metadata), separators=(",", ":")),
            "blocks": [{"type": "section", "text": _text(intro)}, *inputs]}


def escalate_modal(municipality: str, step: int, metadata: Mapping[str, Any]) -> Block:
    """Escalation is a recorded decision: a confirmation dialog with the next trede and a reason."""
    options = [{"text": _plain(f"{n}"), "value": str(n)} for n in range(step + 1, 7)]
    intro = render("slack_escalate_modal", {"municipality": escape(municipality), "step": step}).strip()
    inputs: list[Block] = [
        {"type": "input", "block_id": "to_step", "label": _plain(LABELS["to_step"]),
         "element": {"type": "static_select", "action_id": "value", "options": options,
                     **({"initial_option": options[0]} if options else {})}},
        {"type": "input", "block_id": "reason", "label": _plain(LABELS["reason"]),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 1000}},
    ]
    return _modal(ESCALATE_VIEW, LABELS["escalate_title"], intro, inputs, metadata)


def extension_modal(municipality: str, reference: str, deadline: str, metadata: Mapping[str, Any]) -> Block:
    intro = render("slack_extension_modal", {"municipality": escape(municipality), "reference": reference,
                                             "deadline": deadline}).strip()
    inputs: list[Block] = [{"type": "input", "block_id": "deadline", "label": _plain(LABELS["new_deadline"]),
                            "element": {"type": "datepicker", "action_id": "value", "initial_date": deadline}}]
    return _modal(EXTENSION_VIEW, LABELS["extension_title"], intro, inputs, metadata)


def triage_modal(metadata: Mapping[str, Any], reference: str | None = None) -> Block:
    """Choose another municipality (searched over all 342) and, optionally, the letter."""
    ref_input: Block = {"type": "plain_text_input", "action_id": "value", "max_length": 20}
    if reference:
        ref_input["initial_value"] = reference
    inputs: list[Block] = [
        {"type": "input", "block_id": "municipality", "label": _plain(LABELS["municipality"]),
         "element": {"type": "external_select", "action_id": PICK_MUNICIPALITY, "min_query_length": 2,
                     "placeholder": _plain(LABELS["search"])}},
        {"type": "input", "block_id": "reference", "optional": True, "label": _plain(LABELS["reference"]),
         "element": ref_input},
    ]
    return _modal(TRIAGE_VIEW, LABELS["triage_title"], render("slack_triage_modal", {}).strip(), inputs, metadata)


def municipality_options(matches: Sequence[tuple[str, str]]) -> list[Block]:
    """(code, name) pairs as external_select options (Slack allows 100)."""
    return [{"text": _plain(f"{name} ({code})"), "value": code} for code, name in matches[:100]]

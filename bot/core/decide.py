"""Decide what an inbound mail does to a case: pure, values in, a `Decision` out.

First version for the walking skeleton; issue [3/7] replaces it with the full transition table.
Rules that already hold: an automatic mail never answers a letter; unsure readings only raise triage;
nothing escalates on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.effects import Decision, HistoryNote, PostAlert, SetLetterState
from parsers.model import Kind, Reading

# Letter states from which a reply or extension request moves the letter on.
OPEN_STATES = frozenset({"awaiting_reply", "overdue", "reminded", "escalation_due"})

# What each kind does to an open letter it answers (None: the letter is left as it is).
KIND_TO_LETTER_STATE: dict[Kind, str | None] = {
    Kind.REPLY: "answered",  # an officer still assesses whether the answer suffices
    Kind.EXTENSION_REQUEST: "extension_requested",  # waits for an officer to grant or refuse
    Kind.BOUNCE: "paused_bounced",  # the municipality may never have had the letter: stop the clock
    Kind.ARTICLE8: None,  # recorded on the case, raised as urgent; the letter stays open
    Kind.QUESTION: None,
    Kind.AUTO_REPLY: None,  # never counts as an answer
    Kind.OTHER: None,
    Kind.UNREADABLE: None,
}

# Kinds that need an officer's eyes even when the reading is certain.
ALERT_KINDS = frozenset({Kind.REPLY, Kind.EXTENSION_REQUEST, Kind.QUESTION, Kind.ARTICLE8, Kind.BOUNCE})


@dataclass(frozen=True)
class LetterView:
    reference: str
    municipality_code: str
    state: str
    deadline: date


def decide_inbound(reading: Reading, letter: LetterView | None, mail_key: str) -> Decision:
    """The effects of one read mail on its letter and case. `mail_key` identifies the mail (content hash)."""
    evidence = tuple(str(e) for e in reading.evidence)
    muni = reading.primary_municipality
    ref = reading.reference.value if reading.reference else None
    received = HistoryNote(event=f"mail_received:{reading.kind.value}", detail=reading.subject[:200],
                           letter_reference=ref, evidence=evidence)
    alert_ctx = {
        "kind": reading.kind.value,
        "municipalities": [m.name for m in reading.municipalities],
        "reference": ref,
        "subject": reading.subject,
        "sender": reading.sender,
        "facts": _facts(reading),
        "excerpt": _excerpt(reading.new_text),
        "attachments": [a.filename for a in reading.attachments],
        "evidence": list(evidence),
        "deadline": letter.deadline.isoformat() if letter else None,
    }
    if reading.needs_triage:
        if reading.kind in (Kind.AUTO_REPLY, Kind.OTHER) and not reading.municipalities:
            return Decision(history=(received,))
        return Decision(history=(received,),
                        alerts=(PostAlert(f"triage:{mail_key}", "alert_triage", alert_ctx),))
    updates: tuple[SetLetterState, ...] = ()
    history = [received]
    target = KIND_TO_LETTER_STATE.get(reading.kind)
    if letter is not None and target and letter.state in OPEN_STATES:
        updates = (SetLetterState(letter.reference, target),)
        history.append(HistoryNote(event="letter_state", letter_reference=letter.reference,
                                   old_state=letter.state, new_state=target, evidence=evidence))
    alerts: tuple[PostAlert, ...] = ()
    if reading.kind in ALERT_KINDS and muni is not None:
        alerts = (PostAlert(f"inbound:{mail_key}", "alert_inbound", alert_ctx,
                            urgent=reading.kind is Kind.ARTICLE8),)
    return Decision(letter_updates=updates, history=tuple(history), alerts=alerts)


def decide_unreadable(reason: str, subject: str, sender: str, mail_key: str) -> Decision:
    """A mail that could not be read: quarantined by the shell, alerted once."""
    ctx = {"reason": reason, "subject": subject, "sender": sender, "mail_key": mail_key[:12]}
    return Decision(history=(HistoryNote(event="mail_quarantined", detail=reason),),
                    alerts=(PostAlert(f"quarantine:{mail_key}", "alert_quarantine", ctx),))


def _facts(reading: Reading) -> dict[str, object]:
    f = reading.facts
    return {k: v for k, v in (("realised", f.realised), ("planned", f.planned),
                              ("expected_date", f.expected_date.isoformat() if f.expected_date else None),
                              ("location_lost", f.location_lost)) if v is not None}


def _excerpt(text: str, lines: int = 4) -> str:
    kept = [ln.strip() for ln in text.splitlines() if ln.strip()][:lines]
    return "\n".join(kept)[:500]

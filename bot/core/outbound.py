"""Rules for the bot's own mail: pure, values in, values out.

Who may be written to (never an automatic sender, a bounce, a no-reply/postmaster/mailer-daemon
address or an address that bounced), how many a municipality gets per day, and the identifiers that
let a municipality's reply thread back to its case (reference in the subject, registered Message-ID).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

# Mail kinds we never answer: answering them starts mail loops or talks to machines.
NEVER_ANSWER_KINDS = frozenset({"auto_reply", "bounce"})

_TAG = re.compile(r"\[Kenmerk\s+(\d{7})\]", re.IGNORECASE)


@dataclass(frozen=True)
class SendMail:
    """A mail the bot should send. `key` makes it idempotent (the outbox key; also seeds the Message-ID)."""

    key: str
    to: str
    subject: str
    template: str  # replies/templates/<template>.txt.j2
    context: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None  # the letter's reference: tagged into the subject
    municipality_code: str | None = None  # for the daily limit
    in_reply_to: str | None = None  # Message-ID of the mail this answers
    answers_kind: str | None = None  # kind of the mail this answers (auto_reply/bounce are refused)

    def as_payload(self) -> dict[str, Any]:
        return {"to": self.to, "subject": self.subject, "template": self.template, "context": self.context,
                "reference": self.reference, "municipality_code": self.municipality_code,
                "in_reply_to": self.in_reply_to, "answers_kind": self.answers_kind}

    @classmethod
    def from_payload(cls, key: str, p: dict[str, Any]) -> SendMail:
        return cls(key=key, to=p["to"], subject=p["subject"], template=p["template"], context=dict(p["context"]),
                   reference=p.get("reference"), municipality_code=p.get("municipality_code"),
                   in_reply_to=p.get("in_reply_to"), answers_kind=p.get("answers_kind"))


def subject_with_reference(subject: str, reference: str | None) -> str:
    """`Herinnering informatieverzoek [Kenmerk 7468089]`; an existing tag is kept, never doubled."""
    if not reference or _TAG.search(subject):
        return subject
    return f"{subject} [Kenmerk {reference}]"


def message_id_for(key: str, domain: str) -> str:
    """A Message-ID derived from the outbox key: a retry of the same effect sends the same id."""
    return f"<ibt.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def refuse_reason(mail: SendMail, blocked_local_parts: tuple[str, ...], bounced: frozenset[str]) -> str | None:
    """Why this mail must never be sent, or None. Checked at delivery, when the latest bounces are known."""
    to = mail.to.strip().lower()
    local, at, domain = to.rpartition("@")
    if not at or not local or not domain or any(c in to for c in " ,;<>\r\n"):
        return f"refused: not a single mail address: {mail.to!r}"
    if mail.answers_kind in NEVER_ANSWER_KINDS:
        return f"refused: never answer a mail of kind {mail.answers_kind}"
    if any(local == b or local.startswith((f"{b}-", f"{b}+", f"{b}.", f"{b}_")) for b in blocked_local_parts):
        return f"refused: {to} is an address nobody reads ({local})"
    if to in bounced:
        return f"refused: mail to {to} bounced before"
    return None


def within_daily_limit(sent_today: int, limit: int) -> bool:
    return sent_today < limit

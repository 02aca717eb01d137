"""What a decision asks the shell to do: plain values, applied by the store in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.core.outbound import SendMail


@dataclass(frozen=True)
class HistoryNote:
    """One append-only history entry to write."""

    event: str
    detail: str = ""
    letter_reference: str | None = None
    old_state: str | None = None
    new_state: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterChange:
    """The letter's fields after the event (only the ones the lifecycle owns)."""

    reference: str
    state: str
    deadline: date
    term: int
    snoozed_until: date | None
    address_bounced: bool


@dataclass(frozen=True)
class RecordArticle8:
    places_lost: int | None
    reason: str
    notified_on: date


@dataclass(frozen=True)
class PostAlert:
    """An alert for officers. `key` makes it idempotent: the same key is never posted twice."""

    key: str
    template: str  # a template in replies/templates, without the .txt.j2
    context: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False


@dataclass(frozen=True)
class Decision:
    event_key: str | None = None  # written on every history entry; a key seen before means "already applied"
    letter_changes: tuple[LetterChange, ...] = ()
    new_step: int | None = None  # the case's trede after an officer's escalation
    article8: RecordArticle8 | None = None
    history: tuple[HistoryNote, ...] = ()
    alerts: tuple[PostAlert, ...] = ()
    mails: tuple[SendMail, ...] = ()  # the bot's own mail (receipts), through the outbox
    refused: str | None = None  # Dutch, for the officer: nothing was changed

"""What a decision asks the shell to do: plain values, applied by `bot.intake` in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
class SetLetterState:
    reference: str
    new_state: str


@dataclass(frozen=True)
class PostAlert:
    """An alert for officers. `key` makes it idempotent: the same key is never posted twice."""

    key: str
    template: str  # a template in replies/templates, without the .txt.j2
    context: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False


@dataclass(frozen=True)
class Decision:
    letter_updates: tuple[SetLetterState, ...] = ()
    history: tuple[HistoryNote, ...] = ()
    alerts: tuple[PostAlert, ...] = ()

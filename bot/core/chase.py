"""The daily chase: which letters slipped their term, which get a reminder, which are due for escalation.

Pure: it receives the open letters, today's date and the Atw calendar, and returns what is due. The shell
applies each item as a lifecycle event whose key makes it happen once, so running the chase twice, late,
or after an outage does the right thing exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.core.calendar import AtwCalendar
from bot.core.lifecycle import Event, EventIn, LetterSnapshot, LetterState


@dataclass(frozen=True)
class ChasePolicy:
    reminder_days: int = 7  # the reminder's new term, in calendar days, moved past weekends and Atw days
    send_reminders: bool = True  # False: only alert officers that a term slipped


@dataclass(frozen=True)
class LetterDue:
    """One letter as the chase sees it."""

    letter: LetterSnapshot
    municipality_code: str
    municipality_name: str
    sent_on: date
    kind: str
    to_address: str
    back_on: date | None = None  # an out-of-office reply said the addressee is back on this day
    requested: str | None = None  # key of an officer's "send a reminder now" request, if any
    requested_by: str | None = None


class ChaseKind(StrEnum):
    DEADLINE_SLIPPED = "deadline_slipped"
    REMINDER = "reminder"
    ESCALATION_DUE = "escalation_due"


@dataclass(frozen=True)
class ChaseItem:
    kind: ChaseKind
    due: LetterDue
    event: EventIn
    new_deadline: date | None = None


def due_chase(letters: list[LetterDue], today: date, calendar: AtwCalendar, policy: ChasePolicy) -> list[ChaseItem]:
    """What the chase does today. Nothing on a Saturday, Sunday or Atw day: reminders go out on working days."""
    if not calendar.is_working_day(today):
        return []
    items: list[ChaseItem] = []
    for due in letters:
        items.extend(_due_for_letter(due, today, calendar, policy))
    return items


def _due_for_letter(due: LetterDue, today: date, calendar: AtwCalendar, policy: ChasePolicy) -> list[ChaseItem]:
    x = due.letter
    if x.snoozed_until is not None and today <= x.snoozed_until:
        return []  # an officer held the chase
    if due.requested and x.state in (LetterState.AWAITING_REPLY, LetterState.OVERDUE, LetterState.REMINDED):
        # an officer asked for a reminder now: one per request, whatever the term
        new_deadline = calendar.deadline(today, policy.reminder_days)
        ev = EventIn(f"reminder:{x.reference}:requested:{due.requested}", Event.REMINDER_SENT, "bot", x.reference,
                     new_deadline=new_deadline)
        return [ChaseItem(ChaseKind.REMINDER, due, ev, new_deadline)]
    if today <= x.deadline:
        return []  # the term still runs (the deadline day itself counts)
    items: list[ChaseItem] = []
    state = x.state
    # the term is tied to the deadline it concerns, so a new deadline (extension) can slip again
    slipped_key = f"deadline_passed:{x.reference}:{x.deadline.isoformat()}"
    if state is LetterState.AWAITING_REPLY:
        items.append(ChaseItem(ChaseKind.DEADLINE_SLIPPED, due,
                               EventIn(slipped_key, Event.DEADLINE_PASSED, "bot", x.reference)))
        state = LetterState.OVERDUE
    elif state is LetterState.REMINDED:
        items.append(ChaseItem(ChaseKind.ESCALATION_DUE, due,
                               EventIn(slipped_key, Event.DEADLINE_PASSED, "bot", x.reference)))
        return items
    if state is LetterState.OVERDUE and policy.send_reminders and x.term == 1:
        if due.back_on is not None and today < due.back_on:
            return items  # the addressee is away: the reminder waits for the day they are back
        new_deadline = calendar.deadline(today, policy.reminder_days)
        key = f"reminder:{x.reference}:{x.deadline.isoformat()}:{x.term}"
        items.append(ChaseItem(ChaseKind.REMINDER, due,
                               EventIn(key, Event.REMINDER_SENT, "bot", x.reference, new_deadline=new_deadline),
                               new_deadline))
    return items

"""The letter lifecycle as one explicit transition table, and `apply_event`, the pure step that uses it.

A letter (brief) waits for the municipality's answer; mails, the clock and officers move it on. The table
below is the whole truth: (state, event) → (new state, alert, why). What is not in the table leaves the
state as it is. Escalating on the interventieladder is always an officer's event; the clock can only make
an escalation *due*.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum


class LetterState(StrEnum):
    AWAITING_REPLY = "awaiting_reply"
    ANSWERED = "answered"  # an answer came; an officer assesses it
    EXTENSION_REQUESTED = "extension_requested"  # waits for an officer to grant or refuse
    OVERDUE = "overdue"  # the term passed without an answer
    REMINDED = "reminded"  # a reminder (rappel) gave a second term
    ESCALATION_DUE = "escalation_due"  # the second term passed, or the answer was insufficient
    PAUSED_BOUNCED = "paused_bounced"  # our letter bounced: the clock stops until an officer resumes it
    CLOSED = "closed"


class Event(StrEnum):
    # inbound mail, by kind (the same names as parsers.model.Kind)
    REPLY = "reply"
    ARTICLE8 = "article8"
    EXTENSION_REQUEST = "extension_request"
    QUESTION = "question"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    OTHER = "other"
    # the clock
    DEADLINE_PASSED = "deadline_passed"
    REMINDER_SENT = "reminder_sent"
    # officers
    MARK_SUFFICIENT = "mark_sufficient"
    MARK_INSUFFICIENT = "mark_insufficient"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    RESUME = "resume"  # after a bounce: the address is fixed and the letter re-sent, with a new term
    ESCALATE = "escalate"  # to trede N, with a reason
    CLOSE = "close"
    SNOOZE = "snooze"  # hold the chase until a date


S, E = LetterState, Event
OPEN = (S.AWAITING_REPLY, S.OVERDUE, S.REMINDED, S.ESCALATION_DUE)
NOT_CLOSED = (*OPEN, S.ANSWERED, S.EXTENSION_REQUESTED, S.PAUSED_BOUNCED)
OFFICER_EVENTS = frozenset({E.MARK_SUFFICIENT, E.MARK_INSUFFICIENT, E.GRANT_EXTENSION, E.REFUSE_EXTENSION,
                            E.RESUME, E.ESCALATE, E.CLOSE, E.SNOOZE})
INBOUND_EVENTS = frozenset({E.REPLY, E.ARTICLE8, E.EXTENSION_REQUEST, E.QUESTION, E.AUTO_REPLY, E.BOUNCE, E.OTHER})


@dataclass(frozen=True)
class Rule:
    to: LetterState | None  # None: the state stays as it is
    alert: str | None  # the alert template to raise, if any
    why: str


# (from states, event, to, alert, why). Order does not matter: each (state, event) pair appears once
# (a test checks this). Officer events not listed for a state are refused with a Dutch explanation.
ROWS: tuple[tuple[tuple[LetterState, ...], Event, LetterState | None, str | None, str], ...] = (
    # -- mail from the municipality ----------------------------------------------------------------------
    ((*OPEN, S.EXTENSION_REQUESTED, S.PAUSED_BOUNCED), E.REPLY, S.ANSWERED, "alert_inbound",
     "a substantive answer arrived; an officer assesses whether it suffices"),
    ((S.ANSWERED,), E.REPLY, None, "alert_inbound", "a further answer on an answered letter"),
    ((S.CLOSED,), E.REPLY, None, "alert_closed_letter", "mail on a closed letter is kept and raised"),
    ((*OPEN, S.PAUSED_BOUNCED), E.EXTENSION_REQUEST, S.EXTENSION_REQUESTED, "alert_inbound",
     "a request for more time waits for an officer; the chase holds meanwhile"),
    ((S.EXTENSION_REQUESTED, S.ANSWERED), E.EXTENSION_REQUEST, None, "alert_inbound",
     "another request for more time"),
    ((S.CLOSED,), E.EXTENSION_REQUEST, None, "alert_closed_letter", "mail on a closed letter is kept and raised"),
    ((*OPEN, S.EXTENSION_REQUESTED), E.BOUNCE, S.PAUSED_BOUNCED, "alert_inbound",
     "our letter bounced: the municipality may never have had it, so the clock stops"),
    ((S.ANSWERED, S.PAUSED_BOUNCED, S.CLOSED), E.BOUNCE, None, "alert_inbound",
     "a bounce after the letter was answered or paused: the address is flagged"),
    (NOT_CLOSED, E.QUESTION, None, "alert_inbound", "a question never answers a letter; an officer replies"),
    ((S.CLOSED,), E.QUESTION, None, "alert_closed_letter", "mail on a closed letter is kept and raised"),
    ((*NOT_CLOSED, S.CLOSED), E.ARTICLE8, None, "alert_inbound",
     "an artikel 8 notification is recorded on the case and raised as urgent; the letter stays as it is"),
    ((*NOT_CLOSED, S.CLOSED), E.AUTO_REPLY, None, None, "an auto-reply or read receipt never answers a letter"),
    ((*NOT_CLOSED, S.CLOSED), E.OTHER, None, None, "unrelated mail changes nothing"),
    # -- the clock ---------------------------------------------------------------------------------------
    ((S.AWAITING_REPLY,), E.DEADLINE_PASSED, S.OVERDUE, "alert_deadline_slipped",
     "the term passed without an answer"),
    ((S.REMINDED,), E.DEADLINE_PASSED, S.ESCALATION_DUE, "alert_escalation_due",
     "the second term after the reminder passed too: an officer decides on the next trede"),
    ((S.OVERDUE,), E.REMINDER_SENT, S.REMINDED, "alert_reminder_sent", "a reminder gave a new term"),
    ((S.AWAITING_REPLY, S.REMINDED), E.REMINDER_SENT, S.REMINDED, "alert_reminder_sent",
     "an officer asked for a reminder now: it gives a new term"),
    # -- officers ----------------------------------------------------------------------------------------
    ((S.ANSWERED,), E.MARK_SUFFICIENT, S.CLOSED, None, "an officer judged the answer sufficient"),
    ((S.ANSWERED,), E.MARK_INSUFFICIENT, S.ESCALATION_DUE, "alert_escalation_due",
     "an officer judged the answer insufficient"),
    ((*OPEN, S.EXTENSION_REQUESTED), E.GRANT_EXTENSION, S.AWAITING_REPLY, None,
     "an officer granted more time: a new deadline"),
    ((S.EXTENSION_REQUESTED,), E.REFUSE_EXTENSION, S.AWAITING_REPLY, None,
     "an officer refused more time: the original deadline stands and the chase resumes"),
    ((S.PAUSED_BOUNCED,), E.RESUME, S.AWAITING_REPLY, None, "the letter reached the municipality: a new term runs"),
    (NOT_CLOSED, E.ESCALATE, S.CLOSED, None, "an officer moved the case up the ladder; this letter is done"),
    (NOT_CLOSED, E.CLOSE, S.CLOSED, None, "an officer closed the letter"),
    (NOT_CLOSED, E.SNOOZE, None, None, "an officer held the chase until a date"),
)

TRANSITIONS: dict[tuple[LetterState, Event], Rule] = {
    (state, event): Rule(to, alert, why) for states, event, to, alert, why in ROWS for state in states
}

# Why an officer event is refused in a state, in Dutch (shown to the officer).
REFUSALS_NL = {
    E.MARK_SUFFICIENT: "Alleen een beantwoorde brief kan voldoende worden bevonden.",
    E.MARK_INSUFFICIENT: "Alleen een beantwoorde brief kan onvoldoende worden bevonden.",
    E.GRANT_EXTENSION: "Uitstel kan alleen voor een openstaande brief worden verleend.",
    E.REFUSE_EXTENSION: "Er ligt geen uitstelverzoek voor deze brief.",
    E.RESUME: "Alleen een brief die onbestelbaar was, kan worden hervat.",
    E.ESCALATE: "Deze brief is al gesloten.",
    E.CLOSE: "Deze brief is al gesloten.",
    E.SNOOZE: "Deze brief is al gesloten.",
}


@dataclass(frozen=True)
class LetterSnapshot:
    reference: str
    state: LetterState
    deadline: date
    term: int = 1
    snoozed_until: date | None = None
    address_bounced: bool = False


@dataclass(frozen=True)
class CaseSnapshot:
    municipality_code: str
    step: int
    letters: dict[str, LetterSnapshot]
    applied_keys: frozenset[str] = frozenset()  # events already applied (replaying one changes nothing)


@dataclass(frozen=True)
class EventIn:
    key: str  # idempotency key: a mail's content hash, an officer action's id, a clock tick's (letter, date)
    event: Event
    actor: str  # "bot", or the officer
    reference: str | None = None  # the letter; None for a case-level event (artikel 8 without a letter)
    reason: str = ""
    new_deadline: date | None = None  # grant_extension, resume, reminder_sent
    to_step: int | None = None  # escalate
    until: date | None = None  # snooze


@dataclass(frozen=True)
class Step:
    """The result of one event: the new snapshot, what changed, the alert to raise, or why it was refused."""

    case: CaseSnapshot
    letter_before: LetterSnapshot | None = None
    letter_after: LetterSnapshot | None = None
    step_before: int | None = None
    step_after: int | None = None
    alert: str | None = None
    why: str = ""
    refused: str | None = None  # Dutch, for the officer
    replayed: bool = False


def apply_event(case: CaseSnapshot, ev: EventIn) -> Step:
    """Apply one event to a case. Pure; the same event key twice changes nothing the second time."""
    if ev.key in case.applied_keys:
        return Step(case, replayed=True, why="this event was applied before")
    seen = case.applied_keys | {ev.key}
    letter = case.letters.get(ev.reference) if ev.reference else None
    if ev.event in OFFICER_EVENTS and ev.actor == "bot":
        return Step(case, refused="Alleen een medewerker kan deze actie uitvoeren.")
    if ev.event is E.ESCALATE and not (ev.to_step and case.step < ev.to_step <= 6 and ev.reason.strip()):
        return Step(case, refused="Opschalen vraagt een hogere trede (tot en met 6) en een reden.")
    if letter is None:
        if ev.event is E.ESCALATE:  # a case can move up the ladder without an open letter
            return Step(replace(case, step=ev.to_step or case.step, applied_keys=seen),
                        step_before=case.step, step_after=ev.to_step, why="an officer moved the case up the ladder")
        if ev.event in OFFICER_EVENTS:
            return Step(case, refused="Geen brief gevonden bij dit kenmerk.")
        raised = {E.REPLY, E.EXTENSION_REQUEST, E.QUESTION, E.ARTICLE8, E.BOUNCE}
        alert = "alert_inbound" if ev.event in raised else None
        return Step(replace(case, applied_keys=seen), alert=alert, why="mail without a registered letter is kept")
    rule = TRANSITIONS.get((letter.state, ev.event))
    if rule is None:
        if ev.event in OFFICER_EVENTS:
            return Step(case, letter, letter, refused=REFUSALS_NL[ev.event])
        return Step(replace(case, applied_keys=seen), letter, letter, why="no change in this state")
    if ev.event in {E.GRANT_EXTENSION, E.RESUME} and not ev.new_deadline:
        return Step(case, letter, letter, refused="Geef een nieuwe termijn (datum) op.")
    if ev.event is E.SNOOZE and not ev.until:
        return Step(case, letter, letter, refused="Geef op tot wanneer het rappel moet wachten.")
    after = replace(letter, state=rule.to or letter.state)
    if ev.event in {E.GRANT_EXTENSION, E.RESUME, E.REMINDER_SENT} and ev.new_deadline:
        after = replace(after, deadline=ev.new_deadline, snoozed_until=None)
    if ev.event is E.REMINDER_SENT:
        after = replace(after, term=letter.term + 1)
    if ev.event is E.SNOOZE:
        after = replace(after, snoozed_until=ev.until)
    if ev.event is E.BOUNCE:
        after = replace(after, address_bounced=True)
    new_step = ev.to_step if ev.event is E.ESCALATE and ev.to_step else case.step
    new_case = replace(case, step=new_step, letters={**case.letters, letter.reference: after}, applied_keys=seen)
    return Step(new_case, letter, after, case.step, new_step, rule.alert, rule.why)

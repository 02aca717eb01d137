"""The transition table, row by row, and the lifecycle's invariants over random event sequences."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.lifecycle import (
    INBOUND_EVENTS,
    OFFICER_EVENTS,
    ROWS,
    TRANSITIONS,
    CaseSnapshot,
    Event,
    EventIn,
    LetterSnapshot,
    LetterState,
    apply_event,
)

REF = "7468089"
DEADLINE = date(2026, 4, 30)


def case_in(state: LetterState, step: int = 2) -> CaseSnapshot:
    return CaseSnapshot("GM0402", step, {REF: LetterSnapshot(REF, state, DEADLINE)})


def event(ev: Event, key: str = "k1", actor: str = "officer:jan") -> EventIn:
    actor = "bot" if ev not in OFFICER_EVENTS else actor
    return EventIn(key=key, event=ev, actor=actor, reference=REF, reason="onvoldoende onderbouwd",
                   new_deadline=date(2026, 5, 21), to_step=3, until=date(2026, 5, 10))


def test_each_state_event_pair_is_listed_once() -> None:
    assert sum(len(states) for states, *_ in ROWS) == len(TRANSITIONS)


@pytest.mark.parametrize(("state", "ev"), sorted(TRANSITIONS, key=str))
def test_every_row_of_the_table(state: LetterState, ev: Event) -> None:
    rule = TRANSITIONS[(state, ev)]
    step = apply_event(case_in(state), event(ev))
    assert step.refused is None
    assert step.letter_after is not None
    assert step.letter_after.state == (rule.to or state)
    assert step.alert == rule.alert
    assert step.why == rule.why
    if ev is Event.ESCALATE:
        assert step.case.step == 3
    else:
        assert step.case.step == 2
    if ev in (Event.GRANT_EXTENSION, Event.RESUME, Event.REMINDER_SENT):
        assert step.letter_after.deadline == date(2026, 5, 21)
    if ev is Event.SNOOZE:
        assert step.letter_after.snoozed_until == date(2026, 5, 10)


UNLISTED = [(s, e) for s in LetterState for e in Event if (s, e) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "ev"), UNLISTED)
def test_pairs_not_in_the_table_change_nothing(state: LetterState, ev: Event) -> None:
    step = apply_event(case_in(state), event(ev))
    assert step.letter_after is None or step.letter_after.state == state
    if ev in OFFICER_EVENTS:
        assert step.refused  # the officer is told why, in Dutch
        assert step.case == case_in(state)


def test_officer_events_from_the_bot_are_refused() -> None:
    step = apply_event(case_in(LetterState.ANSWERED), EventIn("k", Event.MARK_SUFFICIENT, "bot", REF))
    assert step.refused and step.case.letters[REF].state is LetterState.ANSWERED


def test_escalation_needs_a_higher_step_and_a_reason() -> None:
    base = case_in(LetterState.ESCALATION_DUE)
    assert apply_event(base, EventIn("k", Event.ESCALATE, "jan", REF, reason="", to_step=3)).refused
    assert apply_event(base, EventIn("k", Event.ESCALATE, "jan", REF, reason="x", to_step=2)).refused
    assert apply_event(base, EventIn("k", Event.ESCALATE, "jan", REF, reason="x", to_step=7)).refused
    assert apply_event(base, EventIn("k", Event.ESCALATE, "jan", REF, reason="x", to_step=3)).case.step == 3


def test_a_grant_needs_a_date() -> None:
    step = apply_event(case_in(LetterState.EXTENSION_REQUESTED), EventIn("k", Event.GRANT_EXTENSION, "jan", REF))
    assert step.refused


def test_mail_without_a_letter_is_kept_and_raised() -> None:
    step = apply_event(CaseSnapshot("GM0402", 2, {}), EventIn("k", Event.ARTICLE8, "bot", None))
    assert step.alert == "alert_inbound" and "k" in step.case.applied_keys


events = st.sampled_from(list(Event))
keys = st.sampled_from([f"k{i}" for i in range(6)])
actors = st.sampled_from(["bot", "officer:jan"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(events, keys, actors), max_size=25), st.sampled_from(list(LetterState)))
def test_invariants_over_random_event_sequences(seq: list[tuple[Event, str, str]], start: LetterState) -> None:
    case = case_in(start)
    for ev, key, actor in seq:
        before = case
        e = EventIn(key=key, event=ev, actor=actor, reference=REF, reason="r", new_deadline=date(2026, 6, 1),
                    to_step=min(before.step + 1, 6), until=date(2026, 6, 1))
        step = apply_event(before, e)
        after_state = step.case.letters[REF].state
        # an auto-reply or bounce never answers a letter
        if ev in (Event.AUTO_REPLY, Event.BOUNCE):
            assert after_state == before.letters[REF].state or after_state is LetterState.PAUSED_BOUNCED
        # the trede never changes without an officer's escalation
        if step.case.step != before.step:
            assert ev is Event.ESCALATE and actor != "bot" and step.case.step > before.step
        # applied events are remembered ("history only grows") and replaying one changes nothing
        assert before.applied_keys <= step.case.applied_keys
        assert apply_event(step.case, e).case == step.case if key in step.case.applied_keys else True
        if key in before.applied_keys:
            assert step.case == before
        # only officers (not mails, not the clock) close or re-open a letter
        if after_state is LetterState.CLOSED and before.letters[REF].state is not LetterState.CLOSED:
            assert ev in OFFICER_EVENTS and actor != "bot"
        if ev in INBOUND_EVENTS:
            assert after_state is not LetterState.CLOSED or before.letters[REF].state is LetterState.CLOSED
        case = step.case

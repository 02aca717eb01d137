"""Decide what an event does to a case: pure, values in, a `Decision` out.

Inbound mails are turned into lifecycle events (`bot.core.lifecycle`); unsure readings only raise triage;
an artikel 8 notification is recorded on the case whether or not a letter is open.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.core.effects import Decision, HistoryNote, LetterChange, PostAlert, RecordArticle8
from bot.core.lifecycle import OPEN, CaseSnapshot, Event, EventIn, LetterState, Step, apply_event
from bot.core.outbound import SendMail
from parsers.model import Kind, Reading
from replies.render import render_subject

# Kinds that may be linked to the case's only open letter when the mail names no reference.
LINK_TO_ONLY_OPEN_LETTER = frozenset({Kind.REPLY, Kind.EXTENSION_REQUEST})


def alert_context(reading: Reading, deadline: date | None = None) -> dict[str, object]:
    ref = reading.reference.value if reading.reference else None
    return {
        "kind": reading.kind.value,
        "municipalities": [m.name for m in reading.municipalities],
        "reference": ref,
        "subject": reading.subject,
        "sender": reading.sender,
        "facts": facts_dict(reading),
        "excerpt": _excerpt(reading.new_text),
        "attachments": [a.filename for a in reading.attachments],
        "evidence": [str(e) for e in reading.evidence],
        "deadline": deadline.isoformat() if deadline else None,
        "kind_scores": dict(reading.kind_scores),
        "kind_candidates": [k.value for k in reading.kind_candidates],
        "possible_article8": reading.possible_article8,
        "possible_phishing": reading.possible_phishing,
    }


def target_letter(reading: Reading, case: CaseSnapshot) -> tuple[str | None, str]:
    """Which of the case's letters a mail concerns, and why."""
    if reading.reference and reading.reference.value in case.letters:
        return reading.reference.value, f"reference {reading.reference.value} in the mail"
    open_refs = [r for r, x in case.letters.items() if x.state in (*OPEN, LetterState.EXTENSION_REQUESTED)]
    if reading.reference is None and reading.kind in LINK_TO_ONLY_OPEN_LETTER and len(open_refs) == 1:
        return open_refs[0], f"no reference written; {open_refs[0]} is the municipality's only open letter"
    return None, "no letter of this municipality named"


# Kinds that get an acknowledgement of receipt when that is enabled: a person wrote to us about their case.
RECEIPT_KINDS = frozenset({Kind.REPLY, Kind.EXTENSION_REQUEST, Kind.QUESTION, Kind.ARTICLE8})


def decide_inbound(reading: Reading, case: CaseSnapshot | None, mail_key: str, received_on: date,
                   acknowledge: bool = False) -> Decision:
    """The effects of one read mail. `case` is the primary municipality's case (None when triage is needed);
    with `acknowledge`, a confident mail from a person gets a receipt (never an automatic one)."""
    evidence = tuple(str(e) for e in reading.evidence)
    received = HistoryNote(event=f"mail_received:{reading.kind.value}", detail=reading.subject[:200],
                           letter_reference=reading.reference.value if reading.reference else None,
                           evidence=evidence)
    if reading.possible_phishing:  # never matched to a municipality; officers see it once, marked as such
        alert = PostAlert(f"triage:{mail_key}", "alert_triage", alert_context(reading))
        return Decision(event_key=mail_key, history=(received,), alerts=(alert,))
    if reading.needs_triage or case is None:
        if reading.kind in (Kind.AUTO_REPLY, Kind.OTHER) and not reading.municipalities:
            return Decision(event_key=mail_key, history=(received,))
        # a possible artikel 8 notice is raised urgently even when the bot is unsure: a missed one costs most
        urgent = reading.kind is Kind.ARTICLE8 or reading.possible_article8
        alert = PostAlert(f"triage:{mail_key}", "alert_triage", alert_context(reading), urgent=urgent)
        return Decision(event_key=mail_key, history=(received,), alerts=(alert,))
    reference, why_letter = target_letter(reading, case)
    step = apply_event(case, EventIn(key=mail_key, event=Event(reading.kind.value), actor="bot",
                                     reference=reference))
    if step.replayed:
        return Decision()
    history = [HistoryNote(event=received.event, detail=received.detail, letter_reference=reference,
                           evidence=(*evidence, f"letter: {why_letter}"))]
    decision = _from_step(step, mail_key, history, alert_context(reading, step.letter_before.deadline
                                                                 if step.letter_before else None))
    if reading.kind is Kind.ARTICLE8:
        decision = Decision(
            event_key=decision.event_key, letter_changes=decision.letter_changes, history=decision.history,
            alerts=tuple(PostAlert(a.key, a.template, a.context, urgent=True) for a in decision.alerts),
            article8=RecordArticle8(reading.facts.location_lost, reading.subject[:200], received_on))
    if acknowledge and reading.kind in RECEIPT_KINDS and reading.sender:
        ctx = {"subject": reading.subject, "received": received_on.isoformat()}
        receipt = SendMail(key=f"receipt:{mail_key}", to=reading.sender, subject=render_subject("mail_receipt", ctx),
                           template="mail_receipt", reference=reference, municipality_code=case.municipality_code,
                           in_reply_to=reading.message_id or None, answers_kind=reading.kind.value,
                           context=ctx)
        decision = replace(decision, mails=(receipt,))
    return decision


def decide_event(case: CaseSnapshot, ev: EventIn, context: dict[str, object] | None = None) -> Decision:
    """An officer's or the clock's event on a case."""
    step = apply_event(case, ev)
    if step.refused:
        return Decision(refused=step.refused)
    if step.replayed:
        return Decision()
    note = HistoryNote(event=ev.event.value, detail=ev.reason, letter_reference=ev.reference)
    ctx = {"reference": ev.reference, "actor": ev.actor, "reason": ev.reason, **(context or {})}
    return _from_step(step, ev.key, [note], ctx)


def _from_step(step: Step, key: str, history: list[HistoryNote], ctx: dict[str, object]) -> Decision:
    changes: tuple[LetterChange, ...] = ()
    before, after = step.letter_before, step.letter_after
    if before and after and after != before:
        changes = (LetterChange(after.reference, after.state.value, after.deadline, after.term,
                                after.snoozed_until, after.address_bounced),)
        if after.state != before.state:
            history.append(HistoryNote(event="letter_state", letter_reference=after.reference,
                                       old_state=before.state.value, new_state=after.state.value, detail=step.why))
        if after.deadline != before.deadline:
            history.append(HistoryNote(event="deadline_changed", letter_reference=after.reference,
                                       old_state=before.deadline.isoformat(), new_state=after.deadline.isoformat()))
    new_step = None
    if step.step_after is not None and step.step_after != step.step_before:
        new_step = step.step_after
        history.append(HistoryNote(event="step_changed", old_state=str(step.step_before),
                                   new_state=str(step.step_after), detail=str(ctx.get("reason", ""))))
    alerts = (PostAlert(f"{step.alert}:{key}", step.alert, ctx),) if step.alert else ()
    return Decision(event_key=key, letter_changes=changes, new_step=new_step, history=tuple(history), alerts=alerts)


def decide_unreadable(reason: str, subject: str, sender: str, mail_key: str) -> Decision:
    """A mail that could not be read: quarantined by the shell, alerted once."""
    ctx = {"reason": reason, "subject": subject, "sender": sender, "mail_key": mail_key[:12]}
    return Decision(event_key=mail_key, history=(HistoryNote(event="mail_quarantined", detail=reason),),
                    alerts=(PostAlert(f"quarantine:{mail_key}", "alert_quarantine", ctx),))


def facts_dict(reading: Reading) -> dict[str, object]:
    f = reading.facts
    return {k: v for k, v in (("realised", f.realised), ("realised_amv", f.realised_amv), ("planned", f.planned),
                              ("planned_amv", f.planned_amv),
                              ("expected_date", f.expected_date.isoformat() if f.expected_date else None),
                              ("location_lost", f.location_lost)) if v is not None}


def _excerpt(text: str, lines: int = 4) -> str:
    kept = [ln.strip() for ln in text.splitlines() if ln.strip()][:lines]
    return "\n".join(kept)[:500]

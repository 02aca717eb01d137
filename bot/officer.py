"""Officer actions on cases, letters and triaged mails: the one code path the CLI and Slack both call.

Each action is an event with an id (Slack's action id, or a fresh one from the CLI): applying the same id
twice changes nothing. Refusals come back in Dutch, for the officer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.bootstrap import App
from bot.core.decide import decide_event, decide_inbound
from bot.core.lifecycle import Event, EventIn
from bot.store import repo
from bot.store.models import CaseRow, HistoryEntryRow, InboundMailRow, LetterRow, MunicipalityRow
from parsers.model import Kind, MunicipalityMatch, Reading, ReferenceMatch

LETTER_ACTIONS = {e.value: e for e in (Event.MARK_SUFFICIENT, Event.MARK_INSUFFICIENT, Event.GRANT_EXTENSION,
                                       Event.REFUSE_EXTENSION, Event.RESUME, Event.CLOSE, Event.SNOOZE)}


@dataclass(frozen=True)
class ActionResult:
    ok: bool
    message: str  # Dutch, for the officer


def find_case(s: Session, app: App, target: str) -> tuple[CaseRow | None, str | None]:
    """A municipality (name, alias, code) or a letter reference to its case, and the reference if one was given."""
    t = target.strip()
    if t.isdigit() and len(t) == 7:
        letter = s.get(LetterRow, t)
        return (s.get(CaseRow, letter.case_id), t) if letter else (None, t)
    m = app.registry.resolve(t)
    if m is None:
        return None, None
    case = s.exec(select(CaseRow).where(CaseRow.municipality_code == m.code).order_by(col(CaseRow.id).desc())).first()
    return case, None


def letter_action(app: App, target: str, action: str, actor: str, *, reference: str | None = None,
                  new_deadline: date | None = None, until: date | None = None, reason: str = "",
                  action_id: str | None = None) -> ActionResult:
    """grant_extension, refuse_extension, mark_sufficient, mark_insufficient, resume, close or snooze a letter."""
    event = LETTER_ACTIONS.get(action)
    if event is None:
        return ActionResult(False, f"Onbekende actie {action!r}.")
    now = app.clock.now()
    with Session(app.engine) as s, s.begin():
        case, ref = find_case(s, app, target)
        ref = reference or ref
        if case is None:
            return ActionResult(False, f"Geen dossier gevonden voor {target!r}.")
        if ref is None:
            open_refs = [x.reference for x in s.exec(select(LetterRow).where(LetterRow.case_id == case.id)).all()
                         if x.state != "closed"]
            if len(open_refs) != 1:
                return ActionResult(False, "Geef het kenmerk van de brief op (er is niet precies één open brief).")
            ref = open_refs[0]
        key = action_id or f"cli:{uuid.uuid4()}"
        ev = EventIn(key=key, event=event, actor=actor, reference=ref, reason=reason, new_deadline=new_deadline,
                     until=until)
        m = s.get(MunicipalityRow, case.municipality_code)
        ctx = {"municipality": m.name if m else case.municipality_code, "step": case.step,
               "reason": reason or "De reactie is als onvoldoende beoordeeld."}
        decision = decide_event(repo.case_snapshot(s, case, key), ev, ctx)
        if decision.refused:
            return ActionResult(False, decision.refused)
        if action == "mark_sufficient":
            _confirm_facts(s, case, ref)
        repo.apply_decision(s, decision, None, case, now, actor=actor)
    return ActionResult(True, f"{action} op brief {ref} vastgelegd door {actor}.")


def escalate(app: App, target: str, to_step: int, actor: str, reason: str, reference: str | None = None,
             action_id: str | None = None) -> ActionResult:
    """Move a case up the interventieladder: always an officer's recorded decision, with a reason."""
    now = app.clock.now()
    with Session(app.engine) as s, s.begin():
        case, ref = find_case(s, app, target)
        if case is None:
            return ActionResult(False, f"Geen dossier gevonden voor {target!r}.")
        ref = reference or ref
        if ref is None:
            due = [x.reference for x in s.exec(select(LetterRow).where(LetterRow.case_id == case.id)).all()
                   if x.state == "escalation_due"]
            ref = due[0] if len(due) == 1 else None
        key = action_id or f"cli:{uuid.uuid4()}"
        ev = EventIn(key=key, event=Event.ESCALATE, actor=actor, reference=ref, reason=reason, to_step=to_step)
        decision = decide_event(repo.case_snapshot(s, case, key), ev)
        if decision.refused:
            return ActionResult(False, decision.refused)
        repo.apply_decision(s, decision, None, case, now, actor=actor)
    return ActionResult(True, f"Dossier opgeschaald naar trede {to_step} door {actor}: {reason}")


def assign(app: App, target: str, officer: str, actor: str) -> ActionResult:
    now = app.clock.now()
    with Session(app.engine) as s, s.begin():
        case, _ = find_case(s, app, target)
        if case is None:
            return ActionResult(False, f"Geen dossier gevonden voor {target!r}.")
        old, case.assigned_officer, case.updated_at = case.assigned_officer, officer, now
        s.add(case)
        s.add(HistoryEntryRow(at=now, case_id=case.id, actor=actor, event="assigned", old_state=old,
                              new_state=officer))
    return ActionResult(True, f"Dossier toegewezen aan {officer}.")


def resolve_triage(app: App, mail_id: int, actor: str, *, municipality: str | None = None,
                   reference: str | None = None, dismiss: bool = False) -> ActionResult:
    """Confirm or correct a triaged mail's municipality (and letter), or dismiss it; the mail is then decided
    as if it had been read that way, with the officer as the source of the match."""
    now = app.clock.now()
    with Session(app.engine) as s, s.begin():
        row = s.get(InboundMailRow, mail_id)
        if row is None or row.triage_state != "open":
            return ActionResult(False, "Dit bericht wacht niet (meer) op beoordeling.")
        if dismiss:
            row.triage_state = "dismissed"
            s.add(row)
            s.add(HistoryEntryRow(at=now, actor=actor, event="triage_dismissed", inbound_mail_id=row.id,
                                  event_key=f"triage:{row.id}"))
            return ActionResult(True, "Bericht terzijde gelegd.")
        m = app.registry.resolve(municipality or "") if municipality else None
        if m is None:
            return ActionResult(False, f"Onbekende gemeente {municipality!r}.")
        letter = s.get(LetterRow, reference) if reference else None
        if reference and (letter is None or letter.municipality_code != m.code):
            return ActionResult(False, f"Kenmerk {reference} hoort niet bij een brief aan {m.name}.")
        stored = row.reading or {}
        reading = Reading(kind=Kind(row.kind or "other"), message_id=row.message_id,
                          subject=str(stored.get("subject", "")), sender=str(stored.get("sender", "")), sent_at=None,
                          municipalities=(MunicipalityMatch(m.code, m.name, 1.0),),
                          reference=ReferenceMatch(reference, reference, 1.0) if reference else None)
        case = repo.ensure_case(s, m.code, now)
        key = f"triage:{row.id}"
        decision = decide_inbound(reading, repo.case_snapshot(s, case, key), key, now.date())
        row.triage_state, row.municipality_code, row.reference = "resolved", m.code, reference
        sender_domain = str(stored.get("sender", "")).rpartition("@")[2]
        if sender_domain and app.registry.by_domain(sender_domain) is None:
            repo.learn_domain(s, sender_domain, m.code, actor, now)
        s.add(row)
        repo.apply_decision(s, decision, row, case, now, actor=actor)
    return ActionResult(True, f"Bericht gekoppeld aan {m.name}{f' (kenmerk {reference})' if reference else ''}.")


def _confirm_facts(s: Session, case: CaseRow, reference: str) -> None:
    """An answer judged sufficient confirms its figures on the case (the latest answering mail's facts)."""
    mail = s.exec(select(InboundMailRow).where(InboundMailRow.reference == reference)
                  .where(InboundMailRow.kind == "reply").order_by(col(InboundMailRow.id).desc())).first()
    facts = (mail.reading or {}).get("facts") if mail else None
    if not isinstance(facts, dict):
        return
    if isinstance(facts.get("realised"), int):
        case.realised = facts["realised"]
    if isinstance(facts.get("planned"), int):
        case.planned = facts["planned"]
    if isinstance(facts.get("expected_date"), str):
        case.expected_date = date.fromisoformat(facts["expected_date"])


# Letter states in which an officer may ask for a reminder now (the term runs or has run out).
REMINDABLE = frozenset({"awaiting_reply", "overdue", "reminded"})


def request_reminder(app: App, target: str, actor: str, reference: str | None = None,
                     action_id: str | None = None) -> ActionResult:
    """Ask the chase to send a reminder (rappel) now. Recorded as a `reminder_requested` history entry on the
    letter; the chase honours a request newer than the letter's last reminder at its next run."""
    now = app.clock.now()
    key = action_id or f"cli:{uuid.uuid4()}"
    with Session(app.engine) as s, s.begin():
        case, ref = find_case(s, app, target)
        if case is None:
            return ActionResult(False, f"Geen dossier gevonden voor {target!r}.")
        letter = s.get(LetterRow, reference or ref) if (reference or ref) else None
        if letter is None or letter.case_id != case.id:
            return ActionResult(False, "Geef het kenmerk van de brief op.")
        if letter.state not in REMINDABLE:
            return ActionResult(False, "Voor deze brief kan nu geen rappel worden gestuurd.")
        ref = letter.reference
        if s.exec(select(HistoryEntryRow.id).where(HistoryEntryRow.event_key == key)).first() is None:
            s.add(HistoryEntryRow(at=now, case_id=case.id, letter_reference=ref, actor=actor,
                                  event="reminder_requested", event_key=key, detail="rappel nu gevraagd"))
    return ActionResult(True, f"Rappel gevraagd voor brief {ref} door {actor}.")

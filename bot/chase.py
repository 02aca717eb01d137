"""The daily chase in the shell: load the open letters, ask `bot.core.chase` what is due, apply it.

Each item is one lifecycle event in its own transaction, with its alert and (for a reminder) its mail in
the outbox. The event key ((letter, deadline) for a slipped term, (letter, deadline, term) for a reminder)
makes a second run, a late run or a run after an outage do nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.bootstrap import App
from bot.core.chase import ChaseItem, ChaseKind, ChasePolicy, LetterDue, due_chase
from bot.core.decide import decide_event
from bot.core.lifecycle import LetterSnapshot, LetterState
from bot.core.outbound import SendMail
from bot.store import repo
from bot.store.models import CaseRow, HistoryEntryRow, InboundMailRow, LetterRow, MunicipalityRow
from replies.render import LETTER_SUBJECTS, render_subject

CHASED_STATES = (LetterState.AWAITING_REPLY.value, LetterState.OVERDUE.value, LetterState.REMINDED.value)


@dataclass
class ChaseReport:
    reminders: list[dict[str, Any]] = field(default_factory=list)
    deadlines_slipped: list[dict[str, Any]] = field(default_factory=list)
    escalations_due: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {"reminders": self.reminders, "deadlines_slipped": self.deadlines_slipped,
                "escalations_due": self.escalations_due}


def load_letters_due(s: Session) -> list[LetterDue]:
    rows = s.exec(select(LetterRow, MunicipalityRow).join(
        MunicipalityRow, col(MunicipalityRow.code) == col(LetterRow.municipality_code))
        .where(col(LetterRow.state).in_(CHASED_STATES))
        .order_by(col(LetterRow.deadline), col(LetterRow.reference))).all()
    back_on = _back_on(s)
    requests = _reminder_requests(s)
    return [LetterDue(LetterSnapshot(x.reference, LetterState(x.state), x.deadline, x.term, x.snoozed_until,
                                     x.address_bounced), m.code, m.name, x.sent_on, x.kind, x.to_address,
                      _latest_after(back_on.get(m.code, []), x.sent_on), *requests.get(x.reference, (None, None)))
            for x, m in rows]


def _reminder_requests(s: Session) -> dict[str, tuple[str, str]]:
    """Per letter: the newest officer's request for a reminder now (its key and who asked)."""
    out: dict[str, tuple[str, str]] = {}
    for h in s.exec(select(HistoryEntryRow).where(HistoryEntryRow.event == "reminder_requested")
                    .order_by(col(HistoryEntryRow.id))).all():
        if h.letter_reference and h.event_key:
            out[h.letter_reference] = (h.event_key, h.actor)
    return out


def _back_on(s: Session) -> dict[str, list[tuple[date, date]]]:
    """Per municipality: (day the out-of-office arrived, day the addressee is back)."""
    out: dict[str, list[tuple[date, date]]] = {}
    for code, received, reading in s.exec(select(InboundMailRow.municipality_code, InboundMailRow.received_at,
                                                 InboundMailRow.reading)
                                          .where(InboundMailRow.kind == "auto_reply")).all():
        back = (reading or {}).get("return_date")
        if code and isinstance(back, str):
            out.setdefault(code, []).append((received.date(), date.fromisoformat(back)))
    return out


def _latest_after(pairs: list[tuple[date, date]], sent_on: date) -> date | None:
    later = [back for arrived, back in pairs if arrived >= sent_on]
    return max(later) if later else None


def run_chase(app: App, now: datetime, policy: ChasePolicy, dry_run: bool = False) -> ChaseReport:
    today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
    report = ChaseReport()
    with Session(app.engine) as s:
        items = due_chase(load_letters_due(s), today, app.calendar, policy)
    reminders = {i.due.letter.reference: i.new_deadline for i in items if i.kind is ChaseKind.REMINDER}
    for item in items:
        if dry_run:
            with Session(app.engine) as s:
                if s.exec(select(HistoryEntryRow.id).where(HistoryEntryRow.event_key == item.event.key)).first():
                    continue
            _report(report, item)
        else:
            try:
                applied = _apply(app, item, now, reminders.get(item.due.letter.reference))
            except IntegrityError:  # another instance applied the same item at the same moment
                applied = False
            if applied:
                _report(report, item)
    return report


def _apply(app: App, item: ChaseItem, now: datetime, reminder_deadline: date | None) -> bool:
    """Apply one chase item; False when it was applied before (or no longer applies)."""
    due = item.due
    with Session(app.engine) as s, s.begin():
        letter = s.get(LetterRow, due.letter.reference)
        case = s.get(CaseRow, letter.case_id) if letter else None
        if letter is None or case is None:
            return False
        ctx: dict[str, object] = {
            "municipality": due.municipality_name, "sent_on": letter.sent_on.isoformat(),
            "deadline": letter.deadline.isoformat(), "step": case.step,
            "reminder": reminder_deadline.isoformat() if reminder_deadline else None,
            "reason": f"De termijn na het rappel is op {letter.deadline.isoformat()} verstreken zonder antwoord.",
        }
        if item.kind is ChaseKind.REMINDER and item.new_deadline:  # "Rappel verstuurd": the new term
            ctx = {**ctx, "reference": letter.reference, "deadline": item.new_deadline.isoformat(),
                   "requested_by": due.requested_by if due.requested else None}
        decision = decide_event(repo.case_snapshot(s, case, item.event.key), item.event, ctx)
        if decision.refused or decision.event_key is None:
            return False
        if item.kind is ChaseKind.REMINDER and item.new_deadline:
            mail_ctx = {"municipality": due.municipality_name, "sent_on": letter.sent_on.isoformat(),
                        "deadline": letter.deadline.isoformat(), "new_deadline": item.new_deadline.isoformat(),
                        "letter_subject": LETTER_SUBJECTS[letter.kind], "contact_address": app.settings.mailbox.address}
            reminder = SendMail(key=item.event.key, to=letter.to_address,
                                subject=render_subject("reminder_mail", mail_ctx),
                                template="reminder_mail", reference=letter.reference,
                                municipality_code=due.municipality_code, context=mail_ctx)
            decision = replace(decision, mails=(reminder,))
        repo.apply_decision(s, decision, None, case, now)
    return True


def _report(report: ChaseReport, item: ChaseItem) -> None:
    d = item.due
    row: dict[str, Any] = {"reference": d.letter.reference, "municipality": {"code": d.municipality_code,
                                                                             "name": d.municipality_name},
                           "deadline": d.letter.deadline.isoformat()}
    if item.kind is ChaseKind.REMINDER:
        report.reminders.append({**row, "to": d.to_address,
                                 "new_deadline": item.new_deadline.isoformat() if item.new_deadline else None})
    elif item.kind is ChaseKind.DEADLINE_SLIPPED:
        report.deadlines_slipped.append(row)
    else:
        report.escalations_due.append(row)

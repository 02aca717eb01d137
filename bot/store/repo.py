"""Reads and writes of the case store, in the caller's session (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert
from sqlmodel import Session, col, select

from bot.core.effects import Decision
from bot.core.letters import LetterRow as RegisterRow
from bot.core.lifecycle import CaseSnapshot, LetterSnapshot, LetterState
from bot.outbound import enqueue_mail
from bot.store.models import (
    Article8Row,
    CaseRow,
    HistoryEntryRow,
    InboundMailRow,
    LearnedDomainRow,
    LetterRow,
    MunicipalityRow,
    OutboundMailRow,
    OutboxRow,
)
from parsers.model import LetterRef
from parsers.registry import Registry


def sync_municipalities(session: Session, registry: Registry) -> None:
    """Make the municipality table match the registry (insert missing, update renamed)."""
    have = {m.code: m for m in session.exec(select(MunicipalityRow)).all()}
    for m in registry.municipalities:
        row = have.get(m.code)
        if row is None:
            session.add(MunicipalityRow(code=m.code, name=m.name, province=m.province))
        elif (row.name, row.province) != (m.name, m.province):
            row.name, row.province = m.name, m.province
            session.add(row)


def ensure_case(session: Session, municipality_code: str, now: datetime, lock: bool = False) -> CaseRow:
    """The municipality's current case, opened when it has none; `lock` takes its row lock (FOR UPDATE on
    PostgreSQL) in the same query, for a `case_snapshot(..., locked=True)` that follows."""
    q = select(CaseRow).where(CaseRow.municipality_code == municipality_code).order_by(col(CaseRow.id).desc())
    case = session.exec(q.with_for_update() if lock else q).first()
    if case is None:
        case = CaseRow(municipality_code=municipality_code, opened_at=now, updated_at=now)
        session.add(case)
        session.flush()
    return case


def _letter_values(row: LetterRow | RegisterRow) -> tuple[Any, ...]:
    step = row.step
    return (row.municipality_code, row.sent_on, row.kind, step, row.deadline, row.to_address)


def import_letters(session: Session, rows: Sequence[RegisterRow], now: datetime) -> tuple[int, int, list[str]]:
    """Add the register rows. Returns (added, unchanged, conflicts); with conflicts nothing must be committed."""
    existing = {r.reference: r for r in session.exec(
        select(LetterRow).where(col(LetterRow.reference).in_([r.reference for r in rows]))).all()}
    conflicts = [
        f"line {r.line}: reference {r.reference} is already registered with other data"
        for r in rows if r.reference in existing and _letter_values(existing[r.reference]) != _letter_values(r)
    ]
    if conflicts:
        return 0, 0, conflicts
    added = 0
    for r in rows:
        if r.reference in existing:
            continue
        case = ensure_case(session, r.municipality_code, now)
        if r.step > case.step:
            session.add(HistoryEntryRow(at=now, case_id=case.id, actor="importer", event="step_recorded",
                                        old_state=str(case.step), new_state=str(r.step),
                                        detail=f"from letter {r.reference} in the register"))
            case.step = r.step
            case.updated_at = now
            session.add(case)
        session.add(LetterRow(reference=r.reference, case_id=case.id or 0, municipality_code=r.municipality_code,
                              sent_on=r.sent_on, kind=r.kind, step=r.step, deadline=r.deadline,
                              to_address=r.to_address, created_at=now))
        session.add(HistoryEntryRow(at=now, case_id=case.id, letter_reference=r.reference, actor="importer",
                                    event="letter_registered", new_state="awaiting_reply",
                                    detail=f"{r.kind}, sent {r.sent_on}, deadline {r.deadline}"))
        added += 1
    return added, len(rows) - added, []


def letter_refs(session: Session) -> dict[str, LetterRef]:
    return {r.reference: LetterRef(r.reference, r.municipality_code, r.sent_on, r.to_address, r.kind)
            for r in session.exec(select(LetterRow)).all()}


def learned_domains(session: Session) -> dict[str, str]:
    return {r.domain: r.municipality_code for r in session.exec(select(LearnedDomainRow)).all() if not r.conflicting}


def outbound_threads(session: Session) -> dict[str, str]:
    """Message-ID of every mail the bot sent about a letter → that letter's reference."""
    return {m: ref for m, ref in session.exec(select(OutboundMailRow.message_id, OutboundMailRow.reference)).all()
            if ref}


# Public mail providers: a confirmed match from such an address says nothing about the domain.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.nl", "outlook.com", "outlook.nl", "live.nl", "live.com",
    "msn.com", "icloud.com", "me.com", "yahoo.com", "yahoo.nl", "ziggo.nl", "kpnmail.nl", "kpnplanet.nl",
    "planet.nl", "home.nl", "hetnet.nl", "xs4all.nl", "telfort.nl", "online.nl", "upcmail.nl", "chello.nl",
    "caiway.nl", "zeelandnet.nl", "proton.me", "protonmail.com", "gmx.net", "gmx.com"})


def learn_domain(session: Session, domain: str, municipality_code: str, officer: str, now: datetime) -> None:
    """Remember that an officer confirmed mail from `domain` as this municipality's."""
    domain = domain.lower().strip()
    if not domain or domain in PUBLIC_MAIL_DOMAINS:
        return
    row = session.get(LearnedDomainRow, domain)
    if row is None:
        row = LearnedDomainRow(domain=domain, municipality_code=municipality_code, confirmed_by=officer,
                               updated_at=now)
    elif row.municipality_code != municipality_code:
        row.conflicting = True  # a consultancy or a regional body writing for several: not evidence
    else:
        row.confirmations += 1
    row.updated_at = now
    session.add(row)


class SeenMail(NamedTuple):
    id: int
    outcome: str
    triage_state: str | None


# Statements of the per-mail path, built once (bound parameters): building and keying a statement per call
# cost more than running it.
_SEEN = select(InboundMailRow.id, InboundMailRow.outcome, InboundMailRow.triage_state)
_SEEN_BY_HASH = _SEEN.where(InboundMailRow.content_hash == bindparam("digest"))
_SEEN_BY_HASH_OR_ID = _SEEN.where((InboundMailRow.content_hash == bindparam("digest"))
                                  | (InboundMailRow.message_id == bindparam("message_id")))
_OUTBOX_KEYS = select(OutboxRow.idempotency_key).where(
    col(OutboxRow.idempotency_key).in_(bindparam("keys", expanding=True)))
_INSERT_HISTORY = insert(HistoryEntryRow.__table__)  # type: ignore[attr-defined]
_INSERT_OUTBOX = insert(OutboxRow.__table__)  # type: ignore[attr-defined]
_CASE_LETTERS = select(LetterRow).where(LetterRow.case_id == bindparam("case_id"))
_EVENT_APPLIED = select(HistoryEntryRow.id).where(HistoryEntryRow.event_key == bindparam("key")).limit(1)


def find_duplicate(session: Session, digest: str, message_id: str) -> SeenMail | None:
    """A mail already stored with these bytes (or this Message-ID): only the columns the intake needs."""
    if message_id:
        row = session.exec(_SEEN_BY_HASH_OR_ID, params={"digest": digest, "message_id": message_id}).first()
    else:
        row = session.exec(_SEEN_BY_HASH, params={"digest": digest}).first()
    return SeenMail(int(row[0] or 0), row[1], row[2]) if row is not None else None


_INBOUND = InboundMailRow.__table__  # type: ignore[attr-defined]
_INSERT_INBOUND = insert(_INBOUND)


def insert_inbound(session: Session, row: InboundMailRow) -> int:
    """Store a new inbound mail (a transient row) with one prebuilt INSERT on the session's connection, not
    through the unit of work; returns its id. A second copy of the same bytes raises IntegrityError."""
    values = {c.name: getattr(row, c.name) for c in _INBOUND.columns if c.name != "id"}
    key = session.connection().execute(_INSERT_INBOUND, values).inserted_primary_key
    assert key is not None
    return int(key[0])


def case_snapshot(session: Session, case: CaseRow, event_key: str | None = None,
                  locked: bool = False) -> CaseSnapshot:
    """The pure view of a case the lifecycle works on; `event_key` is marked applied when seen before.
    The case row is locked first (FOR UPDATE on PostgreSQL) unless the caller loaded it `locked` in this
    transaction: events on one case are decided one at a time, so two instances cannot both apply one event."""
    if not locked:
        session.refresh(case, with_for_update=True)
    letters = session.exec(_CASE_LETTERS, params={"case_id": case.id}).all()
    seen: frozenset[str] = frozenset()
    if event_key and session.exec(_EVENT_APPLIED, params={"key": event_key}).first():
        seen = frozenset({event_key})
    return CaseSnapshot(case.municipality_code, case.step, {
        x.reference: LetterSnapshot(x.reference, LetterState(x.state), x.deadline, x.term, x.snoozed_until,
                                    x.address_bounced) for x in letters}, seen)


def apply_decision(session: Session, decision: Decision, mail: InboundMailRow | None,
                   case: CaseRow | None, now: datetime, actor: str = "bot") -> None:
    """Write a decision's state changes, history and outbox rows (idempotency keys make re-runs no-ops)."""
    for change in decision.letter_changes:
        letter = session.get(LetterRow, change.reference)
        if letter is not None:
            letter.state, letter.deadline, letter.term = change.state, change.deadline, change.term
            letter.snoozed_until, letter.address_bounced = change.snoozed_until, change.address_bounced
            session.add(letter)
    if case is not None and decision.new_step is not None:
        case.step = decision.new_step
    if case is not None and decision.article8 is not None:
        a8 = decision.article8
        session.add(Article8Row(case_id=case.id or 0, inbound_mail_id=mail.id if mail else None,
                                places_lost=a8.places_lost, reason=a8.reason, notified_on=a8.notified_on,
                                created_at=now))
    # history and outbox rows are only inserted, never loaded back in this session: one Core INSERT each, without
    # the unit of work (the mail and case rows they refer to are flushed already)
    if decision.history:
        session.connection().execute(_INSERT_HISTORY, [
            {"at": now, "case_id": case.id if case else None, "letter_reference": note.letter_reference,
             "inbound_mail_id": mail.id if mail else None, "actor": actor, "event": note.event,
             "event_key": decision.event_key, "old_state": note.old_state, "new_state": note.new_state,
             "detail": note.detail, "evidence": list(note.evidence) or None} for note in decision.history])
    keys = [a.key for a in decision.alerts]
    seen = set(session.exec(_OUTBOX_KEYS, params={"keys": keys}).all()) if keys else set()
    # case and mail ids let a sink thread the alert under its case and offer the right buttons
    fresh = [{"idempotency_key": alert.key, "channel": "alert", "created_at": now,
              "payload": {"template": alert.template, "context": alert.context, "urgent": alert.urgent,
                          "case_id": case.id if case else None,
                          "municipality_code": case.municipality_code if case else None,
                          "mail_id": mail.id if mail else None}}
             for alert in decision.alerts if alert.key not in seen]
    if fresh:
        session.connection().execute(_INSERT_OUTBOX, fresh)
    for mail_out in decision.mails:
        enqueue_mail(session, mail_out, now)
    if case is not None and (decision.history or decision.letter_changes):
        case.updated_at = now
        session.add(case)


def outbox_has(session: Session, key: str) -> bool:
    return session.exec(select(OutboxRow.id).where(OutboxRow.idempotency_key == key)).first() is not None


def pending_outbox_ids(session: Session, passed: set[int], limit: int, skip_alerts: bool = False) -> list[int]:
    """The oldest pending outbox rows not yet passed in this delivery pass (claiming them is the caller's job)."""
    q = select(OutboxRow.id).where(OutboxRow.status == "pending")
    if passed:
        q = q.where(col(OutboxRow.id).not_in(passed))
    if skip_alerts:
        q = q.where(OutboxRow.channel != "alert")
    return [int(i) for i in session.exec(q.order_by(col(OutboxRow.id)).limit(limit)).all() if i is not None]


def pending_outbox(session: Session, limit: int = 100) -> list[OutboxRow]:
    return list(session.exec(select(OutboxRow).where(OutboxRow.status == "pending")
                             .order_by(col(OutboxRow.id)).limit(limit)).all())


def count_history(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(HistoryEntryRow)).one())

"""Reads and writes of the case store, in the caller's session (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from bot.core.effects import Decision
from bot.core.letters import LetterRow as RegisterRow
from bot.core.lifecycle import CaseSnapshot, LetterSnapshot, LetterState
from bot.outbound import enqueue_mail
from bot.store import statements as st
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


def ensure_case(session: Session, municipality_code: str, now: datetime) -> CaseRow:
    """The municipality's current case, opened when it has none."""
    q = select(CaseRow).where(CaseRow.municipality_code == municipality_code).order_by(col(CaseRow.id).desc())
    case = session.exec(q).first()
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


class CaseKey(NamedTuple):
    """The columns of a case the intake decides on, read with Core (no ORM object to load and flush)."""

    id: int
    municipality_code: str
    step: int


def find_duplicate(session: Session, digest: str, message_id: str) -> SeenMail | None:
    """A mail already stored with these bytes (or this Message-ID): only the columns the intake needs."""
    conn = session.connection()
    if message_id:
        row = conn.execute(st.SEEN_BY_HASH_OR_ID, {"digest": digest, "message_id": message_id}).first()
    else:
        row = conn.execute(st.SEEN_BY_HASH, {"digest": digest}).first()
    return SeenMail(int(row[0] or 0), row[1], row[2]) if row is not None else None


def insert_inbound(session: Session, row: InboundMailRow) -> int:
    """Store a new inbound mail (a transient row) with one prebuilt INSERT on the session's connection, not
    through the unit of work; returns its id. A second copy of the same bytes raises IntegrityError."""
    values = {c.name: getattr(row, c.name) for c in st.INBOUND.columns if c.name != "id"}
    key = session.connection().execute(st.INSERT_INBOUND, values).inserted_primary_key
    assert key is not None
    return int(key[0])


def open_case(session: Session, municipality_code: str, now: datetime) -> CaseKey:
    """The municipality's current case with its row locked (FOR UPDATE on PostgreSQL), opened when it has none.
    Two instances opening the same case at once: the second gets IntegrityError (uq_case_municipality_cycle)."""
    conn = session.connection()
    row = conn.execute(st.CASE_OF, {"code": municipality_code}).first()
    if row is not None:
        return CaseKey(int(row[0]), row[1], int(row[2]))
    key = conn.execute(st.INSERT_CASE, {"municipality_code": municipality_code, "opened_at": now,
                                         "updated_at": now}).inserted_primary_key
    assert key is not None
    return CaseKey(int(key[0]), municipality_code, int(st.CASE.c.step.default.arg))


def case_snapshot(session: Session, case: CaseRow | CaseKey, event_key: str | None = None,
                  locked: bool = False) -> CaseSnapshot:
    """The pure view of a case the lifecycle works on; `event_key` is marked applied when seen before.
    The case row is locked first (FOR UPDATE on PostgreSQL) unless the caller loaded it `locked` in this
    transaction: events on one case are decided one at a time, so two instances cannot both apply one event."""
    assert case.id is not None
    conn = session.connection()
    step = case.step
    if not locked and isinstance(case, CaseRow):
        session.refresh(case, with_for_update=True)
        step = case.step
    elif not locked:
        step = int(conn.execute(st.LOCK_CASE, {"case_id": case.id}).scalar_one())
    letters = conn.execute(st.CASE_LETTERS, {"case_id": case.id}).all()
    seen: frozenset[str] = frozenset()
    if event_key and conn.execute(st.EVENT_APPLIED, {"key": event_key}).first():
        seen = frozenset({event_key})
    return CaseSnapshot(case.municipality_code, step, {
        ref: LetterSnapshot(ref, LetterState(state), deadline, term, snoozed, bounced)
        for ref, state, deadline, term, snoozed, bounced in letters}, seen)


def _written(session: Session, obj: object | None, values: dict[str, Any]) -> None:
    """Values a Core UPDATE just wrote, set on the session's object of that row (if it holds one) as committed:
    the object stays current and the flush does not write them again."""
    if obj is not None:
        for name, value in values.items():
            set_committed_value(obj, name, value)


def apply_decision(session: Session, decision: Decision, mail: InboundMailRow | None,
                   case: CaseRow | CaseKey | None, now: datetime, actor: str = "bot") -> None:
    """Write a decision's state changes, history and outbox rows (idempotency keys make re-runs no-ops).
    Every write is a prebuilt Core statement; ORM objects of the same rows in the session are kept current."""
    session.flush()  # the caller's own ORM changes go first: the statements below see them
    conn = session.connection()
    for change in decision.letter_changes:
        values = {"state": change.state, "deadline": change.deadline, "term": change.term,
                  "snoozed_until": change.snoozed_until, "address_bounced": change.address_bounced}
        conn.execute(st.UPDATE_LETTER, {"ref": change.reference, **values})
        _written(session, session.identity_map.get(identity_key(LetterRow, change.reference)), values)
    if case is not None and decision.article8 is not None:
        a8 = decision.article8
        session.add(Article8Row(case_id=case.id or 0, inbound_mail_id=mail.id if mail else None,
                                places_lost=a8.places_lost, reason=a8.reason, notified_on=a8.notified_on,
                                created_at=now))
    touched = bool(decision.history or decision.letter_changes)
    if case is not None and (decision.new_step is not None or touched):
        conn.execute(st.UPDATE_CASE, {"case_id": case.id, "new_step": decision.new_step,
                                      "touched_at": now if touched else None})
        changed = {"step": decision.new_step} if decision.new_step is not None else {}
        _written(session, case if isinstance(case, CaseRow) else None,
                 changed | ({"updated_at": now} if touched else {}))
    if decision.history:
        conn.execute(st.INSERT_HISTORY, [
            {"at": now, "case_id": case.id if case else None, "letter_reference": note.letter_reference,
             "inbound_mail_id": mail.id if mail else None, "actor": actor, "event": note.event,
             "event_key": decision.event_key, "old_state": note.old_state, "new_state": note.new_state,
             "detail": note.detail, "evidence": list(note.evidence) or None} for note in decision.history])
    # case and mail ids let a sink thread the alert under its case and offer the right buttons; a key already in
    # the outbox (the same event again) is skipped by the insert itself
    if decision.alerts:
        conn.execute(st.INSERT_OUTBOX[conn.dialect.name], [
            {"idempotency_key": alert.key, "channel": "alert", "created_at": now,
             "payload": {"template": alert.template, "context": alert.context, "urgent": alert.urgent,
                         "case_id": case.id if case else None,
                         "municipality_code": case.municipality_code if case else None,
                         "mail_id": mail.id if mail else None}}
            for alert in decision.alerts])
    for mail_out in decision.mails:
        enqueue_mail(session, mail_out, now)


def outbox_has(session: Session, key: str) -> bool:
    return session.exec(select(OutboxRow.id).where(OutboxRow.idempotency_key == key)).first() is not None


def pending_outbox_ids(session: Session, passed: set[int], limit: int, skip_alerts: bool = False) -> list[int]:
    """The oldest pending outbox rows not yet passed in this delivery pass (claiming them is the caller's job)."""
    q = st.PENDING
    if passed:
        q = q.where(st.OUTBOX.c.id.not_in(passed))
    if skip_alerts:
        q = q.where(st.OUTBOX.c.channel != "alert")
    return [int(i) for i in session.connection().execute(q.order_by(st.OUTBOX.c.id).limit(limit)).scalars()]


def count_history(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(HistoryEntryRow)).one())

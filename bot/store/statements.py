"""Statements of the per-mail path, built once with bound parameters, run on the session's connection.

Building and keying a statement per call, and loading rows as ORM objects to change one column, cost more
than running the statement: the intake and the delivery of a mail use these Core statements and plain values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.models import CaseRow, HistoryEntryRow, InboundMailRow, LetterRow, OutboxRow

CASE: Any = CaseRow.__table__  # type: ignore[attr-defined]
LETTER: Any = LetterRow.__table__  # type: ignore[attr-defined]
INBOUND: Any = InboundMailRow.__table__  # type: ignore[attr-defined]
HISTORY: Any = HistoryEntryRow.__table__  # type: ignore[attr-defined]
OUTBOX: Any = OutboxRow.__table__  # type: ignore[attr-defined]

_SEEN = select(INBOUND.c.id, INBOUND.c.outcome, INBOUND.c.triage_state)
SEEN_BY_HASH = _SEEN.where(INBOUND.c.content_hash == bindparam("digest"))
SEEN_BY_HASH_OR_ID = _SEEN.where((INBOUND.c.content_hash == bindparam("digest"))
                                 | (INBOUND.c.message_id == bindparam("message_id")))
INSERT_INBOUND = insert(INBOUND)

# the municipality's newest case, its row locked (FOR UPDATE on PostgreSQL; SQLite has one writer anyway)
CASE_OF = (select(CASE.c.id, CASE.c.municipality_code, CASE.c.step)
           .where(CASE.c.municipality_code == bindparam("code")).order_by(CASE.c.id.desc()).limit(1)
           .with_for_update())
LOCK_CASE = select(CASE.c.step).where(CASE.c.id == bindparam("case_id")).with_for_update()
INSERT_CASE = insert(CASE)
# step and updated_at change only when given (None keeps the stored value); bound with the columns' own types
# (UTC conversion of aware datetimes), which a bare DateTime would skip
UPDATE_CASE = (update(CASE).where(CASE.c.id == bindparam("case_id"))
               .values(step=func.coalesce(bindparam("new_step", type_=CASE.c.step.type), CASE.c.step),
                       updated_at=func.coalesce(bindparam("touched_at", type_=CASE.c.updated_at.type),
                                                CASE.c.updated_at)))

CASE_LETTERS = (select(LETTER.c.reference, LETTER.c.state, LETTER.c.deadline, LETTER.c.term, LETTER.c.snoozed_until,
                       LETTER.c.address_bounced).where(LETTER.c.case_id == bindparam("case_id")))
UPDATE_LETTER = (update(LETTER).where(LETTER.c.reference == bindparam("ref"))
                 .values(state=bindparam("state"), deadline=bindparam("deadline", type_=LETTER.c.deadline.type),
                         term=bindparam("term"),
                         snoozed_until=bindparam("snoozed_until", type_=LETTER.c.snoozed_until.type),
                         address_bounced=bindparam("address_bounced")))
EVENT_APPLIED = select(HISTORY.c.id).where(HISTORY.c.event_key == bindparam("key")).limit(1)

INSERT_HISTORY = insert(HISTORY)
# an alert whose idempotency key is in the outbox already is not added again (a re-run of the same event)
INSERT_OUTBOX = {
    "sqlite": sqlite.insert(OUTBOX).on_conflict_do_nothing(index_elements=["idempotency_key"]),
    "postgresql": postgresql.insert(OUTBOX).on_conflict_do_nothing(index_elements=["idempotency_key"]),
}

PENDING = select(OUTBOX.c.id).where(OUTBOX.c.status == "pending")
OUTBOX_ROW = (select(OUTBOX.c.id, OUTBOX.c.idempotency_key, OUTBOX.c.channel, OUTBOX.c.payload, OUTBOX.c.status,
                     OUTBOX.c.attempts).where(OUTBOX.c.id == bindparam("row_id")))
DELIVERED = (update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"))
             .values(status="delivered", delivered_at=bindparam("at")))
OUTBOX_OUTCOME = (update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"))
                  .values(status=bindparam("status"), attempts=bindparam("attempts"),
                          last_error=bindparam("last_error")))

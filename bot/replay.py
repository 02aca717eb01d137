"""`ibt replay`: run archived mails through the current reader again.

A quarantined mail (or any mail, by id) is re-read from its archived bytes; when it is readable now it
goes through the same `Intake.process` as a new mail, updating its existing inbound_mail row instead of
inserting a second one. Mails cut at the size limit stay quarantined: the archive holds only their head.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.adapters.sources import RawMail
from bot.bootstrap import App
from bot.core.explain import understand
from bot.store.models import InboundMailRow
from parsers.model import Kind

SIZE_REASON = "mail larger than the size limit"


@dataclass(frozen=True)
class ReplayResult:
    mail_id: int
    outcome: str  # new | quarantined (still unreadable) | duplicate | not_found
    reason: str | None = None


def find_rows(app: App, selector: str | None) -> list[InboundMailRow]:
    """`selector`: an inbound_mail id, a content-hash prefix (as in alerts), or None for all quarantined."""
    with Session(app.engine) as s:
        if selector is None:
            q = select(InboundMailRow).where(InboundMailRow.outcome == "quarantined")
        elif selector.isdigit():
            q = select(InboundMailRow).where(InboundMailRow.id == int(selector))
        else:
            q = select(InboundMailRow).where(col(InboundMailRow.content_hash).startswith(selector.lower()))
        return list(s.exec(q.order_by(col(InboundMailRow.id))).all())


def replay(app: App, rows: list[InboundMailRow]) -> list[ReplayResult]:
    ctx = app.intake.reading_context()
    out = []
    for row in rows:
        assert row.id is not None
        if row.reason == SIZE_REASON:
            out.append(ReplayResult(row.id, "quarantined", SIZE_REASON))
            continue
        raw = app.archive.load(row.content_hash)
        reading = understand(raw, ctx)
        if reading.kind is Kind.UNREADABLE:
            out.append(ReplayResult(row.id, "quarantined", reading.unreadable_reason))
            continue
        outcome = app.intake.process(RawMail(row.source, row.source_id, raw), ctx, replay_of=row.id)
        out.append(ReplayResult(row.id, outcome))
    app.deliverer.deliver_pending()
    return out

"""Intake: one mail through archive → read → decide → one transaction → deliver outbox → ack.

The same `Intake.process` serves `ibt run` (watched sources), `ibt ingest` (files) and `ibt replay`.
Reliability rules (DESIGN.md): the raw bytes are archived first; the source is acknowledged only after
the outcome is committed; a mail already seen (content hash or Message-ID) changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.adapters.archive import Archive
from bot.adapters.sources import MailSource, RawMail
from bot.clock import Clock
from bot.core.decide import LetterView, decide_inbound, decide_unreadable
from bot.core.explain import reading_as_dict, understand
from bot.delivery import Deliverer
from bot.store import repo
from bot.store.models import InboundMailRow, LetterRow
from parsers.model import Kind
from parsers.registry import Registry
from parsers.understand import ReadingContext

log = logging.getLogger(__name__)


@dataclass
class Intake:
    engine: Engine
    archive: Archive
    registry: Registry
    clock: Clock
    deliverer: Deliverer
    home: Path
    own_domains: frozenset[str] = frozenset({"minjenv.nl"})

    def reading_context(self) -> ReadingContext:
        with Session(self.engine) as s:
            letters = repo.letter_refs(s)
        return ReadingContext(registry=self.registry, letters=letters, own_domains=self.own_domains)

    def run(self, source: MailSource) -> Counter[str]:
        """Process every mail the source has now; returns counts of new / duplicate / quarantined."""
        counts: Counter[str] = Counter(new=0, duplicate=0, quarantined=0)
        ctx = self.reading_context()
        for mail in source.fetch():
            outcome = self.process(mail, ctx)
            counts[outcome] += 1
            self.deliverer.deliver_pending()
            source.ack(mail)
        return counts

    def process(self, mail: RawMail, ctx: ReadingContext) -> str:
        digest, path = self.archive.save(mail.raw)
        with Session(self.engine) as s:
            if repo.find_duplicate(s, digest, "") is not None:
                log.info("duplicate mail %s from %s", digest[:12], mail.source)
                return "duplicate"
        reading = understand(mail.raw, ctx)
        if mail.too_large:
            reading = reading.__class__(kind=Kind.UNREADABLE, message_id=reading.message_id,
                                        subject=reading.subject, sender=reading.sender, sent_at=reading.sent_at,
                                        needs_triage=True, unreadable_reason="mail larger than the size limit")
        now = self.clock.now()
        try:
            with Session(self.engine) as s, s.begin():
                if reading.message_id and repo.find_duplicate(s, digest, reading.message_id) is not None:
                    return "duplicate"
                quarantined = reading.kind is Kind.UNREADABLE
                row = InboundMailRow(
                    content_hash=digest, message_id=reading.message_id, source=mail.source,
                    source_id=mail.source_id, archive_path=str(path.relative_to(self.home)),
                    size=len(mail.raw), received_at=now, processed_at=now,
                    outcome="quarantined" if quarantined else "processed", reason=reading.unreadable_reason,
                    kind=reading.kind.value, needs_triage=reading.needs_triage, reading=reading_as_dict(reading),
                    municipality_code=(reading.primary_municipality.code
                                       if reading.primary_municipality and not reading.needs_triage else None),
                    reference=reading.reference.value if reading.reference and not reading.needs_triage else None,
                )
                s.add(row)
                s.flush()
                if quarantined:
                    decision = decide_unreadable(reading.unreadable_reason or "unknown", reading.subject,
                                                 reading.sender, digest)
                    repo.apply_decision(s, decision, row, None, now)
                    return "quarantined"
                case = letter_view = None
                if row.municipality_code:
                    case = repo.ensure_case(s, row.municipality_code, now)
                if row.reference:
                    letter = s.get(LetterRow, row.reference)
                    if letter is not None:
                        letter_view = LetterView(letter.reference, letter.municipality_code, letter.state,
                                                 letter.deadline)
                repo.apply_decision(s, decide_inbound(reading, letter_view, digest), row, case, now)
                return "new"
        except IntegrityError:
            # another instance committed the same mail between our check and our insert
            return "duplicate"

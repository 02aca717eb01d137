"""Intake: one mail through archive → read → decide → one transaction → deliver outbox → ack.

The same `Intake.process` serves `ibt run` (watched sources), `ibt ingest` (files) and `ibt replay`.
Reliability rules (DESIGN.md): the raw bytes are archived first; the source is acknowledged only after
the outcome is committed; a mail already seen (content hash or Message-ID) changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.adapters.archive import Archive, content_hash
from bot.adapters.sources import Disposition, MailSource, RawMail
from bot.clock import Clock
from bot.core.decide import decide_inbound, decide_unreadable
from bot.core.explain import reading_as_dict, understand
from bot.delivery import Deliverer
from bot.faults import no_fault
from bot.reader_pool import ReaderPool
from bot.store import repo
from bot.store.models import InboundMailRow
from parsers.kind_model import KindModel
from parsers.model import Kind, Reading
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
    timezone: str = "Europe/Amsterdam"
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    acknowledge: bool = False  # [mail] acknowledge_receipt
    fault: Callable[[str], None] = no_fault  # fault injection for the crash tests (bot.faults)
    reader: ReaderPool | None = None  # [reading] workers: read ahead in worker processes; None: read here
    kind_model: KindModel | None = None  # [reading] kind_model; None: the shipped model
    deliver_every: int = 20  # mails committed between two deliveries of the outbox in one batch
    deliver_seconds: float = 1.0  # ... or seconds, whichever comes first
    # the content hash and label of the mail committed last, for the acknowledgement that follows
    _last_label: tuple[str, Disposition] | None = field(default=None, init=False, repr=False)

    def local_date(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def reading_context(self) -> ReadingContext:
        """The values a reading needs, loaded once per batch: register, learned domains, our own mails."""
        with Session(self.engine) as s:
            letters = repo.letter_refs(s)
            learned = repo.learned_domains(s)
            threads = repo.outbound_threads(s)
        return ReadingContext(registry=self.registry, letters=letters, own_domains=self.own_domains,
                              learned_domains=learned, threads=threads, regions=self.regions,
                              kind_model=self.kind_model)

    def run(self, source: MailSource) -> Counter[str]:
        """Process every mail the source has now; returns counts of new / duplicate / quarantined.

        Each mail is acknowledged right after its commit. The outbox is delivered after every
        `deliver_every` mails or `deliver_seconds`, whichever comes first, and at the end of the batch: a
        backlog is not held up by one Slack round trip per mail, and an alert waits a second at most.
        Mails are archived (written and synced) on a helper thread as soon as they are fetched, so the
        disk's sync overlaps with the work on the mail before them."""
        counts: Counter[str] = Counter(new=0, duplicate=0, quarantined=0)
        ctx = self.reading_context()
        archived: dict[int, Future[tuple[str, Path]]] = {}
        with ThreadPoolExecutor(1, thread_name_prefix="ibt-archive") as archiver:

            def fetched() -> Iterator[RawMail]:
                for m in source.fetch():
                    archived[id(m)] = archiver.submit(self.archive.save, m.raw)
                    yield m

            mails = fetched()
            read = self.reader.read_ahead(mails, ctx) if self.reader is not None else ((m, None) for m in mails)
            undelivered, last_delivery = 0, time.monotonic()
            for mail, reading in read:
                self.fault("after_fetch")
                outcome = self.process(mail, ctx, reading=reading, archived=archived.pop(id(mail)).result())
                self.fault("after_commit")
                counts[outcome] += 1
                undelivered += 1
                if undelivered >= self.deliver_every or time.monotonic() - last_delivery >= self.deliver_seconds:
                    self._deliver()
                    undelivered, last_delivery = 0, time.monotonic()
                self.fault("before_ack")
                source.ack(mail, self.disposition(mail))
        if undelivered:
            self._deliver()
        return counts

    def _deliver(self) -> None:
        self.fault("before_delivery")
        self.deliverer.deliver_pending()
        self.fault("after_delivery")

    def disposition(self, mail: RawMail) -> Disposition:
        """How the source should label a committed mail: "manual" when an officer must look."""
        digest = content_hash(mail.raw)
        if self._last_label is not None and self._last_label[0] == digest:
            return self._last_label[1]  # the mail just processed: no need to ask the database again
        with Session(self.engine) as s:
            row = repo.find_duplicate(s, digest, "")
        return _seen_label(row) if row is not None else "processed"

    def process(self, mail: RawMail, ctx: ReadingContext, replay_of: int | None = None,
                _retry: bool = False, reading: Reading | None = None,
                archived: tuple[str, Path] | None = None) -> str:
        """Archive, read, decide and commit one mail. `replay_of` (by `ibt replay`) names the existing
        inbound_mail row of these bytes: it is updated in place instead of counting as a duplicate.
        `reading` is the mail's reading when a reader worker made it ahead; `archived` its (digest, path)
        when it was archived ahead."""
        digest, path = archived or self.archive.save(mail.raw)
        self.fault("after_archive")
        # read first: a mail seen before (same bytes or Message-ID) is found in the transaction below
        if reading is None:
            reading = understand(mail.raw, ctx)
        if mail.too_large:
            reading = reading.__class__(kind=Kind.UNREADABLE, message_id=reading.message_id,
                                        subject=reading.subject, sender=reading.sender, sent_at=reading.sent_at,
                                        needs_triage=True, unreadable_reason="mail larger than the size limit")
        now = self.clock.now()
        try:
            with Session(self.engine) as s, s.begin():
                seen = repo.find_duplicate(s, digest, reading.message_id)
                if _other(seen, replay_of):
                    assert seen is not None
                    log.info("duplicate mail %s from %s", digest[:12], mail.source)
                    self._last_label = digest, _seen_label(seen)
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
                if reading.needs_triage and not quarantined:
                    row.triage_state = "open"
                if replay_of is not None:
                    row = _replace(s, replay_of, row)
                    s.flush()
                else:
                    row.id = repo.insert_inbound(s, row)
                self._last_label = digest, _label(quarantined or reading.needs_triage)
                if quarantined:
                    decision = decide_unreadable(reading.unreadable_reason or "unknown", reading.subject,
                                                 reading.sender, digest)
                    repo.apply_decision(s, decision, row, None, now)
                    return "quarantined"
                case = repo.open_case(s, row.municipality_code, now) if row.municipality_code else None
                snapshot = repo.case_snapshot(s, case, digest, locked=True) if case else None
                decision = decide_inbound(reading, snapshot, digest, self.local_date(now), self.acknowledge)
                repo.apply_decision(s, decision, row, case, now)
                self._also_concerned(s, reading, row, digest, now)
                return "new"
        except IntegrityError:
            with Session(self.engine) as s:
                if repo.find_duplicate(s, digest, reading.message_id) is not None:
                    return "duplicate"  # another instance committed the same mail between check and insert
            if _retry:
                raise  # not ours: the mail stays unacknowledged and is tried again at the next poll
            # another instance created the same case at the same moment: once more, now that it exists
            return self.process(mail, ctx, replay_of, _retry=True, reading=reading, archived=(digest, path))


    def _also_concerned(self, s: Session, reading: Reading, row: InboundMailRow, digest: str, now: datetime) -> None:
        """A mail that confidently concerns several municipalities (a regional body writing for its members)
        is recorded on each of their cases; the officers' alert (naming them all) goes out once."""
        if reading.needs_triage:
            return
        for m in reading.municipalities[1:]:
            case = repo.open_case(s, m.code, now)
            key = f"{digest}:{m.code}"
            decision = decide_inbound(reading, repo.case_snapshot(s, case, key, locked=True), key,
                                      self.local_date(now))
            repo.apply_decision(s, replace(decision, alerts=()), row, case, now)


def _label(manual: bool) -> Disposition:
    return "manual" if manual else "processed"


def _seen_label(seen: repo.SeenMail) -> Disposition:
    """A stored mail an officer must look at: quarantined, or in open triage."""
    return _label(seen.outcome == "quarantined" or seen.triage_state == "open")


def _other(found: repo.SeenMail | None, replay_of: int | None) -> bool:
    """A duplicate is another row than the one being replayed."""
    return found is not None and found.id != replay_of


def _replace(s: Session, row_id: int, fresh: InboundMailRow) -> InboundMailRow:
    """Replay: carry the new reading onto the existing row (its id, source and arrival time stay)."""
    row = s.get(InboundMailRow, row_id)
    if row is None:
        raise LookupError(f"inbound mail {row_id} not found")
    for name in ("message_id", "processed_at", "outcome", "reason", "kind", "needs_triage", "reading",
                 "municipality_code", "reference"):
        setattr(row, name, getattr(fresh, name))
    if fresh.triage_state == "open":
        row.triage_state = "open"
    return row

"""Outbox delivery: pending effects go to their sink; a failure leaves the row pending for a retry.

Each row is claimed, delivered and marked in its own short transaction, so an effect is delivered at
most once per successful mark; sinks that can (Slack) also de-duplicate by the idempotency key.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy import text as sa_text
from sqlmodel import Session

from bot.clock import Clock
from bot.faults import no_fault
from bot.store import repo
from bot.store import statements as st
from replies.render import render

log = logging.getLogger(__name__)


class MailSink(Protocol):
    def deliver_mail(self, session: Session, key: str, payload: dict[str, Any]) -> str:
        """Send one outbox mail: "sent", "deferred" (try again later, not an error) or "refused: why"."""
        ...


class AlertSink(Protocol):
    def post_alert(self, key: str, text: str, urgent: bool, payload: Mapping[str, Any] | None = None) -> None:
        """Post one rendered alert. `payload` is the outbox row's (template, context, case_id, mail_id...)."""
        ...


class SinkUnavailable(Exception):
    """The sink cannot deliver now (rate limited, outage): the row stays pending without counting an attempt,
    and the later alerts of this pass wait too, so every case thread keeps its order."""


class ConsoleSink:
    """Alerts printed readably to the terminal: the embedded default when no Slack token is set."""

    def __init__(self, echo: bool = True, stderr: bool = False) -> None:
        from rich.console import Console

        # stderr when stdout carries a command's JSON result
        self.console = Console(highlight=False, stderr=stderr)
        self.echo = echo
        self.posted: list[tuple[str, str]] = []

    def post_alert(self, key: str, text: str, urgent: bool, payload: Mapping[str, Any] | None = None) -> None:
        from rich.panel import Panel

        self.posted.append((key, text))
        if self.echo:
            title, _, body = text.partition("\n")
            self.console.print(Panel(body.strip("\n") or " ", title=title, title_align="left",
                                     border_style="red" if urgent else "cyan"))


@dataclass
class Deliverer:
    engine: Engine
    alerts: AlertSink
    clock: Clock
    max_attempts: int = 20
    mail: MailSink | None = None  # channel "mail" (bot.outbound); None: mail rows wait, pending
    fault: Callable[[str], None] = no_fault  # fault injection for the crash tests (bot.faults)
    # One delivery pass at a time per process: the watch loop and Slack listeners both deliver.
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def deliver_pending(self) -> int:
        with self._lock:
            return self._deliver_pending()

    def _deliver_pending(self, batch: int = 100) -> int:
        """Deliver pending rows in order, one at a time. Each row is claimed with a PostgreSQL advisory lock held
        on a connection of its own, so a second instance never delivers the same row, even though delivery
        commits in between (a mail is registered before it is sent); the lock dies with its process."""
        delivered = 0
        passed: set[int] = set()
        alerts_wait = False  # an alert could not go out: later ones wait, to keep their order
        with RowClaims(self.engine) as claims:
            while True:
                with Session(self.engine) as s:
                    ids = repo.pending_outbox_ids(s, passed, batch, skip_alerts=alerts_wait)
                if not ids:  # asked again until none is left: rows another instance added meanwhile are ours too
                    return delivered
                for row_id in ids:
                    passed.add(row_id)
                    if not claims.claim(row_id):
                        continue  # another instance is delivering it
                    try:
                        with Session(self.engine) as s:
                            # read after the claim: its status is current
                            row = s.connection().execute(st.OUTBOX_ROW, {"row_id": row_id}).first()
                            if row is None or row.status != "pending" or (alerts_wait and row.channel == "alert"):
                                continue
                            outcome = self._deliver_row(s, row)
                            delivered += outcome == "delivered"
                            alerts_wait = alerts_wait or outcome == "waiting"
                    finally:
                        claims.release(row_id)

    def _deliver_row(self, s: Session, row: Any) -> str:
        """Deliver one pending row (id, idempotency_key, channel, payload, status, attempts) and record the outcome
        in the session's transaction, committed before the next row."""
        status, attempts, error = "pending", row.attempts, None
        try:
            if row.channel == "alert":
                payload = row.payload
                text = render(str(payload["template"]), dict(payload["context"]))
                self.alerts.post_alert(row.idempotency_key, text, bool(payload.get("urgent")), payload)
            elif row.channel == "mail" and self.mail is not None:
                result = self.mail.deliver_mail(s, row.idempotency_key, row.payload)
                if result == "deferred":  # over today's limit for the municipality: tomorrow
                    s.commit()
                    return "deferred"
                if result.startswith("refused"):  # never to be sent: say why, keep the row
                    status, error, outcome = "refused", result, "refused"
            else:
                raise ValueError(f"no sink for channel {row.channel!r}")
            if status == "pending":
                self.fault("during_delivery")
        except SinkUnavailable as exc:
            error = f"waiting: {exc}"[:500]
            log.info("outbox %s waits: %s", row.id, exc)
            outcome = "waiting"
        except Exception as exc:
            attempts += 1
            error = f"{type(exc).__name__}: {exc}"[:500]
            if attempts >= self.max_attempts:
                status = "failed"
            log.warning("outbox %s not delivered: %s", row.id, error)
            outcome = "failed"
        else:
            if status == "pending":  # the common case
                s.connection().execute(st.DELIVERED, {"row_id": row.id, "at": self.clock.now()})
                s.commit()
                return "delivered"
        s.connection().execute(st.OUTBOX_OUTCOME, {"row_id": row.id, "status": status, "attempts": attempts,
                                                   "last_error": error})
        s.commit()
        return outcome


class RowClaims:
    """Claims on rows while they are being worked on, so that two instances never work on one row at once.

    PostgreSQL: advisory locks held on a connection of their own (they die with the process). SQLite: a
    byte-range lock per row on a file next to the database (`<db>.claims`; POSIX locks, released by the kernel
    when the process ends), and, since such locks belong to a process, not a thread, a set of the claims this
    process holds. A claim is never waited for: `claim` says at once whether it was taken."""

    OUTBOX = 74_680  # the first key of the two-key advisory lock: "outbox rows"
    SLACK_MESSAGE = 74_681  # "slack_message rows"
    _held: ClassVar[set[tuple[str, int, int]]] = set()  # (database, namespace, row) claimed by this process
    _files: ClassVar[dict[str, int]] = {}  # claims file → a descriptor kept open (closing one drops its locks)
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, engine: Engine, namespace: int = OUTBOX) -> None:
        self.engine = engine
        self.namespace = namespace
        self.conn: Connection | None = None
        self.mine: set[int] = set()
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.file = f"{database}.claims" if database and database != ":memory:" else ""

    def __enter__(self) -> RowClaims:
        if self.engine.dialect.name == "postgresql":
            self.conn = self.engine.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.invalidate()  # closing for real releases every lock this pass still held
            self.conn.close()
        for row_id in list(self.mine):
            self.release(row_id)

    def claim(self, row_id: int) -> bool:
        if self.conn is not None:
            got = bool(self.conn.execute(sa_text("SELECT pg_try_advisory_lock(:ns, :id)"),
                                         {"ns": self.namespace, "id": row_id}).scalar())
            self.conn.commit()
            return got
        key = (self.file, self.namespace, row_id)
        with self._guard:
            if key in self._held:
                return False  # another thread of this process
            if self.file:
                try:
                    fcntl.lockf(self._fd(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self._offset(row_id))
                except OSError:
                    return False  # another process
            self._held.add(key)
            self.mine.add(row_id)
            return True

    def release(self, row_id: int) -> None:
        if self.conn is not None:
            if not self.conn.closed and not self.conn.invalidated:
                self.conn.execute(sa_text("SELECT pg_advisory_unlock(:ns, :id)"),
                                  {"ns": self.namespace, "id": row_id})
                self.conn.commit()
            return
        with self._guard:
            if row_id not in self.mine:
                return
            if self.file:
                fcntl.lockf(self._fd(), fcntl.LOCK_UN, 1, self._offset(row_id))
            self._held.discard((self.file, self.namespace, row_id))
            self.mine.discard(row_id)

    def _fd(self) -> int:
        if self.file not in self._files:
            self._files[self.file] = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o600)
        return self._files[self.file]

    def _offset(self, row_id: int) -> int:
        return (self.namespace << 40) + row_id

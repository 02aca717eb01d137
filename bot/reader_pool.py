"""Reading ahead in worker processes (`[reading] workers`).

The reading step is pure and takes about half of a mail's time; on a machine with a spare core, worker
processes read the next mails while the service's process commits and delivers the current one. The order of
the mails is kept, and nothing changes in what is committed or when a source is acknowledged.

A worker is also a wall around the reader: a mail that makes it crash (a fault in a native PDF library) or
hang past `[reading] timeout_seconds` comes back as an unreadable reading with that reason, so it is
quarantined and replayable like any other unreadable mail, and a fresh worker takes over the rest.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import queue
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bot.adapters.sources import RawMail
from bot.core.explain import understand
from bot.faults import fault_from_env
from parsers.model import Evidence, Kind, Reading
from parsers.understand import ReadingContext

log = logging.getLogger(__name__)

# Workers are forked from a clean server process that has imported the reader once (no threads of the
# service, no open database connections are inherited).
_PRELOAD = ["bot.reader_pool", "parsers.reading", "spacy.lang.nl", "spacy.matcher", "spacy.util", "pypdfium2", "docx",
            "charset_normalizer"]
_START_SECONDS = 120  # a worker's start (a new interpreter importing the reader) is not the mail's reading time


def _serve(conn: Connection, fault_spec: str | None) -> None:
    """A worker: ("ctx", context or None for the one it has, changes) and ("read", raw) until "stop".

    Messages are received on a thread of their own while readings are sent back: the service sends its next
    mails before it takes the readings of earlier ones, so a worker that stopped receiving while a reading waits
    to be taken would leave both sides waiting on a full socket for ever."""
    fault = fault_from_env(fault_spec)
    ctx: ReadingContext | None = None
    fault("starting_reader")
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, inbox), name="ibt-reader-inbox", daemon=True).start()
    conn.send(("ready",))  # the reading timeout counts from here, not from the process start
    while True:
        msg = inbox.get()
        if msg[0] == "ctx":
            _, whole, changes = msg
            base = whole if whole is not None else ctx
            assert base is not None
            ctx = replace(base, **changes)
        elif msg[0] == "read":
            assert ctx is not None
            fault("while_reading")
            conn.send(understand(msg[1], ctx))
        else:
            return


def _receive(conn: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            msg = ("stop",)
        inbox.put(msg)
        if msg[0] not in ("ctx", "read"):
            return


@dataclass
class _Worker:
    proc: BaseProcess
    conn: Connection
    registry: object = None  # the registry object this worker holds a copy of
    batch: int = -1  # the batch whose context it has
    inflight: deque[RawMail] = field(default_factory=deque)
    ready: bool = False


class ReaderPool:
    """`workers` reader processes, each with up to `window` mails in flight, and no more than `window_bytes` of
    mail in flight in all (a few large mails are not held in memory sixteen at a time). Sixteen ahead keeps a
    worker busy through a run of mails that are quick to read while the service commits a slow one."""

    def __init__(self, workers: int, timeout_seconds: float = 120.0, window: int = 16,
                 fault_spec: str | None = None, window_bytes: int = 32_000_000) -> None:
        if workers < 1:
            raise ValueError("a reader pool needs at least one worker")
        self.size, self.timeout, self.window, self.window_bytes = workers, timeout_seconds, window, window_bytes
        self.fault_spec = fault_spec  # IBT_CRASH_AT, for the crash tests (bot.faults)
        self._mp = multiprocessing.get_context("forkserver")
        self._mp.set_forkserver_preload(_PRELOAD)
        self._workers: list[_Worker] = []
        self._batches = itertools.count()
        self.broken = ""  # why workers cannot start: the mails are then read in the service's process

    def _spawn(self) -> tuple[BaseProcess, Connection]:
        ours, theirs = self._mp.Pipe()
        proc = self._mp.Process(target=_serve, args=(theirs, self.fault_spec), name="ibt-reader", daemon=True)
        proc.start()
        theirs.close()
        return proc, ours

    def start(self) -> None:
        while len(self._workers) < self.size:
            self._workers.append(_Worker(*self._spawn()))

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers if w.proc.pid is not None]

    def close(self) -> None:
        for w in self._workers:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(("stop",))
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                w.proc.kill()
            w.conn.close()
        self._workers.clear()

    def read_ahead(self, mails: Iterable[RawMail], ctx: ReadingContext) -> Iterator[tuple[RawMail, Reading]]:
        """(mail, reading) for every mail, in order; up to `window` mails per worker are read ahead."""
        if self.broken:
            yield from ((m, understand(m.raw, ctx)) for m in mails)
            return
        self.start()
        batch = next(self._batches)
        turn = itertools.cycle(self._workers)
        queue: deque[_Worker] = deque()
        ahead = 0  # bytes of the mails in flight
        try:
            for mail in mails:
                w = next(turn)
                self._send(w, ("read", mail.raw), ctx, batch)
                w.inflight.append(mail)
                queue.append(w)
                ahead += len(mail.raw)
                while queue and (len(queue) >= self.window * self.size or ahead > self.window_bytes):
                    done = self._take(queue.popleft(), ctx, batch)
                    ahead -= len(done[0].raw)
                    yield done
            while queue:
                yield self._take(queue.popleft(), ctx, batch)
        finally:
            for w in self._workers:  # stopped early: answers still on their way must not reach the next batch
                if w.inflight and self.broken:
                    w.inflight.clear()
                elif w.inflight:
                    self._restart(w)

    def _send(self, w: _Worker, msg: tuple[str, Any], ctx: ReadingContext, batch: int) -> None:
        try:
            if w.batch != batch:
                whole = None if w.registry is ctx.registry else ctx
                w.conn.send(("ctx", whole, {"letters": ctx.letters, "own_domains": ctx.own_domains,
                                            "learned_domains": ctx.learned_domains, "threads": ctx.threads,
                                            "regions": ctx.regions}))
                w.registry, w.batch = ctx.registry, batch
            w.conn.send(msg)
        except (OSError, ValueError):
            pass  # a dead worker: found out, and its mails re-sent, when its answer is taken

    def _take(self, w: _Worker, ctx: ReadingContext, batch: int) -> tuple[RawMail, Reading]:
        mail = w.inflight[0]
        if self.broken:
            w.inflight.popleft()
            return mail, understand(mail.raw, ctx)
        reason = ""
        try:
            if not w.ready and w.conn.poll(_START_SECONDS):
                w.ready = w.conn.recv() == ("ready",)
            if w.ready and w.conn.poll(self.timeout):
                reading = w.conn.recv()
                w.inflight.popleft()
                return mail, reading
            reason = (f"reading took longer than {self.timeout:g} s" if w.ready
                      else f"the reader process did not start within {_START_SECONDS} s")
        except (EOFError, OSError):
            w.proc.join(timeout=5)
            reason = f"the reader process stopped (exit code {w.proc.exitcode})"
        if not w.ready:  # it never started: not this mail's fault, and no worker will do better
            self.broken = reason
            log.error("reader workers cannot start (%s); reading in the service's process from now on", reason)
            w.proc.kill()
            w.inflight.popleft()
            return mail, understand(mail.raw, ctx)
        log.warning("reader worker gave up on a mail from %s: %s", mail.source, reason)
        w.inflight.popleft()
        rest = list(w.inflight)
        self._restart(w)
        for other in rest:  # the mails after it on this worker are read again by the fresh one
            self._send(w, ("read", other.raw), ctx, batch)
            w.inflight.append(other)
        return mail, _gave_up(reason)

    def _restart(self, w: _Worker) -> None:
        w.proc.kill()
        w.proc.join(timeout=5)
        w.conn.close()
        w.proc, w.conn = self._spawn()
        w.registry, w.batch, w.ready = None, -1, False
        w.inflight.clear()


def _gave_up(reason: str) -> Reading:
    return Reading(kind=Kind.UNREADABLE, message_id="", subject="", sender="", sent_at=None, needs_triage=True,
                   evidence=(Evidence("unreadable", reason),), unreadable_reason=reason)

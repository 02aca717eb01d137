"""Reading ahead in worker processes (`[reading] workers`): the same readings in the same order as reading in the
service's process; a worker that crashes or hangs on a mail costs that mail a quarantine, not the service."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from bot.adapters.sources import RawMail
from bot.bootstrap import build
from bot.clock import FixedClock
from bot.core.explain import reading_as_dict, understand
from bot.delivery import ConsoleSink
from bot.reader_pool import ReaderPool
from bot.settings import load_settings
from bot.store.models import InboundMailRow
from parsers.model import Kind, LetterRef
from parsers.understand import ReadingContext
from tests.conftest import DEV, ROOT
from tests.support.reading import shared_registry

MAILS = sorted(DEV.glob("*.eml"))[:12]


def _raw(paths: list[Path]) -> list[RawMail]:
    return [RawMail("test", p.name, p.read_bytes()) for p in paths]


def test_workers_read_like_the_service_process_in_the_same_order() -> None:
    ctx = ReadingContext(registry=shared_registry())
    pool = ReaderPool(2, window=2)
    try:
        got = list(pool.read_ahead(_raw(MAILS), ctx))
        assert [m.source_id for m, _ in got] == [p.name for p in MAILS]
        for mail, reading in got:
            assert reading_as_dict(reading) == reading_as_dict(understand(mail.raw, ctx)), mail.source_id
        # the next batch brings its own register: the workers read with it, not with the last one
        hilversum = DEV / "d011-hilversum-reactie-ibt.eml"
        letters = {"7468089": LetterRef("7468089", "GM0402", date(2026, 4, 9), "info@hilversum.nl",
                                        "informatieverzoek")}
        (_, before), = pool.read_ahead(_raw([hilversum]), ctx)
        (_, after), = pool.read_ahead(_raw([hilversum]), ReadingContext(registry=ctx.registry, letters=letters))
        assert before.reference is None or before.needs_triage
        assert after.reference is not None and after.reference.value == "7468089"
    finally:
        pool.close()


def test_reading_ahead_is_bounded_in_mails_and_in_bytes() -> None:
    ctx = ReadingContext(registry=shared_registry())
    for window, window_bytes, pulled_first in ((16, 32_000_000, 12), (3, 32_000_000, 3), (16, 1, 1)):
        pool = ReaderPool(1, window=window, window_bytes=window_bytes)
        pulled: list[str] = []

        def fetched(pulled: list[str] = pulled) -> Iterator[RawMail]:
            for m in _raw(MAILS):
                pulled.append(m.source_id)
                yield m

        try:
            batch = pool.read_ahead(fetched(), ctx)
            first, _ = next(batch)  # how many mails the source had to give before the first reading came back
            assert first.source_id == MAILS[0].name and len(pulled) == pulled_first, (window, window_bytes)
            assert [m.source_id for m, _ in batch] == [p.name for p in MAILS[1:]]
        finally:
            pool.close()


def test_large_readings_do_not_jam_the_pipe_between_service_and_worker() -> None:
    """The service sends sixteen mails ahead before it takes a reading; readings of 30 KB mails fill the socket
    long before that, so the worker must keep receiving while its readings wait (this used to hang for ever)."""
    ctx = ReadingContext(registry=shared_registry())
    body = "\n".join(f"Regel {i}: de stand van zaken in Hilversum, zonder kenmerk." for i in range(560))
    mails = [RawMail("test", str(i), f"Subject: stand {i}\r\nFrom: a@hilversum.nl\r\n\r\n{body}".encode())
             for i in range(40)]
    pool = ReaderPool(1)
    got: list[str] = []
    reading = threading.Thread(target=lambda: got.extend(m.source_id for m, _ in pool.read_ahead(mails, ctx)),
                               daemon=True)
    try:
        reading.start()
        reading.join(120)
        assert not reading.is_alive(), "reading ahead jammed"
        assert got == [m.source_id for m in mails]
    finally:
        for pid in pool.pids():  # a jammed pool cannot be asked to stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pool.close()


def test_a_batch_stopped_early_leaves_no_answer_for_the_next() -> None:
    ctx = ReadingContext(registry=shared_registry())
    pool = ReaderPool(1, window=4)
    try:
        batch = pool.read_ahead(_raw(MAILS[:6]), ctx)
        first = next(batch)
        assert first[0].source_id == MAILS[0].name
        batch.close()  # e.g. the service stopping in the middle of a poll
        got = list(pool.read_ahead(_raw(MAILS[6:9]), ctx))
        assert [m.source_id for m, _ in got] == [p.name for p in MAILS[6:9]]
        assert [r.subject for _, r in got] == [understand(p.read_bytes(), ctx).subject for p in MAILS[6:9]]
    finally:
        pool.close()


def test_a_hanging_reader_gives_up_on_that_mail_only() -> None:
    ctx = ReadingContext(registry=shared_registry())
    pool = ReaderPool(1, timeout_seconds=1.0, fault_spec="hang_while_reading:2")
    try:
        got = list(pool.read_ahead(_raw(MAILS[:3]), ctx))  # the third is read again by a fresh worker
        assert [m.source_id for m, _ in got] == [p.name for p in MAILS[:3]]
        kinds = [r.kind for _, r in got]
        assert kinds[1] is Kind.UNREADABLE and "longer than 1 s" in (got[1][1].unreadable_reason or "")
        assert Kind.UNREADABLE not in (kinds[0], kinds[2])
    finally:
        pool.close()


def test_workers_that_cannot_start_leave_the_reading_to_the_service_process() -> None:
    ctx = ReadingContext(registry=shared_registry())
    pool = ReaderPool(1, fault_spec="starting_reader")  # every worker dies before it is ready
    try:
        got = list(pool.read_ahead(_raw(MAILS[:3]), ctx))
        assert pool.broken and "stopped" in pool.broken
        assert [reading_as_dict(r) for _, r in got] == [reading_as_dict(understand(p.read_bytes(), ctx))
                                                        for p in MAILS[:3]]  # none quarantined
        (_, later), = pool.read_ahead(_raw(MAILS[3:4]), ctx)
        assert later.kind is not Kind.UNREADABLE
    finally:
        pool.close()


def test_a_reader_crash_quarantines_the_mail_and_the_service_goes_on(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    md = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (md / sub).mkdir(parents=True)
    for p in MAILS[:3]:  # the worker dies reading the second; a fresh one reads the third
        shutil.copy(p, md / "new" / p.name)
    (tmp_path / "op.toml").write_text(f'[mailbox]\nsource = "maildir"\nmaildir = "{md}"\n[reading]\nworkers = 1\n')
    for k, v in {"IBT_HOME": str(tmp_path), "IBT_DATABASE_URL": f"sqlite:///{tmp_path}/var/ibt.db",
                 "IBT_CONFIG": str(tmp_path / "op.toml"), "IBT_CRASH_AT": "while_reading:2"}.items():
        monkeypatch.setenv(k, v)
    from bot.adapters.sources import MaildirSource

    app = build(load_settings(), clock=FixedClock(datetime(2026, 5, 4, 9, tzinfo=UTC)), alerts=ConsoleSink(echo=False))
    try:
        counts = app.intake.run(MaildirSource(md, app.settings.limits.max_mail_bytes))
    finally:
        assert app.intake.reader is not None
        app.intake.reader.close()
        app.engine.dispose()
    assert counts["new"] == 2 and counts["quarantined"] == 1
    assert list((md / "new").iterdir()) == []  # all acknowledged: the service was not stopped
    with Session(create_engine(f"sqlite:///{tmp_path}/var/ibt.db")) as s:
        bad = s.exec(select(InboundMailRow).where(InboundMailRow.outcome == "quarantined")).one()
    assert "reader process stopped" in (bad.reason or "") and str(-signal.SIGKILL) in (bad.reason or "")
    # replayable: read again (here in the service's process) it is an ordinary mail
    env = {k: v for k, v in os.environ.items() if k != "IBT_CRASH_AT"}
    done = subprocess.run([sys.executable, "-m", "bot", "replay", "--all-quarantined"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with Session(create_engine(f"sqlite:///{tmp_path}/var/ibt.db")) as s:
        assert s.get(InboundMailRow, bad.id).outcome == "processed"  # type: ignore[union-attr]

"""`ibt bench`: speed and memory as ratios measured in one run, on a workload made from our own fixtures.

The floor is the bare stdlib parse of the same bytes (`email.message_from_bytes` with `policy.default` and
`get_content()` of every text part); full ingestion (archive, read, decide, commit, outbox) is measured
against it on the same machine in the same run, so the figures compare across machines. Tests never
assert wall-clock times; this command reports them.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.adapters.sources import MaildirSource
from bot.bootstrap import build
from bot.clock import FixedClock
from bot.core.calendar import AtwCalendar
from bot.core.chase import ChasePolicy, LetterDue, due_chase
from bot.core.explain import understand
from bot.core.lifecycle import LetterSnapshot, LetterState
from bot.delivery import ConsoleSink
from bot.settings import CONFIG_DIR, load_settings

_MID = re.compile(rb"^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n", re.IGNORECASE | re.MULTILINE)


def make_workload(sources: list[Path], count: int, maildir: Path) -> list[bytes]:
    """`count` mails cycled from the fixtures, each with its own Message-ID (so none is a duplicate)."""
    originals = [p.read_bytes() for p in sources]
    (maildir / "new").mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        raw = _MID.sub(b"", originals[i % len(originals)], count=1)
        raw = f"Message-ID: <bench.{i}@bench.invalid>\r\n".encode() + raw
        (maildir / "new" / f"{i:06d}.eml").write_bytes(raw)
        out.append(raw)
    return out


def stdlib_floor(mails: list[bytes]) -> float:
    t = time.perf_counter()
    for raw in mails:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                with contextlib.suppress(Exception):  # the floor counts the work, not its success
                    part.get_content()
    return time.perf_counter() - t


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def chase_over_342(calendar: AtwCalendar) -> float:
    """The pure chase over one overdue letter for each of the 342 municipalities, in seconds."""
    letters = [LetterDue(LetterSnapshot(f"{7000000 + i}", LetterState.AWAITING_REPLY, date(2026, 4, 30)),
                         f"GM{i:04d}", f"Gemeente {i}", date(2026, 4, 9), "informatieverzoek", f"info@g{i}.nl")
               for i in range(342)]
    t = time.perf_counter()
    due_chase(letters, date(2026, 5, 1), calendar, ChasePolicy())
    return time.perf_counter() - t


def cold_start(runs: int = 3) -> float:
    """A fresh process that reads one mail (imports, reference data, spaCy): the median of `runs`, after one
    run that lets Python write its bytecode caches, as an installed service has them."""
    sample = next((CONFIG_DIR / "sample" / "maildir" / "new").glob("*.eml"))
    times = []
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, IBT_HOME=home, IBT_DATABASE_URL=f"sqlite:///{home}/var/ibt.db")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for _ in range(runs + 1):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "explain", "--json", str(sample)], env=env, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - t)
    return statistics.median(times[1:])


def run_bench(count: int, fixtures: list[Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["IBT_HOME"] = str(home)
        os.environ["IBT_DATABASE_URL"] = f"sqlite:///{home}/var/ibt.db"
        mails = make_workload(fixtures, count, home / "Maildir")
        floor = stdlib_floor(mails)
        clock = FixedClock(datetime(2026, 5, 4, 9, tzinfo=UTC))
        app = build(load_settings(), clock=clock, alerts=ConsoleSink(echo=False))
        ctx = app.intake.reading_context()
        understand(mails[0], ctx)  # warm: spaCy and the matchers load once per process
        t = time.perf_counter()
        for raw in mails:
            understand(raw, ctx)
        read_s = time.perf_counter() - t
        source = MaildirSource(home / "Maildir", app.settings.limits.max_mail_bytes)
        per_mail: list[float] = []
        t_all = time.perf_counter()
        deliver_s = 0.0
        for mail in source.fetch():
            t0 = time.perf_counter()
            app.intake.process(mail, ctx)
            t1 = time.perf_counter()
            app.deliverer.deliver_pending()
            source.ack(mail)
            deliver_s += time.perf_counter() - t1
            per_mail.append(time.perf_counter() - t0)
            clock.at += timedelta(seconds=1)
        total = time.perf_counter() - t_all
        app.engine.dispose()
    chase_s = chase_over_342(app.calendar)
    return {
        "mails": count,
        "mails_per_second": round(count / total, 1),
        "ratio_to_stdlib_parse": round(total / floor, 2),
        "stdlib_parse_ms_per_mail": round(1000 * floor / count, 3),
        "p50_ms": round(1000 * statistics.median(per_mail), 2),
        "p99_ms": round(1000 * _percentile(per_mail, 0.99), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "stages_ms_per_mail": {
            "read": round(1000 * read_s / count, 3),
            "archive_decide_commit": round(1000 * (total - deliver_s - read_s) / count, 3),
            "deliver_and_ack": round(1000 * deliver_s / count, 3),
        },
        "chase_342_cases_ms": round(1000 * chase_s, 2),
        "cold_start_s": round(cold_start(), 2),
    }

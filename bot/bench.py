"""`ibt bench`: speed and memory as ratios measured in one run, on a workload made from our own fixtures.

The floor is the bare stdlib parse of the same bytes (`email.message_from_bytes` with `policy.default` and
`get_content()` of every text part); full ingestion (archive, read, decide, commit, outbox) is measured
against it on the same machine in the same run, so the figures compare across machines. Tests never
assert wall-clock times; this command reports them.
"""

from __future__ import annotations

import contextlib
import csv
import email
import email.policy
import io
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.adapters.sources import MaildirSource, RawMail
from bot.bootstrap import build
from bot.clock import FixedClock
from bot.core.calendar import AtwCalendar
from bot.core.chase import ChasePolicy, LetterDue, due_chase
from bot.core.explain import understand
from bot.core.letters import parse_letters_csv
from bot.core.lifecycle import LetterSnapshot, LetterState
from bot.delivery import ConsoleSink
from bot.reference_data import load_calendar, load_regions, load_registry
from bot.sampling import time_share
from bot.services import import_letters
from bot.settings import CONFIG_DIR, load_settings
from parsers.model import LetterRef
from parsers.references import near_index, near_misses
from parsers.registry import Registry
from parsers.understand import ReadingContext

_MID = re.compile(rb"^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n", re.IGNORECASE | re.MULTILINE)


def make_workload(sources: list[Path], count: int, maildir: Path | None = None) -> list[bytes]:
    """`count` mails cycled from the fixtures, each with its own Message-ID (so none is a duplicate); written
    to `maildir`'s new/ when given."""
    originals = [p.read_bytes() for p in sources]
    if maildir is not None:
        (maildir / "new").mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        raw = _MID.sub(b"", originals[i % len(originals)], count=1)
        raw = f"Message-ID: <bench.{i}@bench.invalid>\r\n".encode() + raw
        if maildir is not None:
            (maildir / "new" / f"{i:06d}.eml").write_bytes(raw)
        out.append(raw)
    return out


LETTERS_PER_MUNICIPALITY = 3


def bench_register(fixtures: list[Path], registry: Registry) -> str:
    """A letters register (CSV) of a realistic size: the letters the fixtures answer (their folders'
    letters.csv), and letters to every municipality up to three each, whose references are no single edit from
    a fixture letter's (so the fixtures read as in their own register)."""
    header, rows = "reference,municipality,sent_on,kind,trede,deadline,to_address", []
    for folder in dict.fromkeys(p.parent for p in fixtures):
        if (folder / "letters.csv").is_file():
            rows += (folder / "letters.csv").read_text(encoding="utf-8").splitlines()[1:]
    fixture_refs = dict.fromkeys(r.split(",", 1)[0] for r in rows if r.strip())
    index, taken = near_index(fixture_refs), set(fixture_refs)
    count = Counter(r.split(",")[1] for r in rows if r.strip())
    rng = random.Random(7468089)
    sent = [("2025-11-13", "2025-12-04"), ("2026-01-15", "2026-02-05"), ("2026-03-12", "2026-04-02")]
    for m in registry.municipalities:
        for i in range(LETTERS_PER_MUNICIPALITY - count[m.name]):
            ref = ""
            while not ref or ref in taken or near_misses(ref, fixture_refs, index):
                ref = str(rng.randrange(8_000_000, 9_000_000))
            taken.add(ref)
            on, deadline = sent[i % len(sent)]
            rows.append(_csv_line([ref, m.name, on, "informatieverzoek", "2", deadline,
                                   f"info@{(m.domains or ('example.nl',))[0]}"]))
    return "\n".join([header, *rows]) + "\n"


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def register_letters(register: str, registry: Registry, calendar: AtwCalendar) -> dict[str, LetterRef]:
    rows, errors = parse_letters_csv(register, registry, calendar)
    if errors:
        raise RuntimeError(f"the bench register does not import: {errors[:3]}")
    return {r.reference: LetterRef(r.reference, r.municipality_code, r.sent_on, r.to_address, r.kind) for r in rows}


def stdlib_floor(mails: list[bytes], passes: int = 3) -> float:
    """Seconds for the bare stdlib parse of every mail: the fastest of `passes` passes (the floor is not
    allowed to look slow because the first pass warmed caches)."""
    best = float("inf")
    for _ in range(passes):
        t = time.perf_counter()
        for raw in mails:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            for part in msg.walk():
                if part.get_content_maintype() == "text":
                    with contextlib.suppress(Exception):  # the floor counts the work, not its success
                        part.get_content()
        best = min(best, time.perf_counter() - t)
    return best


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


class _Marks:
    """Intake's fault hook used as a stopwatch: the time of each point a mail passes in `Intake.run`."""

    def __init__(self) -> None:
        self.at: dict[str, list[float]] = {p: [] for p in ("after_fetch", "after_commit", "before_ack",
                                                           "before_delivery", "after_delivery")}

    def __call__(self, point: str) -> None:
        if point in self.at:
            self.at[point].append(time.perf_counter())


def _proc_figures(pid: int) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of another process of ours (Linux /proc), (0, 0) where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0, 0.0
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
    return cpu, int(hwm.group(1)) / 1024 if hwm else 0.0


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def ingest(fixtures: list[Path], count: int, workers: int, register: str) -> dict[str, Any]:
    """Full ingestion (`Intake.run`: archive, read, decide, commit, deliver, ack) of `count` mails in a fresh
    home, reading in this process (`workers` 0) or ahead in `workers` reader processes."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["IBT_HOME"] = str(home)
        os.environ["IBT_DATABASE_URL"] = f"sqlite:///{home}/var/ibt.db"
        make_workload(fixtures, count, home / "Maildir")
        settings = load_settings()
        settings = settings.model_copy(update={"reading": settings.reading.model_copy(update={"workers": workers})})
        app = build(settings, clock=FixedClock(datetime(2026, 5, 4, 9, tzinfo=UTC)), alerts=ConsoleSink(echo=False))
        imported = import_letters(app, register)
        if imported.errors:
            raise RuntimeError(f"the bench register does not import: {imported.errors[:3]}")
        ctx, warm = app.intake.reading_context(), b"Subject: warm\r\n\r\nGemeente Hilversum"
        understand(warm, ctx)  # spaCy and the matcher load once per process, before the clock runs
        pool = app.intake.reader
        if pool is not None:  # so do the workers, as in a running service
            list(pool.read_ahead([RawMail("warm", str(i), warm) for i in range(workers)], ctx))
        marks = _Marks()
        app.intake.fault = marks
        worker_cpu0 = sum(_proc_figures(pid)[0] for pid in (pool.pids() if pool else []))
        cpu0 = _cpu_self()
        t0 = time.perf_counter()
        counts = app.intake.run(MaildirSource(home / "Maildir", app.settings.limits.max_mail_bytes))
        total = time.perf_counter() - t0
        cpu = _cpu_self() - cpu0
        workers_now = [_proc_figures(pid) for pid in (pool.pids() if pool else [])]
        cpu += sum(c for c, _ in workers_now) - worker_cpu0
        if pool is not None:
            pool.close()
        app.engine.dispose()
    if counts["new"] != count:
        raise RuntimeError(f"the workload was not ingested as new mail: {dict(counts)}")
    fetch, commit, ack = marks.at["after_fetch"], marks.at["after_commit"], marks.at["before_ack"]
    per_mail = [b - a for a, b in zip([t0, *ack[:-1]], ack, strict=True)]  # from one mail's ack to the next
    delivering = sum(b - a for a, b in zip(marks.at["before_delivery"], marks.at["after_delivery"], strict=True))
    return {
        "mails_per_second": round(count / total, 1),
        "seconds": total,
        "cpu_ms_per_mail": round(1000 * cpu / count, 3),
        "p50_ms": round(1000 * statistics.median(per_mail), 2),
        "p99_ms": round(1000 * _percentile(per_mail, 0.99), 2),
        "commit_ms_per_mail": round(1000 * sum(c - f for f, c in zip(fetch, commit, strict=True)) / count, 3),
        "deliver_ms_per_mail": round(1000 * delivering / count, 3),
        "worker_peak_rss_mb": round(max((r for _, r in workers_now), default=0.0), 1),
    }


def resolution_share(mails: list[bytes], ctx: ReadingContext) -> float:
    """The share of the reading step spent resolving municipalities and references, sampled (bot.sampling)."""
    from parsers import municipalities, refchoice
    from parsers import understand as whole

    inside = (municipalities.find_municipalities.__code__, refchoice.decide_reference.__code__,
              refchoice.find_machine_references.__code__)
    return time_share(lambda: [understand(raw, ctx) for raw in mails], whole.read_mail.__code__, inside)


def run_bench(count: int, fixtures: list[Path], workers: int | None = None) -> dict[str, Any]:
    """Every figure in one run. `workers`: reader processes of the pipelined run (default: one when the
    machine has a second core)."""
    workers = workers if workers is not None else (1 if (os.cpu_count() or 1) >= 2 else 0)
    mails = make_workload(fixtures, count)
    floor = stdlib_floor(mails)
    registry, calendar = load_registry(CONFIG_DIR), load_calendar(CONFIG_DIR)
    register = bench_register(fixtures, registry)
    ctx = ReadingContext(registry=registry, letters=register_letters(register, registry, calendar),
                         regions=load_regions(CONFIG_DIR, registry))
    understand(mails[0], ctx)  # warm: spaCy and the matchers load once per process
    t = time.perf_counter()
    for raw in mails:
        understand(raw, ctx)
    read_s = time.perf_counter() - t
    share = resolution_share(mails[: min(count, 1000)], ctx)
    single = ingest(fixtures, count, 0, register)
    piped = ingest(fixtures, count, workers, register) if workers else single
    chase_s = chase_over_342(calendar)
    return {
        "mails": count,
        "register_letters": len(ctx.letters),
        "reader_workers": workers,
        "mails_per_second": piped["mails_per_second"],
        "ratio_to_stdlib_parse": round(piped["seconds"] / floor, 2),
        "stdlib_parse_ms_per_mail": round(1000 * floor / count, 3),
        "p50_ms": piped["p50_ms"],
        "p99_ms": piped["p99_ms"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_rss_mb": piped["worker_peak_rss_mb"],
        "cpu_ms_per_mail": piped["cpu_ms_per_mail"],
        "cpu_ratio_to_stdlib_parse": round(piped["cpu_ms_per_mail"] / (1000 * floor / count), 2),
        "stages_ms_per_mail": {
            "read": round(1000 * read_s / count, 3),
            "resolve_municipality_and_reference": round(1000 * read_s * share / count, 3),
            "archive_decide_commit": piped["commit_ms_per_mail"],
            "deliver": piped["deliver_ms_per_mail"],
        },
        "single_process": {k: single[k] for k in ("mails_per_second", "p50_ms", "p99_ms", "cpu_ms_per_mail")}
        | {"ratio_to_stdlib_parse": round(single["seconds"] / floor, 2)},
        "chase_342_cases_ms": round(1000 * chase_s, 2),
        "cold_start_s": round(cold_start(), 2),
    }

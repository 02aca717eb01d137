"""The scheduler's triggers and jobs: fire times tested without sleeping, jobs idempotent when run twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.bootstrap import App
from bot.clock import FixedClock
from bot.scheduler import build_scheduler, catch_up, chase_job, digest_job, next_runs
from bot.services import import_letters
from bot.store.leader import Leadership
from bot.store.models import OutboxRow
from tests.conftest import DEV

AMS = ZoneInfo("Europe/Amsterdam")


def test_triggers_fire_at_the_configured_local_times(app: App) -> None:
    sched = build_scheduler(app, Leadership(app.engine))
    runs = next_runs(sched, datetime(2026, 5, 1, 10, 0, tzinfo=AMS))  # a Friday, after 09:00
    chase = runs["chase"]
    assert chase is not None and (chase.weekday(), chase.hour, chase.day) == (0, 9, 4)  # Monday 4 May 09:00
    digest = runs["digest"]
    assert digest is not None and (digest.weekday(), digest.hour) == (0, 9)
    # across the switch to summer time the chase stays at 09:00 local
    spring = next_runs(sched, datetime(2026, 3, 27, 10, 0, tzinfo=AMS))["chase"]
    assert spring is not None and spring.hour == 9 and spring.utcoffset() is not None
    assert spring.day == 30 and spring.utcoffset().total_seconds() == 7200  # type: ignore[union-attr]


def test_jobs_twice_do_the_work_once(app: App, clock: FixedClock) -> None:
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    clock.at = datetime(2026, 5, 4, 9, 0, tzinfo=AMS)  # Monday: chase and digest both due
    leader = Leadership(app.engine)
    for _ in range(2):
        chase_job(app, leader)
        digest_job(app, leader)
        catch_up(app, leader)  # a restart on the same morning
    with Session(app.engine) as s:
        keys = [r.idempotency_key for r in s.exec(select(OutboxRow)).all()]
    assert len(keys) == len(set(keys))
    assert sum(k.startswith("reminder:") for k in keys) > 20
    assert keys.count("digest:2026-W19") == 1


def test_sqlite_is_always_the_leader(app: App) -> None:
    assert Leadership(app.engine).holds()


@pytest.mark.postgres
def test_one_leader_among_instances_on_postgres(pg_url: str) -> None:
    from bot.store.db import make_engine

    first, second = Leadership(make_engine(pg_url)), Leadership(make_engine(pg_url))
    assert first.holds() and not second.holds()
    assert first.holds()  # keeps it
    first.release()  # the holder dies: its connection closes
    assert second.holds() and not first.holds()
    second.release()

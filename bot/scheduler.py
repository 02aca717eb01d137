"""The clock inside `ibt run`: APScheduler 3.11 with an in-memory job store (jobs are fixed in code).

Every job derives what to do from the database, so running it twice, late, or after downtime does the
right thing once (chase items and digests carry keys). The mailbox itself is read by the main loop of
`ibt run` (it may block in IMAP IDLE); the scheduler runs beside it: outbox delivery, the daily chase at
09:00 on Atw working days, the weekly digest, and a daily health check. At start-up the chase and digest
catch up once, so a restart after an outage does not wait for tomorrow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session

from bot.bootstrap import App
from bot.chase import run_chase
from bot.core.chase import ChasePolicy
from bot.core.health import decide_source_failure
from bot.digest import run_digest
from bot.store import repo
from bot.store.leader import Leadership
from bot.store.source_state import SourceStateStore

log = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri")
STALE_SOURCE = timedelta(hours=24)  # a source without a successful sync this long gets a health alert


def chase_job(app: App, leader: Leadership) -> None:
    if leader.holds():
        cfg = app.settings.chase
        report = run_chase(app, app.clock.now(), ChasePolicy(cfg.reminder_days, cfg.send_reminders))
        log.info("chase: %d reminders, %d slipped, %d escalations due", len(report.reminders),
                 len(report.deadlines_slipped), len(report.escalations_due))
        app.deliverer.deliver_pending()


def digest_job(app: App, leader: Leadership) -> None:
    if leader.holds():
        run_digest(app, app.clock.now())
        app.deliverer.deliver_pending()


def health_job(app: App) -> None:
    """A source that has not synced for a day is raised, once per episode (the poll loop raises failures)."""
    now = app.clock.now()
    for h in SourceStateStore(app.engine).health():
        if h.last_success_at is not None and now - h.last_success_at > STALE_SOURCE:
            error = f"geen geslaagde synchronisatie sinds {h.last_success_at:%Y-%m-%d %H:%M}"
            decision = decide_source_failure(h.name, error, False, h.last_success_at, now)
            with Session(app.engine) as s, s.begin():
                repo.apply_decision(s, decision, None, None, now)
    app.deliverer.deliver_pending()


def _guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
    """A job's failure is logged and retried at its next run; it never stops the scheduler."""
    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("job %s failed; it runs again at its next time", name)
    return run


def catch_up(app: App, leader: Leadership) -> None:
    """After a restart: today's chase if its hour has passed, and this week's digest if its time has passed."""
    cfg = app.settings.chase
    local = app.clock.now().astimezone(ZoneInfo(app.settings.timezone))
    if local.hour >= cfg.hour:
        _guarded("chase", lambda: chase_job(app, leader))()
    if (local.weekday(), local.hour) >= (cfg.digest_weekday, cfg.digest_hour):
        _guarded("digest", lambda: digest_job(app, leader))()


def build_scheduler(app: App, leader: Leadership) -> BackgroundScheduler:
    cfg = app.settings.chase
    tz = ZoneInfo(app.settings.timezone)
    sched = BackgroundScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 3600})
    sched.add_job(_guarded("outbox", app.deliverer.deliver_pending), IntervalTrigger(seconds=15), id="outbox")
    sched.add_job(_guarded("chase", lambda: chase_job(app, leader)),
                  CronTrigger(day_of_week="mon-fri", hour=cfg.hour, minute=0, timezone=tz), id="chase")
    sched.add_job(_guarded("digest", lambda: digest_job(app, leader)),
                  CronTrigger(day_of_week=DAYS[cfg.digest_weekday], hour=cfg.digest_hour, minute=5, timezone=tz),
                  id="digest")
    sched.add_job(_guarded("health", lambda: health_job(app)),
                  CronTrigger(hour=8, minute=30, timezone=tz), id="health")
    return sched


def next_runs(sched: BackgroundScheduler, now: datetime) -> dict[str, datetime | None]:
    """When each job fires next after `now` (for `ibt status` and tests; no sleeping)."""
    return {job.id: job.trigger.get_next_fire_time(None, now) for job in sched.get_jobs()}

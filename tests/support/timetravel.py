"""Drive the service through the calendar: each day, the day's mails arrive, then the 09:00 chase runs."""

from __future__ import annotations

import email
import email.policy
import email.utils
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters.sources import FileSource
from bot.bootstrap import App
from bot.chase import ChaseReport, run_chase
from bot.clock import FixedClock
from bot.core.chase import ChasePolicy

AMS = ZoneInfo("Europe/Amsterdam")


def mails_by_day(folder: Path) -> dict[date, list[Path]]:
    out: dict[date, list[Path]] = {}
    for f in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.compat32)
        when = email.utils.parsedate_to_datetime(str(msg["Date"])).astimezone(AMS)
        out.setdefault(when.date(), []).append(f)
    return out


def days(start: date, end: date) -> Iterable[date]:
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def live_day(app: App, clock: FixedClock, day: date, mails: list[Path], chase_runs: int = 1) -> list[ChaseReport]:
    """08:00 the mails arrive; 09:00 the chase runs `chase_runs` times (0: the service was down)."""
    clock.at = datetime.combine(day, time(8, 0), AMS)
    if mails:
        app.intake.run(FileSource(mails, 50 * 1024 * 1024))
    clock.at = datetime.combine(day, time(9, 0), AMS)
    return [run_chase(app, clock.at, ChasePolicy()) for _ in range(chase_runs)]

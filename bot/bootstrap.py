"""The composition root: the one place where settings become objects (store, sources, sinks, intake)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bot.adapters.archive import Archive
from bot.adapters.sources import MaildirSource, MailSource
from bot.clock import Clock, SystemClock
from bot.core.calendar import AtwCalendar
from bot.delivery import AlertSink, ConsoleSink, Deliverer
from bot.intake import Intake
from bot.reference_data import load_calendar, load_registry
from bot.settings import CONFIG_DIR, ConfigError, Settings
from bot.store import repo
from bot.store.db import make_engine, migrate
from parsers.registry import Registry

SAMPLE_DIR = CONFIG_DIR / "sample"


@dataclass
class App:
    settings: Settings
    engine: Engine
    registry: Registry
    calendar: AtwCalendar
    clock: Clock
    archive: Archive
    deliverer: Deliverer
    intake: Intake


def database_exists(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return True
    return Path(parsed.database).exists()


def build(settings: Settings, *, clock: Clock | None = None, alerts: AlertSink | None = None,
          read_only: bool = False) -> App:
    """Wire everything. `read_only` (for `ibt explain`) neither migrates nor writes reference data."""
    clock = clock or SystemClock()
    registry = load_registry(CONFIG_DIR)
    calendar = load_calendar(CONFIG_DIR)
    engine = make_engine(settings.database_url)
    if not read_only:
        migrate(engine)
        with Session(engine) as s:
            repo.sync_municipalities(s, registry)
            s.commit()
    archive = Archive(settings.var / "archive")
    deliverer = Deliverer(engine, alerts or ConsoleSink(), clock)
    intake = Intake(engine, archive, registry, clock, deliverer, settings.home,
                    frozenset(settings.mailbox.own_domains), settings.timezone)
    return App(settings, engine, registry, calendar, clock, archive, deliverer, intake)


def build_source(app: App) -> MailSource:
    """The mail source configured for `ibt run`."""
    mb = app.settings.mailbox
    limit = app.settings.limits.max_mail_bytes
    if mb.source == "sample":
        target = app.settings.var / "sample-maildir"
        if not target.exists():
            shutil.copytree(SAMPLE_DIR / "maildir", target)
        return MaildirSource(target, limit)
    if mb.source == "maildir":
        if not mb.maildir:
            raise ConfigError("invalid configuration:\n  mailbox.maildir: required when mailbox.source = 'maildir'")
        return MaildirSource(Path(mb.maildir), limit)
    raise ConfigError(f"invalid configuration:\n  mailbox.source: {mb.source!r} is not available yet")

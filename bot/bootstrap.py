"""The composition root: the one place where settings become objects (store, sources, sinks, intake)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.adapters.archive import Archive
from bot.adapters.sources import MaildirSource, MailSource
from bot.clock import Clock, SystemClock
from bot.core.calendar import AtwCalendar
from bot.delivery import AlertSink, ConsoleSink, Deliverer, MailSink
from bot.faults import fault_from_env
from bot.intake import Intake
from bot.reader_pool import ReaderPool
from bot.reference_data import load_calendar, load_regions, load_registry
from bot.settings import CONFIG_DIR, ConfigError, Settings, kind_model
from bot.store import repo
from bot.store.db import make_engine, migrate
from bot.store.source_state import SourceStateStore
from parsers.registry import Registry

if TYPE_CHECKING:
    from bot.outbound import MailTransport

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
    # Fault injection for the crash tests only (bot/faults.py); unset in production.
    fault = fault_from_env(os.environ.get("IBT_CRASH_AT"))
    deliverer = Deliverer(engine, alerts or build_alert_sink(settings, engine, clock), clock,
                          mail=build_mailer(settings, engine, clock),
                          fault=fault)
    try:
        regions = load_regions(CONFIG_DIR, registry)
    except ValueError as exc:
        raise ConfigError(f"invalid configuration:\n  {exc}") from exc
    intake = Intake(engine, archive, registry, clock, deliverer, settings.home,
                    frozenset(settings.mailbox.own_domains), settings.timezone, regions=regions,
                    acknowledge=settings.mail.acknowledge_receipt, fault=fault, kind_model=kind_model(settings),
                    reader=(ReaderPool(settings.reading.workers, settings.reading.timeout_seconds,
                                       fault_spec=os.environ.get("IBT_CRASH_AT"))
                            if settings.reading.workers and not read_only else None))
    return App(settings, engine, registry, calendar, clock, archive, deliverer, intake)


def build_alert_sink(settings: Settings, engine: Engine, clock: Clock) -> AlertSink:
    """Slack when SLACK_BOT_TOKEN is set (slack_sdk is imported only then), else the terminal."""
    if settings.slack_bot_token is None:
        return ConsoleSink()
    from zoneinfo import ZoneInfo

    from bot.slack.runner import make_client
    from bot.slack.sink import SlackSink

    zone = ZoneInfo(settings.timezone)
    return SlackSink(engine, make_client(settings), settings.slack, clock, lambda: clock.now().astimezone(zone).date())


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
    if mb.source == "imap":
        from bot.adapters.imap_source import ImapSource

        password = app.settings.imap_password.get_secret_value() if app.settings.imap_password else ""
        return ImapSource(mb.imap, password, limit, SourceStateStore(app.engine))
    if mb.source == "ews":
        from bot.adapters.ews_source import EwsSource

        return EwsSource(ews_account_factory(app.settings), mb.ews, limit, SourceStateStore(app.engine),
                         mb.ews.mailbox or mb.address)
    raise ConfigError(f"invalid configuration:\n  mailbox.source: {mb.source!r} is not available yet")


def ews_account_factory(settings: Settings) -> Callable[[], Any]:
    """A function that opens the EWS account (exchangelib is imported only when EWS is configured)."""
    from bot.adapters.ews_account import open_account

    ews = settings.mailbox.ews
    secret = settings.ews_client_secret if ews.auth == "oauth2" else settings.ews_password
    mailbox = ews.mailbox or settings.mailbox.address
    return lambda: open_account(ews, mailbox, secret.get_secret_value() if secret else "")


def build_mailer(settings: Settings, engine: Engine, clock: Clock) -> MailSink | None:
    """The outbound mail sink for outbox rows of channel "mail"; None when `mail.transport = "none"`."""
    from bot.outbound import MailDispatcher

    cfg = settings.mail
    if cfg.transport == "none":
        return None
    transport: MailTransport
    if cfg.transport == "file":
        from bot.adapters.file_transport import FileTransport

        transport = FileTransport(settings.var / "outgoing-mail")
    elif cfg.transport == "smtp":
        from bot.adapters.smtp_transport import SmtpTransport

        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        transport = SmtpTransport(cfg, password)
    else:
        from bot.adapters.ews_source import EwsTransport

        transport = EwsTransport(ews_account_factory(settings))
    return MailDispatcher(cfg, transport, clock, settings.timezone)

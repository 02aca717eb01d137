"""One watch round of `ibt run`: read the source, record its health, deliver the outbox.

A failing source is an expected condition (network, throttling, expired credentials): it is recorded
in `source_state`, alerted once per failure episode through the outbox (`bot.core.health`), and the
service keeps going — no crash loop. Bugs still raise.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from sqlmodel import Session

from bot.adapters.sources import MailSource, SourceAuthError, SourceError
from bot.bootstrap import App
from bot.core.health import decide_source_failure
from bot.store import repo
from bot.store.source_state import SourceStateStore

log = logging.getLogger(__name__)


def poll(app: App, source: MailSource) -> Counter[str]:
    """Process what the source has now. On a source failure: record, maybe alert, return no counts."""
    state = SourceStateStore(app.engine)
    try:
        counts = app.intake.run(source)
    except SourceError as exc:
        now = app.clock.now()
        since = state.record_failure(source.name, str(exc), now)
        log.warning("%s: %s", source.name, exc)
        decision = decide_source_failure(source.name, str(exc), isinstance(exc, SourceAuthError), since, now)
        if decision.alerts:
            with Session(app.engine) as s, s.begin():
                repo.apply_decision(s, decision, None, None, now)
        counts = Counter(new=0, duplicate=0, quarantined=0, failed=1)
    else:
        state.record_success(source.name, app.clock.now())
    app.deliverer.deliver_pending()
    return counts


def wait(source: MailSource, seconds: float) -> None:
    """Wait for new mail (IMAP IDLE) or `seconds`; a broken connection just means sleeping instead."""
    try:
        source.wait(seconds)
    except SourceError as exc:
        log.warning("%s: %s", source.name, exc)
        time.sleep(seconds)

"""Decide when a failing mail source deserves an officer's attention: pure, values in, a `Decision` out.

Refused credentials never heal by themselves, so they are alerted at once; other failures (network,
server busy) usually do, so they are alerted only when they last. Either way once per failure episode:
the alert key carries the episode's start, and `ibt run` keeps retrying instead of crashing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.effects import Decision, PostAlert

# A source that has failed this long without its credentials being refused is alerted too.
OUTAGE_ALERT_AFTER = timedelta(hours=1)


def decide_source_failure(source: str, error: str, credentials_refused: bool, failing_since: datetime,
                          now: datetime) -> Decision:
    if not credentials_refused and now - failing_since < OUTAGE_ALERT_AFTER:
        return Decision()
    kind = "credentials" if credentials_refused else "outage"
    ctx = {"source": source, "error": error[:300], "kind": kind, "since": failing_since.isoformat()}
    return Decision(alerts=(PostAlert(f"health:{source}:{kind}:{failing_since.isoformat()}", "alert_source_health",
                                      ctx, urgent=True),))

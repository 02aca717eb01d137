"""The one clock of the shell. Pure code never reads time: it is handed `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests and time travel (`ibt chase --now`)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

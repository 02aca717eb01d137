"""Shared fixtures: an isolated IBT_HOME with its own SQLite database, and paths to the corpora."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import App, build
from bot.clock import FixedClock
from bot.delivery import ConsoleSink
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "fixtures" / "dev"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test with a clear message when ../shared is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the project's shared folder beside the repository); not present here")
    return p


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IBT_HOME", str(tmp_path))
    monkeypatch.setenv("IBT_DATABASE_URL", f"sqlite:///{tmp_path}/var/ibt.db")
    for var in ("IBT_CONFIG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
def sink() -> ConsoleSink:
    return ConsoleSink(echo=False)


@pytest.fixture
def app(home: Path, clock: FixedClock, sink: ConsoleSink) -> Iterator[App]:
    a = build(load_settings(), clock=clock, alerts=sink)
    yield a
    a.engine.dispose()

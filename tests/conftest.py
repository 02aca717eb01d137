"""Shared fixtures: an isolated IBT_HOME with its own SQLite database, and paths to the corpora."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import App, build
from bot.clock import FixedClock
from bot.delivery import ConsoleSink
from bot.settings import load_settings

pytest_plugins = ["tests.support.pg"]  # the `pg_url` fixture (PostgreSQL started by .ci/run)

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "fixtures" / "dev"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test with a clear message when ../shared is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the project's shared folder beside the repository); not present here")
    return p


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test that uses the store runs on SQLite (embedded) and on PostgreSQL (production)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/var/ibt.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IBT_HOME", str(tmp_path))
    monkeypatch.setenv("IBT_DATABASE_URL", db_url)
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


def _need(what: str, hint: str) -> None:
    """Outside CI a missing server skips with a message; in CI (CI=true) it fails: those tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI: {hint}")
    pytest.skip(f"{what} not available here: {hint}")


@pytest.fixture(scope="session")
def imap_server() -> Iterator[dict[str, object]]:
    from tests.support.dovecot import dovecot

    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        _need("dovecot", "apt-get install -y dovecot-imapd")
    with dovecot(binary) as server:
        yield server

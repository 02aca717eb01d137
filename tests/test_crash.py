"""`ibt run` killed (SIGKILL) at each step of the pipeline, then restarted: every mail processed once,
no history entry, outbox row or outbound mail doubled. SQLite here; PostgreSQL under the `postgres` marker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from bot.store.models import HistoryEntryRow, InboundMailRow, OutboxRow
from tests.conftest import DEV, ROOT

MAILS = ["d011-hilversum-reactie-ibt.eml", "d009-breda-uitstel-beantwoording.eml",
         "d031-ede-melding-artikel8.eml", "d001-zwolle-afwezigheid.eml"]
# after_commit:3 dies in the middle of the batch, with two mails committed and acknowledged.
POINTS = ["after_fetch", "after_archive", "after_commit", "after_commit:3", "during_delivery", "before_ack"]


def _ibt(home: Path, db_url: str, *args: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IBT_", "SLACK_"))}
    env.update(IBT_HOME=str(home), IBT_DATABASE_URL=db_url, IBT_CONFIG=str(home / "op.toml"))
    if crash:
        env["IBT_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _setup(home: Path, readers: int = 0) -> Path:
    md = home / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (md / sub).mkdir(parents=True)
    for n in MAILS:
        shutil.copy(DEV / n, md / "new" / n)
    (home / "op.toml").write_text(f'[mailbox]\nsource = "maildir"\nmaildir = "{md}"\n[reading]\nworkers = {readers}\n')
    return md


def _state(db_url: str) -> tuple[Counter[str], Counter[tuple[str, str]], Counter[str], set[str]]:
    engine = create_engine(db_url)
    with Session(engine) as s:
        mails = s.exec(select(InboundMailRow)).all()
        by_id = {m.id: m.content_hash for m in mails}
        history = Counter((h.event, by_id.get(h.inbound_mail_id, "")) for h in s.exec(select(HistoryEntryRow)).all())
        outbox = s.exec(select(OutboxRow)).all()
        result = (Counter(m.content_hash for m in mails), history, Counter(o.idempotency_key for o in outbox),
                  {o.status for o in outbox})
    engine.dispose()
    return result


def _run_with_crash(home: Path, db_url: str, point: str | None, readers: int = 0) -> tuple[object, ...]:
    md = _setup(home, readers)
    assert _ibt(home, db_url, "letters", "import", str(DEV / "letters.csv")).returncode == 0
    if point:
        crashed = _ibt(home, db_url, "run", "--once", crash=point)
        # a reader worker's death is not the service's: that run ends normally
        expected = 0 if point.startswith("while_reading") else -signal.SIGKILL
        assert crashed.returncode == expected, crashed.stderr
    done = _ibt(home, db_url, "run", "--once")
    assert done.returncode == 0, done.stderr
    assert list((md / "new").iterdir()) == [] and len(list((md / "cur").iterdir())) == len(MAILS)
    return _state(db_url)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, ...]:
    home = tmp_path_factory.mktemp("reference")
    return _run_with_crash(home, f"sqlite:///{home}/var/ibt.db", None)


@pytest.mark.crash
@pytest.mark.parametrize("point", POINTS)
def test_crash_and_restart_on_sqlite(point: str, tmp_path: Path, reference: tuple[object, ...]) -> None:
    got = _run_with_crash(tmp_path, f"sqlite:///{tmp_path}/var/ibt.db", point)
    mails, _, _, statuses = got
    assert set(mails.values()) == {1} and len(mails) == len(MAILS)
    assert got == reference and statuses == {"delivered"}


@pytest.mark.crash
@pytest.mark.postgres
@pytest.mark.parametrize("point", ["after_archive", "after_commit:2", "during_delivery", "before_ack"])
def test_crash_and_restart_on_postgres(point: str, tmp_path: Path, pg_url: str,
                                       reference: tuple[object, ...]) -> None:
    assert _run_with_crash(tmp_path, pg_url, point) == reference


@pytest.mark.crash
@pytest.mark.parametrize("point", ["after_commit:3", "before_ack", "while_reading:2"])
def test_crash_and_restart_while_reading_ahead(point: str, tmp_path: Path, reference: tuple[object, ...]) -> None:
    """With a reader worker reading ahead, a kill of the service (or of the worker: that mail is quarantined and
    the restarted run leaves it so) still processes every mail once."""
    got = _run_with_crash(tmp_path, f"sqlite:///{tmp_path}/var/ibt.db", point, readers=1)
    if point.startswith("while_reading"):
        mails, _, _, _ = got
        assert set(mails.values()) == {1} and len(mails) == len(MAILS)
    else:
        assert got == reference

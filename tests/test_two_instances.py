"""Two `ibt run` instances against one PostgreSQL and one mailbox: every mail processed once, every Slack
message and every reminder sent once (row claims with FOR UPDATE SKIP LOCKED, unique keys)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import DEV, ROOT
from tests.support.fake_slack import FakeSlack

pytestmark = [pytest.mark.postgres, pytest.mark.slack]


def _start(home: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _both(home: Path, env: dict[str, str], *args: str) -> None:
    procs = [_start(home, env, *args) for _ in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]


def test_two_instances_share_the_work_and_do_it_once(tmp_path: Path, pg_url: str) -> None:
    fake = FakeSlack()
    try:
        md = tmp_path / "Maildir"
        for sub in ("new", "cur", "tmp"):
            (md / sub).mkdir(parents=True)
        for f in sorted(DEV.glob("*.eml"))[:30]:
            shutil.copy(f, md / "new" / f.name)
        cfg = tmp_path / "ibt.toml"
        cfg.write_text(f'[mailbox]\nsource = "maildir"\nmaildir = "{md}"\n'
                       f'[slack]\nteam_channel = "CTEAM"\nurgent_channel = "CURGENT"\nbase_url = "{fake.base_url}"\n'
                       'allowed_users = ["U1"]\n',
                       encoding="utf-8")
        env = dict(os.environ, IBT_HOME=str(tmp_path), IBT_DATABASE_URL=pg_url, IBT_CONFIG=str(cfg),
                   SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test")
        env.pop("IBT_CRASH_AT", None)
        assert subprocess.run([sys.executable, "-m", "bot", "letters", "import", str(DEV / "letters.csv")],
                              cwd=ROOT, env=env, capture_output=True).returncode == 0
        _both(tmp_path, env, "run", "--once")
        _both(tmp_path, env, "chase", "--now", "2026-05-01T09:00:00+02:00")
        assert list((md / "new").iterdir()) == [] and len(list((md / "cur").iterdir())) == 30

        eng = create_engine(pg_url)
        with eng.connect() as c:
            assert c.execute(text("SELECT count(*) FROM inbound_mail")).scalar() == 30
            dup_history = c.execute(text(
                "SELECT count(*) FROM (SELECT event_key, event, letter_reference, case_id FROM history_entry "
                "WHERE event_key IS NOT NULL GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d")).scalar()
            dups = c.execute(text(
                "SELECT event_key, event, letter_reference, case_id, count(*) FROM history_entry "
                "WHERE event_key IS NOT NULL GROUP BY 1, 2, 3, 4 HAVING count(*) > 1")).all()
            assert dup_history == 0, dups[:5]
            statuses = dict(c.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all())
            reminders = c.execute(text("SELECT count(*) FROM outbox WHERE channel = 'mail'")).scalar()
            sent = c.execute(text("SELECT count(*) FROM outbound_mail WHERE sent_at IS NOT NULL")).scalar()
        eng.dispose()
        assert set(statuses) <= {"delivered", "refused"} and reminders and sent == reminders
        assert len(list((tmp_path / "var" / "outgoing-mail").glob("*.eml"))) == reminders
        keys = Counter((m["metadata"]["event_payload"]["key"], m["metadata"]["event_payload"]["part"])
                       for m in fake.messages)
        assert keys and set(keys.values()) == {1}  # no Slack message twice
    finally:
        fake.close()

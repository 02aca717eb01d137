"""The Slack test harness: the app wired by the composition root against the Web API stand-in, and the
real Bolt app served over HTTP with signed requests (fixtures for tests/slack/)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.adapters.sources import FileSource
from bot.bootstrap import App, build
from bot.clock import FixedClock
from bot.services import import_letters
from bot.settings import load_settings
from bot.slack.runner import bolt_for, serve_http
from bot.slack.sink import SlackSink
from bot.store.models import CaseRow, LetterRow
from tests.conftest import DEV
from tests.support.fake_slack import FakeSlack, interaction, signed_post

SECRET = "test-signing-secret"
LIMIT = 50 * 1024 * 1024


@dataclass
class Harness:
    app: App
    fake: FakeSlack
    url: str

    def ingest(self, *names: str) -> None:
        self.app.intake.run(FileSource([next(DEV.glob(f"{n}-*.eml")) for n in names], LIMIT))

    def post(self, body: str, *, secret: str = SECRET, age: int = 0, json_body: bool = False) -> tuple[int, str]:
        return signed_post(self.url, body, secret, age=age,
                           content_type="application/json" if json_body else "application/x-www-form-urlencoded")

    def click(self, msg: dict[str, Any], action_id: str, user: str = "UOFFICER", action_ts: str = "1.1",
              value: str | None = None) -> int:
        if value is None:
            value = next(e["value"] for b in msg["blocks"] if b["type"] == "actions" for e in b["elements"]
                         if e["action_id"] == action_id)
        payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
                   "channel": {"id": msg["channel"]}, "trigger_id": f"trig-{action_ts}",
                   "container": {"type": "message", "message_ts": msg["ts"], "channel_id": msg["channel"]},
                   "message": {"ts": msg["ts"], "blocks": msg["blocks"]}, "response_url": "https://hooks.invalid/1",
                   "actions": [{"type": "button", "action_id": action_id, "block_id": "ibt_actions",
                                "value": value, "action_ts": action_ts}]}
        return self.post(interaction(payload))[0]

    def submit(self, values: dict[str, Any], user: str = "UOFFICER", view_id: str = "V1") -> tuple[int, str]:
        view = self.fake.named("views.open")[-1].body["view"]
        view = json.loads(view) if isinstance(view, str) else view
        payload = {"type": "view_submission", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
                   "trigger_id": "trig-v", "view": {**view, "id": view_id, "hash": "h", "state": {"values": values}}}
        return self.post(interaction(payload))

    def alert(self, needle: str) -> dict[str, Any]:
        return next(m for m in self.fake.messages if (needle in json.dumps(m["blocks"], ensure_ascii=False)
                    and m["thread_ts"] is not None) or (needle in (m["text"] or "") and m["channel"] != "CTEAM"
                                                       and m["thread_ts"] is None))

    def case(self, code: str) -> CaseRow:
        with Session(self.app.engine) as s:
            row = s.exec(select(CaseRow).where(CaseRow.municipality_code == code)).one()
            return row

    def letter(self, ref: str) -> LetterRow:
        with Session(self.app.engine) as s:
            row = s.get(LetterRow, ref)
            assert row is not None
            return row


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack(usergroup_members={"SIBT": ["UGROUP"]})
    yield f
    f.close()


@pytest.fixture
def slack(home: Path, clock: FixedClock, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    cfg = home / "slack.toml"
    cfg.write_text(f'[slack]\nmode = "http"\nteam_channel = "CTEAM"\nurgent_channel = "CURGENT"\n'
                   f'allowed_users = ["UOFFICER"]\nallowed_usergroup = "SIBT"\nbase_url = "{fake.base_url}"\n')
    monkeypatch.setenv("IBT_CONFIG", str(cfg))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    app = build(load_settings(), clock=clock)  # the composition root chooses Slack because the token is set
    assert isinstance(app.deliverer.alerts, SlackSink)
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    server, _ = serve_http(bolt_for(app), "127.0.0.1", 0, "/slack/events")
    yield Harness(app, fake, f"http://127.0.0.1:{server.server_port}/slack/events")
    server.shutdown()
    server.server_close()
    app.engine.dispose()

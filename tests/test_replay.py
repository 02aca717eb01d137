"""`ibt replay`: archived bytes re-read with the current reader; the existing row is updated, never doubled."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.adapters.sources import FileSource
from bot.bootstrap import App
from bot.cli import app as cli
from bot.store.models import HistoryEntryRow, InboundMailRow
from tests.conftest import DEV

LIMIT = 50 * 1024 * 1024


def _quarantine_as_an_older_reader_did(app: App, name: str) -> int:
    app.intake.run(FileSource([DEV / name], LIMIT))
    with Session(app.engine) as s, s.begin():
        row = s.exec(select(InboundMailRow)).one()
        row.outcome, row.reason, row.kind = "quarantined", "old reader: no text part", "unreadable"
        assert row.id is not None
        return row.id


def test_replay_processes_a_now_readable_mail_in_place(app: App, home: Path) -> None:
    mail_id = _quarantine_as_an_older_reader_did(app, "d011-hilversum-reactie-ibt.eml")
    result = CliRunner().invoke(cli, ["replay", "--all-quarantined"])
    assert result.exit_code == 0 and f"{mail_id}: new" in result.stdout
    with Session(app.engine) as s:
        rows = s.exec(select(InboundMailRow)).all()
        assert len(rows) == 1 and rows[0].id == mail_id
        assert rows[0].outcome == "processed" and rows[0].reason is None and rows[0].kind != "unreadable"
        received = [h for h in s.exec(select(HistoryEntryRow)).all() if h.event.startswith("mail_received")]
        assert len(received) == 2  # the first reading and the replay, both on the same mail row
    again = CliRunner().invoke(cli, ["replay", "--all-quarantined"])
    assert again.exit_code == 0 and again.stdout == ""


def test_replay_by_id_and_unknown_id(app: App, home: Path) -> None:
    mail_id = _quarantine_as_an_older_reader_did(app, "d009-breda-uitstel-beantwoording.eml")
    assert CliRunner().invoke(cli, ["replay", "999"]).exit_code == 1
    assert f"{mail_id}: new" in CliRunner().invoke(cli, ["replay", str(mail_id)]).stdout
    assert CliRunner().invoke(cli, ["replay"]).exit_code == 2

"""The ingest pipeline end to end on files and a maildir: archive, read, decide, commit, deliver, ack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.adapters.sources import FileSource, MaildirSource
from bot.bootstrap import App
from bot.delivery import ConsoleSink
from bot.services import import_letters
from bot.store import repo
from bot.store.models import HistoryEntryRow, InboundMailRow, LetterRow, OutboxRow
from tests.conftest import DEV

LIMIT = 50 * 1024 * 1024


def _register(app: App) -> None:
    result = import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8"))
    assert result.errors == ()


def test_dev_corpus_ingested_once_then_all_duplicates(app: App) -> None:
    _register(app)
    first = app.intake.run(FileSource([DEV], LIMIT))
    assert first["new"] + first["quarantined"] == 52 and first["duplicate"] == 0
    with Session(app.engine) as s:
        history = repo.count_history(s)
        outbox = len(s.exec(select(OutboxRow)).all())
    second = app.intake.run(FileSource([DEV], LIMIT))
    assert second == {"new": 0, "duplicate": 52, "quarantined": 0}
    with Session(app.engine) as s:
        assert repo.count_history(s) == history
        assert len(s.exec(select(OutboxRow)).all()) == outbox
        assert len(s.exec(select(InboundMailRow)).all()) == 52


def test_raw_bytes_are_archived_before_anything_else(app: App) -> None:
    f = DEV / "d011-hilversum-reactie-ibt.eml"
    app.intake.run(FileSource([f], LIMIT))
    with Session(app.engine) as s:
        row = s.exec(select(InboundMailRow)).one()
    assert (app.settings.home / row.archive_path).read_bytes() == f.read_bytes()


def test_same_message_id_with_other_bytes_is_a_duplicate(app: App, tmp_path: Path) -> None:
    raw = (DEV / "d011-hilversum-reactie-ibt.eml").read_bytes()
    copy = tmp_path / "redelivered.eml"
    copy.write_bytes(b"Received: from relay.example by mx.example; Mon, 4 May 2026 09:00:00 +0200\r\n" + raw)
    assert app.intake.run(FileSource([DEV / "d011-hilversum-reactie-ibt.eml"], LIMIT))["new"] == 1
    assert app.intake.run(FileSource([copy], LIMIT))["duplicate"] == 1


def test_reply_with_reference_answers_its_letter_and_alerts(app: App, sink: ConsoleSink) -> None:
    _register(app)
    app.intake.run(FileSource([DEV / "d011-hilversum-reactie-ibt.eml"], LIMIT))
    with Session(app.engine) as s:
        letter = s.get(LetterRow, "7468089")
        assert letter is not None and letter.state == "answered"
        events = [h.event for h in s.exec(select(HistoryEntryRow).where(
            HistoryEntryRow.letter_reference == "7468089")).all()]
    assert "letter_state" in events
    assert any("Hilversum" in text_ and "7468089" in text_ for _, text_ in sink.posted)


def test_auto_reply_never_answers_a_letter(app: App) -> None:
    _register(app)
    app.intake.run(FileSource([DEV / "d001-zwolle-afwezigheid.eml"], LIMIT))
    with Session(app.engine) as s:
        assert all(x.state == "awaiting_reply" for x in s.exec(select(LetterRow)).all())


def test_unreadable_mail_is_quarantined_alerted_once_and_kept(app: App, sink: ConsoleSink, tmp_path: Path) -> None:
    big = tmp_path / "big.eml"
    big.write_bytes(b"Subject: huge\r\n\r\n" + b"x" * 2000)
    source = FileSource([big], max_bytes=1000)
    assert app.intake.run(source)["quarantined"] == 1
    app.deliverer.deliver_pending()
    assert app.intake.run(source)["duplicate"] == 1
    app.deliverer.deliver_pending()
    quarantine_alerts = [t for k, t in sink.posted if k.startswith("quarantine:")]
    assert len(quarantine_alerts) == 1 and "quarantaine" in quarantine_alerts[0]
    with Session(app.engine) as s:
        row = s.exec(select(InboundMailRow)).one()
        assert row.outcome == "quarantined" and row.reason and "size limit" in row.reason
        assert (app.settings.home / row.archive_path).exists()


def test_maildir_source_moves_to_cur_only_after_commit(app: App, tmp_path: Path) -> None:
    md = tmp_path / "Maildir"
    source = MaildirSource(md, LIMIT)
    for name in ("d011-hilversum-reactie-ibt.eml", "d009-breda-uitstel-beantwoording.eml"):
        shutil.copy(DEV / name, md / "new" / name)
    counts = app.intake.run(source)
    assert counts["new"] == 2
    assert list((md / "new").iterdir()) == []
    assert sorted(p.name for p in (md / "cur").iterdir()) == [
        "d009-breda-uitstel-beantwoording.eml:2,", "d011-hilversum-reactie-ibt.eml:2,"]
    assert app.intake.run(source) == {"new": 0, "duplicate": 0, "quarantined": 0}


def test_history_is_append_only(app: App) -> None:
    _register(app)
    with Session(app.engine) as s:
        entry = s.exec(select(HistoryEntryRow)).first()
        assert entry is not None
        entry.detail = "rewritten"
        s.add(entry)
        with pytest.raises(PermissionError):
            s.flush()
    with app.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM history_entry"))


def test_a_receipt_goes_to_a_person_when_enabled_never_to_an_automatic_mail(app: App) -> None:
    from dataclasses import replace

    _register(app)
    app.intake = replace(app.intake, acknowledge=True)
    app.intake.run(FileSource([DEV / "d011-hilversum-reactie-ibt.eml", DEV / "d001-zwolle-afwezigheid.eml"], LIMIT))
    with Session(app.engine) as s:
        mails = [r.payload for r in s.exec(select(OutboxRow).where(OutboxRow.channel == "mail")).all()]
    assert [(m["to"], m["template"], m["reference"]) for m in mails] == [
        ("i.bakker@hilversum.nl", "mail_receipt", "7468089")]
    assert str(mails[0]["subject"]).startswith("Ontvangstbevestiging: RE: Brief interbestuurlijk toezicht")
    sent = list((app.settings.var / "outgoing-mail").glob("*.eml"))
    assert len(sent) == 1 and b"Wij bevestigen de ontvangst" in sent[0].read_bytes().replace(b"=\n", b"")


def test_a_decision_written_with_core_statements_keeps_times_as_instants_and_objects_current(app: App) -> None:
    """apply_decision writes the case and letters with prebuilt statements: a time with another offset is stored
    as the same instant (UTC), and the ORM objects of the same rows in the session show what was written."""
    from datetime import date, datetime, timedelta, timezone

    from bot.core.effects import Decision, HistoryNote, LetterChange
    from bot.store.models import CaseRow

    _register(app)
    amsterdam_summer = timezone(timedelta(hours=2))
    now = datetime(2026, 5, 1, 9, 0, tzinfo=amsterdam_summer)
    with Session(app.engine) as s:
        letter = s.get(LetterRow, "7468089")
        assert letter is not None
        case = s.get(CaseRow, letter.case_id)
        assert case is not None
        change = LetterChange("7468089", "answered", date(2026, 5, 22), 2, None, False)
        repo.apply_decision(s, Decision(event_key="t1", letter_changes=(change,), new_step=3,
                                        history=(HistoryNote("reply_received"),)), None, case, now)
        assert (case.step, case.updated_at, letter.state, letter.deadline) == (3, now, "answered", date(2026, 5, 22))
        case_id = case.id
        s.commit()
    with Session(app.engine) as s:
        stored = s.get(CaseRow, case_id)
        assert stored is not None and stored.step == 3
        assert stored.updated_at == now and stored.updated_at.utcoffset() == timedelta(0)  # 07:00 UTC
        again = s.get(LetterRow, "7468089")
        assert again is not None and (again.state, again.deadline, again.term) == ("answered", date(2026, 5, 22), 2)


def test_a_claim_on_a_row_holds_against_another_process_and_another_thread(home: Path) -> None:
    """RowClaims: on PostgreSQL advisory locks; on SQLite a byte-range lock per row in `<db>.claims` (across
    processes) and the process's own set (across threads). A claim is released when its holder ends."""
    import subprocess
    import sys
    import threading

    from bot.bootstrap import build
    from bot.delivery import RowClaims
    from bot.settings import load_settings

    app = build(load_settings())
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom bot.bootstrap import build\nfrom bot.delivery import RowClaims\n"
         "from bot.settings import load_settings\nc = RowClaims(build(load_settings()).engine, RowClaims.SLACK_MESSAGE)"
         "\nc.__enter__()\nprint(c.claim(7), flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        with RowClaims(app.engine, RowClaims.SLACK_MESSAGE) as mine:
            assert not mine.claim(7)  # held by the other process
            assert mine.claim(8)
            other_thread: list[bool] = []
            with RowClaims(app.engine, RowClaims.SLACK_MESSAGE) as theirs:
                t = threading.Thread(target=lambda: other_thread.append(theirs.claim(8)))
                t.start()
                t.join()
            assert other_thread == [False]  # held by this process, in another claim set
            with RowClaims(app.engine, RowClaims.OUTBOX) as outbox:
                assert outbox.claim(7)  # another kind of row: another lock
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    with RowClaims(app.engine, RowClaims.SLACK_MESSAGE) as after:
        assert after.claim(7) and after.claim(8)  # the process ended; this process's claims were released
    app.engine.dispose()

"""The dev corpus through ingestion: the resulting letter states, article 8 records, officer actions, dossier."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.adapters.sources import FileSource
from bot.bootstrap import App
from bot.dossier import case_view, export_dossier, timeline
from bot.officer import assign, escalate, letter_action, resolve_triage
from bot.services import import_letters
from bot.store import repo
from bot.store.models import Article8Row, CaseRow, InboundMailRow, LetterRow
from tests.conftest import DEV

LIMIT = 50 * 1024 * 1024


@pytest.fixture
def ingested(app: App) -> App:
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    app.intake.run(FileSource([DEV], LIMIT))
    return app


def state(app: App, ref: str) -> str:
    with Session(app.engine) as s:
        letter = s.get(LetterRow, ref)
        assert letter is not None
        return letter.state


def test_states_after_the_dev_corpus(ingested: App) -> None:
    expect = {
        "7468089": "answered",  # Hilversum replied (d011)
        "7468125": "awaiting_reply",  # Zwolle: only an out-of-office on the first letter (d001)
        "7468177": "extension_requested",  # Breda asked for more time (d009)
        "7468171": "awaiting_reply",  # Tilburg: a zaaksysteem receipt is not an answer
        "7502217": "answered",  # Zwolle answered the reminder (d028)
        "7624480": "paused_bounced",  # Lelystad: our letter bounced (d049)
        "7468245": "answered",  # Bergen (NH.): bounce of a cc, then the answer via Regio Alkmaar
    }
    assert {ref: state(ingested, ref) for ref in expect} == expect


def test_article8_notifications_are_recorded_on_every_case_concerned(ingested: App) -> None:
    with Session(ingested.engine) as s:
        rows = s.exec(select(Article8Row, CaseRow).join(CaseRow)).all()
        by_code = {case.municipality_code: a8.places_lost for a8, case in rows}
    assert by_code["GM0228"] == 150  # Ede, explicit artikel 8
    assert by_code["GM0995"] == 80  # Lelystad, fire
    assert {"GM0114", "GM0106"} <= set(by_code)  # Emmen and Assen, one regional notification


def test_officer_actions_follow_the_table_and_land_in_history(ingested: App) -> None:
    assert not letter_action(ingested, "Breda", "mark_sufficient", "jan").ok  # not answered: refused
    r = letter_action(ingested, "7468177", "grant_extension", "jan", new_deadline=date(2026, 5, 28), action_id="a1")
    assert r.ok and state(ingested, "7468177") == "awaiting_reply"
    again = letter_action(ingested, "7468177", "grant_extension", "jan", new_deadline=date(2026, 5, 28),
                          action_id="a1")
    assert again.ok
    with Session(ingested.engine) as s:
        letter = s.get(LetterRow, "7468177")
        assert letter is not None and letter.deadline == date(2026, 5, 28)
    entries = timeline(ingested, "7468177")
    assert entries is not None
    assert [e.event for e in entries].count("grant_extension") == 1  # replaying the action changed nothing
    assert any(e.change == "2026-04-30 → 2026-05-28" for e in entries)

    assert letter_action(ingested, "7468089", "mark_insufficient", "jan", reason="geen planning").ok
    assert state(ingested, "7468089") == "escalation_due"
    assert not escalate(ingested, "Hilversum", 4, "jan", "").ok  # a reason is required
    assert escalate(ingested, "Hilversum", 4, "jan", "geen zicht op realisatie", reference="7468089").ok
    view = case_view(ingested, "Hilversum")
    assert view is not None and view["step"] == 4
    assert assign(ingested, "Hilversum", "piet", "jan").ok
    assert case_view(ingested, "GM0402")["assigned_officer"] == "piet"  # type: ignore[index]


def test_triage_confirm_links_the_mail_and_applies_it(ingested: App) -> None:
    with Session(ingested.engine) as s:
        mail = s.exec(select(InboundMailRow).where(InboundMailRow.triage_state == "open")
                      .where(InboundMailRow.kind == "extension_request")).first()
        assert mail is not None and mail.id is not None
        mail_id = mail.id
    assert not resolve_triage(ingested, mail_id, "jan", municipality="Alkmaar", reference="7468089").ok
    assert resolve_triage(ingested, mail_id, "jan", municipality="Alkmaar", reference="7468244").ok
    assert state(ingested, "7468244") == "extension_requested"
    assert not resolve_triage(ingested, mail_id, "jan", dismiss=True).ok  # already resolved


def test_dossier_export_holds_every_mail_and_a_readable_timeline(ingested: App, tmp_path: Path) -> None:
    folder = export_dossier(ingested, "Zwolle", tmp_path)
    assert folder is not None
    mails = sorted((folder / "mail").iterdir())
    with Session(ingested.engine) as s:
        zwolle = s.exec(select(InboundMailRow).where(InboundMailRow.municipality_code == "GM0193")).all()
    assert len(mails) == len(zwolle) >= 2
    md = (folder / "timeline.md").read_text(encoding="utf-8")
    assert md.startswith("# Toezichtdossier Zwolle") and "7502217" in md and "answered" in md
    data = json.loads((folder / "timeline.json").read_text(encoding="utf-8"))
    assert data and {"at", "actor", "event", "letter", "change", "detail", "mail", "evidence"} <= set(data[0])


def test_history_only_grows_when_the_corpus_is_ingested_again(ingested: App) -> None:
    with Session(ingested.engine) as s:
        before = repo.count_history(s)
    ingested.intake.run(FileSource([DEV], LIMIT))
    with Session(ingested.engine) as s:
        assert repo.count_history(s) == before


def test_a_confirmed_domain_is_learned_but_never_a_public_provider(app: App) -> None:
    from bot.store.models import LearnedDomainRow

    with Session(app.engine) as s:
        s.add(InboundMailRow(content_hash="a" * 64, source="t", source_id="1", archive_path="x", size=1,
                             received_at=app.clock.now(), kind="reply", needs_triage=True, triage_state="open",
                             reading={"subject": "s", "sender": "p.jansen@adviesbureau-x.nl"}))
        s.add(InboundMailRow(content_hash="b" * 64, source="t", source_id="2", archive_path="y", size=1,
                             received_at=app.clock.now(), kind="reply", needs_triage=True, triage_state="open",
                             reading={"subject": "s", "sender": "p.jansen@gmail.com"}))
        s.commit()
        ids = [r.id for r in s.exec(select(InboundMailRow).order_by(InboundMailRow.id)).all()]
    assert resolve_triage(app, ids[0], "jan", municipality="Epe").ok
    assert resolve_triage(app, ids[1], "jan", municipality="Epe").ok
    assert app.intake.reading_context().learned_domains == {"adviesbureau-x.nl": "GM0232"}
    with Session(app.engine) as s:
        assert [r.domain for r in s.exec(select(LearnedDomainRow)).all()] == ["adviesbureau-x.nl"]

"""The EWS source and transport: real exchangelib against a local EWS stand-in (tests/support/fake_ews.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.adapters.ews_account import open_account
from bot.adapters.ews_source import EwsSource, EwsTransport
from bot.bootstrap import App
from bot.delivery import ConsoleSink
from bot.services import import_letters
from bot.settings import EwsSettings
from bot.store.models import InboundMailRow, OutboxRow
from bot.store.source_state import SourceStateStore
from bot.watch import poll
from tests.conftest import DEV
from tests.support.fake_ews import FakeEws

pytestmark = pytest.mark.ews
LIMIT = 50 * 1024 * 1024
MAILS = ["d011-hilversum-reactie-ibt.eml", "d009-breda-uitstel-beantwoording.eml", "d001-zwolle-afwezigheid.eml"]


@pytest.fixture
def ews(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEws]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in speaks plain HTTP on loopback
    fake = FakeEws()
    yield fake
    fake.close()


def _cfg(fake: FakeEws, **kw: object) -> EwsSettings:
    return EwsSettings(service_url=fake.url, token_url=fake.token_url, client_id="app", tenant_id="tenant",
                       access="impersonation", max_wait_seconds=5, batch_size=2, **kw)  # type: ignore[arg-type]


def _source(app: App, fake: FakeEws, **kw: object) -> EwsSource:
    cfg = _cfg(fake, **kw)
    return EwsSource(lambda: open_account(cfg, "ibtspreidingswet@minjenv.nl", "secret"), cfg, LIMIT,
                     SourceStateStore(app.engine), "ibtspreidingswet@minjenv.nl")


def test_new_mail_is_processed_once_categorised_and_the_sync_state_kept(app: App, ews: FakeEws) -> None:
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    ids = [ews.mailbox.deliver((DEV / n).read_bytes()) for n in MAILS]
    ews.mailbox.read_by_person(ids[0])  # someone opened it in Outlook: must not matter
    source = _source(app, ews)
    assert poll(app, source)["new"] == 3
    assert all(a.startswith("Bearer tok") for a in ews.mailbox.auth_headers)
    cats = {i: ews.mailbox.items[i]["categories"] for i in ids}
    assert cats[ids[0]] == ["ibt: verwerkt"] and cats[ids[1]] == ["ibt: verwerkt"]
    assert "GetItem" in ews.mailbox.calls and "UpdateItem" in ews.mailbox.calls
    assert not {"DeleteItem", "MarkAsJunk"} & set(ews.mailbox.calls)
    state = SourceStateStore(app.engine)
    cursor = state.load_cursor(source.name)
    assert cursor is not None and int(cursor) == len(ews.mailbox.log) - 3  # our 3 category updates follow
    # a restart (new source object, same database) sees only what is new
    calls_before = len(ews.mailbox.calls)
    again = _source(app, ews)
    assert poll(app, again) == {"new": 0, "duplicate": 0, "quarantined": 0}
    assert "GetItem" not in ews.mailbox.calls[calls_before:]
    new_id = ews.mailbox.deliver((DEV / "d007-groningen-reactie-kenmerk-met-spaties.eml").read_bytes())
    assert poll(app, again)["new"] == 1 and ews.mailbox.items[new_id]["categories"]
    health = {h.name: h for h in state.health()}[source.name]
    assert health.last_success_at is not None and health.last_error is None


def test_people_keep_their_categories_and_triage_is_marked_manual(app: App, ews: FakeEws) -> None:
    iid = ews.mailbox.deliver((DEV / "d005-prive-iphone-terugbelverzoek.eml").read_bytes())
    ews.mailbox.items[iid]["categories"] = ["Jan"]
    poll(app, _source(app, ews, move_manual_to="inbox"))
    with Session(app.engine) as s:
        row = s.exec(select(InboundMailRow)).one()
    expected = "ibt: handmatig" if row.triage_state == "open" else "ibt: verwerkt"
    assert ews.mailbox.items[iid]["categories"] == ["Jan", expected]


def test_processed_mail_can_be_moved_never_deleted(app: App, ews: FakeEws) -> None:
    iid = ews.mailbox.deliver((DEV / MAILS[0]).read_bytes())
    poll(app, _source(app, ews, move_processed_to="inbox", move_manual_to="inbox"))
    assert "MoveItem" in ews.mailbox.calls and iid in ews.mailbox.items


def test_server_busy_back_off_is_honoured(app: App, ews: FakeEws) -> None:
    ews.mailbox.deliver((DEV / MAILS[0]).read_bytes())
    ews.mailbox.busy_next, ews.mailbox.busy_ms = 1, 300
    started = time.monotonic()
    assert poll(app, _source(app, ews))["new"] == 1
    assert time.monotonic() - started >= 0.3
    assert ews.mailbox.calls.count("SyncFolderItems") >= 2


def test_a_crash_before_the_round_ends_replays_it_without_doubles(app: App, ews: FakeEws) -> None:
    for n in MAILS:
        ews.mailbox.deliver((DEV / n).read_bytes())
    source = _source(app, ews)
    stream = source.fetch()
    first = next(stream)
    app.intake.process(first, app.intake.reading_context())
    del stream  # the process died here: committed one mail, never stored the new sync state
    assert SourceStateStore(app.engine).load_cursor(source.name) is None
    counts = poll(app, _source(app, ews))
    assert counts == {"new": 2, "duplicate": 1, "quarantined": 0}
    with Session(app.engine) as s:
        assert len(s.exec(select(InboundMailRow)).all()) == 3


def test_revoked_token_raises_one_health_alert_and_no_crash(app: App, ews: FakeEws, sink: ConsoleSink) -> None:
    ews.mailbox.deliver((DEV / MAILS[0]).read_bytes())
    ews.mailbox.revoked = True
    source = _source(app, ews)
    for _ in range(3):
        assert poll(app, source)["failed"] == 1
    health = [t for k, t in sink.posted if k.startswith("health:")]
    assert len(health) == 1 and "inloggegevens worden geweigerd" in health[0]
    ews.mailbox.revoked = False
    assert poll(app, source)["new"] == 1
    state = {h.name: h for h in SourceStateStore(app.engine).health()}[source.name]
    assert state.failing_since is None and state.last_success_at is not None


def test_refused_client_secret_is_a_credentials_alert(app: App, ews: FakeEws, sink: ConsoleSink) -> None:
    ews.mailbox.token_refused = True
    assert poll(app, _source(app, ews))["failed"] == 1
    with Session(app.engine) as s:
        keys = [r.idempotency_key for r in s.exec(select(OutboxRow)).all()]
    assert len(keys) == 1 and ":credentials:" in keys[0]


def test_send_through_ews_keeps_our_headers_and_saves_a_copy(ews: FakeEws, tmp_path: Path) -> None:
    cfg = _cfg(ews)
    raw = (b"From: IBT <ibtspreidingswet@minjenv.nl>\r\nTo: info@hilversum.nl\r\nSubject: x [Kenmerk 7468089]\r\n"
           b"Message-ID: <ibt.1@minjenv.nl>\r\nAuto-Submitted: auto-generated\r\n\r\nTekst\r\n")
    EwsTransport(lambda: open_account(cfg, "ibtspreidingswet@minjenv.nl", "secret")).send(
        raw, "ibtspreidingswet@minjenv.nl", ["info@hilversum.nl"])
    sent = ews.mailbox.sent[-1]
    assert sent["disposition"] == "SendAndSaveCopy" and sent["folder"] in ("sentitems", "SENTID")
    assert message_from_bytes(sent["mime"])["Message-ID"] == "<ibt.1@minjenv.nl>"

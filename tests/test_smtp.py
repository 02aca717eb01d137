"""Outbound mail through the outbox to a real aiosmtpd server on loopback; headers checked on the bytes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from bot.bootstrap import App, build
from bot.clock import FixedClock
from bot.core.outbound import SendMail
from bot.delivery import ConsoleSink
from bot.outbound import enqueue_mail, references_for_message_ids
from bot.services import import_letters
from bot.settings import load_settings
from bot.store.models import LetterRow, OutboundMailRow, OutboxRow
from tests.conftest import DEV

pytestmark = pytest.mark.smtp


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    rec = Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctl = Controller(rec, hostname="127.0.0.1", port=port)
    ctl.start()
    yield rec, port
    ctl.stop()


@pytest.fixture
def mail_app(home: Path, smtp: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    cfg = home / "op.toml"
    cfg.write_text(f'[mail]\ntransport = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp[1]}\n'
                   'smtp_tls = "none"\nmax_per_municipality_per_day = 2\n')
    monkeypatch.setenv("IBT_CONFIG", str(cfg))
    a = build(load_settings(), clock=FixedClock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC)),
              alerts=ConsoleSink(echo=False))
    yield a
    a.engine.dispose()


def _mail(key: str, to: str = "info@hilversum.nl", **kw: Any) -> SendMail:
    return SendMail(key=key, to=to, subject="Ontvangstbevestiging", template="mail_receipt",
                    context={"subject": "Reactie", "received": "2026-05-04"}, reference="7468089",
                    municipality_code="GM0402", **kw)


def _enqueue(app: App, *mails: SendMail) -> None:
    with Session(app.engine) as s, s.begin():
        for m in mails:
            enqueue_mail(s, m, app.clock.now())


def test_mail_goes_out_with_reference_message_id_and_auto_headers(mail_app: App, smtp: tuple[Recorder, int]) -> None:
    _enqueue(mail_app, _mail("receipt:1", in_reply_to="<abc@hilversum.nl>"))
    _enqueue(mail_app, _mail("receipt:1"))  # the same effect again: nothing new
    mail_app.deliverer.deliver_pending()
    mail_app.deliverer.deliver_pending()
    (_, rcpts, raw), = smtp[0].received
    msg: Message = message_from_bytes(raw)
    assert rcpts == ["info@hilversum.nl"]
    assert msg["Subject"] == "Ontvangstbevestiging [Kenmerk 7468089]"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["X-Auto-Response-Suppress"] == "All"
    assert msg["In-Reply-To"] == "<abc@hilversum.nl>" and msg["References"] == "<abc@hilversum.nl>"
    assert "Geachte heer/mevrouw" in msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    with Session(mail_app.engine) as s:
        row = s.exec(select(OutboundMailRow)).one()
        assert row.message_id == msg["Message-ID"] and row.sent_at is not None
        assert references_for_message_ids(s, [row.message_id]) == {row.message_id: "7468089"}
        assert s.exec(select(OutboxRow)).one().status == "delivered"


def test_never_to_machines_or_bounced_addresses(mail_app: App, smtp: tuple[Recorder, int]) -> None:
    assert import_letters(mail_app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    with Session(mail_app.engine) as s, s.begin():
        letter = s.get(LetterRow, "7468089")
        assert letter is not None
        letter.to_address, letter.address_bounced = "oud@hilversum.nl", True
    _enqueue(mail_app, _mail("a", to="noreply@hilversum.nl"), _mail("b", to="MAILER-DAEMON@hilversum.nl"),
             _mail("c", answers_kind="auto_reply"), _mail("d", answers_kind="bounce"),
             _mail("e", to="oud@hilversum.nl"))
    mail_app.deliverer.deliver_pending()
    assert smtp[0].received == []
    with Session(mail_app.engine) as s:
        rows = s.exec(select(OutboxRow)).all()
    assert {r.status for r in rows} == {"refused"} and all(r.last_error for r in rows)


def test_daily_limit_per_municipality_delays_never_drops(mail_app: App, smtp: tuple[Recorder, int]) -> None:
    _enqueue(mail_app, *(_mail(f"r{i}") for i in range(3)))
    mail_app.deliverer.deliver_pending()
    assert len(smtp[0].received) == 2
    with Session(mail_app.engine) as s:
        assert sorted(r.status for r in s.exec(select(OutboxRow)).all()) == ["delivered", "delivered", "pending"]
    assert isinstance(mail_app.clock, FixedClock)
    mail_app.clock.at = datetime(2026, 5, 5, 9, 0, tzinfo=UTC)
    mail_app.deliverer.deliver_pending()
    assert len(smtp[0].received) == 3


def test_an_smtp_outage_delays_and_the_retry_sends_the_same_message(mail_app: App, smtp: tuple[Recorder, int],
                                                                    home: Path) -> None:
    from bot.adapters.smtp_transport import SmtpTransport

    dispatcher: Any = mail_app.deliverer.mail
    working = dispatcher.transport
    # nothing listens on port 1: connection refused, as in a relay outage
    dispatcher.transport = SmtpTransport(working.cfg.model_copy(update={"smtp_port": 1}), "")
    _enqueue(mail_app, _mail("x"))
    mail_app.deliverer.deliver_pending()
    with Session(mail_app.engine) as s:
        row = s.exec(select(OutboxRow)).one()
        registered = s.exec(select(OutboundMailRow)).one()
    assert row.status == "pending" and row.attempts == 1 and registered.sent_at is None
    dispatcher.transport = working
    mail_app.deliverer.deliver_pending()
    (_, _, raw), = smtp[0].received
    assert message_from_bytes(raw)["Message-ID"] == registered.message_id

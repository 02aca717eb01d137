"""Outbound mail: outbox rows of channel "mail" become RFC 5322 messages handed to a transport.

Order of work for one row, each step safe to repeat after a crash:
1. refuse what must never be sent (`bot.core.outbound.refuse_reason`) and defer what is over the
   municipality's daily limit — the row stays pending until tomorrow;
2. compose the message and *register* it in `outbound_mail` (Message-ID, raw bytes) and commit, so a
   reply threads back even if it arrives before we mark the send, and a retry sends identical bytes;
3. hand the bytes to the transport (SMTP or EWS), then stamp `sent_at`.
A crash between 3 and its stamp resends the same message with the same Message-ID (at-least-once on
the wire; receivers and Exchange de-duplicate by Message-ID): the outbox never holds two rows for it.
"""

from __future__ import annotations

from datetime import datetime, time
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.core.outbound import SendMail, message_id_for, refuse_reason, subject_with_reference, within_daily_limit
from bot.settings import OutboundMailSettings
from bot.store.models import LetterRow, OutboundMailRow, OutboxRow
from replies.render import render


class MailTransport(Protocol):
    name: str

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None: ...


def enqueue_mail(session: Session, mail: SendMail, now: datetime) -> bool:
    """Put a mail in the outbox in the caller's transaction; False when its key is already there."""
    if session.exec(select(OutboxRow.id).where(OutboxRow.idempotency_key == mail.key)).first() is not None:
        return False
    session.add(OutboxRow(idempotency_key=mail.key, channel="mail", payload=mail.as_payload(), created_at=now))
    return True


def references_for_message_ids(session: Session, message_ids: list[str]) -> dict[str, str]:
    """Message-ID of one of our mails → its letter reference (for In-Reply-To / References of a reply)."""
    rows = session.exec(select(OutboundMailRow).where(col(OutboundMailRow.message_id).in_(message_ids))).all()
    return {r.message_id: r.reference for r in rows if r.reference}


def compose(mail: SendMail, cfg: OutboundMailSettings, message_id: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((cfg.from_name, cfg.from_address))
    msg["To"] = mail.to
    msg["Subject"] = subject_with_reference(mail.subject, mail.reference)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
        msg["References"] = mail.in_reply_to
    # RFC 3834: we are a machine; Exchange: do not send us out-of-office or read receipts back.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(render(mail.template, {**mail.context, "reference": mail.reference}), charset="utf-8")
    return msg


class MailDispatcher:
    """The "mail" channel of `bot.delivery.Deliverer`."""

    def __init__(self, cfg: OutboundMailSettings, transport: MailTransport, clock: Clock, timezone: str) -> None:
        self.cfg = cfg
        self.transport = transport
        self.clock = clock
        self.tz = ZoneInfo(timezone)

    def _bounced(self, s: Session) -> frozenset[str]:
        rows = s.exec(select(LetterRow.to_address).where(col(LetterRow.address_bounced))).all()
        return frozenset(a.strip().lower() for a in rows if a)

    def _sent_today(self, s: Session, municipality_code: str, now: datetime) -> int:
        start = datetime.combine(now.astimezone(self.tz).date(), time(0), self.tz)
        q = (select(func.count()).select_from(OutboundMailRow)
             .where(OutboundMailRow.municipality_code == municipality_code)
             .where(col(OutboundMailRow.created_at) >= start))
        return int(s.exec(q).one())

    def deliver_mail(self, session: Session, key: str, payload: dict[str, Any]) -> str:
        mail = SendMail.from_payload(key, payload)
        now = self.clock.now()
        row = session.exec(select(OutboundMailRow).where(OutboundMailRow.outbox_key == key)).first()
        if row is None:
            reason = refuse_reason(mail, self.cfg.blocked_local_parts, self._bounced(session))
            if reason:
                return reason
            if mail.municipality_code and not within_daily_limit(
                    self._sent_today(session, mail.municipality_code, now), self.cfg.max_per_municipality_per_day):
                return "deferred"
            message_id = message_id_for(key, self.cfg.message_id_domain)
            msg = compose(mail, self.cfg, message_id, now)
            row = OutboundMailRow(message_id=message_id, outbox_key=key, reference=mail.reference,
                                  municipality_code=mail.municipality_code, to_address=mail.to,
                                  subject=str(msg["Subject"]), in_reply_to=mail.in_reply_to, raw=msg.as_bytes(),
                                  created_at=now, transport=self.transport.name)
            session.add(row)
            session.commit()  # registered before it leaves: a fast reply still finds its Message-ID
        if row.sent_at is None:
            self.transport.send(row.raw, self.cfg.from_address, [row.to_address])
            row.sent_at = self.clock.now()
            session.add(row)
        return "sent"

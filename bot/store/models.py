"""Tables of the case store. Every datetime is aware (UTC in the database); dates are calendar dates.

History entries are append-only: `bot.store.db` refuses ORM updates and deletes of them, and the
migration adds database triggers that refuse them too.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class MunicipalityRow(SQLModel, table=True):
    __tablename__ = "municipality"
    code: str = Field(primary_key=True, max_length=6)  # CBS code GMnnnn
    name: str
    province: str


class CaseRow(SQLModel, table=True):
    """A municipality's supervision case (toezichtdossier) for one verdeelbesluit cycle."""

    __tablename__ = "supervision_case"
    __table_args__ = (UniqueConstraint("municipality_code", "cycle", name="uq_case_municipality_cycle"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", index=True)
    cycle: str = "2024-2025"
    step: int = 1  # trede of the interventieladder, 1..6
    assigned_officer: str | None = None
    legal_task_regular: int | None = None  # wettelijke taak, regulier (from imported data)
    legal_task_amv: int | None = None  # wettelijke taak, AMV
    realised: int | None = None  # places realised, from confirmed facts
    planned: int | None = None  # places planned, from confirmed facts
    expected_date: date | None = None  # when the municipality expects to meet its task
    slack_channel: str | None = None  # the case's parent message in Slack
    slack_ts: str | None = None
    opened_at: datetime
    updated_at: datetime


class LetterRow(SQLModel, table=True):
    """An outgoing ministry letter (brief) with its reply deadline and state."""

    __tablename__ = "letter"
    reference: str = Field(primary_key=True, max_length=7)
    case_id: int = Field(foreign_key="supervision_case.id", index=True)
    municipality_code: str = Field(foreign_key="municipality.code", index=True)
    sent_on: date
    kind: str
    step: int
    deadline: date
    to_address: str = ""
    state: str = "awaiting_reply"
    term: int = 1  # 1: the letter's own term; 2: the term after a reminder
    snoozed_until: date | None = None  # the chase holds until this date
    address_bounced: bool = False  # a bounce showed the letter did not reach to_address
    origin: str = "register"  # register (imported) | bot (a reminder the bot sent)
    created_at: datetime


class InboundMailRow(SQLModel, table=True):
    """One received mail: raw bytes archived by content hash, what was read, and the outcome."""

    __tablename__ = "inbound_mail"
    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(unique=True, max_length=64)  # sha256 of the raw bytes
    message_id: str = Field(default="", index=True)
    source: str  # e.g. maildir:/path, imap:host/INBOX, ews:mailbox
    source_id: str  # the source's own id (file name, UID, ItemId)
    archive_path: str  # relative to IBT_HOME
    size: int
    received_at: datetime
    processed_at: datetime | None = None
    outcome: str = "new"  # processed | quarantined
    reason: str | None = None  # why quarantined
    kind: str | None = None
    municipality_code: str | None = Field(default=None, index=True)
    reference: str | None = None
    needs_triage: bool = False
    triage_state: str | None = None  # open | resolved | dismissed (None: no triage needed)
    reading: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))


class HistoryEntryRow(SQLModel, table=True):
    """Append-only history of a case: who did what, when, why, from which mail."""

    __tablename__ = "history_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    case_id: int | None = Field(default=None, foreign_key="supervision_case.id", index=True)
    letter_reference: str | None = Field(default=None, index=True)
    inbound_mail_id: int | None = Field(default=None, foreign_key="inbound_mail.id")
    actor: str  # "bot", "importer", or an officer's Slack id / name
    event: str
    event_key: str | None = Field(default=None, index=True)  # the applied event's id: replaying it is a no-op
    old_state: str | None = None
    new_state: str | None = None
    detail: str = ""
    evidence: list[str] | None = Field(default=None, sa_column=Column(JSON))


class OutboxRow(SQLModel, table=True):
    """An effect to deliver (alert, Slack update, mail): written in the same transaction as the state."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    channel: str  # alert | mail | slack
    payload: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    status: str = Field(default="pending", index=True)  # pending | delivered | failed
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None


class Article8Row(SQLModel, table=True):
    """An artikel 8 notification recorded on a case: the municipality can no longer meet (part of) its task."""

    __tablename__ = "article8_notification"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="supervision_case.id", index=True)
    inbound_mail_id: int | None = Field(default=None, foreign_key="inbound_mail.id")
    places_lost: int | None = None
    reason: str = ""
    notified_on: date
    created_at: datetime


class SourceStateRow(SQLModel, table=True):
    """Where a mail source stands: its cursor (EWS sync state / IMAP UIDVALIDITY + last UID) and its health.

    The cursor is advanced only after the mails it covers are committed, so a crash replays, never skips.
    """

    __tablename__ = "source_state"
    name: str = Field(primary_key=True)  # the source's name, e.g. "imap:host/INBOX", "ews:mailbox/inbox"
    cursor: str | None = None  # EWS SyncFolderItems state (opaque)
    # IMAP values are unsigned 32-bit: BigInteger so PostgreSQL's signed INTEGER cannot overflow
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger))  # the UIDVALIDITY of last_uid
    last_uid: int | None = Field(default=None, sa_column=Column(BigInteger))  # highest UID committed and acknowledged
    last_success_at: datetime | None = None  # end of the last complete, error-free sync
    last_error: str | None = None
    failing_since: datetime | None = None  # start of the current failure episode (health alert key)


class OutboundMailRow(SQLModel, table=True):
    """A mail the bot sent (or is sending): its registered Message-ID lets replies thread back to it."""

    __tablename__ = "outbound_mail"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)  # with angle brackets, as in the header
    outbox_key: str = Field(unique=True)  # the outbox row's idempotency key: one message per effect
    reference: str | None = Field(default=None, index=True)  # the letter's reference (kenmerk)
    municipality_code: str | None = Field(default=None, index=True)
    to_address: str
    subject: str
    in_reply_to: str | None = None
    raw: bytes  # the exact bytes handed to the transport
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)
    transport: str = ""  # smtp | ews


class SlackMessageRow(SQLModel, table=True):
    """A Slack message the bot posted for an outbox effect (or a case's parent message).

    Written *before* the post with an empty ts (the intent) and completed with the ts after it, so a
    retry knows a post may already exist: it looks the message up by its metadata instead of posting twice.
    """

    __tablename__ = "slack_message"
    __table_args__ = (UniqueConstraint("key", "part", name="uq_slack_message_key_part"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str  # the outbox idempotency key, or "case:<id>" for a case's parent message
    part: str  # thread | channel | urgent | parent: one effect may post in more than one place
    channel: str
    thread_ts: str | None = None  # the parent's ts for a reply in a case thread
    ts: str | None = None  # None: posting was started but not confirmed
    created_at: datetime


class LearnedDomainRow(SQLModel, table=True):
    """A mail domain officers confirmed in triage as a municipality's (a consultancy, a new domain).
    A domain confirmed for two different municipalities is `conflicting` and no longer used."""

    __tablename__ = "learned_domain"
    domain: str = Field(primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code")
    confirmations: int = 1
    conflicting: bool = False
    confirmed_by: str = ""
    updated_at: datetime

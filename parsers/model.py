"""Values that flow out of the reading step: what a mail is, for whom, about which letter, with evidence.

These are the contract between `parsers` (pure reading) and `bot` (decisions, store, alerts), and the
shape behind `ibt explain --json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    REPLY = "reply"
    ARTICLE8 = "article8"
    EXTENSION_REQUEST = "extension_request"
    QUESTION = "question"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    OTHER = "other"
    UNREADABLE = "unreadable"


AUTOMATIC_KINDS = frozenset({Kind.AUTO_REPLY, Kind.BOUNCE})


@dataclass(frozen=True)
class Evidence:
    """One reason behind a reading, shown to officers: which rule, and what it saw."""

    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


@dataclass(frozen=True)
class LetterRef:
    """What the reader needs to know of one letter in the register (a pure value, no store)."""

    reference: str  # 7 digits
    municipality_code: str
    sent_on: date
    to_address: str = ""
    kind: str = ""  # informatieverzoek, rappel, actief_toezicht, ... (the register's letter kind)


@dataclass(frozen=True)
class MunicipalityMatch:
    code: str
    name: str
    score: float  # 0..1


@dataclass(frozen=True)
class ReferenceMatch:
    value: str  # the register's reference, 7 digits
    as_written: str  # as it stood in the mail
    score: float  # 0..1; 1.0 only for an exact reference in the new text or subject


@dataclass(frozen=True)
class Facts:
    realised: int | None = None  # regular places realised (AMV apart, as the legal task is)
    planned: int | None = None  # regular places planned / in preparation
    expected_date: date | None = None  # when the regular task is expected to be met
    location_lost: int | None = None  # places lost (artikel 8)
    realised_amv: int | None = None  # AMV places realised
    planned_amv: int | None = None  # AMV places in preparation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    text_chars: int = 0


@dataclass(frozen=True)
class Reading:
    """Everything the bot understood of one mail. `needs_triage` whenever it would not act on its own."""

    kind: Kind
    message_id: str
    subject: str
    sender: str  # address as in From, lower case
    sent_at: str | None  # Date header, ISO 8601, when parseable
    municipalities: tuple[MunicipalityMatch, ...] = ()  # primary first
    reference: ReferenceMatch | None = None
    facts: Facts = field(default_factory=Facts)
    needs_triage: bool = False
    evidence: tuple[Evidence, ...] = ()
    new_text: str = ""  # the sender's own words, without quoted history and signature
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: tuple[str, ...] = ()  # Message-IDs from In-Reply-To and References
    return_date: date | None = None  # auto-replies: when the person is back
    unreadable_reason: str | None = None
    kind_scores: tuple[tuple[str, float], ...] = ()  # (kind, probability), most likely first
    kind_candidates: tuple[Kind, ...] = ()  # the kind is uncertain: the kinds an officer should choose from
    possible_article8: bool = False  # raised as artikel 8 although another kind scored higher: urgent triage
    possible_phishing: bool = False  # forged or look-alike sender: never matched, shown to officers as such
    signals: tuple[str, ...] = ()  # the named kind signals that fired (kind_signals)

    @property
    def primary_municipality(self) -> MunicipalityMatch | None:
        return self.municipalities[0] if self.municipalities else None


def bare_message_id(message_id: str) -> str:
    """A Message-ID as compared: without angle brackets or spaces, lower case."""
    return message_id.strip().strip("<>").strip().lower()

"""The values a kind rule looks at (`MailView`) and the shape of a rule; shared by `kinds` and `human_kinds`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from parsers.mime import ParsedMail


@dataclass(frozen=True)
class MailView:
    mail: ParsedMail
    new: str  # new text of the message that matters (the forwarded original for an internal forward)
    signature: str
    attachments: str
    own_sender: bool  # from our own ministry domains
    municipal_sender: bool  # domain of a municipality, or writes "namens" one
    cites_reference: bool  # a register reference in subject or new text
    forwarded_external: bool  # an internal forward of an outside mail
    # written by a municipality itself: its (learned) domain, or a namens/college/signature line — not merely a
    # municipality named in the subject, which a journalist or firm writing ABOUT it also does
    municipal_writer: bool = False
    # the sender's domain imitates a municipality's, ours or a secure-mail service's: what it imitates
    lookalike: str = ""

    @cached_property
    def text(self) -> str:
        """The sender's own text and the start of the attachments' text: what most signals read (made once)."""
        return self.new + "\n\n" + self.attachments[:6000]


Rule = Callable[[MailView], str | None]

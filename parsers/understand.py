"""The reading step: raw mail bytes + reference values in, a `Reading` out. Pure; never raises on bad mail.

This is the seam `bot` calls for ingestion and for `ibt explain` alike. It composes the small readers:
`parse_mime` → `reading.read_parsed`: the text that speaks (`split_quote`, `find_forwarded`) and the municipalities
it names (`mail_view`) → the kind (`kind_decision`) → who and which letter (`decide_reference`) → facts
(`find_facts`) → `needs_triage`. Every step adds `Evidence` for the officer. `ReadingContext` (parsers/context.py)
is re-exported here.
"""

from __future__ import annotations

from parsers.context import ReadingContext
from parsers.mime import ParsedMail, parse_mime
from parsers.model import Evidence, Kind, Reading
from parsers.reading import read_parsed


def read_mail(raw: bytes, ctx: ReadingContext) -> Reading:
    """Read one mail. A mail that cannot be read yields kind `unreadable` with its reason, never an exception."""
    try:
        mail = parse_mime(raw)
    except Exception as exc:
        return _unreadable(f"MIME structure not readable: {type(exc).__name__}: {exc}"[:300])

    try:
        return read_parsed(mail, ctx)
    except Exception as exc:
        return _unreadable(f"reader failed: {type(exc).__name__}: {exc}"[:300], mail)


def _unreadable(reason: str, mail: ParsedMail | None = None) -> Reading:
    return Reading(kind=Kind.UNREADABLE, message_id=mail.message_id if mail else "",
                   subject=mail.subject if mail else "", sender=mail.sender if mail else "",
                   sent_at=mail.date.isoformat() if mail and mail.date else None, needs_triage=True,
                   evidence=(Evidence("unreadable", reason),), unreadable_reason=reason)


__all__ = ["ReadingContext", "read_mail"]

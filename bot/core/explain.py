"""A reading as the JSON object of `ibt explain --json` (DESIGN.md contract) and of the stored record."""

from __future__ import annotations

from typing import Any

from parsers.model import Kind, Reading
from parsers.understand import ReadingContext, read_mail


def understand(raw: bytes, ctx: ReadingContext) -> Reading:
    """The reading step as ingestion and `ibt explain` both run it. A reader bug becomes an unreadable
    outcome (the mail is quarantined and replayable), never a lost mail."""
    try:
        return read_mail(raw, ctx)
    except Exception as exc:
        return Reading(kind=Kind.UNREADABLE, message_id="", subject="", sender="", sent_at=None,
                       needs_triage=True, unreadable_reason=f"reader failed: {type(exc).__name__}: {exc}")


def reading_as_dict(reading: Reading) -> dict[str, Any]:
    f = reading.facts
    return {
        "message_id": reading.message_id,
        "kind": reading.kind.value,
        "municipalities": [{"code": m.code, "name": m.name, "score": round(m.score, 3)}
                           for m in reading.municipalities],
        "reference": None if reading.reference is None else {
            "value": reading.reference.value, "as_written": reading.reference.as_written,
            "score": round(reading.reference.score, 3)},
        "facts": {"realised": f.realised, "realised_amv": f.realised_amv, "planned": f.planned,
                  "planned_amv": f.planned_amv,
                  "expected_date": f.expected_date.isoformat() if f.expected_date else None,
                  "location_lost": f.location_lost},
        "kind_scores": dict(reading.kind_scores),
        "kind_candidates": [k.value for k in reading.kind_candidates],
        "possible_article8": reading.possible_article8,
        "possible_phishing": reading.possible_phishing,
        "signals": list(reading.signals),
        "needs_triage": reading.needs_triage,
        "evidence": [str(e) for e in reading.evidence],
        "subject": reading.subject,
        "sender": reading.sender,
        "sent_at": reading.sent_at,
        "attachments": [a.filename for a in reading.attachments],
        "unreadable_reason": reading.unreadable_reason,
        "return_date": reading.return_date.isoformat() if reading.return_date else None,
    }

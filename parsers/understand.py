"""The reading step: raw mail bytes + reference values in, a `Reading` out. Pure; never raises on bad mail.

This is the seam `bot` calls for ingestion and for `ibt explain` alike.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from parsers.model import Evidence, Kind, LetterRef, MunicipalityMatch, Reading, ReferenceMatch
from parsers.registry import Registry

_REF = re.compile(r"(?<!\d)(\d{7})(?!\d)")


@dataclass(frozen=True)
class ReadingContext:
    """The values a reading needs: the municipalities, the letters register, our own mail domains."""

    registry: Registry
    letters: Mapping[str, LetterRef] = field(default_factory=dict)
    own_domains: frozenset[str] = frozenset({"minjenv.nl"})


def read_mail(raw: bytes, ctx: ReadingContext) -> Reading:
    """A first reading: headers, plain text, exact reference, municipality by domain or reference."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        subject = str(msg.get("Subject", "") or "")
        sender = email.utils.parseaddr(str(msg.get("From", "") or ""))[1].lower()
        message_id = str(msg.get("Message-ID", "") or "").strip()
        body_part = msg.get_body(preferencelist=("plain", "html"))
        body = body_part.get_content() if body_part is not None else ""
    except Exception as exc:
        return Reading(kind=Kind.UNREADABLE, message_id="", subject="", sender="", sent_at=None,
                       needs_triage=True, unreadable_reason=f"{type(exc).__name__}: {exc}")
    evidence: list[Evidence] = []
    reference = None
    for where, text in (("subject", subject), ("body", body)):
        for m in _REF.finditer(text):
            if m.group(1) in ctx.letters:
                reference = ReferenceMatch(m.group(1), m.group(1), 1.0)
                evidence.append(Evidence("reference_exact", f"{m.group(1)} in {where}"))
                break
        if reference:
            break
    munis: list[MunicipalityMatch] = []
    domain = sender.rsplit("@", 1)[-1]
    by_domain = ctx.registry.by_domain(domain) if "@" in sender else None
    if by_domain:
        munis.append(MunicipalityMatch(by_domain.code, by_domain.name, 0.9))
        evidence.append(Evidence("municipality_domain", f"sender domain {domain}"))
    if reference:
        m = ctx.registry.by_code(ctx.letters[reference.value].municipality_code)
        if m and m.code not in {x.code for x in munis}:
            munis.append(MunicipalityMatch(m.code, m.name, 0.9))
            evidence.append(Evidence("municipality_reference", f"letter {reference.value} went to {m.name}"))
    needs_triage = not munis or len({x.code for x in munis}) > 1
    return Reading(kind=Kind.REPLY, message_id=message_id, subject=subject, sender=sender,
                   sent_at=None, municipalities=tuple(munis), reference=reference,
                   needs_triage=needs_triage, evidence=tuple(evidence), new_text=body)

"""The reading step: raw mail bytes + reference values in, a `Reading` out. Pure; never raises on bad mail.

This is the seam `bot` calls for ingestion and for `ibt explain` alike. It composes the small readers:
`parse_mime` → `split_quote` (and `find_forwarded` for an internal forward) → `classify` →
`find_municipalities` / references (`references`, `decide_reference`) → `find_facts`, and decides
`needs_triage` (`triage.py`). Every step adds `Evidence` for the officer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from parsers.fact_model import FactModel, shipped_fact_model
from parsers.kind_model import KindModel, shipped_kind_model, words
from parsers.mime import ParsedMail, parse_mime
from parsers.model import Evidence, Kind, LetterRef, Reading, bare_message_id
from parsers.registry import Registry


@dataclass(frozen=True)
class ReadingContext:
    """The values a reading needs: the municipalities, the letters register, our own mail domains, and
    what the bot learned in service (all plain values, loaded by the shell)."""

    registry: Registry
    letters: Mapping[str, LetterRef] = field(default_factory=dict)
    own_domains: frozenset[str] = frozenset({"minjenv.nl"})
    # mail domain → municipality code, confirmed by officers in triage (never a public mail provider)
    learned_domains: Mapping[str, str] = field(default_factory=dict)
    # Message-ID of a mail the bot sent (a reminder) → the letter reference it was about
    threads: Mapping[str, str] = field(default_factory=dict)
    # regional bodies (config/regions.toml): folded name or mail domain → member municipality codes
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the kind model; None: the one shipped in parsers/data/kind_model.json (the operator may name another)
    kind_model: KindModel | None = None
    # the fact model; None: the one shipped in parsers/data/fact_model.json
    fact_model: FactModel | None = None

    # Indexes of the values above, made on first use (once per context, not once per mail: the register and our
    # sent mails grow for years)
    @cached_property
    def letter_municipality(self) -> dict[str, str]:
        """Letter reference → the municipality it went to."""
        return {r: letter.municipality_code for r, letter in self.letters.items()}

    @cached_property
    def municipality_letters(self) -> dict[str, tuple[str, ...]]:
        """Municipality code → its letters' references, in register order."""
        out: dict[str, list[str]] = {}
        for r, letter in self.letters.items():
            out.setdefault(letter.municipality_code, []).append(r)
        return {code: tuple(refs) for code, refs in out.items()}

    @cached_property
    def near_references(self) -> dict[str, tuple[str, ...]]:
        """The register by its references with one digit left out: near misses found by lookup."""
        from parsers.references import near_index

        return near_index(self.letters)

    @cached_property
    def model(self) -> KindModel:
        return self.kind_model or shipped_kind_model()

    @cached_property
    def facts_model(self) -> FactModel:
        return self.fact_model or shipped_fact_model()

    @cached_property
    def name_words(self) -> frozenset[str]:
        """The words of municipality names, former names and aliases (folded), which the kind model reads as one
        token: a kind is never learned from which municipality wrote."""
        out: set[str] = set()
        for m in self.registry.municipalities:
            for n in (m.name, *m.aliases, *m.former):
                out.update(w for w in words(n) if len(w) >= 3 and not w.startswith("<"))
        return frozenset(out - {"den", "aan", "het", "van", "de", "op", "en"})

    @cached_property
    def genuine_domains(self) -> frozenset[str]:
        """Domains whose look-alikes are phishing: the municipalities', ours and secure-mail services'."""
        from parsers.lookalike import SECURE_MAIL_DOMAINS

        return frozenset({d for m in self.registry.municipalities for d in m.domains} | set(self.own_domains)
                         | SECURE_MAIL_DOMAINS)

    @cached_property
    def thread_letters(self) -> dict[str, str]:
        """`threads` with each Message-ID bare (no angle brackets or spaces, lower case)."""
        return {bare_message_id(k): v for k, v in self.threads.items()}


def read_mail(raw: bytes, ctx: ReadingContext) -> Reading:
    """Read one mail. A mail that cannot be read yields kind `unreadable` with its reason, never an exception."""
    try:
        mail = parse_mime(raw)
    except Exception as exc:
        return _unreadable(f"MIME structure not readable: {type(exc).__name__}: {exc}"[:300])
    from parsers.reading import read_parsed

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

"""The values a reading needs (`ReadingContext`): the register, our domains, what the bot learned, the models.

Every stage of the reader takes it; it imports no stage, so the stages import it without a circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from parsers.fact_model import FactModel, shipped_fact_model
from parsers.kind_model import KindModel, shipped_kind_model, words
from parsers.model import LetterRef, bare_message_id
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


__all__ = ["ReadingContext"]

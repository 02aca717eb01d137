"""The 342 municipalities as a registry that resolves names, aliases, codes and mail domains.

Pure: built from rows (see `parse_municipalities_csv`), no file access. The loader that reads
`config/gemeenten.csv` lives in the shell (`bot.reference_data`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_COMBINING = re.compile("[\u0300-\u036f]")  # the combining diacritics NFKD splits off Latin letters
_LEADING_GEMEENTE = re.compile(r"^(?:de\s+)?gemeente\s+")


def fold_token(text: str) -> str:
    """Lower case without accents, curly quotes as straight ones (the same length for Latin text)."""
    s = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return s if s.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", s))


def fold(text: str) -> str:
    """Fold a name for comparison: lower case, no accents, ``'s-``/``’s``/``s-`` alike, punctuation as space."""
    s = _PUNCT.sub(" ", fold_token(text).replace("'", " ")).strip()
    return " ".join(s.split())


def fold_name(text: str) -> str:
    """`fold`, and drop a leading "(de) gemeente"."""
    return _LEADING_GEMEENTE.sub("", fold(text))


@dataclass(frozen=True)
class Municipality:
    code: str  # CBS code, "GM0402"
    name: str  # canonical name as in gemeenten.csv
    province: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # web and mail domains, lower case
    former: tuple[str, ...] = ()  # names of municipalities merged into this one

    @property
    def number(self) -> str:
        return self.code[2:]


@dataclass(frozen=True)
class RegistryError:
    line: int
    message: str


_FORMER = re.compile(r"^\s*(?P<name>[^()]+?)\s*\((?P<code>GM\d{4})")


def parse_municipalities_csv(text: str) -> list[Municipality]:
    """Rows of `config/gemeenten.csv` to values. Raises ValueError naming the line of a bad row."""
    out: list[Municipality] = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = (row.get("cbs_code") or "").strip()
        name = (row.get("name") or "").strip()
        if not re.fullmatch(r"GM\d{4}", code) or not name:
            raise ValueError(f"gemeenten.csv line {line}: needs cbs_code GMnnnn and name, got {code!r} {name!r}")
        aliases = {a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()}
        statnaam = (row.get("cbs_statnaam") or "").strip()
        if statnaam and statnaam != name:
            aliases.add(statnaam)
        domains = {
            d.strip().lower().removeprefix("www.")
            for d in (row.get("domain") or "", row.get("email_domain") or "")
            if d.strip() and "/" not in d.strip()
        }
        former = tuple(
            m.group("name") for part in (row.get("former_municipalities") or "").split(";")
            if (m := _FORMER.match(part))
        )
        out.append(Municipality(code, name, (row.get("province") or "").strip(),
                                tuple(sorted(aliases)), tuple(sorted(domains)), former))
    return out


@dataclass
class Registry:
    """Lookup over all municipalities. Build once at startup; share the value."""

    municipalities: tuple[Municipality, ...]
    _by_code: dict[str, Municipality] = field(init=False, repr=False)
    _by_folded: dict[str, list[Municipality]] = field(init=False, repr=False)
    _by_domain: dict[str, Municipality] = field(init=False, repr=False)
    _former: dict[str, Municipality] = field(init=False, repr=False)

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        self.municipalities = tuple(municipalities)
        self._by_code = {}
        self._by_folded = {}
        self._by_domain = {}
        self._former = {}
        for m in self.municipalities:
            self._by_code[m.code] = m
            self._by_code[m.number] = m
            for n in (m.name, *m.aliases):
                bucket = self._by_folded.setdefault(fold_name(n), [])
                if m not in bucket:
                    bucket.append(m)
            for d in m.domains:
                self._by_domain[d] = m
            for f in m.former:
                self._former[fold_name(f)] = m

    def __len__(self) -> int:
        return len(self.municipalities)

    def by_code(self, code: str) -> Municipality | None:
        c = code.strip().upper()
        return self._by_code.get(c) or self._by_code.get(c.removeprefix("GM"))

    def resolve(self, text: str) -> Municipality | None:
        """A name, alias, folded spelling or CBS code to the one municipality it names; None if unknown or ambiguous."""
        t = text.strip()
        if re.fullmatch(r"(?i)(GM)?\d{4}", t):
            return self.by_code(t)
        hits = self._by_folded.get(fold_name(t), [])
        return hits[0] if len(hits) == 1 else None

    def candidates(self, text: str) -> list[Municipality]:
        """Every municipality a folded name could mean (e.g. "Bergen" → none exact; "Den Haag" → one)."""
        return list(self._by_folded.get(fold_name(text), []))

    def former_of(self, text: str) -> Municipality | None:
        """The current municipality a former (merged) municipality is now part of."""
        return self._former.get(fold_name(text))

    def by_domain(self, domain: str) -> Municipality | None:
        """The municipality owning a mail domain or one of its subdomains (``mail.hilversum.nl``)."""
        d = domain.strip().lower().rstrip(".")
        while d:
            if d in self._by_domain:
                return self._by_domain[d]
            if "." not in d:
                return None
            d = d.split(".", 1)[1]
        return None

    def folded_names(self) -> dict[str, list[Municipality]]:
        """Folded name or alias → municipalities, for phrase and fuzzy matchers."""
        return {k: list(v) for k, v in self._by_folded.items()}

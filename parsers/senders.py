"""What the sender side of a mail says about its municipality: the mail domain (the registry's, or one officers
confirmed), a regional body writing for its members (config/regions.toml, or its wording), and the employer a
shared-service signature names ("werkzaam voor gemeente X")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from parsers.prefilter import prefiltered
from parsers.registry import Registry, fold_name, fold_token

_REGIONAL = prefiltered(r"\b(?:regio\s+[A-Z]|veiligheidsregio|regionaal\s+(?:co[öo]rdinator|adviseur)|regietafel|"
                       r"regionale\s+|gemeenschappelijke\s+regeling|werkorganisatie|samenwerkingsverband|"
                       r"vereniging\s+van\s+\w+\s+gemeenten)", re.IGNORECASE)


def domain_municipality(address: str, registry: Registry) -> str | None:
    """The municipality owning an address's domain, also for "gemeente-x.nl" spellings of "x.nl"."""
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().lower().rstrip(">")
    hit = registry.by_domain(domain)
    if hit is None:
        first, _, rest = domain.partition(".")
        bare = re.sub(r"^gemeente-?", "", first)
        if bare != first and rest:
            hit = registry.by_domain(f"{bare}.{rest}")
    return hit.code if hit else None


def is_regional_sender(display_name: str, signature: str, new: str = "") -> bool:
    """The display name or signature names a regional body; in the new text only a short line of its own (a
    sign-off that the splitter left in), never prose such as "het regionale plan van aanpak"."""
    lines = [ln for ln in new.splitlines()[-15:] if 0 < len(ln.strip()) <= 60]
    if not _REGIONAL.possible("\n".join((display_name, signature[:600], *lines))):  # one check for all of them
        return False
    return bool(_REGIONAL.search(display_name) or _REGIONAL.search(signature[:600])
                or any(_REGIONAL.search(ln) for ln in lines))


def learned_municipality(address: str, learned: Mapping[str, str]) -> str | None:
    """The municipality officers confirmed for this mail domain (or a parent domain of it)."""
    domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(">")
    parts = domain.split(".")
    return next((learned[d] for i in range(len(parts) - 1) if (d := ".".join(parts[i:])) in learned), None)


def regional_body(address: str, display_name: str, signature: str,
                  regions: Mapping[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]] | None:
    """(name or domain, member codes) of the regional body (config/regions.toml) writing this mail, if any."""
    domains, names = _region_index(regions)
    domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(">")
    labels = domain.split(".")
    # the domain itself or a parent domain of two labels or more, the first in the file
    at = [domains[d] for i in range(len(labels) - 1) if (d := ".".join(labels[i:])) in domains]
    if at:
        key = min(at)[1]
        return key, regions[key]
    # a name's longest word is in the accent- and case-folded text wherever the name is; most mails name no body
    folded = fold_token(display_name + "\n" + signature[:600])
    named = sorted((k for word, k in names if word in folded), key=len, reverse=True)
    if not named:
        return None
    where = " " + fold_name(display_name) + " " + " ".join(fold_name(ln) for ln in signature[:600].splitlines()) + " "
    hit = next((k for k in named if f" {k} " in where), None)
    return (hit, regions[hit]) if hit else None


_RegionIndex = tuple[dict[str, tuple[int, str]], tuple[tuple[str, str], ...]]
_INDEXES: dict[int, tuple[Mapping[str, tuple[str, ...]], _RegionIndex]] = {}


def _region_index(regions: Mapping[str, tuple[str, ...]]) -> _RegionIndex:
    """The regions' domains (each with its place in the file) and names (each after its longest word), made once
    per regions value (kept while it is in use, as the name matcher is per registry)."""
    hit = _INDEXES.get(id(regions))
    if hit is not None and hit[0] is regions:
        return hit[1]
    domains = {k: (i, k) for i, k in enumerate(regions) if "." in k}
    names = tuple((max(k.split(), key=len, default=""), k) for k in regions if "." not in k)
    if len(_INDEXES) > 4:
        _INDEXES.clear()
    _INDEXES[id(regions)] = (regions, (domains, names))
    return domains, names


# a signature of a shared-service organisation: "8RHK ambtenaren, werkzaam voor gemeente Berkelland"
_WORKS_FOR = re.compile(r"\bwerkzaam\s+(?:voor|bij)\s+(?:de\s+)?gemeente\s+([A-ZÀ-Ý'’][^\n,;:()|]{1,60})",
                        re.IGNORECASE)


def works_for_municipality(text: str, registry: Registry) -> str | None:
    """The one municipality a "werkzaam voor/bij (de) gemeente X" line names (None if none or more than one).
    Used for machine mail only (an out-of-office of a shared-service domain): in a person's mail it names the
    employer, who may write "namens" another municipality (a regional coordinator employed by Doetinchem)."""
    codes: set[str] = set()
    for m in _WORKS_FOR.finditer(text):
        words = m.group(1).split()
        for n in range(min(len(words), 4), 0, -1):
            hit = registry.resolve(" ".join(words[:n]).rstrip(".")) if words[0][:1].isupper() else None
            if hit is not None:
                codes.add(hit.code)
                break
    return next(iter(codes)) if len(codes) == 1 else None

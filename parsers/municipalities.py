"""Which municipality (or municipalities) a mail is from or written for, with a score and the evidence.

Signals, strongest first: the sender's mail domain (weakened when the signature shows a regional body),
"namens ... X" / "in opdracht van de burgemeester van X" (only titles between phrase and name) and
"college van B&W van X" phrases (the first named of such a list is the primary), a "Gemeente X"
signature or letterhead line, the subject. Bare mentions of other municipalities (neighbours, venues,
courts) weigh little. Names that are also common words count only in a "gemeente"/"namens"/"college"
context; "Bergen" is resolved by province or left ambiguous. Misspellings after "gemeente" are matched with
rapidfuzz (ratio ≥ 90, names > 5 chars).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from parsers.model import Evidence
from parsers.nlp import AMBIGUOUS, NameHit, NameMatcher, build_matcher, find_names_each
from parsers.prefilter import fold as case_fold
from parsers.prefilter import prefiltered
from parsers.registry import Registry, fold_name
from parsers.senders import domain_municipality, is_regional_sender, learned_municipality, regional_body

COMMON_WORD_NAMES = frozenset({
    "best", "beek", "buren", "huizen", "putten", "sluis", "stein", "laren", "goes", "ede", "epe", "oss", "urk",
    "renswoude", "eijsden margraten", "echt susteren", "bergen", "vaals", "venray", "weert", "tiel", "hof van twente",
    "horst aan de maas", "land van cuijk", "westland", "edam volendam", "oost gelre", "olst wijhe", "midden delfland",
})
# a name after one of these words is another body's ("Provincie Utrecht", "Rechtbank Amsterdam")
_SKIP_WORDS = ("provincie", "regio", "rechtbank", "veiligheidsregio", "ggd", "omgevingsdienst", "waterschap", "station",
               "hogeschool", "universiteit", "ziekenhuis", "politie", "luchthaven", "stichting")
_SKIP_BEFORE = re.compile(rf"(?:{'|'.join(_SKIP_WORDS)})\s*$", re.IGNORECASE)
_COLLEGE = re.compile(r"(?:college(?:s)?\s+van\s+(?:burgemeester\s+en\s+wethouders|b\s*&\s*w|b\.\s*en\s*w\.)|"
                      r"burgemeester\s+en\s+wethouders|b\s*&\s*w)\s+van\s+(?:de\s+)?(?:gemeenten?\s+)?$",
                      re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]\s|\n\s*\n")
_GEMEENTE = re.compile(r"\bgemeenten?\s+$", re.IGNORECASE)
_LIST_GAP = re.compile(r"^\s*(?:,|en|&|/)\s*$", re.IGNORECASE)

WEIGHTS = {"domain": 0.6, "learned": 0.5, "namens": 0.5, "college": 0.45, "signature": 0.35, "letterhead": 0.35,
           "subject": 0.3, "gemeente": 0.1, "mention": 0.05}
STRONG = frozenset({"domain", "learned", "namens", "college", "signature", "letterhead", "subject"})


@dataclass
class MunicipalityFindings:
    scores: dict[str, float] = field(default_factory=dict)
    kinds: dict[str, set[str]] = field(default_factory=dict)
    first_seen: dict[str, int] = field(default_factory=dict)
    groups: list[list[str]] = field(default_factory=list)  # named together in one namens/college phrase, in order
    regional_sender: bool = False
    ambiguous_strong: list[str] = field(default_factory=list)  # e.g. "bergen" in a strong context, unresolved
    ambiguous_mandate: bool = False  # "namens het college van Bergen": written for a municipality, but which one?
    region_members: frozenset[str] = frozenset()  # a known regional body writes: only its members can be meant
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, code: str, kind: str, pos: int, detail: str) -> None:
        """`detail` is evidence for a strong kind only (others may leave it empty)."""
        seen = self.kinds.get(code)
        if seen is None:
            seen = self.kinds[code] = set()
        weight = WEIGHTS[kind]
        if kind in seen and kind in ("gemeente", "mention"):
            weight = weight if len(seen) < 3 else 0.0
        elif kind in seen:
            weight = 0.0
        seen.add(kind)
        self.scores[code] = self.scores.get(code, 0.0) + weight
        self.first_seen.setdefault(code, pos)
        if weight and kind in STRONG:
            self.evidence.append(Evidence(f"municipality_{kind}", detail))

    def strong(self) -> list[str]:
        return [c for c, k in self.kinds.items() if k & STRONG]

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.scores.items(), key=lambda kv: (-kv[1], self.first_seen.get(kv[0], 1 << 30)))


def find_municipalities(zones: Mapping[str, str], sender: str, display_name: str, registry: Registry,
                        learned: Mapping[str, str] | None = None, regions: Mapping[str, tuple[str, ...]] | None = None
                        ) -> MunicipalityFindings:
    """Score every municipality the mail is from or for. `zones`: subject, new, signature, attachment.
    `learned`: domains officers confirmed (a little weaker than the registry's own domains). `regions`: a mail
    from a regional body of config/regions.toml is for the members it names; its domain is no municipality's."""
    nm = build_matcher(registry)
    found = MunicipalityFindings()
    found.regional_sender = is_regional_sender(display_name, zones.get("signature", ""), zones.get("new", ""))
    region = regional_body(sender, display_name, zones.get("signature", ""), regions or {})
    if region is not None:
        found.regional_sender = True
        found.region_members = frozenset(region[1])
        found.evidence.append(Evidence("municipality_region", f"written by regional body {region[0]!r}; "
                                       "only the members it names are concerned"))
    home = domain_municipality(sender, registry)
    learned_home = learned_municipality(sender, learned or {}) if home is None else None
    if region is not None and "." in region[0]:
        home = learned_home = None  # the body's own domain is not a municipality's
    home_m = registry.by_code(home or learned_home or "")
    home_province = home_m.province if home_m else ""
    if learned_home and not found.regional_sender:
        found.add(learned_home, "learned", -1, f"sender domain {sender.rsplit('@', 1)[1]} (confirmed by officers)")
    if home:
        kind = "mention" if found.regional_sender else "domain"
        found.add(home, kind, -1, f"sender domain {sender.rsplit('@', 1)[1]}")
        if found.regional_sender:
            found.evidence.append(Evidence("municipality_regional_sender",
                                           f"{sender} writes as a regional body; its domain is weak evidence"))
    offset = 0
    names = ("subject", "new", "signature", "attachment")
    texts = [zones.get(zone, "") for zone in names]
    for zone, text, hits in zip(names, texts, find_names_each(texts, nm), strict=True):
        _scan_zone(zone, text, offset, hits, nm, registry, home_province, found)
        offset += len(text) + 1
    return found


def _skip_before(before: str) -> bool:
    """The text before a name ends with a skip word (then white space only). The regex is asked only when the
    case-folded end has one of the words, which every match has."""
    tail = before.rstrip()[-24:]
    return case_fold(tail).endswith(_SKIP_WORDS) and _SKIP_BEFORE.search(tail) is not None


def _context(text: str, hit: NameHit, prev: NameHit | None, prev_ctx: str, on_behalf: bool) -> str:
    """How a name stands in its text. `on_behalf`: the zone has an on-behalf phrase at all (most have none, and
    their names need not be checked for one each)."""
    if prev is not None and prev_ctx in ("namens", "college", "gemeente") and _LIST_GAP.match(
            text[prev.end: hit.start]):
        return prev_ctx  # listed after a name in such a phrase
    before = text[max(0, hit.start - 160): hit.start]
    if _skip_before(before):
        return "skip"
    # the last sentence can only say "namens" if the text before the name does
    if on_behalf and _ON_BEHALF.search(before) and _on_behalf(_SENTENCE_END.split(before)[-1]):
        return "namens"
    return _phrase_before(before) or "mention"


_PHRASE_ENDS = ("van", "de", "gemeente", "gemeenten")


def _phrase_before(before: str) -> str:
    """"college" or "gemeente" when the text before a name ends with that phrase (and white space), else "". Both
    end with "van", "de" or "gemeente(n)"; a college phrase has "wethouders", "&" or "w." in it; "gemeente(n)"
    ends the text without its white space, so `re` need only try the last positions."""
    end = before.rstrip()
    if not (before[-1:].isspace() and end[-9:].lower().endswith(_PHRASE_ENDS)):
        return ""
    folded = case_fold(before)
    if ("&" in before or "w." in folded or "wethouders" in folded) and _COLLEGE.search(before):
        return "college"
    return "gemeente" if _GEMEENTE.search(before, max(0, len(end) - 10)) else ""


_ON_BEHALF = prefiltered(r"\b(?:namens|in opdracht van|op verzoek van|ten behoeve van)\b", re.IGNORECASE)
_BEHALF_GAP = frozenset({"de", "het", "van", "en", "college", "colleges", "burgemeester", "burgemeesters", "wethouders",
                         "b&w", "b", "w", "&", "gemeente", "gemeenten", "raad", "raden", "beide", "twee", "drie",
                         "deelnemende", "ambtelijke", "organisatie", "directie", "bestuur", "dagelijks"})


_WORDS = re.compile(r"[\w&]+")


def _on_behalf(sentence: str) -> bool:
    """The name is written for: "namens (het college van) (de gemeente) X", "in opdracht van de burgemeester van X".
    Only titles may stand between the phrase and the name, so "namens beide gemeenten vraag ik ... samen met X"
    does not make X a sender."""
    found = list(_ON_BEHALF.finditer(sentence))
    if not found:
        return False
    gap = _WORDS.findall(sentence[found[-1].end():].lower())
    return len(gap) <= 10 and all(w in _BEHALF_GAP for w in gap)


def _resolve(hit: NameHit, nm: NameMatcher, registry: Registry, home_province: str, text: str) -> str | None:
    if not hit.label.startswith(AMBIGUOUS):
        return hit.label
    codes = [c for c in nm.base_names.get(hit.label[len(AMBIGUOUS):], ())]
    after = text[hit.end: hit.end + 25].lower()
    for code in codes:
        m = registry.by_code(code)
        if m is None:
            continue
        prov = _fold_known(m.province)
        if prov and (prov in fold_name(after) or (home_province and _fold_known(home_province) == prov)):
            return code
    return None


# names and provinces are a few thousand strings, met again in mail after mail
_fold_known = lru_cache(maxsize=8192)(fold_name)


def _scan_zone(zone: str, text: str, offset: int, hits: list[NameHit], nm: NameMatcher, registry: Registry,
               home_province: str, found: MunicipalityFindings) -> None:
    on_behalf = bool(hits) and _ON_BEHALF.possible(text)
    prev: NameHit | None = None
    prev_ctx = ""
    group: list[str] = []
    for hit in hits:
        ctx = _context(text, hit, prev, prev_ctx, on_behalf)
        code = _resolve(hit, nm, registry, home_province, text)
        if ctx == "skip":
            prev, prev_ctx = hit, ctx
            continue
        if code is None:
            if ctx in ("namens", "college") or (ctx == "gemeente" and zone in ("subject", "signature")):
                found.ambiguous_strong.append(hit.text)
                found.ambiguous_mandate |= ctx in ("namens", "college")
            prev, prev_ctx = hit, ctx
            continue
        if ctx == "mention" and _fold_known(hit.text) in COMMON_WORD_NAMES and not _signature_line(text, hit):
            prev, prev_ctx = hit, ctx
            continue
        kind = _kind_for(zone, ctx, text, hit)
        if found.region_members and code not in found.region_members and kind in STRONG:
            kind = "mention"  # a regional body writes for its members; others are named in passing
        found.add(code, kind, offset + hit.start, f"{hit.text!r} in {zone} ({ctx})" if kind in STRONG else "")
        if ctx in ("namens", "college"):
            if prev is not None and prev_ctx == ctx and _LIST_GAP.match(text[prev.end: hit.start]):
                group += [code] if code not in group else []
            else:
                if len(group) > 1:
                    found.groups.append(group)
                group = [code]
        prev, prev_ctx = hit, ctx
    if len(group) > 1:
        found.groups.append(group)
    _fuzzy_gemeente(zone, text, offset, nm, found, hits)


# what stands on a line before a name: "gemeente", "de gemeente"
_GEMEENTE_PREFIX = re.compile(r"\s*(?:gemeente|de gemeente)\s+", re.IGNORECASE)
_GEMEENTE_ONLY = re.compile(r"\s*gemeente\s+", re.IGNORECASE)
_DE_GEMEENTE_END = re.compile(r"\bde gemeente\s+$", re.IGNORECASE)


def _signature_line(text: str, hit: NameHit) -> bool:
    line_start = text.rfind("\n", 0, hit.start) + 1
    return bool(_GEMEENTE_PREFIX.fullmatch(text[line_start: hit.start]))


def _kind_for(zone: str, ctx: str, text: str, hit: NameHit) -> str:
    if ctx in ("namens", "college"):
        return ctx
    if zone == "subject" and ctx == "gemeente":
        return "subject"
    if zone in ("signature", "attachment"):  # what stands before the name on its line
        prefix = text[text.rfind("\n", 0, hit.start) + 1: hit.start]
        if zone == "signature" and (_GEMEENTE_ONLY.fullmatch(prefix) or (
                _DE_GEMEENTE_END.search(prefix) and "aanvaardt" in text[hit.end: hit.end + 30])):
            return "signature"
        if zone == "attachment" and hit.start < 300 and _GEMEENTE_ONLY.fullmatch(prefix):
            return "letterhead"
    return "gemeente" if ctx == "gemeente" else "mention"


# "\b" before "gemeente" is written as a look back after it: a pattern that starts with a literal is searched for
# that literal at C speed
_AFTER_GEMEENTE = re.compile(r"gemeente(?<!\wgemeente)\s+"
                             r"([A-ZÀ-Ý'’][\w'’\-]+(?:\s+(?:aan|op|de|den|en|[A-ZÀ-Ý][\w\-]+)){0,3})")


def _fuzzy_gemeente(zone: str, text: str, offset: int, nm: NameMatcher, found: MunicipalityFindings,
                    hits: list[NameHit]) -> None:
    choices, names = nm.fuzzy_choices, nm.fuzzy_names
    covered = [(h.start, h.end) for h in hits]
    for m in _AFTER_GEMEENTE.finditer(text):
        if any(s <= m.start(1) < e for s, e in covered):
            continue
        words = m.group(1).split()
        for n in range(len(words), 0, -1):
            cand = fold_name(" ".join(words[:n]))
            if len(cand) <= 5:
                continue
            best = process.extractOne(cand, names, scorer=fuzz.ratio, score_cutoff=90)
            if best is not None:
                code = choices[best[2]][1]
                kind = "subject" if zone == "subject" else "gemeente"
                found.add(code, kind, offset + m.start(1), f"{' '.join(words[:n])!r} ≈ {best[0]} ({best[1]:.0f})")
                break

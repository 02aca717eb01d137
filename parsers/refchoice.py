"""Which of our letters a mail is about, decided together with the municipality evidence.

Human mail: an exact register reference whose letter went to the municipality the mail is from wins
(subject before new text before attachment before quote; then the most recent letter). A near miss is
accepted only when the municipality independently agrees; a reference of another municipality, a
fuzzy-only reference, or a written reference not in the register sends the mail to triage. With no
reference written, "uw brief van 9 april" names the municipality's letter of that date (and confirms a private
sender's signature when the municipality had exactly one letter that day). A near miss needs the sender's municipal
domain. With no strong municipality, a mail citing the letters of several municipalities, each named in it, is
for all of them, the first cited being the primary when it is also the first named; otherwise triage.
A reference in an attachment's file name counts as written, below subject, text and attachment text. When the cited
reference and a letter named by date disagree, a newer letter named as the one answered wins, an older named letter
yields, and a newer letter named in passing sends the mail to triage (`letterdates.py`). A joint answer
("gezamenlijke reactie van de gemeenten X en Y") is for every municipality named in that sentence. A mail citing its
own older letter and a number one digit from its newer letter is about the newer one when it says it answers the
reminder (and the near miss is safe); otherwise the two signals conflict and the mail goes to triage.
Machine mail: only references that literally appear in the echoed subject or the returned original.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from parsers.context import ReadingContext
from parsers.letterdates import joint_members, named_letters
from parsers.mime import ParsedMail
from parsers.model import Evidence, Kind, ReferenceMatch, bare_message_id
from parsers.municipalities import STRONG, MunicipalityFindings
from parsers.prefilter import prefiltered
from parsers.references import Citation, RefCandidate, find_citations, match_register

_YOUR_LETTER = re.compile(r"\b(?:uw|jullie|your)\s+(?:brief|schrijven|letter|informatieverzoek)\b", re.IGNORECASE)
# a reference in an attachment's file name ("Reactie kenmerk 8452213.pdf") is written by the sender, but named in
# passing and often left from an earlier document: it counts, below the subject, the text and the attachment's text
ZONE_WEIGHT = {"subject": 3.0, "new": 2.0, "attachment": 1.5, "filename": 1.0, "quoted": 0.5}


@dataclass
class RefDecision:
    reference: ReferenceMatch | None = None
    municipality: str | None = None
    municipality_score: float = 0.0
    confirmed: bool = False  # municipality and reference agree independently
    members: list[str] = field(default_factory=list)  # municipalities the mail is for, primary first (when several)
    triage_reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def _best(cands: list[RefCandidate], ctx: ReadingContext) -> RefCandidate:
    def key(c: RefCandidate) -> tuple[float, str, int]:
        same = [x for x in cands if x.reference == c.reference]
        letter = ctx.letters[c.reference]
        return (max(ZONE_WEIGHT[x.citation.zone] for x in same), letter.sent_on.isoformat(), len(same))
    return max(cands, key=key)


def _score(c: RefCandidate) -> float:
    if c.distance:
        return 0.7
    base = {"subject": 1.0, "new": 1.0, "attachment": 0.85, "filename": 0.8, "quoted": 0.6}[c.citation.zone]
    return base - (0.1 if c.normalised and base == 1.0 and not c.citation.written.isdigit() else 0.0)


def _primary(found: MunicipalityFindings) -> str | None:
    """The best-scored municipality with strong evidence; when it was named in one "namens"/"college" phrase
    with others, the first one named there (a regional body writes "namens Tiel en West Betuwe")."""
    for code, _ in found.ranked():
        if found.kinds.get(code, set()) & STRONG:
            group = next((g for g in found.groups if code in g), [code])
            return group[0]
        break
    return None


def thread_references(message_ids: tuple[str, ...], ctx: ReadingContext) -> list[str]:
    """Letters whose reminder (a mail the bot sent) this mail answers, by its In-Reply-To/References."""
    norm = ctx.thread_letters
    return list(dict.fromkeys(r for m in message_ids if (r := norm.get(bare_message_id(m))) and r in ctx.letters))


def decide_reference(zones: Mapping[str, str], found: MunicipalityFindings, ctx: ReadingContext, sender: str,
                     kind: Kind, text: str, threads: list[str] | None = None, sent: date | None = None
                     ) -> RefDecision:
    d = RefDecision()
    citations = find_citations(zones)
    cands = match_register(citations, ctx.letters, ctx.near_references)
    threads = threads or []
    written = [c for c in citations if c.zone not in ("quoted", "filename") and (c.labelled or c.zone == "subject")]
    primary = _primary(found)
    code_of = ctx.letter_municipality
    thread_munis = {code_of[r] for r in threads}
    if primary is None and len(thread_munis) == 1 and not set(found.strong()) - thread_munis:
        primary = code_of[threads[0]]  # the thread of our own reminder names the municipality
        d.evidence.append(Evidence("municipality_thread", f"answers our mail about letter {threads[0]}"))
    if primary is not None:
        d.municipality, d.municipality_score = primary, max(found.scores.get(primary, 0.0),
                                                            0.7 if primary in map(code_of.get, threads) else 0.0)
        own = [c for c in cands if code_of[c.reference] == primary]
        mine = [r for r in threads if code_of[r] == primary]
        in_subject = {c.reference for c in own if c.distance == 0 and c.citation.zone == "subject"}
        if mine and not (in_subject - {mine[0]}):  # In-Reply-To our reminder: the letter it was about
            d.reference, d.confirmed = ReferenceMatch(mine[0], "In-Reply-To", 0.95), True
            d.evidence.append(Evidence("reference_thread", f"answers our mail about letter {mine[0]}"))
            return d
        if threads and not mine:
            d.triage_reasons.append(f"answers our mail about letter {threads[0]} of another municipality")
        tiers = ([c for c in own if c.distance == 0 and c.citation.zone != "quoted"],
                 [c for c in own if c.distance == 1 and c.citation.zone != "quoted"],
                 [c for c in own if c.citation.zone == "quoted" and c.distance == 0])
        reminder = bool(ANSWERS_REMINDER.search(zones.get("subject", "") + "\n" + text))
        pick, why = _newer_near_miss(tiers[0], tiers[1], found, primary, code_of, ctx, reminder)
        if why:
            d.triage_reasons.append(why)
        elif pick is not None:
            tiers = ([], [pick], [])
            d.evidence.append(Evidence("reference_reminder", f"answers the reminder: {pick.citation.written} is one "
                                       f"digit from the newer letter {pick.reference} to this municipality"))
        for tier, label in zip(tiers, ("reference_exact", "reference_fuzzy_agreed", "reference_in_quote"),
                               strict=True):
            if not tier:
                continue
            if label == "reference_fuzzy_agreed" and (why := _unsafe_near_miss(tier, found, primary, code_of)):
                d.triage_reasons.append(why)
                break
            best = _best(tier, ctx)
            d.reference = ReferenceMatch(best.reference, best.citation.written, _score(best))
            d.confirmed = True
            d.evidence.append(Evidence(label, f"{best.citation.written} in {best.citation.zone} → letter "
                                       f"{best.reference} to this municipality"))
            _check_named_letter(d, text, sent, ctx, primary)
            if not d.triage_reasons:
                _check_later_step(d, zones.get("subject", "") + "\n" + zones.get("new", ""), sent, ctx, primary)
            break
        if d.reference is None:
            _no_own_reference(d, cands, written, code_of, primary, ctx, kind, text, found, sent)
        d.members = d.members or joint_members(zones.get("new", ""), primary, found, ctx.registry)
        return d
    exact = [c for c in cands if c.distance == 0 and c.citation.zone in ("subject", "new", "attachment")]
    muni_of_exact = list(dict.fromkeys(code_of[c.reference] for c in exact))  # in citation order
    near_foreign = any(c.distance == 1 and code_of[c.reference] not in muni_of_exact
                       for c in cands if c.citation.zone != "quoted")
    named = [m for m in muni_of_exact if m in found.kinds]
    if len(muni_of_exact) == 1 and not near_foreign:
        best = _best(exact, ctx)
        d.reference = ReferenceMatch(best.reference, best.citation.written, _score(best))
        d.municipality, d.municipality_score, d.confirmed = code_of[best.reference], 0.7, True
        d.evidence.append(Evidence("municipality_reference", f"letter {best.reference} went to this municipality"))
    elif len(muni_of_exact) > 1 and not near_foreign and named == muni_of_exact \
            and min(named, key=lambda m: found.first_seen.get(m, 1 << 30)) == muni_of_exact[0]:
        # one mail for several municipalities, each named and each with its own letter cited: the first named
        # is the first cited; the reference reported is that municipality's own
        first = muni_of_exact[0]
        best = _best([c for c in exact if code_of[c.reference] == first], ctx)
        d.reference = ReferenceMatch(best.reference, best.citation.written, _score(best))
        d.municipality, d.municipality_score, d.confirmed, d.members = first, 0.7, True, muni_of_exact
        d.evidence.append(Evidence("municipality_references", "letters cited for " + ", ".join(muni_of_exact)))
    elif cands:
        d.triage_reasons.append("reference does not settle the municipality: " + ", ".join(
            sorted({f"{c.citation.written}→{c.reference}" for c in cands})[:4]))
    return d


# says it answers our reminder: "Reactie op herinnering", "in antwoord op uw rappel", "n.a.v. de herinnering"
ANSWERS_REMINDER = prefiltered(
    r"(?:\b(?:reactie|antwoord|reageren|reageert|beantwoording|beantwoorden)\s+op|\bnaar aanleiding van|"
    r"\bn\.a\.v\.|\bbeantwoording van|^\s*(?:re|antw|aw)\s*:)\s*(?:uw|de|jullie|your|the)?\s*(?:\w+\s+)?"
    r"(?:herinnering|rappel|reminder|aanmaning)", re.IGNORECASE | re.MULTILINE)


def _newer_near_miss(exact: list[RefCandidate], near: list[RefCandidate], found: MunicipalityFindings, primary: str,
                     code_of: Mapping[str, str], ctx: ReadingContext, reminder: bool
                     ) -> tuple[RefCandidate | None, str | None]:
    """The mail cites the municipality's own older letter exactly and also a number one digit from its newer letter
    (a neighbour's reminder number, or a typo). The newer letter is the one answered when the mail says it answers
    the reminder and the near miss is safe (d029 convention); without that, the two signals conflict: triage."""
    if not exact:
        return None, None
    cited = {c.reference for c in exact}
    latest = max(ctx.letters[r].sent_on for r in cited)
    newer = [c for c in near if c.reference not in cited and code_of.get(c.citation.digits) != primary
             and ctx.letters[c.reference].sent_on > latest]
    if not newer:
        return None, None
    refs = sorted({c.reference for c in newer})
    conflict = (f"cited letter {', '.join(sorted(cited))} and {newer[0].citation.written} (one digit from the newer "
                f"letter {refs[0]}) disagree")
    if not reminder or len(refs) > 1:
        return None, conflict
    if (unsafe := _unsafe_near_miss(newer, found, primary, code_of)) is not None:
        return None, f"{conflict}; {unsafe}"
    return newer[0], None


def _unsafe_near_miss(tier: list[RefCandidate], found: MunicipalityFindings, primary: str,
                      code_of: Mapping[str, str]) -> str | None:
    """A reference one digit off our letter is read as that letter only when the municipality is certain on its
    own (its mail domain, not a regional body's) and it is the only close letter of that municipality: a
    municipality answers its own letter, so another municipality's letter just as close does not compete —
    unless the mail also speaks for that other municipality (namens/college/signature), then it may be for both."""
    if len({c.reference for c in tier}) > 1:
        return "near-miss reference fits several letters of this municipality"
    if "domain" not in found.kinds.get(primary, set()):
        return "near-miss reference and the municipality is not certain from the sender's domain"
    owner = code_of.get(tier[0].citation.digits)
    if owner and owner != primary and found.kinds.get(owner, set()) & STRONG:
        return "the cited reference is the letter of another municipality the mail also speaks for"
    return None


def _check_named_letter(d: RefDecision, text: str, sent: date | None, ctx: ReadingContext, primary: str) -> None:
    """The cited reference and a letter named by date ("uw brief van 2 juli") must be one letter. When they are not:
    a newer letter named as the one answered ("in reactie op uw brief van 2 juli") wins over a cited older number (a
    municipality keeps quoting its first case number); an older named letter yields to the newer cited one (a
    reminder's answer recalls the first letter); a newer letter named in passing leaves the choice to an officer."""
    assert d.reference is not None
    cited = ctx.letters[d.reference.value]
    own = ctx.municipality_letters.get(primary, ())
    if not any(ctx.letters[r].sent_on > cited.sent_on for r in own):
        return  # only a newer letter named by date can differ from the cited one (named letters carry their date)
    named = named_letters(text, sent, ctx.letters, own)
    if not named or any(n.reference == d.reference.value for n in named):
        return
    newer = [n for n in named if n.when > cited.sent_on]
    if not newer:
        return
    answered = {n.reference for n in newer if n.answered}
    if len(answered) == 1 and len({n.reference for n in newer}) == 1:
        ref = answered.pop()
        d.evidence.append(Evidence("reference_answered_letter", f"answers the newer letter {ref} of "
                                   f"{ctx.letters[ref].sent_on.isoformat()}; cited {d.reference.value} is older"))
        d.reference = ReferenceMatch(ref, f"brief van {ctx.letters[ref].sent_on.isoformat()}", 0.7)
        return
    d.triage_reasons.append(f"cited reference {d.reference.value} and the letter named by date "
                            f"({newer[0].when.isoformat()} → {newer[0].reference}) differ")


TREDE_OF_KIND = {"informatieverzoek": 2, "rappel": 2, "actief_toezicht": 3, "vooraankondiging": 4}
# how a mail names a letter of each kind: "uw brief over actief toezicht", "de vooraankondiging van 29 september"
_NAMES_KIND = {
    "actief_toezicht": prefiltered(r"\b(?:actief toezicht|trede 3|derde trede|plan van aanpak|active supervision)\b",
                                   re.IGNORECASE),
    "vooraankondiging": prefiltered(r"\b(?:vooraankondiging|trede 4|vierde trede|juridische interventie|"
                                    r"indeplaatsstelling|prior notice)\b", re.IGNORECASE),
}


def _check_later_step(d: RefDecision, text: str, sent: date | None, ctx: ReadingContext, primary: str) -> None:
    """The cited letter is older than a letter of a later step (trede 3 or 4) the municipality had before it wrote:
    the mail answers that later letter when it names it by what it is ("de vooraankondiging", "actief toezicht") —
    municipalities keep quoting their first reference. Named neither way, it goes to triage with both: a later step
    asks new questions, and the older letter is never acted on by its number alone. Likewise a mail that says it
    answers our reminder ("RE: Herinnering", "in reactie op uw herinnering") answers the reminder, whatever older
    number it quotes."""
    assert d.reference is not None
    cited = ctx.letters[d.reference.value]
    step = TREDE_OF_KIND.get(cited.kind, 2)
    newer = [r for r in ctx.municipality_letters.get(primary, ()) if (letter := ctx.letters[r]).sent_on > cited.sent_on
             and (sent is None or letter.sent_on <= sent)]
    later = [r for r in newer if TREDE_OF_KIND.get(ctx.letters[r].kind, 2) > step]
    reminders = [r for r in newer if ctx.letters[r].kind == "rappel"]
    if not later and reminders and cited.kind != "rappel" and ANSWERS_REMINDER.search(text):
        ref = max(reminders, key=lambda r: ctx.letters[r].sent_on)  # "RE: Herinnering ...": the reminder answered
        d.evidence.append(Evidence("reference_later_step", f"answers the reminder {ref} "
                                   f"({ctx.letters[ref].sent_on.isoformat()}); cited {d.reference.value} is older"))
        d.reference = ReferenceMatch(ref, d.reference.as_written, 0.7)
        return
    if not later:
        return
    named = [r for r in later if (p := _NAMES_KIND.get(ctx.letters[r].kind)) is not None and p.search(text)]
    if len(named) >= 1 and len({ctx.letters[r].kind for r in named}) == 1:
        ref = max(named, key=lambda r: ctx.letters[r].sent_on)
        d.evidence.append(Evidence("reference_later_step", f"answers the later letter {ref} "
                                   f"({ctx.letters[ref].kind}, {ctx.letters[ref].sent_on.isoformat()}); cited "
                                   f"{d.reference.value} is older"))
        d.reference = ReferenceMatch(ref, d.reference.as_written, 0.7)
        return
    newest = max(later, key=lambda r: ctx.letters[r].sent_on)
    d.triage_reasons.append(f"cited reference {d.reference.value} is older than the letter of a later step "
                            f"{newest} ({ctx.letters[newest].kind}, {ctx.letters[newest].sent_on.isoformat()})")


def _no_own_reference(d: RefDecision, cands: list[RefCandidate], written: list[Citation], code_of: Mapping[str, str],
                      primary: str, ctx: ReadingContext, kind: Kind, text: str, found: MunicipalityFindings,
                      sent: date | None = None) -> None:
    foreign = [c for c in cands if c.distance == 0 and c.citation.zone != "quoted"]
    if foreign:
        c = foreign[0]
        d.triage_reasons.append(f"reference {c.citation.written} is the letter to another municipality")
        d.evidence.append(Evidence("reference_other_municipality", f"{c.reference} → {code_of[c.reference]}"))
        return
    if written:
        d.triage_reasons.append("a written reference is not in the register: " +
                                ", ".join(w.written for w in written[:3]))
        return
    if kind is Kind.ARTICLE8 and not re.search(r"\buw brief\b", text, re.IGNORECASE):
        return
    letters = ctx.municipality_letters.get(primary, ())
    named = named_letters(text, sent, ctx.letters, letters)
    if named:  # a letter of the municipality sent on a named date; of several named, the most recent is answered
        pick = max(named, key=lambda n: (n.answered and len({x.reference for x in named if x.answered}) == 1,
                                         n.when))
        d.reference = ReferenceMatch(pick.reference, f"brief van {pick.when.isoformat()}", 0.6)
        d.confirmed = True
        d.evidence.append(Evidence("reference_by_letter_date", f"{pick.when.isoformat()} → letter {pick.reference}"))
        return
    # "jullie brief" / "uw brief" without a date: the municipality's only letter, when the municipality is certain
    certain = found.kinds.get(primary, set()) & {"domain", "namens", "college"}
    if len(letters) == 1 and certain and _YOUR_LETTER.search(text):
        d.reference = ReferenceMatch(letters[0], "uw brief", 0.6)
        d.confirmed = True
        d.evidence.append(Evidence("reference_only_letter", f"'uw brief': the municipality's only letter {letters[0]}"))


# seven digits, not glued to a word or a dot before or a word after; the test before the first digit stands after
# it so that `re` skips ahead to digits (a pattern that starts with a look-behind is tried at every position)
_SEVEN_DIGITS = re.compile(r"(\d(?<![\w.]\d)\d{6})(?!\w)")


def find_machine_references(mail: ParsedMail, ctx: ReadingContext, codes: list[str]) -> ReferenceMatch | None:
    """An exact register reference in the echoed subject, body or returned original (not fuzzy)."""
    zones: dict[str, str] = {"subject": mail.subject, "new": mail.text[:20_000]}
    for i, n in enumerate(mail.nested):
        zones[f"nested{i}"] = "\n".join([n.subject, n.text[:20_000]] + [a.filename + "\n" + a.text[:5000]
                                                                          for a in n.attachments])
    seen: list[tuple[str, str]] = []
    for zone, text in zones.items():
        for m in _SEVEN_DIGITS.finditer(text):
            if m.group(1) in ctx.letters:
                seen.append((m.group(1), zone))
    if not seen:
        return None
    agreeing = [r for r, _ in seen if ctx.letters[r].municipality_code in codes]
    pick = agreeing[0] if agreeing else (seen[0][0] if len({r for r, _ in seen}) == 1 and not codes else None)
    return ReferenceMatch(pick, pick, 0.9) if pick else None

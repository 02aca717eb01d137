"""Composition of the readers for one parsed mail: kind, municipalities, reference, facts, triage.

`read_parsed(mail, ctx)` is what `read_mail` calls after MIME parsing. Human mail is read from its new
text (or, for an internal forward or a colleague's forward from the same municipality, from the forwarded
original); machine mail (auto-replies, bounces)
from the echoed subject and the returned original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from parsers.context import ReadingContext
from parsers.facts import find_facts, find_return_date
from parsers.kind_decision import KindDecision, decide_kind
from parsers.kind_signals import quoted_from_mail
from parsers.lookalike import FREE_MAIL, lookalike_of
from parsers.mailview import MailView
from parsers.mime import ParsedMail
from parsers.model import AUTOMATIC_KINDS, Attachment, Evidence, Facts, Kind, MunicipalityMatch, Reading
from parsers.municipalities import MunicipalityFindings, find_municipalities
from parsers.quotes import find_forwarded, split_quote
from parsers.refchoice import RefDecision, decide_reference, find_machine_references, thread_references
from parsers.senders import domain_municipality, learned_municipality, works_for_municipality

# The bot acts on a municipality on its own only when its evidence reaches MIN_ACT_SCORE (one strong signal such as
# a "Gemeente X" signature, or a confirming reference) AND no other municipality comes within MIN_MARGIN of it
# (a domain against a signature, or two signatures, is no clear margin); otherwise an officer decides.
MIN_ACT_SCORE = 0.3
_WRITER = frozenset({"domain", "learned", "namens", "college", "signature", "letterhead"})
MIN_MARGIN = 0.25



def is_own(address: str, own_domains: frozenset[str]) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in own_domains)


@dataclass(frozen=True)
class _Body:
    sender: str
    display_name: str
    subject: str
    new: str
    signature: str
    quoted: str
    forwarded_external: bool


def _effective_body(mail: ParsedMail, ctx: ReadingContext) -> _Body:
    """The text that speaks: the new text, or for a forward the forwarded original — of an outside mail when we
    forward internally, or of a colleague's mail (same domain or municipality) that the sender passes on."""
    own = ctx.own_domains
    split = split_quote(mail.text)
    fwd = find_forwarded(split.quoted)
    if fwd is None or not fwd.sender:
        return _Body(mail.sender, mail.sender_name, mail.subject, split.new, split.signature, split.quoted, False)
    inner = split_quote(fwd.body)
    if is_own(mail.sender, own) and not is_own(fwd.sender, own):
        return _Body(fwd.sender, "", fwd.subject or mail.subject, inner.new, inner.signature, inner.quoted, True)
    home = domain_municipality(mail.sender, ctx.registry)
    forward = re.match(r"^\s*(?:fwd?|doorst|wg|tr)\s*:", mail.subject, re.IGNORECASE) or re.match(
        r"^\W*(?:doorgestuurd bericht|forwarded message|begin (?:forwarded message|doorgestuurd bericht))",
        split.quoted, re.IGNORECASE)
    colleague = _domain(fwd.sender) == _domain(mail.sender) or (
        home is not None and home == domain_municipality(fwd.sender, ctx.registry))
    if forward and colleague:
        return _Body(mail.sender, mail.sender_name, mail.subject, split.new + "\n\n" + inner.new,
                     split.signature + "\n" + inner.signature, inner.quoted, False)
    return _Body(mail.sender, mail.sender_name, mail.subject, split.new, split.signature, split.quoted, False)


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def mail_view(mail: ParsedMail, ctx: ReadingContext) -> tuple[_Body, MunicipalityFindings, MailView]:
    """The text that speaks, the municipalities it names, and the values the kind decision looks at."""
    body = _effective_body(mail, ctx)
    attach_text = "\n\n".join(a.text for a in mail.attachments if a.text)
    zones = {"subject": body.subject, "new": body.new, "signature": body.signature, "attachment": attach_text}
    found = find_municipalities(zones, body.sender, body.display_name, ctx.registry, ctx.learned_domains, ctx.regions)
    municipal = (bool(found.strong()) and not found.regional_sender) or found.ambiguous_mandate or any(
        k & {"namens", "college"} for k in found.kinds.values())
    cites = any(n in ctx.letters for n in re.findall(r"(?<!\d)\d{7}(?!\d)", body.subject + "\n" + body.new))
    home = domain_municipality(body.sender, ctx.registry) or learned_municipality(body.sender, ctx.learned_domains)
    own = is_own(mail.sender, ctx.own_domains)
    fake = "" if home or own else (lookalike_of(_domain(mail.sender), ctx.genuine_domains) or "")
    view = MailView(mail, body.new, body.signature, attach_text, own, municipal or bool(home), cites,
                    body.forwarded_external,
                    bool(home) or found.ambiguous_mandate or any(k & _WRITER for k in found.kinds.values()),
                    f"{_domain(mail.sender)} imitates {fake}" if fake else "")
    return body, found, view


def read_parsed(mail: ParsedMail, ctx: ReadingContext) -> Reading:
    if not (mail.sender or mail.subject or mail.message_id or mail.date) and not mail.text.strip():
        raise_reason = "no mail headers and no text"
        return Reading(kind=Kind.UNREADABLE, message_id="", subject="", sender="", sent_at=None,
                       needs_triage=True, evidence=(Evidence("unreadable", raise_reason),),
                       unreadable_reason=raise_reason)
    body, found, view = mail_view(mail, ctx)
    attach_text = view.attachments
    evidence: list[Evidence] = []
    if body.forwarded_external:
        evidence.append(Evidence("forwarded", f"internal forward of a mail from {body.sender}"))
    names = "\n".join(re.sub(r"[_+]", " ", a.filename) for a in mail.attachments if a.filename)
    ref_zones = {"subject": body.subject, "new": body.new, "attachment": attach_text, "filename": names,
                 "quoted": body.quoted}
    decided = decide_kind(view, ctx.model, ctx.name_words)
    kind = decided.kind
    evidence += _kind_evidence(decided)
    ref_date = mail.date.date() if mail.date else None
    if kind in AUTOMATIC_KINDS:
        return _with_kind(_machine(mail, ctx, kind, evidence, body, ref_date), decided)
    if kind is Kind.OTHER:
        return _with_kind(_reading(mail, kind, evidence, body, (), None, Facts(), needs_triage=decided.uncertain),
                          decided)
    threads = thread_references(mail.in_reply_to, ctx) if not body.forwarded_external else []
    decision = decide_reference(ref_zones, found, ctx, body.sender, kind, body.new + "\n" + attach_text, threads,
                                ref_date)
    evidence += decision.evidence
    # facts are what an answer or an artikel 8 notice states (the labelling conventions); a question or an extension
    # request is not read for them unless the kind is uncertain and one of those is a candidate
    stating = {Kind.REPLY, Kind.ARTICLE8} & {kind, *decided.candidates}
    facts = find_facts(body.new + "\n\n" + attach_text, ref_date, article8=kind is Kind.ARTICLE8,
                       model=ctx.facts_model) if stating else Facts()
    munis, triage, why = _human_municipalities(found, decision, body.sender, ctx)
    if decided.possible_article8:
        why.append(f"possibly an artikel 8 notification ({decided.scores.get('article8', 0):.2f}), "
                   f"else {decided.candidates[-1].value}")
    elif decided.uncertain:
        why.append("kind uncertain: " + " or ".join(
            f"{k.value} ({decided.scores.get(k.value, 0):.2f})" for k in decided.candidates))
    evidence += found.evidence[:12]
    evidence += [Evidence("triage", w) for w in why]
    reading = _reading(mail, kind, evidence, body, munis, decision, facts, needs_triage=triage or bool(why))
    return _with_kind(reading, decided)


def _kind_evidence(decided: KindDecision) -> list[Evidence]:
    out = [Evidence(f"kind_{decided.rule}", decided.reason)]
    if decided.rule == "model":
        out += [Evidence(f"signal_{name}", quoted_from_mail(name, seen)[:120]) for name, seen in decided.signals.items()
                if any(f == f"sig:{name}" for f, _ in decided.strongest)]
        words = [f for f, _ in decided.strongest if not f.startswith("sig:")]
        if words:
            out.append(Evidence("kind_words", ", ".join(words)))
    return out


def _with_kind(reading: Reading, decided: KindDecision) -> Reading:
    from dataclasses import replace

    ranked = tuple(sorted(((k, round(p, 4)) for k, p in decided.scores.items()), key=lambda kp: -kp[1]))
    triage = reading.needs_triage or (decided.uncertain and reading.kind in AUTOMATIC_KINDS)
    return replace(reading, kind_scores=ranked, kind_candidates=decided.candidates,
                   possible_article8=decided.possible_article8, signals=tuple(decided.signals),
                   possible_phishing=decided.rule in ("phishing", "lookalike"),
                   needs_triage=triage)


def _human_municipalities(found: MunicipalityFindings, decision: RefDecision, sender: str,
                          ctx: ReadingContext) -> tuple[tuple[MunicipalityMatch, ...], bool, list[str]]:
    why: list[str] = list(decision.triage_reasons)
    primary = decision.municipality
    if primary is None:
        why.append("no municipality could be established")
        if found.ambiguous_strong:
            why.append(f"ambiguous municipality name: {', '.join(found.ambiguous_strong)}")
        return (), True, why
    group = set(decision.members or next((g for g in found.groups if primary in g), [primary]))
    rivals = [c for c in found.strong() if c not in group and found.scores.get(c, 0) >= 0.3]
    if rivals:
        names = ", ".join(m.name for c in rivals if (m := ctx.registry.by_code(c)))
        why.append(f"other municipalities also claim the mail: {names}")
    score = max(found.scores.get(primary, 0.0), decision.municipality_score)
    runner_up = max((v for c, v in found.scores.items() if c not in group), default=0.0)
    if score < MIN_ACT_SCORE:
        why.append(f"municipality evidence {score:.2f} below the acting threshold {MIN_ACT_SCORE}")
    elif score - runner_up < MIN_MARGIN and not decision.confirmed:
        why.append(f"no clear margin over another municipality ({score:.2f} against {runner_up:.2f})")
    if found.ambiguous_strong:
        why.append(f"ambiguous municipality name: {', '.join(found.ambiguous_strong)}")
    domain = sender.rsplit("@", 1)[-1].lower()
    if domain in FREE_MAIL and not decision.confirmed:
        why.append(f"private address ({domain}) without a confirming reference")
    ordered = [primary, *sorted(group - {primary}, key=lambda c: found.first_seen.get(c, 1 << 30))]
    if why:
        ordered += [c for c in rivals if c not in ordered]
    out = []
    for code in ordered:
        m = ctx.registry.by_code(code)
        if m:
            score = min(1.0, max(found.scores.get(code, 0.0), decision.municipality_score if code == primary else 0))
            out.append(MunicipalityMatch(m.code, m.name, round(score, 2)))
    return tuple(out), bool(why), why


def _machine(mail: ParsedMail, ctx: ReadingContext, kind: Kind, evidence: list[Evidence], body: _Body,
             ref_date: date | None) -> Reading:
    codes: list[str] = []
    if kind is Kind.BOUNCE:
        for addr in _failed_recipients(mail, ctx):
            code = domain_municipality(addr, ctx.registry)
            if code and code not in codes:
                codes.append(code)
                evidence.append(Evidence("municipality_failed_recipient", addr))
        if not codes:  # a wrong domain: the returned headers may still name the addressee "Gemeente X"
            codes += _failed_recipient_names(mail, ctx, evidence)
    else:
        code = domain_municipality(body.sender, ctx.registry)
        if code:
            codes.append(code)
            evidence.append(Evidence("municipality_domain", f"auto-reply from {body.sender}"))
        elif code := works_for_municipality(body.signature + "\n" + body.new, ctx.registry):
            codes.append(code)
            evidence.append(Evidence("municipality_works_for", "signature: werkzaam voor/bij gemeente"))
    reference = find_machine_references(mail, ctx, codes)
    if reference is None:  # the returned original, or the mail auto-answered, is one the bot sent about a letter
        ids = (*mail.in_reply_to, *(n.message_id for n in mail.nested))
        hits = [r for r in thread_references(ids, ctx) if not codes or ctx.letters[r].municipality_code in codes]
        if len(set(hits)) == 1:
            from parsers.model import ReferenceMatch

            reference = ReferenceMatch(hits[0], "In-Reply-To", 0.9)
    if reference is not None:
        evidence.append(Evidence("reference_echoed", f"{reference.value} in the echoed subject or returned mail"))
        letter_code = ctx.letters[reference.value].municipality_code
        if not codes and (m := ctx.registry.by_code(letter_code)):
            codes.append(m.code)
    munis = tuple(MunicipalityMatch(m.code, m.name, 0.9) for c in codes[:3] if (m := ctx.registry.by_code(c)))
    back = find_return_date(body.new, ref_date) if kind is Kind.AUTO_REPLY else None
    triage = len(munis) != 1
    reading = _reading(mail, kind, evidence, body, munis, reference, Facts(), triage, back)
    returned = tuple(n.message_id for n in mail.nested if n.message_id)
    if kind is Kind.BOUNCE and returned:  # the returned original's Message-ID links the bounce to our letter
        from dataclasses import replace

        reading = replace(reading, in_reply_to=tuple(dict.fromkeys((*reading.in_reply_to, *returned))))
    return reading


_ADDR = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _failed_recipients(mail: ParsedMail, ctx: ReadingContext) -> list[str]:
    found = re.findall(r"(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*<?([^\s>;]+@[^\s>;]+)",
                       mail.delivery_status, re.IGNORECASE)
    found += _ADDR.findall(mail.text[:4000])
    for n in mail.nested:
        found += list(n.recipients)
    return [a.lower() for a in found if not is_own(a, ctx.own_domains)]


def _failed_recipient_names(mail: ParsedMail, ctx: ReadingContext, evidence: list[Evidence]) -> list[str]:
    """The one municipality that the returned original's To/Cc display names call "Gemeente X" for a failed
    address; none when the names disagree or none is a municipality."""
    import email.utils

    failed = set(_failed_recipients(mail, ctx))
    found: dict[str, str] = {}
    for n in mail.nested:
        pairs = email.utils.getaddresses([n.header("To"), n.header("Cc")])
        for name, addr in pairs:
            if addr.lower() in failed and re.match(r"^\s*(?:de\s+)?gemeente\s+\S", name, re.IGNORECASE):
                m = ctx.registry.resolve(name)
                if m is not None:
                    found.setdefault(m.code, f"{name} <{addr}>")
    if len(found) != 1:
        return []
    code, detail = next(iter(found.items()))
    evidence.append(Evidence("municipality_failed_recipient_name", f"returned mail addressed to {detail}"))
    return [code]


def _reading(mail: ParsedMail, kind: Kind, evidence: list[Evidence], body: _Body,
             munis: tuple[MunicipalityMatch, ...], decision: RefDecision | object | None, facts: Facts,
             needs_triage: bool, return_date: date | None = None) -> Reading:
    from parsers.model import ReferenceMatch

    ref = decision.reference if isinstance(decision, RefDecision) else decision
    return Reading(
        kind=kind, message_id=mail.message_id, subject=mail.subject, sender=mail.sender,
        sent_at=mail.date.isoformat() if mail.date else None, municipalities=munis,
        reference=ref if isinstance(ref, ReferenceMatch) else None, facts=facts, needs_triage=needs_triage,
        evidence=tuple(evidence), new_text=body.new,
        attachments=tuple(Attachment(a.filename, a.content_type, a.size, len(a.text)) for a in mail.attachments),
        in_reply_to=mail.in_reply_to, return_date=return_date,
    )

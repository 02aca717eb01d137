"""Kind rules: the structural ones that decide alone, and the wording ones that the kind model weighs.

Each rule looks at a `MailView` (values only) and returns its reason or None; the reason becomes evidence.
`HARD_RULES` decide on headers and structure (bounces before auto-replies, since NDRs also carry Auto-Submitted;
a forged or look-alike sender before anything it claims). The wording rules (an auto-reply subject, a receipt
text, a bounce subject, a newsletter's unsubscribe line, a press or firm signature, no municipality and no letter)
are signals of `kind_signals`: in a mail whose structure says nothing they count, but do not decide alone.
"""

from __future__ import annotations

import re

from parsers.mailview import MailView, Rule
from parsers.model import Kind
from parsers.prefilter import prefiltered

_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:onbestelbaar|niet bezorgd|bezorging (?:is )?vertraagd|undeliverable|undelivered|undeliverable mail|"
    r"delivery (?:status notification|failure|has failed|delayed)|mail delivery (?:failed|failure|system)|"
    r"returned mail|failure notice|delivery failure|non[- ]?delivery|nondeliverable|unzustellbar|"
    r"nicht zustellbar|[ée]chec de (?:la )?remise|non remis|message not delivered|warning: could not send|"
    r"mail system error|delivery notification|unable to deliver|could not send message)", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"^\s*\[?\s*(?:thank you for your (?:e-?mail|message)|bedankt voor uw (?:e-?mail|bericht)|"
    r"automatisch antwoord|automatisch bericht|automatische antwort|automatic reply|auto[- ]?reply|"
    r"autoreply|auto[- ]?response|out of (?:the )?office|afwezig|niet aanwezig|afwezigheidsbericht|"
    r"abwesenheits?\w*|r[ée]ponse automatique|automatyczna odpowied\w*|risposta automatica|"
    r"respuesta autom[aá]tica|ontvangstbevestiging|[ûu]ntfangstbef[êe]stiging|bevestiging van ontvangst|"
    r"vacation|on vacation|away from)\b", re.IGNORECASE)
_AUTO_SUBJECT_ANY = re.compile(r"\((?:automatic response|auto[- ]?reply)\)|\bout of office\b", re.IGNORECASE)
_RECEIPT_BODY = prefiltered(
    r"(?:uw (?:bericht|e-?mail|brief) is (?:in goede orde )?(?:ontvangen|geregistreerd)|"
    r"wij hebben uw (?:bericht|e-?mail) ontvangen|"
    r"geregistreerd onder (?:zaak|registratie)?nummer|ontvangen onder (?:zaak|registratie)?nummer|"
    r"dit is een automatisch (?:gegenereerd |verzonden |verstuurd )?bericht|"
    r"dit bericht is automatisch (?:verstuurd|verzonden|gegenereerd)|"
    r"this is an automated (?:message|reply|response)|this message was automatically generated)", re.IGNORECASE)
_OOO_BODY = prefiltered(
    r"(?:\bik ben (?:tot en met|t/m|tot|van|vanaf|met|op)?[^.\n]{0,60}\b(?:afwezig|met vakantie|niet aanwezig|"
    r"niet op kantoor|met verlof)|\bi am (?:currently )?out of (?:the )?office|\bi(?:'m| am) away\b|"
    r"\bben ik (?:afwezig|niet aanwezig|met vakantie))", re.IGNORECASE)


def _header(v: MailView, name: str) -> str:
    return v.mail.header(name).strip().lower()


def rule_bounce_report(v: MailView) -> str | None:
    if v.mail.content_type == "multipart/report" and "delivery-status" in v.mail.report_type.lower():
        return "multipart/report; report-type=delivery-status"
    if v.mail.header("X-MS-Exchange-Message-Is-Ndr") != "" and v.mail.has_header("X-MS-Exchange-Message-Is-Ndr"):
        return "Exchange NDR header"
    if v.mail.delivery_status:
        return "message/delivery-status part"
    if v.mail.has_header("X-Failed-Recipients"):
        return "X-Failed-Recipients header"
    return None


def rule_bounce_sender(v: MailView) -> str | None:
    local = v.mail.sender.split("@", 1)[0]
    from_line = v.mail.header("From").lower()
    daemon = local in ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon") or re.search(
        r"mailer-daemon|mail delivery (?:subsystem|system|service)|mail administrator", from_line)
    if not daemon:
        return None
    says_so = _BOUNCE_SUBJECT.search(v.mail.subject) or _BOUNCE_ANYWHERE.search(v.mail.subject) or v.mail.nested \
        or re.search(
        r"(?:could not be delivered|undeliverable|niet (?:worden )?bezorgd|delivery|returned|"
        r"permanent|failed|zustell)", v.mail.text[:3000], re.IGNORECASE)
    return f"sent by {local or 'MAILER-DAEMON'}" if says_so else None


_BOUNCE_ANYWHERE = prefiltered(
    r"\b(?:could not be delivered|permanent delivery failure|failure delivery|failed mail to|undeliverable|"
    r"undelivered mail|returned mail|niet bezorgd|onbestelbaar|unzustellbar)\b", re.IGNORECASE)


def _colleague(v: MailView) -> bool:
    """A person of our own ministry (not an internal forward of outside mail): wording alone never makes their
    mail a bounce or an auto-reply; only structure and headers do (a DSN, a daemon sender, Auto-Submitted)."""
    return v.own_sender and not v.forwarded_external


def rule_bounce_subject(v: MailView) -> str | None:
    if _colleague(v):
        return None
    m = _BOUNCE_SUBJECT.search(v.mail.subject) or _BOUNCE_ANYWHERE.search(v.mail.subject)
    return f"subject starts with {m.group(0).strip()!r}" if m else None


def rule_read_receipt(v: MailView) -> str | None:
    if v.mail.content_type == "multipart/report" and "disposition-notification" in v.mail.report_type.lower():
        return "read receipt (disposition-notification)"
    if re.match(r"^\s*(?:gelezen|niet gelezen|read|not read|gelesen|lu)\s*:", v.mail.subject, re.IGNORECASE):
        return f"read-receipt subject {v.mail.subject.split(':', 1)[0]!r}"
    return None


def generated_by_a_system(v: MailView) -> bool:
    """`Auto-Submitted: auto-generated` from a municipality's own system (a zaaksysteem, Mijn Zaken): it may carry a
    receipt or the college's own answer or notice; its words decide (the kind model), not the header."""
    return _header(v, "Auto-Submitted").startswith("auto-generated") and v.municipal_sender


def rule_auto_headers(v: MailView) -> str | None:
    auto = _header(v, "Auto-Submitted")
    if auto and auto != "no" and not re.match(r"^\s*(?:fw|fwd|doorst)\s*:", v.mail.subject, re.IGNORECASE) \
            and not _notification(v) and not generated_by_a_system(v):
        return f"Auto-Submitted: {auto}"
    for h in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        if v.mail.has_header(h):
            return f"{h} header"
    prec = _header(v, "Precedence") or _header(v, "X-Precedence")
    if prec == "auto_reply":
        return "Precedence: auto_reply"
    if prec in ("bulk", "junk") and not _is_list(v) and (_AUTO_SUBJECT.search(v.mail.subject)
                                                           or _RECEIPT_BODY.search(v.new) or _OOO_BODY.search(v.new)):
        return f"Precedence: {prec} with auto-reply wording"
    return None


def _notification(v: MailView) -> bool:
    """RFC 3834 "auto-generated" mail that answers no mail (no In-Reply-To, no "Re:", not from a municipality's
    mailbox): a system notification (a shared file, a task, a portal), not a mailbox answering us."""
    return (_header(v, "Auto-Submitted").startswith("auto-generated") and not v.mail.in_reply_to
            and not v.mail.has_header("References") and not v.municipal_sender
            and not re.match(r"^\s*(?:re|antw|aw|sv|vs|r)\s*:", v.mail.subject, re.IGNORECASE))


def rule_notification(v: MailView) -> str | None:
    if _notification(v):
        return "system notification (Auto-Submitted: auto-generated) that answers no mail"
    return None


def rule_auto_subject(v: MailView) -> str | None:
    if _colleague(v) and not re.match(r"^\s*(?:automatisch antwoord|automatic reply|afwezig)\s*:", v.mail.subject,
                                        re.IGNORECASE):
        return None
    m = _AUTO_SUBJECT.search(v.mail.subject) or _AUTO_SUBJECT_ANY.search(v.mail.subject)
    if m:
        return f"auto-reply subject {m.group(0).strip()!r}"
    return None


def rule_auto_body(v: MailView) -> str | None:
    """A receipt or out-of-office text: short, and saying so in its first lines."""
    if _colleague(v) or len(v.new) > 1500 or (v.mail.attachments and any(a.text for a in v.mail.attachments)):
        return None
    m = _RECEIPT_BODY.search(v.new) or _RECEIPT_BODY.search(v.signature)
    if m:
        return f"automatic receipt: {m.group(0)!r}"
    m = _OOO_BODY.search(v.new[:400])
    if m and len(v.new) < 700:
        return f"out-of-office text: {m.group(0)!r}"
    return None


def _is_list(v: MailView) -> bool:
    return any(v.mail.has_header(h) for h in ("List-Unsubscribe", "List-Id", "List-Post", "Mailing-List"))


def rule_newsletter(v: MailView) -> str | None:
    if _is_list(v) or _header(v, "Precedence") in ("bulk", "list"):
        return "mailing-list / bulk headers"
    if re.search(r"\b(?:afmelden|uitschrijven|unsubscribe)\b|geen berichten meer ontvangen|nieuwsbrief",
                 v.new + "\n" + v.signature, re.IGNORECASE) and not v.cites_reference:
        return "newsletter or commercial mail (unsubscribe link)"
    return None


_MINISTRY_NAME = re.compile(r"\b(?:ministerie|rijksoverheid|minjenv|ibt[- ]?(?:portaal|spreidingswet)|"
                            r"ministry of|government of the netherlands)\b", re.IGNORECASE)


def auth_failed(auth_results: str) -> str | None:
    """A failing SPF or DMARC verdict (or failing DKIM without a DMARC pass): the sender is not who it says."""
    auth = auth_results.lower()
    m = re.search(r"\b(?:spf|dmarc|compauth)=(?:fail|softfail)\b", auth)
    if m:
        return m.group(0)
    if re.search(r"\bdkim=fail\b", auth) and not re.search(r"\bdmarc=pass\b", auth):
        return "dkim=fail"
    return None


def rule_phishing(v: MailView) -> str | None:
    failed = auth_failed(v.mail.header("Authentication-Results"))
    if failed:
        return f"failed authentication in Authentication-Results ({failed})"
    if not v.own_sender and not v.forwarded_external and _MINISTRY_NAME.search(v.mail.sender_name) \
            and not v.mail.sender.endswith(".rijksoverheid.nl") and not v.mail.sender.endswith("@rijksoverheid.nl"):
        return f"display name {v.mail.sender_name!r} pretends to be the ministry from {v.mail.sender}"
    if re.search(r"verifi[eë]+r\w*\s+uw\s+(?:account|mailbox)|uw (?:account|mailbox) (?:wordt|zal worden) "
                 r"(?:gedeactiveerd|geblokkeerd|verwijderd)", v.new, re.IGNORECASE):
        return "asks to verify an account (phishing)"
    return None


def rule_invitation(v: MailView) -> str | None:
    if v.mail.has_calendar:
        return "calendar invitation (text/calendar)"
    m = re.match(r"^\s*(?:uitnodiging|bijgewerkte uitnodiging|invitation|updated invitation|geaccepteerd|"
                 r"accepted|afgeslagen|declined|voorlopig)\s*:", v.mail.subject, re.IGNORECASE)
    if m:
        return f"calendar subject {m.group(0).strip()!r}"
    m = re.search(r"(?:nu deelnemen aan de vergadering|deelnemen aan (?:een |de )?microsoft teams-vergadering|"
                  r"join (?:the meeting now|microsoft teams meeting)|click here to join the meeting|"
                  r"vergaderings-id\s*:|meeting id\s*:)", v.new + "\n" + v.signature, re.IGNORECASE)
    if m:
        return f"meeting invitation text {m.group(0).strip()!r}"
    return None


def rule_internal(v: MailView) -> str | None:
    if v.own_sender and not v.forwarded_external:
        return "internal mail from our own domain"
    return None


def rule_third_party(v: MailView) -> str | None:
    if v.municipal_writer or v.own_sender:
        return None
    who = v.mail.header("From") + "\n" + v.signature[:500]
    press = re.search(r"\b(?:verslaggever|journalist|\w*redacteur|\w*redactie|correspondent|persbureau|reporter|"
                      r"hoofdredact\w*|voor (?:een|ons|mijn) (?:item|artikel|uitzending|reportage|publicatie))\b",
                      who + "\n" + v.new[:400], re.IGNORECASE) \
        or re.match(r"^\s*(?:persvraag|press (?:inquiry|question)|vraag van de pers)\b", v.mail.subject, re.IGNORECASE)
    if press:
        return f"press, not a municipality ({press.group(0).strip()})"
    firm = re.search(r"\b(?:advocat\w*|adviseurs|adviesbureau|adviesgroep|consultancy|consultants?|"
                     r"ingenieursbureau|notariaat|ons (?:advies)?bureau|ons kantoor)\b|&\s*partners\b",
                     who + "\n" + v.new[:400], re.IGNORECASE)
    if firm:  # a firm without a mandate ("namens"/"in opdracht van" would have made the sender municipal)
        return f"an advisory firm without a mandate of a municipality ({firm.group(0).strip()})"
    if v.municipal_sender:
        return None
    m = re.search(r"\b(?:provincie\s+\w+|COA|Centraal Orgaan opvang|VNG|Vereniging van Nederlandse Gemeenten|"
                  r"B\.V\.|BV\b|Rijksoverheid|IND\b|Nidos|KvK)", who)
    if m:
        return f"not written by or for a municipality ({m.group(0)})"
    return None


def rule_unrelated(v: MailView) -> str | None:
    if not v.municipal_sender and not v.cites_reference:
        return "no municipality and no letter of ours"
    return None


def rule_delay_notice(v: MailView) -> str | None:
    """A DSN whose every recipient is only delayed (or relayed, delivered): a notice that the mail is still on its
    way, not a failure. It must not stop a letter's clock as a bounce would."""
    actions = re.findall(r"^\s*Action\s*:\s*([a-z]+)", v.mail.delivery_status, re.IGNORECASE | re.MULTILINE)
    if actions and all(a.lower() in ("delayed", "relayed", "delivered", "expanded") for a in actions):
        return f"delivery status notice with Action: {', '.join(sorted({a.lower() for a in actions}))}"
    return None


# Subjects that mail systems write, never people: an auto-reply's or a non-delivery report's own prefix, first in
# the subject (a person answering one writes "RE: Automatisch antwoord: ..."; one forwarding a bounce "FW: ...").
_SYSTEM_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatisch antwoord|automatic reply|auto[- ]?reply|autoreply|out of office(?: reply)?|abwesend|afwezig|"
    r"automatische antwort|abwesenheitsnotiz|r[ée]ponse automatique|automatyczna odpowied\w*|risposta automatica|"
    r"respuesta autom[aá]tica|automatysk antwurd)\s*:|\((?:automatic response|auto[- ]?reply)\)\s*$", re.IGNORECASE)
_SYSTEM_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:onbestelbaar|niet bezorgd|undeliverable|unzustellbar|nicht zustellbar|non remis|"
    r"[ée]chec de (?:la )?remise|non-?delivery)"
    r"\s*:|^\s*(?:delivery status notification \(failure\)|mail delivery failed|undelivered mail returned to sender|"
    r"returned mail\s*:|failure notice\s*$|delivery failure\s*:|permanent delivery failure|"
    r"mail could not be delivered|failed mail to\b|message not delivered)", re.IGNORECASE)


def rule_system_subject(v: MailView) -> str | None:
    """The subject a mail system wrote for an auto-reply (our own colleagues' out-of-office too)."""
    m = _SYSTEM_AUTO_SUBJECT.search(v.mail.subject)
    return f"auto-reply subject {m.group(0).strip()!r}" if m else None


def rule_system_bounce_subject(v: MailView) -> str | None:
    """The subject a mail system wrote for a delivery failure (our own Exchange's reports too)."""
    m = _SYSTEM_BOUNCE_SUBJECT.search(v.mail.subject)
    return f"delivery-failure subject {m.group(0).strip()!r}" if m else None


def rule_list_headers(v: MailView) -> str | None:
    if _is_list(v) or _header(v, "Precedence") in ("bulk", "list"):
        return "mailing-list / bulk headers"
    return None


def rule_calendar(v: MailView) -> str | None:
    return "calendar invitation (text/calendar)" if v.mail.has_calendar else None


def rule_lookalike(v: MailView) -> str | None:
    return f"look-alike sender domain: {v.lookalike}" if v.lookalike else None


# Structure and headers decide alone: what a mail IS (a delivery report, a read receipt, an auto-submitted answer,
# a subject only a mail system writes, a forged or look-alike sender, a list mailing, an invitation, our own
# colleagues' mail), never a person's wording. Every
# other mail goes to the kind model (`kind_decision`), which weighs the wording rules below as soft signals.
HARD_RULES: tuple[tuple[str, Kind, Rule], ...] = (
    ("delay_notice", Kind.AUTO_REPLY, rule_delay_notice),
    ("bounce_report", Kind.BOUNCE, rule_bounce_report),
    # a forged sender is never machine mail of a municipality, whatever its wording says
    ("phishing", Kind.OTHER, rule_phishing),
    ("lookalike", Kind.OTHER, rule_lookalike),
    ("bounce_sender", Kind.BOUNCE, rule_bounce_sender),
    ("system_bounce_subject", Kind.BOUNCE, rule_system_bounce_subject),
    ("read_receipt", Kind.AUTO_REPLY, rule_read_receipt),
    ("auto_headers", Kind.AUTO_REPLY, rule_auto_headers),
    ("system_subject", Kind.AUTO_REPLY, rule_system_subject),
    ("notification", Kind.OTHER, rule_notification),
    ("list_headers", Kind.OTHER, rule_list_headers),
    ("calendar", Kind.OTHER, rule_calendar),
    ("internal", Kind.OTHER, rule_internal),
)


def structural_kind(view: MailView) -> tuple[Kind, str, str] | None:
    """(kind, rule name, reason) of the first structural rule that fires, or None: the mail's wording decides."""
    for name, kind, rule in HARD_RULES:
        reason = rule(view)
        if reason:
            return kind, name, reason
    return None


__all__ = ["HARD_RULES", "MailView", "structural_kind"]

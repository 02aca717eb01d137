"""Named signal detectors for the kind model: each looks at a `MailView` and says whether it sees its signal.

A signal is soft evidence, never a verdict: the kind model (`kind_model`) weighs them together with the words of
the mail. They are named so that an officer can be shown why ("meldt verlies van een locatie", "vraagt om
uitstel") and so that their weights can be read in the model file. The former hand-written kind rules live on
here as signals (`rule_*`): what they saw still counts, but no longer decides alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from parsers.human_kinds import (
    _ART8_CONSEQUENCE,
    _ART8_EVENT,
    _ART8_EXPLICIT,
    _MORE_TIME,
    _REPLY,
    HYPOTHETICAL,
    cover_note,
    rule_article8_explicit,
    rule_article8_implicit,
    rule_extension,
    rule_question,
    rule_reply,
    sentences,
)
from parsers.kinds import (
    generated_by_a_system,
    rule_auto_body,
    rule_auto_subject,
    rule_bounce_subject,
    rule_invitation,
    rule_newsletter,
    rule_third_party,
    rule_unrelated,
)
from parsers.lookalike import FREE_MAIL, credential_link
from parsers.mailview import MailView
from parsers.prefilter import Prefiltered, prefiltered

Detector = Callable[[MailView], str | None]

_FIGURES = prefiltered(r"\b\d{1,5}\s+(?:\w+\s+){0,2}?(?:plekken|plaatsen|opvangplekken|opvangplaatsen|bedden|places|"
                      r"beds|plakken|pleatsen)\b", re.IGNORECASE)
_MORE_TIME_ANY = prefiltered(_MORE_TIME + r"|\b(?:extension|extend\w*|more time|additional time|further time|"
                            r"postpone\w*|give (?:us|me) until|grant (?:us|me)|ferlinging|mear tiid|[uú]tstel|"
                            r"fristverl[äa]ngerung|mehr zeit|verl[äa]ngerung)\b", re.IGNORECASE)
_MONTH = r"(?:jan|feb|maart|mrt|march|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)\w*"
# the answer will come by or after a later date: "Zou het mogelijk zijn dat wij u uiterlijk 22 mei antwoorden?",
# "u ontvangt onze reactie na de raadsvergadering van 5 november", "Could you give us until 20 May?"
_LATER_ANSWER = prefiltered(
    rf"\b(?:uiterlijk|pas|tot|voor|na|until|by|after|till|oant|foar|nei|bis)\s+(?:\w+\s+){{0,3}}?\d{{1,2}}\s+{_MONTH}"
    r"[^.?!]{0,80}\b(?:antwoord\w*|reageren|reactie|aanleveren|sturen|toesturen|beantwoord\w*|answer|reply|"
    r"respond|send|antwurd\w*|reagearje)|\b(?:antwoord\w*|reageren|reactie|aanleveren|sturen|toesturen|"
    r"beantwoording|answer|reply|respond|response|antwurd)\b[^.?!]{0,60}\b(?:uiterlijk|pas|tot|na|until|by|after|"
    rf"oant|nei)\s+(?:\w+\s+){{0,3}}?\d{{1,2}}\s+{_MONTH}", re.IGNORECASE)
class _Either:
    """Patterns asked in turn: an ASCII one that `prefiltered` can check by its words, and one for the words with
    letters outside ASCII (Frisian ê, German ü), which has no such check but is short."""

    def __init__(self, *patterns: Prefiltered | re.Pattern[str]) -> None:
        self.patterns = patterns

    def search(self, text: str) -> re.Match[str] | None:
        for p in self.patterns:
            m = p.search(text)
            if m:
                return m
        return None


_ART8_ANY = _Either(prefiltered(r"\b(?:art(?:ikel|icle|\.)?\s*8\b|meldplicht|notification under|kest\s*8)",
                                re.IGNORECASE), re.compile(r"\bkêst\s*8", re.IGNORECASE))
# a loss in English, Frisian or German (the Dutch words are the loss_event signal)
_LOSS_OTHER = _Either(prefiltered(
    r"\b(?:terminated|cancell?ed|will not be (?:realised|realized|built|available)|no longer (?:available|possible|"
    r"usable|feasible)|burn(?:ed|t) down|destroyed|withdr(?:awn|ew)|closed down|declared unsafe|bankrupt|"
    r"fallen through|falls? through|we (?:have )?lost|giet net troch|net mear beskikber|"
    r"weromlutsen|ynlutsen|ferlern|opsein|net realisearre|abgebrannt|gekundigt|entfallt|"
    r"nicht mehr verfugbar)\b", re.IGNORECASE),
    re.compile(r"\b(?:ôfbaarnd|ôfbrand|gekündigt|entfällt|nicht mehr verfügbar)\b", re.IGNORECASE))
# a person who writes for themselves, not for a municipality's college: a resident, a council member, a party
_PRIVATE_PERSON = prefiltered(r"\b(?:als (?:inwoner|burger|bewoner|buurtbewoner|omwonende|raadslid|"
                             r"gemeenteraadslid)|raadslid|fractievoorzitter|namens (?:de )?fractie|onze fractie|"
                             r"buurtbewoners|omwonenden|as a (?:resident|citizen))\b", re.IGNORECASE)
_OOO = _Either(prefiltered(
    r"\b(?:afwezig|niet aanwezig|niet op kantoor|met vakantie|met verlof|vakantie|out of (?:the )?office|on leave|"
    r"on holiday|annual leave|abwesend|nicht im buro|urlaub|ofwezich|op fakansje|terug op|weer aanwezig|"
    r"back (?:on|in the office)|wieder im buro|zuruck|werom op|bin ik|ben ik (?:tot|t/m|van))\b", re.IGNORECASE),
    re.compile(r"\b(?:ôfwêzich|oanwêzich|fakânsje|büro|zurück)\b", re.IGNORECASE))
_RECEIPT = _Either(prefiltered(
    r"\b(?:ontvangstbevestiging|in goede orde ontvangen|is ontvangen|hebben uw \w+ ontvangen|geregistreerd onder|"
    r"zaaknummer|registratienummer|received your|has been received|been registered|untfongen|untfangst|"
    r"eingegangen|eingangsbestatigung|automatisch (?:gegenereerd|verzonden|verstuurd|bericht|antwoord)|"
    r"automatic(?:ally)? (?:generated|reply|message)|niet beantwoorden|do not reply|no-?reply)\b", re.IGNORECASE),
    re.compile(r"\b(?:ûntfongen|ûntfangst|eingangsbestätigung)\b", re.IGNORECASE))
_RECALL = prefiltered(r"\b(?:intrekken|ingetrokken|recall|r[üu]ckruf|zur[üu]ckrufen|wil het bericht|"
                     r"would like to recall)\b", re.IGNORECASE)
_MEETING = prefiltered(r"\b(?:overleg|gesprek|afspraak|meeting|call|bellen|terugbellen|spreken|teams)\b", re.IGNORECASE)
_CONTACT = prefiltered(r"\b(?:contactpersoon|aanspreekpunt|contact person|point of contact|neemt [^.?!]{0,40} over|"
                      r"uit dienst|vervangt|opvolger|mailadres|e-?mailadres)\b", re.IGNORECASE)
_DISPUTE = prefiltered(r"\b(?:klopt niet|onjuist|niet juist|incorrect|fout|verkeerd|correctie|corrigeren|"
                      r"rekenfout|afwijk\w*|wrong|not correct)\b", re.IGNORECASE)
_PLANNING = prefiltered(r"\b(?:planning|verwacht\w*|voorzien|opgeleverd|oplevering|in gebruik|gerealiseerd|"
                       r"in voorbereiding|realiseren|realisatie|expected|completed|realised|realized)\b", re.IGNORECASE)
_COUNCIL_NO = prefiltered(r"\b(?:raad|gemeenteraad|council)\b[^.?!]{0,80}\b(?:verworpen|tegengestemd|"
                         r"afgewezen|niet ingestemd|motie|rejected|voted (?:down|against)|stemde tegen)\b|"
                         r"\bmotie\b[^.?!]{0,80}\b(?:aangenomen|tegen)\b", re.IGNORECASE)
_COURT = prefiltered(r"\b(?:rechtbank|raad van state|voorzieningenrechter|voorlopige voorziening|schorst|geschorst|"
                    r"vernietigd|vernietigt|court|ruling|uitspraak)\b", re.IGNORECASE)
_SECURE = prefiltered(r"\b(?:beveiligd bericht|beveiligde e-?mail|secure (?:message|mail)|versleuteld bericht|"
                     r"inloggen|log in|login|wachtwoord|password|verifieer|verify|bekijk (?:het )?bericht|"
                     r"open (?:het )?document|klik hier|click here)\b", re.IGNORECASE)


def _text(v: MailView) -> str:
    return v.text


def _art8_word(v: MailView) -> str | None:
    m = _ART8_EXPLICIT.search(_text(v)) or _ART8_ANY.search(_text(v) + "\n" + v.mail.subject)
    return m.group(0) if m else None


def _loss_event(v: MailView) -> str | None:
    text = _text(v)
    if not _ART8_EVENT.search(text):  # a sentence is a piece of the text: no event in it, none in them
        return None
    for s in sentences(text):
        if _ART8_EVENT.search(s) and "?" not in s and not HYPOTHETICAL.search(s):
            return s.strip()[:120]
    return None


def _loss_hypothetical(v: MailView) -> str | None:
    m = HYPOTHETICAL.search(_text(v))
    return m.group(0) if m else None


def _consequence(v: MailView) -> str | None:
    m = _ART8_CONSEQUENCE.search(_text(v))
    return m.group(0) if m else None


def _search(pattern: Prefiltered | _Either, text: Callable[[MailView], str]) -> Detector:
    def detect(v: MailView) -> str | None:
        m = pattern.search(text(v))
        return m.group(0) if m else None
    return detect


def _new(v: MailView) -> str:
    return v.new


def _subject(v: MailView) -> str:
    return v.mail.subject


def _question_mark(v: MailView) -> str | None:
    n = v.new.count("?")
    return f"{n} question mark(s)" if n else None


def _progress_words(v: MailView) -> str | None:
    m = _REPLY.search(_text(v))
    return m.group(0) if m else None


def _short(v: MailView) -> str | None:
    return "short text" if len(v.new.strip()) < 250 else None


def _long(v: MailView) -> str | None:
    return "long text" if len(v.new) > 1500 else None


def _attachment_text(v: MailView) -> str | None:
    return "an attachment with text" if v.attachments.strip() else None


def _cover(v: MailView) -> str | None:
    return "a cover note for an attached letter" if cover_note(v.new) and v.attachments.strip() else None


def _flag(name: str, test: Callable[[MailView], bool]) -> Detector:
    return lambda v: name if test(v) else None


def _reply_subject(v: MailView) -> str | None:
    m = re.match(r"^\s*(?:re|antw|aw|sv|vs|r)\s*:", v.mail.subject, re.IGNORECASE)
    return m.group(0) if m else None


def _forward_subject(v: MailView) -> str | None:
    m = re.match(r"^\s*(?:fw|fwd|doorst|wg|tr)\s*:", v.mail.subject, re.IGNORECASE)
    return m.group(0) if m else None


def _free_mail(v: MailView) -> str | None:
    domain = v.mail.sender.rsplit("@", 1)[-1].lower()
    return domain if domain in FREE_MAIL else None


def _no_text(v: MailView) -> str | None:
    return "no text of its own" if not v.new.strip() else None


def _link_elsewhere(v: MailView) -> str | None:
    return credential_link(v.mail, v.new)


def _lookalike(v: MailView) -> str | None:
    return v.lookalike or None


# name → detector. The names are part of the model file: renaming one retires its weight (retrain).
SIGNALS: dict[str, Detector] = {
    # the former rules, now soft
    "rule_article8_explicit": rule_article8_explicit,
    "rule_article8_implicit": rule_article8_implicit,
    "rule_extension": rule_extension,
    "rule_question": rule_question,
    "rule_reply": rule_reply,
    "rule_auto_subject": rule_auto_subject,
    "rule_auto_body": rule_auto_body,
    "rule_bounce_subject": rule_bounce_subject,
    "rule_newsletter": rule_newsletter,
    "rule_invitation": rule_invitation,
    "rule_third_party": rule_third_party,
    "rule_unrelated": rule_unrelated,
    # small, general detectors
    "article8_words": _art8_word,
    "loss_event": _loss_event,
    "loss_hypothetical": _loss_hypothetical,
    "task_consequence": _consequence,
    "council_against": _search(_COUNCIL_NO, _text),
    "court": _search(_COURT, _text),
    "asks_time": _search(_MORE_TIME_ANY, _text),
    "later_answer": _search(_LATER_ANSWER, _new),
    "loss_words_other_language": _search(_LOSS_OTHER, _text),
    "private_person": _search(_PRIVATE_PERSON, lambda v: v.new + "\n" + v.signature[:400]),
    "question_mark": _question_mark,
    "meeting_words": _search(_MEETING, _new),
    "contact_change": _search(_CONTACT, _new),
    "dispute_words": _search(_DISPUTE, _new),
    "gives_figures": _search(_FIGURES, _text),
    "planning_words": _search(_PLANNING, _text),
    "progress_words": _progress_words,
    "cites_letter": _flag("cites a register reference", lambda v: v.cites_reference),
    "municipal_sender": _flag("municipal sender", lambda v: v.municipal_sender),
    "municipal_writer": _flag("written by a municipality", lambda v: v.municipal_writer),
    "forwarded_by_us": _flag("internal forward", lambda v: v.forwarded_external),
    "free_mail": _free_mail,
    "reply_subject": _reply_subject,
    "forward_subject": _forward_subject,
    "out_of_office_words": _search(_OOO, lambda v: v.mail.subject + "\n" + v.new[:600]),
    "receipt_words": _search(_RECEIPT, lambda v: v.mail.subject + "\n" + v.new[:800] + "\n" + v.signature[:400]),
    "recall_words": _search(_RECALL, _subject),
    "secure_mail_words": _search(_SECURE, _new),
    "link_elsewhere": _link_elsewhere,
    "lookalike_sender": _lookalike,
    "short_text": _short,
    "long_text": _long,
    "no_text": _no_text,
    "attachment_text": _attachment_text,
    "cover_note": _cover,
    "html_only": _flag("HTML only", lambda v: v.mail.html_only),
    "in_reply_to": _flag("answers a mail (In-Reply-To)", lambda v: bool(v.mail.in_reply_to)),
    "system_generated": _flag("Auto-Submitted: auto-generated by a municipality's system", generated_by_a_system),
}


# signals whose finding is a piece of the mail itself (what an officer may be shown as it stands); the others say
# in English what they saw ("municipal sender", "short text"): for logs, not for officers
_QUOTES_MAIL_TEXT = frozenset({"article8_words", "loss_event", "loss_hypothetical", "task_consequence",
                               "council_against", "court", "asks_time", "later_answer", "loss_words_other_language",
                               "private_person", "meeting_words", "contact_change", "dispute_words", "gives_figures",
                               "planning_words", "progress_words", "out_of_office_words", "receipt_words",
                               "recall_words", "secure_mail_words", "reply_subject", "forward_subject", "free_mail"})
_QUOTED = re.compile(r"""['"](.+)['"]\s*$""")


def quoted_from_mail(name: str, seen: str) -> str:
    """What a signal saw, as far as it is the mail's own text: the text a detector matched, or the quoted part of a
    former rule's reason ("asks for more time: 'Wij verzoeken u ...'"); "" when it saw no text of the mail."""
    if name in _QUOTES_MAIL_TEXT:
        return seen
    m = _QUOTED.search(seen)
    return m.group(1) if m else ""


def detect_signals(view: MailView) -> dict[str, str]:
    """Every signal that fires, with what it saw (for evidence)."""
    out: dict[str, str] = {}
    for name, detect in SIGNALS.items():
        seen = detect(view)
        if seen:
            out[name] = seen
    return out


__all__ = ["SIGNALS", "detect_signals", "quoted_from_mail"]

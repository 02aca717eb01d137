"""Rules for the kinds a person writes: article-8 notice, extension request, question, reply.

Each rule reads the sender's new text (and attachment text) of a `MailView` and returns its reason or None.
They run after the machine-mail and "other" rules in `kinds.RULES`, most specific first.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers.mailview import MailView
from parsers.prefilter import prefiltered

_ART8_EXPLICIT = re.compile(r"\b(?:art(?:ikel|\.)?\s*8\b|meldplicht)", re.IGNORECASE)
_ART8_EVENT = prefiltered(
    r"(?:gaat niet door|niet doorgaat|gaan niet door|valt (?:\w+ )?weg|vallen (?:\w+ )?weg|wegvallen|vervalt|"
    r"vervallen|\bbrand\b|afgebrand|uitgebrand|vernietigd|failliet|faillissement|niet langer beschikbaar|"
    r"niet (?:meer )?beschikbaar|(?:niet (?:meer )?|on)bruikbaar|terug te nemen|trekt\s.{0,40}\sterug|ingetrokken|"
    r"verliezen wij|verloren|kwijtgeraakt|\bsluit\b|\bgesloten\b|\bsluiting\b|\bontruim\w*|opgezegd|"
    r"zegt\s.{0,40}\sop\b|"
    r"(?:huur|contract|overeenkomst)\w*\s[^.]{0,60}\bniet\b[^.]{0,30}verleng\w*)",
    re.IGNORECASE)
_FOR_GOOD = prefiltered(  # the loss is final
    r"(?:niet meer terug|komt niet (?:meer )?terug|definitief|voorgoed|blijvend|permanent|voor altijd|"
    r"niet meer (?:in gebruik|bruikbaar|te gebruiken|geschikt)|herstel is (?:\w+ ){0,4}niet|"
    r"niet (?:meer )?te herstellen)",
    re.IGNORECASE)
_PLACES = re.compile(r"\b\d{1,4}\s+(?:\w+\s+){0,2}?(?:opvang)?(?:plekken|plaatsen|bedden|opvangplaatsen)\b",
                     re.IGNORECASE)
_ART8_CONSEQUENCE = re.compile(
    r"(?:niet (?:langer|meer)?\s*(?:volledig\s+)?(?:aan (?:onze|de|haar|hun) taak|de taak|onze taak)|"
    r"taak[^.]{0,80}\bniet\b[^.]{0,60}(?:realiseren|voldoen|halen|waarmaken)|"
    r"(?:kunnen|kan)\s[^.]{0,80}\bniet\b[^.]{0,80}(?:realiseren|voldoen|waarmaken)|verliezen wij \d+)",
    re.IGNORECASE)


# a full stop after an abbreviation ends no sentence when the text goes on with a digit or a small letter:
# "melding ex art. 8 Wgtmma", "o.a. de locatie", but "uw brief van 9 april jl. Op dit moment ..." is two sentences
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:art|artt|nr|nrs|jl|ca|bijv|resp|mr|drs|ir|dhr|mevr|mw|blz|vs|cf|"
                           r"(?:[a-z]\.){1,3}[a-z]|o\.g\.v|n\.a\.v|i\.v\.m|m\.b\.t|t\.a\.v|d\.d)\.$", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return list(_split(text))


@lru_cache(maxsize=16)  # the rules of one mail split the same texts again
def _split(text: str) -> tuple[str, ...]:
    out: list[str] = []
    glue = False
    for piece in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n(?=[-•*]\s)", text):
        if not piece.strip():
            continue
        if glue and out and re.match(r"[\d(a-zà-ÿ]", piece):
            out[-1] += " " + piece
        else:
            out.append(piece)
        glue = bool(_ABBREVIATION.search(out[-1]))
    return tuple(out)


_sentences = _split


# a sentence that talks about the duty to notify instead of notifying: a question, a condition, a quote of the letter
_ABOUT_NOTICE = re.compile(
    r"\b(?:vraag|vragen|onduidelijk|wanneer|hoe|indien|mocht|mochten|zodra|in de brief staat|u schrijft|"
    r"moeten (?:wij|we)\b[^.]{0,40}\bmeld\w*\b[^.]{0,40}\bals)\b|\bals\s+(?:zich|er|de|het|een)\b", re.IGNORECASE)
# the loss is not (yet) certain: "het is nog onzeker", "mogelijk vervalt", "zou kunnen vervallen"
HYPOTHETICAL = prefiltered(
    r"\b(?:onzeker|onduidelijk of|nog niet (?:zeker|duidelijk|bekend)|(?:kan|kunnen|zou|zouden|dreigt|dreigen)\s+"
    r"(?:\w+\s+){0,3}(?:vervallen|wegvallen|verloren gaan|sluiten|gesloten worden)|mogelijk(?:erwijs)?\s+"
    r"(?:\w+\s+){0,2}(?:vervalt|vervallen|wegvalt|wegvallen|sluit|verloren)|eventueel|eventuele|stel dat|"
    r"(?:indien|mocht|mochten|zodra|als)\b[^.]{0,60}(?:vervalt|vervallen|wegvalt|wegvallen|niet doorgaat|sluit))",
    re.IGNORECASE)


def _notice_sentence(s: str) -> bool:
    """Says it notifies under article 8 ("Hierbij melden wij ... artikel 8"), not that it asks or quotes about it."""
    rest = _ART8_EXPLICIT.sub(" ", s)
    return bool(_ART8_EXPLICIT.search(s) and re.search(r"\bmeld", rest, re.IGNORECASE) and "?" not in s
                and not _ABOUT_NOTICE.search(s) and not re.search(
                    r"\b(?:geen|niet)\b[^.]{0,30}\bmeld|voor zover u dit nog niet", s, re.IGNORECASE))


def rule_article8_explicit(v: MailView) -> str | None:
    text = v.new + "\n\n" + v.attachments[:6000]
    if not _ART8_EXPLICIT.search(text):  # a sentence is a piece of the text (glued at whitespace): none in it
        return None
    for s in _sentences(text):
        if _notice_sentence(s):
            return f"explicit article-8 notice: {s.strip()[:120]!r}"
    return None


def rule_article8_implicit(v: MailView) -> str | None:
    """A location is lost (fire, court, landlord, closure, permit) and the task can no longer be met — or a
    municipality (or someone on its behalf) reports a counted number of places lost, without reporting on our letter."""
    text = v.new + "\n\n" + v.attachments[:4000]
    if not _ART8_EVENT.search(text):  # each sentence is a piece of the text: no event in it, none in them
        return None
    if re.search(r"\b(?:in (?:antwoord|reactie) op|reactie op uw|naar aanleiding van uw (?:brief|herinnering))",
                 text, re.IGNORECASE):
        return None
    # statements only: no questions, nothing hypothetical (asked last: the other tests rule out most sentences)
    said = [s for s in _sentences(text) if "?" not in s]
    events = [s for s in said if _ART8_EVENT.search(s) and not HYPOTHETICAL.search(s)]
    if not events:
        return None
    if any(_ART8_CONSEQUENCE.search(s) and not _ABOUT_NOTICE.search(s) and not HYPOTHETICAL.search(s) for s in said):
        return f"a location is lost and the task can no longer be met: {events[0].strip()[:120]!r}"
    if not v.municipal_sender:
        return None
    final = next((s for s in said if _FOR_GOOD.search(s) and not HYPOTHETICAL.search(s)), None)
    if final is not None:  # evacuated / unusable for good: lost, even beside realised places
        return f"a location is lost for good: {final.strip()[:120]!r}"
    counted = [s for s in events if _PLACES.search(s)]
    if counted and not _REPLY.search(text):
        return f"places lost at a location: {counted[0].strip()[:120]!r}"
    return None


# a body that only sends an attached letter ("Bijgaand treft u een brief van ons college aan", "In de bijlage vindt u
# het schrijven van ..."): what the mail asks is in the attachment
_COVER = re.compile(r"\b(?:bijgaand|bijgevoegd|in de bijlage|als bijlage|hierbij)\b[^.?!]{0,60}\b(?:brief|schrijven|"
                    r"document|stuk|reactie|bericht)\b", re.IGNORECASE)


def cover_note(new: str) -> bool:
    body = re.sub(r"(?im)^\s*(?:geachte|beste|goede(?:morgen|middag)|hallo|dag)\b.*$", "", new).strip()
    return len(body) < 300 and bool(_COVER.search(body))


# more time in so many words, or as a stretch of time: "twee weken langer", "een maand extra", "extra weken"
_MORE_TIME = (r"(?:uitstel|verlenging|verlengen|meer tijd|extra tijd|langer de tijd|de tijd te (?:geven|gunnen)|"
              r"(?:dagen|weken|maanden|maand)\s+(?:langer|extra|meer)\b|extra\s+(?:\w+\s+)?(?:dagen|weken|maanden))")
_DELIVER = (r"(?:aan)?(?:leveren|sturen|toesturen|versturen|toezenden|zenden|verzenden|reageren|antwoorden|"
            r"beantwoorden|indienen)")
# a term or deadline asked to move: "kunnen we de termijn opschuiven naar 1 juli", "de deadline te verleggen"
_MOVE_TERM = (r"\b(?:termijn|deadline|einddatum|uiterste datum)\b[^.?!]{0,80}\b(?:(?:op|ver)?(?:te )?schuiven|"
              r"(?:te )?verleggen|(?:te )?verlengen|uit(?:te)?stellen|uit te stellen)\b|"
              r"\b(?:opschuiven|verschuiven|verleggen|verlengen|uitstellen)\s+van\s+(?:de|het|deze)\s+"
              r"(?:\w+\s+)?(?:termijn|deadline|einddatum)\b")
# proposes to answer later: "stellen wij voor om onze reactie niet op 30 april maar uiterlijk op 22 mei te zenden"
_PROPOSE_LATER = (rf"\b(?:(?:stellen|stel)\s+(?:wij|we|ik)\s+(?:u\s+)?voor|(?:wij|we|ik)\s+(?:stellen|stel)\s+"
                  rf"(?:u\s+)?voor|(?:ons|mijn)\s+voorstel\s+is|(?:willen|wil)\s+(?:wij|we|ik)\s+(?:u\s+)?"
                  rf"voorstellen)\b[^.?!]{{0,100}}\b(?:reactie|antwoord|beantwoording|informatie|gegevens)\b"
                  rf"[^.?!]{{0,80}}\b(?:uiterlijk|pas|later|niet\s+(?:op|voor|vóór|per))\b[^.?!]{{0,60}}{_DELIVER}")
_EXTENSION = prefiltered(  # asks for more time in so many words: enough even beside a progress report
    rf"(?:\b(?:verzoek\w*|vragen|vraag|verzocht)\b[^.?!]{{0,140}}\b(?:{_MORE_TIME}|later (?:te )?{_DELIVER})|"
    rf"\b(?:uitstel|verlenging|meer tijd|extra tijd)\b[^.?!]{{0,80}}\b(?:verzoek\w*|vragen|gevraagd)\b|"
    r"\btermijn\b[^.?!]{0,80}\bte verlengen|\bverlenging van de (?:\w+ )?termijn|"
    # asks in the polite nominal form: "Graag 2 weken uitstel", "graag een week extra tijd"
    r"\bgraag\s+(?:(?:\w+|\d+)\s+){0,3}?(?:uitstel|verlenging|meer tijd|extra tijd)\b|"
    rf"{_MOVE_TERM}|{_PROPOSE_LATER}|"
    r"\b(?:uitstel|verlenging|meer tijd|extra tijd)\b[^.?!]{0,60}\b(?:krijgen|verlenen|toestaan|gunnen|geven)\b|"
    r"\b(?:krijgen|verlenen|toestaan|gunnen|geven)\b[^.?!]{0,20}\b(?:uitstel|verlenging)\b|"
    # asks whether the answer may come by a later date: "of het akkoord is dat wij onze reactie uiterlijk 29 mei
    # toesturen", "mogen wij ons antwoord op 15 juni sturen in plaats van ..."
    rf"\b(?:akkoord|goed|mogelijk|bezwaar|instemmen|toestemming|mogen|mag)\b[^.?!]{{0,80}}\b(?:reactie|antwoord|"
    rf"beantwoording|informatie|gegevens)\b[^.?!]{{0,60}}\b(?:uiterlijk|pas|in plaats van)\b[^.?!]{{0,60}}{_DELIVER}|"
    rf"\b(?:akkoord|goed|mogelijk|bezwaar|instemmen|toestemming|mogen|mag)\b[^.?!]{{0,80}}\b(?:reactie|antwoord|"
    rf"beantwoording|informatie|gegevens)\b[^.?!]{{0,60}}{_DELIVER}\b[^.?!]{{0,30}}\bin plaats van)", re.IGNORECASE)
_EXTENSION_QUESTION = prefiltered(rf"\b(?:{_MORE_TIME}|later\b[^.?!]{{0,40}}{_DELIVER})", re.IGNORECASE)
_WILL_BE_LATE = prefiltered(  # says the answer will come after the term: an extension request unless it is the answer
    rf"(?:\b(?:hebben|heeft|heb)\s+(?:wij|we|ik|het college|de gemeenten?)\s+(?:\w+\s+){{0,3}}(?:meer|extra)\s+tijd"
    rf"\s+(?:\w+\s+){{0,2}}nodig|\b(?:wij|we|ik|het college)\b[^.?!]{{0,40}}\b(?:meer|extra) tijd nodig|"
    rf"\blater\s+(?:\w+\s+){{0,2}}?{_DELIVER}|\b{_DELIVER}\s+(?:\w+\s+){{0,2}}later\b|"
    rf"\b(?:reactie|antwoord|beantwoording)\s+(?:\w+\s+){{0,3}}(?:volgt|komt)\s+(?:\w+\s+){{0,2}}later|"
    rf"\bniet\b[^.?!]{{0,60}}\bbinnen\s+(?:de|het|deze|die)\s+(?:gestelde\s+|gevraagde\s+)?(?:termijn|drie weken)|"
    rf"\bbinnen\s+(?:de\s+)?(?:gestelde\s+)?termijn\b[^.?!]{{0,40}}\b(?:niet|geen)\b|"
    rf"\b(?:redden|halen|lukt|lukken)\b[^.?!]{{0,40}}\b(?:termijn|deadline)\b[^.?!]{{0,40}}\bniet\b|"
    # cannot manage to answer: "Lukt ons niet om vandaag ... te reageren", "het lukt niet de gegevens aan te leveren"
    rf"\b(?:lukt|lukken|gelukt)\s+(?:\w+\s+){{0,3}}?niet\b[^.?!]{{0,100}}\bte\s+{_DELIVER}\b|"
    rf"\b(?:termijn|deadline)\b[^.?!]{{0,40}}\b(?:niet|geen)\b[^.?!]{{0,20}}\b(?:redden|halen|haalbaar|lukken|lukt)\b|"
    rf"\bna\s+(?:afloop\s+van\s+)?(?:de|het verstrijken van de)\s+(?:gestelde\s+)?termijn\b|"
    rf"\bpas\s+(?:op|na|in|rond|eind|begin|medio)\b[^.?!]{{0,40}}\b(?:te\s+)?(?:kunnen\s+)?{_DELIVER}|"
    rf"\b(?:reactie|antwoord|beantwoording)\b[^.?!]{{0,40}}\bpas\s+(?:op|na|in|rond|eind|begin|medio)\b)",
    re.IGNORECASE)
_NOT_A_REQUEST = re.compile(r"\b(?:verleend|verleende|toegekend|gekregen|akkoord gegaan)\b|"
                            r"\b(?:dank|danken|bedanken|bedankt)\b[^.?!]{0,60}\b(?:uitstel|verlenging|extra tijd)\b|"
                            r"\bgeen\s+(?:uitstel|verlenging|"
                            r"extra tijd|meer tijd|behoefte|noodzaak)\b|\bniet\s+(?:\w+\s+)?(?:meer|extra)\s+tijd|"
                            r"\bniet nodig\b|\bhoeft\b[^.?!]{0,40}\bniet\b", re.IGNORECASE)


# more time for one part only: "Voor het onderdeel 'planning per locatie' vragen wij u om uitstel"
_ONE_PART = re.compile(r"\bvoor (?:het|dat|dit|één|een|de) (?:\w+ )?(?:onderdeel|deel|gedeelte|deelvraag)\b|"
                       r"\bvoor het overige\b|\bvoor (?:de|het) (?:rest|resterende (?:onderdeel|onderdelen|deel|"
                       r"vraag|vragen))\b", re.IGNORECASE)
# the figures our letter asks for, stated as the writer's own: "190 plekken gerealiseerd, 110 in voorbereiding"
_FIGURES_DONE = re.compile(r"\b\d{1,5}\s+(?:\w+\s+){0,2}?(?:plekken|plaatsen|opvangplekken|opvangplaatsen)\b"
                           r"[^.?!]{0,40}\bgerealiseerd\b|\bgerealiseerd\s*:?\s*\d{1,5}\b", re.IGNORECASE)
_FIGURES_PLANNED = re.compile(r"\b\d{1,5}\s+(?:\w+\s+){0,2}?(?:plekken|plaatsen|opvangplekken|opvangplaatsen)\b"
                              r"[^.?!]{0,40}\bin voorbereiding\b|\bin voorbereiding\s*:?\s*\d{1,5}\b",
                              re.IGNORECASE)
_IS_THE_ANSWER = re.compile(r"\b(?:hierbij|bij deze)\s+(?:ontvangt u\s+)?(?:onze|de|mijn)\s+(?:reactie|"
                            r"beantwoording|antwoord)\b|\bin (?:antwoord|reactie) op\b", re.IGNORECASE)


def _answer_with_part_later(sentence: str, text: str) -> bool:
    """The mail says it is the answer and gives the realised AND planned figures in the writer's own words; the
    request is for more time for one part only: the main purpose (the answer) is delivered, so it is a reply."""
    if not _ONE_PART.search(sentence):
        return False
    own = _own_words(text.replace(sentence, " "))
    return bool(_IS_THE_ANSWER.search(own) and _FIGURES_DONE.search(own) and _FIGURES_PLANNED.search(own))


def rule_extension(v: MailView) -> str | None:
    """Asks for more time: in so many words, as a question ("Zouden wij uitstel kunnen krijgen?"), or by
    announcing that the answer comes later / after the term (only when the mail is not itself the answer)."""
    text = v.new + ("\n\n" + v.attachments[:6000] if cover_note(v.new) else "")
    # a sentence is a piece of the text (glued at white space): what no part of the text matches, no sentence does
    asks = _EXTENSION.search(text) or ("?" in text and _EXTENSION_QUESTION.search(text))
    late = _WILL_BE_LATE.search(text)
    if not (asks or late):
        return None
    sentences = _sentences(text)  # each test below is asked of a sentence only when the ones before it hold
    for s in sentences if asks else ():
        if (_EXTENSION.search(s) or ("?" in s and _EXTENSION_QUESTION.search(s))) \
                and not _NOT_A_REQUEST.search(s) and not _answer_with_part_later(s, text):
            return f"asks for more time: {s.strip()[:120]!r}"
    if not late or _REPLY.search(v.new + "\n" + v.attachments[:3000]):
        return None
    for s in sentences:
        if _WILL_BE_LATE.search(s) and not _NOT_A_REQUEST.search(s):
            return f"the answer will come after the term: {s.strip()[:120]!r}"
    return None


_QUESTION = prefiltered(
    r"(?:\b(?:(?:wij|ik) (?:hebben|heb)|(?:hebben|heb) (?:wij|ik)) (?:nog )?(?:een |enkele |de volgende |twee |drie |"
    r"een paar )?vra(?:ag|gen)\b|"
    r"\bvraag (?:ik|wij) (?:u|jullie)\b|\b(?:mijn|onze) vra(?:ag|gen)\b|\bik heb een vraag\b|"
    # turns to us with a question, or passes on questions as a list of "of ..." clauses
    r"\bmet (?:een|enkele|de volgende|twee|drie|een paar) vra(?:ag|gen)\b|"
    r"\b(?:gevraagd|vraagt|vragen|willen weten|wil weten)\s*:\s*(?:[-•*]\s*)?of\b|"
    r"\b(?:bestuurlijk |ambtelijk )?(?:overleg|gesprek)\b[^.?!]{0,80}\b(?:plannen|inplannen|voorstellen|verzoeken)|"
    r"\b(?:plannen|inplannen) van (?:het|een) [^.?!]{0,40}(?:gesprek|overleg)|verzoek\w* [^.?!]{0,60}"
    r"(?:overleg|gesprek)\b|nieuwe? (?:contactpersoon|aanspreekpunt)|"
    # someone takes over the file ("neemt mijn collega het dossier van mij over"): "over" as the particle that
    # ends the clause, not the preposition of "een besluit neemt over de locatie"
    r"\bneemt (?!(?:\w+ ){0,3}contact)[^.?!]{0,60}\bover\b(?=\s*(?:[.,;:!?)]|$|\n|van\b|en\b|als\b|per\b|"
    r"vanaf\b|met ingang\b)))",
    re.IGNORECASE)
_REPLY = re.compile(
    r"(?:stand van zaken|gerealiseerd|in voorbereiding|\breactie op uw|in (?:antwoord|reactie) op|"
    r"hierbij (?:ontvangt u )?(?:de|onze) (?:reactie|beantwoording)|beantwoording van uw|zie (?:de )?bijlage|"
    r"zie bijgevoegde|bijgaand (?:treft u|ontvangt u|de reactie)|verwachte datum)", re.IGNORECASE)


# a sentence that repeats what our letter asks ("In uw brief vraagt u ons om de stand van zaken", "U verzoekt ons
# ..."): its reply words ("stand van zaken", "in voorbereiding") are the ministry's, not a progress report
_OUR_REQUEST = re.compile(
    r"\b(?:u|jullie)\s+(?:vraagt|verzoekt|vroeg|verzocht|wilt|wil)\s+(?:ons|de gemeente|het college|om|naar)\b|"
    r"\b(?:vraagt|verzoekt|vroeg|verzocht|wilt|wil)\s+(?:u|jullie)\s+(?:ons|de gemeente|het college|om|naar)\b|"
    r"\bwordt (?:ons|de gemeente|het college) gevraagd\b|\b(?:uw|de) (?:brief|vraag|verzoek) (?:om|naar)\b",
    re.IGNORECASE)


# an indirect question: "Het is ons niet duidelijk of ... als gerealiseerd gelden", "wij vragen ons af of ..."
_INDIRECT_QUESTION = prefiltered(r"\b(?:niet duidelijk|onduidelijk|(?:willen|wil|graag) (?:\w+ )?weten|"
                                r"vragen (?:ons|wij|we) af|vraag ik me af)\b"
                                r"[^.?!]{0,40}\b(?:of|hoe|wanneer|welke)\b", re.IGNORECASE)


def _own_words(text: str) -> str:
    """The sentences that state something of the writer's own: no repeat of our request, no (indirect) question."""
    return "\n".join(s for s in sentences(text) if not _OUR_REQUEST.search(s) and "?" not in s
                     and not _INDIRECT_QUESTION.search(s))


# asks for an explanation in statements, without a question mark: "Graag ontvang ik uitleg over ...", "hoor ik graag
# of ...", "ik verneem graag hoe ..."
_ASKS_EXPLANATION = prefiltered(
    r"\bgraag\s+(?:ontvang|ontvangen|krijg|krijgen)\s+(?:ik|wij|we)\s+(?:\w+\s+){0,2}?(?:uitleg|toelichting|"
    r"verduidelijking|opheldering)\b|\b(?:ik|wij|we)\s+(?:ontvang|ontvangen|krijg|krijgen)\s+graag\s+(?:\w+\s+){0,2}?"
    r"(?:uitleg|toelichting|verduidelijking|opheldering)\b|"
    r"\b(?:hoor|horen|verneem|vernemen)\s+(?:ik|wij|we)\s+graag\s+(?:van u\s+)?(?:of|wat|hoe|welke|wanneer|waarom)\b|"
    r"\b(?:ik|wij|we)\s+(?:hoor|horen|verneem|vernemen)\s+graag\s+(?:van u\s+)?(?:of|wat|hoe|welke|wanneer|waarom)\b|"
    r"\bgraag\s+(?:hoor|horen|verneem|vernemen)\s+(?:ik|wij|we)\s+(?:van u\s+)?(?:of|wat|hoe|welke|wanneer|waarom)\b",
    re.IGNORECASE)
_ANY_FIGURES = re.compile(r"\b\d{1,5}\s+(?:\w+\s+){0,2}?(?:plekken|plaatsen|opvangplekken|opvangplaatsen|bedden)\b",
                          re.IGNORECASE)


def rule_question(v: MailView) -> str | None:
    m = _QUESTION.search(v.new)
    if m:
        return f"asks a question or a meeting: {m.group(0)!r}"
    m = _ASKS_EXPLANATION.search(v.new)
    if not m and "?" not in v.new:
        return None
    progress = bool(_REPLY.search(_own_words(v.new) + "\n" + v.attachments[:3000]))
    if m and not progress and not _ANY_FIGURES.search(v.new + "\n" + v.attachments[:3000]):
        return f"asks for an explanation and gives no progress: {m.group(0)!r}"
    if "?" in v.new and not progress:
        return "contains a question and no progress report"
    return None


def rule_reply(v: MailView) -> str | None:
    m = _REPLY.search(v.new + "\n" + v.attachments[:5000]) or _REPLY.search(v.mail.subject)
    if m:
        return f"answers the letter: {m.group(0)!r}"
    if v.cites_reference or re.search(r"\b(?:reactie|antwoord|beantwoording)\b", v.mail.subject, re.IGNORECASE):
        return "cites our letter"
    return None

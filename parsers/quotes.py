"""Split a body into the sender's new words, the signature (closing, name, disclaimer) and quoted history.

Quoted history starts at the first of: "> " lines, "-----Oorspronkelijk bericht-----"-style separators,
a Dutch/English/German Outlook header block ("Van:/Verzonden:/Aan:/Onderwerp:", "From:/Sent:/To:"),
or an "Op ... schreef ...:" / "On ... wrote:" line. Facts are read from the new text only; a forwarded
original can be recovered with `find_forwarded`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATOR = re.compile(
    r"^\s*(?:-{3,}\s*(?:Oorspronkelijk bericht|Original Message|Doorgestuurd bericht|Forwarded message|"
    r"Urspr[üu]ngliche Nachricht|Weitergeleitete Nachricht|Message d'origine)\s*-*"
    r"|Begin (?:forwarded message|doorgestuurd bericht)\s*:)",
    re.IGNORECASE)
_HEADER_FROM = re.compile(r"^\s*\**\s*(?:Van|From|Von|De|Afzender)\s*:\**\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\**\s*(?:Verzonden|Sent|Datum|Date|Gesendet|Envoy[ée]|Aan|To|An|[ÀA]|Onderwerp|Subject|Betreff|Objet|CC)"
    r"\s*:", re.IGNORECASE)
_WROTE = re.compile(
    r"^\s*(?:Op .{4,200}(?:schreef|heeft .{0,120}geschreven)|On .{4,200}wrote|Am .{4,200}schrieb|"
    r"Le .{4,200}a [ée]crit)\s*.{0,80}:\s*$", re.IGNORECASE)
_CLOSING = re.compile(
    r"^\s*(?:(?:met\s+)?(?:vriendelijke|hartelijke|collegiale|beste)\s+groet(?:en)?|groet(?:en|jes)?|"
    r"hoogachtend|kind regards|best regards|regards|with kind regards|mit freundlichen gr[üu]ßen|"
    r"mei freonlike groet\w*|vriendelijke groet|-- ?|verstuurd vanaf mijn \w+|sent from my \w+)"
    r"\b[\s,.!/]*(?:/.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class SplitText:
    new: str  # the sender's own words, without signature
    signature: str  # closing formula, name block, disclaimer
    quoted: str  # quoted or forwarded history


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line.lstrip().startswith(">") or _SEPARATOR.match(line):
            return i
        if _HEADER_FROM.match(line) and any(_HEADER_OTHER.match(x) for x in lines[i + 1: i + 5]):
            return i
        if _WROTE.match(line) or (i + 1 < len(lines) and line.lstrip().startswith(("Op ", "On "))
                                  and _WROTE.match(line + " " + lines[i + 1])):
            return i
        if re.match(r"^\s*_{8,}\s*$", line) and any(_HEADER_FROM.match(x) for x in lines[i + 1: i + 4]):
            return i
    return None


def split_quote(text: str) -> SplitText:
    """New text, signature and quoted history of one body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _quote_start(lines)
    own, quoted = (lines, []) if start is None else (lines[:start], lines[start:])
    cut = next((i for i, line in enumerate(own) if i > 0 and _CLOSING.match(line)), None)
    body, signature = (own, []) if cut is None else (own[:cut], own[cut:])
    return SplitText("\n".join(body).strip(), "\n".join(signature).strip(), "\n".join(quoted).strip())


@dataclass(frozen=True)
class Forwarded:
    sender: str  # address in the forwarded header block, lower case ("" when not given)
    subject: str
    body: str  # the forwarded message's text, still containing its own quotes


_ADDR = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def find_forwarded(quoted: str) -> Forwarded | None:
    """The first message in quoted history, when it starts with a header block naming its sender."""
    lines = [line.lstrip("> ").rstrip() if line.lstrip().startswith(">") else line for line in quoted.split("\n")]
    sender, subject, i = "", "", 0
    while i < len(lines) and (not lines[i].strip() or _SEPARATOR.match(lines[i])):
        i += 1
    if i >= len(lines) or not _HEADER_FROM.match(lines[i]):
        return None
    while i < len(lines) and lines[i].strip() and (_HEADER_FROM.match(lines[i]) or _HEADER_OTHER.match(lines[i])):
        if _HEADER_FROM.match(lines[i]) and (m := _ADDR.search(lines[i])):
            sender = m.group(0).lower()
        if re.match(r"^\s*\**\s*(?:Onderwerp|Subject|Betreff)\s*:", lines[i], re.IGNORECASE):
            subject = lines[i].split(":", 1)[1].strip()
        i += 1
    return Forwarded(sender, subject, "\n".join(lines[i:]).strip())

"""MIME to a plain value: headers decoded, body text (HTML turned into text), attachment text, nested mails.

First step of the reading flow: `parse_mime(raw)` → `ParsedMail`. Everything downstream works on text.
Hard limits (`Limits`) bound size, part count, nesting depth and text length so that no mail can stall
the bot; when a limit bites, `ParsedMail.notes` says so. Pure: attachments are parsed from bytes in memory.
Charsets are decoded by `charsets` (declared → utf-8 → cp1252 → charset-normalizer).
"""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from parsers.attachments import extract_attachment_text
from parsers.charsets import decode_bytes, decode_header
from parsers.htmltext import html_to_text


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20_000_000  # beyond this only the first max_bytes are parsed
    max_parts: int = 300  # MIME parts visited across the whole tree
    max_depth: int = 6  # message/rfc822 and multipart nesting
    max_text: int = 200_000  # characters of body text kept
    max_attachment_text: int = 60_000  # characters kept per attachment
    max_attachment_bytes: int = 8_000_000  # larger attachments are listed, not opened
    max_attachments_opened: int = 8


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class AttachmentText:
    filename: str
    content_type: str
    size: int
    text: str = ""


@dataclass(frozen=True)
class ParsedMail:
    # (name, value as written): decoded when asked for, since most headers (Received, DKIM...) never are
    headers: tuple[tuple[str, str], ...] = ()
    subject: str = ""
    sender: str = ""  # address, lower case
    sender_name: str = ""
    message_id: str = ""
    date: datetime | None = None
    in_reply_to: tuple[str, ...] = ()
    content_type: str = "text/plain"
    report_type: str = ""
    text: str = ""
    html_only: bool = False
    attachments: tuple[AttachmentText, ...] = ()
    nested: tuple[ParsedMail, ...] = ()
    delivery_status: str = ""
    has_calendar: bool = False
    link_hosts: tuple[str, ...] = ()  # host names of the web links in the body (href and bare URLs), lower case
    part_count: int = 0
    notes: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        """The first header of that name (case-insensitive), decoded; "" when absent."""
        return decode_header(self._first.get(name.lower(), ""))

    def has_header(self, name: str) -> bool:
        return name.lower() in self._first

    @cached_property
    def recipients(self) -> tuple[str, ...]:
        """To and Cc addresses, lower case: parsed when asked for (a bounce's nested mail), not for every mail."""
        return _addresses([v for k, v in self.headers if k.lower() in ("to", "cc")])

    @cached_property
    def _first(self) -> dict[str, str]:
        """Lower-cased name → the first value of that name, as written."""
        return {k.lower(): v for k, v in reversed(self.headers)}


class _Budget:
    """Per-call counter of visited parts (a local value, not global state)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.parts = 0
        self.opened = 0
        self.notes: list[str] = []

    def take(self) -> bool:
        self.parts += 1
        if self.parts == self.limits.max_parts + 1:
            self.notes.append(f"part limit {self.limits.max_parts} reached; rest not read")
        return self.parts <= self.limits.max_parts


@dataclass
class _Acc:
    text: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[AttachmentText] = field(default_factory=list)
    nested: list[ParsedMail] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    calendar: bool = False
    links: list[str] = field(default_factory=list)


def parse_mime(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedMail:
    """Parse raw RFC 5322 bytes. Raises only on bugs; damaged mail still yields what could be read."""
    notes: list[str] = []
    if len(raw) > limits.max_bytes:
        notes.append(f"mail of {len(raw)} bytes cut to {limits.max_bytes}")
        raw = raw[: limits.max_bytes]
    raw = raw.lstrip(b"\xef\xbb\xbf\r\n\t ")
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    budget = _Budget(limits)
    parsed = _parse_message(msg, 0, budget)
    if notes or budget.notes:
        parsed = _with_notes(parsed, (*notes, *budget.notes))
    return parsed


def _with_notes(p: ParsedMail, notes: tuple[str, ...]) -> ParsedMail:
    from dataclasses import replace

    return replace(p, notes=(*p.notes, *notes))


def _addresses(values: list[str]) -> tuple[str, ...]:
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:
        return ()
    return tuple(a.lower() for _, a in pairs if "@" in a)


def _parse_headers(msg: email.message.Message) -> dict[str, object]:
    headers = tuple((str(k), str(v)) for k, v in msg.items()[:500])
    first = {k.lower(): v for k, v in reversed(headers)}
    get = {k: decode_header(first.get(k, "")) for k in ("subject", "date", "in-reply-to", "references", "message-id")}
    raw_from = str(msg.get("From", "") or "")
    name, addr = email.utils.parseaddr(raw_from)
    name = decode_header(name)
    date = None
    if get.get("date"):
        try:
            date = email.utils.parsedate_to_datetime(get["date"])
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
    refs = " ".join(get.get(h, "") for h in ("in-reply-to", "references"))
    ids = tuple(dict.fromkeys(t for t in refs.replace(",", " ").split() if t.startswith("<")))
    return {"headers": headers, "subject": get.get("subject", ""), "sender": addr.lower(),
            "sender_name": name, "message_id": get.get("message-id", "").strip(),
            "date": date, "in_reply_to": ids}


def _parse_message(msg: email.message.Message, depth: int, budget: _Budget) -> ParsedMail:
    head = _parse_headers(msg)
    acc = _Acc()
    _walk(msg, depth, budget, acc)
    text = "\n".join(t for t in acc.text if t.strip())
    html_only = not text.strip() and bool(acc.html)
    if html_only:
        text = "\n".join(acc.html)
    ctype = msg.get_content_type()
    return ParsedMail(
        **head,  # type: ignore[arg-type]
        content_type=ctype,
        report_type=(msg.get_param("report-type") or "") if ctype == "multipart/report" else "",  # type: ignore[arg-type]
        text=text[: budget.limits.max_text],
        html_only=html_only,
        attachments=tuple(acc.attachments),
        nested=tuple(acc.nested),
        delivery_status="\n".join(acc.status)[:20_000],
        has_calendar=acc.calendar,
        link_hosts=tuple(dict.fromkeys(acc.links))[:50],
        part_count=budget.parts,
    )


def _payload_bytes(part: email.message.Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _part_text(part: email.message.Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(_payload_bytes(part), charset)


def _walk(part: email.message.Message, depth: int, budget: _Budget, acc: _Acc) -> None:
    if not budget.take():
        return
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global") or (ctype == "text/rfc822-headers"):
        _nested(part, depth, budget, acc)
        return
    if ctype == "message/delivery-status":
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else [payload]
        acc.status.append("\n".join(str(b) for b in blocks)[:20_000])
        return
    if part.is_multipart():
        if depth >= budget.limits.max_depth:
            budget.notes.append(f"nesting deeper than {budget.limits.max_depth}; not read")
            return
        children = [c for c in part.get_payload() if isinstance(c, email.message.Message)]
        if len(children) > budget.limits.max_parts:
            budget.notes.append(f"{len(children)} parts in one {ctype}; part limit {budget.limits.max_parts}")
            children = children[: budget.limits.max_parts]
        if ctype == "multipart/alternative":
            acc.calendar = acc.calendar or any(c.get_content_type() == "text/calendar" for c in children)
            children = _choose_alternative(children)
        for child in children:
            _walk(child, depth + 1, budget, acc)
        return
    _leaf(part, ctype, budget, acc)


def _choose_alternative(children: list[email.message.Message]) -> list[email.message.Message]:
    """Prefer a non-empty text/plain, then a multipart (related/mixed), then HTML."""
    for want in ("text/plain", "multipart/", "text/html"):
        for c in children:
            if c.get_content_type().startswith(want) and (want != "text/plain" or _part_text(c).strip()):
                return [c]
    return children[:1]


def _nested(part: email.message.Message, depth: int, budget: _Budget, acc: _Acc) -> None:
    if depth >= budget.limits.max_depth:
        budget.notes.append(f"nested message deeper than {budget.limits.max_depth}; not read")
        return
    payload = part.get_payload()
    inner: email.message.Message | None = None
    if isinstance(payload, list) and payload and isinstance(payload[0], email.message.Message):
        inner = payload[0]
    else:
        data = _payload_bytes(part)
        if data:
            inner = email.message_from_bytes(data, policy=email.policy.compat32)
    if inner is not None:
        acc.nested.append(_parse_message(inner, depth + 1, budget))


_LINK_HOST = re.compile(r"\bhttps?://(?:[^@/\s\"'<>]*@)?([a-zA-Z0-9.-]+)")


def _leaf(part: email.message.Message, ctype: str, budget: _Budget, acc: _Acc) -> None:
    try:
        filename = decode_header(part.get_filename() or "")
        disposition = part.get_content_disposition() or ""
    except Exception:
        filename, disposition = "", ""
    if ctype == "text/calendar":
        acc.calendar = True
    is_body = ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename
    if is_body:
        text = _part_text(part)
        acc.links += [h.lower().rstrip(".") for h in _LINK_HOST.findall(text[:200_000])][:50]
        if ctype == "text/html":
            acc.html.append(html_to_text(text))
        else:
            acc.text.append(text)
        return
    data = _payload_bytes(part)
    text = ""
    if len(data) <= budget.limits.max_attachment_bytes and budget.opened < budget.limits.max_attachments_opened:
        budget.opened += 1
        text, note = extract_attachment_text(filename, ctype, data, part.get_content_charset())
        if note:
            budget.notes.append(note)
    acc.attachments.append(AttachmentText(filename or ctype, ctype, len(data),
                                          text[: budget.limits.max_attachment_text]))


__all__ = ["DEFAULT_LIMITS", "AttachmentText", "Limits", "ParsedMail", "decode_bytes", "decode_header", "parse_mime"]

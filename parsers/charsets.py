"""Bytes and RFC 2047 headers to text, whatever the declared charset says.

Charset chain for every piece of text: declared charset → utf-8 → cp1252 → charset-normalizer → utf-8 with
U+FFFD. Used by `mime` (bodies, headers) and `attachments` (text parts of documents).
"""

from __future__ import annotations

import codecs
import email.header


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: declared charset, utf-8, cp1252, then charset-normalizer's guess, then utf-8 with U+FFFD."""
    for cs in (declared, "utf-8", "cp1252"):
        if not cs:
            continue
        try:
            codecs.lookup(cs)
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None:
            return str(best)
    except Exception:
        pass
    return data.decode("utf-8", errors="replace")


def decode_header(value: object) -> str:
    """An RFC 2047 header (or raw 8-bit bytes smuggled as surrogates) to clean text."""
    raw = str(value) if value is not None else ""
    if "=?" not in raw and raw.isascii():  # no encoded word, no smuggled bytes: only whitespace to fold
        return " ".join(raw.split())
    try:
        pieces = email.header.decode_header(raw)
    except Exception:
        pieces = [(raw, None)]
    out: list[str] = []
    for chunk, cs in pieces:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, cs))
        elif any("\udc80" <= c <= "\udcff" for c in chunk):
            out.append(decode_bytes(chunk.encode("utf-8", "surrogateescape"), cs))
        else:
            out.append(chunk)
    return " ".join(" ".join(out).split()) if len(out) > 1 else " ".join(out[0].split()) if out else ""

"""HTML bodies (Outlook/Word markup, webmail) to plain text with libxml2's HTML parser (lxml), never rendered.

Scripts, styles and heads are dropped; block elements become line breaks; `<blockquote>` content is
prefixed with "> " so that the quote splitter sees it as quoted history. The text is written as the parser
goes (no tree is built), so text after `</html>` (a mailing list's footer) is kept and no nesting is too deep.
"""

from __future__ import annotations

import html as html_entities
import re
from collections import Counter

from lxml import etree  # type: ignore[import-untyped]

_BLOCK = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
                    "hr", "pre", "address", "section", "article", "header", "footer", "dl", "dt", "dd"})
_DROP = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe"})


# libxml2 checks every end tag against the open elements: thousands of unclosed tags and stray end tags take time
# quadratic in their number. Beyond this many tags (an ordinary mail has a few thousand), tags are only stripped.
MAX_TAGS = 30_000
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)?[^>]*>")


def html_to_text(html: str) -> str:
    """Readable text of an HTML document or fragment."""
    if html.count("<") > MAX_TAGS:
        return _stripped(html)
    target = _Text()
    try:
        parser = etree.HTMLParser(target=target, recover=True)
        parser.feed(html)
        parser.close()
    except Exception:
        if not target.out:
            return ""
    lines = [" ".join(line.split()) for line in "".join(target.out).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


class _Text:
    """Parser target: the text as it comes; comments, processing instructions and the doctype are not text."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.open: list[tuple[str, list[str] | None]] = []  # open elements; a blockquote keeps the outer text
        self.names: Counter[str] = Counter()  # how many of each name are open (a stray end tag is found at once)
        self.dropped = 0  # depth inside a dropped element (script, style, head, ...)

    def start(self, tag: str, _attrib: object) -> None:
        name = tag.lower()
        if self.dropped or name in _DROP:
            self.dropped += 1
            return
        self.names[name] += 1
        if name == "blockquote":
            self.open.append((name, self.out))
            self.out = []
            return
        self.open.append((name, None))
        if name in _BLOCK:
            self.out.append("\n")

    def end(self, tag: str) -> None:
        if self.dropped:
            self.dropped -= 1
            return
        name = tag.lower()
        if not self.names[name]:
            return  # a stray end tag
        while self.open:
            open_name, outer = self.open.pop()
            self.names[open_name] -= 1
            if outer is not None:  # a blockquote: its lines marked as quoted, in the text around it
                quoted = [f"> {line.strip()}" for line in "".join(self.out).splitlines() if line.strip()]
                self.out = outer
                self.out.append("\n" + "\n".join(quoted) + "\n")
            elif open_name in ("td", "th"):
                self.out.append("\t")
            elif open_name in _BLOCK and open_name != "br":
                self.out.append("\n")
            if open_name == name:
                return

    def data(self, text: str) -> None:
        if not self.dropped:
            self.out.append(text.replace("\xa0", " ").replace("\n", " ").replace("\r", " "))

    def close(self) -> None:
        while self.open:  # unclosed blockquotes still count as quoted
            self.end(self.open[-1][0])


def _stripped(html: str) -> str:
    """The text between the tags, for markup too large to parse in bounded time: a block tag is a line break,
    scripts, styles and heads are dropped (until their end tag, or the body), and blockquoted lines marked "> "."""
    lines: list[tuple[list[str], bool]] = [([], False)]  # (pieces, holds quoted text)
    quoted = dropped = 0
    pos = 0

    def emit(text: str) -> None:
        if dropped or not text:
            return
        first, *rest = html_entities.unescape(text).split("\n")
        for i, piece in enumerate([first, *rest]):
            if i:
                lines.append(([], False))
            pieces, had = lines[-1]
            pieces.append(piece.replace("\xa0", " "))
            lines[-1] = (pieces, had or (quoted > 0 and bool(piece.strip())))

    for m in _TAG.finditer(html):
        emit(html[pos:m.start()].replace("\n", " ").replace("\r", " "))
        pos = m.end()
        closing, name, alone = m.group(1) == "/", (m.group(2) or "").lower(), m.group(0).endswith("/>")
        if name == "body":
            dropped = 0
        elif name in _DROP and not alone:
            dropped = max(0, dropped - 1) if closing else dropped + 1
        elif name == "blockquote" and not alone:
            emit("\n")
            quoted = max(0, quoted - 1) if closing else quoted + 1
            emit("\n")
        else:
            emit("\n" if name in _BLOCK else " " if name in ("td", "th") else "")
    emit(html[pos:].replace("\n", " ").replace("\r", " "))
    out = []
    for pieces, had in lines:
        line = " ".join("".join(pieces).split())
        if line:
            out.append(f"> {line}" if had else line)
    return "\n".join(out)

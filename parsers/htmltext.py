"""HTML bodies (Outlook/Word markup, webmail) to plain text with an HTML parser, never rendered.

Scripts, styles and heads are dropped; block elements become line breaks; `<blockquote>` content is
prefixed with "> " so that the quote splitter sees it as quoted history.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

_BLOCK = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
                    "hr", "pre", "address", "section", "article", "header", "footer", "dl", "dt", "dd"})
_DROP = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe"})
_MAX_DEPTH = 150


def html_to_text(html: str) -> str:
    """Readable text of an HTML document or fragment."""
    try:
        soup = BeautifulSoup(html, "lxml")  # libxml2's HTML parser: a third faster than html.parser, same text
    except Exception:
        return ""
    out: list[str] = []
    _render(soup, out, 0)
    lines = [" ".join(line.split()) for line in "".join(out).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _render(node: Tag, out: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        out.append(node.get_text(" "))
        return
    for child in node.children:
        if isinstance(child, (Comment, Doctype, Declaration, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            out.append(str(child).replace("\xa0", " ").replace("\n", " ").replace("\r", " "))
            continue
        if not isinstance(child, Tag):
            continue
        name = (child.name or "").lower()
        if name in _DROP:
            continue
        if name == "blockquote":
            inner: list[str] = []
            _render(child, inner, depth + 1)
            quoted = [f"> {line.strip()}" for line in "".join(inner).splitlines() if line.strip()]
            out.append("\n" + "\n".join(quoted) + "\n")
            continue
        if name in ("td", "th"):
            _render(child, out, depth + 1)
            out.append("\t")
            continue
        if name in _BLOCK:
            out.append("\n")
        _render(child, out, depth + 1)
        if name in _BLOCK and name != "br":
            out.append("\n")

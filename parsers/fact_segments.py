"""A text into segments, the units the fact reader reads a number in.

`segments(text)` returns the text's sentences and table rows in reading order, each a `Segment`: its text, and for a
table row (cells split by tabs, " | " or aligned by spaces) its cells, the header cells of its table and per cell its
column in the header. A short line of its own (a lone cell of an HTML table as text) keeps the lines before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

_CELL_SPLIT = re.compile(r"\t| +\| +|\s*\|\s*(?=\S)| {2,}")
_BULLET = re.compile(r"^\s*(?:[-•*–·]|\d{1,2}[.)])\s+")
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'‘“-])")
_ALIGNED = re.compile(r"\S {2,}\S")
_FIGURE = re.compile(r"[\d.,%]+")


@dataclass(frozen=True)
class Segment:
    text: str
    row: tuple[str, ...] = ()  # a table row: its cells
    header: tuple[str, ...] = ()  # the header cells of its table (by column)
    columns: tuple[int, ...] = ()  # per cell, its column in the header
    before: str = ""  # the lines before a lone-cell line (HTML tables)


def _cells(line: str) -> list[tuple[int, str]] | None:
    """The cells of a table row with their start column, or None for prose."""
    if "\t" not in line and "|" not in line and not _ALIGNED.search(line.strip()):
        return None
    out: list[tuple[int, str]] = []
    pos = 0
    for m in _CELL_SPLIT.finditer(line):
        out.append((pos, line[pos:m.start()]))
        pos = m.end()
    out.append((pos, line[pos:]))
    if "\t" in line or "|" in line:
        cells = [(p, c.strip()) for p, c in out]
        while cells and not cells[0][1] and "|" in line:
            cells.pop(0)
        return cells if len([c for _, c in cells if c]) >= 2 else None
    cells = [(p, c.strip()) for p, c in out if c.strip()]
    return cells if len(cells) >= 2 else None


def _columns(cells: Sequence[tuple[int, str]], header: Sequence[tuple[int, str]], by_index: bool) -> tuple[int, ...]:
    if by_index or not header:
        return tuple(range(len(cells)))
    out = []
    for pos, text in cells:
        end = pos + len(text)
        best, score = 0, -10**9
        for i, (hpos, htext) in enumerate(header):
            hend = hpos + len(htext)
            overlap = min(end, hend) - max(pos, hpos)
            s = overlap if overlap > 0 else -min(abs(pos - hend), abs(hpos - end))
            if s > score:
                best, score = i, s
        out.append(best)
    return tuple(out)


@lru_cache(maxsize=8)
def segments(text: str) -> tuple[Segment, ...]:
    out: list[Segment] = []
    para: list[str] = []
    header: list[tuple[int, str]] = []
    header_by_index = False
    in_table = False
    recent: list[str] = []

    def flush() -> None:
        if para:
            joined = " ".join(" ".join(para).split())
            for s in _SENT_SPLIT.split(joined):
                if s:
                    out.append(Segment(s, before=" ".join(recent[-3:]) if len(s) < 40 else ""))
                    recent.append(s)
            para.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            in_table = False
            continue
        cells = _cells(line)
        if cells is not None:
            flush()
            by_index = "\t" in line or "|" in line
            texts = tuple(c for _, c in cells)
            if not in_table or not header:
                if not any(_FIGURE.fullmatch(c) for c in texts):  # no cell is a number
                    header, header_by_index, in_table = list(cells), by_index, True
                    recent.append(" ".join(texts))
                    continue
                if not in_table:
                    header = []
            in_table = True
            out.append(Segment(" ".join(texts), texts, tuple(c for _, c in header),
                                _columns(cells, header, header_by_index and by_index)))
            continue
        in_table, header = False, []
        if _BULLET.match(line):
            flush()
        stripped = line.strip()
        para.append(stripped)
        if stripped.endswith(":") or len(stripped) < 40:  # a heading, a lone cell, or a paragraph's last line
            flush()
    flush()
    return tuple(out)


__all__ = ["Segment", "segments"]

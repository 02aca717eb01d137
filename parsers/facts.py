"""Facts a municipality states about the present, from its new text and attachments (never from quotes).

`find_facts` reads them with the learned fact model (`parsers.fact_model`: places realised and in preparation,
regular and AMV apart, the date by which it expects to meet its full task, places lost under artikel 8). The
hand-written finders it replaced were measured against it on every writer's corpus (README) and removed; git keeps
them. `find_return_date` reads an out-of-office's "tot en met 12 augustus" / "vanaf maandag 5 mei weer".
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from parsers.dates import find_dates
from parsers.fact_model import FactModel, read_facts, shipped_fact_model
from parsers.model import Facts


def find_facts(text: str, ref: date | None, article8: bool = False, model: FactModel | None = None) -> Facts:
    """The facts of the sender's own text and attachments, read by the learned fact model (`parsers.fact_model`;
    `model` None: the shipped one)."""
    return read_facts(model or shipped_fact_model(), text, ref, article8)


_BACK = re.compile(r"(tot en met|t/m|tot|until|bis einschließlich|bis|vanaf|from|"
                   r"weer (?:aanwezig|op kantoor) (?:op|vanaf))"
                   r"\s+(?:\w+dag,?\s+|\w+tag,?\s+|monday,?\s+|tuesday,?\s+|wednesday,?\s+|thursday,?\s+|"
                   r"friday,?\s+)?", re.IGNORECASE)


def find_return_date(text: str, ref: date | None) -> date | None:
    """When an absent person is back: the day after "tot en met X", or X for "tot X"/"vanaf X weer"."""
    for d in find_dates(text[:2000], ref):
        before = text[max(0, d.start - 40): d.start]
        found = list(_BACK.finditer(before))
        m = found[-1] if found else None
        if m is None or m.end() != len(before):
            continue
        word = m.group(1).lower()
        if word in ("tot en met", "t/m", "bis einschließlich"):  # back the next working day (no holidays known)
            back = d.value + timedelta(days=1)
            return back + timedelta(days=(7 - back.weekday()) % 7 if back.weekday() >= 5 else 0)
        return d.value
    return None

"""What Slack shows, read from the store: a case's card, the overdue letters, the App Home counts, and the
municipality search behind the "other municipality" picker. Reads only; every change goes through bot/officer.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.store.models import (
    Article8Row,
    CaseRow,
    InboundMailRow,
    LetterRow,
    MunicipalityRow,
    SourceStateRow,
)
from parsers.registry import Registry, fold_name

# Letters in these states have a running term that can be overdue.
RUNNING = ("awaiting_reply", "overdue", "reminded", "escalation_due")


def case_summary(s: Session, case: CaseRow, today: date) -> dict[str, Any]:
    """The shape of `bot.dossier.case_view` that the card needs (same keys), inside the caller's session."""
    m = s.get(MunicipalityRow, case.municipality_code)
    letters = s.exec(select(LetterRow).where(LetterRow.case_id == case.id).order_by(col(LetterRow.sent_on))).all()
    a8 = s.exec(select(Article8Row.id).where(Article8Row.case_id == case.id)).all()
    return {
        "municipality": {"code": case.municipality_code, "name": m.name if m else case.municipality_code},
        "step": case.step, "assigned_officer": case.assigned_officer, "article8": list(a8),
        "letters": [{"reference": x.reference, "kind": x.kind, "deadline": x.deadline.isoformat(), "state": x.state,
                     "days_left": (x.deadline - today).days if x.state != "closed" else None} for x in letters],
    }


def load_case_summary(engine: Engine, case_id: int, today: date) -> dict[str, Any] | None:
    with Session(engine) as s:
        case = s.get(CaseRow, case_id)
        return case_summary(s, case, today) if case else None


def load_overdue(engine: Engine, today: date) -> list[dict[str, Any]]:
    """Letters whose term has passed without an answer, most overdue first."""
    with Session(engine) as s:
        rows = s.exec(select(LetterRow, MunicipalityRow)
                      .join(MunicipalityRow, col(MunicipalityRow.code) == col(LetterRow.municipality_code))
                      .where(col(LetterRow.state).in_(RUNNING)).where(LetterRow.deadline < today)
                      .order_by(col(LetterRow.deadline), col(LetterRow.reference))).all()
        return [{"municipality": m.name, "reference": x.reference, "kind": x.kind, "state": x.state,
                 "deadline": x.deadline.isoformat(), "days_left": (x.deadline - today).days} for x, m in rows]


def load_home(engine: Engine, today: date) -> dict[str, Any]:
    """Counts per trede, mails waiting for triage, overdue letters and each mail source's health."""
    with Session(engine) as s:
        steps = Counter(s.exec(select(CaseRow.step)).all())
        triage = len(s.exec(select(InboundMailRow.id).where(InboundMailRow.triage_state == "open")).all())
        sources = [{"name": x.name, "error": (x.last_error or "")[:200],
                    "failing_since": x.failing_since.isoformat() if x.failing_since else None,
                    "last_success_at": x.last_success_at.isoformat() if x.last_success_at else None}
                   for x in s.exec(select(SourceStateRow).order_by(col(SourceStateRow.name))).all()]
    return {"steps": [(n, steps.get(n, 0)) for n in range(1, 7)], "triage": triage,
            "overdue": load_overdue(engine, today), "sources": sources}


def search_municipalities(registry: Registry, query: str, limit: int = 20) -> list[tuple[str, str]]:
    """(code, name) for a typed query: prefix matches first, then fuzzy ones (typos, 's-, accents)."""
    q = fold_name(query)
    if not q:
        return []
    names = registry.folded_names()
    found: dict[str, str] = {}
    for folded in sorted(names):
        if folded.startswith(q):
            for m in names[folded]:
                found.setdefault(m.code, m.name)
    for folded, _score, _ in process.extract(q, list(names), scorer=fuzz.WRatio, limit=limit, score_cutoff=70):
        for m in names[folded]:
            found.setdefault(m.code, m.name)
    if (exact := registry.by_code(query)) is not None:
        found = {exact.code: exact.name, **found}
    return list(found.items())[:limit]

"""The weekly digest: where every municipality stands. Pure: values in, a `Digest` value out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class CaseFigures:
    municipality: str
    province: str
    step: int
    legal_task: int | None  # wettelijke taak (regulier + AMV), when known
    realised: int | None


@dataclass(frozen=True)
class LetterLine:
    reference: str
    municipality: str
    deadline: date
    state: str


@dataclass(frozen=True)
class Article8Line:
    municipality: str
    notified_on: date
    places_lost: int | None


@dataclass(frozen=True)
class Digest:
    week: str  # ISO week, "2026-W19"
    today: date
    per_step: dict[int, int]
    overdue: list[LetterLine]
    due_this_week: list[LetterLine]
    article8: list[Article8Line]
    triage_backlog: int
    chart: list[CaseFigures] = field(default_factory=list)  # trede >= 2, with a known task, for the chart

    def as_context(self) -> dict[str, object]:
        def line(x: LetterLine) -> dict[str, object]:
            return {"reference": x.reference, "municipality": x.municipality, "deadline": x.deadline.isoformat(),
                    "state": x.state}

        return {"week": self.week, "today": self.today.isoformat(),
                "per_step": {str(k): v for k, v in sorted(self.per_step.items())},
                "overdue": [line(x) for x in self.overdue], "due_this_week": [line(x) for x in self.due_this_week],
                "article8": [{"municipality": a.municipality, "notified_on": a.notified_on.isoformat(),
                              "places_lost": a.places_lost} for a in self.article8],
                "triage_backlog": self.triage_backlog}


OPEN_STATES = frozenset({"awaiting_reply", "overdue", "reminded", "escalation_due"})


def build_digest(cases: list[CaseFigures], letters: list[LetterLine], article8: list[Article8Line],
                 triage_backlog: int, today: date) -> Digest:
    year, week, _ = today.isocalendar()
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    per_step = {n: 0 for n in range(1, 7)}
    for c in cases:
        per_step[c.step] = per_step.get(c.step, 0) + 1
    open_letters = sorted((x for x in letters if x.state in OPEN_STATES), key=lambda x: (x.deadline, x.municipality))
    return Digest(
        week=f"{year}-W{week:02d}", today=today, per_step=per_step,
        overdue=[x for x in open_letters if x.deadline < today],
        due_this_week=[x for x in open_letters if today <= x.deadline <= sunday],
        article8=sorted((a for a in article8 if today - timedelta(days=7) < a.notified_on <= today),
                        key=lambda a: a.notified_on),
        triage_backlog=triage_backlog,
        chart=sorted((c for c in cases if c.step >= 2 and c.legal_task), key=lambda c: (-c.step, c.municipality)),
    )

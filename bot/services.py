"""Application services the CLI (and later Slack) call: each opens its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.bootstrap import SAMPLE_DIR, App
from bot.core.letters import parse_letters_csv
from bot.store import repo
from bot.store.models import CaseRow, InboundMailRow, LetterRow, MunicipalityRow


@dataclass(frozen=True)
class ImportResult:
    added: int
    unchanged: int
    errors: tuple[str, ...]


def import_letters(app: App, text: str) -> ImportResult:
    """Validate the whole register file; import all of it or, with any error, nothing."""
    rows, errors = parse_letters_csv(text, app.registry, app.calendar)
    if errors:
        return ImportResult(0, 0, tuple(str(e) for e in errors))
    with Session(app.engine) as s, s.begin():
        added, unchanged, conflicts = repo.import_letters(s, rows, app.clock.now())
        if conflicts:
            s.rollback()
            return ImportResult(0, 0, tuple(conflicts))
    return ImportResult(added, unchanged, ())


def prepare_sample(app: App) -> ImportResult | None:
    """On the embedded default, register the sample letters that the sample maildir answers (idempotent)."""
    if app.settings.mailbox.source != "sample":
        return None
    return import_letters(app, (SAMPLE_DIR / "letters.csv").read_text(encoding="utf-8"))


def list_letters(app: App) -> list[dict[str, Any]]:
    with Session(app.engine) as s:
        rows = s.exec(select(LetterRow, MunicipalityRow).join(
            MunicipalityRow, col(MunicipalityRow.code) == col(LetterRow.municipality_code))
            .order_by(col(LetterRow.sent_on), col(LetterRow.reference))).all()
        return [{"reference": letter.reference, "municipality": {"code": m.code, "name": m.name},
                 "sent_on": letter.sent_on.isoformat(), "kind": letter.kind, "trede": letter.step,
                 "deadline": letter.deadline.isoformat(), "state": letter.state} for letter, m in rows]


def local_today(app: App) -> date:
    return app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()


@dataclass(frozen=True)
class StatusRow:
    municipality: str
    step: int
    open_letter: str | None
    deadline: date | None
    days_left: int | None  # negative: overdue
    letter_state: str | None
    last_mail: datetime | None
    triage: int


def status_rows(app: App) -> list[StatusRow]:
    today = local_today(app)
    out = []
    with Session(app.engine) as s:
        cases = s.exec(select(CaseRow, MunicipalityRow).join(
            MunicipalityRow, col(MunicipalityRow.code) == col(CaseRow.municipality_code))
            .order_by(col(MunicipalityRow.name))).all()
        for case, m in cases:
            letters = s.exec(select(LetterRow).where(LetterRow.case_id == case.id)
                             .order_by(col(LetterRow.sent_on).desc())).all()
            open_letters = [x for x in letters if x.state not in ("answered", "closed")]
            current = open_letters[0] if open_letters else (letters[0] if letters else None)
            last = s.exec(select(InboundMailRow.received_at).where(InboundMailRow.municipality_code == m.code)
                          .order_by(col(InboundMailRow.received_at).desc())).first()
            out.append(StatusRow(
                municipality=m.name, step=case.step,
                open_letter=current.reference if current else None,
                deadline=current.deadline if current else None,
                days_left=(current.deadline - today).days if current and current in open_letters else None,
                letter_state=current.state if current else None, last_mail=last, triage=0))
    return out


def triage_count(app: App) -> int:
    with Session(app.engine) as s:
        return len(s.exec(select(InboundMailRow.id).where(col(InboundMailRow.needs_triage))
                          .where(InboundMailRow.outcome == "processed")).all())

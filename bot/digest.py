"""The weekly digest in the shell: gather the figures, build the digest, draw the chart, queue the alert."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.adapters.chart import render_digest_chart
from bot.bootstrap import App
from bot.core.digest import Article8Line, CaseFigures, Digest, LetterLine, build_digest
from bot.core.effects import Decision, PostAlert
from bot.core.figures import parse_figures_csv
from bot.store import repo
from bot.store.models import Article8Row, CaseRow, InboundMailRow, LetterRow, MunicipalityRow


def gather_digest(app: App, now: datetime) -> Digest:
    today = now.astimezone(ZoneInfo(app.settings.timezone)).date()
    with Session(app.engine) as s:
        cases = s.exec(select(CaseRow, MunicipalityRow).join(
            MunicipalityRow, col(MunicipalityRow.code) == col(CaseRow.municipality_code))).all()
        figures = [CaseFigures(m.name, m.province, c.step,
                               (c.legal_task_regular or 0) + (c.legal_task_amv or 0)
                               if c.legal_task_regular is not None else None, c.realised) for c, m in cases]
        names = {m.code: m.name for _, m in cases}
        letters = [LetterLine(x.reference, names.get(x.municipality_code, x.municipality_code), x.deadline, x.state)
                   for x in s.exec(select(LetterRow)).all()]
        a8 = [Article8Line(m.name, a.notified_on, a.places_lost) for a, _c, m in s.exec(
            select(Article8Row, CaseRow, MunicipalityRow)
            .join(CaseRow, col(CaseRow.id) == col(Article8Row.case_id))
            .join(MunicipalityRow, col(MunicipalityRow.code) == col(CaseRow.municipality_code))
            .where(col(Article8Row.notified_on) > today - timedelta(days=7))).all()]
        backlog = len(s.exec(select(InboundMailRow.id).where(InboundMailRow.triage_state == "open")).all())
    return build_digest(figures, letters, a8, backlog, today)


def run_digest(app: App, now: datetime) -> tuple[Digest, Path, bool]:
    """Build this week's digest, write its chart under var/digest/, queue it once per ISO week."""
    digest = gather_digest(app, now)
    png = app.settings.var / "digest" / f"{digest.week}.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(render_digest_chart(digest))
    decision = Decision(alerts=(PostAlert(f"digest:{digest.week}", "digest",
                                          {**digest.as_context(), "chart_path": str(png)}),))
    with Session(app.engine) as s, s.begin():
        new = not repo.outbox_has(s, f"digest:{digest.week}")
        repo.apply_decision(s, decision, None, None, now)
    return digest, png, new


def import_figures(app: App, text: str) -> tuple[int, list[str]]:
    """Apply the legal task and realisation figures; with any bad row, apply nothing."""
    rows, errors = parse_figures_csv(text, app.registry)
    if errors:
        return 0, errors
    now = app.clock.now()
    with Session(app.engine) as s, s.begin():
        for r in rows:
            case = repo.ensure_case(s, r.municipality_code, now)
            if r.legal_task_regular is not None:
                case.legal_task_regular, case.legal_task_amv = r.legal_task_regular, r.legal_task_amv or 0
            if r.realised is not None and case.realised is None:
                case.realised = r.realised  # figures an officer confirmed later win over imported ones
            s.add(case)
    return len(rows), []

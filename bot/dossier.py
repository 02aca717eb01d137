"""A case as officers and archivists read it: the case view, the timeline, and the dossier export."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.bootstrap import App
from bot.officer import find_case
from bot.store.models import Article8Row, CaseRow, HistoryEntryRow, InboundMailRow, LetterRow, MunicipalityRow
from replies.render import STATE_LABELS, STEP_LABELS, date_nl


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    event: str
    letter: str | None
    change: str  # "old → new", or ""
    detail: str
    mail: str | None  # the inbound mail's archive id (content hash, 12 characters)
    evidence: list[str]


def case_view(app: App, target: str) -> dict[str, Any] | None:
    today = app.clock.now().date()
    with Session(app.engine) as s:
        case, _ = find_case(s, app, target)
        if case is None:
            return None
        m = s.get(MunicipalityRow, case.municipality_code)
        letters = s.exec(select(LetterRow).where(LetterRow.case_id == case.id).order_by(col(LetterRow.sent_on))).all()
        a8 = s.exec(select(Article8Row).where(Article8Row.case_id == case.id)).all()
        last = s.exec(select(InboundMailRow.received_at)
                      .where(InboundMailRow.municipality_code == case.municipality_code)
                      .order_by(col(InboundMailRow.received_at).desc())).first()
        return {
            "municipality": {"code": case.municipality_code, "name": m.name if m else case.municipality_code},
            "step": case.step, "step_label": STEP_LABELS[case.step],
            "legal_task": {"regular": case.legal_task_regular, "amv": case.legal_task_amv},
            "realised": case.realised, "planned": case.planned,
            "expected_date": case.expected_date.isoformat() if case.expected_date else None,
            "assigned_officer": case.assigned_officer,
            "last_contact": last.isoformat() if last else None,
            "letters": [{"reference": x.reference, "kind": x.kind, "sent_on": x.sent_on.isoformat(),
                         "deadline": x.deadline.isoformat(), "state": x.state, "state_label": STATE_LABELS[x.state],
                         "days_left": (x.deadline - today).days if x.state != "closed" else None}
                        for x in letters],
            "article8": [{"notified_on": x.notified_on.isoformat(), "places_lost": x.places_lost, "reason": x.reason}
                         for x in a8],
        }


def _case_mail_ids(s: Session, case: CaseRow) -> set[int]:
    linked = s.exec(select(HistoryEntryRow.inbound_mail_id).where(HistoryEntryRow.case_id == case.id)).all()
    by_code = s.exec(select(InboundMailRow.id).where(InboundMailRow.municipality_code == case.municipality_code)).all()
    return {i for i in (*linked, *by_code) if i is not None}


def timeline(app: App, target: str) -> list[TimelineEntry] | None:
    with Session(app.engine) as s:
        case, ref = find_case(s, app, target)
        if case is None:
            return None
        q = select(HistoryEntryRow, InboundMailRow).outerjoin(
            InboundMailRow, col(InboundMailRow.id) == col(HistoryEntryRow.inbound_mail_id))
        q = q.where(HistoryEntryRow.case_id == case.id) if ref is None else q.where(
            HistoryEntryRow.letter_reference == ref)
        rows = s.exec(q.order_by(col(HistoryEntryRow.at), col(HistoryEntryRow.id))).all()
        return [TimelineEntry(h.at, h.actor, h.event, h.letter_reference,
                              f"{h.old_state} → {h.new_state}" if h.old_state or h.new_state else "",
                              h.detail, mail.content_hash[:12] if mail else None, h.evidence or [])
                for h, mail in rows]


def export_dossier(app: App, target: str, out: Path) -> Path | None:
    """Write `out/<code>-<name>/` with timeline.md, timeline.json, case.json, letters.json and every mail (.eml)."""
    view = case_view(app, target)
    entries = timeline(app, view["municipality"]["code"]) if view else None
    if view is None or entries is None:
        return None
    folder = out / f"{view['municipality']['code']}-{_slug(view['municipality']['name'])}"
    (folder / "mail").mkdir(parents=True, exist_ok=True)
    with Session(app.engine) as s:
        case, _ = find_case(s, app, view["municipality"]["code"])
        assert case is not None
        mails = s.exec(select(InboundMailRow).where(col(InboundMailRow.id).in_(_case_mail_ids(s, case)))
                       .order_by(col(InboundMailRow.received_at))).all()
        for mail in mails:
            name = f"{mail.received_at:%Y%m%d-%H%M%S}-in-{mail.kind}-{mail.content_hash[:12]}.eml"
            shutil.copyfile(app.settings.home / mail.archive_path, folder / "mail" / name)
    (folder / "case.json").write_text(json.dumps(view, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "letters.json").write_text(json.dumps(view["letters"], ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "timeline.json").write_text(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2,
                                                     default=_json_default), encoding="utf-8")
    (folder / "timeline.md").write_text(render_timeline_md(view, entries), encoding="utf-8")
    return folder


def render_timeline_md(view: dict[str, Any], entries: list[TimelineEntry]) -> str:
    lines = [f"# Toezichtdossier {view['municipality']['name']} ({view['municipality']['code']})", "",
             f"- Trede: {view['step']} ({view['step_label']})",
             f"- Toegewezen aan: {view['assigned_officer'] or '-'}", "", "## Brieven", ""]
    lines += [f"- {x['reference']} ({x['kind']}), verzonden {date_nl(x['sent_on'])}, termijn {date_nl(x['deadline'])}:"
              f" {x['state_label']}" for x in view["letters"]] or ["- geen"]
    lines += ["", "## Tijdlijn", "", "| moment | door | gebeurtenis | brief | wijziging | toelichting | bericht |",
              "|---|---|---|---|---|---|---|"]
    for e in entries:
        detail = e.detail.replace("|", "/").replace("\n", " ")
        lines.append(f"| {e.at:%Y-%m-%d %H:%M} | {e.actor} | {e.event} | {e.letter or ''} | {e.change} | {detail} "
                     f"| {e.mail or ''} |")
    return "\n".join(lines) + "\n"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _json_default(v: object) -> str:
    if isinstance(v, datetime | date):
        return v.isoformat()
    raise TypeError(type(v).__name__)

"""The weekly digest: its figures, its Dutch text, its chart, and the task-figures import."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.adapters.sources import FileSource
from bot.bootstrap import App
from bot.chase import run_chase
from bot.core.chase import ChasePolicy
from bot.core.digest import Article8Line, CaseFigures, LetterLine, build_digest
from bot.delivery import ConsoleSink
from bot.digest import import_figures, run_digest
from bot.services import import_letters
from bot.store.models import CaseRow, OutboxRow
from replies.render import render
from tests.conftest import DEV, ROOT

GOLDEN = ROOT / "tests" / "fixtures" / "golden"


def test_build_digest_counts_and_windows() -> None:
    today = date(2026, 5, 11)  # a Monday
    cases = [CaseFigures("A", "P", 2, 100, 50), CaseFigures("B", "P", 3, None, None), CaseFigures("C", "P", 2, 80, 90)]
    letters = [LetterLine("1", "A", date(2026, 5, 8), "reminded"),
               LetterLine("2", "B", date(2026, 5, 15), "awaiting_reply"),
               LetterLine("3", "C", date(2026, 5, 1), "answered"),
               LetterLine("4", "C", date(2026, 5, 18), "awaiting_reply")]
    a8 = [Article8Line("A", date(2026, 5, 10), 40), Article8Line("B", date(2026, 5, 3), 10)]
    d = build_digest(cases, letters, a8, 3, today)
    assert d.week == "2026-W20"
    assert d.per_step == {1: 0, 2: 2, 3: 1, 4: 0, 5: 0, 6: 0}
    assert [x.reference for x in d.overdue] == ["1"]
    assert [x.reference for x in d.due_this_week] == ["2"]
    assert [a.municipality for a in d.article8] == ["A"]
    assert [c.municipality for c in d.chart] == ["A", "C"]


def test_digest_text_golden() -> None:
    d = build_digest([CaseFigures("Hilversum", "Noord-Holland", 3, 434, 262)],
                     [LetterLine("7583310", "Hilversum", date(2026, 10, 8), "reminded"),
                      LetterLine("7611954", "Almere", date(2026, 10, 14), "awaiting_reply")],
                     [Article8Line("Ede", date(2026, 10, 9), 150)], 2, date(2026, 10, 12))
    text = render("digest", {**d.as_context(), "chart_path": "x.png"})
    assert text == (GOLDEN / "digest.txt").read_text(encoding="utf-8")


def test_weekly_digest_once_per_week_with_a_chart(app: App, tmp_path: Path) -> None:
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    count, errors = import_figures(app, (ROOT / "tests" / "fixtures" / "figures-example.csv").read_text("utf-8"))
    assert errors == [] and count == 18
    app.intake.run(FileSource([DEV], 50 * 1024 * 1024))
    run_chase(app, datetime(2026, 5, 1, 7, tzinfo=UTC), ChasePolicy())
    monday = datetime(2026, 5, 11, 7, tzinfo=UTC)
    digest, png, new = run_digest(app, monday)
    assert new and png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000
    assert digest.per_step[2] > 10 and digest.overdue
    assert {c.municipality for c in digest.chart} >= {"Hilversum", "Groningen", "Zwolle"}
    assert "Amsterdam" not in {c.municipality for c in digest.chart}  # trede 1: not in the chart
    assert not run_digest(app, monday.replace(hour=9))[2]  # twice in one week: one digest
    with Session(app.engine) as s:
        assert len(s.exec(select(OutboxRow).where(OutboxRow.idempotency_key == "digest:2026-W20")).all()) == 1
    app.deliverer.deliver_pending()
    sink = app.deliverer.alerts
    assert isinstance(sink, ConsoleSink)
    assert any(key == "digest:2026-W20" and "Weekoverzicht" in text for key, text in sink.posted)
    if os.environ.get("IBT_WRITE_DOCS"):  # regenerate the example a person looked at
        shutil.copyfile(png, ROOT / "docs" / "digest-example.png")


def test_bad_figures_rows_apply_nothing(app: App, tmp_path: Path) -> None:
    bad = ("level,code,name,cycle,figure_type,totaal,regulier,amv\n"
           "gemeente,GM0402,Hilversum,2024-2025,verdeelbesluit_x,434,434,0\n"
           "gemeente,GM9999,Atlantis,2024-2025,verdeelbesluit_x,1,1,0\n"
           "gemeente,GM0344,Utrecht,2024-2025,realisatie,veel,,\n")
    count, errors = import_figures(app, bad)
    assert count == 0 and [e.split(":")[0] for e in errors] == ["line 3", "line 4"]
    with Session(app.engine) as s:
        assert all(c.legal_task_regular is None for c in s.exec(select(CaseRow)).all())

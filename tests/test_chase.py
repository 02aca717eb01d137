"""The daily chase: the dev register and mails driven through April–July 2026 by the clock."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.bootstrap import App
from bot.chase import run_chase
from bot.cli import app as cli
from bot.clock import FixedClock
from bot.core.chase import ChasePolicy
from bot.services import import_letters
from bot.store.models import HistoryEntryRow, LetterRow, OutboxRow
from tests.conftest import DEV
from tests.support.timetravel import days, live_day, mails_by_day


def drive(app: App, clock: FixedClock, runs_on: dict[date, int] | None = None) -> dict[str, list[tuple[date, str]]]:
    """April–July; returns per kind the (day, reference) pairs the chase reported as newly done."""
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    mail = mails_by_day(DEV)
    done: dict[str, list[tuple[date, str]]] = {"reminders": [], "deadlines_slipped": [], "escalations_due": []}
    for day in days(date(2026, 4, 1), date(2026, 7, 31)):
        for report in live_day(app, clock, day, mail.get(day, []), (runs_on or {}).get(day, 1)):
            for kind, rows in report.as_dict().items():
                done[kind] += [(day, r["reference"]) for r in rows]
    return done


def letter_state(app: App, ref: str) -> str:
    with Session(app.engine) as s:
        x = s.get(LetterRow, ref)
        assert x is not None
        return x.state


def test_three_months_of_chasing(app: App, clock: FixedClock) -> None:
    done = drive(app, clock, runs_on={date(2026, 5, 7): 2, date(2026, 6, 12): 3})
    reminders = dict((ref, day) for day, ref in done["reminders"])
    # exactly one reminder per letter and term, even on days the job ran twice or three times
    assert len(reminders) == len(done["reminders"])
    # only on Atw working days: never a weekend, Koningsdag, 5 mei, Hemelvaart or Pinksteren
    for day, _ in done["reminders"] + done["deadlines_slipped"] + done["escalations_due"]:
        assert app.calendar.is_working_day(day), day
    # the first working day after the deadline
    assert reminders["7468125"] == date(2026, 5, 1)  # Zwolle: only an out-of-office (back 18 April)
    assert reminders["7468257"] == date(2026, 5, 7)  # Almere: deadline 6 May
    assert reminders["7468280"] == date(2026, 5, 18)  # Assen: deadline 15 May (gelijkgesteld), weekend after
    # answered in time (also on the deadline day itself) or asked for more time: never chased
    for ref in ("7468089", "7468098", "7468112", "7468140", "7468146", "7468177", "7468227"):
        assert ref not in reminders, ref
    # the reminder's term: 7 days, moved past Hemelvaart, the gelijkgestelde Friday, weekend and Pinkstermaandag
    with Session(app.engine) as s:
        mails = {r.payload["reference"]: r.payload for r in s.exec(select(OutboxRow)
                                                                    .where(OutboxRow.channel == "mail")).all()}
    assert mails["7468257"]["context"]["new_deadline"] == "2026-05-18"
    assert mails["7468280"]["context"]["new_deadline"] == "2026-05-26"
    assert len(mails) == len(reminders)
    # a reminder answered in time closes the chase; an unanswered one becomes due for escalation
    escalations = dict((ref, day) for day, ref in done["escalations_due"])
    assert escalations["7468125"] == date(2026, 5, 11)
    assert "7468153" not in escalations  # 's-Hertogenbosch answered on 6 May via its adviser
    assert letter_state(app, "7468153") == "answered"
    assert letter_state(app, "7468215") == "escalation_due"  # Den Haag: a read receipt is no answer
    with Session(app.engine) as s:
        steps = {h.new_state for h in s.exec(select(HistoryEntryRow).where(HistoryEntryRow.event == "step_changed"))}
    assert steps == set()  # the clock never moves a case up the ladder


def test_after_a_three_day_outage_each_reminder_goes_out_once(app: App, clock: FixedClock) -> None:
    down = {date(2026, 5, 1): 0, date(2026, 5, 4): 0, date(2026, 5, 6): 0}
    done = drive(app, clock, runs_on=down)
    reminders = Counter(ref for _, ref in done["reminders"])
    assert reminders["7468125"] == 1
    assert dict((ref, day) for day, ref in done["reminders"])["7468125"] == date(2026, 5, 7)
    assert all(n == 1 for n in reminders.values())


def test_an_out_of_office_defers_the_reminder_to_the_day_back(app: App, clock: FixedClock, tmp_path: Path) -> None:
    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    raw = (DEV / "d001-zwolle-afwezigheid.eml").read_bytes().replace(b"17 april 2026", b"8 mei 2026")
    (tmp_path / "ooo.eml").write_bytes(raw)
    live_day(app, clock, date(2026, 4, 9), [tmp_path / "ooo.eml"])
    for day in days(date(2026, 4, 10), date(2026, 5, 11)):
        for report in live_day(app, clock, day, []):
            if any(r["reference"] == "7468125" for r in report.reminders):
                assert day == date(2026, 5, 11)  # back on Saturday 9 May: the first working day after
                return
    pytest.fail("no reminder for Zwolle")


def test_a_snooze_holds_the_chase(app: App, clock: FixedClock) -> None:
    from bot.officer import letter_action

    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    assert letter_action(app, "7468125", "snooze", "jan", until=date(2026, 5, 12)).ok
    report = run_chase(app, clock.at.replace(month=5, day=4), ChasePolicy())
    assert "7468125" not in {r["reference"] for r in report.reminders}
    report = run_chase(app, clock.at.replace(month=5, day=13), ChasePolicy())
    assert "7468125" in {r["reference"] for r in report.reminders}


def test_cli_chase_twice_lists_the_reminders_once(home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["letters", "import", str(DEV / "letters.csv")]).exit_code == 0
    dry = json.loads(runner.invoke(cli, ["chase", "--now", "2026-05-01T09:00:00+02:00", "--dry-run", "--json"]).stdout)
    first = json.loads(runner.invoke(cli, ["chase", "--now", "2026-05-01T09:00:00+02:00", "--json"]).stdout)
    second = json.loads(runner.invoke(cli, ["chase", "--now", "2026-05-01T09:00:00+02:00", "--json"]).stdout)
    assert dry == first
    assert len(first["reminders"]) == len(first["deadlines_slipped"]) > 20
    assert {"reference", "municipality", "to", "new_deadline"} <= set(first["reminders"][0])
    assert second == {"reminders": [], "deadlines_slipped": [], "escalations_due": []}
    weekend = json.loads(runner.invoke(cli, ["chase", "--now", "2026-05-02T09:00:00+02:00", "--json"]).stdout)
    assert weekend == second  # Saturday: nothing


def test_an_officers_request_sends_one_reminder_now(app: App, clock: FixedClock) -> None:
    from bot.officer import request_reminder

    assert import_letters(app, (DEV / "letters.csv").read_text(encoding="utf-8")).errors == ()
    assert request_reminder(app, "7468125", "U123", action_id="slack:1").ok  # before the deadline
    at = clock.at.replace(month=4, day=20)
    first = run_chase(app, at, ChasePolicy())
    assert [r["reference"] for r in first.reminders] == ["7468125"]
    assert run_chase(app, at, ChasePolicy()).reminders == []  # the request is honoured once
    with Session(app.engine) as s:
        letter = s.get(LetterRow, "7468125")
        # 20 April + 7 days is 27 April, Koningsdag: the term ends on the 28th
        assert letter is not None and letter.state == "reminded" and letter.deadline == date(2026, 4, 28)
        alerts = [r.payload for r in s.exec(select(OutboxRow).where(OutboxRow.channel == "alert")).all()]
    sent = [a for a in alerts if a["template"] == "alert_reminder_sent"]
    assert len(sent) == 1 and sent[0]["context"]["requested_by"] == "U123"  # type: ignore[index]

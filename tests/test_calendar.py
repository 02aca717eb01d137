"""The Atw working-day calendar: computed days, the CSV of gelijkgestelde dagen, and reply deadlines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays
import pytest

from bot.core.calendar import AtwCalendar, atw_days, calendar_from_csv, easter, parse_atw_csv

CSV_PATH = Path(__file__).resolve().parent.parent / "config" / "feestdagen-atw.csv"
HEADER = "date,weekday,name,atw_status,source,note\n"


@pytest.fixture(scope="module")
def cal() -> AtwCalendar:
    return calendar_from_csv(CSV_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
     (2027, date(2027, 3, 28)), (2030, date(2030, 4, 21)), (2038, date(2038, 4, 25)),
     (2285, date(2285, 3, 22)), (1818, date(1818, 3, 22))],  # incl. the earliest and latest possible dates
)
def test_easter(year: int, expected: date) -> None:
    assert easter(year) == expected


def test_easter_agrees_with_holidays_package() -> None:
    # The holidays package names Easter Sunday; agree over a long run of years.
    for year in range(1990, 2101):
        nl = holidays.country_holidays("NL", years=year, language="nl")
        assert nl.get(easter(year)) == "Eerste paasdag", year


@pytest.mark.parametrize(
    ("sent_on", "due", "why"),
    [
        (date(2026, 4, 9), date(2026, 4, 30), "the Hilversum letter: ends on a plain Thursday"),
        (date(2026, 4, 24), date(2026, 5, 18), "15 May 2026 gelijkgesteld, 16/17 weekend"),
        (date(2026, 4, 6), date(2026, 4, 28), "27 April 2026 Koningsdag (Monday)"),
        (date(2025, 5, 9), date(2025, 6, 2), "30 May 2025 gelijkgesteld, then weekend"),
        (date(2026, 12, 4), date(2026, 12, 28), "Eerste Kerstdag Friday, Tweede Kerstdag Saturday"),
        (date(2025, 12, 4), date(2025, 12, 29), "25/26 Dec 2025 Thu/Fri, then weekend"),
        (date(2025, 12, 11), date(2026, 1, 5), "1 Jan 2026 Nieuwjaarsdag, 2 Jan gelijkgesteld, weekend"),
        (date(2026, 4, 23), date(2026, 5, 18), "14 May 2026 Hemelvaartsdag → 15 gelijkgesteld → 18"),
        (date(2027, 4, 15), date(2027, 5, 10), "6 May 2027 Hemelvaartsdag, 7 May gelijkgesteld, weekend"),
        (date(2027, 4, 16), date(2027, 5, 10), "7 May 2027 gelijkgesteld"),
        (date(2025, 4, 5), date(2025, 4, 28), "26 April 2025 Koningsdag on Saturday, 27 Sunday"),
        (date(2026, 4, 14), date(2026, 5, 6), "5 May 2026 (non-lustrum year) still an Atw day"),
        (date(2027, 4, 14), date(2027, 5, 10), "5 May 2027 Wednesday, then Hemelvaart + gelijkgesteld"),
        (date(2026, 3, 13), date(2026, 4, 7), "Goede Vrijdag 3 April 2026, weekend, Tweede Paasdag"),
        (date(2026, 5, 4), date(2026, 5, 26), "25 May 2026 Tweede Pinksterdag"),
        (date(2030, 4, 1), date(2030, 4, 23), "2030, outside the CSV: Tweede Paasdag 22 April computed"),
        (date(2030, 4, 14), date(2030, 5, 6), "2030: 5 May is a Sunday, 6 May a working day"),
        (date(2030, 5, 9), date(2030, 5, 31), "2030: Hemelvaartsdag 30 May computed; no besluit known yet"),
        (date(2030, 4, 6), date(2030, 4, 29), "2030: Koningsdag 27 April is a Saturday (not moved)"),
        (date(2026, 4, 10), date(2026, 5, 1), "ends on a Friday working day"),
        (date(2026, 4, 11), date(2026, 5, 4), "ends on a Saturday"),
    ],
)
def test_reply_deadline(cal: AtwCalendar, sent_on: date, due: date, why: str) -> None:
    assert cal.deadline(sent_on) == due, why


def test_koningsdag() -> None:
    assert atw_days(2025)[date(2025, 4, 26)] == "Koningsdag"  # 27 April 2025 is a Sunday
    assert date(2025, 4, 27) not in atw_days(2025)
    assert atw_days(2026)[date(2026, 4, 27)] == "Koningsdag"
    assert atw_days(2014)[date(2014, 4, 26)] == "Koningsdag"
    assert atw_days(2010)[date(2010, 4, 30)] == "Koninginnedag"


def test_computed_days_2026() -> None:
    assert atw_days(2026) == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede Vrijdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }


def test_computed_days_hold_without_any_csv() -> None:
    bare = AtwCalendar()
    assert bare.deadline(date(2026, 4, 6)) == date(2026, 4, 28)
    # Without the gelijkstellingsbesluit, 15 May 2026 is an ordinary Friday: why the CSV matters.
    assert bare.deadline(date(2026, 4, 24)) == date(2026, 5, 15)
    assert bare.day_name(date(2031, 12, 25)) == "Eerste Kerstdag"


def test_working_day_helpers(cal: AtwCalendar) -> None:
    assert cal.day_name(date(2026, 5, 15)) == "Vrijdag na Hemelvaartsdag"
    assert cal.day_name(date(2026, 5, 14)) == "Hemelvaartsdag"
    assert cal.day_name(date(2026, 5, 16)) is None  # a Saturday has no Atw name
    assert not cal.is_working_day(date(2026, 5, 16))
    assert cal.is_working_day(date(2026, 5, 13))
    assert cal.next_working_day(date(2026, 5, 13)) == date(2026, 5, 13)
    assert cal.next_working_day(date(2026, 5, 14)) == date(2026, 5, 18)
    assert cal.working_days_between(date(2026, 5, 13), date(2026, 5, 18)) == 1
    assert cal.working_days_between(date(2026, 5, 18), date(2026, 5, 13)) == -1
    assert cal.working_days_between(date(2026, 4, 9), date(2026, 4, 30)) == 14  # Koningsdag in between


def test_short_terms_follow_atw_art_2(cal: AtwCalendar) -> None:
    # 3 days from Thursday 24 Dec 2026 end Sunday 27 → Monday 28 (art. 1), which holds only one
    # working day; art. 2 asks for two → Tuesday 29.
    assert cal.deadline(date(2026, 12, 24), 3) == date(2026, 12, 29)
    assert cal.deadline(date(2026, 4, 9), 0) == date(2026, 4, 9)
    with pytest.raises(ValueError, match="negative"):
        cal.deadline(date(2026, 4, 9), -1)


def test_calendar_is_a_value() -> None:
    extra = {date(2026, 6, 1): "Testdag"}
    c = AtwCalendar(extra=extra)
    extra[date(2026, 6, 2)] = "later"
    assert c.is_working_day(date(2026, 6, 2))  # the caller's dict changing does not change the calendar
    assert not c.is_working_day(date(2026, 6, 1))
    assert c == AtwCalendar(extra={date(2026, 6, 1): "Testdag"})


def test_config_csv_parses_and_agrees_with_computation() -> None:
    text = CSV_PATH.read_text(encoding="utf-8")
    listed = parse_atw_csv(text)
    computed = {d: n for y in (2025, 2026, 2027) for d, n in atw_days(y).items()}
    # Every computed day is listed with the same name...
    assert {d: listed.get(d) for d in computed} == computed
    # ...and what is listed beyond that is exactly the gelijkgestelde dagen of the besluiten.
    assert {d: n for d, n in listed.items() if d not in computed} == {
        date(2025, 5, 30): "Vrijdag na Hemelvaartsdag",
        date(2026, 1, 2): "Vrijdag na Nieuwjaarsdag",
        date(2026, 5, 15): "Vrijdag na Hemelvaartsdag",
        date(2027, 5, 7): "Vrijdag na Hemelvaartsdag",
    }
    # zondag rows (Eerste Paas-/Pinksterdag) are left out; they are Sundays anyway.
    assert "2026-04-05,zondag,Eerste Paasdag,zondag," in text
    assert date(2026, 4, 5) not in listed


def test_config_csv_weekdays_are_right() -> None:
    weekdays = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
    for row in CSV_PATH.read_text(encoding="utf-8").splitlines()[1:]:
        day, weekday = row.split(",")[:2]
        assert weekdays[date.fromisoformat(day).weekday()] == weekday, row


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("2026-01-01,donderdag,Nieuwjaarsdag,algemeen_erkende_feestdag,,\n2026-13-01,x,Iets,gelijkgesteld_kb,,\n",
         3, "bad date"),
        ("2026-01-01,donderdag,Nieuwjaarsdag,feestdag,,\n", 2, "unknown atw_status"),
        ("\n2026-01-02,vrijdag,,gelijkgesteld_kb,,\n", 3, "missing name"),
        ('2026-01-01,donderdag,Nieuwjaarsdag,algemeen_erkende_feestdag,"two\nlines",\n2026-01-02,vrijdag,,x,,\n',
         4, "unknown atw_status"),
    ],
)
def test_bad_feestdagen_row_names_its_line(body: str, line: int, message: str) -> None:
    with pytest.raises(ValueError, match=f"line {line}: {message}"):
        parse_atw_csv(HEADER + body)


def test_feestdagen_csv_missing_column() -> None:
    with pytest.raises(ValueError, match="line 1: missing column"):
        parse_atw_csv("date,name\n2026-01-01,Nieuwjaarsdag\n")


def test_feestdagen_csv_tolerates_bom_and_zondag_rows() -> None:
    rows = "2026-04-05,zondag,Eerste Paasdag,zondag,,\n2026-01-02,vrijdag,X,gelijkgesteld_kb,,\n"
    text = "\ufeff" + HEADER + rows
    assert parse_atw_csv(text) == {date(2026, 1, 2): "X"}


# The holidays package is a cross-check only, never the source of truth: it follows common practice
# (days off), not the Atw. Known, documented differences:
# - Eerste Paasdag and Eerste Pinksterdag: it lists them; the Atw does not name them (always Sundays).
# - Bevrijdingsdag: it lists 5 May as public only in lustrum years (2025, 2030); the Atw counts
#   "de vijfde mei" every year, so 5 May 2026 is ours only.
# - Gelijkgestelde dagen (art. 3 lid 3 besluiten, e.g. 2 Jan and 15 May 2026): not in the package.
HOLIDAYS_SUNDAYS = {"Eerste paasdag", "Eerste pinksterdag"}


def package_days(year: int) -> set[date]:
    """The holidays package's NL days in `year`, without the two Sundays the Atw does not name."""
    nl = holidays.country_holidays("NL", years=year, language="nl")
    return {d for d, n in nl.items() if n not in HOLIDAYS_SUNDAYS}


def test_cross_check_with_holidays_package_2026(cal: AtwCalendar) -> None:
    theirs = package_days(2026)
    ours = set(atw_days(2026)) | {d for d in cal.extra if d.year == 2026}
    assert theirs <= ours
    assert ours - theirs == {date(2026, 1, 2), date(2026, 5, 5), date(2026, 5, 15)}


@pytest.mark.parametrize("year", range(1990, 2041))
def test_cross_check_with_holidays_package_any_year(year: int) -> None:
    theirs = package_days(year)
    ours = set(atw_days(year))
    assert theirs <= ours
    assert ours - theirs <= {date(year, 5, 5)}  # only the non-lustrum Bevrijdingsdag differs

"""The letters register CSV: valid rows, computed deadlines, and every kind of bad row with its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core.calendar import AtwCalendar, calendar_from_csv
from bot.core.letters import LETTER_KINDS, LetterRow, RowError, parse_letters_csv
from parsers.registry import Registry, parse_municipalities_csv

CONFIG = Path(__file__).resolve().parent.parent / "config"
HEADER = "reference,municipality,sent_on,kind,trede,deadline,to_address\n"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(parse_municipalities_csv((CONFIG / "gemeenten.csv").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def cal() -> AtwCalendar:
    return calendar_from_csv((CONFIG / "feestdagen-atw.csv").read_text(encoding="utf-8"))


def parse(text: str, registry: Registry, cal: AtwCalendar) -> tuple[list[LetterRow], list[RowError]]:
    return parse_letters_csv(text, registry, cal)


def test_valid_file(registry: Registry, cal: AtwCalendar) -> None:
    text = HEADER + (
        "7468089,Hilversum,2026-04-09,informatieverzoek,2,2026-04-30,info@hilversum.nl\n"
        "7468215,Den Haag,9-4-2026,rappel,2,,\n"  # alias, Dutch date, computed deadline, no address
        " 7468147 ,Sudwest-Fryslan,2026-04-09,actief_toezicht,3,2026-05-01,info@sudwestfryslan.nl\n"
        "7468245,GM0373,2026-04-24,vooraankondiging,4,,info@bergen-nh.nl\n"
        "7468246,0893,2026-04-06,besluit_indeplaatsstelling,5,,\n"
        "7468247,'s-Hertogenbosch,2026-12-04,sanctie,6,,\n"
        "7468248,gemeente Utrecht,2026-04-09,overig,1,,\n"
    )
    rows, errors = parse(text, registry, cal)
    assert errors == []
    assert rows[0] == LetterRow(
        line=2, reference="7468089", municipality_code="GM0402", sent_on=date(2026, 4, 9),
        kind="informatieverzoek", step=2, deadline=date(2026, 4, 30), deadline_computed=False,
        to_address="info@hilversum.nl",
    )
    by_ref = {r.reference: r for r in rows}
    assert by_ref["7468215"].municipality_code == "GM0518"
    assert by_ref["7468215"].sent_on == date(2026, 4, 9)
    assert by_ref["7468215"].to_address == ""
    assert by_ref["7468147"].municipality_code == "GM1900"
    assert by_ref["7468147"].deadline == date(2026, 5, 1)  # a later deadline written in the register wins
    assert by_ref["7468245"].municipality_code == "GM0373"
    assert by_ref["7468246"].municipality_code == "GM0893"
    assert by_ref["7468247"].municipality_code == "GM0796"
    assert by_ref["7468248"].municipality_code == "GM0344"
    assert [r.line for r in rows] == [2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("sent_on", "deadline"),
    [("2026-04-09", date(2026, 4, 30)), ("2026-04-24", date(2026, 5, 18)), ("2026-04-06", date(2026, 4, 28)),
     ("2026-12-04", date(2026, 12, 28))],
)
def test_computed_deadline(registry: Registry, cal: AtwCalendar, sent_on: str, deadline: date) -> None:
    rows, errors = parse(HEADER + f"7468089,Hilversum,{sent_on},informatieverzoek,2,,\n", registry, cal)
    assert errors == []
    assert (rows[0].deadline, rows[0].deadline_computed) == (deadline, True)


@pytest.mark.shared
def test_shared_dev_register_deadlines_agree_with_the_calendar(registry: Registry, cal: AtwCalendar) -> None:
    # The dev register's written deadlines are plain 21-day Atw deadlines, except one: the Assen letter
    # of 23 April 2026 says 15 May 2026, the gelijkgestelde Friday after Hemelvaartsdag (the Atw gives
    # 18 May). The register's written date is what the letter said, so it is kept as written.
    path = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev" / "letters.csv"
    if not path.exists():
        pytest.skip("../shared not present")
    rows, errors = parse(path.read_text(encoding="utf-8"), registry, cal)
    assert errors == []
    assert len(rows) == 44
    differ = [(r.reference, r.deadline) for r in rows if r.deadline != cal.deadline(r.sent_on)]
    assert differ == [("7468280", date(2026, 5, 15))]


def test_every_bad_row_reported_with_its_line(registry: Registry, cal: AtwCalendar) -> None:
    text = HEADER + (
        "7468089,Hilversum,2026-04-09,informatieverzoek,2,,\n"  # line 2: fine
        "746808,Hilversum,2026-04-09,informatieverzoek,2,,\n"  # 3: six digits
        "7468090,Bergen,2026-04-09,informatieverzoek,2,,\n"  # 4: ambiguous
        "7468091,Atlantis,2026-04-09,informatieverzoek,2,,\n"  # 5: unknown
        "7468092,Hilversum,2026-02-30,informatieverzoek,2,,\n"  # 6: no such date
        "7468093,Hilversum,2026-04-09,brief,2,,\n"  # 7: unknown kind
        "7468094,Hilversum,2026-04-09,rappel,7,,\n"  # 8: trede out of range
        "7468095,Hilversum,2026-04-09,rappel,2,30 april,\n"  # 9: deadline not a date
        "7468096,Hilversum,2026-04-09,rappel,2,2026-04-01,\n"  # 10: deadline before sent_on
        "7468097,Hilversum,2026-04-09,rappel,2,,Gemeente Hilversum\n"  # 11: not an address
        "7468098,Hilversum,2026-04-09,rappel,2\n"  # 12: too few fields
        "7468099,Weesp,2026-04-09,rappel,2,,\n"  # 13: former municipality
        "74680 99,,,Rappel,two,,a@b\n"  # 14: five problems in one row, all reported
        "7468100,Hilversum,2026-04-09,rappel,2,,info@hilversum.nl\n"  # 15: fine
    )
    rows, errors = parse(text, registry, cal)
    assert [r.line for r in rows] == [2, 15]
    got = [str(e) for e in errors]
    assert got[:12] == [
        "line 3: reference '746808' is not 7 digits",
        "line 4: unknown municipality 'Bergen' (ambiguous: Bergen (NH.), Bergen (L.))",
        "line 5: unknown municipality 'Atlantis' (use the official name, an alias or the CBS code GMnnnn)",
        "line 6: sent_on '2026-02-30' is not a date (use YYYY-MM-DD or d-m-yyyy)",
        "line 7: unknown kind 'brief' (allowed: " + ", ".join(LETTER_KINDS) + ")",
        "line 8: trede '7' is not a step of the interventieladder (1 to 6)",
        "line 9: deadline '30 april' is not a date (use YYYY-MM-DD or leave it empty)",
        "line 10: deadline 2026-04-01 is not after sent_on 2026-04-09",
        "line 11: to_address 'Gemeente Hilversum' is not an e-mail address",
        "line 12: expected 7 fields, got 5 (a comma inside a value needs quotes)",
        "line 13: unknown municipality 'Weesp': a former municipality, now part of Amsterdam (GM0363); "
        "use that name",
        "line 14: reference '74680 99' is not 7 digits",
    ]
    assert got[12:] == [
        "line 14: missing municipality",
        "line 14: missing sent_on",
        "line 14: unknown kind 'Rappel' (allowed: " + ", ".join(LETTER_KINDS) + ")",
        "line 14: trede 'two' is not a step of the interventieladder (1 to 6)",
        "line 14: to_address 'a@b' is not an e-mail address",
    ]


def test_line_numbers_count_quoted_newlines_and_blank_lines(registry: Registry, cal: AtwCalendar) -> None:
    text = "\r\n".join([
        HEADER.strip(),
        '7468089,"Hilversum",2026-04-09,informatieverzoek,2,,',  # line 2
        "",  # line 3: blank, skipped
        '7468090,"Gooise\r\nMeren",2026-04-09,informatieverzoek,2,,',  # lines 4-5: a quoted newline
        "7468091,Nergenshuizen,2026-04-09,informatieverzoek,2,,",  # line 6
        '7468092,"Nergens\r\nhuizen",2026-04-09,informatieverzoek,2,,',  # lines 7-8
        "7468093,Hilversum,2026-04-09,informatieverzoek,9,,",  # line 9
        "",
    ])
    rows, errors = parse(text, registry, cal)
    assert [(r.line, r.municipality_code) for r in rows] == [(2, "GM0402"), (4, "GM1942")]
    assert [(e.line, e.message.split(" (")[0]) for e in errors] == [
        (6, "unknown municipality 'Nergenshuizen'"),
        (7, "unknown municipality 'Nergens\\r\\nhuizen'"),
        (9, "trede '9' is not a step of the interventieladder"),
    ]


def test_bom_and_header_in_another_order(registry: Registry, cal: AtwCalendar) -> None:
    text = (
        "\ufeffmunicipality,reference,kind,trede,sent_on,to_address,deadline\n"
        "Hilversum,7468089,informatieverzoek,2,2026-04-09,info@hilversum.nl,\n"
    )
    rows, errors = parse(text, registry, cal)
    assert errors == []
    assert (rows[0].reference, rows[0].municipality_code, rows[0].deadline) == (
        "7468089", "GM0402", date(2026, 4, 30)
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("reference,municipality,sent_on,kind,trede,deadline\n", "missing column(s) to_address"),
        ("reference,gemeente,sent_on,kind,trede,deadline,to_address,notes\n",
         "missing column(s) municipality; unknown column(s) gemeente, notes"),
        (HEADER.strip() + ",reference\n", "column(s) given twice: reference"),
    ],
)
def test_bad_header(registry: Registry, cal: AtwCalendar, header: str, message: str) -> None:
    rows, errors = parse(header + "7468089,Hilversum,2026-04-09,informatieverzoek,2,,\n", registry, cal)
    assert rows == []
    assert len(errors) == 1
    assert str(errors[0]).startswith(f"line 1: {message} (expected header: reference,municipality,")


def test_empty_file(registry: Registry, cal: AtwCalendar) -> None:
    assert parse("\ufeff\n\n", registry, cal) == ([], [RowError(1, (
        "empty file (expected header: reference,municipality,sent_on,kind,trede,deadline,to_address)"
    ))])


def test_duplicate_identical_kept_once(registry: Registry, cal: AtwCalendar) -> None:
    text = HEADER + (
        "7468089,Hilversum,2026-04-09,informatieverzoek,2,2026-04-30,info@hilversum.nl\n"
        "7468089,GM0402,9-4-2026,informatieverzoek,2,,info@hilversum.nl\n"  # same letter, written differently
    )
    rows, errors = parse(text, registry, cal)
    assert errors == []
    assert [(r.line, r.reference) for r in rows] == [(2, "7468089")]


def test_duplicate_conflicting_names_both_lines(registry: Registry, cal: AtwCalendar) -> None:
    text = HEADER + (
        "7468089,Hilversum,2026-04-09,informatieverzoek,2,,\n"
        "7468100,Utrecht,2026-04-09,informatieverzoek,2,,\n"
        "7468089,Amersfoort,2026-04-10,informatieverzoek,2,,\n"
    )
    rows, errors = parse(text, registry, cal)
    assert [r.reference for r in rows] == ["7468100"]  # neither conflicting row is imported
    assert [str(e) for e in errors] == [
        "line 4: reference 7468089 is on line 2 and line 4 with different municipality, sent_on, deadline; "
        "neither line is imported"
    ]


def test_row_error_str() -> None:
    assert str(RowError(7, "unknown municipality 'X'")) == "line 7: unknown municipality 'X'"

"""Parse and validate the ministry's register of sent letters (the CSV behind `ibt letters import`).

Header: `reference,municipality,sent_on,kind,trede,deadline,to_address` (any order). Each valid row becomes
a `LetterRow`; each problem a `RowError` with the physical CSV line, so an operator can fix the file in a
spreadsheet and import again. All problems are collected in one pass: a register of 300 letters must not
take 30 rounds of "fix one error, run again".

Pure: text, a `Registry` and an `AtwCalendar` in; values out. Whether to import the valid rows when there
are errors is the shell's decision.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, fields
from datetime import date

from bot.core.calendar import AtwCalendar
from parsers.registry import Registry, fold_name

COLUMNS = ("reference", "municipality", "sent_on", "kind", "trede", "deadline", "to_address")
OPTIONAL_COLUMNS = ("deadline", "to_address")  # the column must be there; its cells may be empty

LETTER_KINDS = (
    "informatieverzoek",  # request for information on the realisation of the task (trede 2)
    "rappel",  # reminder of an earlier letter that went unanswered
    "actief_toezicht",  # notice that the municipality is now under active supervision (trede 3)
    "vooraankondiging",  # advance notice of a legal intervention (trede 4)
    "besluit_indeplaatsstelling",  # decision that the minister will act in the municipality's place (trede 5)
    "sanctie",  # the indeplaatsstelling is carried out (trede 6)
    "overig",  # any other letter in the register, e.g. an answer to a question
)
STEPS = range(1, 7)  # the six treden of the interventieladder

_REFERENCE = re.compile(r"\d{7}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
# Deliberately loose (one local part, one dotted domain): it catches a name, a postal address or a
# pasted list in the wrong column; the mail server is the judge of deliverability.
_MAIL_ADDRESS = re.compile(r"[^@\s<>,;\"()]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")


@dataclass(frozen=True)
class LetterRow:
    line: int  # physical CSV line where the record starts (header = line 1)
    reference: str  # 7 digits, "Onze referentie"
    municipality_code: str  # CBS code, "GM0402"
    sent_on: date
    kind: str  # one of LETTER_KINDS
    step: int  # trede 1..6
    deadline: date
    deadline_computed: bool  # True when the register left it empty and the Atw calendar filled it in
    to_address: str  # "" when not given


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _parse_date(text: str) -> date | None:
    """An ISO date, or d-m-yyyy as Dutch spreadsheets export it; None when neither (or not a real date)."""
    if m := _ISO_DATE.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY_DATE.fullmatch(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _municipality(text: str, registry: Registry) -> tuple[str, str | None]:
    """(CBS code, None) or ("", the error). Names the candidates when the text is ambiguous."""
    if not text:
        return "", "missing municipality"
    m = registry.resolve(text)
    if m is not None:
        return m.code, None
    # "Bergen" is no exact name: the registry only knows "Bergen (NH.)" and "Bergen (L.)". List both so
    # the operator can pick, rather than a bare "unknown".
    wanted = fold_name(text)
    candidates = registry.candidates(text) + [
        c for c in registry.municipalities if fold_name(_PARENTHESIS.sub("", c.name)) == wanted
    ]
    names = list(dict.fromkeys(c.name for c in candidates))
    if len(names) > 1:
        return "", f"unknown municipality {text!r} (ambiguous: {', '.join(names)})"
    former = registry.former_of(text)
    if former is not None:
        return "", (
            f"unknown municipality {text!r}: a former municipality, now part of "
            f"{former.name} ({former.code}); use that name"
        )
    return "", f"unknown municipality {text!r} (use the official name, an alias or the CBS code GMnnnn)"


def _parse_row(
    line: int, cell: dict[str, str], registry: Registry, calendar: AtwCalendar
) -> LetterRow | list[RowError]:
    """One record to a `LetterRow`, or every problem in it (not just the first)."""
    problems: list[str] = []

    reference = cell["reference"]
    if not _REFERENCE.fullmatch(reference):
        problems.append(f"reference {reference!r} is not 7 digits" if reference else "missing reference")

    code, problem = _municipality(cell["municipality"], registry)
    if problem:
        problems.append(problem)

    sent_on = _parse_date(cell["sent_on"])
    if sent_on is None:
        problems.append(
            f"sent_on {cell['sent_on']!r} is not a date (use YYYY-MM-DD or d-m-yyyy)"
            if cell["sent_on"] else "missing sent_on"
        )

    kind = cell["kind"]
    if kind not in LETTER_KINDS:
        problems.append(f"unknown kind {kind!r} (allowed: {', '.join(LETTER_KINDS)})")

    step = int(cell["trede"]) if re.fullmatch(r"\d{1,2}", cell["trede"]) else 0
    if step not in STEPS:
        problems.append(f"trede {cell['trede']!r} is not a step of the interventieladder (1 to 6)")

    deadline: date | None = None
    if cell["deadline"]:
        deadline = _parse_date(cell["deadline"])
        if deadline is None:
            problems.append(f"deadline {cell['deadline']!r} is not a date (use YYYY-MM-DD or leave it empty)")
        elif sent_on is not None and deadline <= sent_on:
            problems.append(f"deadline {deadline.isoformat()} is not after sent_on {sent_on.isoformat()}")

    to_address = cell["to_address"]
    if to_address and not _MAIL_ADDRESS.fullmatch(to_address):
        problems.append(f"to_address {to_address!r} is not an e-mail address")

    if problems or sent_on is None:
        return [RowError(line, p) for p in problems]
    return LetterRow(
        line=line, reference=reference, municipality_code=code, sent_on=sent_on, kind=kind, step=step,
        deadline=deadline or calendar.deadline(sent_on), deadline_computed=deadline is None,
        to_address=to_address,
    )


def _header_problem(header: list[str]) -> str | None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h or "(empty)" for h in header if h not in COLUMNS]
    doubled = sorted({h for h in header if h in COLUMNS and header.count(h) > 1})
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s) {', '.join(unknown)}")
    if doubled:
        parts.append(f"column(s) given twice: {', '.join(doubled)}")
    if not parts:
        return None
    return "; ".join(parts) + f" (expected header: {','.join(COLUMNS)})"


# What the register means by "the same letter": everything but the line and whether we computed the
# deadline (an empty deadline and the same date written out are the same letter).
_COMPARED = tuple(f.name for f in fields(LetterRow) if f.name not in ("line", "deadline_computed"))
_COLUMN_OF = {"municipality_code": "municipality", "step": "trede"}


def _conflict(first: LetterRow, later: LetterRow) -> RowError | None:
    differ = [_COLUMN_OF.get(n, n) for n in _COMPARED if getattr(first, n) != getattr(later, n)]
    if not differ:
        return None
    return RowError(later.line, (
        f"reference {later.reference} is on line {first.line} and line {later.line} with different "
        f"{', '.join(differ)}; neither line is imported"
    ))


def _dedupe(rows: list[LetterRow]) -> tuple[list[LetterRow], list[RowError]]:
    """Keep one of identical repeats; drop every row of a reference given with conflicting data.

    Both conflicting rows are dropped: the file does not say which is right, and importing either would
    start a deadline clock the officer may not want.
    """
    first: dict[str, LetterRow] = {}
    conflicted: set[str] = set()
    errors: list[RowError] = []
    for row in rows:
        seen = first.setdefault(row.reference, row)
        if seen is row:
            continue
        error = _conflict(seen, row)
        if error is not None:
            errors.append(error)
            conflicted.add(row.reference)
    kept = [r for r in first.values() if r.reference not in conflicted]
    return kept, errors


def parse_letters_csv(
    text: str, registry: Registry, calendar: AtwCalendar
) -> tuple[list[LetterRow], list[RowError]]:
    """The valid letters of a register CSV, and every error found, each with its physical line number.

    A BOM (Excel's "CSV UTF-8") and blank lines are tolerated. A header problem is reported alone: without
    a trustworthy header no cell can be read.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    errors: list[RowError] = []
    parsed: list[LetterRow] = []
    header: list[str] | None = None
    start = 1
    for cells in reader:
        # line_num is the record's last physical line; a quoted newline makes it span several.
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            problem = _header_problem(header)
            if problem:
                return [], [RowError(line, problem)]
            continue
        if len(cells) != len(header):
            errors.append(RowError(line, (
                f"expected {len(header)} fields, got {len(cells)} (a comma inside a value needs quotes)"
            )))
            continue
        cell = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        result = _parse_row(line, cell, registry, calendar)
        if isinstance(result, LetterRow):
            parsed.append(result)
        else:
            errors.extend(result)
    if header is None:
        return [], [RowError(1, f"empty file (expected header: {','.join(COLUMNS)})")]
    rows, duplicates = _dedupe(parsed)
    errors = sorted(errors + duplicates, key=lambda e: e.line)
    return rows, errors

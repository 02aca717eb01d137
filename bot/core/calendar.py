"""The working-day calendar of the Algemene termijnenwet (Atw), and the reply deadline of a letter.

A letter's reply term is 21 calendar days; when it ends on a Saturday, Sunday or an Atw day it moves to
the next working day (Atw art. 1). Strictly the Atw covers statutory terms only; applying it to the
ministry's letters is the project's policy choice (see shared/notes/domain-facts.md §4).

Two sources of Atw days, merged:

- `atw_days(year)`: the days of art. 3 lid 1 and 2, computed for any year (Easter-based days included),
  so a deadline in a year nobody has written a CSV for is still right for those days.
- `extra`: days known only from data, above all the gelijkgestelde dagen of art. 3 lid 3 (a besluit per
  three years, e.g. the Friday after Hemelvaartsdag), read by the shell from `config/feestdagen-atw.csv`
  with `parse_atw_csv` / `calendar_from_csv`. They cannot be computed: a missing besluit means a Friday
  counts as a working day, so the CSV must be extended before its last year runs out.

Pure: no file access, no clock.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

# Statuses in the CSV (see shared/data/README.md). `zondag` rows (Eerste Paas-/Pinksterdag) are listed for
# completeness only: Sundays never count as working days anyway, and the Atw does not name them.
ATW_STATUSES = ("algemeen_erkende_feestdag", "gelijkgesteld_wet", "gelijkgesteld_kb", "zondag")

# A reply term of three weeks, as in every IBT letter.
REPLY_DAYS = 21


def easter(year: int) -> date:
    """Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian / Meeus-Jones-Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _kings_day(year: int) -> tuple[date, str]:
    """The day "waarop de verjaardag van de Koning wordt gevierd" (art. 3 lid 1)."""
    if year >= 2014:
        # Willem-Alexander, 27 April; on a Sunday it is celebrated the day before.
        d = date(year, 4, 27)
        return (d - timedelta(days=1) if d.weekday() == 6 else d), "Koningsdag"
    # Koninginnedag, 30 April (Juliana, kept by Beatrix). On a Sunday: 1 May until 1979, 29 April from
    # 1980. Only for completeness: the bot never computes deadlines this old.
    d = date(year, 4, 30)
    if d.weekday() == 6:
        d = d + timedelta(days=1) if year < 1980 else d - timedelta(days=1)
    return d, "Koninginnedag"


def atw_days(year: int) -> dict[date, str]:
    """The days of Atw art. 3 lid 1 and 2 in `year`, with their Dutch names.

    Weekend days are included as they fall (Koningsdag 2025 is a Saturday): the caller asks
    `is_working_day`, which treats weekends apart. Eerste Paas- and Pinksterdag are not listed: they are
    Sundays and the Atw does not name them.
    """
    e = easter(year)
    kings, kings_name = _kings_day(year)
    days = {
        date(year, 1, 1): "Nieuwjaarsdag",
        e - timedelta(days=2): "Goede Vrijdag",  # gelijkgesteld by art. 3 lid 2
        e + timedelta(days=1): "Tweede Paasdag",
        kings: kings_name,
        # "de vijfde mei" counts every year for the Atw, not only in lustrum years as for many cao's.
        date(year, 5, 5): "Bevrijdingsdag",
        e + timedelta(days=39): "Hemelvaartsdag",
        e + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    return days


@lru_cache(maxsize=64)
def _computed(year: int) -> Mapping[date, str]:
    # Read-only view so the cached value cannot be changed by a caller.
    return MappingProxyType(atw_days(year))


def _parse_csv_row(line: int, row: dict[str, str]) -> tuple[date, str, str]:
    raw_date = (row.get("date") or "").strip()
    try:
        d = date.fromisoformat(raw_date)
    except ValueError:
        raise ValueError(f"feestdagen csv line {line}: bad date {raw_date!r} (expected YYYY-MM-DD)") from None
    status = (row.get("atw_status") or "").strip()
    if status not in ATW_STATUSES:
        raise ValueError(
            f"feestdagen csv line {line}: unknown atw_status {status!r} (allowed: {', '.join(ATW_STATUSES)})"
        )
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError(f"feestdagen csv line {line}: missing name for {d.isoformat()}")
    return d, status, name


def parse_atw_csv(text: str) -> dict[date, str]:
    """Rows of `config/feestdagen-atw.csv` (except `zondag` rows) as date → Dutch name.

    Raises ValueError naming the physical line (header = line 1) of the first bad row: this file is
    reference data maintained by hand, so a mistake must stop startup rather than shift a deadline.
    """
    # A plain reader, not DictReader: DictReader skips blank lines silently, which would shift line_num.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in ("date", "name", "atw_status") if c not in header]
    if missing:
        raise ValueError(f"feestdagen csv line 1: missing column(s) {', '.join(missing)}")
    out: dict[date, str] = {}
    start = reader.line_num + 1
    for cells in reader:
        # line_num is the last physical line of the record; a quoted newline makes a record span lines.
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        d, status, name = _parse_csv_row(line, dict(zip(header, cells, strict=False)))
        if status == "zondag":
            continue
        if d in out and out[d] != name:
            raise ValueError(
                f"feestdagen csv line {line}: {d.isoformat()} listed twice ({out[d]!r}, {name!r})"
            )
        out[d] = name
    return out


@dataclass(frozen=True)
class AtwCalendar:
    """Working days under the Atw: computed art. 3 days plus `extra` days from data.

    `extra` may repeat computed days (the CSV lists them all); the computed name wins in `day_name`.
    """

    extra: Mapping[date, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # Copy into a read-only mapping: a frozen value must not change when the caller's dict does.
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def day_name(self, d: date) -> str | None:
        """The Atw name of `d` (computed or extra), or None for an ordinary day (weekends included)."""
        return _computed(d.year).get(d) or self.extra.get(d)

    def is_working_day(self, d: date) -> bool:
        """Not a Saturday, Sunday, computed Atw day or extra day."""
        return d.weekday() < 5 and self.day_name(d) is None

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: the start day not counted, as in Atw art. 2. Negative when b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=n)) for n in range(1, (b - a).days + 1))

    def deadline(self, start: date, days: int = REPLY_DAYS) -> date:
        """The last day of a term of `days` calendar days starting on `start` (the letter's date).

        Art. 1: a term ending on a Saturday, Sunday or Atw day runs on to the next working day.
        Art. 2: a term of three days or more must contain at least two working days (start not counted);
        it never bites for 21 days, but keeps short terms (e.g. over Christmas) lawful.
        """
        if days < 0:
            raise ValueError(f"a term cannot be negative: {days} days")
        end = self.next_working_day(start + timedelta(days=days))
        if days >= 3:
            while self.working_days_between(start, end) < 2:
                end = self.next_working_day(end + timedelta(days=1))
        return end


def calendar_from_csv(text: str) -> AtwCalendar:
    """An `AtwCalendar` whose extra days are the rows of `config/feestdagen-atw.csv` (see `parse_atw_csv`)."""
    return AtwCalendar(extra=parse_atw_csv(text))

"""Load the reference data in `config/` (municipalities, Atw calendar) into pure values. Done once, at startup."""

from __future__ import annotations

from pathlib import Path

from bot.core.calendar import AtwCalendar, calendar_from_csv
from parsers.registry import Registry, parse_municipalities_csv


def load_registry(config_dir: Path) -> Registry:
    return Registry(parse_municipalities_csv((config_dir / "gemeenten.csv").read_text(encoding="utf-8")))


def load_calendar(config_dir: Path) -> AtwCalendar:
    return calendar_from_csv((config_dir / "feestdagen-atw.csv").read_text(encoding="utf-8"))

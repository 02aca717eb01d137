"""What the reader's tests share: the municipality registry from config/, loaded once per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from parsers.registry import Registry, parse_municipalities_csv

ROOT = Path(__file__).resolve().parents[2]


@cache
def shared_registry() -> Registry:
    return Registry(parse_municipalities_csv((ROOT / "config" / "gemeenten.csv").read_text(encoding="utf-8")))

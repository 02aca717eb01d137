"""Load the reference data in `config/` (municipalities, Atw calendar) into pure values. Done once, at startup."""

from __future__ import annotations

from pathlib import Path

from bot.core.calendar import AtwCalendar, calendar_from_csv
from parsers.registry import Registry, parse_municipalities_csv


def load_registry(config_dir: Path) -> Registry:
    return Registry(parse_municipalities_csv((config_dir / "gemeenten.csv").read_text(encoding="utf-8")))


def load_calendar(config_dir: Path) -> AtwCalendar:
    return calendar_from_csv((config_dir / "feestdagen-atw.csv").read_text(encoding="utf-8"))


def load_regions(config_dir: Path, registry: Registry) -> dict[str, tuple[str, ...]]:
    """`config/regions.toml` → {folded name or domain: member codes}. Raises ValueError naming every unknown
    member, so a wrong entry stops the service at start-up."""
    import tomllib

    from parsers.registry import fold_name

    path = config_dir / "regions.toml"
    if not path.exists():
        return {}
    out: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    for i, region in enumerate(tomllib.loads(path.read_text(encoding="utf-8")).get("region", []), start=1):
        codes = []
        for member in region.get("members", []):
            m = registry.resolve(member)
            if m is None:
                problems.append(f"regions.toml region {i}: unknown municipality {member!r}")
            else:
                codes.append(m.code)
        for key in [fold_name(n) for n in region.get("names", [])] + [d.lower() for d in region.get("domains", [])]:
            out[key] = tuple(codes)
    if problems:
        raise ValueError("; ".join(problems))
    return out

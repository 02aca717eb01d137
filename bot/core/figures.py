"""Parse the public task figures (`config/verdeelbesluit-2024.csv` format): legal task and realisation per
municipality. Pure; every bad row is reported with its line number and nothing is applied then."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from parsers.registry import Registry

# figure_type values this importer uses; other rows (national, provincial, indicative) are skipped.
LEGAL_TASK_PREFIX = "verdeelbesluit"
REALISED = "realisatie"


@dataclass(frozen=True)
class TaskFigures:
    line: int
    municipality_code: str
    legal_task_regular: int | None = None
    legal_task_amv: int | None = None
    realised: int | None = None


def _int(value: str | None) -> int | None:
    v = (value or "").strip().replace(".", "")
    return int(v) if v else None


def parse_figures_csv(text: str, registry: Registry) -> tuple[list[TaskFigures], list[str]]:
    rows: list[TaskFigures] = []
    errors: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"level", "code", "figure_type", "totaal", "regulier", "amv"} - set(reader.fieldnames or [])
    if missing:
        return [], [f"line 1: missing columns: {', '.join(sorted(missing))}"]
    for rec in reader:
        line = reader.line_num
        if (rec.get("level") or "").strip() != "gemeente":
            continue
        kind = (rec.get("figure_type") or "").strip()
        if not (kind.startswith(LEGAL_TASK_PREFIX) or kind == REALISED):
            continue
        m = registry.by_code(rec.get("code") or "")
        if m is None:
            errors.append(f"line {line}: unknown municipality code {rec.get('code')!r}")
            continue
        try:
            total, regular, amv = _int(rec.get("totaal")), _int(rec.get("regulier")), _int(rec.get("amv"))
        except ValueError:
            errors.append(f"line {line}: totaal, regulier and amv must be whole numbers")
            continue
        if kind == REALISED:
            rows.append(TaskFigures(line, m.code, realised=total if total is not None else regular))
        else:
            rows.append(TaskFigures(line, m.code, legal_task_regular=regular if regular is not None else total,
                                    legal_task_amv=amv))
    return rows, errors

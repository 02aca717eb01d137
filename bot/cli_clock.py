"""The clock's commands of `ibt`: chase, digest, task figures and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import app_or_exit


def chase(
    now: Annotated[str | None, typer.Option("--now", help="ISO 8601 moment to chase as (time travel)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be done; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The daily chase: slipped terms, reminders (rappels) and escalations due — each done once."""
    from datetime import datetime

    from bot.chase import run_chase
    from bot.core.chase import ChasePolicy

    a = app_or_exit(json_out=as_json)
    at = datetime.fromisoformat(now) if now else a.clock.now()
    if at.tzinfo is None:
        typer.echo("--now needs a time zone, e.g. 2026-05-01T09:00:00+02:00", err=True)
        raise typer.Exit(2)
    cfg = a.settings.chase
    report = run_chase(a, at, ChasePolicy(cfg.reminder_days, cfg.send_reminders), dry_run=dry_run)
    if not dry_run:
        a.deliverer.deliver_pending()
    out = report.as_dict()
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    for name, rows in out.items():
        for r in rows:
            typer.echo(f"{name:<18} {r['reference']}  {r['municipality']['name']:<24} termijn {r['deadline']}"
                       + (f"  nieuwe termijn {r['new_deadline']}" if r.get("new_deadline") else ""))


def digest(now: Annotated[str | None, typer.Option("--now", help="ISO 8601 moment (time travel)")] = None) -> None:
    """The weekly digest: counts per trede, overdue letters, artikel 8, triage backlog, and a chart (PNG)."""
    from datetime import datetime

    from bot.digest import run_digest

    a = app_or_exit()
    at = datetime.fromisoformat(now) if now else a.clock.now()
    result, png, new = run_digest(a, at)
    a.deliverer.deliver_pending()
    typer.echo(f"digest {result.week}: chart {png}" + ("" if new else " (already sent this week)"), err=True)


def figures_import(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Import legal task and realisation figures (format of config/verdeelbesluit-2024.csv)."""
    from bot.digest import import_figures

    count, errors = import_figures(app_or_exit(), file.read_text(encoding="utf-8"))
    if errors:
        typer.echo(f"{file}: nothing imported:\n  " + "\n  ".join(errors), err=True)
        raise typer.Exit(1)
    typer.echo(f"{count} figure(s) applied")


def bench(mails: Annotated[int, typer.Option("--mails", help="how many mails in the workload")] = 3000,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Measure ingestion against the bare stdlib parse of the same bytes, in one run (ratios, not seconds)."""
    from bot.bench import run_bench
    from bot.settings import CONFIG_DIR

    root = CONFIG_DIR.parent / "tests" / "fixtures"
    fixtures = sorted((root / "dev").glob("*.eml")) + sorted((root / "holdout").glob("*.eml"))
    if not fixtures:
        fixtures = sorted((CONFIG_DIR / "sample" / "maildir" / "new").glob("*.eml"))
    result = run_bench(mails, fixtures)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for k, v in result.items():
            typer.echo(f"{k:<24} {v}")

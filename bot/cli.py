"""The `ibt` command line: thin wrappers over the composition root and the application services."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.adapters.sources import FileSource
from bot.cli_case import case_app, export, history, triage_app
from bot.cli_clock import bench, chase, digest, figures_import
from bot.cli_common import app_or_exit, settings_or_exit
from bot.cli_mail import replay, source_lines
from bot.cli_model import model_app
from bot.core.explain import reading_as_dict, understand
from bot.settings import database_exists, kind_model

app = typer.Typer(help="ibt-bot: the IBT Spreidingswet mailbox assistant.", no_args_is_help=True,
                  add_completion=False)
letters_app = typer.Typer(help="The register of letters the ministry sent.", no_args_is_help=True)
app.add_typer(letters_app, name="letters")
app.add_typer(case_app, name="case")
app.add_typer(triage_app, name="triage")
app.add_typer(model_app, name="model")
app.command()(history)
app.command()(export)
app.command()(replay)
app.command()(chase)
app.command()(digest)
app.command("figures")(figures_import)
app.command()(bench)


_settings = settings_or_exit
_app = app_or_exit


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False) -> None:
    import os

    from bot.logsafe import install

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    secret_vars = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "IBT_IMAP_PASSWORD",
                   "IBT_EWS_PASSWORD", "IBT_EWS_CLIENT_SECRET", "IBT_SMTP_PASSWORD")
    install(tuple(os.environ[v] for v in secret_vars if os.environ.get(v)))  # ids in logs, never secrets


@app.command()
def run(once: Annotated[bool, typer.Option("--once", help="Process what is there now, then stop.")] = False) -> None:
    """The service: watch the mailbox, keep the cases, alert officers (the terminal without Slack)."""
    from bot.services import prepare_sample

    a = _app()
    imported = prepare_sample(a)
    if imported and imported.errors:
        typer.echo("sample letters could not be imported:\n" + "\n".join(imported.errors), err=True)
        raise typer.Exit(1)
    from bot.bootstrap import build_source
    from bot.watch import poll, wait

    source = build_source(a)
    typer.echo(f"ibt-bot: watching {source.name} (database {a.engine.url.render_as_string()})", err=True)
    stop_slack = None
    if a.settings.slack_bot_token is not None and not once:  # officers' buttons, /ibt and the App Home
        from bot.slack.runner import start_slack

        stop_slack = start_slack(a)
    scheduler = None
    if not once:  # the clock: outbox, daily chase, weekly digest, health; catching up after a restart
        from bot.scheduler import build_scheduler, catch_up
        from bot.store.leader import Leadership

        leader = Leadership(a.engine)
        catch_up(a, leader)
        scheduler = build_scheduler(a, leader)
        scheduler.start()
    try:
        while True:
            counts = poll(a, source)  # a failing source is recorded and alerted, never a crash loop
            a.deliverer.deliver_pending()
            if sum(counts.values()):
                typer.echo(f"processed: {counts['new']} new, {counts['duplicate']} duplicate, "
                           f"{counts['quarantined']} quarantined", err=True)
            if once:
                return
            wait(source, a.settings.mailbox.poll_seconds)  # IMAP IDLE wakes up early on new mail
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if stop_slack is not None:
            stop_slack()


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(exists=True, help=".eml files or maildirs")],
           as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False) -> None:
    """Process mail files as if they had just arrived (same pipeline as the watcher)."""
    a = _app(json_out=as_json)
    counts = a.intake.run(FileSource(paths, a.settings.limits.max_mail_bytes))
    a.deliverer.deliver_pending()
    result = {k: counts[k] for k in ("new", "duplicate", "quarantined")}
    typer.echo(json.dumps(result) if as_json else
               f"{result['new']} new, {result['duplicate']} duplicate, {result['quarantined']} quarantined")


@app.command()
def explain(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
            as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False) -> None:
    """Show how the bot reads each mail, without changing anything."""
    from bot.reference_data import load_registry
    from bot.settings import CONFIG_DIR
    from parsers.understand import ReadingContext

    settings = _settings()
    # no register yet: read against an empty one rather than create a database or a schema
    ctx = ReadingContext(registry=load_registry(CONFIG_DIR), own_domains=frozenset(settings.mailbox.own_domains),
                         kind_model=kind_model(settings))
    if database_exists(settings.database_url):
        from sqlalchemy.exc import DBAPIError  # the store loads only when there is a database to read

        try:
            from bot.bootstrap import build

            ctx = build(settings, read_only=True).intake.reading_context()
        except DBAPIError as exc:
            typer.echo(f"no letters register in the database ({type(exc.orig).__name__}); reading without it",
                       err=True)
    for f in files:
        obj = {"file": str(f), **reading_as_dict(understand(f.read_bytes(), ctx))}
        if as_json:
            typer.echo(json.dumps(obj, ensure_ascii=False))
        else:
            muni = ", ".join(f"{m['name']} ({m['score']})" for m in obj["municipalities"]) or "-"
            ref = obj["reference"]["value"] if obj["reference"] else "-"
            typer.echo(f"{f.name}: {obj['kind']} | {muni} | ref {ref} | triage {obj['needs_triage']}")
            for ev in obj["evidence"]:
                typer.echo(f"    {ev}")


@letters_app.command("import")
def letters_import(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Import the letters register CSV; a bad row refuses the whole file."""
    from bot.services import import_letters

    result = import_letters(_app(), file.read_text(encoding="utf-8-sig"))
    if result.errors:
        typer.echo(f"{file}: nothing imported, {len(result.errors)} problem(s):", err=True)
        for e in result.errors:
            typer.echo(f"  {e}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{result.added} letter(s) added, {result.unchanged} already registered")


@letters_app.command("list")
def letters_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The registered letters with deadline and state."""
    from bot.services import list_letters

    rows = list_letters(_app())
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['reference']}  {r['municipality']['name']:<28} {r['sent_on']}  {r['kind']:<18} "
                   f"trede {r['trede']}  termijn {r['deadline']}  {r['state']}")


@app.command()
def status() -> None:
    """Every case: trede, open letter, deadline, days left or overdue, last mail."""
    from rich.console import Console
    from rich.table import Table

    from bot.services import status_rows, triage_count

    a = _app()
    table = Table(title="ibt-bot: cases")
    for col in ("Gemeente", "Trede", "Brief", "Termijn", "Dagen", "Status", "Laatste mail"):
        table.add_column(col)
    for r in status_rows(a):
        days = "" if r.days_left is None else (f"{-r.days_left} te laat" if r.days_left < 0 else str(r.days_left))
        table.add_row(r.municipality, str(r.step), r.open_letter or "-",
                      r.deadline.isoformat() if r.deadline else "-", days, r.letter_state or "-",
                      r.last_mail.astimezone().strftime("%Y-%m-%d %H:%M") if r.last_mail else "-")
    console = Console()
    console.print(table)
    console.print(f"Wachten op beoordeling (triage): {triage_count(a)}")
    for line in source_lines(a):
        console.print(line)


def main() -> None:
    app()

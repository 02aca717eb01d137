"""`ibt case`, `ibt history`, `ibt export`, `ibt triage`: officers' work from the command line (same code as Slack)."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_common import app_or_exit

if TYPE_CHECKING:
    from bot.officer import ActionResult

case_app = typer.Typer(help="Show a case or act on it: ibt case <gemeente|kenmerk> <action> ...", no_args_is_help=True)
triage_app = typer.Typer(help="Mails waiting for an officer's judgement.", no_args_is_help=True)

ACTIONS = ("show", "grant_extension", "refuse_extension", "mark_sufficient", "mark_insufficient", "resume", "close",
           "snooze", "escalate", "assign")
By = Annotated[str, typer.Option("--by", help="Who acts (recorded in the history).")]


_app = app_or_exit


def _report(result: ActionResult) -> None:
    typer.echo(result.message, err=not result.ok)
    if not result.ok:
        raise typer.Exit(1)


@case_app.command("do")
def case_do(
    target: Annotated[str, typer.Argument(help="municipality (name, alias, CBS code) or letter reference")],
    action: Annotated[str, typer.Argument(help=" | ".join(ACTIONS))] = "show",
    by: By = "",
    reference: Annotated[str | None, typer.Option(help="the letter, when the case has several open")] = None,
    deadline: Annotated[str | None, typer.Option(help="new deadline (grant_extension, resume), YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="snooze until, YYYY-MM-DD")] = None,
    to: Annotated[int | None, typer.Option("--to", help="escalate: the new trede (1-6)")] = None,
    officer: Annotated[str | None, typer.Option(help="assign: the officer")] = None,
    reason: Annotated[str, typer.Option(help="why (required to escalate)")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a case, or record an officer's action on it."""
    from bot.dossier import case_view
    from bot.officer import assign, escalate, letter_action

    a = _app()
    actor = by or getpass.getuser()
    if action == "show":
        view = case_view(a, target)
        if view is None:
            typer.echo(f"no case for {target!r}", err=True)
            raise typer.Exit(1)
        typer.echo(json.dumps(view, ensure_ascii=False, indent=None if as_json else 2))
    elif action == "escalate":
        if to is None:
            typer.echo("escalate needs --to N and --reason", err=True)
            raise typer.Exit(2)
        _report(escalate(a, target, to, actor, reason, reference))
    elif action == "assign":
        _report(assign(a, target, officer or actor, actor))
    elif action in ACTIONS:
        _report(letter_action(a, target, action, actor, reference=reference, reason=reason,
                              new_deadline=date.fromisoformat(deadline) if deadline else None,
                              until=date.fromisoformat(until) if until else None))
    else:
        typer.echo(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}", err=True)
        raise typer.Exit(2)


def history(target: Annotated[str, typer.Argument(help="municipality or letter reference")],
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The case's timeline: every event, who, what changed, and why."""
    from bot.dossier import timeline

    entries = timeline(_app(), target)
    if entries is None:
        typer.echo(f"no case for {target!r}", err=True)
        raise typer.Exit(1)
    for e in entries:
        if as_json:
            typer.echo(json.dumps({**e.__dict__, "at": e.at.isoformat()}, ensure_ascii=False))
        else:
            typer.echo(f"{e.at:%Y-%m-%d %H:%M}  {e.actor:<10} {e.event:<28} {e.letter or '':<8} {e.change:<40} "
                       f"{e.detail[:60]}")


def export(target: Annotated[str, typer.Argument(help="municipality")],
           out: Annotated[Path, typer.Option("--out", help="folder for the dossier")] = Path("dossiers")) -> None:
    """Write the dossier folder: timeline (Markdown, JSON), every mail as .eml, the letters."""
    from bot.dossier import export_dossier

    folder = export_dossier(_app(), target, out)
    if folder is None:
        typer.echo(f"no case for {target!r}", err=True)
        raise typer.Exit(1)
    typer.echo(str(folder))


@triage_app.command("list")
def triage_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Mails the bot was not sure about."""
    from sqlmodel import Session, col, select

    from bot.store.models import InboundMailRow

    a = _app()
    with Session(a.engine) as s:
        rows = s.exec(select(InboundMailRow).where(InboundMailRow.triage_state == "open")
                      .order_by(col(InboundMailRow.id))).all()
        for r in rows:
            reading = r.reading or {}
            found = reading.get("municipalities")
            names = [m.get("name") for m in found if isinstance(m, dict)] if isinstance(found, list) else []
            item = {"id": r.id, "kind": r.kind, "subject": reading.get("subject"), "sender": reading.get("sender"),
                    "candidates": names}
            typer.echo(json.dumps(item, ensure_ascii=False) if as_json else
                       f"{r.id:>5}  {r.kind:<18} {item['sender']!s:<36} {item['subject']!s:.60}  {item['candidates']}")


@triage_app.command("confirm")
def triage_confirm(mail_id: int, municipality: Annotated[str, typer.Option(help="the municipality it concerns")],
                   reference: Annotated[str | None, typer.Option(help="the letter it answers")] = None,
                   by: By = "") -> None:
    """Link a triaged mail to a municipality (and letter); it is then handled as if read that way."""
    from bot.officer import resolve_triage

    _report(resolve_triage(_app(), mail_id, by or getpass.getuser(), municipality=municipality, reference=reference))


@triage_app.command("dismiss")
def triage_dismiss(mail_id: int, by: By = "") -> None:
    """Put a triaged mail aside (no case, no effect); it stays in the archive."""
    from bot.officer import resolve_triage

    _report(resolve_triage(_app(), mail_id, by or getpass.getuser(), dismiss=True))

"""Mail commands of `ibt`: replay archived mails; the status lines of the mail sources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.bootstrap import App


def replay(mail: Annotated[str | None, typer.Argument(help="inbound mail id or content-hash prefix")] = None,
           all_quarantined: Annotated[bool, typer.Option("--all-quarantined", help="every quarantined mail")] = False,
           ) -> None:
    """Re-read archived mail with the current reader; what is readable now is processed like a new mail."""
    from bot.cli_common import app_or_exit as _app
    from bot.replay import find_rows
    from bot.replay import replay as run_replay

    if (mail is None) == (not all_quarantined):
        typer.echo("name one mail (id or hash prefix) or --all-quarantined", err=True)
        raise typer.Exit(2)
    a = _app()
    rows = find_rows(a, None if all_quarantined else mail)
    if not rows and mail is not None:
        typer.echo(f"no mail {mail!r}", err=True)
        raise typer.Exit(1)
    for r in run_replay(a, rows):
        typer.echo(f"{r.mail_id}: {r.outcome}" + (f" ({r.reason})" if r.reason else ""))


def source_lines(app: App) -> list[str]:
    """One line per mail source for `ibt status`: last successful sync and the current error."""
    from bot.store.source_state import SourceStateStore

    lines = []
    for h in SourceStateStore(app.engine).health():
        when = h.last_success_at.astimezone().strftime("%Y-%m-%d %H:%M") if h.last_success_at else "nooit"
        err = f" — fout sinds {h.failing_since.astimezone():%Y-%m-%d %H:%M}: {h.last_error}" if h.failing_since else ""
        lines.append(f"Bron {h.name}: laatste geslaagde synchronisatie {when}{err}")
    return lines

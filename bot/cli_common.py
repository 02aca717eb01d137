"""What every `ibt` command needs: settings or a wired app, with a wrong configuration reported, not raised."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.bootstrap import App


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def app_or_exit(read_only: bool = False, json_out: bool = False) -> App:
    """The wired application; with `json_out`, terminal alerts go to stderr so stdout stays JSON."""
    # the store, delivery and HTTP stack load here, for the commands that use them: `ibt explain` starts without
    from bot.bootstrap import build
    from bot.delivery import ConsoleSink

    try:
        return build(settings_or_exit(), read_only=read_only,
                     alerts=ConsoleSink(stderr=True) if json_out else None)
    except ConfigError as exc:  # raised while wiring (e.g. a wrong regions.toml or mail source)
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc

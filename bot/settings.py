"""Settings: `config/ibt.toml` (documented defaults) overlaid by an operator file and the environment.

Secrets come only from the environment. `load_settings` validates everything at once and raises
`ConfigError` naming every bad or unknown key, so a wrong config fails at startup, never later.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

CONFIG_DIR = Path(os.environ.get("IBT_CONFIG_DIR") or Path(__file__).resolve().parents[1] / "config")


class ConfigError(Exception):
    """The configuration is wrong; the message names every bad key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MailboxSettings(_Section):
    source: Literal["sample", "maildir", "imap", "ews"] = "sample"
    maildir: str = ""  # for source = "maildir"
    own_domains: tuple[str, ...] = ("minjenv.nl",)
    address: str = "ibtspreidingswet@minjenv.nl"
    poll_seconds: int = Field(default=60, ge=5, le=3600)


class LimitsSettings(_Section):
    max_mail_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)


class Settings(_Section):
    home: Path
    database_url: str
    timezone: str = "Europe/Amsterdam"
    mailbox: MailboxSettings = MailboxSettings()
    limits: LimitsSettings = LimitsSettings()
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None

    @property
    def var(self) -> Path:
        return self.home / "var"


def _flatten_errors(exc: ValidationError, origin: str) -> list[str]:
    out = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        out.append(f"{origin}: {key}: {err['msg']}")
    return out


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Defaults ← config/ibt.toml ← $IBT_CONFIG file ← IBT_HOME / IBT_DATABASE_URL / SLACK_* env."""
    env = dict(os.environ if environ is None else environ)
    data: dict[str, Any] = {}
    origins = [CONFIG_DIR / "ibt.toml"]
    if env.get("IBT_CONFIG"):
        origins.append(Path(env["IBT_CONFIG"]))
    problems: list[str] = []
    for path in origins:
        try:
            layer = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{path}: file not found")
            continue
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{path}: {exc}")
            continue
        for key in ("slack_bot_token", "slack_app_token", "database_password"):
            if key in layer:
                problems.append(f"{path}: {key}: secrets belong in the environment, not in a file")
                layer.pop(key)
        for k, v in layer.items():
            data[k] = {**data[k], **v} if isinstance(v, dict) and isinstance(data.get(k), dict) else v
    home = Path(env.get("IBT_HOME") or data.pop("home", None) or Path.cwd()).resolve()
    data["home"] = home
    data["database_url"] = env.get("IBT_DATABASE_URL") or data.get("database_url") or (
        f"sqlite:///{home / 'var' / 'ibt.db'}")
    for name in ("slack_bot_token", "slack_app_token"):
        if env.get(name.upper()):
            data[name] = env[name.upper()]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems.extend(_flatten_errors(exc, "config"))
        settings = None
    if problems or settings is None:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return settings

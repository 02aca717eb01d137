"""Settings: `config/ibt.toml` (documented defaults) overlaid by an operator file and the environment.

Secrets come only from the environment. `load_settings` validates everything at once and raises
`ConfigError` naming every bad or unknown key, so a wrong config fails at startup, never later.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

if TYPE_CHECKING:
    from parsers.kind_model import KindModel

CONFIG_DIR = Path(os.environ.get("IBT_CONFIG_DIR") or Path(__file__).resolve().parents[1] / "config")


class ConfigError(Exception):
    """The configuration is wrong; the message names every bad key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImapSettings(_Section):
    """`[mailbox.imap]`; the password comes from IBT_IMAP_PASSWORD."""

    host: str = ""
    port: int = Field(default=993, ge=1, le=65535)
    tls: Literal["ssl", "starttls", "none"] = "ssl"
    username: str = ""
    folder: str = "INBOX"
    processed_keyword: str = Field(default="$IbtProcessed", pattern=r"^[^\s()\\{%*\"\]]+$")
    manual_keyword: str = Field(default="$IbtManual", pattern=r"^[^\s()\\{%*\"\]]+$")
    move_to: str = ""  # optional folder for processed mail; empty: keep it in `folder`
    idle_seconds: int = Field(default=300, ge=10, le=1740)  # RFC 2177: re-issue IDLE within 29 minutes
    timeout_seconds: int = Field(default=60, ge=5, le=600)


class EwsSettings(_Section):
    """`[mailbox.ews]`; IBT_EWS_CLIENT_SECRET (oauth2) or IBT_EWS_PASSWORD (ntlm) from the environment."""

    service_url: str = ""  # https://mail.example/EWS/Exchange.asmx
    autodiscover: bool = False
    mailbox: str = ""  # the shared mailbox; empty: mailbox.address
    access: Literal["delegate", "impersonation"] = "delegate"
    auth: Literal["oauth2", "ntlm"] = "oauth2"
    username: str = ""  # ntlm: DOMAIN\\user
    client_id: str = ""  # oauth2 app registration
    tenant_id: str = ""
    token_url: str = ""  # oauth2 token endpoint override (national clouds); empty: login.microsoftonline.com
    folder: str = "inbox"
    processed_category: str = "ibt: verwerkt"
    manual_category: str = "ibt: handmatig"
    move_processed_to: str = ""  # optional folder under the mailbox root; empty: leave the mail in place
    move_manual_to: str = ""
    batch_size: int = Field(default=100, ge=1, le=512)
    max_wait_seconds: int = Field(default=300, ge=0, le=3600)  # ErrorServerBusy back-off budget per call


class OutboundMailSettings(_Section):
    """`[mail]`: how the bot sends its own mail; IBT_SMTP_PASSWORD from the environment."""

    transport: Literal["none", "file", "smtp", "ews"] = "file"
    from_address: str = "ibtspreidingswet@minjenv.nl"
    from_name: str = "IBT Spreidingswet"
    message_id_domain: str = "minjenv.nl"
    max_per_municipality_per_day: int = Field(default=3, ge=0, le=100)
    acknowledge_receipt: bool = False  # send a receipt to a person who wrote about their case
    blocked_local_parts: tuple[str, ...] = ("noreply", "no-reply", "donotreply", "do-not-reply", "postmaster",
                                            "mailer-daemon", "bounce", "bounces")
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["ssl", "starttls", "none"] = "starttls"
    smtp_username: str = ""
    timeout_seconds: int = Field(default=60, ge=5, le=600)


class MailboxSettings(_Section):
    source: Literal["sample", "maildir", "imap", "ews"] = "sample"
    maildir: str = ""  # for source = "maildir"
    own_domains: tuple[str, ...] = ("minjenv.nl",)
    address: str = "ibtspreidingswet@minjenv.nl"
    poll_seconds: int = Field(default=60, ge=5, le=3600)
    imap: ImapSettings = ImapSettings()
    ews: EwsSettings = EwsSettings()


class LimitsSettings(_Section):
    max_mail_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)


class ReadingSettings(_Section):
    workers: int = Field(default=0, ge=0, le=16)  # reader processes reading ahead; 0: read in the service's process
    timeout_seconds: int = Field(default=120, ge=5, le=3600)  # a worker still reading one mail after this gives up
    kind_model: str = ""  # a kind model file (`ibt model train --out`); empty: the one shipped with ibt-bot


class ChaseSettings(_Section):
    hour: int = Field(default=9, ge=6, le=18)  # the daily chase runs at this hour on Atw working days
    reminder_days: int = Field(default=7, ge=1, le=60)
    send_reminders: bool = True
    digest_weekday: int = Field(default=0, ge=0, le=4)  # 0 = Monday
    digest_hour: int = Field(default=9, ge=6, le=18)


class SlackSettings(_Section):
    """`[slack]`; SLACK_BOT_TOKEN, SLACK_APP_TOKEN (socket) and SLACK_SIGNING_SECRET (http) from the environment."""

    mode: Literal["socket", "http"] = "socket"  # socket: outbound WSS only (no public endpoint needed)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=3000, ge=1, le=65535)
    http_path: str = "/slack/events"
    team_channel: str = ""  # channel id (C...) of the case threads
    urgent_channel: str = ""  # channel id for urgent alerts (artikel 8, mailbox health); empty: team_channel
    allowed_users: tuple[str, ...] = ()  # Slack user ids (U...) that may act
    allowed_usergroup: str = ""  # a user group id (S...) whose members may act
    base_url: str = ""  # Web API base URL; empty: https://slack.com/api/ (tests point it at a local stand-in)


class Settings(_Section):
    home: Path
    database_url: str
    timezone: str = "Europe/Amsterdam"
    mailbox: MailboxSettings = MailboxSettings()
    limits: LimitsSettings = LimitsSettings()
    reading: ReadingSettings = ReadingSettings()
    mail: OutboundMailSettings = OutboundMailSettings()
    chase: ChaseSettings = ChaseSettings()
    slack: SlackSettings = SlackSettings()
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    imap_password: SecretStr | None = None
    ews_password: SecretStr | None = None
    ews_client_secret: SecretStr | None = None
    smtp_password: SecretStr | None = None

    @property
    def var(self) -> Path:
        return self.home / "var"


def _flatten_errors(exc: ValidationError, origin: str) -> list[str]:
    out = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        out.append(f"{origin}: {key}: {err['msg']}")
    return out


# Mail secrets: setting name → environment variable (never read from a file).
SECRET_ENV = {"imap_password": "IBT_IMAP_PASSWORD", "ews_password": "IBT_EWS_PASSWORD",
              "ews_client_secret": "IBT_EWS_CLIENT_SECRET", "smtp_password": "IBT_SMTP_PASSWORD"}
_SECRET_SUFFIXES = ("password", "secret", "token")  # "token_url" is configuration, "access_token" is not


def _merge(into: dict[str, Any], layer: dict[str, Any]) -> None:
    """Lay `layer` over `into`, table by table, so an operator file may set a single nested key."""
    for k, v in layer.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            into[k] = dict(into[k])
            _merge(into[k], v)
        else:
            into[k] = v


def _nested_secrets(layer: dict[str, Any], prefix: str = "") -> list[str]:
    """Keys inside tables that look like secrets: refused (and dropped) so they never sit in a file."""
    found = []
    for k, v in list(layer.items()):
        if isinstance(v, dict):
            found += _nested_secrets(v, f"{prefix}{k}.")
        elif prefix and k.endswith(_SECRET_SUFFIXES):
            found.append(prefix + k)
            layer.pop(k)
    return found


def _missing_for_mail(s: Settings) -> list[str]:
    """Keys a chosen mail source or transport cannot do without, all named at once."""
    need: list[tuple[bool, str]] = []
    imap, ews, mail = s.mailbox.imap, s.mailbox.ews, s.mail
    if s.mailbox.source == "maildir":
        need.append((bool(s.mailbox.maildir), "mailbox.maildir: required when mailbox.source = 'maildir'"))
    if s.mailbox.source == "imap":
        need += [(bool(imap.host), "mailbox.imap.host: required when mailbox.source = 'imap'"),
                 (bool(imap.username), "mailbox.imap.username: required when mailbox.source = 'imap'"),
                 (s.imap_password is not None, "IBT_IMAP_PASSWORD: environment variable required for IMAP")]
    if s.mailbox.source == "ews" or mail.transport == "ews":
        need.append((bool(ews.service_url) or ews.autodiscover,
                     "mailbox.ews.service_url: required unless mailbox.ews.autodiscover = true"))
        if ews.auth == "oauth2":
            need += [(bool(ews.client_id), "mailbox.ews.client_id: required for auth = 'oauth2'"),
                     (bool(ews.tenant_id), "mailbox.ews.tenant_id: required for auth = 'oauth2'"),
                     (s.ews_client_secret is not None, "IBT_EWS_CLIENT_SECRET: environment variable required")]
        else:
            need += [(bool(ews.username), "mailbox.ews.username: required for auth = 'ntlm'"),
                     (s.ews_password is not None, "IBT_EWS_PASSWORD: environment variable required")]
    if mail.transport == "smtp":
        need.append((bool(mail.smtp_host), "mail.smtp_host: required when mail.transport = 'smtp'"))
        if mail.smtp_username:
            need.append((s.smtp_password is not None, "IBT_SMTP_PASSWORD: required with mail.smtp_username"))
    return [f"config: {msg}" for ok, msg in need if not ok]


def _bad_kind_model(s: Settings) -> list[str]:
    """A named kind model must be there and be one (read at startup, never later)."""
    if not s.reading.kind_model:
        return []
    try:
        kind_model(s)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"config: reading.kind_model: {s.reading.kind_model}: {exc}"]
    return []


def kind_model(s: Settings) -> KindModel | None:
    """The operator's kind model, or None for the shipped one."""
    from parsers.kind_model import model_from_json

    path = Path(s.reading.kind_model)
    return model_from_json(path.read_text(encoding="utf-8")) if s.reading.kind_model else None


def _missing_for_slack(s: Settings) -> list[str]:
    """With a bot token, Slack is on: the mode's secret, a team channel and someone allowed to act."""
    if s.slack_bot_token is None:
        return []
    cfg = s.slack
    need = [(bool(cfg.team_channel), "slack.team_channel: required with SLACK_BOT_TOKEN"),
            (bool(cfg.allowed_users or cfg.allowed_usergroup),
             "slack.allowed_users or slack.allowed_usergroup: required with SLACK_BOT_TOKEN")]
    if cfg.mode == "socket":
        need.append((s.slack_app_token is not None, "SLACK_APP_TOKEN: environment variable required for mode 'socket'"))
    else:
        need.append((s.slack_signing_secret is not None,
                     "SLACK_SIGNING_SECRET: environment variable required for mode 'http'"))
    return [f"config: {msg}" for ok, msg in need if not ok]


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
        for key in ("slack_bot_token", "slack_app_token", "slack_signing_secret", "database_password", *SECRET_ENV):
            if key in layer:
                problems.append(f"{path}: {key}: secrets belong in the environment, not in a file")
                layer.pop(key)
        problems.extend(f"{path}: {p}: secrets belong in the environment, not in a file"
                        for p in _nested_secrets(layer))
        _merge(data, layer)
    home = Path(env.get("IBT_HOME") or data.pop("home", None) or Path.cwd()).resolve()
    data["home"] = home
    if env.get("IBT_KIND_MODEL"):
        data.setdefault("reading", {})["kind_model"] = env["IBT_KIND_MODEL"]
    data["database_url"] = env.get("IBT_DATABASE_URL") or data.get("database_url") or (
        f"sqlite:///{home / 'var' / 'ibt.db'}")
    for name in ("slack_bot_token", "slack_app_token", "slack_signing_secret"):
        if env.get(name.upper()):
            data[name] = env[name.upper()]
    for name, var in SECRET_ENV.items():
        if env.get(var):
            data[name] = env[var]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems.extend(_flatten_errors(exc, "config"))
        settings = None
    if settings is not None:
        problems.extend(_bad_kind_model(settings))
        problems.extend(_missing_for_mail(settings))
        problems.extend(_missing_for_slack(settings))
    if problems or settings is None:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
    return settings


def database_exists(url: str) -> bool:
    """False only for an SQLite file that is not there (`ibt explain` then reads without a register rather than
    create one). SQLAlchemy's URL parser is imported here, not with the settings."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return True
    return Path(parsed.database).exists()

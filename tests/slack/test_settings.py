"""Slack settings: on with a bot token, and then every missing piece is named at startup."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings


def test_a_bot_token_without_the_rest_names_every_missing_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_settings({"IBT_HOME": str(tmp_path), "SLACK_BOT_TOKEN": "xoxb-1"})
    msg = str(exc.value)
    assert "slack.team_channel" in msg and "slack.allowed_users" in msg and "SLACK_APP_TOKEN" in msg


def test_http_mode_needs_the_signing_secret_and_secrets_never_come_from_a_file(tmp_path: Path) -> None:
    cfg = tmp_path / "op.toml"
    cfg.write_text('slack_signing_secret = "x"\n[slack]\nmode = "http"\nteam_channel = "C1"\nallowed_users = ["U1"]\n')
    with pytest.raises(ConfigError) as exc:
        load_settings({"IBT_HOME": str(tmp_path), "IBT_CONFIG": str(cfg), "SLACK_BOT_TOKEN": "xoxb-1"})
    assert "slack_signing_secret: secrets belong in the environment" in str(exc.value)
    assert "SLACK_SIGNING_SECRET: environment variable required" in str(exc.value)
    cfg.write_text('[slack]\nmode = "http"\nteam_channel = "C1"\nallowed_users = ["U1"]\n')
    ok = load_settings({"IBT_HOME": str(tmp_path), "IBT_CONFIG": str(cfg), "SLACK_BOT_TOKEN": "xoxb-1",
                        "SLACK_SIGNING_SECRET": "s"})
    assert ok.slack.mode == "http" and ok.slack_signing_secret is not None


def test_without_a_token_slack_stays_off(tmp_path: Path) -> None:
    assert load_settings({"IBT_HOME": str(tmp_path)}).slack_bot_token is None

"""SMTP transport for the bot's own mail (smtplib): one connection per message, TLS as configured.

A refused recipient or an unreachable relay raises, so the outbox row stays pending and is retried.
"""

from __future__ import annotations

import smtplib
import ssl

from bot.settings import OutboundMailSettings


class SmtpTransport:
    name = "smtp"

    def __init__(self, cfg: OutboundMailSettings, password: str) -> None:
        self.cfg = cfg
        self.password = password

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        cfg = self.cfg
        smtp: smtplib.SMTP
        if cfg.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_seconds,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_seconds)
        with smtp:
            if cfg.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.smtp_username:
                smtp.login(cfg.smtp_username, self.password)
            smtp.sendmail(sender, recipients, raw)

"""Log hygiene: log lines carry ids, never full mail addresses or secrets.

Code logs ids (content hash, outbox id, letter reference) on purpose; this filter is the safety net for
text that comes from elsewhere (an SMTP refusal or an exception that quotes a recipient): the local part
of every address is masked, and known secret values are replaced, before any handler sees the line.
"""

from __future__ import annotations

import logging
import re

_ADDRESS = re.compile(r"[\w.%+'-]+@([\w-]+(?:\.[\w-]+)+)")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return _ADDRESS.sub(r"…@\1", text)


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
            record.exc_info = None
        return True


def install(secrets: tuple[str, ...] = ()) -> None:
    """Attach the filter to every handler of the root logger (call after logging is configured)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(secrets))

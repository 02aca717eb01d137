"""Opening the shared mailbox over EWS (exchangelib): credentials, access type, endpoint, back-off.

The one place that knows exchangelib's configuration objects. Autodiscover is used only when asked
(it is slow and fragile); ErrorServerBusy back-off hints are honoured up to `max_wait_seconds` per
call; an HTTP 401 is reported at once as refused credentials instead of being retried for minutes.
"""

from __future__ import annotations

from typing import Any

from exchangelib import DELEGATE, IMPERSONATION, Account, Configuration, Credentials, FaultTolerance, Identity
from exchangelib.credentials import OAuth2Credentials
from exchangelib.errors import UnauthorizedError
from exchangelib.transport import NTLM, OAUTH2

from bot.settings import EwsSettings


class _Policy(FaultTolerance):  # type: ignore[misc]
    """FaultTolerance (honours ErrorServerBusy BackOffMilliseconds), but 401 means refused credentials:
    exchangelib would otherwise retry a revoked token as if it were throttling, until max_wait."""

    def raise_response_errors(self, response: Any) -> Any:
        if response.status_code == 401:
            raise UnauthorizedError(f"Invalid credentials for {response.url}")
        return super().raise_response_errors(response)


class _OAuth2(OAuth2Credentials):  # type: ignore[misc]
    """Client credentials with an optional token endpoint (national clouds)."""

    def __init__(self, *args: Any, token_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token_url_override = token_url

    @property
    def token_url(self) -> str:
        return self._token_url_override or str(super().token_url)


def open_account(cfg: EwsSettings, mailbox: str, secret: str) -> Any:
    """The exchangelib `Account` of the shared mailbox."""
    credentials: Any
    if cfg.auth == "oauth2":
        credentials = _OAuth2(client_id=cfg.client_id, client_secret=secret, tenant_id=cfg.tenant_id,
                              identity=Identity(primary_smtp_address=mailbox), token_url=cfg.token_url)
        auth_type = OAUTH2
    else:
        credentials = Credentials(cfg.username, secret)
        auth_type = NTLM
    access = IMPERSONATION if cfg.access == "impersonation" else DELEGATE
    policy = _Policy(max_wait=cfg.max_wait_seconds)
    if cfg.autodiscover:
        config = Configuration(credentials=credentials, auth_type=auth_type, retry_policy=policy)
        return Account(mailbox, config=config, autodiscover=True, access_type=access)
    config = Configuration(service_endpoint=cfg.service_url, credentials=credentials, auth_type=auth_type,
                           retry_policy=policy)
    return Account(mailbox, config=config, autodiscover=False, access_type=access)

"""IMAP mail source (imapclient): reads a folder by UID, flags or moves a mail only after its commit.

Position: UIDVALIDITY + the last acknowledged UID, stored in `source_state`. A changed UIDVALIDITY
means the server renumbered the folder: we rescan it, skipping mails that already carry our keyword,
and content-hash / Message-ID de-duplication makes the rest no-ops. Bodies are fetched with
BODY.PEEK so the bot never sets \\Seen, and it never reads \\Seen either: people read this mailbox too.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from bot.adapters.sources import Disposition, RawMail, SourceAuthError, SourceError
from bot.settings import ImapSettings
from bot.store.source_state import SourceStateStore

log = logging.getLogger(__name__)

# Transport-level failures that mean "try again later", not a bug.
_TRANSIENT = (OSError, socket.timeout, IMAPClientError, ssl.SSLError)


class ImapSource:
    def __init__(self, cfg: ImapSettings, password: str, max_bytes: int, state: SourceStateStore) -> None:
        self.cfg = cfg
        self.password = password
        self.max_bytes = max_bytes
        self.state = state
        self.name = f"imap:{cfg.username}@{cfg.host}/{cfg.folder}"
        self._client: IMAPClient | None = None
        self._uidvalidity = 0

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> IMAPClient:
        if self._client is not None:
            return self._client
        try:
            client = IMAPClient(self.cfg.host, port=self.cfg.port, ssl=self.cfg.tls == "ssl",
                                timeout=self.cfg.timeout_seconds)
            if self.cfg.tls == "starttls":
                client.starttls(ssl.create_default_context())
            client.login(self.cfg.username, self.password)
        except LoginError as exc:
            raise SourceAuthError(f"IMAP login refused for {self.cfg.username}: {exc}") from exc
        except _TRANSIENT as exc:
            raise SourceError(f"IMAP {self.cfg.host}:{self.cfg.port} unreachable: {exc}") from exc
        self._client = client
        return client

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(*_TRANSIENT):
                self._client.logout()
            self._client = None

    def _drop(self, exc: BaseException) -> SourceError:
        """Forget a broken connection (the next call reconnects) and say why."""
        self._client = None
        return SourceError(f"IMAP error on {self.name}: {type(exc).__name__}: {exc}")

    # -- the port -----------------------------------------------------------------------------
    def fetch(self) -> Iterator[RawMail]:
        try:
            uids = self._new_uids()
        except _TRANSIENT as exc:
            raise self._drop(exc) from exc
        for uid in uids:
            try:
                raw, cut = self._fetch_body(uid)
            except _TRANSIENT as exc:
                raise self._drop(exc) from exc
            if raw is None:  # gone between SEARCH and FETCH (moved by a person): nothing to do
                continue
            yield RawMail(self.name, f"{self._uidvalidity}:{uid}", raw, cut)

    def _new_uids(self) -> list[int]:
        client = self._connect()
        info = client.select_folder(self.cfg.folder)
        self._uidvalidity = int(info[b"UIDVALIDITY"])
        known_validity, last_uid = self.state.load_uid(self.name)
        if known_validity is not None and known_validity != self._uidvalidity:
            log.warning("%s: UIDVALIDITY changed %s → %s; rescanning the folder", self.name, known_validity,
                        self._uidvalidity)
            last_uid = 0
        criteria: list[Any] = ["UID", f"{last_uid + 1}:*", "NOT", "KEYWORD", self.cfg.processed_keyword,
                               "NOT", "KEYWORD", self.cfg.manual_keyword]
        # "n:*" always matches the highest UID, even below n: filter.
        return sorted(u for u in client.search(criteria) if u > last_uid)

    def _fetch_body(self, uid: int) -> tuple[bytes | None, bool]:
        client = self._connect()
        size = client.fetch([uid], ["RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE")
        if size is None:
            return None, False
        if int(size) > self.max_bytes:  # archive the head and quarantine: never load a huge mail whole
            data = client.fetch([uid], [f"BODY.PEEK[]<0.{self.max_bytes}>"]).get(uid, {})
            return bytes(data.get(b"BODY[]<0>", b"")), True
        data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
        return bytes(data[b"BODY[]"]), False

    def ack(self, mail: RawMail, disposition: Disposition = "processed") -> None:
        validity, _, uid_text = mail.source_id.partition(":")
        uid = int(uid_text)
        keyword = self.cfg.processed_keyword if disposition == "processed" else self.cfg.manual_keyword
        try:
            client = self._connect()
            client.add_flags([uid], [keyword.encode()], silent=True)
            if self.cfg.move_to and disposition == "processed":
                if client.has_capability("MOVE"):
                    client.move([uid], self.cfg.move_to)
                else:  # COPY + \\Deleted would be a delete: we never do that; the keyword is enough
                    log.warning("%s: server lacks MOVE; leaving mail %s in place", self.name, uid)
        except _TRANSIENT as exc:
            raise self._drop(exc) from exc
        self.state.save_uid(self.name, int(validity), uid)

    def wait(self, seconds: float) -> None:
        """IDLE until the server reports a change or `seconds` pass; plain sleep without IDLE."""
        try:
            client = self._connect()
            if not client.has_capability("IDLE"):
                time.sleep(seconds)
                return
            client.select_folder(self.cfg.folder)
            client.idle()
            try:
                client.idle_check(timeout=min(seconds, self.cfg.idle_seconds))
            finally:
                client.idle_done()
        except _TRANSIENT as exc:
            raise self._drop(exc) from exc

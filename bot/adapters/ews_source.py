"""EWS mail source and transport (exchangelib) for the shared Exchange mailbox.

Reading: incremental `SyncFolderItems` from the sync state stored in `source_state`; only "create"
changes are work (our own category updates come back as "update" changes and are ignored). The full
MIME of each new item is fetched with GetItem. The new sync state is stored only when the consumer
asks for the next mail after acknowledging the last one of the round, i.e. after every mail of the
round is committed; a crash replays the round and de-duplication absorbs it. Acknowledging adds a
category ("ibt: verwerkt" / "ibt: handmatig") next to the ones people set, and optionally moves the
item. Nothing is ever deleted and read flags are neither used nor changed: people read this mailbox.

Sending: CreateItem with the exact MIME and SendAndSaveCopy, so the copy sits in Sent Items.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from exchangelib import Message
from exchangelib.errors import ErrorInvalidSyncStateData, ErrorItemNotFound, EWSError, UnauthorizedError
from oauthlib.oauth2 import OAuth2Error  # type: ignore[import-untyped]
from requests.exceptions import RequestException

from bot.adapters.sources import Disposition, RawMail, SourceAuthError, SourceError
from bot.settings import EwsSettings
from bot.store.source_state import SourceStateStore

log = logging.getLogger(__name__)

FETCH_CHUNK = 10  # items per GetItem: MIME can be large


def _source_error(exc: Exception, what: str) -> SourceError:
    """Map exchangelib/oauth failures to the source's expected failures (bugs are not caught here)."""
    if isinstance(exc, UnauthorizedError) or (isinstance(exc, OAuth2Error) and exc.status_code in (400, 401)):
        return SourceAuthError(f"EWS {what}: credentials refused: {type(exc).__name__}: {exc}")
    return SourceError(f"EWS {what}: {type(exc).__name__}: {exc}")


_EXPECTED = (EWSError, OAuth2Error, RequestException, OSError)


def _folder(account: Any, path: str) -> Any:
    """"inbox" or a path under the mailbox root such as "inbox/IBT" or "IBT verwerkt"."""
    parts = [p for p in path.split("/") if p]
    folder = account.inbox if parts and parts[0].lower() == "inbox" else account.msg_folder_root / parts[0]
    for part in parts[1:]:
        folder = folder / part
    return folder


class EwsSource:
    def __init__(self, open_account: Callable[[], Any], cfg: EwsSettings, max_bytes: int,
                 state: SourceStateStore, mailbox: str = "") -> None:
        self.open_account = open_account
        self.cfg = cfg
        self.max_bytes = max_bytes
        self.state = state
        self.name = f"ews:{mailbox or 'mailbox'}/{cfg.folder}"
        self._account: Any = None
        self._items: dict[str, Any] = {}  # source_id → item (id, changekey, categories) until acknowledged

    def _acc(self) -> Any:
        if self._account is None:
            try:
                self._account = self.open_account()
            except _EXPECTED as exc:
                raise _source_error(exc, "connect") from exc
        return self._account

    def fetch(self) -> Iterator[RawMail]:
        account = self._acc()
        try:
            folder = _folder(account, self.cfg.folder)
            cursor = self.state.load_cursor(self.name)
            created = [item for change, item in folder.sync_items(
                sync_state=cursor, only_fields=["id", "changekey"], max_changes_returned=self.cfg.batch_size)
                if change == "create"]
            new_cursor = folder.item_sync_state
        except ErrorInvalidSyncStateData as exc:
            # The server forgot our state: start over; content-hash de-duplication keeps this safe.
            self.state.save_cursor(self.name, None)
            raise SourceError(f"EWS sync state rejected by the server; resyncing {self.name}") from exc
        except _EXPECTED as exc:
            raise _source_error(exc, "sync") from exc
        for start in range(0, len(created), FETCH_CHUNK):
            try:
                items = list(account.fetch(ids=created[start:start + FETCH_CHUNK],
                                           only_fields=["mime_content", "categories"]))
            except _EXPECTED as exc:
                raise _source_error(exc, "GetItem") from exc
            for item in items:
                if isinstance(item, ErrorItemNotFound):  # moved or deleted by a person meanwhile
                    continue
                if isinstance(item, Exception):
                    raise _source_error(item, "GetItem")
                raw = bytes(item.mime_content or b"")
                source_id = str(item.id)
                self._items[source_id] = item
                yield RawMail(self.name, source_id, raw[:self.max_bytes], len(raw) > self.max_bytes)
        # Reached when the consumer asks for more after acknowledging the last mail: all are committed.
        self.state.save_cursor(self.name, new_cursor)

    def ack(self, mail: RawMail, disposition: Disposition = "processed") -> None:
        item = self._items.pop(mail.source_id, None)
        if item is None:
            return
        category = self.cfg.processed_category if disposition == "processed" else self.cfg.manual_category
        target = self.cfg.move_processed_to if disposition == "processed" else self.cfg.move_manual_to
        try:
            if category not in (item.categories or []):
                item.categories = [*(item.categories or []), category]  # keep the categories people set
                item.save(update_fields=["categories"])
            if target:
                item.move(_folder(self._acc(), target))
        except ErrorItemNotFound:
            log.info("%s: item gone before it could be marked; the outcome is committed", self.name)
        except _EXPECTED as exc:
            raise _source_error(exc, "mark") from exc

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)  # a streaming subscription could wake us earlier; polling is enough here


class EwsTransport:
    """Outbound mail through the shared mailbox: sent with our headers intact, copy in Sent Items."""

    name = "ews"

    def __init__(self, open_account: Callable[[], Any]) -> None:
        self.open_account = open_account
        self._account: Any = None

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        if self._account is None:
            self._account = self.open_account()
        account = self._account
        Message(account=account, folder=account.sent, mime_content=raw, to_recipients=recipients).send_and_save()

"""Mail sources: generators of raw mails that are acknowledged only after the work is committed.

`MailSource` is the port; the maildir/folder implementations live here, IMAP (`imap_source`) and EWS
(`ews_source`) in their own modules; a Microsoft Graph source (delta query) fits the same port
(docs/mail-sources.md). No source ever deletes a mail, and none relies on read flags.

Expected failures of a source, apart from bugs:

    SourceError            the mailbox cannot be read right now; `ibt run` records it and retries later
    └── SourceAuthError    credentials expired, revoked or wrong: an officer-visible health alert, once
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

# How a mail was handled, for the source to show it (EWS category, IMAP keyword): "manual" when an
# officer must look (quarantine or triage), "processed" otherwise.
Disposition = Literal["processed", "manual"]


class SourceError(Exception):
    """The mailbox cannot be read now (network, server busy, mailbox gone); retried later."""


class SourceAuthError(SourceError):
    """The mailbox refused our credentials (expired, revoked, wrong): a human must act."""


@dataclass(frozen=True)
class RawMail:
    source: str  # which source, e.g. "maildir:/srv/mail"
    source_id: str  # the source's own id for the mail (a file name, an IMAP UID, an EWS ItemId)
    raw: bytes
    too_large: bool = False  # the bytes were cut at the size limit: archive and quarantine


class MailSource(Protocol):
    """Yields what arrived since the last committed position. The consumer commits each mail's outcome
    and then calls `ack`; a source may only advance its stored position for acknowledged mails, and
    sources that checkpoint per batch (EWS) do so when the consumer asks for the next mail after the
    last one, i.e. after its ack."""

    name: str

    def fetch(self) -> Iterator[RawMail]: ...

    def ack(self, mail: RawMail, disposition: Disposition = "processed") -> None: ...

    def wait(self, seconds: float) -> None:
        """Block until new mail may be there (IMAP IDLE) or `seconds` have passed."""
        ...


def sleep_wait(seconds: float) -> None:
    time.sleep(seconds)


def _read_limited(path: Path, limit: int) -> tuple[bytes, bool]:
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return data[:limit], len(data) > limit


class FileSource:
    """`.eml` files and maildirs named on the command line (`ibt ingest`). Acknowledging moves nothing:
    the files are the operator's; idempotent ingestion makes a second run a no-op."""

    def __init__(self, paths: Iterable[Path], max_bytes: int) -> None:
        self.paths = [Path(p) for p in paths]
        self.max_bytes = max_bytes
        self.name = "files"

    def _files(self) -> Iterator[Path]:
        for p in self.paths:
            if p.is_dir():
                if (p / "new").is_dir():  # a maildir: every file in new/ and cur/
                    for d in (p / "new", p / "cur"):
                        yield from sorted(f for f in d.iterdir() if f.is_file() and not f.name.startswith("."))
                else:  # a plain folder: its .eml files
                    yield from sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() == ".eml")
            else:
                yield p

    def fetch(self) -> Iterator[RawMail]:
        for f in self._files():
            raw, cut = _read_limited(f, self.max_bytes)
            yield RawMail(f"file:{f.parent.resolve()}", f.name, raw, cut)

    def ack(self, mail: RawMail, disposition: Disposition = "processed") -> None:
        return None

    def wait(self, seconds: float) -> None:
        sleep_wait(seconds)


class MaildirSource:
    """A maildir watched by `ibt run`: takes mail from new/, and after the commit moves it to cur/."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.name = f"maildir:{root.resolve()}"
        for sub in ("new", "cur", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def fetch(self) -> Iterator[RawMail]:
        for f in sorted((self.root / "new").iterdir()):
            if f.is_file() and not f.name.startswith("."):
                try:
                    raw, cut = _read_limited(f, self.max_bytes)
                except FileNotFoundError:  # another instance took it meanwhile (moved to cur/)
                    continue
                yield RawMail(self.name, f.name, raw, cut)

    def wait(self, seconds: float) -> None:
        sleep_wait(seconds)

    def ack(self, mail: RawMail, disposition: Disposition = "processed") -> None:
        src = self.root / "new" / mail.source_id
        if src.exists():
            src.replace(self.root / "cur" / f"{mail.source_id}:2,")

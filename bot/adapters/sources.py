"""Mail sources: generators of raw mails that are acknowledged only after the work is committed.

`MailSource` is the port; the maildir/folder implementations live here, IMAP and EWS in their own
modules. No source ever deletes a mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class RawMail:
    source: str  # which source, e.g. "maildir:/srv/mail"
    source_id: str  # the source's own id for the mail (a file name, an IMAP UID, an EWS ItemId)
    raw: bytes
    too_large: bool = False  # the bytes were cut at the size limit: archive and quarantine


class MailSource(Protocol):
    name: str

    def fetch(self) -> Iterator[RawMail]: ...

    def ack(self, mail: RawMail) -> None: ...


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

    def ack(self, mail: RawMail) -> None:
        return None


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
                raw, cut = _read_limited(f, self.max_bytes)
                yield RawMail(self.name, f.name, raw, cut)

    def ack(self, mail: RawMail) -> None:
        src = self.root / "new" / mail.source_id
        if src.exists():
            src.replace(self.root / "cur" / f"{mail.source_id}:2,")

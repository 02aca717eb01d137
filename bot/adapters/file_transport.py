"""A pickup folder as the mail transport: each message is written as an .eml file, nothing is sent.

The embedded default (`[mail] transport = "file"`): reminders are visible under var/outgoing-mail/ for an
operator to read, like Exchange's pickup directory or Django's file backend, and never reach anyone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


class FileTransport:
    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{hashlib.sha256(raw).hexdigest()[:16]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(raw)
        tmp.replace(self.folder / name)

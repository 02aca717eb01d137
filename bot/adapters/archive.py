"""The raw-mail archive: every mail's bytes, stored once by content hash before anything else happens."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class Archive:
    """Content-addressed files under `root` (``ab/abcdef….eml``); writes are atomic and idempotent."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.eml"

    def save(self, raw: bytes) -> tuple[str, Path]:
        digest = content_hash(raw)
        path = self.path_for(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(path)
        return digest, path

    def load(self, digest: str) -> bytes:
        return self.path_for(digest).read_bytes()

"""Which instance runs the clock jobs (chase, digest): on PostgreSQL the holder of an advisory lock.

Two `ibt run` instances may share one PostgreSQL database (DESIGN.md). Both read mail (row claims keep that
safe), but only one should chase and send the digest — their keys would prevent doubles anyway, the lock
avoids two instances doing the same work at the same moment. The lock lives on a dedicated connection: when
the holder dies, PostgreSQL releases it and the other instance takes over at its next attempt. SQLite is
embedded and single-instance: always the leader.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

LOCK_KEY = 7_468_089  # any fixed 64-bit number, the same for every instance of this database


class Leadership:
    def __init__(self, engine: Engine, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: Any = None

    def holds(self) -> bool:
        """True when this instance may run the clock jobs now (acquires the lock when it is free)."""
        if self.engine.dialect.name != "postgresql":
            return True
        try:
            if self._conn is not None:
                self._conn.execute(text("SELECT 1"))
                return True
            conn = self.engine.connect()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
            conn.commit()
            if got:
                self._conn = conn
                log.info("this instance now runs the chase and the digest")
            else:
                conn.close()
            return got
        except Exception as exc:  # a lost connection means: not the leader, try again later
            log.warning("leadership check failed: %s", exc)
            self.release()
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                # invalidate, not close: a pooled connection would keep the session (and its lock) alive
                self._conn.invalidate()
                self._conn.close()
            except Exception:  # closing a broken connection may fail; the lock is gone then
                log.debug("closing the leader connection failed", exc_info=True)
            self._conn = None

"""Where each mail source stands (cursor, IMAP UIDVALIDITY + last UID) and how healthy it is.

Each call is its own short transaction: sources call it only after the mails a position covers are
committed, so the stored position never runs ahead of the stored outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.store.models import SourceStateRow


@dataclass(frozen=True)
class SourceHealth:
    name: str
    last_success_at: datetime | None
    last_error: str | None
    failing_since: datetime | None


class SourceStateStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _get(self, s: Session, name: str) -> SourceStateRow:
        """The source's row, created first if need be, and locked for the caller's transaction."""
        if s.get(SourceStateRow, name) is None:
            self._create(name)
        row = s.get(SourceStateRow, name, with_for_update=True, populate_existing=True)
        assert row is not None
        return row

    def _create(self, name: str) -> None:
        """In a transaction of its own: two instances may create the same source's row at the same moment."""
        with Session(self.engine) as s:
            s.add(SourceStateRow(name=name))
            try:
                s.commit()
            except IntegrityError:
                s.rollback()  # the other instance created it: use theirs

    def load_cursor(self, name: str) -> str | None:
        with Session(self.engine) as s:
            row = s.get(SourceStateRow, name)
            return row.cursor if row else None

    def save_cursor(self, name: str, cursor: str | None) -> None:
        with Session(self.engine) as s, s.begin():
            self._get(s, name).cursor = cursor

    def load_uid(self, name: str) -> tuple[int | None, int]:
        """(uidvalidity, last acknowledged uid); (None, 0) before the first mail."""
        with Session(self.engine) as s:
            row = s.get(SourceStateRow, name)
            return (row.uidvalidity, row.last_uid or 0) if row else (None, 0)

    def save_uid(self, name: str, uidvalidity: int, uid: int) -> None:
        """Advance the last UID (never backwards within one UIDVALIDITY; a new UIDVALIDITY starts over)."""
        with Session(self.engine) as s, s.begin():
            row = self._get(s, name)
            if row.uidvalidity != uidvalidity:
                row.uidvalidity, row.last_uid = uidvalidity, uid
            else:
                row.last_uid = max(row.last_uid or 0, uid)

    def record_success(self, name: str, now: datetime) -> None:
        with Session(self.engine) as s, s.begin():
            row = self._get(s, name)
            row.last_success_at, row.last_error, row.failing_since = now, None, None

    def record_failure(self, name: str, error: str, now: datetime) -> datetime:
        """Store the error; returns the start of the current failure episode (unchanged while it lasts)."""
        with Session(self.engine) as s, s.begin():
            row = self._get(s, name)
            row.last_error = error[:500]
            if row.failing_since is None:
                row.failing_since = now
            return row.failing_since

    def health(self) -> list[SourceHealth]:
        with Session(self.engine) as s:
            rows = s.exec(select(SourceStateRow).order_by(col(SourceStateRow.name))).all()
            return [SourceHealth(r.name, r.last_success_at, r.last_error, r.failing_since) for r in rows]

"""SlackSink: outbox alerts into Slack, one parent message per case with every event in its thread.

Delivery rules (DESIGN.md, reliability 5): an outage or a rate limit delays a message, never loses or
doubles it. Each post is recorded in `slack_message` *before* it is made (the intent) and completed with
its ts after; the post carries its key in Slack message metadata. A retry that finds an unfinished intent
first looks the message up by that metadata, so a post whose answer was lost is not made twice.
429 (Retry-After), 5xx and network errors raise `SinkUnavailable`: the row stays pending and later
alerts wait, so each case thread keeps its order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.clock import Clock
from bot.delivery import RowClaims, SinkUnavailable
from bot.settings import SlackSettings
from bot.slack.views import load_case_summary
from bot.store.models import CaseRow, OutboxRow, SlackMessageRow
from replies.blocks import Block, blocks_after_action, done_blocks, render_alert_blocks, render_case_card
from replies.render import render

log = logging.getLogger(__name__)

# Web API errors that heal by themselves: wait and retry instead of counting a failed attempt.
TRANSIENT = frozenset({"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"})
METADATA_TYPE = "ibt_alert"


class SlackSink:
    def __init__(self, engine: Engine, client: WebClient, cfg: SlackSettings, clock: Clock,
                 today: Callable[[], date]) -> None:
        self.engine, self.client, self.cfg, self.clock, self.today = engine, client, cfg, clock, today
        self.paused_until: datetime | None = None  # a 429's Retry-After: no call before then

    @property
    def urgent_channel(self) -> str:
        return self.cfg.urgent_channel or self.cfg.team_channel

    def post_alert(self, key: str, text: str, urgent: bool, payload: Mapping[str, Any] | None = None) -> None:
        p = dict(payload or {})
        case_id, code, mail_id = p.get("case_id"), p.get("municipality_code"), p.get("mail_id")
        blocks = render_alert_blocks(str(p.get("template", "")), text, dict(p.get("context") or {}),
                                     case_code=code, mail_id=mail_id)
        fallback = text.split("\n", 1)[0][:300]
        separate_urgent = urgent and self.urgent_channel != self.cfg.team_channel
        if isinstance(case_id, int):
            channel, parent_ts = self.ensure_parent(case_id)
            # urgent without a separate channel: the thread reply is also broadcast to the channel
            self._post_once(key, "thread", channel, blocks, fallback, thread_ts=parent_ts,
                            broadcast=urgent and not separate_urgent)
            self.update_parent(case_id)
            if separate_urgent:
                self._post_once(key, "urgent", self.urgent_channel, blocks, fallback)
        else:
            channel = self.urgent_channel if urgent else self.cfg.team_channel
            ts = self._post_once(key, "channel", channel, blocks, fallback)
            chart = (p.get("context") or {}).get("chart_path")
            if chart:  # the weekly digest's chart, in the digest's thread
                self._upload_once(key, channel, ts, Path(str(chart)))

    def _upload_once(self, key: str, channel: str, thread_ts: str, path: Path) -> None:
        """Upload a file once for `key` (recorded like a post; a crash between upload and record re-uploads)."""
        with Session(self.engine) as s:
            row = s.exec(select(SlackMessageRow).where(SlackMessageRow.key == key)
                         .where(SlackMessageRow.part == "file")).first()
            if row is not None and row.ts:
                return
            if row is None:
                row = SlackMessageRow(key=key, part="file", channel=channel, thread_ts=thread_ts,
                                      created_at=self.clock.now())
            resp = self._call("files_upload_v2", channel=channel, thread_ts=thread_ts, file=str(path),
                              filename=path.name, title=path.stem)
            row.ts = str((resp.get("file") or {}).get("id") or "uploaded")
            s.add(row)
            s.commit()

    def ensure_parent(self, case_id: int) -> tuple[str, str]:
        """The case's parent message in the team channel, posted the first time the case has news."""
        with Session(self.engine) as s:
            case = s.get(CaseRow, case_id)
            if case is None:
                raise LookupError(f"case {case_id} not found")
            if case.slack_channel and case.slack_ts:
                return case.slack_channel, case.slack_ts
        text, blocks = self._card(case_id)
        ts = self._post_once(f"case:{case_id}", "parent", self.cfg.team_channel, blocks, text)
        with Session(self.engine) as s:
            case = s.get(CaseRow, case_id)
            assert case is not None
            case.slack_channel, case.slack_ts = self.cfg.team_channel, ts
            s.add(case)
            s.commit()
        return self.cfg.team_channel, ts

    def update_parent(self, case_id: int) -> None:
        """Show the case's current trede, open letters and officer on its parent message (chat.update)."""
        with Session(self.engine) as s:
            case = s.get(CaseRow, case_id)
            where = (case.slack_channel, case.slack_ts) if case else (None, None)
        if not (where[0] and where[1]):
            return
        text, blocks = self._card(case_id)
        self._call("chat_update", channel=where[0], ts=where[1], text=text, blocks=blocks)

    def mark_done(self, channel: str, ts: str, done: str, key: str, blocks: list[Block] | None = None) -> None:
        """Show who did what on the message an officer acted on. An alert loses its buttons; a case's parent
        keeps its card (update_parent refreshes it) and gets the line as a reply in its thread."""
        with Session(self.engine) as s:
            row = s.exec(select(SlackMessageRow).where(SlackMessageRow.channel == channel)
                         .where(SlackMessageRow.ts == ts)).first()
            outbox = s.exec(select(OutboxRow).where(OutboxRow.idempotency_key == row.key)).first() if row else None
        line = done_blocks(done)
        try:
            if row is not None and row.part == "parent":
                self._post_once(f"done:{key}", "thread", channel, line, done, thread_ts=ts)
                return
            if blocks is None and outbox is not None:  # a dialog's submission carries no message: rebuild it
                p = outbox.payload
                ctx = dict(p.get("context") or {})  # type: ignore[call-overload]
                blocks = render_alert_blocks(str(p["template"]), render(str(p["template"]), ctx), ctx,
                                             case_code=p.get("municipality_code"),  # type: ignore[arg-type]
                                             mail_id=p.get("mail_id"))  # type: ignore[arg-type]
            if blocks is not None:
                self._call("chat_update", channel=channel, ts=ts, text=done, blocks=blocks_after_action(blocks, done))
        except Exception as exc:  # the decision is recorded; only its echo in Slack is missing
            log.warning("message %s/%s not updated: %s", channel, ts, exc)

    def _card(self, case_id: int) -> tuple[str, list[Block]]:
        view = load_case_summary(self.engine, case_id, self.today())
        if view is None:
            raise LookupError(f"case {case_id} not found")
        return render_case_card(view)

    def _post_once(self, key: str, part: str, channel: str, blocks: list[Block], text: str,
                   thread_ts: str | None = None, broadcast: bool = False) -> str:
        """Post one message for (key, part) exactly once; returns its ts.

        The message is recorded (slack_message) before it is posted, and posted only under a claim on that row
        (bot.delivery.RowClaims): a row without ts whose claim another instance holds is being posted right now,
        and its ts is waited for; a row without ts and without a claim is an earlier try that died, perhaps after
        posting, so Slack is asked for the message (by its metadata) before it is posted again."""
        with Session(self.engine) as s:
            row = self._row(s, key, part)
            if row is not None and row.ts:
                return row.ts
            earlier = row is not None
            if row is None:
                row = SlackMessageRow(key=key, part=part, channel=channel, thread_ts=thread_ts,
                                      created_at=self.clock.now())
                s.add(row)
                try:
                    s.commit()
                except IntegrityError:  # another instance recorded it first: it is posting it, or died doing so
                    s.rollback()
                    row, earlier = self._row(s, key, part), True
                    assert row is not None
            with RowClaims(self.engine, RowClaims.SLACK_MESSAGE) as claims:
                if not claims.claim(int(row.id or 0)):  # another instance is posting it right now
                    ts = self._wait_for_other(s, key, part)
                    if ts:
                        return ts
                    raise SinkUnavailable(f"{key}/{part} is being posted elsewhere")
                s.refresh(row)
                if row.ts:  # posted by the instance that held the claim just before
                    return row.ts
                where = row.channel, row.thread_ts
                s.commit()  # no transaction stays open while Slack is asked
                found = self._find_posted(*where, key, part) if earlier else None
                if not found:
                    meta = {"event_type": METADATA_TYPE, "event_payload": {"key": key, "part": part}}
                    resp = self._call("chat_postMessage", channel=channel, text=text, blocks=blocks,
                                      thread_ts=thread_ts, reply_broadcast=broadcast or None, unfurl_links=False,
                                      unfurl_media=False, metadata=meta)
                    found = str(resp["ts"])
                row.ts = found
                s.add(row)
                s.commit()
                return found

    @staticmethod
    def _row(s: Session, key: str, part: str) -> SlackMessageRow | None:
        return s.exec(select(SlackMessageRow).where(SlackMessageRow.key == key)
                      .where(SlackMessageRow.part == part)).first()

    @staticmethod
    def _wait_for_other(s: Session, key: str, part: str, seconds: float = 5.0) -> str | None:
        """The ts another process records for (key, part) within `seconds`, else None (the row is retried)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ts = s.exec(select(SlackMessageRow.ts).where(SlackMessageRow.key == key)
                        .where(SlackMessageRow.part == part)).first()
            s.rollback()  # the next look sees the other process's commit
            if ts:
                return str(ts)
            time.sleep(0.1)
        return None

    def _find_posted(self, channel: str, thread_ts: str | None, key: str, part: str) -> str | None:
        if thread_ts:
            resp = self._call("conversations_replies", channel=channel, ts=thread_ts, include_all_metadata=True,
                              limit=200)
        else:
            resp = self._call("conversations_history", channel=channel, include_all_metadata=True, limit=200)
        for msg in resp.get("messages") or []:
            meta = msg.get("metadata") or {}
            if meta.get("event_type") == METADATA_TYPE and meta.get("event_payload") == {"key": key, "part": part}:
                return str(msg["ts"])
        return None

    def _call(self, method: str, **kwargs: Any) -> Any:
        """One Web API call; waiting conditions become SinkUnavailable, real errors raise."""
        now = self.clock.now()
        if self.paused_until and now < self.paused_until:
            raise SinkUnavailable(f"Slack rate limit until {self.paused_until.isoformat()}")
        try:
            return getattr(self.client, method)(**{k: v for k, v in kwargs.items() if v is not None})
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error", ""))
            if status == 429:
                wait = int(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 30)))
                self.paused_until = now + timedelta(seconds=wait)
                raise SinkUnavailable(f"Slack rate limit ({method}): retry after {wait} s") from exc
            if status >= 500 or error in TRANSIENT:
                raise SinkUnavailable(f"Slack unavailable ({method}): {status} {error}") from exc
            raise
        except OSError as exc:  # connection refused or reset, timeouts, DNS: an outage
            raise SinkUnavailable(f"Slack unreachable ({method}): {exc}") from exc

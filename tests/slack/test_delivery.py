"""Outbox delivery to Slack when Slack misbehaves: an outage, a rate limit, a post whose answer is lost.
Every alert must arrive exactly once, in order in its case thread."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from bot.clock import FixedClock
from bot.delivery import RowClaims
from bot.slack.sink import SlackSink
from bot.store.models import OutboxRow, SlackMessageRow
from tests.slack.conftest import Harness

pytestmark = pytest.mark.slack


def outbox(h: Harness) -> list[OutboxRow]:
    with Session(h.app.engine) as s:
        return list(s.exec(select(OutboxRow).where(OutboxRow.channel == "alert").order_by(col(OutboxRow.id))).all())


def posted_keys(h: Harness) -> Counter[tuple[str, str]]:
    """(key, part) of every message in the stand-in, from the metadata the sink attaches."""
    return Counter((m["metadata"]["event_payload"]["key"], m["metadata"]["event_payload"]["part"])
                   for m in h.fake.messages)


def test_outage_then_recovery_delivers_every_alert_once_in_order(slack: Harness) -> None:
    slack.fake.outage = True
    slack.ingest("d011", "d046", "d009", "d031")  # Hilversum twice, Breda, Ede (artikel 8: urgent)
    slack.app.deliverer.deliver_pending()
    rows = outbox(slack)
    assert len(rows) == 4 and {r.status for r in rows} == {"pending"}
    assert {r.attempts for r in rows} == {0}  # waiting is not failing: no attempt is used up
    assert slack.fake.messages == []

    slack.fake.outage = False
    assert slack.app.deliverer.deliver_pending() == 4
    assert slack.app.deliverer.deliver_pending() == 0
    assert {r.status for r in outbox(slack)} == {"delivered"}
    counts = posted_keys(slack)
    assert set(counts.values()) == {1}  # nothing doubled
    assert {k for k, _ in counts} >= {r.idempotency_key for r in rows}  # nothing lost
    hilversum = slack.fake.thread("CTEAM", str(slack.case("GM0402").slack_ts))
    keys = [m["metadata"]["event_payload"]["key"] for m in hilversum]
    assert keys == [r.idempotency_key for r in rows if r.payload["municipality_code"] == "GM0402"]
    assert [m["channel"] for m in slack.fake.messages].count("CURGENT") == 1


def test_rate_limit_waits_for_retry_after_then_posts_once(slack: Harness, clock: FixedClock) -> None:
    slack.fake.rate_limited, slack.fake.retry_after = 1, 30
    slack.ingest("d011")
    sink = slack.app.deliverer.alerts
    assert isinstance(sink, SlackSink) and sink.paused_until == clock.at + timedelta(seconds=30)
    calls = len(slack.fake.calls)
    slack.app.deliverer.deliver_pending()
    assert len(slack.fake.calls) == calls  # inside Retry-After: Slack is not asked at all
    clock.at += timedelta(seconds=31)
    assert slack.app.deliverer.deliver_pending() == 1
    assert set(posted_keys(slack).values()) == {1} and len(slack.fake.messages) == 2  # parent + alert


def test_a_post_whose_answer_was_lost_is_found_not_repeated(slack: Harness) -> None:
    slack.fake.lose_next_post_answer = True  # the parent message is posted, but its answer is lost
    slack.ingest("d011")
    assert outbox(slack)[0].status == "pending"
    slack.app.deliverer.deliver_pending()
    slack.fake.lose_next_post_answer = True  # now the reply in the thread
    slack.ingest("d046")
    slack.app.deliverer.deliver_pending()
    assert {r.status for r in outbox(slack)} == {"delivered"}
    assert set(posted_keys(slack).values()) == {1} and len(slack.fake.messages) == 3
    assert slack.fake.named("conversations.history") and slack.fake.named("conversations.replies")
    with Session(slack.app.engine) as s:
        assert all(r.ts for r in s.exec(select(SlackMessageRow)).all())


def test_a_message_another_instance_is_posting_is_waited_for_not_posted_again(slack: Harness) -> None:
    sink = slack.app.deliverer.alerts
    assert isinstance(sink, SlackSink)
    case_id = int(slack.case("GM0402").id or 0)  # Hilversum: a case from the register, without a parent message yet
    # another instance has recorded that parent and is posting it: the row has no ts yet and its claim is held
    with Session(slack.app.engine) as s:
        row = SlackMessageRow(key=f"case:{case_id}", part="parent", channel="CTEAM", thread_ts=None,
                              created_at=slack.app.clock.now())
        s.add(row)
        s.commit()
        row_id = int(row.id or 0)

    def other_instance_posts() -> None:
        time.sleep(0.5)
        with Session(slack.app.engine) as s:
            posted = s.get(SlackMessageRow, row_id)
            assert posted is not None
            posted.ts = "1700000000.000100"
            s.add(posted)
            s.commit()

    with RowClaims(slack.app.engine, RowClaims.SLACK_MESSAGE) as other:
        assert other.claim(row_id)
        finisher = threading.Thread(target=other_instance_posts)
        finisher.start()
        assert sink.ensure_parent(case_id) == ("CTEAM", "1700000000.000100")
        finisher.join()
    assert not slack.fake.messages  # not posted a second time
    assert not slack.fake.named("conversations.history")  # a live claim is not a dead try: nothing to look up
    # a row without ts and without a claim is a try that died: Slack is asked for it, then it is posted once
    with Session(slack.app.engine) as s:
        s.add(SlackMessageRow(key="case:dead", part="parent", channel="CTEAM", thread_ts=None,
                              created_at=slack.app.clock.now()))
        s.commit()
    sink._post_once("case:dead", "parent", "CTEAM", [], "kaart")
    assert slack.fake.named("conversations.history") and posted_keys(slack) == Counter({("case:dead", "parent"): 1})


def test_weekly_digest_goes_to_the_channel_with_its_chart_once(slack: Harness) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.digest import run_digest

    slack.ingest("d011", "d031")
    monday = datetime(2026, 5, 11, 9, 5, tzinfo=ZoneInfo("Europe/Amsterdam"))
    _, png, _ = run_digest(slack.app, monday)
    slack.app.deliverer.deliver_pending()
    run_digest(slack.app, monday)  # the job ran twice this week
    slack.app.deliverer.deliver_pending()
    digests = [m for m in slack.fake.messages if "Weekoverzicht" in (m["text"] or "")]
    assert len(digests) == 1 and digests[0]["thread_ts"] is None
    assert list(slack.fake.uploads.values()) == [png.read_bytes()]
    done = slack.fake.completed_uploads
    assert len(done) == 1 and done[0]["thread_ts"] == digests[0]["ts"] and done[0]["channel_id"] == "CTEAM"

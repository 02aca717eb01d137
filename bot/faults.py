"""Fault injection for the crash tests: `IBT_CRASH_AT=point[:n]` kills the process at that point.

A port, not a mock: the shell calls `fault(point)` at each step of the pipeline (after_fetch,
after_archive, after_commit, before_delivery, during_delivery, after_delivery, before_ack; starting_reader and
while_reading in a reader worker, where `hang_while_reading` makes the worker hang instead); in production it
does nothing, and `ibt bench` uses the same hook as its stopwatch. Only the composition
root reads the environment variable (and hands it to the reader workers); the pure core never sees this.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable

POINTS = frozenset({"after_fetch", "after_archive", "after_commit", "during_delivery", "before_ack",
                    "starting_reader", "while_reading", "hang_while_reading", "before_delivery", "after_delivery"})


def no_fault(point: str) -> None:
    return None


def fault_from_env(value: str | None) -> Callable[[str], None]:
    """`after_commit` kills at the first passing of that point, `after_commit:3` at the third."""
    if not value:
        return no_fault
    point, _, nth = value.partition(":")
    if point not in POINTS:
        raise ValueError(f"IBT_CRASH_AT: unknown point {point!r}; one of {sorted(POINTS)}")
    target = int(nth or 1)
    seen: Counter[str] = Counter()

    def fault(at: str) -> None:
        seen[at] += 1
        if point == f"hang_{at}" and seen[at] == target:
            time.sleep(3600)
        if at == point and seen[at] == target:
            os.kill(os.getpid(), signal.SIGKILL)

    return fault

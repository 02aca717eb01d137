"""A sampling profiler for one question: which share of a call's time is spent inside given functions.

A tracing profiler (cProfile) charges every Python call, so code made of many small calls looks slower than it
is. Here a second thread looks at the measured thread's stack about every 0.2 ms and charges the time since its
last look to what it finds there. While the measured thread is inside a long C call (a regex, the tokenizer) the
sampler waits for the interpreter lock, and the whole wait is charged to the stack it sees afterwards, which is
still the code that made the call.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import CodeType
from typing import Any

_INTERVAL = 0.0002


def time_share(run: Callable[[], Any], within: CodeType, inside: Iterable[CodeType]) -> float:
    """Of the time `run()` spends in calls of `within`, the share spent in calls of any of `inside`."""
    target, wanted = threading.get_ident(), frozenset(inside)
    totals = [0.0, 0.0]  # time within, time inside
    done = threading.Event()

    def sample() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(_INTERVAL)
            now = time.perf_counter()
            frame = sys._current_frames().get(target)
            seen_within = seen_inside = False
            while frame is not None:
                seen_inside = seen_inside or frame.f_code in wanted
                seen_within = seen_within or frame.f_code is within
                frame = frame.f_back
            if seen_within:
                totals[0] += now - last
                totals[1] += (now - last) if seen_inside else 0.0
            last = now

    switch = sys.getswitchinterval()
    sys.setswitchinterval(_INTERVAL)  # the measured thread lets the sampler in as often as it asks
    sampler = threading.Thread(target=sample, name="ibt-sampler", daemon=True)
    sampler.start()
    try:
        run()
    finally:
        done.set()
        sampler.join()
        sys.setswitchinterval(switch)
    return totals[1] / totals[0] if totals[0] else 0.0

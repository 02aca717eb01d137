"""`ibt bench` runs end to end on a small workload and reports every figure (no time is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

KEYS = {"mails", "mails_per_second", "ratio_to_stdlib_parse", "p50_ms", "p99_ms", "peak_rss_mb",
        "stages_ms_per_mail", "chase_342_cases_ms", "cold_start_s", "reader_workers", "cpu_ms_per_mail",
        "single_process"}


def test_bench_reports_ratios(home: Path) -> None:
    r = CliRunner().invoke(app, ["bench", "--mails", "30", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout.splitlines()[-1])
    assert set(result) >= KEYS and result["mails"] == 30
    assert result["ratio_to_stdlib_parse"] > 0 and result["p99_ms"] >= result["p50_ms"] > 0
    assert set(result["stages_ms_per_mail"]) == {"read", "resolve_municipality_and_reference",
                                                 "archive_decide_commit", "deliver"}
    assert result["single_process"]["mails_per_second"] > 0
    assert 0 < result["stages_ms_per_mail"]["resolve_municipality_and_reference"] < result["stages_ms_per_mail"]["read"]


def test_the_sampler_charges_time_to_the_function_it_is_spent_in() -> None:
    """A ratio within one run, not a time: half the work inside `inner` (a C call holding the interpreter lock,
    as a regex or the tokenizer does), half outside it."""
    import re

    from bot.sampling import time_share

    text = "a" * 200_000
    slow = re.compile(r"(?:a|b)*c")  # fails after scanning the text: a long C call

    def inner() -> None:
        slow.search(text[:20_000])

    def outer() -> None:
        for _ in range(5):
            inner()
            slow.search(text[:20_000])

    def run() -> None:
        for _ in range(20):
            outer()

    share = time_share(run, outer.__code__, [inner.__code__])
    assert 0.3 < share < 0.7

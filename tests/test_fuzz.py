"""Hostile input: the whole reading step and the intake pipeline under fuzzing.

Mutated real mails (the dev corpus and, when present, ../shared/corpus/external), truncated and deeply
nested multiparts, huge headers, bad charsets, zip-bomb-like attachments and PDFs that are not PDFs: no
exception escapes, every mail ends as a reading or a quarantine with a reason, and time and memory stay
bounded (counted in work, not seconds). CI runs a bounded budget; `IBT_FUZZ_EXAMPLES=5000` runs longer.
"""

from __future__ import annotations

import base64
import io
import os
import random
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.sources import RawMail
from bot.bootstrap import App
from bot.core.explain import understand
from bot.reference_data import load_registry
from bot.settings import CONFIG_DIR
from parsers.model import Kind
from parsers.understand import ReadingContext
from tests.conftest import DEV, ROOT, SHARED

EXAMPLES = int(os.environ.get("IBT_FUZZ_EXAMPLES", "150"))
CTX = ReadingContext(registry=load_registry(CONFIG_DIR))
SEEDS = [p.read_bytes() for p in sorted(DEV.glob("*.eml"))]
EXTERNAL = sorted((SHARED / "corpus" / "external").rglob("*")) if (SHARED / "corpus" / "external").exists() else []
SEEDS += [p.read_bytes() for p in EXTERNAL if p.is_file() and p.suffix != ".tsv" and p.stat().st_size < 200_000][:150]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])
MAX_PEAK_MB = 200  # no single mail may make the reader hold more than this


def read_bounded(raw: bytes) -> Kind:
    """Read one mail under tracemalloc; its peak allocation must stay bounded."""
    tracemalloc.start()
    try:
        reading = understand(raw, CTX)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK_MB * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"
    assert reading.kind is not Kind.UNREADABLE or reading.unreadable_reason
    return reading.kind


def mime(parts: list[tuple[str, bytes]], headers: str = "") -> bytes:
    out = [f"From: a@hilversum.nl\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: fuzz\r\n{headers}"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"]
    for ctype, body in parts:
        out.append(f"--B\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
                   f"Content-Disposition: attachment; filename=\"x\"\r\n\r\n")
        out.append(base64.encodebytes(body).decode().replace("\n", "\r\n"))
    out.append("--B--\r\n")
    return "".join(out).encode()


@FUZZ
@given(st.sampled_from(range(len(SEEDS))), st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=64)),
                                                      max_size=10), st.floats(0.05, 1.0))
def test_mutated_real_mails(seed: int, edits: list[tuple[float, bytes]], keep: float) -> None:
    raw = bytearray(SEEDS[seed])
    for where, chunk in edits:
        pos = int(where * (len(raw) - 1))
        raw[pos: pos + len(chunk)] = chunk
    read_bounded(bytes(raw[: max(1, int(len(raw) * keep))]))


@settings(max_examples=max(10, EXAMPLES // 6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 400), st.sampled_from(["multipart/mixed", "multipart/alternative", "message/rfc822"]))
def test_deeply_nested_parts(depth: int, kind: str) -> None:
    body = b"Content-Type: text/plain\r\n\r\nkenmerk 7468089\r\n"
    for i in range(depth):
        if kind == "message/rfc822":
            body = b"Content-Type: message/rfc822\r\n\r\nSubject: n\r\n" + body
        else:
            head = f"Content-Type: {kind}; boundary=b{i}\r\n\r\n--b{i}\r\n".encode()
            body = head + body + f"\r\n--b{i}--\r\n".encode()
    read_bounded(b"From: x@y.nl\r\nSubject: nest\r\nMIME-Version: 1.0\r\n" + body)


@FUZZ
@given(st.integers(1, 2000), st.integers(100, 200_000), st.sampled_from(["utf-8", "x-unknown", "utf-7", "cp1252",
                                                                         "iso-2022-jp", "", "ébad"]))
def test_huge_headers_and_bad_charsets(count: int, length: int, charset: str) -> None:
    headers = "".join(f"X-H{i}: {'a' * (length // count)}\r\n" for i in range(count))
    raw = (f"From: =?{charset}?B?{base64.b64encode(b'Gemeente Ede').decode()}?= <a@ede.nl>\r\n{headers}"
           f"Subject: =?{charset}?Q?uitstel_=E9?=\r\nContent-Type: text/plain; charset=\"{charset}\"\r\n\r\n"
           ).encode() + "Geachte heer, wij vragen uitstel. Groet, gemeente Ede".encode("latin-1")
    read_bounded(raw)


def _zip_bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document>" + b"A" * size + b"</w:document>")
        z.writestr("[Content_Types].xml", b"<Types/>")
    return buf.getvalue()


@FUZZ
@given(st.integers(1_000, 60_000_000), st.binary(max_size=300))
def test_zip_bombs_and_pdfs_that_are_not_pdfs(inflated: int, junk: bytes) -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    read_bounded(mime([(docx, _zip_bomb(inflated)), ("application/pdf", b"%PDF-1.7\n" + junk),
                       ("application/pdf", junk), ("application/ms-tnef", junk)]))


def test_many_parts_come_back(tmp_path: Path) -> None:
    rnd = random.Random(7)
    parts = [("text/plain", bytes(rnd.getrandbits(8) for _ in range(50))) for _ in range(5000)]
    assert read_bounded(mime(parts)) in set(Kind)


def test_known_crashers() -> None:
    for f in sorted((ROOT / "tests" / "fixtures" / "crashers").glob("*.eml")):
        read_bounded(f.read_bytes())


@settings(max_examples=max(10, EXAMPLES // 10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(range(len(SEEDS))), st.binary(max_size=200), st.floats(0.05, 1.0))
def test_every_mail_ends_as_a_result_or_a_quarantine(app: App, seed: int, junk: bytes, keep: float) -> None:
    raw = SEEDS[seed][: max(1, int(len(SEEDS[seed]) * keep))] + junk
    outcome = app.intake.process(RawMail("fuzz", "x", raw), app.intake.reading_context())
    assert outcome in {"new", "duplicate", "quarantined"}


@pytest.mark.skipif(not EXTERNAL, reason="needs ../shared/corpus/external (absent here)")
def test_external_corpus_mails_all_read() -> None:
    for p in EXTERNAL:
        if p.is_file() and p.suffix != ".tsv" and p.name != "README.md":
            read_bounded(p.read_bytes())

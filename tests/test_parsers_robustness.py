"""Random and mutated bytes never make the reader raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.model import Kind
from parsers.registry import Registry, parse_municipalities_csv
from parsers.understand import ReadingContext, read_mail

ROOT = Path(__file__).resolve().parents[1]
CTX = ReadingContext(registry=Registry(parse_municipalities_csv(
    (ROOT / "config" / "gemeenten.csv").read_text(encoding="utf-8"))))
SEED = (ROOT / "tests" / "fixtures" / "dev" / "d011-hilversum-reactie-ibt.eml").read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(read_mail(raw, CTX).kind, Kind)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.binary(min_size=1, max_size=40)), max_size=8),
       st.integers(0, len(SEED)))
def test_mutated_mail_never_raises(edits: list[tuple[int, bytes]], cut: int) -> None:
    raw = bytearray(SEED)
    for pos, chunk in edits:
        raw[pos: pos + len(chunk)] = chunk
    assert isinstance(read_mail(bytes(raw[:cut] if cut > 100 else raw), CTX).kind, Kind)


def test_empty_and_headerless_input_is_unreadable() -> None:
    r = read_mail(b"", CTX)
    assert r.kind is Kind.UNREADABLE and r.needs_triage and r.unreadable_reason


def test_a_docx_that_unpacks_to_a_huge_document_is_refused_not_read() -> None:
    import io
    import zipfile

    from parsers.attachments import MAX_DOCX_XML, extract_attachment_text

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * (MAX_DOCX_XML + 1))
    assert len(buf.getvalue()) < 100_000  # a zip bomb: small packed, huge unpacked
    text, note = extract_attachment_text("brief.docx", "", buf.getvalue())
    assert text == "" and "not readable" in note

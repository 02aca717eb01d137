"""Security of the inputs: nothing from a mail is written outside the archive or executed, HTML is never
rendered, and no secret or full address reaches a log line."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from bot.logsafe import RedactingFilter, redact
from tests.conftest import ROOT

FORBIDDEN_IN_PARSERS = {"open", "exec", "eval", "compile", "__import__"}
FORBIDDEN_MODULES = {"os", "subprocess", "shutil", "socket", "tempfile", "pathlib", "webbrowser"}


def test_the_reader_touches_no_file_and_runs_nothing() -> None:
    for path in (ROOT / "parsers").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_IN_PARSERS, f"{path.name}: {node.func.id}()"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = {a.name.split(".")[0] for a in node.names} if isinstance(node, ast.Import) else {
                    (node.module or "").split(".")[0]}
                assert not names & FORBIDDEN_MODULES, f"{path.name}: imports {names & FORBIDDEN_MODULES}"


def test_html_is_turned_into_text_never_rendered() -> None:
    from parsers.htmltext import html_to_text

    text = html_to_text('<p>Geachte heer,</p><script>alert(1)</script><img src="http://x/y.png">'
                        '<style>p{}</style><a href="javascript:x()">klik</a>')
    assert "alert(1)" not in text and "p{}" not in text and "Geachte heer" in text


def test_log_lines_mask_addresses_and_secrets(caplog: pytest.LogCaptureFixture) -> None:
    assert redact("550 <j.jansen@hilversum.nl> unknown; token xoxb-123", ("xoxb-123",)) == \
        "550 <…@hilversum.nl> unknown; token [secret]"
    logger = logging.getLogger("ibt.test")
    logger.addFilter(RedactingFilter(("s3cret",)))
    try:
        with caplog.at_level(logging.WARNING):
            logger.warning("refused %s with %s", "info@ede.nl", "s3cret")
    finally:
        logger.filters.clear()
    assert caplog.messages == ["refused …@ede.nl with [secret]"]


def test_no_secret_in_the_shipped_configuration() -> None:
    text = (ROOT / "config" / "ibt.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().startswith("#") or "=" not in line:
            continue
        key = line.split("=", 1)[0].strip().lower()
        assert not any(w in key for w in ("password", "secret", "token")) or key.endswith(("_url", "_env")), line


def test_archive_paths_come_from_the_content_hash_only(tmp_path: Path) -> None:
    from bot.adapters.archive import Archive

    digest, path = Archive(tmp_path).save(b"Subject: ../../etc/passwd\r\n\r\nx")
    assert path.is_relative_to(tmp_path) and path.name == f"{digest}.eml"

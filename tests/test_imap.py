"""The IMAP source against a real Dovecot on loopback: new mail, restart, UIDVALIDITY change, IDLE."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest
from imapclient import IMAPClient

from bot.adapters.imap_source import ImapSource
from bot.bootstrap import App
from bot.settings import ImapSettings
from bot.store.source_state import SourceStateStore
from bot.watch import poll
from tests.conftest import DEV

pytestmark = pytest.mark.imap
LIMIT = 50 * 1024 * 1024
_folders = itertools.count(1)


@pytest.fixture
def folder(imap_server: dict[str, object]) -> Iterator[str]:
    name = f"T{next(_folders)}"
    with _client(imap_server) as c:
        c.create_folder(name)
    yield name


def _client(server: dict[str, object]) -> IMAPClient:
    c = IMAPClient(str(server["host"]), port=int(str(server["port"])), ssl=False)
    c.login(str(server["user"]), str(server["password"]))
    return c


def _append(server: dict[str, object], folder: str, *names: str) -> None:
    with _client(server) as c:
        for n in names:
            c.append(folder, (DEV / n).read_bytes())


def _source(app: App, server: dict[str, object], folder: str, **kw: object) -> ImapSource:
    cfg = ImapSettings(host=str(server["host"]), port=int(str(server["port"])), tls="none",
                       username=str(server["user"]), folder=folder, **kw)  # type: ignore[arg-type]
    return ImapSource(cfg, str(server["password"]), LIMIT, SourceStateStore(app.engine))


def _flags(server: dict[str, object], folder: str) -> list[tuple[bytes, ...]]:
    with _client(server) as c:
        c.select_folder(folder, readonly=True)
        return [tuple(v[b"FLAGS"]) for _, v in sorted(c.fetch(c.search("ALL"), ["FLAGS"]).items())]


def test_new_mail_is_flagged_after_commit_and_never_marked_seen(app: App, imap_server: dict[str, object],
                                                                 folder: str) -> None:
    _append(imap_server, folder, "d011-hilversum-reactie-ibt.eml", "d009-breda-uitstel-beantwoording.eml")
    source = _source(app, imap_server, folder)
    assert poll(app, source)["new"] == 2
    flags = _flags(imap_server, folder)
    assert all(b"\\Seen" not in f for f in flags)
    assert all(b"$IbtProcessed" in f or b"$IbtManual" in f for f in flags)
    validity, last_uid = SourceStateStore(app.engine).load_uid(source.name)
    assert validity and last_uid == 2
    source.close()


def test_restart_reads_only_what_is_new(app: App, imap_server: dict[str, object], folder: str) -> None:
    _append(imap_server, folder, "d011-hilversum-reactie-ibt.eml")
    first = _source(app, imap_server, folder)
    assert poll(app, first)["new"] == 1
    first.close()
    restarted = _source(app, imap_server, folder)
    assert poll(app, restarted) == {"new": 0, "duplicate": 0, "quarantined": 0}
    _append(imap_server, folder, "d009-breda-uitstel-beantwoording.eml")
    assert poll(app, restarted) == {"new": 1, "duplicate": 0, "quarantined": 0}
    health = {h.name: h for h in SourceStateStore(app.engine).health()}[restarted.name]
    assert health.last_success_at is not None
    restarted.close()


def test_uidvalidity_change_rescans_without_doubles(app: App, imap_server: dict[str, object], folder: str) -> None:
    _append(imap_server, folder, "d011-hilversum-reactie-ibt.eml", "d009-breda-uitstel-beantwoording.eml")
    source = _source(app, imap_server, folder)
    assert poll(app, source)["new"] == 2
    old_validity, _ = SourceStateStore(app.engine).load_uid(source.name)
    source.close()
    with _client(imap_server) as c:  # the folder is rebuilt: new UIDVALIDITY, our keywords are gone
        c.delete_folder(folder)
        c.create_folder(folder)
    _append(imap_server, folder, "d011-hilversum-reactie-ibt.eml", "d009-breda-uitstel-beantwoording.eml",
            "d007-groningen-reactie-kenmerk-met-spaties.eml")
    assert poll(app, source) == {"new": 1, "duplicate": 2, "quarantined": 0}
    new_validity, last_uid = SourceStateStore(app.engine).load_uid(source.name)
    assert new_validity != old_validity and last_uid == 3
    source.close()


def test_idle_wakes_up_when_mail_arrives(app: App, imap_server: dict[str, object], folder: str) -> None:
    source = _source(app, imap_server, folder)
    assert poll(app, source)["new"] == 0
    timer = threading.Timer(0.5, _append, (imap_server, folder, "d011-hilversum-reactie-ibt.eml"))
    timer.start()
    started = time.monotonic()
    source.wait(20)
    assert time.monotonic() - started < 10
    timer.join()
    assert poll(app, source)["new"] == 1
    source.close()


def test_refused_login_is_a_source_failure_not_a_crash(app: App, imap_server: dict[str, object],
                                                       folder: str) -> None:
    cfg = ImapSettings(host=str(imap_server["host"]), port=int(str(imap_server["port"])), tls="none",
                       username=str(imap_server["user"]), folder=folder)
    source = ImapSource(cfg, "wrong", LIMIT, SourceStateStore(app.engine))
    assert poll(app, source)["failed"] == 1
    health = {h.name: h for h in SourceStateStore(app.engine).health()}[source.name]
    assert health.failing_since is not None and "refused" in (health.last_error or "")

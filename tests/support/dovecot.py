"""A real Dovecot IMAP server on loopback for the `imap` tests (shared/notes/stack.md Appendix C).

Its folder comes from mkdtemp with mode 0755, not pytest's tmp_path (0700): Dovecot's auth and mail
processes run as other users and must traverse it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER, PASSWORD = "bot@example.test", "secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(d: Path, port: int, uid: int, gid: int, extra: str) -> str:
    return f"""base_dir = {d}/run
state_dir = {d}/state
instance_name = test-{port}
log_path = {d}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
first_valid_uid = 1
{extra}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@contextmanager
def dovecot(binary: str) -> Iterator[dict[str, object]]:
    d = Path(tempfile.mkdtemp(prefix="dovecot-"))
    d.chmod(0o755)
    port = _free_port()
    (d / "mail").mkdir()
    if os.geteuid() == 0:
        u, extra = pwd.getpwnam("nobody"), ""
        os.chown(d / "mail", u.pw_uid, u.pw_gid)
    else:
        u = pwd.getpwuid(os.geteuid())
        extra = f"default_internal_user = {u.pw_name}\ndefault_login_user = {u.pw_name}\n"
    (d / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (d / "dovecot.conf").write_text(_config(d, port, u.pw_uid, u.pw_gid, extra))
    proc = subprocess.Popen([binary, "-F", "-c", str(d / "dovecot.conf")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (d / "dovecot.log").read_text() if (d / "dovecot.log").exists() else ""
                    raise RuntimeError(f"dovecot did not start: {log}") from None
                time.sleep(0.02)
        yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD, "dir": d}
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)

"""A wire-level stand-in for the Slack Web API on loopback, and a signer for interaction payloads.

The real slack_sdk WebClient talks HTTP to it (base_url). It records every call (method, body, token),
keeps the posted messages (with their metadata, so conversations.history/replies can find them) and can
answer like Slack does when things go wrong: 429 with Retry-After, a 503 outage, or a post that succeeds
but whose answer is lost.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from slack_sdk.signature import SignatureVerifier


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str | None


@dataclass
class FakeSlack:
    usergroup_members: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    outage: bool = False  # every call answers 503
    rate_limited: int = 0  # the next N calls answer 429 with Retry-After
    retry_after: int = 1
    lose_next_post_answer: bool = False  # the next chat.postMessage is stored, but answered with a 500
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id → bytes sent to its upload URL
    completed_uploads: list[dict[str, Any]] = field(default_factory=list)  # files.completeUploadExternal bodies

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def named(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def answer(self, method: str, body: dict[str, Any],
               token: str | None) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.calls.append(Call(method, body, token))
            if self.outage:
                return 503, {}, {"ok": False, "error": "service_unavailable"}
            if self.rate_limited > 0:
                self.rate_limited -= 1
                return 429, {"Retry-After": str(self.retry_after)}, {"ok": False, "error": "ratelimited"}
            return self._ok(method, body)

    def _ok(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        if method == "auth.test":
            return 200, {}, {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "url": "https://x/"}
        if method == "chat.postMessage":
            msg = {"ts": f"1700000000.{next(self._ts):06d}", "channel": body.get("channel"),
                   "text": body.get("text"), "blocks": _json(body.get("blocks")),
                   "thread_ts": body.get("thread_ts"), "metadata": _json(body.get("metadata"))}
            self.messages.append(msg)
            if self.lose_next_post_answer:
                self.lose_next_post_answer = False
                return 500, {}, {"ok": False, "error": "internal_error"}
            return 200, {}, {"ok": True, "channel": msg["channel"], "ts": msg["ts"], "message": msg}
        if method == "chat.update":
            for msg in self.messages:
                if msg["ts"] == body.get("ts") and msg["channel"] == body.get("channel"):
                    msg.update(text=body.get("text"), blocks=_json(body.get("blocks")))
                    return 200, {}, {"ok": True, "channel": msg["channel"], "ts": msg["ts"]}
            return 200, {}, {"ok": False, "error": "message_not_found"}
        if method in ("conversations.history", "conversations.replies"):
            ch, ts = body.get("channel"), body.get("ts")
            found = [m for m in self.messages if m["channel"] == ch and
                     (m["thread_ts"] is None if method == "conversations.history" else ts in (m["ts"], m["thread_ts"]))]
            return 200, {}, {"ok": True, "messages": list(reversed(found)), "has_more": False}
        if method == "usergroups.users.list":
            return 200, {}, {"ok": True, "users": self.usergroup_members.get(str(body.get("usergroup")), [])}
        if method == "users.info":
            return 200, {}, {"ok": True, "user": {"id": body.get("user"), "real_name": "Medewerker"}}
        if method == "files.getUploadURLExternal":
            fid = f"F{next(self._ts)}"
            return 200, {}, {"ok": True, "upload_url": f"{self.base_url}upload/{fid}", "file_id": fid}
        if method == "files.completeUploadExternal":
            files = _json(body.get("files")) or []
            self.completed_uploads.append({**body, "files": files})
            return 200, {}, {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "views.open":
            return 200, {}, {"ok": True, "view": {"id": "VNEW", **(_json(body.get("view")) or {})}}
        return 200, {}, {"ok": True}

    def thread(self, channel: str, parent_ts: str) -> list[dict[str, Any]]:
        """Copies of the replies in a thread, oldest first (as they are now: later updates do not change them)."""
        return [copy.deepcopy(m) for m in self.messages if m["channel"] == channel and m["thread_ts"] == parent_ts]


def _json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            data_in = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if urlparse(self.path).path.startswith("/upload/"):  # files_upload_v2: the file's bytes
                fake.uploads[urlparse(self.path).path.rsplit("/", 1)[-1]] = data_in
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")
                return
            raw = data_in.decode()
            if "json" in (self.headers.get("Content-Type") or ""):
                body = json.loads(raw or "{}")
            else:
                body = {k: v[0] for k, v in parse_qs(raw).items()}
            method = urlparse(self.path).path.strip("/").split("/")[-1]
            status, headers, out = fake.answer(method, body, self.headers.get("Authorization"))
            data = json.dumps(out).encode()
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def signed_post(url: str, body: str, secret: str, *, content_type: str = "application/x-www-form-urlencoded",
                age: int = 0) -> tuple[int, str]:
    """POST `body` to the app, signed as Slack signs it (optionally `age` seconds old)."""
    ts = str(int(time.time()) - age)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def interaction(payload: dict[str, Any]) -> str:
    return f"payload={quote(json.dumps(payload))}"

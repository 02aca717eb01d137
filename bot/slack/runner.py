"""Start Slack for `ibt run`: the sink's WebClient, and the Bolt app over Socket Mode or signed HTTP.

Socket Mode (the default) opens an outbound WebSocket, so the ministry network exposes nothing. HTTP mode
serves Bolt through its WSGI adapter on a threaded stdlib server; Bolt refuses any request whose signature
(SLACK_SIGNING_SECRET) is wrong or older than five minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App as BoltApp
from slack_sdk import WebClient

from bot.bootstrap import App
from bot.settings import Settings
from bot.slack.access import Access
from bot.slack.app import build_bolt_app
from bot.slack.sink import SlackSink

log = logging.getLogger(__name__)


def make_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if settings.slack.base_url:
        return WebClient(token=token, base_url=settings.slack.base_url, timeout=15)
    return WebClient(token=token, timeout=15)


def bolt_for(app: App) -> BoltApp:
    """The Bolt app for a wired application whose alerts go to Slack."""
    sink = app.deliverer.alerts
    if not isinstance(sink, SlackSink):
        raise RuntimeError("Slack is not configured (SLACK_BOT_TOKEN is not set)")
    cfg, secret = app.settings.slack, app.settings.slack_signing_secret
    access = Access(sink.client, cfg.allowed_users, cfg.allowed_usergroup, app.clock)
    return build_bolt_app(app, sink, access, signing_secret=secret.get_secret_value() if secret else "",
                          process_before_response=cfg.mode == "http")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("slack http: " + format, *args)


def serve_http(bolt: BoltApp, host: str, port: int, path: str) -> tuple[WSGIServer, threading.Thread]:
    """Bolt behind a threaded WSGI server (a thread per request, so a slow Slack call blocks no one)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    server = make_server(host, port, SlackRequestHandler(bolt, path=path), server_class=_ThreadingWSGIServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="slack-http", daemon=True)
    thread.start()
    return server, thread


def start_slack(app: App) -> Callable[[], None]:
    """Start listening to Slack in background threads; returns the function that stops it."""
    bolt = bolt_for(app)
    cfg = app.settings.slack
    if cfg.mode == "http":
        server, _ = serve_http(bolt, cfg.http_host, cfg.http_port, cfg.http_path)
        log.info("slack: listening on http://%s:%s%s", cfg.http_host, cfg.http_port, cfg.http_path)
        return server.shutdown
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = app.settings.slack_app_token.get_secret_value() if app.settings.slack_app_token else ""
    handler = SocketModeHandler(bolt, token, web_client=bolt.client)
    # the builtin client keeps the WebSocket in its own threads and reconnects
    handler.connect()  # type: ignore[no-untyped-call]
    log.info("slack: connected over Socket Mode")
    return handler.close

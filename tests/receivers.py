"""Local stand-ins at the protocol boundary for what cannot run here: a real SMTP server (aiosmtpd) and a
real webhook receiver (http.server), both on 127.0.0.1, recording what they are sent."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import serve_loopback


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP handler that keeps every message; logins succeed with ``password``."""

    def __init__(self, password: str = ""):
        self.password = password
        self.messages: list[dict] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content, policy=email_policy)
        self.messages.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "subject": str(msg["subject"]),
                              "body": msg.get_content(), "type": msg.get_content_type(), "at": time.monotonic()})
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password.decode() == self.password)


@contextmanager
def smtp_server(password: str = "") -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox(password)
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


class Hooks(BaseHTTPRequestHandler):
    """Records JSON posts; ``/down`` always answers 500, ``/flaky`` the first time only."""

    received: list[tuple[str, dict, float]] = []
    answered: dict[str, int] = {}

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        path = self.path
        Hooks.answered[path] = Hooks.answered.get(path, 0) + 1
        failing = path == "/down" or (path == "/flaky" and Hooks.answered[path] == 1)
        if not failing:
            Hooks.received.append((path, body, time.monotonic()))
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def webhook_receiver() -> Iterator[int]:
    Hooks.received, Hooks.answered = [], {}
    with serve_loopback(Hooks, "127.0.0.1") as port:
        yield port

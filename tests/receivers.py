"""Real local receivers for nudges: an SMTP server (aiosmtpd) and an HTTP endpoint on 127.0.0.1, each
on a free port; `point_to` rewrites the example contracts' addresses (ports 2525 and 8765) to them."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def point_to(text: str, smtp: SmtpInbox, http: HttpInbox) -> str:
    """The example contracts' notification URLs, aimed at these receivers."""
    return text.replace("localhost:2525", f"localhost:{smtp.port}").replace("localhost:8765", f"localhost:{http.port}")


@dataclass
class Mail:
    to: list[str]
    subject: str
    text: str
    html: str


class SmtpInbox:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
        self.mails.append(Mail(list(envelope.rcpt_tos), str(message["Subject"]), parts.get("text/plain", ""),
                               parts.get("text/html", "")))
        return "250 OK"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.to]


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class HttpInbox:
    """Records every POST; while `down` is set it answers 503 (a webhook that is down). `on_post` runs
    after a POST was recorded and before it is answered (to kill a sender in between)."""

    port: int = field(default_factory=free_port)
    posts: list[Post] = field(default_factory=list)
    down: bool = False
    on_post: Callable[[], None] | None = None

    def start(self) -> None:
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if inbox.down:
                    self.send_response(503)
                else:
                    inbox.posts.append(Post(self.path, dict(self.headers), json.loads(body or b"{}")))
                    if inbox.on_post is not None:
                        inbox.on_post()
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

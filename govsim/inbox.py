"""The subscribers' side of the replica world: a local SMTP mailbox and a local webhook.

For the demo, the tests and the benchmarks (no TLS, no auth, 127.0.0.1 only). ``LocalMailbox`` is an
aiosmtpd server that keeps every accepted message; ``LocalWebhook`` records each JSON POST and can be
told to fail (answer 500) for the next N requests or until told otherwise, or to answer slowly.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (for a server that is started later, or never)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message["subject"] or "")

    @property
    def text(self) -> str:
        """Every text part, decoded (HTML parts included as HTML)."""
        parts = []
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)

    @property
    def readable(self) -> str:
        """What a mail client shows: the HTML part (with the diff marks), else the plain one."""
        part = self.message.get_body(preferencelist=("html", "plain"))
        return str(part.get_content()) if part is not None else self.text


class _Handler:
    def __init__(self, box: LocalMailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8")
        with self.box._lock:
            self.box._messages.append(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"


class LocalMailbox:
    """An SMTP server on 127.0.0.1 that stores messages in ``.messages``.

    Apprise URL for it: :meth:`apprise_url` (``mailto://127.0.0.1:PORT?mode=insecure&from=…&to=…``).
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> Self:
        if self._controller is None:
            self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Wait until the mailbox holds at least ``count`` messages (then return them all)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages
            if len(messages) >= count:
                return messages
            time.sleep(0.05)
        return self.messages

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def apprise_url(self, to: str = "subscriber@example.org", sender: str = "policywatch@example.org") -> str:
        return f"mailto://{self.host}:{self.port}?mode=insecure&from={sender}&to={to}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class _WebhookState:
    posts: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    fail_always: bool = False
    status_on_failure: int = 500
    delay: float = 0.0  # seconds between recording a POST and answering it
    connections: int = 0  # TCP connections accepted (fewer than posts: senders reuse them)
    open_sockets: set[socket.socket] = field(default_factory=set)  # closed by stop(): a stopped
    # receiver answers no one, not even over a connection a sender keeps alive
    lock: threading.Lock = field(default_factory=threading.Lock)


class _WebhookServer(ThreadingHTTPServer):
    # The sender opens up to its window (32) of connections at once; the default listen backlog of 5
    # refused some of them on a loaded machine (a backlog test saw 227 of 230 arrive).
    request_queue_size = 128


class LocalWebhook:
    """An HTTP server on 127.0.0.1 that records JSON POSTs (``.posts``: path, headers, json).

    ``fail_next(n)`` makes the next n requests answer 500 (nothing recorded); ``fail_always``
    toggles failing until reset; ``answer_after(seconds)`` records each POST at once but answers it
    only after ``seconds`` (a slow receiver: the message is delivered before the sender hears so). Apprise URL: :meth:`apprise_url` (``json://127.0.0.1:PORT/path``).

    Like a real webhook receiver it speaks HTTP/1.1 with keep-alive, so a sender may post many
    messages over one connection; ``.connections`` counts the connections it accepted.
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._state = _WebhookState()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        state = self._state

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: one connection carries many posts
            disable_nagle_algorithm = True  # TCP_NODELAY: the small answer leaves at once

            def setup(self) -> None:
                super().setup()
                with state.lock:
                    state.connections += 1
                    state.open_sockets.add(self.connection)

            def finish(self) -> None:
                with state.lock:
                    state.open_sockets.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender went away mid-request (a killed cycle): like any real receiver,
                    # a half-received body is no delivery, and there is no one left to answer.
                    self.close_connection = True
                    return
                with state.lock:
                    failing = state.fail_always or state.fail_next > 0
                    if state.fail_next > 0:
                        state.fail_next -= 1
                    if not failing:
                        try:
                            payload: Any = json.loads(body.decode("utf-8") or "null")
                        except ValueError:
                            payload = {"raw": body.decode("utf-8", "replace")}
                        state.posts.append(
                            {"path": self.path, "headers": dict(self.headers), "json": payload}
                        )
                    delay = state.delay
                if delay:
                    time.sleep(delay)
                answer = b'{"ok": false}' if failing else b'{"ok": true}'
                self.send_response(state.status_on_failure if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _WebhookServer((self.host, self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-webhook", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            with self._state.lock:
                for sock in self._state.open_sockets:
                    with contextlib.suppress(OSError):  # the sender closed it already
                        sock.shutdown(socket.SHUT_RDWR)
                self._state.open_sockets.clear()

    @property
    def posts(self) -> list[dict[str, Any]]:
        with self._state.lock:
            return list(self._state.posts)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        with self._state.lock:
            return self._state.connections

    def fail_next(self, count: int, status: int = 500) -> None:
        with self._state.lock:
            self._state.fail_next = count
            self._state.status_on_failure = status

    def set_failing(self, failing: bool, status: int = 500) -> None:
        with self._state.lock:
            self._state.fail_always = failing
            self._state.status_on_failure = status

    def answer_after(self, seconds: float) -> None:
        with self._state.lock:
            self._state.delay = seconds

    def clear(self) -> None:
        with self._state.lock:
            self._state.posts.clear()

    def apprise_url(self, path: str = "/hook") -> str:
        return f"json://{self.host}:{self.port}{path}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

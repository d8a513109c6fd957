"""A small HTTP/1.1 server on asyncio streams, with the low-level control faults need.

A framework would hide what govsim must be able to do: reset a connection (TCP RST), send
fewer bytes than Content-Length promised, or stall before answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
IDLE_TIMEOUT = 30.0


@dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    version: str = "HTTP/1.1"

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"))) if self.body else {}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to stall before answering
    action: str = "send"  # send | reset | truncate
    fault: str | None = None  # which fault produced it, for the request log
    kind: str = "other"  # the path kind (list, detail, …), for the request log


Handler = Callable[[Request], Awaitable[Response]]
Logger = Callable[[Request, Response, int], None]


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(min(length, MAX_BODY_BYTES)) if length else b""
    parts = urlsplit(target)
    return Request(
        method=method.upper(),
        target=target,
        path=unquote(parts.path) or "/",
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body,
        version=version,
    )


def _head_bytes(response: Response, keep_alive: bool, length: int) -> bytes:
    reason = (
        HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else "Unknown"
    )
    headers = {"Date": formatdate(usegmt=True), "Server": "nginx", **response.headers}
    headers["Content-Length"] = str(length)
    headers["Connection"] = "keep-alive" if keep_alive else "close"
    lines = [f"HTTP/1.1 {response.status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler, log: Logger | None
) -> None:
    """Answer requests on one connection until the client or a fault closes it."""
    try:
        while True:
            request = await _read_request(reader)
            if request is None:
                break
            response = await handler(request)
            if response.delay:
                await asyncio.sleep(response.delay)
            if response.action == "reset":
                if log:
                    log(request, response, 0)
                _reset(writer)
                return
            keep_alive = (
                request.version == "HTTP/1.1" and request.headers.get("connection", "").lower() != "close"
            )
            body = b"" if request.method == "HEAD" or response.status == 304 else response.body
            if response.action == "truncate":
                sent = body[: len(body) // 2]
                writer.write(_head_bytes(response, False, len(body)) + sent)
                await writer.drain()
                if log:
                    log(request, response, len(sent))
                break
            writer.write(_head_bytes(response, keep_alive, len(body)) + body)
            await writer.drain()
            if log:
                log(request, response, len(body))
            if not keep_alive:
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        if not writer.transport.is_closing():
            writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def start_server(host: str, port: int, handler: Handler, log: Logger | None = None) -> asyncio.Server:
    """Listen on ``host:port`` (port 0: ephemeral) and answer with ``handler``."""

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(reader, writer, handler, log)

    return await asyncio.start_server(
        on_connect, host, port, limit=MAX_HEADER_BYTES, backlog=1024, reuse_address=True
    )

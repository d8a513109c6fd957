"""At connection time: the crawler's resolver refuses a name that resolves to a forbidden address.

Run in a subprocess (its own Twisted reactor, as a crawl has): an HTTP client connects through the
reactor's resolver, the way Scrapy's downloader does, to a server listening on 127.0.0.1 under the
name ``localhost``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import json
from twisted.internet import asyncioreactor
asyncioreactor.install()
from twisted.internet import reactor, defer, protocol
from twisted.web.client import Agent
from spiders.resolver import ConfinedResolver

connections = []

class Answer(protocol.Protocol):
    def connectionMade(self):
        connections.append(1)
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        self.transport.loseConnection()

port = reactor.listenTCP(0, protocol.Factory.forProtocol(Answer), interface="127.0.0.1").getHost().port
resolver = ConfinedResolver(reactor, 100, 5.0)
resolver.install_on_reactor()

async def fetch():
    try:
        response = await Agent(reactor).request(b"GET", f"http://localhost:{port}/".encode())
        return f"HTTP {response.code}"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"

async def main():
    results = {"refused": await fetch(), "connections_refused": len(connections)}
    resolver.allow_private_network(["localhost"])
    results["allowed"] = await fetch()
    results["connections_allowed"] = len(connections)
    print(json.dumps(results))
    reactor.stop()

reactor.callWhenRunning(lambda: defer.ensureDeferred(main()))
reactor.run()
"""


def test_a_name_resolving_to_loopback_is_refused_when_connecting_unless_allowed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["connections_refused"] == 0, results
    assert "DNSLookupError" in results["refused"], results
    assert results["allowed"] == "HTTP 200" and results["connections_allowed"] == 1, results

"""Run govsim: one listener per site on its own loopback address, plus the admin API.

One asyncio loop serves everything. Site ``i`` listens on the ``i``-th address after the host
prefix (127.0.0.2, 127.0.0.3, … then 127.0.1.1, …), so every site has its own hostname as on
the real web, and a crawler that throttles per host throttles per site.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from govsim.admin import AdminApp
from govsim.httpcore import start_server
from govsim.siteapp import SiteApp
from govsim.sites import write_site_entries
from govsim.world import World


@dataclass
class ServeOptions:
    state_dir: Path
    seed: int = 7
    scale: tuple[int, int] | None = None
    sites: list[str] | None = None
    host_prefix: str = "127.0.0"
    port_base: int = 0  # 0: ephemeral ports; else site i listens on port_base + i
    admin_port: int = 0
    admin_host: str = "127.0.0.1"


def host_for(prefix: str, index: int) -> str:
    """The loopback address of site ``index`` (0-based): prefix.2, prefix.3, … wrapping the third octet."""
    octets = [int(p) for p in prefix.split(".")]
    if len(octets) != 3:
        raise ValueError(f"--host-prefix must have three octets like 127.0.0, not {prefix!r}")
    number = octets[2] * 254 + index + 1  # skip .0 (network) and .1 (the admin API)
    third, fourth = divmod(number, 254)
    return f"{octets[0]}.{octets[1]}.{third}.{fourth + 1}"


class Govsim:
    """The running simulation: world, site servers, admin server, state dir."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.world = World(options.seed, scale=options.scale, sites=options.sites)
        self.servers: list[asyncio.Server] = []
        self.admin_url = ""
        self._alias_index = 0

    async def start(self) -> None:
        opts = self.options
        for index, state in enumerate(self.world.sites.values()):
            host = host_for(opts.host_prefix, index)
            port = opts.port_base + index if opts.port_base else 0
            app = SiteApp(self.world, state)
            server = await start_server(host, port, app, app.log)
            self.servers.append(server)
            bound = server.sockets[0].getsockname()[1]
            state.base_url = f"http://{host}:{bound}"
        admin = await start_server(opts.admin_host, opts.admin_port, AdminApp(self.world, self.ensure_alias))
        self.servers.append(admin)
        self.admin_url = f"http://{opts.admin_host}:{admin.sockets[0].getsockname()[1]}"
        self.write_state()

    async def ensure_alias(self, slug: str) -> str:
        """Start (once) a second listener for ``slug`` on another address: the redirect target."""
        state = self.world.site(slug)
        if state.alias_url:
            return state.alias_url
        prefix = self.options.host_prefix.rsplit(".", 1)[0] + ".200"
        host = host_for(prefix, self._alias_index)
        self._alias_index += 1
        app = SiteApp(self.world, state, alias=True)
        server = await start_server(host, 0, app, app.log)
        self.servers.append(server)
        state.alias_url = f"http://{host}:{server.sockets[0].getsockname()[1]}"
        return state.alias_url

    def write_state(self) -> None:
        state_dir = self.options.state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        base_urls = {slug: s.base_url for slug, s in self.world.sites.items()}
        # The replicas are on 127.0.0.x, which the crawler refuses unless the entry allows it.
        overrides = {
            slug: {"base_url": url, "allow_private_network": True} for slug, url in base_urls.items()
        }
        (state_dir / "overrides.json").write_text(json.dumps(overrides, indent=2), encoding="utf-8")
        specs = [s.spec for s in self.world.sites.values()]
        write_site_entries(state_dir / "sites", specs, base_urls)
        state = {
            "admin_url": self.admin_url,
            "pid": os.getpid(),
            "seed": self.world.seed,
            "scale": list(self.options.scale) if self.options.scale else None,
            "base_urls": base_urls,
            "started_at": time.time(),
        }
        tmp = state_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(state_dir / "state.json")  # atomic: readers never see half a file

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)


async def serve_forever(options: ServeOptions, *, announce: bool = True) -> None:
    """Start govsim and serve until SIGINT/SIGTERM."""
    sim = Govsim(options)
    await sim.start()
    if announce:
        print(f"govsim: {len(sim.world.sites)} sites, admin API at {sim.admin_url}", flush=True)
        for slug, state in list(sim.world.sites.items())[:12]:
            print(f"  {slug:16} {state.spec.flavour:7} {state.base_url}{state.spec.list_path}", flush=True)
        if len(sim.world.sites) > 12:
            print(
                f"  … and {len(sim.world.sites) - 12} more (see {options.state_dir / 'overrides.json'})",
                flush=True,
            )
        print(f"govsim: ready; state in {options.state_dir}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sim.close()
        with contextlib.suppress(OSError):
            (options.state_dir / "state.json").unlink()

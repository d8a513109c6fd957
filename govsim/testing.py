"""Start govsim in a subprocess for tests, the demo and benchmarks, and point the pipeline at it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from config import Settings
from govsim.client import GovsimClient

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The replica answers in milliseconds: the real sites' politeness delays (seconds) are not needed.
REPLICA_DELAY_SCALE = 0.01


@dataclass
class GovsimHandle:
    """A running govsim: where its sites are and how to drive it."""

    state_dir: Path
    base_urls: dict[str, str]
    overrides_file: Path
    sites_dir: Path
    admin_url: str
    admin: GovsimClient
    process: subprocess.Popen[bytes]

    @property
    def site_overrides(self) -> dict[str, dict[str, object]]:
        """The overrides file's ``{slug: {base_url, allow_private_network}}``, for ``sites.load_registry``."""
        overrides: dict[str, dict[str, object]] = json.loads(self.overrides_file.read_text(encoding="utf-8"))
        return overrides

    def environment(
        self,
        *,
        database_url: str,
        subscriptions: Path | None = None,
        sites_dirs: Sequence[Path] | None = None,
        delay_scale: float = REPLICA_DELAY_SCALE,
    ) -> dict[str, str]:
        """The ``POLICYWATCH_*`` variables that run the pipeline against this world.

        ``sites_dirs`` default to the seed entries (``sites/``) and this world's synthetic ones; the
        overrides file points the seed entries at their replicas. ``subscriptions`` is left unset
        when None.
        """
        dirs = (*Settings().sites_dirs, self.sites_dir) if sites_dirs is None else tuple(sites_dirs)
        env = {
            "POLICYWATCH_DATABASE_URL": database_url,
            "POLICYWATCH_SITE_OVERRIDES": str(self.overrides_file),
            "POLICYWATCH_SITES_DIRS": os.pathsep.join(str(d) for d in dirs),
            "POLICYWATCH_DELAY_SCALE": str(delay_scale),
        }
        if subscriptions is not None:
            env["POLICYWATCH_SUBSCRIPTIONS"] = str(subscriptions)
        return env


@contextlib.contextmanager
def running_govsim(
    state_dir: Path,
    *,
    seed: int = 7,
    scale: tuple[int, int] | None = None,
    sites: list[str] | None = None,
    startup_timeout: float = 30.0,
) -> Iterator[GovsimHandle]:
    """Run ``python -m govsim serve`` in a subprocess until the block exits.

    Waits until the state dir's ``state.json`` names the admin API and it answers. Yields a
    handle with ``base_urls``, ``overrides_file`` (for ``POLICYWATCH_SITE_OVERRIDES``),
    ``sites_dir`` (the synthetic site entries), ``admin`` and ``admin_url``.
    """
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = state_dir / "state.json"
    state_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "govsim", "serve", "--state-dir", str(state_dir), "--seed", str(seed)]
    if scale:
        command += ["--scale", f"{scale[0]}x{scale[1]}"]
    if sites:
        command += ["--sites", ",".join(sites)]
    log_path = state_dir / "govsim.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=env)
    try:
        admin_url = _wait_ready(process, state_file, log_path, startup_timeout)
        base_urls = json.loads(state_file.read_text(encoding="utf-8"))["base_urls"]
        yield GovsimHandle(
            state_dir=state_dir,
            base_urls=base_urls,
            overrides_file=state_dir / "overrides.json",
            sites_dir=state_dir / "sites",
            admin_url=admin_url,
            admin=GovsimClient(admin_url),
            process=process,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], state_file: Path, log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"govsim exited with {process.returncode} at start:\n{log_path.read_text()[-3000:]}"
            )
        if state_file.exists():
            try:
                state = json.loads(state_file.read_text(encoding="utf-8"))
                if state.get("pid") == process.pid:
                    GovsimClient(state["admin_url"], timeout=2).health()
                    return str(state["admin_url"])
            except Exception:  # noqa: BLE001 - not ready yet; keep polling
                pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"govsim did not become ready within {timeout:.0f}s:\n{log_path.read_text()[-3000:]}")

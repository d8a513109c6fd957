"""Environment for the pipeline's stages and for the temporary Prefect server the CLI starts.

``policywatch run`` / ``demo`` without ``PREFECT_API_URL`` run their flow against a temporary Prefect
server. :func:`apply_prefect_server_defaults` gives it two defaults: a startup limit that suits a busy
2-core machine, and telemetry off (``PREFECT_SERVER_ANALYTICS_ENABLED=false``): the server's
telemetry heartbeat has nowhere to go on an offline machine and logs its failure at ERROR. Either is
applied only where the user has not chosen: not in the environment, not in the active Prefect
profile, not in ``prefect.toml`` or ``pyproject.toml`` ``[tool.prefect]`` of the working directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@contextmanager
def temporary_environment(values: dict[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the block, then restore what was there (or nothing)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass(frozen=True)
class PrefectDefault:
    """A Prefect setting the CLI chooses when the user has not: its variable, value and TOML key."""

    variable: str
    value: str
    toml_key: str  # dotted path in prefect.toml (under [tool.prefect] in pyproject.toml)


PREFECT_SERVER_DEFAULTS = (
    # A cold start takes 10-25 s, longer on a busy 2-core box; Prefect's 20 s turns that into a failure.
    PrefectDefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180", "server.ephemeral.startup_timeout_seconds"
    ),
    # No telemetry from a server that lives for one command (and offline, no ERROR about it).
    PrefectDefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false", "server.analytics_enabled"),
)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # Prefect reports a broken file itself; here it only means "not chosen there"


def _dotted(table: Mapping[str, Any], key: str) -> bool:
    node: Any = table
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _profile_settings(environ: Mapping[str, str]) -> Mapping[str, Any]:
    """The settings of the active Prefect profile (as ``prefect config set`` writes them)."""
    home = Path(environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    profiles = _read_toml(path)
    active = environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    settings = profiles.get("profiles", {}).get(active, {})
    return settings if isinstance(settings, Mapping) else {}


def user_has_chosen(default: PrefectDefault, environ: Mapping[str, str], cwd: Path) -> bool:
    if default.variable in environ or default.variable in _profile_settings(environ):
        return True
    pyproject = _read_toml(cwd / "pyproject.toml").get("tool", {}).get("prefect", {})
    return _dotted(_read_toml(cwd / "prefect.toml"), default.toml_key) or _dotted(pyproject, default.toml_key)


def apply_prefect_server_defaults(
    environ: MutableMapping[str, str] | None = None, cwd: Path | None = None
) -> dict[str, str]:
    """Set each of PREFECT_SERVER_DEFAULTS in ``environ`` (default ``os.environ``) that the user has
    not chosen; return the ones set. Call before Prefect reads its settings."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    applied = {d.variable: d.value for d in PREFECT_SERVER_DEFAULTS if not user_has_chosen(d, environ, cwd)}
    environ.update(applied)
    return applied

"""Subscriptions: who wants which alerts, where, and when — loaded from TOML and validated at load.

Each ``[[subscription]]`` names Apprise URLs (or references to them: ``$ENV``, ``${ENV}``,
``prefect-secret:<block>``), filters (all optional; an unset filter matches everything) and a mode:
``immediate`` or ``digest`` (one message a day at ``digest_time``, Asia/Shanghai).
See ``subscriptions.example.toml``.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import config
from alerts.secrets import mask_url
from changes.model import ChangeKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
KNOWN_KINDS = tuple(k.value for k in ChangeKind if k is not ChangeKind.NONE) + ("repealed",)
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SubscriptionError(ValueError):
    """The subscriptions file is missing, not TOML, or has an invalid entry."""


class SubscriptionConfig(BaseModel):
    """One subscriber. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$")
    urls: list[str] = Field(min_length=1, description="Apprise URLs or $ENV / prefect-secret: references")
    tags: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="site slugs or names")
    regions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list, description="matched in the title or the body")
    doc_number_prefixes: list[str] = Field(default_factory=list, description="e.g. 国发, 琼府")
    departments: list[str] = Field(default_factory=list, description="responsible departments")
    kinds: list[str] = Field(default_factory=list, description=f"any of {', '.join(KNOWN_KINDS)}")
    mode: Literal["immediate", "digest"] = "immediate"
    digest_time: str = Field("08:30", description="HH:MM, Asia/Shanghai")
    active: bool = True

    @field_validator("urls")
    @classmethod
    def _urls_look_like_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            text = url.strip()
            if not (text.startswith("$") or text.startswith("prefect-secret:") or "://" in text):
                raise ValueError(
                    f"{mask_url(text)!r} is neither an Apprise URL nor a $ENV / prefect-secret: reference"
                )
        return [u.strip() for u in urls]

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        unknown = [k for k in kinds if k not in KNOWN_KINDS]
        if unknown:
            raise ValueError(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(KNOWN_KINDS)}")
        return kinds

    @field_validator("digest_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not _TIME_RE.match(value):
            raise ValueError(f"digest_time {value!r} must be HH:MM (24-hour, Asia/Shanghai)")
        return value

    def masked_urls(self) -> list[str]:
        return [mask_url(u) for u in self.urls]

    def stored_config(self) -> dict[str, Any]:
        """What the database keeps: everything, with literal URLs masked (references kept)."""
        data = self.model_dump()
        data["urls"] = self.masked_urls()
        return data

    def next_digest_at(self, now: datetime) -> datetime:
        """The next digest time (aware, UTC-comparable) at or after ``now``."""
        hour, minute = (int(x) for x in self.digest_time.split(":"))
        local = now.astimezone(SHANGHAI)
        at = datetime.combine(local.date(), time(hour, minute), tzinfo=SHANGHAI)
        if at < local:
            at += timedelta(days=1)
        return at


class SubscriptionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscription: list[SubscriptionConfig] = Field(default_factory=list)


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    lines = []
    raw_entries = data.get("subscription")
    entries: list[Any] = raw_entries if isinstance(raw_entries, list) else []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "subscription" and isinstance(loc[1], int) and loc[1] < len(entries):
            name = entries[loc[1]].get("name", "?") if isinstance(entries[loc[1]], dict) else "?"
            key = ".".join(str(p) for p in loc[2:]) or "(entry)"
            where = f"[[subscription]] #{loc[1] + 1} ({name}) key {key}"
        lines.append(f"{where}: {err['msg']}")
    return "; ".join(lines)


def parse_subscriptions(text: str, origin: str = "<string>") -> list[SubscriptionConfig]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SubscriptionError(f"{origin}: not valid TOML: {exc}") from exc
    try:
        parsed = SubscriptionsFile.model_validate(data)
    except ValidationError as exc:
        raise SubscriptionError(f"{origin}: {_describe(exc, data)}") from None
    names = [s.name for s in parsed.subscription]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SubscriptionError(f"{origin}: subscription name(s) defined twice: {', '.join(dupes)}")
    return parsed.subscription


def load_subscriptions(path: Path | str | None = None) -> list[SubscriptionConfig]:
    """Load and validate the subscriptions file (default: ``config.current().subscriptions_path``)."""
    path = Path(path) if path is not None else config.current().subscriptions_path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SubscriptionError(
            f"{path}: cannot read the subscriptions file ({exc.strerror}); "
            "set $POLICYWATCH_SUBSCRIPTIONS or copy subscriptions.example.toml"
        ) from exc
    return parse_subscriptions(text, str(path))


def config_from_stored(data: dict[str, Any]) -> SubscriptionConfig:
    """A SubscriptionConfig from the database's JSON (URLs there are masked or references)."""
    return SubscriptionConfig.model_validate(data)


def sync_subscriptions(session: Any, configs: list[SubscriptionConfig]) -> list[Any]:
    """Store ``configs`` in the ``subscriptions`` table (secrets masked); deactivate the ones gone.

    Returns the Subscription rows, in ``configs`` order. The caller commits.
    """
    from storage.subscriptions import upsert_subscriptions

    return upsert_subscriptions(session, [(c.name, c.stored_config(), c.active) for c in configs])

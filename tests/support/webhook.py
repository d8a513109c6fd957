"""A real webhook server (http.server thread) on 127.0.0.1; see alerts.devservers.LocalWebhook."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alerts.devservers import LocalWebhook

__all__ = ["LocalWebhook", "webhook"]


@pytest.fixture
def webhook() -> Iterator[LocalWebhook]:
    with LocalWebhook() as hook:
        yield hook

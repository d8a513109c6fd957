"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests and the demo; see alerts.devservers.LocalMailbox."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from alerts.devservers import LocalMailbox, ReceivedMail

__all__ = ["LocalMailbox", "ReceivedMail", "mailbox", "wait_for_messages"]


def wait_for_messages(box: LocalMailbox, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
    """Wait until the mailbox holds at least ``count`` messages (then return them all)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = box.messages
        if len(messages) >= count:
            return messages
        time.sleep(0.05)
    return box.messages


@pytest.fixture
def mailbox() -> Iterator[LocalMailbox]:
    with LocalMailbox() as box:
        yield box

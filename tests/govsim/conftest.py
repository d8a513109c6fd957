"""govsim tests run against one real govsim subprocess per session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govsim.testing import GovsimHandle, running_govsim


@pytest.fixture(scope="session")
def govsim_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GovsimHandle]:
    with running_govsim(Path(tmp_path_factory.mktemp("govsim"))) as handle:
        yield handle


@pytest.fixture
def sim(govsim_session: GovsimHandle) -> GovsimHandle:
    """The session's govsim, back at its start state."""
    govsim_session.admin.reset()
    return govsim_session

"""Real parts for the spider tests: a govsim per test module (with a scale site per flavour), a temporary
SQLite file, and real crawls through :class:`tests.spiders.crawl_world.CrawlWorld`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from govsim.testing import GovsimHandle, running_govsim
from sites import FLAVOURS
from tests.spiders.crawl_world import CrawlWorld


@pytest.fixture(scope="module")
def govsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GovsimHandle]:
    with running_govsim(tmp_path_factory.mktemp("govsim"), seed=7, scale=(len(FLAVOURS), 30)) as handle:
        yield handle


@pytest.fixture(scope="module")
def world(govsim: GovsimHandle, tmp_path_factory: pytest.TempPathFactory) -> CrawlWorld:
    return CrawlWorld(govsim=govsim, root=tmp_path_factory.mktemp("crawl"))

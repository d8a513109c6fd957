"""What the database remembers of a site, asked page by page as a crawl meets its URLs.

A crawl needs to know, of the URLs on the pages it reads, which are known (a stored notice or a
processed good snapshot, :func:`storage.snapshots.known_urls`) and how each list row last looked
(:func:`storage.listed.listed_signatures`). It asks only about the URLs of the page in hand: a
monitor crawl of a site with 19,000 notices reads one or two list pages, so loading every URL the
site ever had at the start cost more than the whole crawl's questions. Each answer is kept for the
rest of the crawl, together with the URLs the crawl itself fetches, so no URL is asked twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from storage.db import session_scope
from storage.listed import listed_signatures
from storage.snapshots import known_urls


@dataclass
class SiteMemory:
    """One site's known URLs and list-row signatures, as far as this crawl has asked."""

    source_id: int
    known: set[str] = field(default_factory=set)  # known before the crawl, or fetched by it
    signatures: dict[str, str] = field(default_factory=dict)  # url -> signature of its list row
    _asked_known: set[str] = field(default_factory=set)
    _asked_signatures: set[str] = field(default_factory=set)

    def learn(self, urls: Iterable[str], *, signatures: bool = False) -> None:
        """Ask the database about those of ``urls`` not asked yet: whether each is known, and with
        ``signatures`` how its list row last looked."""
        wanted = set(urls)
        unknown_yet = wanted - self._asked_known - self.known
        unsigned_yet = wanted - self._asked_signatures if signatures else set()
        if not unknown_yet and not unsigned_yet:
            return
        with session_scope() as session:
            if unknown_yet:
                self.known |= known_urls(session, self.source_id, among=unknown_yet)
            if unsigned_yet:
                for url, signature in listed_signatures(session, self.source_id, among=unsigned_yet).items():
                    # A signature this crawl recorded is newer than the database's.
                    self.signatures.setdefault(url, signature)
        self._asked_known |= unknown_yet
        self._asked_signatures |= unsigned_yet

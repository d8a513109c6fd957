"""The one item the spider yields: a fetched response, exactly as received."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from notices.model import RawPage


@dataclass
class FetchedPage:
    """One response to store as a raw snapshot.

    ``role`` is what the spider asked for (``list`` | ``detail`` | ``attachment``). ``flag`` is
    set when the crawler recognised a challenge (``blocked``) or an error page (``error``):
    the page is stored for normalization to classify, never counted as a good copy.
    """

    site: str
    role: str
    url: str
    status: int
    body: bytes
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    flag: str | None = None
    flag_reason: str | None = None

    def raw_page(self) -> RawPage:
        return RawPage(
            url=self.url, body=self.body, status=self.status, headers=self.headers, fetched_at=self.fetched_at
        )

    @property
    def page_kind_hint(self) -> str | None:
        """The ``RawSnapshot.page_kind`` the crawler can already tell (see storage.snapshots)."""
        if self.flag:
            return self.flag
        return {"list": "list", "attachment": "attachment"}.get(self.role)

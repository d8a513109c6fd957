"""A Python client for the govsim admin API (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class GovsimError(RuntimeError):
    """The admin API refused a request (unknown site or notice, bad argument)."""


class GovsimClient:
    """Drive a running govsim: inspect sites and notices, mutate them, switch faults, read logs.

    Every mutation returns the JSON the server sends back, which says exactly what changed
    (notice id, url, paragraph index, old and new text, …).
    """

    def __init__(self, admin_url: str, *, timeout: float = 10.0) -> None:
        self.admin_url = admin_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body or {}).encode() if method == "POST" else None
        request = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error", exc.reason)
            except (ValueError, AttributeError):
                message = exc.reason
            raise GovsimError(f"govsim admin {method} {path}: HTTP {exc.code}: {message}") from None
        except urllib.error.URLError as exc:
            raise GovsimError(
                f"govsim admin API at {self.admin_url} is not answering: {exc.reason}"
            ) from None

    # -- reading ------------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def sites(self) -> list[dict[str, Any]]:
        """Every served site: slug, flavour, base_url, list_urls, faults, …"""
        return self._call("GET", "/sites")

    def notices(self, slug: str) -> list[dict[str, Any]]:
        """All notices of ``slug`` (removed ones too, with ``removed`` set), newest first."""
        return self._call("GET", f"/sites/{slug}/notices")

    def notice(self, slug: str, notice_id: str) -> dict[str, Any]:
        """One notice with its paragraphs and attachment texts."""
        return self._call("GET", f"/sites/{slug}/notices/{notice_id}")

    def request_log(self, slug: str | None = None) -> dict[str, Any]:
        """Request counters of one site, or of every site that was requested."""
        return self._call("GET", f"/log/{slug}" if slug else "/log")

    # -- mutations ----------------------------------------------------------------------------------

    def publish(
        self,
        slug: str,
        *,
        seed: int | None = None,
        published: str | None = None,
        repeals: list[str] | None = None,
    ) -> dict[str, Any]:
        """A new notice; ``published`` (ISO date) dates it, ``repeals`` (notice ids) it declares repealed."""
        return self._call(
            "POST", f"/sites/{slug}/publish", {"seed": seed, "published": published, "repeals": repeals}
        )

    def edit_paragraph(
        self, slug: str, notice_id: str, *, paragraph_index: int | None = None, text: str | None = None
    ) -> dict[str, Any]:
        return self._call("POST", f"/sites/{slug}/notices/{notice_id}/edit",
                          {"paragraph_index": paragraph_index, "text": text})  # fmt: skip

    def change_metadata(self, slug: str, notice_id: str, **fields: Any) -> dict[str, Any]:
        """Fields: title, doc_number, published, written (ISO dates), validity, issuer, index_no, topic."""
        return self._call("POST", f"/sites/{slug}/notices/{notice_id}/metadata", {"fields": fields})

    def set_attachment(
        self, slug: str, notice_id: str, *, kind: str = "pdf", text: str | None = None
    ) -> dict[str, Any]:
        return self._call(
            "POST", f"/sites/{slug}/notices/{notice_id}/attachment", {"kind": kind, "text": text}
        )

    def remove(self, slug: str, notice_id: str, *, status: int = 404) -> dict[str, Any]:
        return self._call("POST", f"/sites/{slug}/notices/{notice_id}/remove", {"status": status})

    def restore(self, slug: str, notice_id: str) -> dict[str, Any]:
        return self._call("POST", f"/sites/{slug}/notices/{notice_id}/restore")

    def noise(self, slug: str, kind: str, notice_id: str | None = None) -> dict[str, Any]:
        return self._call("POST", f"/sites/{slug}/noise", {"kind": kind, "notice_id": notice_id})

    def fault(
        self,
        slug: str,
        kind: str,
        *,
        on: bool = True,
        scope: str = "all",
        count: int | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Switch fault ``kind`` on or off; options: ``delay`` (slow), ``status`` (error)."""
        return self._call("POST", f"/sites/{slug}/fault",
                          {"kind": kind, "on": on, "scope": scope, "count": count, "options": options})  # fmt: skip

    def robots(self, slug: str, *, disallow: bool = True) -> dict[str, Any]:
        return self._call("POST", f"/sites/{slug}/robots", {"disallow": disallow})

    def reset_request_log(self) -> dict[str, Any]:
        return self._call("POST", "/log/reset")

    def reset(self) -> dict[str, Any]:
        """Everything back to the start state (notices, noise, faults, logs)."""
        return self._call("POST", "/reset")

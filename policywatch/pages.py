"""One page for the commands that read a page a user names: a saved file, or a live URL fetched once."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from notices.model import RawPage

if TYPE_CHECKING:  # importing the spiders costs seconds; extract and diff never need them
    from spiders.flavours import PageRequest

USER_AGENT = "Mozilla/5.0 PolicyWatch/0.1"


class PageUnavailable(ValueError):
    """The named page could not be read; the message says why and what to give instead."""


def load_page(path_or_url: str, url: str | None = None, status: int = 200, *, timeout: float = 30) -> RawPage:
    """A RawPage from a saved file or a live URL (an HTTP error answer is a page too, with its status)."""
    if path_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(path_or_url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                return RawPage(
                    url=url or response.url, body=response.read(), status=response.status, headers=headers
                )
        except urllib.error.HTTPError as exc:
            headers = {k.lower(): v for k, v in exc.headers.items()}
            return RawPage(url=url or path_or_url, body=exc.read(), status=exc.code, headers=headers)
        # ValueError and InvalidURL: a URL urllib cannot send (spaces, control characters, a bad port).
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise PageUnavailable(f"cannot fetch {path_or_url}: {exc}") from exc
    file = Path(path_or_url)
    if not file.is_file():
        raise PageUnavailable(f"{path_or_url}: no such file (give a saved page or an http(s) URL)")
    return RawPage(url=url or file.resolve().as_uri(), body=file.read_bytes(), status=status)


def fetch_request(request: PageRequest, *, timeout: float = 30) -> RawPage:
    """One list request as the spider would send it (a GET, or a form POST for a data request)."""
    data = urlencode(request.form).encode() if request.method == "POST" else None
    headers = {"User-Agent": USER_AGENT, **dict(request.headers)}
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    sent = urllib.request.Request(request.url, data=data, headers=headers, method=request.method)
    try:
        with urllib.request.urlopen(sent, timeout=timeout) as response:
            answer = {k.lower(): v for k, v in response.headers.items()}
            return RawPage(url=response.url, body=response.read(), status=response.status, headers=answer)
    except urllib.error.HTTPError as exc:
        return RawPage(url=request.url, body=exc.read(), status=exc.code, headers={})
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise PageUnavailable(f"cannot fetch {request.url}: {exc}") from exc

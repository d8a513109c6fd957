"""Links as pages write them, made absolute: the one place a page-supplied href becomes a URL.

Government pages carry typos that make URL parsers raise: a full-width colon in a host
(``http://www.beian.gov.cn：80/``), an unbalanced ``[``, a port that is not a number. Every link is
handled on its own. What can be normalized is (full-width ``：／`` and ideographic dots in the
scheme separator and the authority, NFKC of the host, whitespace around the link, tabs and newlines
inside it); what cannot is dropped and named in a warning; the page itself always goes on. A link
that parsed before is resolved exactly as ``urljoin`` resolves it, so known URLs keep their identity.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

# Scrapy's URLLENGTH_LIMIT (and old browsers'): a longer URL is never requested anyway.
MAX_URL_LENGTH = 2083
WEB_SCHEMES = ("http", "https")
# Hrefs that are not documents (scripts, mail, anchors on the same page): skipped without a word.
_NOT_A_DOCUMENT_RE = re.compile(r"^(?:javascript|vbscript|mailto|tel|sms|data|about|blob)\s*:|^#", re.I)
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# http(s) and its separator, as typed with an IME in full-width mode (ｈｔｔｐ：／／) or with backslashes.
_WEB_PREFIX_RE = re.compile(r"^([hHｈＨ][tTｔＴ]{2}[pPｐＰ][sSｓＳ]?)\s*[:：]\s*[/／\\＼]{2}")
_NETWORK_PATH_RE = re.compile(r"^[/／\\＼]{2}")
_AUTHORITY_END_RE = re.compile(r"[/／\\＼?？#＃]")
_STRIP = " \t\r\n\f\v\u3000\u00a0\u200b\ufeff"
_HOST_LABEL_RE = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_\-]{0,61}[A-Za-z0-9_])?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_IDEOGRAPHIC_DOTS = str.maketrans({"。": ".", "｡": ".", "．": "."})


@dataclass(frozen=True)
class Link:
    """What one href resolved to: an absolute URL, or None with the reason it was malformed.

    ``problem`` is None for hrefs that are simply not documents (``javascript:``, ``mailto:``, ``#top``).
    """

    url: str | None
    problem: str | None = None


# A base's scheme and authority, as urlsplit reads them (the authority ends at the first / ? #).
_ORIGIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*")
# Hrefs whose URL depends on the base's scheme and authority only, not on its path or query: an
# absolute http(s) URL, or a path from the root (/a/b, not //host, nor one a removed tab would join).
_SITE_WIDE_HREF_RE = re.compile(r"^(?:https?://|/(?![/／\\＼]))[^\t\r\n]*$")
# Pages of one site repeat their menus, headers and footers: their links, resolved once per site.
_SITE_LINKS: dict[tuple[str, str], Link] = {}
_SITE_LINKS_MAX = 20_000  # bounded: cleared when full


def resolve_link(base: str, href: str) -> Link:
    """The absolute URL ``href`` points to from a page whose links resolve against ``base``.

    Never raises. The URL is http(s), or has the page's own scheme (a relative link on a saved
    ``file:`` page stays one), has a valid host and port, no credentials, no control characters,
    and at most :data:`MAX_URL_LENGTH` characters.
    """
    origin = _ORIGIN_RE.match(base) if _SITE_WIDE_HREF_RE.match(href) else None
    if origin is None:
        return _resolve(base, href)
    key = (origin.group(0), href)
    link = _SITE_LINKS.get(key)
    if link is None:
        if len(_SITE_LINKS) >= _SITE_LINKS_MAX:
            _SITE_LINKS.clear()
        link = _SITE_LINKS[key] = _resolve(base, href)
    return link


def _resolve(base: str, href: str) -> Link:
    text = re.sub(r"[\t\r\n]", "", href.strip(_STRIP))
    if not text or _NOT_A_DOCUMENT_RE.match(text):
        return Link(None)
    base_scheme = base.partition(":")[0].lower()
    prefix = _WEB_PREFIX_RE.match(text)
    if prefix:
        scheme = unicodedata.normalize("NFKC", prefix.group(1)).lower()
        absolute = _with_authority(scheme, text[prefix.end() :])
    elif _NETWORK_PATH_RE.match(text):
        absolute = _with_authority(base_scheme or "http", text[2:])
    else:
        scheme_match = _SCHEME_RE.match(text)
        if scheme_match and scheme_match.group(1).lower() not in WEB_SCHEMES:
            return Link(None, f"scheme {scheme_match.group(1)}: is not http or https")
        absolute = Link(text)
    if absolute.url is None:
        return absolute
    return _checked(base, base_scheme, absolute.url)


def _with_authority(scheme: str, rest: str) -> Link:
    """``scheme://`` + the authority at the start of ``rest`` (normalized) + the rest of it."""
    end = _AUTHORITY_END_RE.search(rest)
    authority, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    if tail[:1] in ("／", "\\", "＼"):
        tail = "/" + tail[1:]
    elif tail[:1] in ("？", "＃"):
        tail = unicodedata.normalize("NFKC", tail[0]) + tail[1:]
    authority = re.sub(r"\s", "", unicodedata.normalize("NFKC", authority).translate(_IDEOGRAPHIC_DOTS))
    host, problem = _checked_authority(authority)
    if problem:
        return Link(None, problem)
    return Link(f"{scheme}://{host}{tail}")


def _checked_authority(authority: str) -> tuple[str, str | None]:
    if "@" in authority:
        return "", "credentials in the link (user@host)"
    if authority.startswith("["):
        address, bracket, after = authority[1:].partition("]")
        if not bracket:
            return "", "unbalanced [ in the host"
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return "", f"[{address}] is not an IPv6 address"
        host, port_text = f"[{address}]", after
        if port_text and not port_text.startswith(":"):
            return "", "text after the IPv6 address"
        port_text = port_text[1:]
    else:
        host, _, port_text = authority.partition(":")
        if "]" in authority or "[" in authority:
            return "", "unbalanced brackets in the host"
        problem = _host_problem(host)
        if problem:
            return "", problem
    if port_text:
        if not port_text.isascii() or not port_text.isdigit():
            return "", f"port {port_text!r} is not a number"
        if not 0 < int(port_text) <= 65535:
            return "", f"port {port_text} is out of range (1-65535)"
        return f"{host}:{port_text}", None
    return host, None


def _host_problem(host: str) -> str | None:
    if not host:
        return "no host"
    if "%" in host:
        return "percent-encoded host"
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return "host is not a valid domain name"
    labels = ascii_host[:-1].split(".") if ascii_host.endswith(".") else ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL_RE.match(label) for label in labels):
        return "host is not a valid domain name"
    return None


def _checked(base: str, base_scheme: str, href: str) -> Link:
    if len(href) > MAX_URL_LENGTH:
        return Link(None, f"{len(href)} characters long (more than {MAX_URL_LENGTH})")
    if _CONTROL_RE.search(href):
        return Link(None, "control characters in the link")
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number or out of range
    except ValueError as exc:
        return Link(None, str(exc))
    if parts.scheme not in WEB_SCHEMES and parts.scheme != base_scheme:
        return Link(None, f"scheme {parts.scheme}: is not http or https")
    if parts.scheme in WEB_SCHEMES and not parts.hostname:
        return Link(None, "no host")
    if len(url) > MAX_URL_LENGTH:
        return Link(None, f"{len(url)} characters long (more than {MAX_URL_LENGTH})")
    return Link(url)


def absolute_url(base: str, href: str) -> str | None:
    """The absolute URL of ``href`` against ``base``, or None (see :func:`resolve_link`)."""
    return resolve_link(base, href).url


def shown_link(href: str, limit: int = 120) -> str:
    """An href as a warning may quote it: escaped, shortened, and without credentials."""
    masked = re.sub(r"(//)[^/?#@]*@", r"\1***@", href)
    return repr(masked if len(masked) <= limit else masked[:limit] + "…")


class PageLinks:
    """The links of one page, resolved against its base; the malformed ones dropped are kept for
    the page's warnings."""

    MAX_NAMED = 5

    def __init__(self, page_url: str, base: str | None = None) -> None:
        self.page_url = page_url
        self.base = base or page_url
        self.dropped: list[tuple[str, str]] = []  # (href, problem)
        self._resolved: dict[tuple[str, str], Link] = {}  # pages repeat their links (menus, pagers)

    def url(self, href: str, base: str | None = None) -> str | None:
        """``href`` made absolute against the page's base (or ``base``), None when it is not a URL."""
        key = (base or self.base, href)
        link = self._resolved.get(key)
        if link is None:
            link = self._resolved[key] = resolve_link(*key)
        if link.problem is not None:
            self.dropped.append((href, link.problem))
        return link.url

    def warnings(self) -> list[str]:
        """One line per dropped link (the first few), naming the page, the link and what was wrong."""
        seen: dict[str, str] = {}
        for href, problem in self.dropped:
            seen.setdefault(href, problem)
        lines = [
            f"dropped malformed link {shown_link(href)} on {self.page_url}: {problem}"
            for href, problem in list(seen.items())[: self.MAX_NAMED]
        ]
        if len(seen) > self.MAX_NAMED:
            lines.append(f"dropped {len(seen) - self.MAX_NAMED} more malformed links on {self.page_url}")
        return lines

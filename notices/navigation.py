"""Pages whose only purpose is to send the reader elsewhere: frame shells, image maps, entry pages
made of links, scripted redirects.

Such a page shows no text of its own, like an empty or broken page, but nothing is wrong with it:
it is a front door (``other``), not an ``error``. :func:`navigation_purpose` names what the page
does, or returns None when it does nothing but sit there empty.
"""

from __future__ import annotations

import re

from lxml import etree

# A page whose only job is to send the browser elsewhere: a refresh, a script that sets the
# location, an IIS "Object Moved".
_REDIRECT_RE = re.compile(
    r"http-equiv\s*=\s*['\"]?refresh|(?:window|document|top|self)\.location(?:\.href)?\s*=|location\.(?:href\s*=|replace\()|"
    r"Object Moved|Document Moved|browserRedirect",
    re.I,
)
# An error code shown on an otherwise empty page: "404", "--404---", "500 Internal …".
_ERROR_CODE_RE = re.compile(r"(?<!\d)(?:400|403|404|410|500|502|503|504)(?!\d)")
# A form that a script submits as soon as the page loads: a redirect by POST.
_FORM_SUBMIT_RE = re.compile(r"\.submit\s*\(\s*\)")
_NOWHERE_RE = re.compile(r"^\s*(?:#|javascript:|about:blank|mailto:)", re.I)
# An entry page links to at least two places; a lone "back to the home page" link is what an
# empty error page offers.
_MIN_ENTRY_LINKS = 2


def navigation_purpose(root: etree._Element, html: str, shown_text: str) -> str | None:
    """What a page without text of its own is for ("a frame shell loading …"), or None.

    ``shown_text`` is the page's visible text with its title: an error code there (a bare "404")
    makes the page an error page, whatever frames or links it offers; a redirect is one anyway.
    """
    if _REDIRECT_RE.search(html[:300_000]):
        return "a redirect or script-only page (no content of its own)"
    if _FORM_SUBMIT_RE.search(html) and any(form.get("action") for form in root.iter("form")):
        return "an entry page that submits a form by script (a redirect by POST)"
    if _ERROR_CODE_RE.search(shown_text):
        return None
    frames = [src for src in _sources(root, "frame", "iframe") if not _NOWHERE_RE.match(src)]
    if frames:
        return f"a frame shell (the content is in {frames[0]})"
    if any(_goes_somewhere(area.get("href")) for area in root.iter("area")):
        return "an image map of links (the content is one picture)"
    destinations = {href for a in root.iter("a") if _goes_somewhere(href := a.get("href"))}
    if len(destinations) >= _MIN_ENTRY_LINKS:
        return f"an entry page of {len(destinations)} links (pictures or labels, no text)"
    return None


def _sources(root: etree._Element, *tags: str) -> list[str]:
    return [src.strip() for el in root.iter(*tags) if (src := el.get("src") or "").strip()]


def _goes_somewhere(href: str | None) -> bool:
    return bool(href and href.strip() and not _NOWHERE_RE.match(href))

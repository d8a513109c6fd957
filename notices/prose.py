"""How much of a page's body is prose: sentences a notice is written in, as opposed to links,
label/value fields and table cells.

A notice is written in sentences. A gateway page's text is entry links, a database record's is
fields (证书编号：…, 注册地址：…), a statistics page's is cells of figures; each may hold as many
characters as a short notice, but few or none of them in sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from notices.html import text_of
from notices.text import cjk_count, clean_line

# A sentence has a clause break or an end: cells of figures and link titles seldom do.
_SENTENCE_MARK_RE = re.compile(r"[，。；！？]")
_MIN_SENTENCE_CJK = 10
# A field's label set in an element of its own: <span>证书编号：</span>, <b>注册地址：</b>, <th>…</th>.
_LABEL_TAGS = ("span", "b", "strong", "label", "th", "td", "dt", "em", "font", "i")
_LABEL_RE = re.compile(r"^[^\s，。；、]{2,12}[：:]$")
_URL_RE = re.compile(r"https?://\S+")
# Links this long are titles (of a list's items); shorter ones are labels such as 首页 or 更多.
_MIN_TITLE_CHARS = 6


@dataclass(frozen=True)
class Prose:
    """What a body's paragraphs are made of, and how many label/value rows the whole page shows."""

    cjk: int  # CJK characters in sentence paragraphs that are neither a link nor a field
    sentences: int  # how many such paragraphs
    links: int  # paragraphs that are one link's text, or rows led by one (title, summary, date)
    fields: int  # paragraphs that open with a label the page sets apart (证书编号：…)
    field_rows: int  # elements of the page that hold a label element and its value


def measure_prose(root: etree._Element, paragraphs: Sequence[str]) -> Prose:
    link_texts = {bare for a in root.iter("a") if (bare := _bare(text_of(a)))}
    labels: set[str] = set()
    field_rows = 0
    for el in root.iter(*_LABEL_TAGS):
        label = clean_line(text_of(el))
        if _LABEL_RE.match(label):
            labels.add(label)
            row = el.getparent()
            if row is not None and next(iter(row)) is el and len(clean_line(text_of(row))) > len(label):
                field_rows += 1
    # A list's row opens with its item's title link; a sentence of a notice seldom does.
    title_lengths = sorted({len(t) for t in link_texts if len(t) >= _MIN_TITLE_CHARS})
    cjk = sentences = links = fields = 0
    for paragraph in paragraphs:
        bare = _bare(paragraph)
        if bare in link_texts or any(bare[:n] in link_texts for n in title_lengths if n < len(bare)):
            links += 1
        elif any(paragraph.startswith(label) for label in labels):
            fields += 1
        elif _is_sentence(paragraph):
            sentences += 1
            cjk += cjk_count(paragraph)
    return Prose(cjk=cjk, sentences=sentences, links=links, fields=fields, field_rows=field_rows)


def _is_sentence(paragraph: str) -> bool:
    text = _URL_RE.sub("", paragraph)
    return cjk_count(text) >= _MIN_SENTENCE_CJK and bool(_SENTENCE_MARK_RE.search(text))


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)

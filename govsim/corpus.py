"""The seed corpus: five real notices, cleaned into the paragraphs their sites show.

The raw texts (``govsim/data/corpus``) keep the artefacts a scraper left behind: header
blocks repeated, paragraphs duplicated, portal chrome. A real site shows each notice once, so
``seed_notices()`` strips those artefacts; ``paragraph_pool()`` feeds the filler notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "corpus"


@dataclass(frozen=True)
class SeedText:
    """One corpus notice with its metadata and cleaned paragraphs."""

    key: str  # corpus file stem, e.g. "000_cecf4c7a414cb8cc"
    title: str
    doc_number: str
    issuer: str
    published: date
    written: date
    paragraphs: tuple[str, ...]
    raw: str


@dataclass(frozen=True)
class _SeedMeta:
    key: str
    title: str
    doc_number: str
    issuer: str
    published: date
    written: date
    start_marker: str  # the body starts at the addressee line
    end_marker: str | None = None  # cut reposting chrome after this


_SEEDS: dict[str, _SeedMeta] = {
    "000": _SeedMeta(
        "000_cecf4c7a414cb8cc",
        "海南省人民政府关于印发海南省新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作实施方案的通知",
        "琼府〔2017〕69号",
        "海南省人民政府",
        date(2017, 8, 17),
        date(2017, 8, 9),
        "各市、县、自治县人民政府",
    ),
    "001": _SeedMeta(
        "001_62728edfe5e1fdd5",
        "滁州市人民政府办公室关于印发新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作实施方案的通知",
        "滁政办〔2017〕51号",
        "滁州市人民政府办公室",
        date(2017, 9, 6),
        date(2017, 9, 6),
        "各县、市、区人民政府",
    ),
    "002": _SeedMeta(
        "002_20127a6b0dad0c80",
        "青海省人民政府办公厅关于新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作的实施意见",
        "青政办〔2017〕150号",
        "青海省人民政府办公厅",
        date(2017, 8, 16),
        date(2017, 8, 16),
        "各市、自治州人民政府",
        end_marker="声明:本网部分内容",
    ),
    "003": _SeedMeta(
        "003_fa61890c4747b98b",
        "转发国务院关于进一步做好打击侵犯知识产权和制售假冒伪劣商品工作意见的通知",
        "粤府〔２０１２〕１６号",
        "广东省人民政府",
        date(2012, 2, 10),
        date(2012, 2, 10),
        "各地级以上市人民政府",
    ),
    "004": _SeedMeta(
        "004_cd8e281229a65c4c",
        "重庆市人民政府办公厅关于贯彻落实新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作意见任务分工的通知",
        "渝府办发〔2017〕132号",
        "重庆市人民政府办公厅",
        date(2017, 8, 28),
        date(2017, 8, 28),
        "各区县（自治县）人民政府",
    ),
}

_NUMERAL = "一二三四五六七八九十"
# A new paragraph starts at an outline marker that follows the end of a sentence or a
# closing bracket: the scraped texts glued whole sections into one line.
_PARAGRAPH_BREAK = re.compile(
    rf"(?<=[。；！？”）)])(?=(?:[{_NUMERAL}]+、|[（(][{_NUMERAL}]+[）)]|\d{{1,2}}[．.](?!\d)))"
)
_SENTENCE = re.compile(r"[^。]*。")


def raw_text(key: str) -> str:
    """The corpus file for ``key`` ("000".."004") exactly as received."""
    return (CORPUS_DIR / f"{_SEEDS[key].key}.txt").read_text(encoding="utf-8")


def _strip_artefacts(meta: _SeedMeta, text: str) -> str:
    start = text.find(meta.start_marker)
    text = text[start:] if start >= 0 else text
    if meta.end_marker and meta.end_marker in text:
        text = text[: text.index(meta.end_marker)]
    for junk in (meta.title, meta.doc_number):
        text = text.replace(junk, "\n")
    text = re.sub(r"发布日期[:：]\s*\d{4}-\d{2}-\d{2}", "\n", text)
    return re.sub(r"━+", "\n", text)


def clean_paragraphs(meta_key: str, text: str) -> tuple[str, ...]:
    """Split a raw corpus text into the paragraphs its site shows, without the duplicates."""
    meta = _SEEDS[meta_key]
    text = _strip_artefacts(meta, text)
    pieces: list[str] = []
    for line in text.splitlines():
        pieces.extend(p for p in _PARAGRAPH_BREAK.split(line))
    seen_sentences: set[str] = set()
    paragraphs: list[str] = []
    for piece in pieces:
        piece = re.sub(r"[ \u3000]{2,}", "\u3000\u3000", piece.strip())
        if not piece:
            continue
        # Sentence-level de-duplication: repeated sentences are the page held twice.
        kept: list[str] = []
        rest = piece
        for sentence in _SENTENCE.findall(piece):
            rest = rest.replace(sentence, "", 1)
            if len(sentence) > 12 and sentence in seen_sentences:
                continue
            seen_sentences.add(sentence)
            kept.append(sentence)
        cleaned = ("".join(kept) + rest).strip()
        if cleaned:
            paragraphs.append(cleaned)
    return tuple(paragraphs)


@cache
def seed_text(key: str) -> SeedText:
    """The cleaned seed notice for ``key`` ("000".."004")."""
    meta = _SEEDS[key]
    raw = raw_text(key)
    return SeedText(
        key=meta.key,
        title=meta.title,
        doc_number=meta.doc_number,
        issuer=meta.issuer,
        published=meta.published,
        written=meta.written,
        paragraphs=clean_paragraphs(key, raw),
        raw=raw,
    )


def seed_keys() -> tuple[str, ...]:
    return tuple(_SEEDS)


@cache
def paragraph_pool() -> tuple[str, ...]:
    """Body paragraphs of all five seeds, for filler notices (addressees and sign-offs left out)."""
    pool: list[str] = []
    for key in _SEEDS:
        for paragraph in seed_text(key).paragraphs:
            if 30 <= len(paragraph) <= 400 and not paragraph.endswith("："):
                pool.append(paragraph)
    return tuple(pool)

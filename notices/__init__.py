"""Pure extraction: a raw page (bytes, url, headers) becomes a Notice record.

Nothing here imports Scrapy, Prefect or SQLAlchemy.
"""

from __future__ import annotations

from notices.decode import decode_html
from notices.extract import classify, extract
from notices.model import Attachment, Notice, OutlineNode, PageKind, RawPage, Responsibility
from notices.outline import outline_path_for, parse_outline
from notices.parsers import parse_date, parse_doc_number

__all__ = [
    "Attachment",
    "Notice",
    "OutlineNode",
    "PageKind",
    "RawPage",
    "Responsibility",
    "classify",
    "decode_html",
    "extract",
    "outline_path_for",
    "parse_date",
    "parse_doc_number",
    "parse_outline",
]

"""Mutations of the simulated web; each returns JSON-ready facts about exactly what changed.

All are deterministic from the world seed (and an optional per-call seed), so a test can
assert the precise alert a change must produce.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from govsim.content import attach_full_text, edited_text, filler_notice, rng_for
from govsim.faults import Fault
from govsim.model import Notice
from govsim.noise import NOISE_KINDS
from govsim.urls import attachment_path
from govsim.world import SiteState, next_modified

METADATA_FIELDS = ("title", "doc_number", "published", "written", "validity", "issuer", "index_no", "topic")


def _touch(notice: Notice) -> None:
    notice.version += 1
    notice.modified = next_modified(notice.modified)


def notice_facts(state: SiteState, notice: Notice) -> dict[str, Any]:
    return {"slug": state.spec.slug, "notice_id": notice.id, "url": state.url(notice), "title": notice.title}


def publish(
    state: SiteState,
    seed: int | None = None,
    published_on: date | None = None,
    repeals: list[str] | None = None,
) -> dict[str, Any]:
    """A new notice at the top of the list, dated after the newest one (or ``published_on``).

    ``repeals``: ids of notices of the site that the new one declares repealed, the way real
    notices do (《title》（doc number）同时废止), just before its closing line."""
    state.published_count += 1
    seed = state.published_count if seed is None else seed
    notices = state.notices()
    newest = max((n.published for n in notices), default=date(2018, 1, 1))
    rng = rng_for(state.seed, state.spec.slug, "publish", seed)
    published = published_on or newest + timedelta(days=rng.randint(1, 3))
    taken = {n.id for n in notices}
    notice_id = max(int(n.id) for n in notices) + rng.randint(3, 97) if notices else state.spec.id_base
    while str(notice_id) in taken:
        notice_id += 1
    index = 100_000 + seed
    notice = filler_notice(state.spec, state.seed, index, published, notice_id, 200 + state.published_count)
    notice.origin = "published"
    notice.modified = next_modified(state.noise_modified)
    for repealed_id in repeals or []:
        cited = state.notice(repealed_id)
        number = f"（{cited.doc_number}）" if cited.doc_number else ""
        notice.paragraphs.insert(max(len(notice.paragraphs) - 1, 0), f"《{cited.title}》{number}同时废止。")
    notices.append(notice)
    state.resort()
    return {**notice_facts(state, notice), "published": published.isoformat(), "doc_number": notice.doc_number,
            "paragraphs": list(notice.paragraphs), "attachments": [a.file_name for a in notice.attachments]}  # fmt: skip


def edit_paragraph(
    state: SiteState, notice_id: str, paragraph_index: int | None = None, text: str | None = None
) -> dict[str, Any]:
    """Replace one body paragraph; chosen and rewritten from the seed when not given."""
    notice = state.notice(notice_id)
    rng = rng_for(state.seed, state.spec.slug, "edit", notice.id, notice.version)
    if paragraph_index is None:
        # Skip the addressee and the sign-off: edit substantive text.
        inner = range(1, max(2, len(notice.paragraphs) - 2))
        paragraph_index = rng.choice(list(inner)) if len(notice.paragraphs) > 1 else 0
    if not 0 <= paragraph_index < len(notice.paragraphs):
        raise ValueError(
            f"notice {notice.id} has {len(notice.paragraphs)} paragraphs; no index {paragraph_index}"
        )
    old = notice.paragraphs[paragraph_index]
    new = text if text is not None else edited_text(rng, old)
    notice.paragraphs[paragraph_index] = new
    _touch(notice)
    return {
        **notice_facts(state, notice),
        "paragraph_index": paragraph_index,
        "old_text": old,
        "new_text": new,
    }


def change_metadata(state: SiteState, notice_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Change metadata fields (有效性 → ``validity="已废止"``, 发布日期 → ``published="2018-01-02"``, …)."""
    unknown = sorted(set(fields) - set(METADATA_FIELDS))
    if unknown or not fields:
        raise ValueError(
            f"metadata fields must be among {', '.join(METADATA_FIELDS)}; got {', '.join(unknown) or 'none'}"
        )
    notice = state.notice(notice_id)
    changed: dict[str, dict[str, str]] = {}
    for name, value in fields.items():
        old = getattr(notice, name)
        if name in ("published", "written"):
            value = date.fromisoformat(str(value))
        setattr(notice, name, value)
        changed[name] = {"old": str(old), "new": str(value)}
    _touch(notice)
    if "published" in fields:
        state.resort()
    return {**notice_facts(state, notice), "changed": changed}


def set_attachment(
    state: SiteState, notice_id: str, kind: str = "pdf", text: str | None = None
) -> dict[str, Any]:
    """Add (or replace the same kind of) attachment. Without ``text`` the notice's own text moves
    into the file and the page keeps a cover note ending in 详见附件."""
    if kind not in ("pdf", "docx"):
        raise ValueError(f"attachment kind must be pdf or docx, not {kind!r}")
    notice = state.notice(notice_id)
    old = [a.file_name for a in notice.attachments]
    old_paragraphs = list(notice.paragraphs)
    _touch(notice)
    attachment = attach_full_text(state.spec, notice, kind, text)
    return {
        **notice_facts(state, notice),
        "kind": kind,
        "file_name": attachment.file_name,
        "attachment_url": state.base_url + attachment_path(state.spec, notice, attachment),
        "text": attachment.text,
        "replaced": [name for name in old if name.endswith("." + kind)],
        "paragraphs_changed": old_paragraphs != notice.paragraphs,
    }


def remove(state: SiteState, notice_id: str, status: int = 404) -> dict[str, Any]:
    """Take the notice down: its page answers ``status`` (404 or 410) and it leaves the lists."""
    if status not in (404, 410):
        raise ValueError(f"status must be 404 or 410, not {status}")
    notice = state.notice(notice_id)
    notice.removed = status
    _touch(notice)
    return {**notice_facts(state, notice), "status": status}


def restore(state: SiteState, notice_id: str) -> dict[str, Any]:
    """Put a removed notice back, unchanged."""
    notice = state.notice(notice_id)
    was = notice.removed
    notice.removed = None
    _touch(notice)
    return {**notice_facts(state, notice), "was": was}


def noise(state: SiteState, kind: str, notice_id: str | None = None) -> dict[str, Any]:
    """Change bytes but not text: bump the ``kind`` epoch for the site (or one notice)."""
    if kind not in NOISE_KINDS:
        raise ValueError(f"unknown noise kind {kind!r}; known: {', '.join(NOISE_KINDS)}")
    if notice_id is not None:
        notice = state.notice(notice_id)
        notice.noise[kind] = notice.noise.get(kind, 0) + 1
        notice.modified = next_modified(notice.modified)
        return {**notice_facts(state, notice), "kind": kind, "scope": "notice", "text_changed": False}
    state.noise[kind] = state.noise.get(kind, 0) + 1
    state.bump_noise_modified()
    return {
        "slug": state.spec.slug,
        "kind": kind,
        "scope": "site",
        "epoch": state.noise[kind],
        "text_changed": False,
    }


def fault(
    state: SiteState,
    kind: str,
    *,
    on: bool = True,
    scope: str = "all",
    count: int | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Switch a fault on (optionally for the next ``count`` matching requests) or off."""
    if on:
        state.faults[kind] = Fault(kind, scope, count, options)
    else:
        if kind not in state.faults:
            Fault(kind)  # validates the name
        state.faults.pop(kind, None)
    return {"slug": state.spec.slug, "kind": kind, "on": on, "scope": scope, "count": count,
            "options": options, "active": {k: f.describe() for k, f in state.faults.items()}}  # fmt: skip


def robots(state: SiteState, disallow: bool) -> dict[str, Any]:
    state.robots_disallow = disallow
    return {"slug": state.spec.slug, "robots_disallow": disallow}

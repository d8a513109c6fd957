"""Save govsim's rendered pages as fixtures (run by hand: ``.venv/bin/python tests/notices/save_govsim_pages.py``).

Every site flavour govsim serves (trs, gkmlpt, hanweb, anhui, portal, …, a GBK site, a wrong-charset
site, a page holding its text twice) gets a detail page; list flavours get a list page; one detail
page is saved twice with different noise (counter, timestamp, nonce, related links, markup) so the
gate proves noise never reaches the body. The tests read only the saved bytes, never govsim.
Expected records come from govsim's own Notice data, an independent ground truth.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from govsim.noise import NoiseView  # noqa: E402
from govsim.render import render_column_shell, render_detail, render_js_only_list, render_list  # noqa: E402
from govsim.urls import detail_path  # noqa: E402
from govsim.world import World  # noqa: E402
from notices import parse_doc_number  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"
BASE = "http://127.0.0.1:8765"
CHROME = ("扫一扫", "浏览次数", "分享到", "页面生成", "网站标识码")


def _headers(spec) -> dict[str, str]:
    if spec.header_charset and spec.declared_charset:
        return {"content-type": f"text/html; charset={spec.declared_charset}"}
    return {"content-type": "text/html"}


def _save(case: str, body: bytes, url: str, headers: dict[str, str], expected: dict, note: str) -> None:
    folder = PAGES / case
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.html").write_bytes(body)
    meta = {"url": url, "status": 200, "headers": headers, "source": note}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (folder / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _detail_expected(spec, notice) -> dict:
    # the extractor normalizes full-width and repeated spaces to one space
    paragraphs = [re.sub(r"[\s\u3000]+", " ", p).strip() for p in notice.paragraphs if p.strip()]
    portal = spec.flavour == "portal"
    theme = spec.theme
    expected = {
        "page_kind": "notice",
        "title": notice.title,
        "doc_number": parse_doc_number(notice.doc_number),
        "issuer": notice.issuer,
        "written_date": notice.written.isoformat(),
        "published_date": notice.published.isoformat(),
        "body": {
            "body_must_contain": [paragraphs[0], paragraphs[len(paragraphs) // 2], paragraphs[-1]],
            "body_must_not_contain": [s for s in (theme.icp, theme.police, theme.site_code, *CHROME) if s],
            "body_occurs_once": [paragraphs[len(paragraphs) // 2]],
            "last_paragraph": paragraphs[-1],
        },
        "warnings_contain": [],
    }
    if not portal:
        expected.update(index_number=notice.index_no, validity=notice.validity)
        expected["body"]["paragraph_count"] = len(paragraphs)
        expected["body"]["first_paragraph"] = paragraphs[0]
    if spec.encoding.replace("gb18030", "gbk") != (spec.declared_charset or "utf-8").replace("gb2312", "gbk"):
        expected["warnings_contain"].append("does not match the bytes")
    return expected


def main() -> None:
    world = World(seed=7)
    for slug, state in world.sites.items():
        spec = state.spec
        state.base_url = f"{BASE}/{slug}"
        notices = state.notices()
        notice = next((n for n in notices if n.origin == "seed"), notices[0])
        url = state.base_url + detail_path(spec, notice)
        body = render_detail(spec, notice, base_url=state.base_url)
        note = f"govsim seed 7, site {slug} ({spec.flavour}, {spec.encoding} bytes, declares {spec.declared_charset})"
        _save(f"govsim_{slug}_detail", body, url, _headers(spec), _detail_expected(spec, notice), note)
        if slug == "hainan":
            noisy = NoiseView(
                counter=98765,
                generated_at="2025-01-02 03:04:05",
                nonce="ffff0000",
                related_offset=3,
                nav_rotation=2,
                whitespace=1,
                markup=1,
            )
            body = render_detail(spec, notice, base_url=state.base_url, noise=noisy)
            _save(
                f"govsim_{slug}_detail_noise",
                body,
                url,
                _headers(spec),
                _detail_expected(spec, notice),
                note + ", noise bumped",
            )
        if slug in ("hainan", "qinghai"):
            # A cover notice: its text moved to an attachment, the page keeps a few lines and 详见附件.
            cover = next(n for n in notices if n.attachments and any("详见附件" in p for p in n.paragraphs))
            _save(
                f"govsim_{slug}_cover_notice",
                render_detail(spec, cover, base_url=state.base_url),
                state.base_url + detail_path(spec, cover),
                _headers(spec),
                _detail_expected(spec, cover),
                f"govsim seed 7, site {slug}, a short cover notice whose text is in its attachment",
            )
        if spec.flavour == "gkmlpt":
            continue  # its list is a JSON API answer, not a page extract() sees
        list_path = spec.list_path
        if spec.flavour == "hanweb":
            list_body = render_js_only_list(spec, base_url=state.base_url)
        elif spec.flavour == "hanweb_jpaas":
            # The column page: the gateway's JSON is not a page extract() sees.
            list_body = render_column_shell(spec, base_url=state.base_url)
            list_path = f"/col/col{spec.params['page_id']}/index.html"
        else:
            list_body = render_list(spec, state.visible(), 0, base_url=state.base_url)
        listed = (
            "hainan",
            "chuzhou",
            "lawportal-sim",
            "zhejiang-sim",
            "gbk-sim",
            "hangzhou-sim",
            "shaanxi-sim",
        )
        if slug in listed:
            expected: dict = {"page_kind": "list", "warnings_contain": ["list page"]}
            if spec.flavour == "hanweb_jpaas":
                expected["list"] = {"items_count": 0, "cms": "hanweb_jpaas"}
            if spec.flavour == "ilist":
                items = [{"url": BASE + detail_path(spec, n), "title": n.title, "date": n.published.isoformat()}
                         for n in state.visible()[: spec.page_size]]  # fmt: skip
                expected["list"] = {
                    "items_count": len(items),
                    "items_first": items[:2],
                    "items_last": items[-1],
                    "next_pages": [state.base_url + re.sub(r"cur_page=\d+", "cur_page=2", spec.list_path)],
                    "cms": "ilist",
                }
            _save(
                f"govsim_{slug}_list",
                list_body,
                state.base_url + list_path,
                _headers(spec),
                expected,
                f"govsim seed 7, site {slug} first list page",
            )


if __name__ == "__main__":
    main()

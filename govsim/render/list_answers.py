"""The JSON answers of govsim's list APIs, as each family serves them: gkmlpt's article pages,
开普云 UCAP's and the IGS front's search answers, Jilin's govsearch JSONP, the jpaas gateway."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from govsim.model import Notice
from govsim.noise import CHINA
from govsim.render.chrome import RenderContext, esc
from govsim.render.list_rows import jpaas_query, page_count, published_at, short_title
from govsim.urls import JPAAS_UNIT, detail_path
from sites import FlavourName


def gkmlpt_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    articles = []
    for n in rows:
        first = datetime(n.published.year, n.published.month, n.published.day, 10, 0, tzinfo=CHINA)
        articles.append({
            "id": int(n.id),
            "title": n.title,
            "url": ctx.base_url + detail_path(ctx.site, n),
            "document_number": n.doc_number,
            "identifier": n.index_no,
            "first_publish_time": int(first.timestamp()),
            "publisher": n.issuer,
        })  # fmt: skip
    payload = {"total": total, "page": page_no + 1, "pageSize": ctx.site.page_size, "articles": articles}
    return json.dumps(payload, ensure_ascii=False)


def ucap_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int, size: int) -> str:
    """开普云 UCAP's ``/common/search/<channel>?_isJson=true`` answer; an empty 文号 is the string "null"."""
    p = ctx.site.params
    results = []
    for n in rows:
        at = published_at(n)
        meta = [("refno", "文号", n.doc_number), ("indexnumber", "索引号", n.index_no),
                ("writedate", "成文日期", f"{n.written:%Y-%m-%d}"), ("source", "来源", n.issuer)]  # fmt: skip
        results.append({
            "title": n.title,
            "content": n.paragraphs[0][:120] if n.paragraphs else "",
            "url": detail_path(ctx.site, n),
            "subTitle": "",
            "manuscriptId": n.id,
            "publishedTime": int(at.timestamp()) * 1000,
            "publishedTimeStr": f"{at:%Y-%m-%d %H:%M:%S}",
            "channelName": "省政府文件",
            "channelCodeName": p["channel_code"],
            "channelId": p["channel_id"],
            "domainMetaList": [{"resultList": [
                {"key": key, "name": name, "value": value or "null"} for key, name, value in meta
            ]}],
        })  # fmt: skip
    data = {"page": page_no + 1, "rows": size, "channelId": p["channel_id"], "total": total,
            "relateSubChannels": "true", "results": results}  # fmt: skip
    locate = f"/{p['site_code']}/{p['channel_code']}/list.shtml"
    return json.dumps({"data": data, "locationUrl": locate, "channelName": "省政府文件"}, ensure_ascii=False)


def igs_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int, size: int) -> str:
    """The IGS search front's ``list.html`` answer. Records carry the fields of the site's index:
    Tianjin's (BT, ZXSJ, CWRQ, ZW, YXX) or, for ``type = governmentdocuments``, Guangxi's (DOCTITLE,
    FileName, PUBDATE, fileNum, DOCCONTENT). ``total`` is a string, ``totalPages`` a number."""
    site = ctx.site
    content = []
    for n in rows:
        at = published_at(n)
        url = ctx.base_url + detail_path(site, n)
        if site.params.get("type") == "governmentdocuments":
            content.append({
                "_id": n.id, "DOCTITLE": n.title, "FileName": _broken_title(n.title), "DOCPUBURL": url,
                "PUBDATE": at.isoformat(timespec="milliseconds"), "fileNum": n.doc_number,
                "IdxID": n.index_no, "CHNLDESC": "政府文件", "DOCCONTENT": n.text(),
            })  # fmt: skip
        else:
            content.append({
                "_id": n.id, "BT": n.title, "DOCPUBURL": url, "ZXSJ": f"{at:%Y-%m-%d %H:%M:%S}",
                "CWRQ": f"{n.written:%Y-%m-%d} 00:00:00", "ZW": "".join(f"<p>{esc(t)}</p>" for t in n.paragraphs),
                "YXX": "0" if n.validity == "有效" else "1", "CHANNELID": site.params["channel_id"],
            })  # fmt: skip
    page_data = {"content": content, "total": str(total), "totalPages": page_count(total, size)}
    return json.dumps({"page": page_data}, ensure_ascii=False)


def json_list_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int, size: int) -> str:
    """Jilin's govsearch JSONP answer: blank lines, then ``result({"data": [...]})``; each record's
    absolute ``puburl`` at the top, its title, date, 文号 and issuer in ``tip``; no total."""
    data = [
        {"MetaDataId": n.id, "puburl": ctx.base_url + detail_path(ctx.site, n),
         "tip": {"title": n.title, "dates": f"{n.published:%Y-%m-%d}", "filenum": n.doc_number,
                 "publisher": n.issuer}}
        for n in rows
    ]  # fmt: skip
    return "\r\n" * 4 + "result(" + json.dumps({"data": data}, ensure_ascii=False) + ");\r\n"


def _broken_title(title: str) -> str:
    """Guangxi's FileName wraps long titles with ``<br/>``."""
    return title if len(title) <= 24 else title[:24] + "<br/>" + title[24:]


def jpaas_unit(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int, size: int) -> str:
    """The jpaas gateway's answer: JSON whose ``data.html`` holds the rows and a pagination block
    (``count``, ``rows``, ``pageNo``); past the last page the list is empty."""
    p = ctx.site.params
    items = "\n".join(
        f'<li><a title="{esc(n.title)}" target="_blank" href="{detail_path(ctx.site, n)}">{esc(short_title(n.title))}</a>'
        f"<b>{n.published:%Y-%m-%d}</b></li>"
        for n in rows
    )
    html = (
        f'<div class="default_pgContainer"><ul class="{ctx.site.theme.css_prefix}-list">\n{items}\n</ul></div>\n'
        f'<div class="pagination" queryData="{jpaas_query(ctx)}" rows="{size}" unitid="{esc(p["tag_id"])}" '
        f'count="{total}" pageNo="{page_no + 1}" unitUrl="{JPAAS_UNIT}"></div>'
    )
    return json.dumps({"success": True, "code": "200", "data": {"html": html}}, ensure_ascii=False)


# The JSON search APIs answer with the page size the request asks for.
JSON_LIST_BUILDERS: dict[FlavourName, Callable[[RenderContext, Sequence[Notice], int, int, int], str]] = {
    "ucap": ucap_list,
    "igs": igs_list,
    "hanweb_jpaas": jpaas_unit,
    "json_list": json_list_list,
}

"""List pages and list APIs, one builder per flavour (shapes as in docs/flavours.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import datetime

from govsim.model import Notice
from govsim.noise import CHINA
from govsim.render.chrome import RenderContext, esc, page
from govsim.render.detail import portal_title
from govsim.urls import HANWEB_PROXY, ILIST, JPAAS_UNIT, archive_path, detail_path, list_path
from sites import FlavourName


def page_count(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


def _short(title: str, limit: int = 32) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def trs_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    site = ctx.site
    items = []
    for n in rows:
        href = "." + detail_path(site, n).removeprefix(site.column)
        if site.scripted_rows:
            items.append(_scripted_row(href, n))
            continue
        items.append(
            f'<li><a href="{href}" title="{esc(n.title)}" target="_blank">{esc(_short(n.title))}</a>'
            f"<span>{n.published:%Y-%m-%d}</span></li>"
        )
    pages = page_count(total, site.page_size)
    main = f"""<div class="list-box"><div class="list-title"><h2>政府文件</h2></div>
<ul class="list">
{chr(10).join(items)}
</ul>
<div id="page_div" class="page"></div>
<script type="text/javascript" src="/js/page.js"></script><script>createPageHTML('page_div', {pages}, {page_no}, 'index', 'html', {total});</script>
</div>"""
    return page(ctx, title=f"政府文件_{site.theme.site_title}", main=main, metas={"ColumnName": "政府文件"},
                crumbs=["政务公开", "政府文件"])  # fmt: skip


def _scripted_row(href: str, n: Notice) -> str:
    """A row as Wuhan's lists draw it: no row markup, only script variables and document.writeln
    (the short title first, the whole one assigned when there is one)."""
    return f"""<li><script>
var url = {json.dumps(href)};
var title = {json.dumps(_short(n.title), ensure_ascii=False)};
if ({json.dumps(n.title, ensure_ascii=False)} != "") {{
  title = {json.dumps(n.title, ensure_ascii=False)};
}}
var FILENUM = {json.dumps(n.doc_number or "", ensure_ascii=False)};
document.writeln("<a href=" + url + " target='_blank' title='" + title + "'>");
document.writeln(title);
document.writeln("</a><span>");
document.writeln("{_published_at(n):%Y-%m-%d %H:%M}");
document.writeln("</span>");
</script></li>"""


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


def hanweb_shell(ctx: RenderContext, total: int) -> str:
    """The Hanweb list page: a jpage configuration and no rows; the browser fetches them."""
    p = ctx.site.params
    unit = p["unitid"]
    main = f"""<div class="zj-list"><div class="zj-list-title">省政府文件</div>
<div id="{unit}"><script type="text/javascript">
var jpageConfig = {{col: 1, appid: 1, webid: {p["webid"]}, path: '/', columnid: {p["columnid"]}, sourceContentType: 1,
  unitid: '{unit}', webname: '{esc(ctx.site.theme.site_title)}', permissiontype: 0}};
$(document).ready(function() {{
  $('#{unit}').jpage({{dataStore: [], totalRecord: {total}, perPage: {p["perpage"]}, groupSize: 3,
    proxyUrl: '{HANWEB_PROXY}', ajaxParam: jpageConfig, barPosition: 'bottom', themeName: 'default'}});
}});
</script></div>
<script src="/js/jquery.jpage.js"></script>
</div>"""
    return page(ctx, title=f"省政府文件 {ctx.site.theme.site_title}", main=main, metas={"ColumnName": "省政府文件"},
                crumbs=["政务公开", "省政府文件"])  # fmt: skip


def hanweb_records(ctx: RenderContext, rows: Sequence[Notice], total: int, per_page: int) -> str:
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{detail_path(ctx.site, n)}" title="{esc(n.title)}" target="_blank">'
        f"{esc(_short(n.title))}</a><span>{n.published:%Y-%m-%d}</span></li>]]></record>"
        for n in rows
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"<totalrecord>{total}</totalrecord>\n<totalpage>{page_count(total, per_page)}</totalpage>\n"
        f"<recordset>\n{records}\n</recordset>\n</datastore>\n"
    )


def anhui_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    pages = page_count(total, ctx.site.page_size)
    items = "\n".join(
        f'<li><a href="{detail_path(ctx.site, n)}" title="{esc(n.title)}" target="_blank">{esc(n.title)}</a>'
        f'<span class="date">{n.published:%Y-%m-%d}</span></li>'
        for n in rows
    )
    links = " ".join(
        f'<a href="{list_path(ctx.site, i)}"{" class=active" if i == page_no else ""}>{i + 1}</a>'
        for i in range(pages)
    )
    main = f"""<div class="navjz clearfix"><ul class="clearfix doc_list list-{ctx.site.theme.css_prefix}">
{items}
</ul>
<div class="pagination" data-total-page="{pages}" data-total="{total}">{links}</div></div>"""
    return page(ctx, title=f"市政府办文件-{ctx.site.theme.site_title}", main=main, metas={"ColumnName": "市政府办文件"},
                crumbs=["政府信息公开", "市政府办文件"])  # fmt: skip


def portal_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    pages = page_count(total, ctx.site.page_size)
    items = "\n".join(
        f'<div class="item"><a class="title" href="{detail_path(ctx.site, n)}">{esc(portal_title(ctx, n))}</a>'
        f'<span class="time">{n.published:%Y-%m-%d}</span><p class="src">来源：{esc(ctx.site.repost_of or n.issuer)}</p></div>'
        for n in rows
    )
    nxt = f'<a class="next" href="list_{page_no + 2}.html">下一页</a>' if page_no + 1 < pages else ""
    prev = f'<a class="prev" href="list_{page_no}.html">上一页</a>' if page_no > 0 else ""
    main = f"""<div class="lp-main"><div class="news-list">
{items}
</div>
<div class="pages">{prev} <span>第{page_no + 1}页/共{pages}页</span> {nxt}</div></div>"""
    return page(ctx, title=f"法规库_{ctx.site.theme.site_title}", main=main, metas={"ColumnName": "法规库"},
                crumbs=["法规库"])  # fmt: skip


def shanghai_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    """The Shanghai platform's column page: dated ``li`` rows in ``ul.uli16``, the jQuery pagination
    plugin with ``totalPage`` and its callBack to ``index_'+i+'.html``; no page-number links in the HTML."""
    items = "\n".join(
        f'<li><a href="{detail_path(ctx.site, n)}" title="{esc(n.title)}" target="_blank">{esc(n.title)}</a>'
        f'<span class="time">{n.published:%Y-%m-%d}</span></li>'
        for n in rows
    )
    pages = page_count(total, ctx.site.page_size)
    stem = ctx.site.list_path.rsplit("/", 1)[-1].rpartition(".")[0]
    main = f"""<div class="container"><div class="page-header-1"><h2><a href="{ctx.site.list_path}" title="规范性文件">规范性文件</a></h2></div>
<ul class="uli16 nowrapli list-date ">
{items}
</ul>
<nav class="text-center"><ul class="pagination">
<script type="text/javascript" src="/assets/js/ETUI/jquery.min.1.12.4.js"></script>
<script type="text/javascript" src="/assets/js/pagination.min.js"></script>
<script type="text/javascript">
    $(".pagination").pagination({{
        totalPage: {pages},
        showPageNum: 5,
        isShowFL: false,
        isShowSkip: true,
        callBack: function (currPage) {{
            var i=currPage;
            if(i==1)
                location.href='{stem}.html';
            else
                location.href='{stem}_'+i+'.html';
        }}
    }});
     $(".pagination").pagination("setPage",{page_no + 1},{pages});
</script>
</ul></nav></div>"""
    return page(ctx, title=f"规范性文件_{ctx.site.theme.site_title}", main=main, metas={"ColumnName": "规范性文件"},
                crumbs=["政务公开", "规范性文件"])  # fmt: skip


def shanghai_years(ctx: RenderContext, years: Sequence[int]) -> str:
    """A Shanghai section page of year archives (沪府规 style): one ``<a><h4>YYYY年</h4></a>`` per year,
    newest first, no documents, and the platform's ETUI scripts (as on its list pages)."""
    links = "\n".join(
        f'<li><a href="{archive_path(ctx.site, year)}" title="{year}年"><h4>{year}年</h4></a></li>'
        for year in years
    )
    main = f"""<div class="container"><div class="page-header-1"><h2>沪府规</h2></div>
<ul class="list-year">
{links}
</ul></div>
<script src="/assets/js/ETUI/jquery.min.1.12.4.js"></script><script src="/assets/js/ETUI/ETUI3.min.js"></script>"""
    return page(ctx, title=f"沪府规_{ctx.site.theme.site_title}", main=main, metas={"ColumnName": "沪府规"},
                crumbs=["政务公开", "沪府规"])  # fmt: skip


def generic_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    """A static list of no named CMS (Sichuan style): ``div.biaobody`` rows of 序号 / title / 文号 / date
    divs, links in the ``/cols/YYYY/M/D/<hex>.shtml`` dialect, and a pager of links (``下页`` to
    ``<name>_N.shtml``) with ``共N页``."""
    site = ctx.site
    start = page_no * site.page_size
    items = "\n".join(
        f'<li><div class="lie1">{start + i + 1}</div><div class="lie2"><a href="{detail_path(site, n)}" '
        f'title="{esc(n.title)}" target="_blank">{esc(_short(n.title, 40))}</a></div>'
        f'<div class="lie3">{esc(n.doc_number)}</div><div class="lie4">{n.published:%Y-%m-%d}</div></li>'
        for i, n in enumerate(rows)
    )
    pages = page_count(total, site.page_size)
    name = site.list_path.rsplit("/", 1)[-1]
    links = [f'<a class="pagination-index" href="{name}">首页</a>']
    if page_no > 0:
        links.append(
            f'<a class="pagination-index" href="{list_path(site, page_no - 1).rsplit("/", 1)[-1]}">上页</a>'
        )
    if page_no + 1 < pages:
        links.append(
            f'<a class="pagination-index" href="{list_path(site, page_no + 1).rsplit("/", 1)[-1]}">下页</a>'
        )
    links.append(
        f'<a class="pagination-index" href="{list_path(site, pages - 1).rsplit("/", 1)[-1]}">尾页</a>'
    )
    main = f"""<div class="biao"><div class="biaohead"><div class="lie1">序号</div><div class="lie2">标题</div>
<div class="lie3">文号</div><div class="lie4">发布日期</div></div>
<div class="biaobody"><ul>
{items}
</ul></div>
<div id="page_div" class="page">{" ".join(links)} <span class="pagination-info">第{page_no + 1}页 共{pages}页 {total}条</span></div></div>"""
    return page(ctx, title=f"规范性文件- {site.theme.site_title}", main=main, metas={"ColumnName": "规范性文件"},
                crumbs=["政务公开", "规范性文件"])  # fmt: skip


def _published_at(n: Notice) -> datetime:
    """The list's publication time: the visible date at a time of day fixed per notice."""
    return datetime(n.published.year, n.published.month, n.published.day, 9 + int(n.id) % 8, int(n.id) % 60,
                    tzinfo=CHINA)  # fmt: skip


def ucap_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int, size: int) -> str:
    """开普云 UCAP's ``/common/search/<channel>?_isJson=true`` answer; an empty 文号 is the string "null"."""
    p = ctx.site.params
    results = []
    for n in rows:
        at = _published_at(n)
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
        at = _published_at(n)
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


def _jpaas_query(ctx: RenderContext) -> str:
    """The ``queryData`` a jpaas column declares, single-quoted as the pages write it."""
    p = ctx.site.params
    fields = {"webId": p["web_id"], "pageId": p["page_id"], "tplSetId": p["tpl_set_id"], "tagId": p["tag_id"],
              "parseType": "bulidstatic", "pageType": "column", "editType": "null"}  # fmt: skip
    return "{" + ",".join(f"'{k}':'{v}'" for k, v in fields.items()) + "}"


def jpaas_column(ctx: RenderContext) -> str:
    """The jpaas column page: no rows, a ``unitbuild.js`` script that names the gateway and its query."""
    p = ctx.site.params
    main = f"""<div class="{ctx.site.theme.css_prefix}-list"><div class="list-title">部门文件</div>
<div id="{esc(p["tag_id"])}"><script id="{p["page_id"]}" src="/cms_files/default/script/AuthorizedRead/unitbuild.js" webId="{p["web_id"]}" parseType="bulidstatic" url="{JPAAS_UNIT}" queryData="{_jpaas_query(ctx)}"></script></div>
</div>"""
    return page(ctx, title=f"部门文件 {ctx.site.theme.site_title}", main=main, metas={"ColumnName": "部门文件"},
                crumbs=["政务公开", "部门文件"])  # fmt: skip


def jpaas_unit(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int, size: int) -> str:
    """The jpaas gateway's answer: JSON whose ``data.html`` holds the rows and a pagination block
    (``count``, ``rows``, ``pageNo``); past the last page the list is empty."""
    p = ctx.site.params
    items = "\n".join(
        f'<li><a title="{esc(n.title)}" target="_blank" href="{detail_path(ctx.site, n)}">{esc(_short(n.title))}</a>'
        f"<b>{n.published:%Y-%m-%d}</b></li>"
        for n in rows
    )
    html = (
        f'<div class="default_pgContainer"><ul class="{ctx.site.theme.css_prefix}-list">\n{items}\n</ul></div>\n'
        f'<div class="pagination" queryData="{_jpaas_query(ctx)}" rows="{size}" unitid="{esc(p["tag_id"])}" '
        f'count="{total}" pageNo="{page_no + 1}" unitUrl="{JPAAS_UNIT}"></div>'
    )
    return json.dumps({"success": True, "code": "200", "data": {"html": html}}, ensure_ascii=False)


def ilist_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    """An ``iList.jsp`` column: ``<li>`` rows (date before the link), and the platform's pager, whose
    links are relative (``?site_id=…&cur_page=N``) and whose last-page link reads 未页."""
    p = ctx.site.params
    pages = page_count(total, ctx.site.page_size)
    items = "\n".join(
        f'<li><span>{n.published:%Y-%m-%d}</span><a href="{detail_path(ctx.site, n)}" target="_blank" '
        f'title="{esc(n.title)}">{esc(_short(n.title, 28))}</a></li>'
        for n in rows
    )
    number = page_no + 1
    query = f"?site_id={p['site_id']}&amp;cat_id={p['cat_id']}&amp;cur_page="
    pager = (
        f"共<span>{total}</span> 条信息 共<span>{pages}</span>页 第{number}页 "
        f'[<a href="{query}1">首页</a>] [<a href="{query}{max(number - 1, 1)}">上一页</a>] '
        f'[<a href="{query}{min(number + 1, pages)}">下一页</a>] [<a href="{query}{pages}">未页</a>]'
    )
    columns = "".join(
        f'<li><a href="{ILIST}?cat_id={cat}">{name}</a></li>'
        for cat, name in (
            (p["cat_id"], "通知公告"),
            (int(p["cat_id"]) + 1, "工作动态"),
            (int(p["cat_id"]) + 2, "政策法规"),
        )
    )
    main = f"""<div class="{ctx.site.theme.css_prefix}-main"><div class="leftmenu"><ul>{columns}</ul></div>
<div class="rightlist"><div class="catnm">通知公告</div>
<ul class="textlist">
{items}
</ul>
<div class="pagebar"><p>{pager}</p></div></div></div>"""
    return page(ctx, title=f"通知公告-{ctx.site.theme.site_title}", main=main, metas={"ColumnName": "通知公告"},
                crumbs=["通知公告"])  # fmt: skip


def js_only_list(ctx: RenderContext) -> str:
    """The list as a script-built shell (the "js_list" fault): no rows in the static HTML."""
    main = """<div class="list-box"><ul id="list-container"></ul><div id="page_div"></div>
<script>fetch('/api/list?page=1').then(function(r){return r.json();}).then(function(d){renderList(d);});</script>
<noscript>请开启浏览器的JavaScript功能后访问本页面。</noscript></div>"""
    return page(ctx, title=ctx.site.theme.site_title, main=main, metas={}, crumbs=["政务公开"])


LIST_BUILDERS: dict[FlavourName, Callable[[RenderContext, Sequence[Notice], int, int], str]] = {
    "trs": trs_list,
    "gkmlpt": gkmlpt_list,
    "anhui": anhui_list,
    "portal": portal_list,
    "ilist": ilist_list,
    "shanghai": shanghai_list,
    "generic": generic_list,
}

# The JSON search APIs answer with the page size the request asks for.
JSON_LIST_BUILDERS: dict[FlavourName, Callable[[RenderContext, Sequence[Notice], int, int, int], str]] = {
    "ucap": ucap_list,
    "igs": igs_list,
    "hanweb_jpaas": jpaas_unit,
    "json_list": json_list_list,
}

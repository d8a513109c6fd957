"""List pages and list APIs, one builder per flavour (shapes as in docs/flavours.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from govsim.model import Notice
from govsim.render.chrome import RenderContext, esc, page
from govsim.render.detail import portal_title
from govsim.render.list_answers import gkmlpt_list
from govsim.render.list_rows import jpaas_query, page_count, published_at, short_title
from govsim.urls import HANWEB_PROXY, ILIST, JPAAS_UNIT, archive_path, detail_path, list_path
from sites import FlavourName


def trs_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    site = ctx.site
    items = []
    for n in rows:
        href = "." + detail_path(site, n).removeprefix(site.column)
        if site.scripted_rows:
            items.append(_scripted_row(href, n))
            continue
        items.append(
            f'<li><a href="{href}" title="{esc(n.title)}" target="_blank">{esc(short_title(n.title))}</a>'
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
var title = {json.dumps(short_title(n.title), ensure_ascii=False)};
if ({json.dumps(n.title, ensure_ascii=False)} != "") {{
  title = {json.dumps(n.title, ensure_ascii=False)};
}}
var FILENUM = {json.dumps(n.doc_number or "", ensure_ascii=False)};
document.writeln("<a href=" + url + " target='_blank' title='" + title + "'>");
document.writeln(title);
document.writeln("</a><span>");
document.writeln("{published_at(n):%Y-%m-%d %H:%M}");
document.writeln("</span>");
</script></li>"""


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
        f"{esc(short_title(n.title))}</a><span>{n.published:%Y-%m-%d}</span></li>]]></record>"
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
        f'title="{esc(n.title)}" target="_blank">{esc(short_title(n.title, 40))}</a></div>'
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


def jpaas_column(ctx: RenderContext) -> str:
    """The jpaas column page: no rows, a ``unitbuild.js`` script that names the gateway and its query."""
    p = ctx.site.params
    main = f"""<div class="{ctx.site.theme.css_prefix}-list"><div class="list-title">部门文件</div>
<div id="{esc(p["tag_id"])}"><script id="{p["page_id"]}" src="/cms_files/default/script/AuthorizedRead/unitbuild.js" webId="{p["web_id"]}" parseType="bulidstatic" url="{JPAAS_UNIT}" queryData="{jpaas_query(ctx)}"></script></div>
</div>"""
    return page(ctx, title=f"部门文件 {ctx.site.theme.site_title}", main=main, metas={"ColumnName": "部门文件"},
                crumbs=["政务公开", "部门文件"])  # fmt: skip


def ilist_list(ctx: RenderContext, rows: Sequence[Notice], page_no: int, total: int) -> str:
    """An ``iList.jsp`` column: ``<li>`` rows (date before the link), and the platform's pager, whose
    links are relative (``?site_id=…&cur_page=N``) and whose last-page link reads 未页."""
    p = ctx.site.params
    pages = page_count(total, ctx.site.page_size)
    items = "\n".join(
        f'<li><span>{n.published:%Y-%m-%d}</span><a href="{detail_path(ctx.site, n)}" target="_blank" '
        f'title="{esc(n.title)}">{esc(short_title(n.title, 28))}</a></li>'
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

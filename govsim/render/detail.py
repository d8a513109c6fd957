"""Detail pages, one builder per flavour (markup as in docs/flavours.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from govsim.model import Notice
from govsim.noise import paragraph_html
from govsim.render.chrome import RenderContext, esc, page, qr_box, related_box, share_box, visit_counter
from govsim.urls import attachment_path
from sites import FlavourName

PORTAL_DISCLAIMER = (
    "声明:本网部分内容系编辑转载,转载目的在于传递更多信息,并不代表本网赞同其观点和对其真实性负责。"
    "如涉及作品内容、版权和其它问题,请联系我们,我们将在第一时间处理! 转载文章版权归原作者所有,"
    "内容为作者个人观点本站只提供参考并不构成任何应用建议。本站拥有对此声明的最终解释权。"
)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _metas(ctx: RenderContext, notice: Notice, column: str) -> dict[str, str]:
    first = notice.url_date or notice.published
    return {
        "ColumnName": column,
        "ArticleTitle": notice.title,
        # The <meta> keeps the first publication time; the visible 发布日期 may have been re-dated.
        "PubDate": f"{first:%Y-%m-%d} {9 + int(notice.id) % 8:02d}:{int(notice.id) % 60:02d}",
        "ContentSource": notice.issuer,
        "Keywords": "打击侵权假冒" if notice.origin == "seed" else "",
    }


def body_html(ctx: RenderContext, notice: Notice) -> str:
    markup = ctx.noise.markup + notice.noise.get("markup", 0)
    return "\n".join(paragraph_html(p, markup) for p in notice.paragraphs)


def attachments_html(ctx: RenderContext, notice: Notice, *, relative: bool = False) -> str:
    if not notice.attachments:
        return ""
    links = []
    for a in notice.attachments:
        href = attachment_path(ctx.site, notice, a)
        if relative:
            href = "./" + href.rsplit("/", 1)[-1]
        links.append(f'<li><a href="{esc(href)}" target="_blank">{esc(a.title)}</a></li>')
    return '<div class="fjdown"><p>附件：</p><ul>' + "".join(links) + "</ul></div>"


def _label_table(rows: list[list[tuple[str, str]]], css: str) -> str:
    out = [f'<table class="{css}" width="100%" border="0" cellpadding="0" cellspacing="0"><tbody>']
    for row in rows:
        cells = "".join(
            f'<td class="label"><b>{esc(label)}：</b></td><td{" colspan=3" if len(row) == 1 else ""}>{esc(value)}</td>'
            for label, value in row
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _gov_rows(notice: Notice) -> list[list[tuple[str, str]]]:
    # Label spellings keep the ASCII and full-width spaces the real tables carry.
    return [
        [("索 引 号", notice.index_no), ("主题分类", notice.topic)],
        [("发文机关", notice.issuer), ("成文日期", cn_date(notice.written))],
        [("标　　题", notice.title)],
        [("发文字号", notice.doc_number), ("发布日期", cn_date(notice.published))],
        [("有 效 性", notice.validity)],
    ]


def _tools(ctx: RenderContext, notice: Notice) -> str:
    return (
        f'{share_box(ctx)}\n{qr_box(ctx)}\n<div class="print-close"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>\n' + related_box(ctx)
    )


def trs_detail(ctx: RenderContext, notice: Notice) -> str:
    p = ctx.site.theme.css_prefix
    article = f"""<h1 class="article-title">{esc(notice.title)}</h1>
<div class="article-info"><span>发布日期：{notice.published:%Y-%m-%d}</span><span>来源：{esc(notice.issuer)}</span>
{visit_counter(ctx, notice.id)}<span class="zh">字号：<a>大</a> <a>中</a> <a>小</a></span></div>
<div class="TRS_Editor"><div class="Custom_UnionStyle">
{body_html(ctx, notice)}
</div></div>
{attachments_html(ctx, notice, relative=True)}"""
    twice = ""
    if ctx.site.body_twice:
        # The mobile copy of the whole notice, hidden on desktop: the page holds the text twice.
        twice = f"""<div class="m-article visible-xs"><h2>{esc(notice.title)}</h2>
<p class="m-info">发布日期:{notice.published:%Y-%m-%d}</p><p class="m-wh">{esc(notice.doc_number)}</p>
<div class="TRS_Editor">{body_html(ctx, notice)}</div></div>"""
    main = f"""<div class="{p}-xxgk">{_label_table(_gov_rows(notice), f"{p}-xxgk-table")}</div>
{twice}<div class="{p}-article article">
{article}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}_{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "政府文件"), crumbs=["政务公开", "政府文件"])  # fmt: skip


def gkmlpt_detail(ctx: RenderContext, notice: Notice) -> str:
    def row(*pairs: tuple[str, str]) -> str:
        spans = " ".join(f'<span class="first">{esc(k)}：</span><span>{esc(v)}</span>' for k, v in pairs)
        return f'<div class="row">{spans}</div>'

    intro = "\n".join([
        row(("索引号", notice.index_no), ("分类", notice.topic)),
        row(("发布机构", notice.issuer), ("成文日期", cn_date(notice.written))),
        row(("名称", notice.title)),
        row(("文号", notice.doc_number), ("发布日期", cn_date(notice.published))),
        row(("有效性", notice.validity)),
    ])  # fmt: skip
    main = f"""<div class="gkmlpt-detail"><div class="introduce">
{intro}
</div>
<div class="content"><h1 class="title">{esc(notice.title)}</h1>
<div class="info">{visit_counter(ctx, notice.id)}</div>
<div class="zw">
{body_html(ctx, notice)}
</div>
{attachments_html(ctx, notice)}
{_tools(ctx, notice)}
</div></div>"""
    return page(ctx, title=notice.title, main=main, metas=_metas(ctx, notice, "政府文件"),
                crumbs=["政府信息公开", "文件库"])  # fmt: skip


def hanweb_detail(ctx: RenderContext, notice: Notice) -> str:
    main = f"""<div class="zj-xxgk">{_label_table(_gov_rows(notice), "xxgk_table")}</div>
<div class="zj-article"><div class="title"><p>{esc(notice.title)}</p></div>
<div class="sub">信息来源：{esc(notice.issuer)}　发布日期：{notice.published:%Y-%m-%d}　{visit_counter(ctx, notice.id)}</div>
<div id="zoom"><!--<$[信息内容]>begin-->
{body_html(ctx, notice)}
<!--<$[信息内容]>end--></div>
{attachments_html(ctx, notice)}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=notice.title, main=main, metas=_metas(ctx, notice, "省政府文件"),
                crumbs=["政务公开", "省政府文件"])  # fmt: skip


def anhui_detail(ctx: RenderContext, notice: Notice) -> str:
    rows = [
        ("索引号", notice.index_no), ("发布机构", notice.issuer), ("文号", notice.doc_number),
        ("生成日期", f"{notice.written:%Y-%m-%d}"), ("发布日期", f"{notice.published:%Y-%m-%d}"),
        ("有效性", notice.validity),
    ]  # fmt: skip
    cells = "".join(f"<tr><th>{esc(k)}：</th><td>{esc(v)}</td></tr>" for k, v in rows)
    main = f"""<div class="wzcon"><table class="table_suoyin">{cells}</table>
<div class="newsinfo"><h1 class="newstitle">{esc(notice.title)}</h1>
<div class="newsmsg"><span>发布时间：{notice.published:%Y-%m-%d}</span>{visit_counter(ctx, notice.id)}
<span class="gentime">页面生成：{ctx.noise.generated_at}</span></div>
<div class="j-fontContent minh500">
{body_html(ctx, notice)}
</div>
{attachments_html(ctx, notice)}
</div>
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}-{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "市政府办文件"), crumbs=["政府信息公开", "市政府办文件"])  # fmt: skip


def portal_title(ctx: RenderContext, notice: Notice) -> str:
    """Reposts are retitled 发文机关《…》, as the portal did with the Qinghai notice."""
    if ctx.site.repost_of and notice.title.startswith(notice.issuer):
        return f"{notice.issuer}《{notice.title.removeprefix(notice.issuer)}》"
    return notice.title


def portal_detail(ctx: RenderContext, notice: Notice) -> str:
    source = ctx.site.repost_of or notice.issuer
    main = f"""<div class="lp-main"><div class="lp-article">
<h1 class="lp-title">{esc(portal_title(ctx, notice))}</h1>
<div class="lp-info"><span>发布时间:{notice.published:%Y-%m-%d}</span><span>来源：{esc(source)}</span>{visit_counter(ctx, notice.id)}</div>
<div class="lp-content">
<p class="lp-doc-title"><strong>{esc(notice.title)}</strong></p>
<p class="lp-doc-number">{esc(notice.doc_number)}</p>
{body_html(ctx, notice)}
</div>
{attachments_html(ctx, notice)}
<div class="lp-disclaimer"><p>{PORTAL_DISCLAIMER}</p></div>
<div class="lp-comment"><h3>发表评论</h3><textarea placeholder="请登录后发表评论"></textarea><a class="btn" href="/login">去登录</a></div>
</div>
<div class="lp-side"><div class="lp-ask-box"><p>还有疑问?</p><a href="/ask/">马上发起在线咨询</a></div>{related_box(ctx)}</div></div>"""
    return page(ctx, title=f"{portal_title(ctx, notice)}_{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "法规库"), crumbs=["法规库", "地方法规"])  # fmt: skip


def ucap_detail(ctx: RenderContext, notice: Notice) -> str:
    """开普云 UCAP: title, time and body inside the pseudo-tags ``<ucaptitle>``, ``<publishtime>``,
    ``<ucapcontent>`` (browsers ignore unknown tags and show their text)."""
    p = ctx.site.theme.css_prefix
    shown = notice.published
    main = f"""<div class="{p}-xxgk">{_label_table(_gov_rows(notice), "xxgk-table")}</div>
<div class="{p}-article article"><div class="article_title"><ucaptitle>{esc(notice.title)}</ucaptitle></div>
<div class="article_info"><span class="time">发布时间：<publishtime>{shown:%Y-%m-%d} {9 + int(notice.id) % 8:02d}:{int(notice.id) % 60:02d}</publishtime></span>
<span class="source">来源：{esc(notice.issuer)}</span>{visit_counter(ctx, notice.id)}</div>
<div class="article_content"><ucapcontent>
{body_html(ctx, notice)}
</ucapcontent></div>
{attachments_html(ctx, notice)}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}_{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "省政府文件"), crumbs=["政务公开", "省政府文件"])  # fmt: skip


def igs_detail(ctx: RenderContext, notice: Notice) -> str:
    """The static page an IGS record's DOCPUBURL names: published by the site's TRS-style CMS."""
    p = ctx.site.theme.css_prefix
    main = f"""<div class="{p}-xl"><div class="xl-head">{_label_table(_gov_rows(notice), "xl-table")}</div>
<div class="xl-title"><h2>{esc(notice.title)}</h2></div>
<div class="xl-info"><span>发布时间：{notice.published:%Y-%m-%d}</span><span>来源：{esc(notice.issuer)}</span>
{visit_counter(ctx, notice.id)}</div>
<div class="article-content"><div class="TRS_UEDITOR trs_paper_default trs_word">
{body_html(ctx, notice)}
</div></div>
{attachments_html(ctx, notice, relative=True)}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}-{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "局级文件"), crumbs=["政务公开", "政策文件", "局级文件"])  # fmt: skip


def ilist_detail(ctx: RenderContext, notice: Notice) -> str:
    """An ``iList.jsp`` site's document page: 索引号, 文号, 日期 and 来源 in ``#attribute > span``, the body
    in ``#info_content``."""
    p = ctx.site.theme.css_prefix
    spans = "".join(
        f"<span>{label}：{esc(value)}</span>"
        for label, value in (("索引号", notice.index_no), ("文号", notice.doc_number),
                             ("发布日期", f"{notice.published:%Y-%m-%d}"), ("来源", notice.issuer))
    )  # fmt: skip
    main = f"""<div class="{p}-detail"><div id="info_title">{esc(notice.title)}</div>
<div id="attribute">{spans}</div>
<div class="info_sub"><span id="info_released_dtime">{notice.published:%Y-%m-%d}</span>{visit_counter(ctx, notice.id)}</div>
<div id="info_content" class="info_content">
{body_html(ctx, notice)}
</div>
{attachments_html(ctx, notice)}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}-{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "通知公告"), crumbs=["通知公告"])  # fmt: skip


def shanghai_detail(ctx: RenderContext, notice: Notice) -> str:
    """The Shanghai platform: title, date and body in ``#ivs_title``, ``#ivs_date``, ``#ivs_content``
    (``div.Article_content``), the disclosure table above them."""
    p = ctx.site.theme.css_prefix
    main = f"""<div class="{p}-xxgk">{_label_table(_gov_rows(notice), "xxgk-table")}</div>
<div class="{p}-article"><h2 class="Article-title" id="ivs_title">{esc(notice.title)}</h2>
<h2 class="no-margin-top"><small class="PBtime" id="ivs_date">{notice.published:%Y-%m-%d}</small>
<small>来源：{esc(notice.issuer)}</small> {visit_counter(ctx, notice.id)}</h2>
<div class="Article_content" id="ivs_content">
{body_html(ctx, notice)}
</div>
{attachments_html(ctx, notice, relative=True)}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}_{ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "规范性文件"), crumbs=["政务公开", "规范性文件"])  # fmt: skip


def generic_detail(ctx: RenderContext, notice: Notice) -> str:
    """A detail of no named CMS (Sichuan style): the 文号 in ``span.n_wh``, the body in
    ``div.info_cont`` (``#cmsArticleContent``)."""
    p = ctx.site.theme.css_prefix
    main = f"""<div class="{p}-xxgk">{_label_table(_gov_rows(notice), "xxgk-table")}</div>
<div class="artleft"><div class="h1">{esc(notice.title)}</div>
<div class="info_top"><span class="n_wh">{esc(notice.doc_number)}</span><span>发布时间：{notice.published:%Y-%m-%d}</span>
<span>来源：{esc(notice.issuer)}</span>{visit_counter(ctx, notice.id)}</div>
<div class="info_cont word" id="cmsArticleContent">
{body_html(ctx, notice)}
</div>
{attachments_html(ctx, notice, relative=True)}
{_tools(ctx, notice)}
</div>"""
    return page(ctx, title=f"{notice.title}- {ctx.site.theme.site_title}", main=main,
                metas=_metas(ctx, notice, "规范性文件"), crumbs=["政务公开", "规范性文件"])  # fmt: skip


DETAIL_BUILDERS: dict[FlavourName, Callable[[RenderContext, Notice], str]] = {
    "trs": trs_detail,
    "gkmlpt": gkmlpt_detail,
    "hanweb": hanweb_detail,
    "anhui": anhui_detail,
    "portal": portal_detail,
    "ucap": ucap_detail,
    "igs": igs_detail,
    "hanweb_jpaas": hanweb_detail,  # the same CMS publishes the same art pages behind either list
    "ilist": ilist_detail,
    "shanghai": shanghai_detail,
    "generic": generic_detail,
    "json_list": trs_detail,  # the disclosure site behind the search service is TRS
}

"""Site chrome: each layout draws its own header, navigation and footer, so no two sites share a template."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from govsim.model import SiteSpec
from govsim.noise import NoiseView, apply_whitespace, rotate
from govsim.urls import COUNT_PATH


@dataclass
class RenderContext:
    """What a page needs beyond the notice: the site, its absolute base URL and the noise."""

    site: SiteSpec
    base_url: str = ""
    noise: NoiseView = field(default_factory=NoiseView)
    related: list[tuple[str, str]] = field(default_factory=list)  # (title, url) of sibling notices


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def head(ctx: RenderContext, title: str, metas: dict[str, str]) -> str:
    site, nv = ctx.site, ctx.noise
    charset = site.declared_charset or "utf-8"
    meta_lines = "\n".join(f'<meta name="{esc(k)}" content="{esc(v)}">' for k, v in metas.items())
    p = site.theme.css_prefix
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="{esc(site.theme.site_title)}">
<meta name="SiteDomain" content="{esc(ctx.base_url)}">
<meta name="SiteIDCode" content="{esc(site.theme.site_code)}">
<meta name="HtmlGenerateTime" content="{nv.generated_at}">
{meta_lines}
<title>{esc(title)}</title>
<link rel="stylesheet" href="/{p}/images/common.css?v={nv.nonce[:6]}">
<script src="/{p}/images/jquery-1.12.4.min.js"></script>
<script nonce="{nv.nonce}">var _hmt = _hmt || []; var pageNonce = "{nv.nonce}";</script>
</head>"""


def visit_counter(ctx: RenderContext, notice_id: str) -> str:
    """浏览次数: inline on dynamic sites, filled by a separate script request on static ones."""
    count = f'浏览次数：<span id="visitcount">{ctx.noise.counter}</span>'
    if ctx.site.dynamic:
        return f'<span class="hits">{count}</span>'
    return f'<span class="hits">{count}<script src="{COUNT_PATH}?docid={notice_id}"></script></span>'


def share_box(ctx: RenderContext) -> str:
    layout = ctx.site.theme.layout
    if layout in ("hainan", "chongqing", "plain"):
        return (
            '<div class="bdsharebuttonbox"><span>分享到：</span><a href="#" class="bds_weixin" title="分享到微信"></a>'
            '<a href="#" class="bds_tsina" title="分享到新浪微博"></a><a href="#" class="bds_qzone" title="分享到QQ空间">'
            "</a></div>"
        )
    if layout in ("guangdong", "zhejiang"):
        return (
            '<div class="share"><span class="share-label">分享：</span><a class="wx">微信</a><a class="wb">微博</a>'
            '<div class="qrcode"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div></div>'
        )
    return '<div class="jiathis_style"><a class="jiathis_button_tsina"></a><a class="jiathis_button_weixin"></a></div>'


def qr_box(ctx: RenderContext) -> str:
    return (
        f'<div class="{ctx.site.theme.css_prefix}-ewm"><img src="/images/ewm.png" alt="二维码">'
        "<p>扫一扫在手机打开当前页</p></div>"
    )


def related_box(ctx: RenderContext) -> str:
    """相关链接: sibling notices and outside sites, rotated by the related_links noise epoch."""
    links = [f"{title}|{url}" for title, url in ctx.related] + list(ctx.site.theme.related_pool)
    shown = rotate(links, ctx.noise.related_offset)[:6]
    items = "\n".join(
        f'<li><a href="{esc(u)}" target="_blank">{esc(t)}</a></li>'
        for t, u in (x.split("|", 1) for x in shown)
    )
    return f'<div class="xgwj related-links">\n<h3>相关链接</h3>\n<ul>\n{items}\n</ul>\n</div>'


def nav(ctx: RenderContext) -> str:
    items = rotate(ctx.site.theme.nav, ctx.noise.nav_rotation)
    links = "".join(
        f'<li><a href="/{ctx.site.theme.css_prefix}/{i}/">{esc(n)}</a></li>' for i, n in enumerate(items)
    )
    return f'<ul class="nav {ctx.site.theme.css_prefix}-nav">{links}</ul>'


def _footer_lines(ctx: RenderContext) -> str:
    t = ctx.site.theme
    code = f"<span>网站标识码：{t.site_code}</span>" if t.site_code else ""
    return (
        f"<p>主办：{esc(t.host_org)}　{code}</p>\n"
        f'<p><a href="https://beian.miit.gov.cn/" target="_blank">{esc(t.icp)}</a>　'
        f'<a href="http://www.beian.gov.cn/" target="_blank">{esc(t.police)}</a></p>'
    )


def _hainan(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t = ctx.site.theme
    top = f"""<div class="header-top"><div class="w1200"><span class="fl">欢迎访问{esc(t.site_title)}！</span>
<span class="fr"><a href="/wza/">无障碍</a> | <a href="/en/">English</a> | <a href="/m/">手机版</a></span></div></div>
<div class="header"><div class="w1200"><a class="logo" href="/"><img src="/hainan/images/logo.png" alt="{esc(t.site_title)}"></a>
<form class="search" action="/s"><input name="q" placeholder="请输入关键词"><button>搜索</button></form></div></div>
<div class="navbar">{nav(ctx)}</div>
<div class="w1200 location">当前位置：{crumbs}</div>"""
    bottom = f"""<div class="footer"><div class="w1200"><div class="ft-links"><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> | <a href="/contact/">联系我们</a></div>
{_footer_lines(ctx)}
<p><img src="/images/dzjg.png" alt="党政机关"> <script nonce="{ctx.noise.nonce}" id="_jiucuo_" sitecode="{t.site_code}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></p></div></div>"""
    return top, bottom


def _qinghai(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t = ctx.site.theme
    top = f"""<table class="qh-top" width="100%"><tr><td class="qh-date">今天是：<span id="today"></span></td>
<td class="qh-links"><a href="/">设为首页</a> <a href="/">加入收藏</a> <a href="/app/">青海政务APP</a></td></tr></table>
<div id="qh-banner"><h2>{esc(t.site_title)}</h2></div>
<div id="qh-menu">{nav(ctx)}</div>
<div class="qh-crumb">您当前的位置：{crumbs}</div>"""
    bottom = f"""<div id="qh-foot"><hr><p><a href="/wzdt/">网站地图</a>·<a href="/lxwm/">联系我们</a>·<a href="/sm/">使用帮助</a></p>
{_footer_lines(ctx)}<p>技术支持：青海省政务服务监督管理局</p></div>"""
    return top, bottom


def _chongqing(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t = ctx.site.theme
    top = f"""<header class="cq-header"><div class="cq-logo"><a href="/">{esc(t.site_title)}</a></div>
<div class="cq-tools"><a href="/zxft/">在线访谈</a><a href="/ywdt/">网站无障碍</a><a href="/">关怀版</a></div></header>
<nav class="cq-nav">{nav(ctx)}</nav>
<section class="cq-bread">{crumbs}</section>"""
    bottom = f"""<footer class="cq-footer"><div class="cq-friend"><select onchange="window.open(this.value)"><option>区县政府网站</option><option value="http://www.cqyz.gov.cn/">渝中区</option></select></div>
{_footer_lines(ctx)}<p>重庆市人民政府办公厅主办　重庆市大数据应用发展管理局承办</p></footer>"""
    return top, bottom


def _guangdong(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t = ctx.site.theme
    top = f"""<div class="gkmlpt-header"><div class="gd-topbar"><a href="/">{esc(t.site_title)}</a> · 政府信息公开专栏</div>
<div class="gd-search"><input type="text" id="keyword"><a class="btn">搜索</a></div>{nav(ctx)}
<div class="gd-pos">{crumbs}</div></div>"""
    bottom = f"""<div class="gkmlpt-footer"><p><a href="/gkmlpt/policy">政府信息公开指南</a> | <a href="/gkmlpt/annual">政府信息公开年报</a></p>
{_footer_lines(ctx)}<p>广东省人民政府办公厅主办　版权所有</p></div>"""
    return top, bottom


def _chuzhou(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t = ctx.site.theme
    top = f"""<div class="top-bar clearfix"><div class="container"><span>{esc(t.site_title)}</span>
<a class="login" href="/site/login">登录</a> <a href="/site/register">注册</a> <a href="/olds/">长者模式</a></div></div>
<div class="container header-nav">{nav(ctx)}</div>
<div class="container position">{crumbs}</div>"""
    bottom = f"""<div class="footer-wrap"><div class="container"><div class="j-links">
<a href="http://www.ah.gov.cn/">安徽省人民政府</a><a href="http://www.chuzhou.gov.cn/">市直部门网站</a></div>
{_footer_lines(ctx)}<p>页面生成时间：{ctx.noise.generated_at}</p></div></div>"""
    return top, bottom


def _zhejiang(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t = ctx.site.theme
    top = f"""<div id="barrierfree_container"><div class="zj-head"><div class="zj-logo">{esc(t.site_title)}</div>
<div class="zj-sub"><a href="/col/col1/">浙里办</a> <a href="/col/col2/">政务服务网</a></div></div>
<div class="zj-nav">{nav(ctx)}</div><div class="zj-crumb">当前位置：{crumbs}</div>"""
    bottom = f"""<div class="zj-foot"><table width="100%"><tr><td>{_footer_lines(ctx)}</td>
<td><img src="/picture/0/jiucuo.png" alt="政府网站找错"></td></tr></table></div></div>"""
    return top, bottom


def _lawportal(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    top = f"""<div class="lp-topbar"><a class="lp-mini">小程序</a><a class="lp-m">手机浏览</a><a class="lp-login" href="/login">登录/注册</a></div>
<div class="lp-header"><div class="lp-logo">{esc(ctx.site.theme.site_title)}</div>{nav(ctx)}
<div class="lp-ask"><p>还有疑问?</p><p>马上发起在线咨询,专业律师快速回复你的问</p><a class="btn" href="/ask/">立即咨询</a></div></div>
<div class="lp-crumb">{crumbs}</div>"""
    bottom = f"""<div class="lp-footer"><p><a href="/about/">关于我们</a> <a href="/join/">律师入驻</a> <a href="/ad/">广告合作</a></p>
{_footer_lines(ctx)}<p>Copyright © 2008-2024 法律咨询网 版权所有</p></div>"""
    return top, bottom


def _plain(ctx: RenderContext, crumbs: str) -> tuple[str, str]:
    t, p = ctx.site.theme, ctx.site.theme.css_prefix
    top = f"""<div class="{p}-wrap"><div class="{p}-head" style="background:{t.colour}"><h1 class="{p}-sitename">{esc(t.site_title)}</h1></div>
<div class="{p}-menu">{nav(ctx)}</div><div class="{p}-path">位置：{crumbs}</div>"""
    bottom = f"""<div class="{p}-foot"><p>版权所有：{esc(t.host_org)}</p>{_footer_lines(ctx)}</div></div>"""
    return top, bottom


LAYOUTS: dict[str, Callable[[RenderContext, str], tuple[str, str]]] = {
    "hainan": _hainan,
    "qinghai": _qinghai,
    "chongqing": _chongqing,
    "guangdong": _guangdong,
    "chuzhou": _chuzhou,
    "zhejiang": _zhejiang,
    "lawportal": _lawportal,
    "plain": _plain,
}


def page(ctx: RenderContext, *, title: str, main: str, metas: dict[str, str], crumbs: list[str]) -> str:
    """A whole HTML page in the site's chrome, with whitespace noise applied."""
    crumb_html = " &gt; ".join(f"<a>{esc(c)}</a>" for c in ["首页", *crumbs])
    top, bottom = LAYOUTS[ctx.site.theme.layout](ctx, crumb_html)
    body_class = f"{ctx.site.theme.css_prefix}-body"
    text = (
        f'{head(ctx, title, metas)}\n<body class="{body_class}">\n{top}\n'
        f'<div class="main-content">\n{main}\n</div>\n{bottom}\n'
        f'<script nonce="{ctx.noise.nonce}">var _paq = window._paq || []; _paq.push(["trackPageView"]);</script>\n'
        "</body>\n</html>\n"
    )
    return apply_whitespace(text, ctx.noise.whitespace)

"""Regenerate the corpus fixtures: each seed text rendered as a detail page of its source site's CMS.

Run by hand (``.venv/bin/python tests/notices/render_corpus_pages.py``); the output is committed under
tests/fixtures/pages/corpus_*/. The scraped artefacts of the seeds (header block twice, repeated
passages, portal chrome) are kept on purpose: the extractor must remove them, not this script.
Expected records (expected.json) are written by hand and are not touched here.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "govsim" / "data" / "corpus"  # our copy of ../shared/corpus
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"

_NUM = "一二三四五六七八九十"
_BREAK_BEFORE = re.compile(
    rf"(?<=[。；：！？”）)])(?=(?:[{_NUM}]{{1,3}}、|\d{{1,2}}[．.](?!\d)))|(?<=[\u4e00-\u9fff。；：）)])(?=[（(][{_NUM}]{{1,3}}[）)])"
)


def segment(raw: str, title: str, breaks_before: list[str], breaks_after: list[str]) -> list[str]:
    """Split a run-on seed text into the paragraphs a CMS would show (artefacts kept)."""
    text = raw.replace(title, f"\n{title}\n")
    text = re.sub(r"(发布日期[:：]\s*\d{4}-\d{2}-\d{2})", r"\n\1\n", text)
    text = re.sub(r"(━+)", r"\n\1\n", text)
    for anchor in breaks_before:
        text = text.replace(anchor, f"\n{anchor}")
    for anchor in breaks_after:
        text = text.replace(anchor, f"{anchor}\n")
    pieces: list[str] = []
    for line in text.split("\n"):
        pieces.extend(_BREAK_BEFORE.split(line))
    return [p.strip() for p in pieces if p.strip()]


def paragraphs_html(paragraphs: list[str], indent: bool = True) -> str:
    style = ' style="text-indent: 2em;"' if indent else ""
    return "\n".join(f"<p{style}>{html.escape(p)}</p>" for p in paragraphs)


def write(
    case: str, page: bytes, url: str, headers: dict[str, str], status: int = 200, note: str = ""
) -> None:
    folder = PAGES / case
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.html").write_bytes(page)
    meta = {"url": url, "status": status, "headers": headers, "source": note}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


NAV = """<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{site}"></a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxx/">走进{short}</a></li></ul>
<form class="search" action="/search/"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></div>"""

FOOTER = """<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
<p>主办单位：{site_owner}　　版权所有：{site}</p><p>{icp}　　{beian}　　网站标识码：{code}</p>
<p>页面生成时间：2024-03-01 10:00:00</p></div>"""

RELATED = """<div class="xglj"><h3>相关文件</h3><ul>
<li><a href="/zwgk/a/t20170801_1.html">关于进一步加强知识产权保护工作的通知</a><span>2017-08-01</span></li>
<li><a href="/zwgk/a/t20170725_2.html">关于印发质量提升行动实施方案的通知</a><span>2017-07-25</span></li>
<li><a href="/zwgk/a/t20170710_3.html">关于开展打击侵权假冒专项行动的通知</a><span>2017-07-10</span></li></ul></div>"""


def trs_page(
    *,
    site: str,
    short: str,
    title: str,
    meta_pubdate: str,
    table_rows: list[tuple[str, str]],
    visible_date: str,
    source: str,
    body: str,
    attachments: str,
    charset: str,
    icp: str,
    beian: str,
    code: str,
) -> str:
    cells = "".join(f'<tr><td class="label">{k}</td><td>{html.escape(v)}</td></tr>' for k, v in table_rows)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(title)}_{site}</title>
<meta name="SiteName" content="{site}"><meta name="ColumnName" content="政府文件">
<meta name="ArticleTitle" content="{html.escape(title)}"><meta name="PubDate" content="{meta_pubdate}">
<meta name="ContentSource" content="{source}">
<script type="text/javascript" src="/js/jquery.min.js"></script></head>
<body>{NAV.format(site=site, short=short)}
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zfwj/">政府文件</a></div>
<div class="xxgk_table"><table class="table">{cells}</table></div>
<div class="article"><h1 class="title">{html.escape(title)}</h1>
<div class="info">发布日期：{visible_date}　　来源：{source}　　浏览次数：<span id="count">2371</span>
　【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】 <a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div>
<div id="zoom"><!--<$[信息内容]>begin--><div class="TRS_Editor"><style>.TRS_Editor P{{margin-top:5px;line-height:2;font-size:12pt;}}</style>
{body}
</div><!--<$[信息内容]>end--></div>
{attachments}
<div class="bdshare"><span>分享到：</span><a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
<div class="ewm"><img src="/images/qrcode.png"><p>扫一扫在手机打开当前页</p></div></div>
{RELATED}
{FOOTER.format(site=site, site_owner=source, icp=icp, beian=beian, code=code)}
<script>var visits = 2371; document.getElementById("count").innerHTML = visits;</script></body></html>"""


def render_000() -> None:
    title = "海南省人民政府关于印发海南省新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作实施方案的通知"
    raw = (CORPUS / "000_cecf4c7a414cb8cc.txt").read_text(encoding="utf-8")
    paragraphs = segment(
        raw,
        title,
        [
            "琼府〔2017〕69号",
            "海南省人民政府2017年8月9日",
            "(此件主动公开)",
            "为贯彻落实《国务院关于新形势下",
        ],
        [
            "琼府〔2017〕69号",
            "省政府直属各单位：",
            "(此件主动公开)",
            "一、指导思想",
            "二、基本原则",
            "三、工作目标",
            "四、重点任务",
        ],
    )
    page = trs_page(
        site="海南省人民政府网",
        short="海南",
        title=title,
        meta_pubdate="2017-08-18 09:30",
        table_rows=[
            ("索 引 号：", "00817460-3/2017-00412"),
            ("主题分类：", "市场监管、安全生产监管\\知识产权"),
            ("发文机关：", "海南省人民政府"),
            ("成文日期：", "2017年08月09日"),
            ("标　　题：", title),
            ("发文字号：", "琼府〔2017〕69号"),
            ("发布日期：", "2017年08月17日"),
            ("有 效 性：", "有效"),
        ],
        visible_date="2017-08-17",
        source="海南省人民政府办公厅",
        body=paragraphs_html(paragraphs),
        attachments='<div class="fj"><p>附件：<a href="./P020170817586963045233.pdf">海南省打击侵权假冒重点任务分工表.pdf</a></p></div>',
        charset="utf-8",
        icp="琼ICP备05000208号",
        beian="琼公网安备 46010802000113号",
        code="4600000001",
    )
    write(
        "corpus_000_hainan_trs",
        page.encode("utf-8"),
        "http://www.hainan.gov.cn/hainan/szfwj/201708/t20170817_2393450.html",
        {"content-type": "text/html"},
        note="corpus 000_cecf4c7a414cb8cc.txt rendered as a Hainan TRS WCM detail page",
    )


def render_002_qinghai() -> None:
    title = "青海省人民政府办公厅关于新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作的实施意见"
    raw = (CORPUS / "002_20127a6b0dad0c80.txt").read_text(encoding="utf-8")
    start = raw.index("青政办〔2017〕150号")
    end = raw.index("声明:本网部分内容")
    paragraphs = segment(raw[start:end], title, [], [])
    page = trs_page(
        site="青海省人民政府网",
        short="青海",
        title=title,
        meta_pubdate="2017-08-16",
        table_rows=[
            ("索 引 号：", "015601015/2017-00395"),
            ("主题分类：", "综合政务"),
            ("发文机关：", "青海省人民政府办公厅"),
            ("成文日期：", "2017-08-16"),
            ("标　　题：", title),
            ("发文字号：", "青政办〔2017〕150号"),
            ("发布日期：", "2017-08-16"),
            ("有 效 性：", "已废止"),
        ],
        visible_date="2017-08-16",
        source="青海省人民政府办公厅",
        body=paragraphs_html(paragraphs),
        attachments="",
        charset="gb2312",
        icp="青ICP备05000276号",
        beian="青公网安备 63010402000104号",
        code="6300000012",
    )
    # Served as GBK bytes while the HTTP header claims UTF-8: a wrong-charset site.
    write(
        "corpus_002_qinghai_trs_gbk",
        page.encode("gb18030"),
        "http://www.qinghai.gov.cn/xxgk/xxgkml/szfbgt/201708/t20170821_0012.html",
        {"content-type": "text/html; charset=utf-8"},
        note="corpus 002_20127a6b0dad0c80.txt rendered as a Qinghai TRS page, GBK bytes, header says UTF-8",
    )


def render_002_repost() -> None:
    raw = (CORPUS / "002_20127a6b0dad0c80.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    chrome_top, rest = lines[:6], lines[6:]
    heading, date_line, body_lines = rest[0], rest[1], rest[2:]
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in body_lines)
    top = "".join(f"<a href='#'>{html.escape(x)}</a>" for x in chrome_top[:3])
    ask = "".join(f"<p>{html.escape(x)}</p>" for x in chrome_top[3:])
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(heading)} - 法律咨询网</title>
<meta name="keywords" content="侵权假冒,知识产权,法律咨询"></head><body>
<div class="topbar"><div class="w1200">{top}</div></div>
<div class="w1200 clearfix"><div class="left-main"><div class="detail-wrap">
<div class="detail-head"><h1>{html.escape(heading)}</h1><p class="detail-date">{html.escape(date_line)}</p></div>
<div class="detail-text">
<div class="ask-box">{ask}</div>
{body}
</div></div></div>
<div class="right-side"><div class="hot"><h3>热门法律咨询</h3><ul>
<li><a href="/ask/1.html">商标被抢注怎么办？</a></li><li><a href="/ask/2.html">买到假货如何索赔？</a></li>
<li><a href="/ask/3.html">专利侵权怎么认定？</a></li><li><a href="/ask/4.html">网购假冒商品能退一赔三吗？</a></li></ul></div></div></div>
<div class="foot">Copyright © 2012-2024 法律咨询网 京ICP备12045678号-2</div></body></html>"""
    write(
        "corpus_002_repost_portal",
        page.encode("utf-8"),
        "https://www.example-law.com/fagui/20170816/150.html",
        {"content-type": "text/html; charset=utf-8"},
        note="corpus 002_20127a6b0dad0c80.txt as reposted by a legal-consultation portal (chrome, disclaimer, comment box kept)",
    )


def render_001() -> None:
    raw = (CORPUS / "001_62728edfe5e1fdd5.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    title = "".join(lines[1:4])
    body_lines = [lines[0], title, *lines[4:]]
    body = "\n".join(f'<p style="text-indent:2em">{html.escape(line)}</p>' for line in body_lines)
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><base href="http://www.chuzhou.gov.cn/">
<title>{html.escape(title)}_滁州市人民政府</title><meta name="SiteName" content="滁州市人民政府">
<meta name="ColumnName" content="市政府办公室文件"><meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="2017-09-07 16:20"></head><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/public/column/2653861">信息公开</a></li></ul></div>
<div class="wz_position">您的位置：<a href="/">首页</a> &gt; <a href="/public/column/2653861">信息公开</a></div>
<div class="div_table_suoyin"><table class="table_suoyin">
<tr><th>索<span style="padding-left:2em"></span>引<span></span>号：</th><td>11341100003123456X/201709-00012</td><th>组配分类：</th><td>市政府办公室文件</td></tr>
<tr><th>发布机构：</th><td>滁州市人民政府办公室</td><th>主题分类：</th><td>市场监管</td></tr>
<tr><th>名<span>　　</span>称：</th><td>{html.escape(title)}</td></tr>
<tr><th>文<span>　　</span>号：</th><td>滁政办〔2017〕51号</td><th>发布日期：</th><td>2017-09-06</td></tr>
<tr><th>有效性：</th><td>有效</td></tr></table></div>
<div class="wzcon_box"><h1 class="newstitle">{html.escape(title)}</h1>
<div class="newsinfo">发布时间：2017-09-06 　浏览次数：<span id="hits">866</span>　<span class="j-fontsize">字号：大 中 小</span></div>
<div class="wzcon j-fontContent">
{body}
</div>
<div class="fjdown"><p>附件下载：</p><ul><li><a href="group6/M00/2017/09/06/任务分工表.doc">滁州市打击侵权假冒任务分工表.doc</a></li>
<li><a href="/group6/M00/2017/09/06/解读.docx" title="政策解读">政策解读</a></li></ul></div>
<div class="share">分享到：<a class="weixin">微信</a><a class="weibo">微博</a></div>
</div><div class="footer">滁州市人民政府办公室主办 皖ICP备05012345号 皖公网安备 34110202000123号</div></body></html>"""
    write(
        "corpus_001_chuzhou_anhui",
        page.encode("utf-8"),
        "http://www.chuzhou.gov.cn/public/2653861/107930000.html",
        {"content-type": "text/html; charset=utf-8"},
        note="corpus 001_62728edfe5e1fdd5.txt rendered as an Anhui government platform (Chuzhou) detail page",
    )


def render_003() -> None:
    title = "转发国务院关于进一步做好打击侵犯知识产权和制售假冒伪劣商品工作意见的通知"
    raw = (CORPUS / "003_fa61890c4747b98b.txt").read_text(encoding="utf-8")
    paragraphs = segment(
        raw,
        title,
        [
            "粤府〔２０１２〕１６号",
            "各地级以上市人民政府，各县",
            "广东省人民政府二〇一二年",
            "国务院关于进一步做好打击侵犯知识产权和制售假冒伪劣商品工作的意见国发",
            "国发〔2011〕37号各省",
            "各省、自治区、直辖市人民政府，国务院各部委",
            "党中央、国务院高度重视",
        ],
        ["粤府〔２０１２〕１６号", "二〇一二年二月二十四日", "工作的意见国发〔2011〕37号"],
    )
    index = "11440000006939591D/2012-00123"
    rows = [
        ("索引号：", index),
        ("分类：", "综合政务"),
        ("发布机构：", "广东省人民政府"),
        ("成文日期：", "2012-02-10"),
        ("名称：", title),
        ("文号：", index),
        ("发布日期：", "2012-02-10"),
    ]
    intro = "".join(
        f'<div class="row"><span class="first"><label>{k}</label>{html.escape(v)}</span></div>'
        for k, v in rows
    )
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)} 广东省人民政府门户网站</title>
<meta name="SiteName" content="广东省人民政府门户网站"><meta name="ColumnName" content="省政府文件">
<meta name="ArticleTitle" content="{html.escape(title)}"><meta name="PubDate" content="2012-02-10 00:00">
<meta name="ContentSource" content="广东省人民政府办公厅"></head><body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwgk/wjk/">文件库</a></li></ul></div>
<div class="main"><div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/wjk/qbwj/">全部文件</a></div>
<div class="introduce">{intro}</div>
<div class="article-content"><h1 class="title">{html.escape(title)}</h1>
<div class="zw">
{paragraphs_html(paragraphs)}
</div>
<div class="article-footer"><span class="print">打印</span><span class="close">关闭</span></div></div></div>
<div class="footer">主办：广东省人民政府办公厅 粤ICP备05070829号 粤公网安备 44010402000164号 网站标识码：4400000102</div></body></html>"""
    write(
        "corpus_003_guangdong_gkmlpt",
        page.encode("utf-8"),
        "http://www.gd.gov.cn/gkmlpt/content/0/142/post_142345.html",
        {"content-type": "text/html; charset=utf-8"},
        note="corpus 003_fa61890c4747b98b.txt rendered as a Guangdong gkmlpt detail page (文号 cell holds the index number)",
    )


def render_004() -> None:
    title = (
        "重庆市人民政府办公厅关于贯彻落实新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作意见任务分工的通知"
    )
    raw = (CORPUS / "004_cd8e281229a65c4c.txt").read_text(encoding="utf-8")
    paragraphs = segment(
        raw,
        title,
        ["渝府办发〔2017〕132号", "各区县（自治县）人民政府，市政府有关部门"],
        ["渝府办发〔2017〕132号", "有关单位："],
    )
    page = trs_page(
        site="重庆市人民政府网",
        short="重庆",
        title=title,
        meta_pubdate="2017-08-28 17:45",
        table_rows=[
            ("索 引 号：", "11500000MB1503140U/2017-00182"),
            ("主题分类：", "市场监管、安全生产监管"),
            ("发文机关：", "重庆市人民政府办公厅"),
            ("成文日期：", "2017-08-28"),
            ("标　　题：", title),
            ("发文字号：", "渝府办发〔2017〕132号"),
            ("发布日期：", "2017-08-28"),
            ("有 效 性：", "有效"),
        ],
        visible_date="2017-08-28",
        source="重庆市人民政府办公厅",
        body=paragraphs_html(paragraphs),
        attachments='<div class="fj">附件：<a href="/zwgk/zfxxgkml/szfwj/xzgfxwj/szf/201708/W020170828512345.xls">任务分工汇总表.xls</a></div>',
        charset="utf-8",
        icp="渝ICP备05003300号",
        beian="渝公网安备 50010302000123号",
        code="5000000095",
    )
    write(
        "corpus_004_chongqing_trs",
        page.encode("utf-8"),
        "https://www.cq.gov.cn/zwgk/zfxxgkml/szfwj/xzgfxwj/szf/201708/t20170828_8790123.html",
        {"content-type": "text/html; charset=utf-8"},
        note="corpus 004_cd8e281229a65c4c.txt rendered as a Chongqing TRS detail page",
    )


if __name__ == "__main__":
    render_000()
    render_001()
    render_002_qinghai()
    render_002_repost()
    render_003()
    render_004()

"""The catalogue of replica sites: five seeds mirroring ``sites/*.toml``, synthetic ones, scale ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govsim.model import SiteSpec, Theme
from sites import FLAVOURS

_COMMON_RELATED = (
    ("中国政府网", "http://www.gov.cn/"),
    ("国家知识产权局", "https://www.cnipa.gov.cn/"),
    ("国家市场监督管理总局", "https://www.samr.gov.cn/"),
    ("全国打击侵权假冒工作领导小组办公室", "http://www.ipraction.gov.cn/"),
    ("中国知识产权保护网", "http://www.ipraction.gov.cn/ipr/"),
    ("国务院客户端", "http://www.gov.cn/home/2016-05/11/content_5046257.htm"),
)


def _theme(layout: str, title: str, colour: str, nav: tuple[str, ...], icp: str, police: str, code: str,
           org: str, prefix: str) -> Theme:  # fmt: skip
    related = tuple(f"{name}|{url}" for name, url in _COMMON_RELATED)
    return Theme(layout, title, colour, nav, icp, police, code, org, related, prefix)


SEED_SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        slug="hainan", name="海南省人民政府", region="海南省", level="province", flavour="trs",
        list_path="/hainan/szfwj/index.html",
        detail_url_pattern=r"/\d{6}/(t\d{8}_\d+|[0-9a-f]{32})\.s?html$",
        theme=_theme("hainan", "海南省人民政府网", "#0b5aa2",
                     ("首页", "要闻动态", "政务公开", "政务服务", "互动交流", "走进海南", "自贸港政策"),
                     "琼ICP备05000183号", "琼公网安备 46010802000011号", "4600000001", "海南省人民政府", "hn"),
        doc_prefix="琼府", page_size=15, filler_count=32, seed_key="000", id_base=2_310_000,
    ),
    SiteSpec(
        slug="qinghai", name="青海省人民政府办公厅", region="青海省", level="province", flavour="trs",
        list_path="/xxgk/xxgkml/szfbgtwj/index.html",
        detail_url_pattern=r"/(\d{6}/t\d{8}_\d+|zwgk/system/\d{4}/\d{2}/\d{2}/\d+)\.s?html$",
        theme=_theme("qinghai", "青海省人民政府网", "#a4181d",
                     ("首页", "新闻中心", "信息公开", "政务服务", "政民互动", "走进青海", "数据发布"),
                     "青ICP备05000108号", "青公网安备 63010402000127号", "6300000034", "青海省人民政府办公厅", "qh"),
        doc_prefix="青政办", page_size=20, filler_count=36, seed_key="002", id_base=5_520_000,
    ),
    SiteSpec(
        slug="chongqing", name="重庆市人民政府办公厅", region="重庆市", level="municipality", flavour="trs",
        list_path="/zwgk/zfxxgkml/szfwj/xzgfxwj/szfbgt/index.html",
        detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.s?html$",
        theme=_theme("chongqing", "重庆市人民政府网", "#1f6fb5",
                     ("首页", "要闻动态", "政务公开", "政务服务", "互动交流", "数据开放", "走进重庆"),
                     "渝ICP备05003300号", "渝公网安备 50010302000118号", "5000000091", "重庆市人民政府办公厅", "cq"),
        doc_prefix="渝府办发", page_size=18, filler_count=38, seed_key="004", id_base=9_230_000,
    ),
    SiteSpec(
        slug="guangdong", name="广东省人民政府", region="广东省", level="province", flavour="gkmlpt",
        list_path="/gkmlpt/api/all/5?page=1&sid=2",
        detail_url_pattern=r"/gkmlpt/content/\d+/\d+/post_\d+\.html$",
        theme=_theme("guangdong", "广东省人民政府门户网站", "#c7000b",
                     ("首页", "要闻动态", "政务公开", "政务服务", "政民互动", "专题专栏", "走进广东"),
                     "粤ICP备05070829号", "粤公网安备 44010402000013号", "4400000127", "广东省人民政府", "gd"),
        doc_prefix="粤府", params={"cat_id": 5, "sid": 2}, page_size=15, filler_count=30, seed_key="003",
        year_span=(2011, 2013), fullwidth_doc_numbers=True, id_base=960_000,
    ),
    SiteSpec(
        slug="chuzhou", name="滁州市人民政府办公室", region="安徽省滁州市", level="city", flavour="anhui",
        list_path="/content/column/6786421?pageIndex=1", detail_url_pattern=r"/public/\d+/\d+\.html$",
        theme=_theme("chuzhou", "滁州市人民政府", "#146eb4",
                     ("首页", "政务公开", "政务服务", "互动交流", "走进滁州", "专题专栏"),
                     "皖ICP备05003937号", "皖公网安备 34110202000014号", "3411000013", "滁州市人民政府办公室", "cz"),
        doc_prefix="滁政办", params={"column_id": 6786421, "unit_id": 2653}, page_size=15, filler_count=28,
        seed_key="001", dynamic=True, id_base=108_400_000,
    ),
)  # fmt: skip

SYNTHETIC_SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        slug="zhejiang-sim", name="浙江省人民政府（模拟）", region="浙江省", level="province", flavour="hanweb",
        list_path="/col/col1229019364/index.html",
        detail_url_pattern=r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
        theme=_theme("zhejiang", "浙江省人民政府门户网站", "#0e59a8",
                     ("首页", "今日浙江", "政务公开", "政务服务", "政民互动", "浙江概览"),
                     "浙ICP备05002436号", "浙公网安备 33010602000143号", "3300000068", "浙江省人民政府办公厅", "zj"),
        doc_prefix="浙政办发", params={"webid": 3096, "columnid": 1229019364, "unitid": 6283, "perpage": 15},
        page_size=15, filler_count=35, synthetic=True, id_base=3_000_000,
        notes="Hanweb jcms: the list page has no rows in its static HTML; rows come from dataproxy.jsp (POST).",
    ),
    SiteSpec(
        slug="lawportal-sim", name="法律咨询网（模拟）", region="全国", level="portal", flavour="portal",
        list_path="/fagui/list_1.html", detail_url_pattern=r"/fagui/\d+\.html$",
        theme=_theme("lawportal", "法律咨询网", "#e8541e",
                     ("首页", "法律咨询", "找律师", "法规库", "案例", "法律知识"),
                     "京ICP备12003587号-2", "京公网安备 11010502030171号", "", "法律咨询网", "lp"),
        doc_prefix="", page_size=20, filler_count=26, seed_key="002", dynamic=True,
        repost_of="青海省人民政府办公厅", synthetic=True, id_base=180_000,
        notes="Reposting portal: heavy chrome, login prompts, disclaimer and comment box around reposted notices.",
    ),
    SiteSpec(
        slug="gbk-sim", name="赣州市人民政府（模拟）", region="江西省赣州市", level="city", flavour="trs",
        list_path="/zwgk/zfwj/index.html", detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.s?html$",
        theme=_theme("plain", "赣州市人民政府", "#8b0000",
                     ("首页", "政务公开", "政务服务", "互动交流", "魅力赣州"),
                     "赣ICP备05004516号", "赣公网安备 36070202000081号", "3607000002", "赣州市人民政府", "gz"),
        doc_prefix="赣市府字", page_size=15, filler_count=30, encoding="gb18030", declared_charset="gb2312",
        header_charset=False, chinese_numeral_dates=True, synthetic=True, id_base=1_770_000,
        notes="GBK bytes; the meta declares gb2312 but sign-off dates use 〇 (GBK-only); the HTTP header names no charset.",
    ),
    SiteSpec(
        slug="jilin-sim", name="吉林省人民政府（模拟）", region="吉林省", level="province", flavour="json_list",
        list_path="/govsearch/jsonp/zf_jd_list.jsp?page=1&lb=134657&callback=result&sword=&searchColumn=all"
                  "&searchYear=all&SType=1&channelId=134657",
        detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.html$",
        theme=_theme("plain", "吉林省人民政府", "#1c5a9e",
                     ("首页", "要闻动态", "政务公开", "政务服务", "互动交流", "走进吉林"),
                     "吉ICP备05002062号", "吉公网安备 22010202000123号", "2200000005", "吉林省人民政府办公厅", "jl"),
        doc_prefix="吉政发", params={"list": "zf_jd_list.jsp", "channel_id": 134657, "column": "/szf/gkml"},
        page_size=15, filler_count=33, synthetic=True, id_base=7_100_000,
        notes="Jilin's govsearch: the list is a JSONP answer result({data: [{puburl, tip: {title, dates, filenum}}]})"
              " with no total (a page past the last holds no rows); details are TRS static pages under /szf/gkml.",
    ),
    SiteSpec(
        slug="wuhan-sim", name="武汉市人民政府（模拟）", region="湖北省武汉市", level="city", flavour="trs",
        list_path="/zwgk/xxgk/zfwj/szfwj/index.html", detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.s?html$",
        theme=_theme("plain", "武汉市人民政府", "#0d4f9c",
                     ("首页", "要闻动态", "政务公开", "政务服务", "政民互动", "走进武汉"),
                     "鄂ICP备05003202号", "鄂公网安备 42010202000501号", "4201000007", "武汉市人民政府", "wh"),
        doc_prefix="武政规", page_size=15, filler_count=32, scripted_rows=True, synthetic=True, id_base=6_900_000,
        notes="TRS lists whose rows are drawn by scripts: each li holds var url / var title / var FILENUM and"
              " document.writeln calls, no row markup; createPageHTML paging as on other TRS sites.",
    ),
    SiteSpec(
        slug="badcharset-sim", name="邵阳市人民政府（模拟）", region="湖南省邵阳市", level="city", flavour="trs",
        list_path="/xxgk/tzgg/index.html", detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.s?html$",
        theme=_theme("plain", "邵阳市人民政府门户网", "#2a6e3f",
                     ("首页", "新闻中心", "信息公开", "网上办事", "政民互动"),
                     "湘ICP备05002301号", "湘公网安备 43050202000102号", "4305000011", "邵阳市人民政府", "sy"),
        doc_prefix="市政发", page_size=16, filler_count=28, encoding="gbk", declared_charset="utf-8",
        dynamic=True, synthetic=True, id_base=6_600_000,
        notes="The header and meta say utf-8 but the bytes are GBK.",
    ),
    SiteSpec(
        slug="twice-sim", name="三亚市人民政府（模拟）", region="海南省三亚市", level="city", flavour="trs",
        list_path="/zfxxgk/zcwj/index.html", detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.s?html$",
        theme=_theme("plain", "三亚市人民政府网", "#00629b",
                     ("首页", "三亚要闻", "政府信息公开", "政务服务", "互动交流"),
                     "琼ICP备05001283号", "琼公网安备 46020102000019号", "4602000001", "三亚市人民政府", "sya"),
        doc_prefix="三府", page_size=15, filler_count=27, seed_key="000", body_twice=True, synthetic=True,
        id_base=7_700_000, notes="Every detail page holds the notice twice (mobile and desktop copies).",
    ),
    SiteSpec(
        slug="heilongjiang-sim", name="黑龙江省人民政府（模拟）", region="黑龙江省", level="province", flavour="ucap",
        list_path="/common/search/5f0c2d8e9b7a4c31a6e2d4b8f1c0a937?page=1&_pageSize=15&_isAgg=true&_isJson=true"
                  "&_template=index",
        detail_url_pattern=r"/hlj/c\d+/\d{6}/\d+\.shtml$",
        theme=_theme("plain", "黑龙江省人民政府网", "#b5121b",
                     ("首页", "要闻动态", "政务公开", "政务服务", "互动交流", "走进龙江"),
                     "黑ICP备05002181号", "黑公网安备 23010302000231号", "2300000058", "黑龙江省人民政府办公厅", "hlj"),
        doc_prefix="黑政发", params={"channel_id": "5f0c2d8e9b7a4c31a6e2d4b8f1c0a937", "site_code": "hlj",
                                   "channel_code": "c107856", "page_size": 15},
        page_size=15, filler_count=34, synthetic=True, id_base=31_900_000,
        notes="开普云 UCAP: the list is JSON from /common/search/<channel> (data.results, domainMetaList refno = 文号);"
              " details carry <ucaptitle>, <publishtime>, <ucapcontent>.",
    ),
    SiteSpec(
        slug="tianjin-sim", name="天津市规划和自然资源局（模拟）", region="天津市", level="municipality", flavour="igs",
        list_path="/igs/front/search/list.html?pageNumber=1&pageSize=15&filter[CHANNELID]=71024&index=tjsim-index"
                  "&type=zcwj&orderProperty=ZXSJ&orderDirection=desc&filter[AVAILABLE]=true",
        detail_url_pattern=r"/\d{6}/t\d{8}_\d+\.html$",
        theme=_theme("plain", "天津市规划和自然资源局", "#1d4f91",
                     ("首页", "机构概况", "政务公开", "政务服务", "互动交流"),
                     "津ICP备05004317号", "津公网安备 12010302000125号", "1200000093", "天津市规划和自然资源局", "tj"),
        doc_prefix="津规资", params={"channel_id": 71024, "index": "tjsim-index", "type": "zcwj", "order": "ZXSJ",
                                   "page_size": 15, "column": "/zwgk/zcwj/jjwj"},
        page_size=15, filler_count=33, synthetic=True, id_base=6_500_000,
        notes="IGS search front: the list is JSON from /igs/front/search/list.html (page.content[] with BT, DOCPUBURL,"
              " ZXSJ, CWRQ; total as a string); details are TRS-style static pages.",
    ),
    SiteSpec(
        slug="hangzhou-sim", name="杭州市人民政府（模拟）", region="浙江省杭州市", level="city", flavour="hanweb_jpaas",
        list_path="/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId=149"
                  "&tplSetId=LWYUCb5AkzKrVm7WODRpT&pageType=column&tagId=%E5%BD%93%E5%89%8D%E6%A0%8F%E7%9B%AE%E5%88%97"
                  "%E8%A1%A8a&pageId=1229063389&rows=15&pageNo=1",
        detail_url_pattern=r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
        theme=_theme("zhejiang", "杭州市人民政府门户网站", "#1b5fa8",
                     ("首页", "政务公开", "政务服务", "政民互动", "走进杭州"),
                     "浙ICP备05020286号", "浙公网安备 33010302000283号", "3301000003", "杭州市人民政府办公厅", "hz"),
        doc_prefix="杭政办函", params={"web_id": 149, "page_id": 1229063389, "tpl_set_id": "LWYUCb5AkzKrVm7WODRpT",
                                    "tag_id": "当前栏目列表a", "rows": 15},
        page_size=15, filler_count=34, synthetic=True, id_base=2_400_000,
        notes="Hanweb jpaas: the column page /col/col<pageId>/index.html has no rows, its unitbuild.js script GETs"
              " the gateway /api-gateway/jpaas-publish-server/front/page/build/unit, which answers JSON data.html"
              " (rows and a pagination block with count, rows, pageNo).",
    ),
    SiteSpec(
        slug="shaanxi-sim", name="陕西省科学技术厅（模拟）", region="陕西省", level="province", flavour="ilist",
        list_path="/info/iList.jsp?site_id=CMSkjt&cat_id=221&cur_page=1",
        detail_url_pattern=r"/xw/tzgg/\d+\.htm$",
        theme=_theme("plain", "陕西省科学技术厅", "#9c1d22",
                     ("首页", "机构概况", "科技资讯", "政务公开", "政务服务", "互动交流"),
                     "陕ICP备05004690号", "陕公网安备 61010402000254号", "6100000036", "陕西省科学技术厅", "sx"),
        doc_prefix="陕科发", params={"site_id": "CMSkjt", "cat_id": 221, "column": "/xw/tzgg"},
        page_size=15, filler_count=33, synthetic=True, id_base=5_100_000,
        notes="iList.jsp platform: static lists /info/iList.jsp?cat_id=<N>&cur_page=N with a 共P页 pager whose links"
              " are relative (?site_id=…&cur_page=N); details /<section>/<sub>/<id>.htm with #attribute > span.",
    ),
    SiteSpec(
        slug="shanghai-sim", name="上海市发展和改革委员会（模拟）", region="上海市", level="municipality",
        flavour="shanghai", list_path="/fgw_gfxwj/index.html", detail_url_pattern=r"/\d{8}/[0-9a-f]{32}\.html$",
        theme=_theme("plain", "上海市发展和改革委员会", "#1a5ba6",
                     ("首页", "机构概况", "政务公开", "政务服务", "互动交流"),
                     "沪ICP备05003121号", "沪公网安备 31010102002511号", "3100000040", "上海市发展和改革委员会", "sh"),
        doc_prefix="沪发改规范", page_size=20, filler_count=31, synthetic=True, id_base=4_400_000,
        notes="The Shanghai platform: dated li rows in ul.uli16, the jQuery pagination plugin (totalPage, index_N.html"
              " from 2); details /<column>/YYYYMMDD/<32hex>.html with #ivs_title, #ivs_date, #ivs_content.",
    ),
    SiteSpec(
        slug="shanghai-gov-sim", name="上海市人民政府（模拟）", region="上海市", level="municipality",
        flavour="shanghai", list_path="/nw42944/index.html", detail_url_pattern=r"/nw\d+/\d{8}/[0-9a-f]{32}\.html$",
        theme=_theme("plain", "上海市人民政府", "#b4161b",
                     ("首页", "要闻动态", "政务公开", "政务服务", "政民互动", "走进上海"),
                     "沪ICP备05003126号", "沪公网安备 31010102002019号", "3100000001", "上海市人民政府办公厅", "shg"),
        doc_prefix="沪府规", page_size=12, filler_count=40, year_span=(2017, 2018), year_archives="hfg",
        synthetic=True, id_base=4_900_000,
        notes="The Shanghai portal's section of year archives (沪府规): /nw42944/index.html links /hfg<YYYY>/index.html,"
              " each paged index_N.html by the jQuery plugin; details /nw12344/YYYYMMDD/<32hex>.html.",
    ),
    SiteSpec(
        slug="sichuan-sim", name="四川省人民政府（模拟）", region="四川省", level="province", flavour="generic",
        list_path="/10462/c102914/gfxwj.shtml", detail_url_pattern=r"/cols/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{32}\.shtml$",
        theme=_theme("plain", "四川省人民政府网站", "#c4161c",
                     ("首页", "要闻动态", "政务公开", "政务服务", "互动交流", "走进四川"),
                     "蜀ICP备05003828号", "川公网安备 51010402000507号", "5100000062", "四川省人民政府办公厅", "sc"),
        doc_prefix="川办规", page_size=15, filler_count=37, synthetic=True, id_base=8_800_000,
        notes="No named CMS (generic): div.biaobody rows, details in the Sichuan /cols/YYYY/M/D/<32hex>.shtml dialect,"
              " a pager of links (下页 to gfxwj_N.shtml, 共N页).",
    ),
)  # fmt: skip

_SCALE_LAYOUTS = ("hainan", "qinghai", "chongqing", "guangdong", "chuzhou", "zhejiang", "lawportal", "plain")
_CITIES = ("临川", "宁远", "安平", "清河", "永和", "长乐", "东阳", "西华", "南城", "北安", "新丰", "平山")


def scale_site(index: int, notices: int) -> SiteSpec:
    """Scale site ``index`` (slug ``scale-NNN``): a cheap, lazily generated site of ``notices`` notices."""
    flavour = FLAVOURS[index % len(FLAVOURS)]
    city = _CITIES[index % len(_CITIES)] + ("市" if index % 3 else "县")
    org = f"{city}人民政府"
    paths = {
        "trs": ("/zwgk/wj/index.html", r"/\d{6}/t\d{8}_\d+\.s?html$"),
        "gkmlpt": (
            f"/gkmlpt/api/all/{index + 1}?page=1&sid={index + 100}",
            r"/gkmlpt/content/\d+/\d+/post_\d+\.html$",
        ),
        "hanweb": (f"/col/col{1500 + index}/index.html", r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"),
        "anhui": (f"/content/column/{700000 + index}?pageIndex=1", r"/public/\d+/\d+\.html$"),
        "portal": ("/fagui/list_1.html", r"/fagui/\d+\.html$"),
        "ucap": (
            f"/common/search/{index:032x}?page=1&_pageSize=20&_isAgg=true&_isJson=true&_template=index",
            rf"/s{index}/c\d+/\d{{6}}/\d+\.shtml$",
        ),
        "igs": (
            f"/igs/front/search/list.html?index=file2-index-alias&type=governmentdocuments&pageNumber=1&pageSize=20"
            f"&filter[CHANNELID]={9000 + index}&filter[AVAILABLE]=true&orderProperty=PUBDATE&orderDirection=desc",
            r"/\d{6}/t\d{8}_\d+\.html$",
        ),
        "hanweb_jpaas": (
            f"/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId={20 + index}"
            f"&tplSetId=tpl{index}&pageType=column&tagId=list{index}&pageId={1600 + index}&rows=20&pageNo=1",
            r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
        ),
        "ilist": (
            f"/info/iList.jsp?site_id=CMSs{index}&cat_id={10000 + index}&cur_page=1",
            rf"/xw/s{index}/\d+\.htm$",
        ),
        "shanghai": ("/zwgk/gfxwj/index.html", r"/\d{8}/[0-9a-f]{32}\.html$"),
        "generic": ("/zwgk/c1001/list.shtml", r"/cols/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{32}\.shtml$"),
        "json_list": (
            f"/govsearch/jsonp/list{index}.jsp?page=1&callback=result&channelId={5000 + index}",
            r"/\d{6}/t\d{8}_\d+\.html$",
        ),
    }
    flavour_params: dict[str, dict[str, Any]] = {
        "gkmlpt": {"cat_id": index + 1, "sid": index + 100},
        "hanweb": {"webid": 10 + index, "columnid": 1500 + index, "unitid": 8000 + index, "perpage": 20},
        "anhui": {"column_id": 700000 + index, "unit_id": 3000 + index},
        "ucap": {
            "channel_id": f"{index:032x}",
            "site_code": f"s{index}",
            "channel_code": f"c{100000 + index}",
            "page_size": 20,
        },
        "igs": {
            "channel_id": 9000 + index,
            "index": "file2-index-alias",
            "type": "governmentdocuments",
            "order": "PUBDATE",
            "page_size": 20,
            "column": "/zfxxgk/zfwj",
        },
        "hanweb_jpaas": {
            "web_id": 20 + index,
            "page_id": 1600 + index,
            "tpl_set_id": f"tpl{index}",
            "tag_id": f"list{index}",
            "rows": 20,
        },
        "ilist": {"site_id": f"CMSs{index}", "cat_id": 10000 + index, "column": f"/xw/s{index}"},
        "json_list": {"list": f"list{index}.jsp", "channel_id": 5000 + index, "column": "/zfxxgk/gkml"},
    }
    params = flavour_params.get(flavour, {})
    theme = _theme(_SCALE_LAYOUTS[index % len(_SCALE_LAYOUTS)], f"{org}网", "#335577",
                   ("首页", "政务公开", "政务服务", "互动交流"), f"模ICP备{10000 + index}号",
                   f"模公网安备 {index:014d}号", f"{9000000000 + index}", org, f"s{index}")  # fmt: skip
    return SiteSpec(
        slug=f"scale-{index:03d}", name=f"{org}（规模模拟）", region=city, level="city", flavour=flavour,
        list_path=paths[flavour][0], detail_url_pattern=paths[flavour][1], theme=theme, doc_prefix=city[:2] + "政",
        params=params, page_size=20, filler_count=notices, year_span=(2012, 2024), synthetic=True,
        dynamic=flavour in ("anhui", "portal"), id_base=1_000_000 + index * 10_000_000,
    )  # fmt: skip


def catalogue(scale: tuple[int, int] | None = None, only: list[str] | None = None) -> list[SiteSpec]:
    """The sites govsim serves: seeds and synthetic ones (or ``only`` those), plus scale sites."""
    sites = [*SEED_SITES, *SYNTHETIC_SITES]
    if only:
        known = {s.slug for s in sites}
        unknown = [slug for slug in only if slug not in known and not slug.startswith("scale-")]
        if unknown:
            raise ValueError(
                f"unknown govsim site(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        sites = [s for s in sites if s.slug in only]
    if scale:
        count, notices = scale
        sites.extend(scale_site(i, notices) for i in range(count))
    return sites


def site_toml(site: SiteSpec, base_url: str) -> str:
    """A ``sites/<slug>.toml`` entry for a synthetic site, valid for ``sites.Site``."""
    lines = [
        f'slug = "{site.slug}"',
        f'name = "{site.name}"',
        f'region = "{site.region}"',
        f'level = "{site.level}"',
        f'base_url = "{base_url}"',
        f'flavour = "{site.flavour}"',
        f'list_urls = ["{site.list_path}"]',
        "allow_private_network = true  # govsim serves it on 127.0.0.x",
        f"detail_url_pattern = '{site.detail_url_pattern}'",
        f'notes = "govsim synthetic site. {site.notes}"',
    ]
    if site.params:
        lines.append("\n[params]")
        lines.extend(f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"'
                     for key, value in site.params.items())  # fmt: skip
    lines.append("\n[politeness]\ndownload_delay = 0.0\nconcurrency = 4\ntimeout = 10.0")
    return "\n".join(lines) + "\n"


def write_site_entries(directory: Path, sites: list[SiteSpec], base_urls: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.toml"):
        stale.unlink()
    for site in sites:
        if site.synthetic:
            (directory / f"{site.slug}.toml").write_text(
                site_toml(site, base_urls[site.slug]), encoding="utf-8"
            )

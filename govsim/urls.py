"""URL shapes per flavour (docs/flavours.md): building them, and routing a request path back."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from govsim.model import Attachment, Notice, SiteSpec

COUNT_PATH = "/interface/visit/count.jsp"  # the TRS-style visit counter script (kind "api")
HANWEB_PROXY = "/module/jpage/dataproxy.jsp"
UCAP_SEARCH = "/common/search/"  # + channel id
IGS_SEARCH = "/igs/front/search/list.html"
JPAAS_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ILIST = "/info/iList.jsp"
GOVSEARCH = "/govsearch/jsonp/"  # + the list's jsp
SHANGHAI_PORTAL_DETAILS = "/nw12344"  # where www.shanghai.gov.cn's documents live, whatever the section


@dataclass(frozen=True)
class Route:
    """What a request path asks for. ``kind`` is list, detail, attachment, api, robots or static."""

    kind: str
    page: int = 0  # list pages: 0-based
    size: int | None = None  # list pages whose query names the page size (ucap, igs)
    archive: int | None = None  # a year-archive site's list pages: 0 the section page, else the year
    notice_id: str | None = None
    file_name: str | None = None
    shell: bool = False  # a column page whose rows a script fetches (hanweb_jpaas)


def list_path(site: SiteSpec, page: int) -> str:
    """The path (with query) of list page ``page`` (0-based)."""
    col = site.column
    if site.flavour == "trs":
        return f"{col}/index.html" if page == 0 else f"{col}/index_{page}.html"
    if site.flavour == "gkmlpt":
        return f"/gkmlpt/api/all/{site.params['cat_id']}?page={page + 1}&sid={site.params['sid']}"
    if site.flavour == "hanweb":
        return f"/col/col{site.params['columnid']}/index.html"
    if site.flavour == "anhui":
        return f"/content/column/{site.params['column_id']}?pageIndex={page + 1}"
    if site.flavour in ("ucap", "igs"):
        return _with_page(site.list_path, "page" if site.flavour == "ucap" else "pageNumber", page + 1)
    if site.flavour == "hanweb_jpaas":
        return _with_page(site.list_path, "pageNo", page + 1)
    if site.flavour == "ilist":
        return _with_page(site.list_path, "cur_page", page + 1)
    if site.flavour == "json_list":
        return _with_page(site.list_path, "page", page + 1)
    if site.flavour in ("shanghai", "generic"):
        # The column's own file, then <name>_2.<ext>, <name>_3.<ext>, … (pages numbered from 2).
        stem, _, ext = site.list_path.rpartition(".")
        return site.list_path if page == 0 else f"{stem}_{page + 1}.{ext}"
    return f"{col}/list_{page + 1}.html"


def archive_path(site: SiteSpec, year: int, page: int = 0) -> str:
    """List page ``page`` (0-based) of the ``year`` archive of a section of year archives."""
    folder = f"/{site.year_archives}{year}"
    return f"{folder}/index.html" if page == 0 else f"{folder}/index_{page + 1}.html"


def hex_id(site: SiteSpec, notice_id: str) -> str:
    """The 32-hex file name of a notice on the Shanghai and Sichuan shapes: a hash, then the id (so
    a path routes back to its notice, and a made-up name does not)."""
    digest = hashlib.md5(f"{site.slug}/{notice_id}".encode(), usedforsecurity=False).hexdigest()
    return digest[:16] + f"{int(notice_id):016x}"


def _with_page(path: str, key: str, page: int) -> str:
    return re.sub(rf"([?&]{re.escape(key)}=)\d+", rf"\g<1>{page}", path)


def detail_path(site: SiteSpec, notice: Notice) -> str:
    day = notice.url_date or notice.published
    if site.flavour == "trs":
        return f"{site.column}/{day:%Y%m}/t{day:%Y%m%d}_{notice.id}.html"
    if site.flavour == "gkmlpt":
        number = int(notice.id)
        return f"/gkmlpt/content/{number // 1_000_000}/{number // 1000}/post_{notice.id}.html"
    if site.flavour == "hanweb":
        return f"/art/{day.year}/{day.month}/{day.day}/art_{site.params['columnid']}_{notice.id}.html"
    if site.flavour == "anhui":
        return f"/public/{site.params['unit_id']}/{notice.id}.html"
    if site.flavour == "ucap":
        return f"/{site.params['site_code']}/{site.params['channel_code']}/{day:%Y%m}/{notice.id}.shtml"
    if site.flavour == "igs":
        return f"{site.params['column']}/{day:%Y%m}/t{day:%Y%m%d}_{notice.id}.html"
    if site.flavour == "hanweb_jpaas":
        return f"/art/{day.year}/{day.month}/{day.day}/art_{site.params['page_id']}_{notice.id}.html"
    if site.flavour == "ilist":
        return f"{site.params['column']}/{notice.id}.htm"
    if site.flavour == "json_list":
        return f"{site.params['column']}/{day:%Y%m}/t{day:%Y%m%d}_{notice.id}.html"
    if site.flavour == "shanghai":
        return f"{_shanghai_details(site)}/{day:%Y%m%d}/{hex_id(site, notice.id)}.html"
    if site.flavour == "generic":
        return f"/cols/{day.year}/{day.month}/{day.day}/{hex_id(site, notice.id)}.shtml"
    return f"{site.column}/{notice.id}.html"


def attachment_path(site: SiteSpec, notice: Notice, attachment: Attachment) -> str:
    day = notice.url_date or notice.published
    if site.flavour == "trs":
        return f"{site.column}/{day:%Y%m}/{attachment.file_name}"
    if site.flavour == "gkmlpt":
        return f"/attachment/0/{int(notice.id) // 1000}/{attachment.file_name}"
    if site.flavour == "hanweb":
        return f"/picture/0/{attachment.file_name}"
    if site.flavour == "anhui":
        return f"/group3/M00/{day:%m}/{day:%d}/{attachment.file_name}"
    if site.flavour == "ucap":
        return f"/{site.params['site_code']}/{site.params['channel_code']}/{day:%Y%m}/{attachment.file_name}"
    if site.flavour == "igs":
        return f"{site.params['column']}/{day:%Y%m}/{attachment.file_name}"
    if site.flavour == "hanweb_jpaas":
        return f"/module/download/{day:%Y%m}/{attachment.file_name}"
    if site.flavour == "ilist":
        return f"/upload/{site.params['site_id']}/{day:%Y%m}/{attachment.file_name}"
    if site.flavour == "json_list":
        return f"{site.params['column']}/{day:%Y%m}/{attachment.file_name}"
    if site.flavour == "shanghai":
        return f"{_shanghai_details(site)}/{day:%Y%m%d}/{attachment.file_name}"
    if site.flavour == "generic":
        return f"/cols/{day.year}/{day.month}/{day.day}/{attachment.file_name}"
    return f"/uploads/{day:%Y%m}/{attachment.file_name}"


_DETAIL_ID = {
    "trs": re.compile(r"/\d{6}/t\d{8}_(\d+)\.s?html$"),
    "gkmlpt": re.compile(r"^/gkmlpt/content/\d+/\d+/post_(\d+)\.html$"),
    "hanweb": re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_(\d+)\.html$"),
    "anhui": re.compile(r"^/public/\d+/(\d+)\.html$"),
    "portal": re.compile(r"/(\d+)\.html$"),
    "ucap": re.compile(r"^/\w+/c\d+/\d{6}/(\d+)\.shtml$"),
    "igs": re.compile(r"/\d{6}/t\d{8}_(\d+)\.html$"),
    "hanweb_jpaas": re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_(\d+)\.html$"),
    "ilist": re.compile(r"^/[\w-]+/[\w-]+/(\d+)\.htm$"),
    "shanghai": re.compile(r"/\d{8}/[0-9a-f]{16}([0-9a-f]{16})\.html$"),
    "generic": re.compile(r"^/cols/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{16}([0-9a-f]{16})\.shtml$"),
    "json_list": re.compile(r"/\d{6}/t\d{8}_(\d+)\.html$"),
}
_HEX_IDS = ("shanghai", "generic")


def route(site: SiteSpec, method: str, path: str, query: dict[str, str]) -> Route | None:
    """Route ``path`` on ``site``; None when nothing lives there (a 404)."""
    if path == "/robots.txt":
        return Route("robots")
    if path == COUNT_PATH:
        return Route("api", notice_id=query.get("docid"))
    if path.endswith((".css", ".js", ".png", ".ico")):
        return Route("static")
    if path.endswith((".pdf", ".docx")):
        return Route("attachment", file_name=path.rsplit("/", 1)[-1])
    col = site.column
    if site.flavour == "trs":
        if path in (f"{col}/", f"{col}/index.html"):
            return Route("list", 0)
        match = re.fullmatch(re.escape(col) + r"/index_(\d+)\.html", path)
        if match:
            return Route("list", int(match.group(1)))
    elif site.flavour == "gkmlpt":
        if path == f"/gkmlpt/api/all/{site.params['cat_id']}" and query.get("sid") == str(site.params["sid"]):
            return Route("list", _int(query.get("page"), 1) - 1)
    elif site.flavour == "hanweb":
        if path in (f"/col/col{site.params['columnid']}/index.html", f"/col/col{site.params['columnid']}/"):
            return Route("list", 0)
        if path == HANWEB_PROXY and method == "POST":
            return Route("list", -1)  # the page comes from startrecord/perpage
    elif site.flavour == "anhui":
        if path == f"/content/column/{site.params['column_id']}":
            return Route("list", _int(query.get("pageIndex"), 1) - 1)
    elif site.flavour == "ucap":
        if path == UCAP_SEARCH + str(site.params["channel_id"]):
            return Route("list", _int(query.get("page"), 1) - 1, size=_positive(query.get("_pageSize")))
    elif site.flavour == "igs":
        if path == IGS_SEARCH and query.get("filter[CHANNELID]") == str(site.params["channel_id"]):
            return Route("list", _int(query.get("pageNumber"), 1) - 1, size=_positive(query.get("pageSize")))
    elif site.flavour == "hanweb_jpaas":
        if path in (f"/col/col{site.params['page_id']}/index.html", f"/col/col{site.params['page_id']}/"):
            return Route("list", 0, shell=True)
        if path == JPAAS_UNIT and query.get("pageId") == str(site.params["page_id"]):
            page_no, size = _jpaas_paging(query)
            return Route("list", page_no - 1, size=size)
    elif site.flavour == "ilist":
        if path == ILIST and query.get("cat_id") == str(site.params["cat_id"]):
            return Route("list", _int(query.get("cur_page"), 1) - 1)
    elif site.flavour == "json_list":
        if path == GOVSEARCH + site.params["list"] and query.get("channelId") == str(
            site.params["channel_id"]
        ):
            return Route("list", _int(query.get("page"), 1) - 1)
    elif site.year_archives:
        if path == site.list_path:
            return Route("list", 0, archive=0)
        match = re.fullmatch(rf"/{re.escape(site.year_archives)}(\d{{4}})/index(?:_(\d+))?\.html", path)
        if match and match.group(2) != "1":
            return Route("list", int(match.group(2) or 1) - 1, archive=int(match.group(1)))
    elif site.flavour in ("shanghai", "generic"):
        stem, _, ext = site.list_path.rpartition(".")
        if path == site.list_path:
            return Route("list", 0)
        match = re.fullmatch(re.escape(stem) + r"_(\d+)\." + re.escape(ext), path)
        if match and int(match.group(1)) >= 2:
            return Route("list", int(match.group(1)) - 1)
    else:
        match = re.fullmatch(re.escape(col) + r"/list_(\d+)\.html", path)
        if match:
            return Route("list", int(match.group(1)) - 1)
    match = _DETAIL_ID[site.flavour].search(path)
    prefix = site.params["column"] if site.flavour in ("igs", "ilist", "json_list") else col
    if site.flavour == "shanghai":
        prefix = _shanghai_details(site)
    if match and (
        site.flavour not in ("trs", "igs", "ilist", "shanghai", "json_list") or path.startswith(prefix + "/")
    ):
        notice_id = str(int(match.group(1), 16)) if site.flavour in _HEX_IDS else match.group(1)
        return Route("detail", notice_id=notice_id)
    return None


def _jpaas_paging(query: dict[str, str]) -> tuple[int, int | None]:
    """The jpaas gateway's page and page size: ``pageNo``/``rows``, or ``paramJson={"pageNo","pageSize"}``."""
    try:
        paged = json.loads(query["paramJson"]) if "paramJson" in query else None
    except ValueError:
        paged = None
    if isinstance(paged, dict):
        return _int(str(paged.get("pageNo", 1)), 1), _positive(str(paged.get("pageSize", "")))
    return _int(query.get("pageNo"), 1), _positive(query.get("rows"))


def _shanghai_details(site: SiteSpec) -> str:
    return SHANGHAI_PORTAL_DETAILS if site.year_archives else site.column


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _positive(value: str | None) -> int | None:
    number = _int(value, 0)
    return number if number > 0 else None

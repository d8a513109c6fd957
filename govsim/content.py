"""Deterministic notice content: the seed notices and the fillers mined from the corpus.

Everything here is a pure function of (world seed, site, index): the same seed yields the same
titles, numbers, dates and paragraphs on every run and every machine.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from datetime import date, timedelta

from govsim.corpus import paragraph_pool, seed_text
from govsim.model import Attachment, Notice, SiteSpec

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

TOPICS = (
    "知识产权保护",
    "安全生产",
    "农村人居环境整治",
    "优化营商环境",
    "食品药品安全监管",
    "生态环境保护",
    "电子商务发展",
    "质量强省建设",
    "社会信用体系建设",
    "全民健身",
    "职业技能提升",
    "河长制",
    "政务公开",
    "防汛抗旱",
    "中小企业发展",
    "数字政府建设",
    "医疗保障",
    "城市更新",
    "文化市场综合执法",
    "跨境电子商务综合试验区建设",
)
TITLE_SHAPES = (
    "关于印发{place}{topic}工作实施方案的通知",
    "关于进一步加强{topic}工作的意见",
    "关于做好{year}年{topic}工作的通知",
    "关于印发{place}{topic}三年行动计划（{year}—{year2}年）的通知",
    "关于开展{topic}专项检查的通知",
    "关于加快推进{topic}的实施意见",
    "关于调整{place}{topic}工作领导小组成员的通知",
    "关于公布{year}年{topic}示范单位名单的通知",
)
CATEGORIES = (
    "综合政务/其他",
    "市场监管、安全生产监管/其他",
    "科技、教育/知识产权",
    "国土资源、能源/其他",
    "城乡建设、环境保护/环境监测、保护与治理",
    "工业、交通/信息产业（含电信）",
)
ADDRESSEES = (
    "各市、县人民政府，省政府直属各单位：",
    "各区县（自治县）人民政府，市政府有关部门，有关单位：",
    "各地级以上市人民政府，省政府各部门、各直属机构：",
    "各县、市、区人民政府，市政府各部门、各直属机构：",
)
EDIT_SUFFIXES = (
    "各地区、各部门要于每季度末将工作进展情况报送牵头单位。",
    "本通知自印发之日起施行，有效期五年。",
    "执行中遇到的问题，请及时向省政府办公厅反映。",
    "相关经费由同级财政予以保障。",
)
EDIT_SWAPS = (("加强", "进一步加强"), ("2020年", "2022年"), ("负责", "牵头负责"), ("各市", "各市（州）"))


def rng_for(*parts: object) -> random.Random:
    """A random generator seeded by the parts' text: stable across runs and machines."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def doc_number(site: SiteSpec, year: int, number: int) -> str:
    if not site.doc_prefix:  # a reposting portal shows no doc number of its own
        return ""
    text = f"{site.doc_prefix}〔{year}〕{number}号"
    return text.translate(_FULLWIDTH) if site.fullwidth_doc_numbers else text


def index_number(site: SiteSpec, year: int, sequence: int) -> str:
    org = int(hashlib.sha256(site.slug.encode()).hexdigest()[:8], 16) % 10**9
    return f"{org:09d}/{year}-{sequence:05d}"


def _place(site: SiteSpec) -> str:
    return site.region.replace("安徽省", "")


def filler_title(site: SiteSpec, rng: random.Random, year: int) -> str:
    shape = rng.choice(TITLE_SHAPES)
    title = shape.format(place=_place(site), topic=rng.choice(TOPICS), year=year, year2=year + 2)
    return f"{site.theme.host_org}{title}" if rng.random() < 0.5 else title


def filler_paragraphs(site: SiteSpec, rng: random.Random, title: str, published: date) -> list[str]:
    pool = paragraph_pool()
    body = [rng.choice(ADDRESSEES)]
    body.extend(rng.sample(pool, rng.randint(6, 14)))
    body.append(site.theme.host_org)
    if site.chinese_numeral_dates:
        body.append(chinese_date(published))
    else:
        body.append(f"{published.year}年{published.month}月{published.day}日")
    return body


def chinese_date(day: date) -> str:
    """二〇一八年三月五日: the sign-off style of many notices."""
    digits = "〇一二三四五六七八九"

    def number(n: int) -> str:
        if n < 10:
            return digits[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")

    return "".join(digits[int(c)] for c in str(day.year)) + f"年{number(day.month)}月{number(day.day)}日"


def _dates(site: SiteSpec, seed: int, count: int) -> list[date]:
    """``count`` publication dates spread over the site's years, oldest first."""
    rng = rng_for(seed, site.slug, "dates")
    start = date(site.year_span[0], 1, 4)
    span = (date(site.year_span[1], 12, 28) - start).days
    return sorted(start + timedelta(days=rng.randrange(span)) for _ in range(count))


def filler_notice(
    site: SiteSpec, seed: int, index: int, published: date, notice_id: int, doc_seq: int
) -> Notice:
    """Filler notice number ``index`` of ``site``; about one in six carries its text in an attachment."""
    rng = rng_for(seed, site.slug, "filler", index)
    title = filler_title(site, rng, published.year)
    paragraphs = filler_paragraphs(site, rng, title, published)
    notice = Notice(
        id=str(notice_id),
        title=title,
        doc_number=doc_number(site, published.year, doc_seq) if rng.random() < 0.85 else "",
        issuer=site.theme.host_org,
        index_no=index_number(site, published.year, index + 1),
        topic=rng.choice(CATEGORIES),
        written=published - timedelta(days=rng.randint(0, 9)),
        published=published,
        paragraphs=paragraphs,
    )
    if rng.random() < 1 / 6:
        attach_full_text(site, notice, "pdf" if rng.random() < 0.6 else "docx")
    return notice


def attach_full_text(site: SiteSpec, notice: Notice, kind: str, text: str | None = None) -> Attachment:
    """Move the notice's text into an attachment; the page keeps a cover note and "详见附件"."""
    plan = notice.title.removeprefix(notice.issuer).removeprefix("关于印发").removesuffix("的通知")
    if text is None:
        text = "\n".join([notice.title, notice.doc_number, *notice.paragraphs]).strip()
        notice.paragraphs = [
            notice.paragraphs[0],
            f"现将《{plan}》印发给你们，请结合实际认真贯彻执行。",
            "详见附件。",
            *notice.paragraphs[-2:],
        ]
    attachment = Attachment(
        kind=kind,  # type: ignore[arg-type]
        title=f"{plan}.{kind}",
        text=text,
        file_name=attachment_file_name(notice, kind, len(notice.attachments)),
    )
    notice.attachments = [a for a in notice.attachments if a.kind != kind] + [attachment]
    return attachment


def attachment_file_name(notice: Notice, kind: str, position: int) -> str:
    return f"P020{notice.published:%Y%m%d}{notice.id}{position + 1:02d}v{notice.version}.{kind}"


def seed_notice(site: SiteSpec, seed: int, notice_id: int) -> Notice:
    """The corpus notice that ``site`` publishes, cleaned of scraping artefacts."""
    assert site.seed_key is not None
    text = seed_text(site.seed_key)
    rng = rng_for(seed, site.slug, "seed")
    return Notice(
        id=str(notice_id),
        title=text.title,
        doc_number=text.doc_number,
        issuer=text.issuer,
        index_no=index_number(site, text.published.year, rng.randint(100, 400)),
        topic=CATEGORIES[2],
        written=text.written,
        published=text.published,
        paragraphs=list(text.paragraphs),
        origin="seed",
    )


def site_notices(site: SiteSpec, seed: int) -> list[Notice]:
    """All notices ``site`` starts with, newest first: its seed notice among dated fillers."""
    dates = _dates(site, seed, site.filler_count)
    seed_date = seed_text(site.seed_key).published if site.seed_key else None
    entries: list[tuple[date, int]] = [(d, i) for i, d in enumerate(dates)]
    if seed_date is not None:
        entries.append((seed_date, -1))
    entries.sort()
    rng = rng_for(seed, site.slug, "ids")
    notices: list[Notice] = []
    next_id = site.id_base + rng.randrange(1000)
    doc_seq: dict[int, int] = {}
    # A real issuer never gives two documents one number: fillers skip the seed's.
    seed_doc = unicodedata.normalize("NFKC", seed_text(site.seed_key).doc_number) if site.seed_key else None
    for published, index in entries:
        next_id += rng.randint(3, 97)
        doc_seq[published.year] = doc_seq.get(published.year, 0) + rng.randint(1, 5)
        while (
            seed_doc
            and unicodedata.normalize("NFKC", doc_number(site, published.year, doc_seq[published.year]))
            == seed_doc
        ):
            doc_seq[published.year] += 1
        if index < 0:
            notices.append(seed_notice(site, seed, next_id))
        else:
            notices.append(filler_notice(site, seed, index, published, next_id, doc_seq[published.year]))
    notices.reverse()
    return notices


def edited_text(rng: random.Random, old: str) -> str:
    """A plausible substantive edit of ``old``: a word swapped or a sentence added."""
    swaps = [(a, b) for a, b in EDIT_SWAPS if a in old and b not in old]
    if swaps and rng.random() < 0.6:
        a, b = rng.choice(swaps)
        return old.replace(a, b, 1)
    return old + rng.choice([s for s in EDIT_SUFFIXES if s not in old] or ["（有修改）"])

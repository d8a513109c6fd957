"""String parsers for the two values every notice carries: its doc number (文号) and its dates."""

from __future__ import annotations

import re
from datetime import date

from notices.text import ascii_digits

_OPEN = re.escape("〔[［(（【")
_CLOSE = re.escape("〕]］)）】")
# Prefix: the issuer's short name (琼府, 渝府办发, 国办发). Year: 4 digits. Then the serial number and 号.
DOC_NUMBER_RE = re.compile(
    rf"((?:(?!号)[\u4e00-\u9fff]){{1,12}})\s*[{_OPEN}]\s*((?:19|20)\d{{2}})\s*[{_CLOSE}]\s*第?\s*(\d{{1,5}})\s*号"
)
# Government orders carry no year: 省政府令第287号, 广州市人民政府令第 12 号, 国务院令第 588 号. The
# issuer part is short and ends in 令; the number may be written with Chinese numerals.
ORDER_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fff]{0,16}?(?:政府|国务院|办公厅|委员会|部|局|厅|委|署|院)令)\s*[(（]?\s*第\s*([0-9〇零一二三四五六七八九十百]{1,6})\s*号"
)
# Words that run into a cited doc number in prose ("根据国发〔2017〕14号") but are not part of it.
_LEADING_NOISE = re.compile(
    r"^(?:根据|按照|依照|遵照|依据|贯彻|落实|印发|转发|关于|参照|执行|结合|引用|再次|详见|参见|以及|和|及|与|的|见|文号|字号|发文字号)+"
)


def parse_doc_number(text: str | None) -> str | None:
    """Find and normalize a 文号 such as ``粤府〔２０１２〕１６号`` -> ``粤府〔2012〕16号``.

    Brackets 〔〕[]()［］（）【】 become 〔〕 and full-width digits become ASCII. Returns None when the text
    holds no doc number (for example an index number ``11440000006939591D/2012-00123``).
    """
    if not text:
        return None
    found = find_doc_numbers(text[:2000])
    return found[0] if found else None


# A title that closes on its own 文号 in round brackets: 行政处罚信息公开表（浙金罚决字〔2024〕52号）.
_TRAILING_PARENTHETICAL_RE = re.compile(r"[(（]([^()（）]{4,40})[)）]\s*$")


def title_doc_number(title: str | None) -> str | None:
    """The doc number a title ends with, when the closing parenthetical holds nothing else.

    Some sites show the 文号 only there (no metadata cell, none in the text). A number cited inside
    the title (关于贯彻《…》（国发〔2018〕1号）精神的通知) is not the title's own, so it must close the title.
    """
    match = _TRAILING_PARENTHETICAL_RE.search(title or "")
    if not match:
        return None
    inside = re.sub(r"\s", "", match.group(1))
    number = parse_doc_number(inside)
    if number and len(ascii_digits(inside)) - len(number) <= 1:
        return number
    return None


# What every match of DOC_NUMBER_RE holds (a bracketed year) and ORDER_NUMBER_RE (令 … 第): most
# paragraphs hold neither, and the full patterns try a match at every Chinese character.
_BRACKETED_YEAR_RE = re.compile(rf"[{_OPEN}]\s*(?:19|20)\d{{2}}\s*[{_CLOSE}]")


def find_doc_numbers(text: str) -> list[str]:
    """Every doc number in ``text`` (bracketed ones and government orders), normalized, in order of
    appearance (duplicates kept)."""
    text = ascii_digits(text)
    found = []
    if _BRACKETED_YEAR_RE.search(text):
        found = [(m.start(), _format(m)) for m in DOC_NUMBER_RE.finditer(text)]
    if "令" in text and "第" in text:
        found += [(m.start(), _format_order(m)) for m in ORDER_NUMBER_RE.finditer(text)]
    return [number for _start, number in sorted(found)]


def _format(match: re.Match[str]) -> str:
    prefix = _LEADING_NOISE.sub("", match.group(1)) or match.group(1)
    return f"{prefix}〔{match.group(2)}〕{int(match.group(3))}号"


def _format_order(match: re.Match[str]) -> str:
    issuer = _LEADING_NOISE.sub("", match.group(1)) or match.group(1)
    serial = match.group(2)
    number = serial if serial.isdigit() else str(_cn_number(serial))
    return f"{issuer}第{int(number)}号"


def _cn_number(text: str) -> int:
    """一百二十三 or 一二三 as an integer (government orders are numbered up to the hundreds)."""
    if not any(c in text for c in "十百"):
        return int("".join(str(_CN_DIGITS.get(c, 0)) for c in text) or "0")
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS.get(char, 0)
    return total + current


_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERIC_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)")
_CN_DATE_RE = re.compile(
    r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


def parse_date(text: str | None) -> date | None:
    """The first valid calendar date in ``text``.

    Understands 2017-08-17, 2017/8/9, 2017.8.9, 2017年8月9日, 二〇一七年八月九日 and full-width digits.
    Returns None when there is none (or only impossible ones such as 2017-13-40).
    """
    if not text:
        return None
    text = ascii_digits(text[:5000])
    found: list[tuple[int, date]] = []
    for match in _NUMERIC_DATE_RE.finditer(text):
        value = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value:
            found.append((match.start(), value))
            break
    for match in _CN_DATE_RE.finditer(text):
        year = int("".join(str(_CN_DIGITS[c]) for c in match.group(1)))
        value = _safe_date(year, _cn_small(match.group(2)), _cn_small(match.group(3)))
        if value:
            found.append((match.start(), value))
            break
    return min(found)[1] if found else None


def _cn_small(text: str) -> int:
    """一..三十一: the Chinese numerals used for months and days."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None

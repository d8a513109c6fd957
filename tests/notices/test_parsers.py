"""Doc numbers, dates and outlines: examples from the corpus plus hypothesis properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notices import parse_date, parse_doc_number, parse_outline
from notices.model import Notice, PageKind
from notices.outline import iter_nodes, outline_path_for

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
BRACKETS = [("〔", "〕"), ("[", "]"), ("(", ")"), ("［", "］"), ("（", "）"), ("【", "】")]
CN_DIGITS = "〇一二三四五六七八九"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("粤府〔２０１２〕１６号", "粤府〔2012〕16号"),
        ("琼府〔2017〕69号", "琼府〔2017〕69号"),
        ("渝府办发[2017]132号", "渝府办发〔2017〕132号"),
        ("皖政办（2017）51号", "皖政办〔2017〕51号"),
        ("国办发【2018】123号", "国办发〔2018〕123号"),
        ("文号：青政办〔2017〕150号", "青政办〔2017〕150号"),
        ("11440000006939591D/2012-00123", None),
        ("", None),
        ("第16号", None),
    ],
)
def test_parse_doc_number(text: str, expected: str | None) -> None:
    assert parse_doc_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-08-17", date(2017, 8, 17)),
        ("2017年8月9日", date(2017, 8, 9)),
        ("2017/8/9", date(2017, 8, 9)),
        ("二〇一七年八月九日", date(2017, 8, 9)),
        ("二〇一二年二月二十四日", date(2012, 2, 24)),
        ("２０１７年８月９日", date(2017, 8, 9)),
        ("发布时间：2019-09-18 06:23", date(2019, 9, 18)),
        ("2017-13-40", None),
        ("no date", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


prefixes = st.text(alphabet="琼粤渝皖青国府办发政函字", min_size=1, max_size=6)


@given(prefixes, st.integers(1950, 2049), st.integers(1, 9999), st.sampled_from(BRACKETS), st.booleans())
def test_doc_number_round_trip(
    prefix: str, year: int, number: int, brackets: tuple[str, str], wide: bool
) -> None:
    digits = f"{year}{brackets[1]}{number}"
    text = f"{prefix}{brackets[0]}{digits.translate(FULLWIDTH) if wide else digits}号"
    canonical = f"{prefix}〔{year}〕{number}号"
    assert parse_doc_number(text) == canonical
    assert parse_doc_number(canonical) == canonical  # idempotent


@given(
    st.dates(date(1950, 1, 1), date(2049, 12, 31)),
    st.sampled_from(["iso", "slash", "cn", "cn_numerals", "wide"]),
)
def test_date_round_trip(value: date, style: str) -> None:
    def cn(n: int) -> str:
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else "") + (
            CN_DIGITS[ones] if ones else ""
        )

    text = {
        "iso": value.isoformat(),
        "slash": f"{value.year}/{value.month}/{value.day}",
        "cn": f"{value.year}年{value.month}月{value.day}日",
        "cn_numerals": "".join(CN_DIGITS[int(d)] for d in str(value.year))
        + f"年{cn(value.month)}月{cn(value.day)}日",
        "wide": f"{value.year}年{value.month}月{value.day}日".translate(FULLWIDTH),
    }[style]
    assert parse_date(text) == value
    assert parse_date(parse_date(text).isoformat()) == value  # type: ignore[union-attr]


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_parsers_never_crash(text: str) -> None:
    number = parse_doc_number(text)
    if number is not None:
        assert parse_doc_number(number) == number
    parse_date(text)


MARKER_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "一、总体要求",
                "二、重点任务",
                "（一）指导思想。全面贯彻…",
                "（二）基本原则",
                "1.强化整治。坚持…",
                "2、加强协作",
                "１．完善制度",
                "（1）细则",
                "正文段落。",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=60,
)


@given(MARKER_LINES)
def test_outline_properties(paragraphs: list[str]) -> None:
    outline = parse_outline(paragraphs)
    nodes = list(iter_nodes(outline))
    paths = [n.path for n in nodes]
    assert len(paths) == len(set(paths)), "paths must stay unique even with repeated numbering"
    indices = [n.paragraph_index for n in nodes]
    assert indices == sorted(indices) and all(0 <= i < len(paragraphs) for i in indices)
    for node in nodes:
        for child in node.children:
            assert child.path.startswith(node.path)
    assert parse_outline(paragraphs) == outline  # deterministic


def test_outline_tree_and_paths() -> None:
    paragraphs = [
        "琼府〔2017〕69号",
        "四、重点任务",
        "（一）推进跨部门跨区域综合治理。",
        "1.强化重点领域集中整治。坚持专项整治…",
        "对侵权假冒重点区域，强化全程监管。",
        "（二）提高市场监管和预警防范能力。",
        "5.加强执法监管信息化建设。",
        "（1）细化任务。",
        "2．out of order 但仍然在（二）之下",
    ]
    outline = parse_outline(paragraphs)
    assert [n.path for n in iter_nodes(outline)] == [
        "四、",
        "四、（一）",
        "四、（一）1.",
        "四、（二）",
        "四、（二）5.",
        "四、（二）5.（1）",
        "四、（二）2.",
    ]
    node = outline[0].children[0]
    assert (node.marker, node.heading, node.paragraph_index) == ("（一）", "推进跨部门跨区域综合治理", 2)
    notice = Notice(url="u", page_kind=PageKind.NOTICE, paragraphs=tuple(paragraphs), outline=outline)
    assert outline_path_for(notice, 0) is None
    assert outline_path_for(notice, 4) == "四、（一）1."
    assert outline_path_for(notice, 7) == "四、（二）5.（1）"


def test_inline_heading_is_split_from_text() -> None:
    (node,) = parse_outline(["（一）指导思想。全面贯彻党的十八大精神"])
    assert node.heading == "指导思想"


def test_numbers_that_are_not_markers() -> None:
    assert parse_outline(["2017年8月9日", "1.5亿元资金", "一"]) == ()

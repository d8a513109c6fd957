"""One policy, many sources: doc numbers, traditional-character reposts, and notices kept apart.

The rules are tables in grouping_cases.yaml; this file holds the bodies they name and the timing."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from opencc import OpenCC

from changes.grouping import fingerprint, hamming, normalize_doc_number, same_policy
from notices.model import Notice, PageKind

BODY = (
    "各市、县、自治县人民政府，省政府直属各单位：",
    "为深入贯彻落实国务院关于进一步优化营商环境的决策部署，加快建设国际一流营商环境，现提出以下意见。",
    "一、总体要求。坚持以企业和群众需求为导向，以数字化改革为牵引，推动政务服务标准化、规范化、便利化。",
    "二、重点任务。（一）深化商事制度改革，全面推行经营范围规范化登记，推进证照分离改革全覆盖。",
    "（二）优化政务服务，推动高频政务服务事项跨省通办，实现企业开办全程网办、一日办结。",
    "三、保障措施。各地区各部门要加强组织领导，压实工作责任，确保各项任务落地见效。",
)
OTHER = (
    "各市、县、自治县农业农村局：",
    "为做好2024年春季农业生产工作，保障粮食和重要农产品稳定安全供给，现就有关事项通知如下。",
    "一、抓好春播备耕。及早制定春播方案，落实种子、化肥、农药等农资储备，组织农机检修。",
    "二、加强病虫害防控。密切监测小麦条锈病、草地贪夜蛾等重大病虫害发生动态，及时开展统防统治。",
    "三、强化技术指导。组织农技人员深入生产一线，开展技术培训和现场指导。",
)


CASES = yaml.safe_load((Path(__file__).parent / "grouping_cases.yaml").read_text(encoding="utf-8"))
_S2T = OpenCC("s2t")
BODIES = {
    "policy": BODY,
    "policy_opening": BODY[:2],
    "policy_traditional": tuple(_S2T.convert(p) for p in BODY),
    "policy_noisy": tuple("　" + p.replace("，", ", ") + " " for p in BODY) + ("（责任编辑：张三）",),
    "other": OTHER,
    "see_attachment": ("详见附件。",),
}


def notice(
    paragraphs: tuple[str, ...], *, doc_number: str | None = None, url: str = "http://a/1.html"
) -> Notice:
    return Notice(url=url, page_kind=PageKind.NOTICE, title="t", doc_number=doc_number, paragraphs=paragraphs)


@pytest.mark.parametrize("case", CASES["doc_numbers"], ids=[c["id"] for c in CASES["doc_numbers"]])
def test_doc_number_spellings(case: dict[str, Any]) -> None:
    a, b = normalize_doc_number(case["a"]), normalize_doc_number(case["b"])
    assert a and b
    assert (a == b) is case["same"], (a, b)


@pytest.mark.parametrize("case", CASES["policies"], ids=[c["id"] for c in CASES["policies"]])
def test_same_policy(case: dict[str, Any]) -> None:
    a = notice(BODIES[case["a"]["body"]], doc_number=case["a"].get("doc_number"), url="http://a/1.html")
    b = notice(BODIES[case["b"]["body"]], doc_number=case["b"].get("doc_number"), url="http://b/2.html")
    assert same_policy(a, b, same_source=case["same_source"]) is case["same"]
    assert same_policy(b, a, same_source=case["same_source"]) is case["same"]


def test_reposts_are_near_in_simhash_and_different_texts_are_far() -> None:
    original, repost = notice(BODY), notice(BODIES["policy_traditional"])
    assert repost.body != original.body
    assert hamming(fingerprint(original), fingerprint(repost)) <= 3
    assert hamming(fingerprint(notice(BODY)), fingerprint(notice(OTHER))) > 10


def test_fingerprint_is_stable_text() -> None:
    value = fingerprint(notice(BODY))
    assert len(value) == 16 and int(value, 16) >= 0
    assert value == fingerprint(notice(BODY))


def test_fast_on_30000_character_notices() -> None:
    s2t = OpenCC("s2t")
    rng = random.Random(7)
    alphabet = "".join(BODY + OTHER)
    # worst case for shingling: almost every 4-character shingle distinct
    long_body = tuple("".join(rng.choice(alphabet) for _ in range(150)) for _ in range(200))
    a = notice(long_body)
    assert len(a.body) >= 30_000
    b = notice(tuple(s2t.convert(p) for p in long_body))
    started = time.perf_counter()
    assert same_policy(a, b)
    fingerprint(a)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.5, f"same_policy + fingerprint on {len(a.body)} chars took {elapsed:.2f}s"


def test_bit_sliced_simhash_matches_the_textbook_loop() -> None:
    from changes.grouping import _simhash_reference, canonical_text, simhash

    for body in (BODY, OTHER, BODY[:1], ("短",)):
        text = canonical_text(notice(body))
        assert simhash(text) == _simhash_reference(text)

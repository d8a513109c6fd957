"""Duties, citations, body de-duplication and decoding, on small hand-written inputs."""

from __future__ import annotations

from notices import decode_html, parse_outline
from notices.body_lines import dedupe, is_noise_line
from notices.citations import find_citations
from notices.responsibilities import find_responsibilities, parse_duty


def test_duty_parentheticals() -> None:
    assert parse_duty("市农委、市商务委、重庆检验检疫局按职责分工负责") == (
        ("市农委", "市商务委", "重庆检验检疫局"),
        (),
    )
    assert parse_duty("市打击侵权假冒工作领导小组办公室牵头，市公安局、滁州海关等按职责分工负责") == (
        ("市打击侵权假冒工作领导小组办公室",),
        ("市公安局", "滁州海关"),
    )
    assert parse_duty("省知识产权局牵头，省公安厅配合") == (("省知识产权局",), ("省公安厅",))
    assert parse_duty("省委宣传部〈省网信办〉、省农业厅等按职责分工负责")[0] == (
        "省委宣传部〈省网信办〉",
        "省农业厅",
    )


def test_responsibilities_are_tied_to_outline_paths() -> None:
    paragraphs = [
        "一、推进综合治理",
        "1．坚持专项整治与日常监管相结合。",
        "（市农委、市商务委按职责分工负责）",
        "2. 加强部门间执法协作。加强对基层的指导（市工商局负责）。完善机制。（市公安局牵头，市司法局配合）",
        "3. 推进联动。",
        "责任单位：市科技局、市商务局",
    ]
    duties = find_responsibilities(paragraphs, parse_outline(paragraphs))
    assert [(d.task_path, d.lead, d.support) for d in duties] == [
        ("一、1.", ("市农委", "市商务委"), ()),
        ("一、2.", ("市工商局",), ()),
        ("一、2.", ("市公安局",), ("市司法局",)),
        ("一、3.", ("市科技局", "市商务局"), ()),
    ]
    assert duties[0].task == "坚持专项整治与日常监管相结合"
    assert duties[1].task == "加强对基层的指导"


def test_citations_exclude_own_number_and_keep_order() -> None:
    paragraphs = [
        "为贯彻落实《意见》（国发〔2017〕14号）和皖政办［2017］51号",
        "琼府〔2017〕69号",
        "再次引用国发〔2017〕14号",
    ]
    assert find_citations(paragraphs, "琼府〔2017〕69号") == ("国发〔2017〕14号", "皖政办〔2017〕51号")


def test_dedupe_keeps_first_occurrence_and_legit_repeats() -> None:
    duty = "（市农委、市商务委按职责分工负责）"
    lines = [
        "琼府〔2017〕69号",
        "一、指导思想",
        "全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神，深入贯彻重要讲话精神。",
        duty,
        "琼府〔2017〕69号",
        "一、指导思想",
        "全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神，深入贯彻重要讲话精神。新的句子在这里。",
        duty,
    ]
    out, dropped = dedupe(lines)
    assert out == lines[:4] + ["新的句子在这里。", duty]
    assert dropped == 3


def test_dedupe_keeps_a_single_repeated_line_between_new_text() -> None:
    """Two attached regulations share a heading; a report quotes one sentence of the letter it
    answers. Neither is a second copy of the page, so both stay."""
    quoted = "根据现场调查，地震监测和地质勘探资料并结合其与三峡水库蓄水的时空关系的综合分析。"
    lines = [
        "文化体制改革中经营性文化事业单位转制为企业的规定",
        "三、关于资产和土地处置",
        "（十）经营性文化事业单位在转制过程中，对于清查出的资产损失按规定报经批准后进行核销。",
        "专家组认为：" + quoted,
        "进一步支持文化企业发展的规定",
        "三、关于资产和土地处置",
        "（十六）发生分立、合并、重组、改制、撤销等经济行为涉及国有资产的文化企业，应当清产核资。",
        "对于房屋开裂的原因，专家组认为：" + quoted,
        "建议继续加强监测研究，以掌握其长期动态变化及与水库水位变化的关系。",
    ]
    out, dropped = dedupe(lines)
    assert out == lines and dropped == 0


def test_dedupe_drops_a_repeated_文号_line_even_alone() -> None:
    lines = [
        "琼府〔2017〕69号",
        "各市、县人民政府：",
        "现将方案印发给你们，请认真贯彻执行。",
        "琼府〔2017〕69号",
    ]
    lines.append("一、总体要求")
    out, dropped = dedupe(lines)
    assert out == lines[:3] + ["一、总体要求"] and dropped == 1


def test_noise_lines() -> None:
    for line in [
        "扫一扫在手机打开当前页",
        "琼ICP备05000208号",
        "浏览次数：2371",
        "【打印】",
        "发表评论",
        "去登录",
        "发布日期：2017-08-17",
    ]:
        assert is_noise_line(line), line
    assert not is_noise_line("各地区要加强打击侵权假冒工作宣传，积极回应媒体和公众关切。")


def test_decode_gbk_mislabelled_as_utf8_and_back() -> None:
    text = "海南省人民政府关于印发实施方案的通知"
    decoded, warnings = decode_html(b"<meta charset=utf-8>" + text.encode("gbk"), "utf-8")
    assert text in decoded and any("does not match" in w for w in warnings)
    decoded, warnings = decode_html(b"<meta charset=gb2312>" + text.encode("utf-8"), "gbk")
    assert text in decoded and any("does not match" in w for w in warnings)


def test_decode_boms_and_mojibake() -> None:
    assert decode_html("\ufeff通知".encode(), None) == ("通知", [])
    assert decode_html("通知".encode("utf-16"), None)[0] == "通知"
    original = "<title>请稍候，正在获取内容</title><p>海南省人民政府关于印发的通知</p>"
    mojibake = original.encode("utf-8").decode("latin-1").encode("utf-8")
    decoded, warnings = decode_html(mojibake, "utf-8")
    assert decoded == original and any("mojibake" in w for w in warnings)

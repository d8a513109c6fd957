"""Repeal by citation: the earlier policies a notice says it repeals, replaces or amends.

A notice rarely repeals another by editing it; it says so in its own text: "《某某办法》（某政发〔2015〕12号）
同时废止", "下列文件予以废止：1.《…》…", "本办法代替《…》", "对《…》作如下修改". This module reads
those statements from the notice's body into :class:`RepealCitation` records (the cited 文号 and/or
title, and what happens to it), so ingest can mark the cited policies and alert their subscribers.

Only statements that name what they act on count: "本办法有效期五年，期满自动失效" names nothing else
and is not a repeal; the notice's own 文号 and title are never cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from changes.grouping import normalize_doc_number
from notices.model import Notice
from notices.parsers import find_doc_numbers


class RepealAction(StrEnum):
    REPEALED = "repealed"  # 废止, 停止执行, 失效, 宣布失效, 不再执行, 撤销
    REPLACED = "replaced"  # 代替, 替代, 取代
    AMENDED = "amended"  # 修订, 修改, 修正 (作如下…)


ACTION_LABELS = {
    RepealAction.REPEALED: "已废止",
    RepealAction.REPLACED: "已被替代",
    RepealAction.AMENDED: "已修订",
}


@dataclass(frozen=True)
class RepealCitation:
    """One earlier policy this notice acts on, as its text names it."""

    action: RepealAction
    doc_number: str | None  # normalized, as notices.parsers.find_doc_numbers writes it
    title: str | None  # the title between 《》, without the brackets
    sentence: str  # the statement it was read from, for the alert


_SENTENCE_END = re.compile(r"(?<=[。；;！!])|\n")
_TITLE = re.compile(r"《([^《》]{4,80})》")
_REPEAL_VERB = re.compile(
    r"废止|停止执行|不再执行|宣布失效|同时失效|予以失效|起失效|即行失效|予以撤销|同时撤销"
)
_REPLACE_VERB = re.compile(r"代替|替代|取代")
_AMEND_VERB = re.compile(
    r"(?:作|做)(?:如下|以下)(?:修订|修改|修正)|(?:修订|修改|修正)如下|决定(?:对|将)[^。]{0,120}(?:修订|修改|修正)"
)
# A statement that announces a list of what it repeals: the items follow it, one per line.
_ISSUES = re.compile(r"印发|转发|发布|公布")
_LIST_HEAD = re.compile(
    r"(?:废止|失效|停止执行)(?:下列|以下|如下)|(?:下列|以下|如下)[^。]{0,20}(?:文件|规章|规范性文件|政策)[^。]{0,30}(?:废止|失效|停止执行)|(?:废止|失效)的?(?:文件|规章|规范性文件)(?:目录|清单|如下)"
)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.、．]|[（(]\d{1,3}[）)]|[一二三四五六七八九十]+、)")
_BASIS = re.compile(r"^(?:根据|依据|按照|依照|为(?:贯彻|落实|深入贯彻))[^，,。]*[，,]")


def repeal_citations(notice: Notice) -> tuple[RepealCitation, ...]:
    """What ``notice`` says it repeals, replaces or amends, in the order its text says it."""
    title = notice.title or ""
    # "关于印发《某办法》的通知" issues the policy it names; "关于废止《某办法》的决定" repeals it.
    issued = {_bare(t) for t in _TITLE.findall(title)} if _ISSUES.search(_masked(title)) else set()
    own = _Own(notice.doc_number, {_bare(title)} | issued)
    found: dict[tuple[str | None, str | None], RepealCitation] = {}
    in_list = False
    for line in (paragraph.strip() for paragraph in notice.paragraphs):
        if in_list:
            if line and _LIST_ITEM.match(line):
                _collect(found, RepealAction.REPEALED, line, line, own)
                continue
            in_list = not line
        for sentence in (s.strip() for s in _SENTENCE_END.split(line)):
            if not sentence:
                continue
            if _LIST_HEAD.search(_masked(sentence)):
                in_list = True
            for action, clause in _acting_clauses(sentence):
                _collect(found, action, clause, sentence, own)
    return tuple(found.values())


@dataclass(frozen=True)
class _Own:
    """The notice's own 文号 and titles (its title, and a policy it 印发s): never cited as repealed."""

    doc_number: str | None
    titles: set[str]


def _masked(text: str) -> str:
    """``text`` with every cited title emptied: 《关于废止…的决定》 holds a verb that acts on nothing."""
    return _TITLE.sub("《》", text)


def _acting_clauses(sentence: str) -> list[tuple[RepealAction, str]]:
    """Each clause of ``sentence`` that repeals, replaces or amends, with the text naming its objects.

    The objects are in the verb's clause ("2019年印发的《某办法》同时废止") or, when that names
    nothing, in the clause before it ("原《某办法》（…号），自本办法施行之日起废止"). A leading clause
    that gives the legal basis (根据/依据/按照 …，) names what is applied, not what is repealed.
    """
    clauses = [c for c in re.split(r"[，,]", _BASIS.sub("", sentence)) if c]
    acting: list[tuple[RepealAction, str]] = []
    for index, clause in enumerate(clauses):
        action = _action(_masked(clause))
        if action is None:
            continue
        named = (
            clause if _names_something(clause) else (clauses[index - 1] + "，" + clause if index else clause)
        )
        acting.append((action, named))
    return acting


def _names_something(text: str) -> bool:
    return bool(_TITLE.search(text) or find_doc_numbers(text))


def _action(masked: str) -> RepealAction | None:
    if _AMEND_VERB.search(masked):
        return RepealAction.AMENDED
    if _REPLACE_VERB.search(masked):
        return RepealAction.REPLACED
    if _REPEAL_VERB.search(masked):
        return RepealAction.REPEALED
    return None


def _collect(
    found: dict[tuple[str | None, str | None], RepealCitation],
    action: RepealAction,
    clause: str,
    sentence: str,
    own: _Own,
) -> None:
    """Every policy ``clause`` names, each title with the 文号 written right after it, if any."""
    pairs: list[tuple[str | None, str | None]] = []
    for match in _TITLE.finditer(clause):
        title = match.group(1)
        if _bare(title) in own.titles or _is_law(title):
            continue
        after = clause[match.end() : match.end() + 40]
        cited = find_doc_numbers(after[: _next_title(after)])
        pairs.append((cited[0] if cited else None, title))
    paired = {number for number, _title in pairs if number}
    pairs += [(number, None) for number in find_doc_numbers(clause) if number not in paired]
    for number, title in pairs:
        if number is not None and number == own.doc_number:
            continue
        found.setdefault((number, None if number else title), RepealCitation(action, number, title, sentence))


def _next_title(text: str) -> int:
    position = text.find("《")
    return position if position >= 0 else len(text)


def _is_law(title: str) -> bool:
    """A statute invoked as the legal basis (《中华人民共和国…法》) is applied, not repealed, by a local notice."""
    return title.startswith("中华人民共和国") and title.endswith("法")


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cites(citation: RepealCitation, *, policy_title: str, policy_doc_key: str | None) -> bool:
    """Whether ``citation`` names the policy with this title and normalized doc number.

    The doc number decides when both sides have one; otherwise the title must be the policy's own
    title, or the title its notice issues (``关于印发《T》的通知``).
    """
    cited_key = normalize_doc_number(citation.doc_number) or None
    if cited_key and policy_doc_key:
        return cited_key == policy_doc_key
    if citation.title is None:
        return False
    bare = _bare(citation.title)
    return bare == _bare(policy_title) or f"《{bare}》" in _bare(policy_title)

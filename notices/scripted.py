"""Values a page writes with an inline script instead of holding them as text.

TRS templates print some labelled values at view time: ``来源：<script>var laiyuan = '吉林省公共
资源交易平台'; if (laiyuan == "") {document.write("本网")} else {document.write(laiyuan)}</script>``.
The static page then shows nothing after the label, and whatever follows it (阅读次数：…) would be
read as the value. The script is not run; only its plain shape is read: ``document.write`` of a
string literal, or of a variable the same script sets to a string literal.
"""

from __future__ import annotations

import re

from lxml import etree

from notices.text import MARKUP_RE, clean_line

_ASSIGN_RE = re.compile(r"""\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*(["'])(.*?)\2\s*[;\n]""")
_WRITE_RE = re.compile(r"""document\.write(?:ln)?\(\s*(?:(["'])(.*?)\1|([A-Za-z_$][\w$]*))\s*\)""")


def written_value(script: str) -> str | None:
    """The text ``script`` writes into the page, read without running it, or None.

    A variable set to a non-empty literal wins over literal writes, which such templates keep as
    the fallback for an empty variable; a script whose variable is empty writes its first literal.
    """
    assigned = {name: value for name, _, value in _ASSIGN_RE.findall(script)}
    literals: list[str] = []
    for _, literal, name in _WRITE_RE.findall(script):
        if name:
            value = clean_line(MARKUP_RE.sub("", assigned.get(name, "")))
            if value:
                return value
        elif literal:
            literals.append(clean_line(MARKUP_RE.sub("", literal)))
    return next((text for text in literals if text), None)


def scripted_value(label: etree._Element) -> str | None:
    """The value a script inside ``label`` (after its text) or right after it writes, or None."""
    scripts = [child for child in label if child.tag == "script"]
    sibling = label.getnext()
    if sibling is not None and sibling.tag == "script" and not clean_line(label.tail or ""):
        scripts.append(sibling)
    for script in scripts:
        if script.get("src"):
            continue
        value = written_value(script.text or "")
        if value:
            return value
    return None


# --------------------------------------------------------------------- markup written by scripts

_SCRIPT_BLOCK_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_STRING = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
_EVENT_RE = re.compile(
    rf"(?P<string>{_STRING})"
    r"|(?P<comment>//[^\n]*|/\*.*?\*/)"
    r"|(?P<write>\bdocument\s*\.\s*write(?:ln)?\s*\()"
    r"|(?P<assign>(?<![\w$.])(?P<target>[A-Za-z_$][\w$]*)\s*=(?![=>]))",
    re.S,
)
_TERM_RE = re.compile(
    rf"\s*(?:(?P<string>{_STRING})|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_$][\w$]*))", re.S
)
_PLUS_RE = re.compile(r"\s*\+(?![+=])")
_MEMBER_RE = re.compile(r"\s*\.\s*[A-Za-z_$][\w$]*")
_CALL_RE = re.compile(r"\s*\(")
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "", "f": "", "v": "", "0": ""}


def with_written_markup(text: str) -> str | None:
    """``text`` with each inline script that calls ``document.write`` replaced by the markup it
    writes, or None when no script writes anything.

    Some list templates (Wuhan's TRS lists) hold each row's URL, title and date in script
    variables and draw the row with ``document.writeln("<a href="+url+">"+title+"</a>")``; the
    static page has no row markup at all. The script is not run: string literals and the variables
    the same script sets to them are concatenated, anything else reads as empty.
    """
    if "document" not in text or "write" not in text:
        return None
    replaced = False

    def replace(match: re.Match[str]) -> str:
        nonlocal replaced
        attributes, code = match.groups()
        if re.search(r"\bsrc\s*=", attributes, re.I) or not re.search(r"document\s*\.\s*write", code):
            return match.group(0)
        replaced = True
        return written_markup(code)

    out = _SCRIPT_BLOCK_RE.sub(replace, text)
    return out if replaced else None


def written_markup(code: str) -> str:
    """What the ``document.write``/``writeln`` calls of one script write, in order."""
    return read_script(code)[0]


def writing_scripts(text: str) -> list[tuple[str, dict[str, str]]]:
    """Each inline script of ``text`` that calls ``document.write``: what it writes, and the
    variables it sets to strings (Wuhan's rows keep their 文号 in ``FILENUM`` and never write it)."""
    found = []
    for attributes, code in _SCRIPT_BLOCK_RE.findall(text):
        if re.search(r"\bsrc\s*=", attributes, re.I) or not re.search(r"document\s*\.\s*write", code):
            continue
        found.append(read_script(code))
    return found


def read_script(code: str) -> tuple[str, dict[str, str]]:
    """``(written, variables)``: what one script's ``document.write`` calls write, in order, and the
    string each variable it sets last holds."""
    variables: dict[str, str] = {}
    written: list[str] = []
    at = 0
    while (event := _EVENT_RE.search(code, at)) is not None:
        at = event.end()
        if event.group("write"):
            value, end = _concatenation(code, at, variables)
            written.append(value)
            at = max(at, end)
        elif event.group("assign"):
            name = event.group("target")
            value, end = _concatenation(code, at, variables)
            if end > at:
                variables[name] = value
                at = end
    return "".join(written), variables


def _concatenation(code: str, at: int, variables: dict[str, str]) -> tuple[str, int]:
    """The value of ``term + term + …`` starting at ``at`` and where it ends; a name reads as the
    string it was last set to (empty when unknown), a method call on it (``title.substr(0, 30)``)
    as the name itself."""
    parts: list[str] = []
    end = at
    while (term := _TERM_RE.match(code, end)) is not None:
        end = term.end()
        if term.group("string"):
            parts.append(_unescape(term.group("string")[1:-1]))
        elif term.group("number"):
            parts.append(term.group("number"))
        else:
            parts.append(variables.get(term.group("name"), ""))
            end = _skip_member_calls(code, end)
        plus = _PLUS_RE.match(code, end)
        if plus is None:
            break
        end = plus.end()
    return "".join(parts), end


def _skip_member_calls(code: str, at: int) -> int:
    """Past ``.name(…)`` / ``.name`` chains after a variable."""
    while (member := _MEMBER_RE.match(code, at)) is not None:
        at = member.end()
        if (call := _CALL_RE.match(code, at)) is not None:
            depth, at = 1, call.end()
            while at < len(code) and depth:
                depth += {"(": 1, ")": -1}.get(code[at], 0)
                at += 1
    return at


def _unescape(literal: str) -> str:
    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _SIMPLE_ESCAPES.get(escape, escape)

    return _ESCAPE_RE.sub(one, literal)

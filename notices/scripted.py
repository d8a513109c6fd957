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

"""Markup and values a page writes with inline scripts, read without running them."""

from __future__ import annotations

import pytest

from notices.scripted import with_written_markup, written_markup

CASES = [
    pytest.param(
        'var url = "./a.html"; var t = \'标题\'; document.writeln("<a href=" + url + ">" + t + "</a>");',
        "<a href=./a.html>标题</a>",
        id="variables-concatenated",
    ),
    pytest.param(
        'var t = "短"; if (x) { t = "完整的标题"; } document.write(t);',
        "完整的标题",
        id="last-assignment-wins",
    ),
    pytest.param("document.write(unknown + '!');", "!", id="unknown-name-reads-empty"),
    pytest.param('var t = "\\u6807\\u9898\\"q\\""; document.write(t);', '标题"q"', id="escapes"),
    pytest.param(
        'var a = "x = 1"; // document.write("no")\n/* document.write("no") */ document.write(a);',
        "x = 1",
        id="strings-and-comments-are-not-code",
    ),
    pytest.param(
        'var t = "长长的标题"; if (t == "a") {} document.write(t.substr(0, 2) + "|");',
        "长长的标题|",
        id="method-call",
    ),
    pytest.param('var n = 3; document.write("共" + n + "页");', "共3页", id="number"),
]


@pytest.mark.parametrize(("code", "written"), CASES)
def test_written_markup(code: str, written: str) -> None:
    assert written_markup(code) == written


def test_only_scripts_that_write_are_replaced() -> None:
    page = (
        '<p>a</p><script src="x.js">document.write("no")</script>'
        '<script>var q = 1;</script><script type="text/javascript">document.write("<b>yes</b>")</script>'
    )
    assert with_written_markup(page) == (
        '<p>a</p><script src="x.js">document.write("no")</script><script>var q = 1;</script><b>yes</b>'
    )
    assert with_written_markup("<p>document.write is mentioned in text only</p>") is None

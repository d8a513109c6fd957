"""Pathological nesting kept within bounds before a page is parsed.

Templates that never close a ``<font>`` or ``<span>`` nest every later element one level deeper.
libxml2 stops building the tree at 2,048 levels (256 without ``huge_tree``) and drops the rest of
the page, and every walk over a chain of nested elements costs its depth for each of them. A real
page nests a few dozen levels (22 at most in tests/fixtures/pages), so a tree deeper than
:data:`MAX_DEPTH` is rebuilt from its text with the elements past :data:`KEPT_BLOCKS` open blocks
or :data:`KEPT_INLINE` open inline elements left out: their tags are dropped (a block tag becomes a
``<br>``, so lines still break where they did) and their text is kept. Blocks and inline elements
are counted apart, so the page's own structure after a chain of unclosed ``<font>`` (its headings,
its body container, its tables) is kept whole. One pass over the tags, linear in the page.
"""

from __future__ import annotations

import re

MAX_DEPTH = 256  # a tree deeper than this is rebuilt
KEPT_BLOCKS = 64  # open block elements kept when it is (real pages nest 22 at most in the fixtures)
KEPT_INLINE = 32  # open inline elements kept: every element of a chain costs the whole chain

_TOKEN_RE = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(?P<raw>script|style|textarea|title|xmp|plaintext)\b[^>]*>.*?(?:</(?P=raw)\s*>|\Z)"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9:\-]*)(?P<rest>[^>]*)>",
    re.S | re.I,
)
_VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "img",
        "input",
        "isindex",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "spacer",
        "track",
        "wbr",
    ]
)
# Elements that open a block of their own (a <p> cannot hold them): the one list of block tags.
# notices.html adds the void line breakers <br> and <hr> to it for reading text.
BLOCK_ELEMENTS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_STRUCTURE = BLOCK_ELEMENTS | {"html", "head", "body"}
# Elements a new start tag closes when they are the innermost open one (HTML's implied end tags).
_CLOSED_BY: dict[str, frozenset[str]] = {
    "p": BLOCK_ELEMENTS,
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "tr": frozenset({"tr", "tbody", "thead", "tfoot"}),
    "td": frozenset({"td", "th", "tr", "tbody", "thead", "tfoot"}),
    "th": frozenset({"td", "th", "tr", "tbody", "thead", "tfoot"}),
    "option": frozenset({"option", "optgroup"}),
}

# libxml2's end-tag priorities (htmlEndPriority); every other element ranks 100.
_END_RANK = {
    "div": 150,
    "td": 160,
    "th": 160,
    "tr": 170,
    "thead": 180,
    "tbody": 180,
    "tfoot": 180,
    "table": 190,
    "head": 200,
    "body": 200,
    "html": 220,
}


def limit_nesting(text: str, max_blocks: int = KEPT_BLOCKS, max_inline: int = KEPT_INLINE) -> str:
    """``text`` with the tags that would open more than ``max_blocks`` blocks or ``max_inline``
    inline elements at once left out.

    The open elements are tracked the way an HTML parser tracks them, near enough (void elements,
    implied end tags, stray end tags ignored); an end tag whose start tag was left out goes too.
    Text is never removed. Returns ``text`` itself when nothing is that deep.
    """
    stack: list[str] = []
    inline_open = 0
    open_count: dict[str, int] = {}
    # Tags left out, by the number of elements open when they were: closing an element closes
    # what was left out inside it too, so their end tags must not be taken for later ones.
    dropped: dict[int, dict[str, int]] = {}
    pieces: list[str] = []
    copied = 0
    broke = False  # the last dropped tag became a <br> and no text came since

    def pop() -> None:
        nonlocal inline_open
        dropped.pop(len(stack), None)
        top = stack.pop()
        open_count[top] -= 1
        inline_open -= top not in _STRUCTURE

    for token in _TOKEN_RE.finditer(text):
        name = (token.group("name") or "").lower()
        if not name or name in _VOID or token.group("rest").rstrip().endswith("/"):
            continue
        inside = dropped.get(len(stack))
        if token.group("close"):
            if inside and inside.get(name):
                inside[name] -= 1
            else:
                if open_count.get(name) and _closes(stack, name):
                    while stack and stack[-1] != name:
                        pop()
                    pop()
                continue
        else:
            while stack and name in _CLOSED_BY.get(stack[-1], ()):
                pop()
            inline = name not in _STRUCTURE
            if (inline_open < max_inline) if inline else (len(stack) - inline_open < max_blocks):
                stack.append(name)
                open_count[name] = open_count.get(name, 0) + 1
                inline_open += inline
                continue
            level = dropped.setdefault(len(stack), {})
            level[name] = level.get(name, 0) + 1
        between = text[copied : token.start()]
        pieces.append(between)
        # One break for a run of dropped blocks with nothing but space between them.
        if name in BLOCK_ELEMENTS and (between.strip() or not broke):
            pieces.append("<br>")
            broke = True
        elif between.strip():
            broke = False
        copied = token.end()
    if not pieces:
        return text
    pieces.append(text[copied:])
    return "".join(pieces)


def _closes(stack: list[str], name: str) -> bool:
    """Whether an end tag closes its element: not through an element that outranks it (an inline
    ``</font>`` never closes an open ``<div>``), as libxml2 decides."""
    rank = _END_RANK.get(name, 100)
    for open_name in reversed(stack):
        if open_name == name:
            return True
        if _END_RANK.get(open_name, 100) > rank:
            return False
    return False


def without_markup(text: str) -> str:
    """The last resort for nesting :func:`limit_nesting` could not bound: every tag out (a block
    tag becomes a ``<br>``), comments and scripts kept as they were."""

    def replace(token: re.Match[str]) -> str:
        name = (token.group("name") or "").lower()
        if not name:
            return token.group(0)
        return "<br>" if name in BLOCK_ELEMENTS or name == "br" else ""

    return _TOKEN_RE.sub(replace, text)

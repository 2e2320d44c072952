"""Visible text of an HTML policy, in time and memory linear in the input.

Contract: :func:`html_to_text` returns the document's visible text with block elements on their own lines and
table cells separated by `` | ``; ``<script>``, ``<style>``, ``<nav>``, headers/footers and navigation roles are
dropped; character references are decoded. It never raises on any string except :class:`PolicyTooLarge` (one
line) when the document has more than ``max_nodes`` elements and :class:`PolicyTimeout` at the deadline.

Why not :mod:`html.parser`: on Python 3.11 it rescans unterminated constructs (``<a<a<a…``, ``<!--<!--…``,
``<a b='<a b='…``) and runs in quadratic time (minutes for 100 KB). This scanner moves forward only: every
construct is located with ``str.find`` or one compiled character-class search from the current position, and an
unterminated construct swallows the rest of the document as a browser does (HTML's tokenizer rules, simplified).
Unmatched end tags cost O(1) (open tags are counted per name), so memory is bounded by the node limit.
"""

from __future__ import annotations

import html as _html
import re

from appwarden.policy.deadline import NO_DEADLINE, Deadline, PolicyTooLarge
from appwarden.policy.textmatch import ascii_lower

MAX_HTML_NODES = (
    500_000  # start tags; real policies have a few thousand, a Word export some tens of thousands
)

SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "nav",
        "noscript",
        "template",
        "svg",
        "head",
        "iframe",
        "button",
        "form",
        "select",
        "footer",
    ]
)
SKIP_ROLES = frozenset(("navigation", "banner", "contentinfo"))
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "blockquote",
        "pre",
        "dt",
        "dd",
        "dl",
        "hr",
        "main",
        "aside",
        "title",
    ]
)
VOID_TAGS = frozenset(
    ["br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"]
)
RAW_TEXT_TAGS = frozenset(("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"))

_TAG_NAME_END = re.compile(r"[\s/>]")
_TAG_STOP = re.compile(r"[>\"'=]")
_ROLE = re.compile(
    r"""\brole\s*=\s*["']?\s*([a-z]+)"""
)  # in the lower-cased attribute text; linear (one pass)


def html_to_text(doc: str, *, max_nodes: int = MAX_HTML_NODES, deadline: Deadline = NO_DEADLINE) -> str:
    """See the module docstring."""
    low = ascii_lower(doc)
    n = len(doc)
    parts: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, skipping)
    open_count: dict[str, int] = {}
    skip_depth = 0
    nodes = 0
    i = 0
    while i < n:
        deadline.tick(256)
        lt = doc.find("<", i)
        if lt < 0:
            lt = n
        if lt > i and skip_depth <= 0:
            parts.append(doc[i:lt])
        if lt >= n - 1:
            if lt == n - 1 and skip_depth <= 0:
                parts.append("<")
            break
        nxt = doc[lt + 1]
        if doc.startswith("!--", lt + 1):  # comment: to the next -->, or the end
            end = doc.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if nxt in "!?":  # doctype, CDATA, processing instruction: to the next >
            end = doc.find(">", lt + 2)
            i = n if end < 0 else end + 1
            continue
        closing = nxt == "/"
        name_start = lt + 2 if closing else lt + 1
        if name_start >= n or not doc[name_start].isascii() or not doc[name_start].isalpha():
            if skip_depth <= 0:
                parts.append("<")  # a literal "<"
            i = lt + 1
            continue
        m = _TAG_NAME_END.search(doc, name_start)
        name_end = m.start() if m else n
        tag = low[name_start:name_end]
        tag_end = _find_tag_end(doc, name_end)
        if tag_end < 0:
            break  # unterminated tag: the rest of the document is inside it
        i = tag_end + 1
        if closing:
            skip_depth = _close(tag, stack, open_count, skip_depth, parts)
            continue
        nodes += 1
        if nodes > max_nodes:
            raise PolicyTooLarge(f"HTML policy has more than {max_nodes} elements (node limit); not analysed")
        if tag in VOID_TAGS:
            if tag in ("br", "hr") and skip_depth <= 0:
                parts.append("\n")
            continue
        role = _ROLE.search(low, name_end, tag_end) if "role" in low[name_end:tag_end] else None
        skipping = tag in SKIP_TAGS or (role is not None and role.group(1) in SKIP_ROLES)
        self_closing = doc[tag_end - 1] == "/" and tag_end - 1 >= name_end
        if tag in BLOCK_TAGS and skip_depth <= 0:
            parts.append("\n")
        elif tag in ("td", "th") and skip_depth <= 0:
            parts.append(" | ")
        if self_closing:
            continue
        if tag in RAW_TEXT_TAGS:  # raw text up to the matching end tag: no markup inside
            end = low.find("</" + tag, i)
            if end < 0:
                end = n
            if not skipping and skip_depth <= 0:
                parts.append(_html.unescape(doc[i:end]) if tag in ("textarea", "title") else doc[i:end])
            if tag in BLOCK_TAGS and skip_depth <= 0:
                parts.append("\n")
            close = doc.find(">", end)
            i = n if close < 0 else close + 1
            continue
        stack.append((tag, skipping))
        open_count[tag] = open_count.get(tag, 0) + 1
        if skipping:
            skip_depth += 1
    text = "".join(parts)
    return _html.unescape(text) if "&" in text else text


def _find_tag_end(doc: str, j: int) -> int:
    """Index of the ``>`` closing the tag whose attributes start at ``j`` (quoted values may hold ``>``); -1 when
    the tag is not terminated. Moves forward only."""
    n = len(doc)
    while True:
        m = _TAG_STOP.search(doc, j)
        if m is None:
            return -1
        c = m.group()
        if c == ">":
            return m.start()
        if c == "=":
            k = m.end()
            while k < n and doc[k] in " \t\n\r\f":
                k += 1
            if k < n and doc[k] in "\"'":
                q = doc.find(doc[k], k + 1)
                if q < 0:
                    return -1
                j = q + 1
            else:
                j = k
        else:
            j = m.end()  # a stray quote in an attribute name


def _close(
    tag: str, stack: list[tuple[str, bool]], open_count: dict[str, int], skip_depth: int, parts: list[str]
) -> int:
    """Pop ``tag`` and the unclosed tags above it (as browsers do); an end tag nothing opened is ignored in O(1).
    Returns the new skip depth."""
    if open_count.get(tag, 0) > 0:
        while stack:
            top, skipping = stack.pop()
            open_count[top] -= 1
            if skipping:
                skip_depth -= 1
            if top == tag:
                break
    if tag in BLOCK_TAGS and skip_depth <= 0:
        parts.append("\n")
    return skip_depth

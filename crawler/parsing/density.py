"""A site-agnostic body finder over the lxml tree: text density and punctuation density.

The idea is the published one behind GeneralNewsExtractor (Hong Kong Polytechnic's 2018 paper
"基于文本及符号密度的网页正文提取方法"): the article is the node whose text is dense (many characters
per tag, few of them inside links) and full of sentence punctuation, while menus, recommendation
lists and footers are link-heavy and punctuation-poor. Written here from that description; it is one
of the candidates `article.py` compares, never trusted alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lxml import etree, html

# never part of an article's text (not <form>: some CMSs wrap the whole page in one)
_DROP = (
    "script", "style", "noscript", "iframe", "textarea", "select", "button", "input", "nav",
    "footer", "aside", "svg", "template", "head", "object", "embed", "canvas", "video", "audio",
)  # fmt: skip
_BLOCK = frozenset(
    ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
     "article", "blockquote", "pre", "dd", "dt", "dl", "figcaption", "figure", "header", "center")
)  # fmt: skip
_PUNCT = frozenset("，。！？；：、“”‘’（）《》…,.!?;:\"'")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u200b]+")


@dataclass
class _Stats:
    chars: int = 0  # non-space characters
    link_chars: int = 0
    tags: int = 1
    link_tags: int = 0
    punct: int = 0
    link_punct: int = 0
    paragraphs: int = 0


def parse_tree(page: str) -> html.HtmlElement | None:
    """The page as an lxml tree (a str with an XML encoding declaration is handled), or None."""
    if not page.strip():
        return None
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return html.document_fromstring(page.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _count(text: str | None) -> tuple[int, int]:
    if not text:
        return 0, 0
    stripped = "".join(text.split())
    return len(stripped), sum(c in _PUNCT for c in stripped)


def prune(root: html.HtmlElement) -> None:
    etree.strip_elements(root, *_DROP, etree.Comment, with_tail=False)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        style = el.get("style") or ""
        if el.get("hidden") is not None or _HIDDEN.search(style):
            el.drop_tree()


def best_node(root: html.HtmlElement) -> html.HtmlElement | None:
    """The element scoring highest on text density x punctuation x paragraph count."""
    stats: dict[html.HtmlElement, _Stats] = {}
    for el in reversed(list(root.iter())):
        if not isinstance(el.tag, str):
            continue
        s = stats.setdefault(el, _Stats())
        own, own_punct = _count(el.text)
        s.chars += own
        s.punct += own_punct
        for child in el:
            tail, tail_punct = _count(child.tail)
            s.chars += tail
            s.punct += tail_punct
            cs = stats.get(child)
            if cs is None:
                continue
            s.chars += cs.chars
            s.link_chars += cs.link_chars
            s.tags += cs.tags
            s.link_tags += cs.link_tags
            s.punct += cs.punct
            s.link_punct += cs.link_punct
            s.paragraphs += cs.paragraphs
        if el.tag == "a":
            s.link_chars, s.link_tags, s.link_punct = s.chars, s.tags, s.punct
        if el.tag == "p" or (el.tag == "br" and s.chars == 0):
            s.paragraphs += 1
    scored: list[tuple[float, int, html.HtmlElement]] = []
    for el, s in stats.items():
        if el.tag in ("html", "body", "a") or s.chars < 40:
            continue
        plain = s.chars - s.link_chars
        if plain <= 0:
            continue
        # sentence punctuation outside links, discounted by how much of the node is links and by
        # low text density (tag soup): a node holding the article scores its sentences, a page-wide
        # wrapper scores them too but carries menus and lists that pull it down.
        density = plain / max(s.tags - s.link_tags, 1)
        score = (s.punct - s.link_punct + 1) * (plain / s.chars) ** 2 * math.log(2 + density)
        scored.append((score, s.chars, el))
    if not scored:
        return None
    top = max(score for score, _, _ in scored)
    # the tightest node that still holds nearly all of the best score: the article, not its wrapper
    return min((c for c in scored if c[0] >= 0.85 * top), key=lambda c: c[1])[2]


def node_text(el: html.HtmlElement) -> str:
    """Text of `el`, one line per block element (paragraphs, list items, line breaks)."""
    parts: list[str] = []

    def walk(node: html.HtmlElement) -> None:
        block = isinstance(node.tag, str) and node.tag in _BLOCK
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(el)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


"""Text normalisation: one canonical form for every text the analysis sees.

Crawled text is untrusted and arrives as Weibo HTML, article bodies or forum posts, in
full-width or half-width, Simplified or Traditional. Everything downstream (the model,
watch expressions, dedup, release linking) reads the output of `normalise`, and the
training corpora pass through the same function, so the model sees what it was taught on.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

# Weibo emoticons: `[怒]`, `[doge]`, `[哈哈]` — kept whole, they carry sentiment.
EMOTICON_RE = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,8}\]")
_IMG_ALT_RE = re.compile(r"<img\b[^>]*?\balt=[\"']?(\[[^\]\"'<>]{1,10}\])[^>]*>", re.IGNORECASE)
_BREAK_RE = re.compile(r"<\s*(br|/p|/div|p|div|li)\b[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_URL_RE = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# `//@某人:` repost chains and `@某人` mentions: the handle is noise, the text stays.
_MENTION_RE = re.compile(r"(?://)?@[\w\u4e00-\u9fff\-]{1,30}[:：]?")
_SPACE_RE = re.compile(r"[ \t\u00a0\u3000]+")
_LINES_RE = re.compile(r"\s*\n\s*")

# Full-width ASCII (！ to ～) folds onto ASCII; the ideographic space onto a space.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters that only Traditional text uses (from OpenCC's TS table)."""
    import opencc

    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        if len(trad) == 1 and trad not in simp.split():
            chars.add(trad)
    return frozenset(chars)


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def strip_html(text: str) -> str:
    """Plain text from markup, keeping emoticon images as their `[名称]` alt text."""
    if "<" not in text and "&" not in text:
        return text
    text = _SCRIPT_RE.sub(" ", text)
    text = _IMG_ALT_RE.sub(r"\1", text)
    text = _BREAK_RE.sub("\n", text)
    text = _TAG_RE.sub(" ", text)
    return html.unescape(text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified; skips the (slow) converter when no Traditional character occurs."""
    if _traditional_chars().isdisjoint(text):
        return text
    return _converter().convert(text)


def normalise(text: str | None) -> str:
    """Canonical plain text: no markup, URLs or @handles, half-width ASCII, Simplified, tidy spaces."""
    if not text:
        return ""
    text = strip_html(text)
    text = text.translate(_WIDTH_TABLE)
    text = _URL_RE.sub(" ", text)
    text = _MENTION_RE.sub(" ", text)
    text = to_simplified(text)
    text = _SPACE_RE.sub(" ", text)
    return _LINES_RE.sub("\n", text).strip()


def emoticons(text: str) -> list[str]:
    """The Weibo emoticons in a normalised text, in order."""
    return EMOTICON_RE.findall(text)


def strip_emoticons(text: str) -> str:
    """The text without its emoticons (to evaluate the model on what news and forums look like)."""
    return _SPACE_RE.sub(" ", EMOTICON_RE.sub(" ", text)).strip()

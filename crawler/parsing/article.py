"""News article pages -> title, body, publication time, publisher (来源), author.

The body is chosen among candidates, because no single extractor is right on every portal:
trafilatura with precision (clean, but on some templates it returns a sidebar or a fraction),
trafilatura's defaults and its recall mode, and a text/punctuation-density finder over the lxml tree
(`density.py`). Each candidate loses its boilerplate (`boilerplate.py`: recommendation and comment
sections, disclaimers, share prompts, editor credits) and is scored by the prose it still holds; the
best wins and its name is recorded (`Article.method`). Publisher and author come from structured
metadata first (`byline.py`), the date from metadata, the text near the title, the URL, then
htmldate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from lxml import html as lxml_html

from yuqing.crawler.parsing import boilerplate, byline
from yuqing.crawler.parsing.density import best_node, node_text, parse_tree, prune
from yuqing.crawler.parsing.times import parse_time

# candidates in order of preference when their scores are close (the cleaner first)
METHODS = ("trafilatura_precision", "trafilatura", "density", "trafilatura_recall", "embedded")
_CLOSE = 0.97  # within 3% of the best score a cleaner candidate is preferred


class ArticleError(ValueError):
    """No article text could be extracted."""


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str
    published_at: datetime | None
    published_raw: str | None
    publisher: str | None  # 来源, else the site name
    author: str | None
    canonical_url: str | None
    method: str = ""  # which candidate gave the body (METHODS)
    scores: dict[str, int] = field(default_factory=dict)  # prose characters per candidate


# trafilatura's own date search (htmldate, then dateparser over every locale) took 70 % of an
# extraction, and its answer is never read: publication_date reads the page's own forms.
_NO_DATE_SEARCH = {"extensive_search": False, "original_date": False}


def _traf(page: str, url: str, *, with_metadata: bool = False, **options: Any) -> Any:
    """trafilatura's document with `options`; comments are never the body. Metadata (title, site,
    author, address) only when asked for, and then without its date search."""
    return trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=with_metadata,
        date_extraction_params=_NO_DATE_SEARCH,
        include_comments=False,
        fast=True,
        **options,
    )


def body_candidates(page: str, url: str, root: lxml_html.HtmlElement | None) -> tuple[dict[str, str], Any]:
    """Raw text of every candidate (METHODS), and trafilatura's precision document (its metadata).

    `root` is the page's tree already pruned (density.prune): the density finder reads it.
    """
    precise = _traf(page, url, with_metadata=True, favor_precision=True)
    texts = {
        "trafilatura_precision": (precise.text if precise is not None else "") or "",
        "trafilatura": getattr(_traf(page, url), "text", "") or "",
        "trafilatura_recall": getattr(_traf(page, url, favor_recall=True), "text", "") or "",
        "density": "",
    }
    if root is not None:
        el = best_node(root)
        texts["density"] = node_text(el) if el is not None else ""
    texts["embedded"] = embedded_text(page)
    return texts, precise


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_JSON_START = re.compile(r"^[^{\[]{0,80}?=\s*(?=[{\[])|^\s*(?=[{\[])")
_PARAGRAPHS = re.compile(r"<p[\s>]", re.I)


def embedded_text(page: str) -> str:
    """The article a script carries as data (Next.js `__NEXT_DATA__`, `window.__INITIAL_STATE__ = {…}`,
    JSON-LD `articleBody`): the longest string value holding HTML paragraphs, or the longest
    articleBody, as text. Pages that render their body in the browser hold nothing else."""
    best = ""
    for m in _SCRIPT.finditer(page):
        code = m.group(1).strip().rstrip(";")
        start = _JSON_START.match(code)
        if start is None or len(code) < 200:
            continue
        try:
            data = json.loads(code[start.end() :])
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(node.values())
                body = node.get("articleBody")
                if isinstance(body, str) and len(body) > len(best):
                    best = body
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str) and len(node) > len(best) and len(_PARAGRAPHS.findall(node)) >= 2:
                best = node
    return unmarkup(best) if best else ""


def unmarkup(text: str) -> str:
    """Text whose lines are HTML (a body shipped escaped inside a script or a hidden field) as text."""
    if not boilerplate.has_markup(text):
        return text
    root = parse_tree(f"<html><body>{text}</body></html>")
    if root is None:
        return text
    prune(root)
    return node_text(root)


def choose_body(texts: dict[str, str]) -> tuple[str, str, dict[str, int]]:
    """(text, method, scores): the cleaned candidate holding the most prose."""
    cleaned = {m: boilerplate.clean(unmarkup(t)).text for m, t in texts.items()}
    scores = {m: boilerplate.prose_chars(t) for m, t in cleaned.items()}
    best = max(scores.values(), default=0)
    if best == 0:
        return "", "", scores
    method = next(m for m in METHODS if m in scores and scores[m] >= _CLOSE * best)
    return cleaned[method], method, scores


# -- title ---------------------------------------------------------------------------------------

_TITLE_SEP = re.compile(r"\s*(?:_|\||｜|::|\s[-—–]+|(?<!\d)[-—–](?!\d))\s*")


def page_title(root: lxml_html.HtmlElement | None, fallback: str | None) -> str | None:
    """The headline: an h1/h2/og:title that the <title> contains, else <title> without site suffixes."""
    if root is None:
        return fallback
    head = byline.squash(root.findtext(".//title"))
    og = [m.get("content") for m in root.iter("meta") if (m.get("property") or "").lower() == "og:title"]
    found = [byline.squash(el.text_content()) for el in root.iter("h1", "h2")]
    inside = [t for t in found if 4 <= len(t) <= 120 and head and t in head]
    if inside:
        return max(inside, key=len)
    text = byline.squash(og[0]) if og and og[0] else head or byline.squash(fallback)
    while True:  # drop trailing " - 站名", "_频道" while what stays is still a headline
        seps = list(_TITLE_SEP.finditer(text))
        last = seps[-1] if seps else None
        if last is None or len(text) - last.end() > 16 or last.start() < 6:
            break
        text = text[: last.start()].rstrip()
    return text or fallback


def _title_suffixes(root: lxml_html.HtmlElement) -> list[str]:
    """The site and channel names a <title> ends with ("…_网易财经" -> ["网易财经"])."""
    head = byline.squash(root.findtext(".//title"))
    return [p.strip() for p in _TITLE_SEP.split(head)[1:] if 0 < len(p.strip()) <= 16]


# -- dates ---------------------------------------------------------------------------------------

_META_DATE = (
    "firstpublishedtime", "publishdate", "pubdate", "publish_date", "publishtime", "publish-time",
    "article:published_time", "og:article:published_time", "og:release_date", "datepublished",
    "dc.date", "dc.date.issued", "date", "publication_date", "sailthru.date", "weibo:article:create_at",
)  # fmt: skip
_LABELLED_DATE = re.compile(
    r"(?:发布时间|發布時間|发表时间|發表時間|发布日期|發布日期|时间|時間|日期|发布于|发表于)\s*[：:]?\s*"
    r"(\d{2,4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
_PRINTED_DATE = re.compile(
    r"((?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
# blogs print English dates: "Dec 28 Sat 2013 00:28" (pixnet), "December 28, 2013 10:05"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ENGLISH_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?"
    r"(?:\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?)?\s+((?:19|20)\d{2})(?:,?\s+(\d{1,2}:\d{2}))?\b"
)


def _english_dates(text: str) -> list[str]:
    """"Dec 28 Sat 2013 00:28" -> "2013-12-28 00:28"."""
    return [
        f"{y}-{_MONTHS.index(mon.lower()) + 1:02d}-{int(d):02d}" + (f" {hm}" if hm else "")
        for mon, d, y, hm in _ENGLISH_DATE.findall(text)
    ]


_URL_DAY = re.compile(
    r"/(20\d{2})[/-]?(\d{2})[/-]?(\d{2})/|/t(20\d{2})(\d{2})(\d{2})_|/(20\d{2})-(\d{2})/(\d{2})/"
)


def _plausible(found: datetime | None, now: datetime, anchor: datetime | None) -> bool:
    """Not in the future, not before 1995, and within a year of the URL's day when there is one."""
    if found is None or found > now + timedelta(days=1) or found.year < 1995:
        return False
    return anchor is None or abs(found - anchor) <= timedelta(days=366)


def _url_day(url: str) -> datetime | None:
    if m := _URL_DAY.search(url):
        y, mo, d = (int(g) for g in m.groups() if g)
        try:
            return datetime(y, mo, d, tzinfo=UTC)
        except ValueError:
            return None
    return None


def publication_date(
    html: str, url: str, now: datetime, root: lxml_html.HtmlElement | None = None, near_title: str = ""
) -> str | None:
    """ "YYYY-MM-DD HH:MM:SS" in Beijing time (00:00:00 when only the day is known), or None.

    Metadata (meta tags incl. gov.cn's `firstpublishedtime`), then a labelled date near the title
    (发布时间：18-03-08), then the first date printed near the title, then the URL's day, then
    htmldate. A date in the future, or more than a year off the URL's own, is never taken.
    """
    anchor = _url_day(url)
    raws: list[str] = []
    if root is not None:
        for meta in root.iter("meta"):
            key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
            if key in _META_DATE and meta.get("content"):
                raws.append(meta.get("content", "").strip())
        raws += [t.get("datetime", "") for t in root.iter("time") if t.get("datetime")]
    raws += [m.group(1) for m in _LABELLED_DATE.finditer(near_title)]
    raws += [m.group(1) for m in _PRINTED_DATE.finditer(near_title)]
    raws += _english_dates(near_title)
    parsed = ((parse_time(re.sub(r"\s+", " ", raw).strip(), now), raw) for raw in raws)
    dated = [(f, raw) for f, raw in parsed if f is not None and _plausible(f, now, anchor)]
    if dated:
        found, raw = dated[0]
        day = _beijing(found, raw)
        if day.endswith("00:00:00"):  # the metadata gave the day; the page may print its time
            timed = [_beijing(f, r) for f, r in dated[1:] if re.search(r"\d{1,2}:\d{2}", r)]
            day = next((t for t in timed if t[:10] == day[:10]), day)
        return day
    common = {
        "outputformat": "%Y-%m-%d %H:%M:%S",
        "original_date": True,
        "min_date": "1995-01-01",
        "max_date": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
    }
    if anchor is not None:
        return anchor.strftime("%Y-%m-%d 00:00:00")
    for extensive in (False, True):
        day = find_date(html, url=url, extensive_search=extensive, **common)
        if day:
            return day
    return None


def _beijing(found: datetime, raw: str) -> str:
    from yuqing.clock import SHANGHAI

    local = found.astimezone(SHANGHAI)
    has_time = re.search(r"\d{1,2}:\d{2}", raw)
    return local.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d 00:00:00")


# -- the article ---------------------------------------------------------------------------------


def _near_title(visible: str, title: str | None) -> str:
    """The visible text from just before the headline to about 800 characters after it."""
    if title:
        for probe in (title, title[:12]):
            pos = visible.find(probe)
            if pos >= 0:
                return visible[max(0, pos - 200) : pos + len(probe) + 800]
    return visible[:1500]


def _after_body(visible: str, body: str) -> str:
    """The visible text just after the body's last line (本文来源：… 作者：… credits sit there)."""
    lines = [line for line in body.splitlines() if len(line) >= 6]
    if not lines:
        return ""
    pos = visible.find(lines[-1])
    return visible[pos + len(lines[-1]) : pos + len(lines[-1]) + 300] if pos >= 0 else ""


def extract_article(html: str, url: str, *, now: datetime) -> Article:
    """Raises ArticleError when the page holds no readable text."""
    root = parse_tree(html)
    pruned = parse_tree(html)
    if pruned is not None:
        prune(pruned)
    texts, precise = body_candidates(html, url, pruned)
    title = page_title(root, getattr(precise, "title", None))
    text, method, scores = choose_body(texts)
    if not text.strip():
        raise ArticleError("正文为空或无法解析")
    visible = node_text(pruned) if pruned is not None else ""
    near = _near_title(visible, title)
    raw_date = publication_date(html, url, now, root, near)
    published = parse_time(raw_date, now) if raw_date else None
    if root is not None:
        publisher = byline.publisher(root, near, getattr(precise, "sitename", None), _title_suffixes(root))
        host = urlsplit(url).hostname or ""
        site_names = [publisher, getattr(precise, "sitename", None), host, *_title_suffixes(root)]
        author = byline.author(
            root, near, text + "\n" + _after_body(visible, text), getattr(precise, "author", None),
            not_names=site_names,
        )
        if author and publisher and author == publisher:
            author = None
    else:
        publisher = author = None
    canonical = getattr(precise, "url", None)
    return Article(
        title=title,
        text=text,
        published_at=published.astimezone(UTC) if published else None,
        published_raw=raw_date,
        publisher=publisher,
        author=author,
        canonical_url=canonical if canonical and canonical != url else None,
        method=method,
        scores=scores,
    )

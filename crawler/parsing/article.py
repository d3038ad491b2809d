"""News article pages -> title, body, publication time, source line, author.

trafilatura extracts the body and metadata, htmldate the publication time (meta tags, <time>, the
date in the URL). Only the 来源 line, which neither library knows, is read with one pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import trafilatura
from htmldate import find_date

from crawler.parsing.times import parse_time

_SOURCE_LINE = re.compile(r"来源[：:]\s*([^\s　|｜/<>\"'，,]{2,30})")
_AUTHOR_LINE = re.compile(r"(?:作者|记者|编辑)[：:]\s*([^\s　|｜/<>\"'，,]{2,20})")


_URL_DAY = re.compile(r"/(20\d{2})[/-]?(\d{2})[/-]?(\d{2})/|/t(20\d{2})(\d{2})(\d{2})_")


def publication_date(html: str, url: str, now: datetime) -> str | None:
    """ "YYYY-MM-DD HH:MM:SS" (time 00:00:00 when only the day is known), or None.

    Markup first (meta tags, <time>: htmldate), then the date in the URL path (/2026/1120/,
    t20261120_), then htmldate's search of the text; the day is completed with a time printed
    next to it on the page ("2026年11月20日 10:05").
    """
    common = {
        "outputformat": "%Y-%m-%d %H:%M:%S",
        "original_date": True,
        "min_date": "2000-01-01",
        "max_date": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
    }
    day = find_date(html, url=None, extensive_search=False, **common)
    if day is None and (m := _URL_DAY.search(url)):
        y, mo, d = (g for g in m.groups() if g)
        day = f"{y}-{mo}-{d} 00:00:00"
    if day is None:
        day = find_date(html, url=url, extensive_search=True, **common)
    if day and day.endswith("00:00:00"):
        y, mo, d = day[:10].split("-")
        printed = re.search(
            rf"{y}\s*[-/年.]\s*0?{int(mo)}\s*[-/月.]\s*0?{int(d)}\s*日?\s*(\d{{1,2}}:\d{{2}})", html
        )
        if printed:
            day = f"{day[:10]} {printed.group(1)}:00"
    return day


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


def extract_article(html: str, url: str, *, now: datetime) -> Article:
    """Raises ArticleError when the page holds no readable text."""
    # precision keeps site menus and breadcrumbs out of the body; recall is the fallback for pages
    # where that leaves nothing. fast: no readability/jusText passes (3x cheaper).
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True, fast=True)
    if doc is None or not (doc.text or "").strip():
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=True, fast=True)
    text = (doc.text if doc is not None else "") or ""
    if not text.strip():
        raise ArticleError("正文为空或无法解析")
    raw_date = publication_date(html, url, now)
    published = parse_time(raw_date, now) if raw_date else None
    source = _SOURCE_LINE.search(html)
    author_line = _AUTHOR_LINE.search(html)
    return Article(
        title=doc.title if doc is not None else None,
        text=text,
        published_at=published.astimezone(UTC) if published else None,
        published_raw=raw_date,
        publisher=source.group(1) if source else (doc.sitename if doc is not None else None),
        author=(doc.author if doc is not None and doc.author else None)
        or (author_line.group(1) if author_line else None),
        canonical_url=doc.url if doc is not None and doc.url and doc.url != url else None,
    )

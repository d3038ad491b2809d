"""Article pages, shared by the feed and list-page news spiders."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response
from w3lib.url import canonicalize_url

from crawler.items import DocumentItem
from crawler.parsing.article import ArticleError, extract_article
from crawler.spiders.base import SourceSpider
from yuqing.clock import to_local
from yuqing.source_options import NewsRssOptions, NewsSiteOptions

log = logging.getLogger(__name__)


def article_key(url: str) -> str:
    """Dedup key of an article: its canonical URL (query sorted, fragment dropped)."""
    return canonicalize_url(url)[:500]


# why a link on a list page or in a feed is not followed (stats key suffix -> what people read)
SKIP_REASONS = {
    "empty": "链接为空",
    "javascript": "javascript: 伪链接",
    "scheme": "非 http(s) 链接（mailto:、tel:、data: 等）",
    "invalid": "无法解析的链接",
}


def link_target(base: str, href: str | None) -> tuple[str | None, str | None]:
    """(absolute http(s) URL, None) for a followable link, else (None, reason key of SKIP_REASONS)."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None, "empty"
    try:
        scheme = urlsplit(href).scheme.lower() if ":" in href.split("/", 1)[0] else ""
    except ValueError:
        return None, "invalid"
    if scheme == "javascript":
        return None, "javascript"
    if scheme and scheme not in ("http", "https"):
        return None, "scheme"
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None, "invalid"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, "invalid"
    return url, None


class ArticleSpider(SourceSpider):
    platform = "news"
    options: NewsRssOptions | NewsSiteOptions  # typed, validated when the configuration loads

    def article_request(self, url: str, hint: dict[str, Any]) -> Any:
        return self.request(url, self.parse_article, cb_kwargs={"hint": hint})

    def follow_link(self, base: str, href: str | None) -> str | None:
        """The URL to fetch for `href`, or None after counting why it is skipped (one bad link never
        costs the other items: stats `yuqing/skipped_links` and `yuqing/skipped_link/<reason>`)."""
        url, reason = link_target(base, href)
        if url is None:
            stats = self.crawler.stats
            stats.inc_value("yuqing/skipped_links")
            stats.inc_value(f"yuqing/skipped_link/{reason}")
        return url

    def skipped_reasons(self) -> str:
        """"javascript: 伪链接 2 个、链接为空 1 个" for this run so far ("" when none)."""
        stats = self.crawler.stats.get_stats()
        return "、".join(
            f"{label} {stats[f'yuqing/skipped_link/{key}']} 个"
            for key, label in SKIP_REASONS.items()
            if stats.get(f"yuqing/skipped_link/{key}")
        )

    def all_links_bad(self, response: Response, total: int, followed: int) -> Iterator[Any]:
        """A page whose every item had an unusable link stored nothing: say so, keep the page."""
        if total and not followed:
            why = self.skipped_reasons()
            yield self.quarantine(response, f"页面的 {total} 个条目链接都无法抓取（{why}）")

    def closed(self, reason: str) -> None:
        if skipped := self.crawler.stats.get_value("yuqing/skipped_links"):
            why = self.skipped_reasons()
            log.warning("来源 %s 跳过 %d 个无法抓取的链接：%s", self.source.name, skipped, why)

    def parse_article(self, response: Response, hint: dict[str, Any]) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        assert html is not None
        try:
            art = extract_article(html, response.url, now=self.crawl_time)
        except ArticleError as exc:
            yield self.quarantine(response, f"文章解析失败：{exc}")
            return
        except Exception as exc:  # a parser bug on odd markup must not stop the crawl
            yield self.quarantine(response, f"文章解析异常：{type(exc).__name__}: {exc}")
            return
        self.ok()
        published: datetime | None = art.published_at or hint.get("published_at")
        from_feed = hint.get("published_at")
        if art.published_at and from_feed and (art.published_raw or "").endswith("00:00:00") and (
            to_local(from_feed).date() == to_local(art.published_at).date()
        ):
            published = from_feed  # the page gave the day only; the feed has the time of that day
        yield DocumentItem(
            {
                "platform": "news",
                "dedup_key": hint.get("key") or article_key(response.url),
                "external_id": None,
                "url": response.url,
                "canonical_url": art.canonical_url or hint.get("url"),
                "title": art.title or hint.get("title"),
                "text": art.text,
                "author": (art.author or "")[:200] or None,
                "publisher": (art.publisher or self.options.publisher or "")[:200] or None,
                "published_at": published,
                "published_raw": (art.published_raw or hint.get("published_raw") or None),
                "extra": {
                    "feed_title": hint.get("title"),
                    "list_url": hint.get("list_url"),
                    "extract_method": art.method,  # which body candidate won (article.METHODS)
                    "extract_scores": art.scores,
                },
                "raw": html,
            }
        )

"""Article pages, shared by the feed and list-page news spiders."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from scrapy.http import Response
from w3lib.url import canonicalize_url

from yuqing.clock import to_local
from yuqing.crawler.items import DocumentItem
from yuqing.crawler.parsing.article import ArticleError, extract_article
from yuqing.crawler.spiders.base import SourceSpider
from yuqing.source_options import NewsRssOptions, NewsSiteOptions

log = logging.getLogger(__name__)


def article_key(url: str) -> str:
    """Dedup key of an article: its canonical URL (query sorted, fragment dropped)."""
    return canonicalize_url(url)[:500]


class ArticleSpider(SourceSpider):
    platform = "news"
    options: NewsRssOptions | NewsSiteOptions  # typed, validated when the configuration loads

    def article_request(self, url: str, hint: dict[str, Any]) -> Any:
        return self.request(url, self.parse_article, cb_kwargs={"hint": hint})

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

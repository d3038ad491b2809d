"""news_rss: RSS 2.0 and Atom feeds; each new item's article page is fetched and extracted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.http import Response

from yuqing.clock import SHANGHAI
from yuqing.crawler.parsing.feeds import parse_feed
from yuqing.crawler.parsing.times import parse_time
from yuqing.crawler.spiders.news import ArticleSpider, article_key


def feed_entries(xml: str) -> list[dict[str, str | None]]:
    """(link, title, date) of each RSS item or Atom entry that has a link. Raises ValueError if it is
    no feed. (The spider uses `parse_feed`, which also reports items it could not read.)"""
    return [{"link": e.link, "title": e.title, "date": e.date} for e in parse_feed(xml).entries if e.link]


class NewsRssSpider(ArticleSpider):
    name = "news_rss"

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(self.source.url, self.parse_feed)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        xml, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            feed = parse_feed(xml or "")
        except ValueError as exc:
            yield self.quarantine(response, f"订阅源解析失败：{exc}")
            return
        self.ok()
        if feed.recovered:
            self.crawler.stats.inc_value("yuqing/feed_recovered")
        if feed.problem:  # items lost to bad XML, or none at all: flagged, the raw feed kept
            self.crawler.stats.inc_value("yuqing/feed_items_lost", max(feed.declared - len(feed.entries), 0))
            yield self.quarantine(response, f"订阅源未能完整解析：{feed.problem}")
        followed = 0
        for entry in feed.entries:
            url = self.follow_link(response.url, entry.link)
            if url is None:
                continue
            followed += 1
            key = article_key(url)
            if not self.seen.add(key):
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            yield self.article_request(
                url,
                {
                    "key": key,
                    "title": entry.title,
                    "url": url,
                    "published_at": _feed_date(entry.date, self),
                    "published_raw": entry.date,
                },
            )
        yield from self.all_links_bad(response, len(feed.entries), followed)


def _feed_date(raw: str | None, spider: ArticleSpider) -> datetime | None:
    """RFC 822 (RSS), ISO 8601 (Atom), else the Chinese forms parse_time knows; aware UTC.

    A date without an offset is taken as Beijing time (the feeds read here are Chinese).
    """
    if not raw:
        return None
    text = raw.strip()
    found: datetime | None
    try:
        found = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            found = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return parse_time(text, spider.crawl_time)
    if found.tzinfo is None:
        found = found.replace(tzinfo=SHANGHAI)
    return found.astimezone(UTC)

"""news_rss: RSS 2.0 and Atom feeds; each new item's article page is fetched and extracted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from parsel import Selector
from scrapy.http import Response

from crawler.parsing.times import parse_time
from crawler.spiders.news import ArticleSpider, article_key
from yuqing.clock import SHANGHAI


def feed_entries(xml: str) -> list[dict[str, str | None]]:
    """(link, title, date) of each RSS item or Atom entry. Raises ValueError if it is no feed."""
    sel = Selector(text=xml, type="xml")
    sel.remove_namespaces()
    if not sel.xpath("/rss | /feed | /*[local-name()='RDF']"):
        raise ValueError("不是 RSS/Atom 订阅源")
    entries = []
    for item in sel.xpath("//item"):
        entries.append(
            {
                "link": (item.xpath("link/text()").get() or item.xpath("guid/text()").get() or "").strip(),
                "title": item.xpath("title/text()").get(),
                "date": item.xpath("pubDate/text()").get(),
            }
        )
    for entry in sel.xpath("//entry"):
        link = entry.xpath("link[@rel='alternate']/@href").get() or entry.xpath("link/@href").get() or ""
        entries.append(
            {
                "link": link.strip(),
                "title": entry.xpath("title/text()").get(),
                "date": entry.xpath("published/text()").get() or entry.xpath("updated/text()").get(),
            }
        )
    return [e for e in entries if e["link"]]


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
            entries = feed_entries(xml or "")
        except ValueError as exc:
            yield self.quarantine(response, f"订阅源解析失败：{exc}")
            return
        self.ok()
        for entry in entries:
            url = response.urljoin(entry["link"] or "")
            key = article_key(url)
            if not self.seen.add(key):
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            yield self.article_request(
                url,
                {
                    "key": key,
                    "title": entry["title"],
                    "url": url,
                    "published_at": _feed_date(entry["date"], self),
                    "published_raw": entry["date"],
                },
            )


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

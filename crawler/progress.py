"""Progress reports from inside a crawl: a callback receives the counters as they change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

ProgressCallback = Callable[[dict[str, Any]], None]


def counters(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures a person watching a crawl cares about, from Scrapy's stats."""
    return {
        "requests": stats.get("downloader/request_count", 0),
        "pages_ok": stats.get("yuqing/pages_ok", 0),
        "items": stats.get("item_scraped_count", 0),
        "stored": stats.get("yuqing/stored", 0),
        "duplicates": stats.get("yuqing/duplicates", 0),
        "skipped_known": stats.get("yuqing/skipped_known", 0),
        "quarantined": stats.get("yuqing/quarantined", 0),
        "errors": stats.get("yuqing/errors", 0),
        "blocked": stats.get("yuqing/blocked"),
    }


class ProgressExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.callback: ProgressCallback | None = crawler.settings.get("YUQING_PROGRESS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        ext = cls(crawler)
        if ext.callback is not None:
            crawler.signals.connect(ext.report, signal=signals.item_scraped)
            crawler.signals.connect(ext.report, signal=signals.response_received)
        return ext

    def report(self, *args: Any, **kwargs: Any) -> None:
        assert self.callback is not None
        self.callback(
            {
                "source": getattr(self.crawler.spider, "source", None) and self.crawler.spider.source.name,
                **counters(self.crawler.stats.get_stats()),
            }
        )

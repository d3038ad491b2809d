"""What every spider shares: its source, what it has seen, decoding, quarantine, errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from yuqing.clock import now
from yuqing.config import Settings, SourceConfig
from yuqing.crawler.items import QuarantineItem
from yuqing.crawler.links import SKIP_REASONS, link_target
from yuqing.crawler.parsing.charset import UndecodableError, decode_html
from yuqing.crawler.seen import Seen

log = logging.getLogger(__name__)

_SIZE_FIGURES = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")


def oversize_reason(failure: Failure) -> str | None:
    """Chinese reason when Scrapy refused a response for its size (DOWNLOAD_MAXSIZE), else None.

    Scrapy cancels a download whose Content-Length or received bytes pass the cap, and
    HttpCompressionMiddleware raises IgnoreRequest when a body decompresses beyond it (a gzip
    bomb); both would otherwise read as a plain error or as "robots.txt 禁止抓取".
    """
    message = failure.getErrorMessage()
    if "during decompression" in message and "DOWNLOAD_MAXSIZE" in message:
        limit = re.search(r"DOWNLOAD_MAXSIZE \((\d+) B\)", message)
        return f"解压后超过大小上限（{limit.group(1) if limit else '?'} 字节），已拒收（疑似压缩炸弹）"
    if m := _SIZE_FIGURES.search(message):
        return f"响应大小 {m.group(1)} 字节，超过上限 {m.group(2)} 字节，已拒收"
    return None


class SourceSpider(scrapy.Spider):
    """A spider bound to one configured source (`source`), with the keys it already holds (`seen`)."""

    platform = ""

    def __init__(
        self, *, source: SourceConfig, source_id: int, app_settings: Settings, seen: Seen, **kwargs: Any
    ) -> None:
        super().__init__(name=self.name, **kwargs)
        self.source, self.source_id, self.app_settings, self.seen = source, source_id, app_settings, seen
        self.options = source.options
        self.started = now()
        self.cursor_updates: dict[str, dict[str, Any]] = {}
        self.refetched: list[int] = []  # quarantine ids requested again in this run

    @property
    def crawl_time(self) -> datetime:
        return self.started

    def cursor(self, key: str) -> dict[str, Any]:
        """This run's copy of a persisted cursor (saved by the pipeline when the spider closes)."""
        if key not in self.cursor_updates:
            stored = self.seen.cursors.get(key, {})
            self.cursor_updates[key] = {k: dict(v) if isinstance(v, dict) else v for k, v in stored.items()}
        return self.cursor_updates[key]

    def keywords(self) -> list[str]:
        """The source's keywords, then every watch topic's, without repeats."""
        words = list(self.source.keywords)
        for topic in self.app_settings.watch:
            words.extend(topic.keywords)
        return list(dict.fromkeys(w.strip() for w in words if w.strip()))

    def request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, **kwargs)

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

    # -- bad input -----------------------------------------------------------------------------

    def quarantine(self, response: Response, reason: str) -> QuarantineItem:
        """The response kept with `reason`, as fetched (its size is bounded by the source kind's
        DOWNLOAD_MAXSIZE: anything larger was refused and keeps no body at all)."""
        ctype = response.headers.get(b"Content-Type")
        return QuarantineItem(
            url=response.url,
            reason=reason,
            status_code=response.status,
            content_type=ctype.decode("latin-1") if ctype else None,
            body=bytes(response.body),
        )

    def text_of(self, response: Response) -> str:
        """Decoded body (wrong or missing charset corrected). Raises UndecodableError."""
        header = None
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if "charset=" in ctype:
            header = ctype.split("charset=", 1)[1].split(";")[0].strip()
        decoded = decode_html(bytes(response.body), header)
        if not decoded.trusted_declaration and decoded.declared:
            self.crawler.stats.inc_value("yuqing/charset_corrected")
        return decoded.text

    def ok(self) -> None:
        self.crawler.stats.inc_value("yuqing/pages_ok")

    def page_items(self, response: Response, *, held: int, read: int) -> Iterator[QuarantineItem]:
        """Count what a list or thread page held against what was read from it. A page that yields
        fewer items than it holds makes the run a warning (crawler.health.silent_loss) and is kept
        in the quarantine with that reason, for the parser to be fixed against it."""
        stats = self.crawler.stats
        stats.inc_value("yuqing/items_found", held)
        if read < held:
            why = f"页面有 {held} 条，只读出 {read} 条"
            stats.inc_value("yuqing/pages_short")
            stats.set_value("yuqing/last_error", f"{response.url} — {why}")
            yield self.quarantine(response, f"页面未能完整读取：{why}")

    def failed(self, failure: Failure) -> Iterator[QuarantineItem]:
        """A request that failed after retries: counted with its true reason; quarantined (with
        its response, if any) so that an admin sees it, and a transient failure (5xx,
        timeout, refused connection) is fetched again by a later crawl (crawler.seen.retry_time,
        crawler.middlewares.RefetchMiddleware)."""
        stats = self.crawler.stats
        request = failure.request  # type: ignore[attr-defined]
        too_big = oversize_reason(failure)
        ignored = failure.check(scrapy.exceptions.IgnoreRequest) and not failure.check(HttpError)
        if too_big is None and ignored:
            if stats.get_value("yuqing/blocked"):  # the block detector already stopped the crawl
                return
            if "robots.txt" in failure.getErrorMessage():
                stats.inc_value("yuqing/disallowed")
                stats.set_value("yuqing/last_error", f"robots.txt 禁止抓取：{request.url}")
                return
        stats.inc_value("yuqing/errors")
        message = too_big or f"{type(failure.value).__name__}: {failure.getErrorMessage()}"[:500]
        stats.set_value("yuqing/last_error", f"{request.url} — {message}")
        log.warning("请求失败 %s：%s", request.url, message)
        if too_big is not None:
            stats.inc_value("yuqing/oversize")
            yield QuarantineItem(url=request.url, reason=too_big, retry=False)
        elif failure.check(HttpError):
            response = failure.value.response
            retry = response.status >= 500 and self.refetchable(request)
            yield replace(self.quarantine(response, f"HTTP {response.status}"), retry=retry)
        elif self.refetchable(request):  # timeout, refused or reset connection: the reason is kept
            yield QuarantineItem(url=request.url, reason=f"请求失败：{message}", retry=True)
        yield from self.on_failure(request)

    # callbacks whose pages refetch_request can rebuild from the URL alone; a failed list or feed
    # page needs no retry row: the next crawl reads it anyway
    refetch_callbacks: frozenset[str] = frozenset({"parse_article"})

    def refetchable(self, request: scrapy.Request) -> bool:
        return getattr(request.callback, "__name__", "") in self.refetch_callbacks

    def refetch_request(self, url: str) -> scrapy.Request | None:
        """Hook: the request that reads one quarantined URL again (crawler.middlewares.
        RefetchMiddleware); None when the spider cannot tell what the URL is. Article spiders
        (crawler.spiders.news) have `article_request`, so news URLs are refetched by default."""
        article_request = getattr(self, "article_request", None)
        return article_request(url, {}) if callable(article_request) else None

    def on_failure(self, request: scrapy.Request) -> Iterator[Any]:
        """Hook: what to save when a request is lost (e.g. list snippets of a thread)."""
        return iter(())

    def decode_or_quarantine(self, response: Response) -> tuple[str | None, QuarantineItem | None]:
        try:
            return self.text_of(response), None
        except UndecodableError as exc:
            return None, self.quarantine(response, str(exc))

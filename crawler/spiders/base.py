"""What every spider shares: its source, what it has seen, decoding, quarantine, errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import QuarantineItem
from crawler.parsing.charset import UndecodableError, decode_html
from crawler.seen import Seen
from yuqing.clock import now
from yuqing.config import Settings, SourceConfig

log = logging.getLogger(__name__)


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

    # -- bad input -----------------------------------------------------------------------------

    def quarantine(self, response: Response, reason: str) -> QuarantineItem:
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

    def failed(self, failure: Failure) -> Iterator[QuarantineItem]:
        """A request that failed after retries: counted; its response, if any, quarantined."""
        if failure.check(scrapy.exceptions.IgnoreRequest) and not failure.check(HttpError):
            if not self.crawler.stats.get_value("yuqing/blocked"):  # robots.txt said no
                self.crawler.stats.inc_value("yuqing/disallowed")
                self.crawler.stats.set_value(
                    "yuqing/last_error", f"robots.txt 禁止抓取：{failure.request.url}"
                )
            return
        stats = self.crawler.stats
        stats.inc_value("yuqing/errors")
        request = failure.request  # type: ignore[attr-defined]
        message = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"[:500]
        stats.set_value("yuqing/last_error", f"{request.url} — {message}")
        log.warning("请求失败 %s：%s", request.url, message)
        if failure.check(HttpError):
            response = failure.value.response
            yield self.quarantine(response, f"HTTP {response.status}")
        yield from self.on_failure(request)

    def on_failure(self, request: scrapy.Request) -> Iterator[Any]:
        """Hook: what to save when a request is lost (e.g. list snippets of a thread)."""
        return iter(())

    def decode_or_quarantine(self, response: Response) -> tuple[str | None, QuarantineItem | None]:
        try:
            return self.text_of(response), None
        except UndecodableError as exc:
            return None, self.quarantine(response, str(exc))

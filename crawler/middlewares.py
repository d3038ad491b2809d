"""Downloader middlewares: stop on a block (back off the source), retry with exponential backoff."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

log = logging.getLogger(__name__)

BLOCK_STATUSES = {403: "HTTP 403", 418: "HTTP 418", 432: "HTTP 432"}
_WEIBO_CAPTCHA = re.compile(rb'^\s*\{.*"ok"\s*:\s*-100', re.S)
_BAIDU_CAPTCHA = "百度安全验证".encode()
# JavaScript challenges a government site answers with HTTP 200 instead of the page (stats.gov.cn's
# /sj/zxfb/ does intermittently, public crawlers note): 加速乐 (__jsl_clearance), Aliyun WAF
# (acw_sc__v2), 网站卫士 (wzwschallenge)
_JS_CHALLENGES = {
    b"__jsl_clearance": "网站要求浏览器验证（加速乐 __jsl_clearance）",
    b"acw_sc__v2": "网站要求浏览器验证（阿里云 acw_sc__v2）",
    b"wzwschallenge": "网站要求浏览器验证（网站卫士 wzwschallenge）",
}


def block_reason(status: int, body: bytes) -> str | None:
    """Why a response means "you are being refused", or None (pure)."""
    if status in BLOCK_STATUSES:
        return BLOCK_STATUSES[status]
    head = body[:20000]
    if _WEIBO_CAPTCHA.match(head[:2000]):
        return "微博验证码（ok: -100）"
    if _BAIDU_CAPTCHA in head:
        return "百度安全验证"
    for marker, reason in _JS_CHALLENGES.items():
        if marker in head[:8000]:
            return reason
    return None


class BlockDetectorMiddleware:
    """A refused source is not hammered: the crawl stops and the source backs off (status blocked)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockDetectorMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: object = None) -> Response:
        reason = block_reason(response.status, response.body)
        if reason is None or request.meta.get("dont_obey_robotstxt"):
            return response
        stats = self.crawler.stats
        if not stats.get_value("yuqing/blocked"):
            stats.set_value("yuqing/blocked", reason)
            log.warning("来源拒绝访问（%s）：%s，停止本次抓取并退避", reason, request.url)
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="blocked"))
        raise IgnoreRequest(f"来源拒绝访问：{reason}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting base·2ⁿ seconds (capped) before the n-th retry instead of none."""

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.base = settings.getfloat("YUQING_RETRY_BACKOFF_SECONDS", 1.0)
        self.cap = settings.getfloat("YUQING_RETRY_BACKOFF_MAX_SECONDS", 60.0)

    async def _wait(self, retry: Request | None) -> None:
        if retry is not None and self.base > 0:
            n = retry.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.cap, self.base * 2 ** (n - 1)))

    async def process_response(self, request: Request, response: Response, spider: object = None):  # type: ignore[override]
        result = super().process_response(request, response)
        await self._wait(result if isinstance(result, Request) else None)
        return result

    async def process_exception(self, request: Request, exception: Exception, spider: object = None):  # type: ignore[override]
        result = super().process_exception(request, exception)
        await self._wait(result if isinstance(result, Request) else None)
        return result


class RefetchMiddleware:
    """Spider middleware: before the spider's own start requests, the quarantined URLs that are due
    again (a transient failure whose back-off has passed, or an item an admin released)."""

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.spider
        for qid, url in getattr(getattr(spider, "seen", None), "refetch", []):
            # closed after the run (crawler.pipelines): a URL the spider cannot rebuild a request for
            # is a page its own crawl reads anyway (a list, a search), so this run settles it too
            spider.refetched.append(qid)
            request = spider.refetch_request(url)
            if request is not None:
                # not dont_filter: when the list or feed reaches the same URL in this run, it is fetched once
                yield request.replace(meta={**request.meta, "yuqing_refetch": qid})
        async for item_or_request in start:
            yield item_or_request

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RefetchMiddleware:
        mw = cls()
        mw.crawler = crawler  # type: ignore[attr-defined]
        return mw

    @property
    def spider(self) -> Any:
        return self.crawler.spider  # type: ignore[attr-defined]

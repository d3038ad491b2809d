"""weibo_search: m.weibo.cn real-time search (type 61, newest first) per keyword.

Pages until a page holds only known posts, the results end (`ok: 0`) or the page cap; at the cap the
query is split by time window (`timescope=custom:START:END`, hours, ending at the oldest post seen) so
a busy keyword is still covered. Reposts keep `parent_key` = the original's id and store the original.
Long posts (`isLongText`) are completed from /detail/{id}.
options: page_cap, max_windows (default 4), window_hours (default 24), download_delay.

Hot mode (options.hot = true): the real-time hot-search list is read too, and every hot topic that
matches a watch topic's expression is stored as a `weibo_hot` document (one per topic per day, see
crawler.parsing.weibo.hot_document). options.search = false reads the hot list only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from yuqing.clock import SHANGHAI
from yuqing.crawler.items import DocumentItem
from yuqing.crawler.parsing.weibo import (
    WeiboFormatError,
    detail_status,
    hot_document,
    hot_topics,
    hot_url,
    iter_mblogs,
    load_json,
    mblog_document,
)
from yuqing.crawler.spiders.base import SourceSpider

log = logging.getLogger(__name__)

Window = tuple[datetime, datetime] | None


def search_url(base: str, keyword: str, page: int, window: Window = None) -> str:
    container = f"100103type=61&q={keyword}"
    if window is not None:
        start, end = (t.astimezone(SHANGHAI).strftime("%Y-%m-%d-%H") for t in window)
        container += f"&timescope=custom:{start}:{end}"
    return (
        f"{base.rstrip('/')}/api/container/getIndex?containerid={quote(container, safe='')}"
        f"&page_type=searchall&page={page}"
    )


class WeiboSearchSpider(SourceSpider):
    name = "weibo_search"
    platform = "weibo"

    def headers(self) -> dict[str, str]:
        h = {
            "Accept": "application/json, text/plain, */*",
            "X-Requested-With": "XMLHttpRequest",
            "Referer": f"{self.source.url.rstrip('/')}/search",
        }
        return h

    def cookies(self) -> dict[str, str]:
        """The configured login cookie ("SUB=…; SUBP=…"), handed to Scrapy's cookie jar.

        A raw Cookie header would be dropped by the cookies middleware, so it is parsed here.
        """
        raw = self.options.cookie or self.app_settings.crawl.weibo_cookie or ""
        pairs = (part.strip().partition("=") for part in str(raw).split(";"))
        return {name: value for name, _, value in pairs if name}

    def search(self, keyword: str, page: int, window: Window = None, depth: int = 0) -> Any:
        return self.request(
            search_url(self.source.url, keyword, page, window),
            self.parse_search,
            headers=self.headers(),
            cookies=self.cookies(),
            cb_kwargs={"keyword": keyword, "page": page, "window": window, "depth": depth},
        )

    async def start(self) -> AsyncIterator[Any]:
        if self.options.hot:
            yield self.request(
                hot_url(self.source.url), self.parse_hot, headers=self.headers(), cookies=self.cookies()
            )
        if self.options.search:
            for keyword in self.keywords():
                yield self.search(keyword, 1)

    def watch_set(self) -> Any:
        """The watch topics' expressions, compiled (a topic with a bad expression is left out)."""
        from yuqing.analysis.watch import WatchSet, WatchSyntaxError

        valid = {}
        for topic in self.app_settings.watch:
            try:
                WatchSet({topic.name: topic.expression})
            except WatchSyntaxError as exc:
                log.warning("监测主题 %s 的表达式无效，热搜匹配时跳过：%s", topic.name, exc)
                continue
            valid[topic.name] = topic.expression
        return WatchSet(valid)

    def parse_hot(self, response: Response) -> Iterator[Any]:
        """Hot topics matching a watch topic; the rest of the list is only counted."""
        from yuqing.analysis.normalise import normalise

        try:
            entries = hot_topics(load_json(response.body))
        except WeiboFormatError as exc:
            yield self.quarantine(response, f"微博热搜榜无法解析：{exc}")
            return
        self.ok()
        watch = self.watch_set()
        for entry in entries:
            matched = watch.match(normalise(entry.desc))
            if not matched:
                self.crawler.stats.inc_value("yuqing/hot_unmatched")
                continue
            doc = hot_document(entry, now=self.crawl_time, base=self.source.url, topics=matched)
            if self.seen.add(doc["dedup_key"]):
                yield DocumentItem(doc)
            else:
                self.crawler.stats.inc_value("yuqing/skipped_known")

    def parse_search(
        self, response: Response, keyword: str, page: int, window: Window, depth: int
    ) -> Iterator[Any]:
        try:  # JSON is UTF-8: no charset guessing, so a cut-off reply says that it was cut off
            payload = load_json(response.body)
            if not isinstance(payload, dict):
                raise WeiboFormatError("回复不是 JSON 对象")
            if payload.get("ok") == 0:
                self.ok()  # no (more) results: the normal end of a query
                return
            if payload.get("ok") != 1:
                raise WeiboFormatError(f"未知的 ok 值：{payload.get('ok')!r}")
            mblogs = list(iter_mblogs(payload))
        except WeiboFormatError as exc:
            yield self.quarantine(response, f"微博搜索回复无法解析：{exc}")
            return
        self.ok()
        new, oldest = 0, None
        for mblog in mblogs:
            for item in self.posts(mblog, keyword, response):
                if isinstance(item, DocumentItem):
                    new += 1
                    published = item.fields.get("published_at")
                    if published is not None and (oldest is None or published < oldest):
                        oldest = published
                if not isinstance(item, _Pending):
                    yield item
        if not mblogs or not new:
            return
        cap = self.options.page_cap or self.app_settings.crawl.weibo_page_cap
        if page < cap:
            yield self.search(keyword, page + 1, window, depth)
        elif oldest is not None and depth < self.options.max_windows:
            hours = self.options.window_hours
            self.crawler.stats.inc_value("yuqing/weibo_window_splits")
            yield self.search(keyword, 1, (oldest - timedelta(hours=hours), oldest), depth + 1)

    def posts(self, mblog: dict[str, Any], keyword: str, response: Response) -> Iterator[Any]:
        """The post and, for a repost, its original; unseen ones only; long text completed."""
        candidates = [mblog]
        if isinstance(mblog.get("retweeted_status"), dict):
            candidates.append(mblog["retweeted_status"])
        for post in candidates:
            try:
                doc = mblog_document(post, now=self.crawl_time, base=self.source.url, keyword=keyword)
            except WeiboFormatError as exc:
                yield self.quarantine(
                    response.replace(body=json.dumps(post, ensure_ascii=False).encode()),
                    f"微博条目无法解析：{exc}",
                )
                continue
            if not self.seen.add(doc["dedup_key"]):
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            if post.get("isLongText"):
                yield self.request(
                    doc["url"],
                    self.parse_detail,
                    headers=self.headers(),
                    cookies=self.cookies(),
                    cb_kwargs={"doc": doc},
                    dont_filter=True,
                )
                # counted as new now so paging continues; stored when the detail returns
                yield _Pending(doc["published_at"])
            else:
                yield DocumentItem(doc)

    def parse_detail(self, response: Response, doc: dict[str, Any]) -> Iterator[Any]:
        try:
            if response.body.lstrip()[:1] == b"{":  # the long-text JSON: UTF-8, cut-offs named
                status = detail_status(json.dumps(load_json(response.body), ensure_ascii=False))
            else:
                text, bad = self.decode_or_quarantine(response)
                if bad is not None:
                    raise WeiboFormatError(bad.reason)
                status = detail_status(text or "")
            doc["text"] = str(status["text"])
            self.ok()
        except WeiboFormatError as exc:
            yield self.quarantine(response, f"长微博全文无法解析：{exc}")
            doc["extra"]["long_text_error"] = str(exc)
        yield DocumentItem(doc)

    def on_failure(self, request: Any) -> Iterator[Any]:
        doc = request.cb_kwargs.get("doc")
        if doc is not None:  # the detail page failed: keep the truncated post rather than lose it
            doc["extra"]["long_text_error"] = "详情页请求失败"
            yield DocumentItem(doc)


class _Pending(DocumentItem):
    """Marks a post whose document follows after its detail page (never reaches the pipeline)."""

    def __init__(self, published_at: datetime | None) -> None:
        super().__init__({"published_at": published_at})

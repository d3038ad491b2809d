"""tieba: Baidu Tieba search (sm=1, newest first) per keyword, then each thread with its replies.

A thread page that cannot be fetched or parsed still leaves its search snippets stored. Paging stops
at a results page with no unseen post, or options.max_pages (default 5).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from crawler.items import DocumentItem
from crawler.parsing.forums import ForumFormatError, ForumPost, tieba_search, tieba_thread
from crawler.spiders.base import SourceSpider
from crawler.spiders.forum import post_document


class TiebaSpider(SourceSpider):
    name = "tieba"
    platform = "tieba"

    def search_url(self, keyword: str, page: int) -> str:
        return f"{self.source.url.rstrip('/')}/f/search/res?ie=utf-8&qw={quote(keyword)}&rn=20&pn={page}&sm=1"

    async def start(self) -> AsyncIterator[Any]:
        for keyword in self.keywords():
            yield self.request(
                self.search_url(keyword, 1), self.parse_search, cb_kwargs={"keyword": keyword, "page": 1}
            )

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            posts = tieba_search(html or "", response.url)
        except ForumFormatError as exc:
            yield self.quarantine(response, f"贴吧搜索页无法解析：{exc}")
            return
        self.ok()
        by_thread: dict[str, list[ForumPost]] = {}
        for post in posts:
            if post.post_id in self.seen:
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            by_thread.setdefault(post.thread_id, []).append(post)
        for tid, snippets in by_thread.items():
            yield self.request(
                f"{self.source.url.rstrip('/')}/p/{tid}", self.parse_thread, cb_kwargs={"snippets": snippets}
            )
        if by_thread and page < int(self.options.get("max_pages", 5)):
            yield self.request(
                self.search_url(keyword, page + 1),
                self.parse_search,
                cb_kwargs={"keyword": keyword, "page": page + 1},
            )

    def parse_thread(self, response: Response, snippets: list[ForumPost]) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        posts: list[ForumPost] = []
        if bad is not None:
            yield bad
        else:
            try:
                posts = tieba_thread(html or "", response.url)
                self.ok()
            except ForumFormatError as exc:
                yield self.quarantine(response, f"贴吧帖子页无法解析：{exc}")
        for post in posts:
            if self.seen.add(post.post_id):
                yield DocumentItem(post_document(post, platform="tieba", now=self.crawl_time))
        yield from self._snippets(snippets)

    def _snippets(self, snippets: list[ForumPost]) -> Iterator[Any]:
        for post in snippets:
            if self.seen.add(post.post_id):
                yield DocumentItem(post_document(post, platform="tieba", now=self.crawl_time, snippet=True))

    def on_failure(self, request: Any) -> Iterator[Any]:
        yield from self._snippets(request.cb_kwargs.get("snippets") or [])

"""discuz: Discuz! forums (often GBK/GB18030): thread lists of options.fids, then changed threads.

A cursor per forum keeps each thread's reply count and the last page read: a thread is fetched again
only when it grew, starting at that last page (`&page=N`), and paging stops at a list page where
nothing changed (or options.max_pages, default 3). A run reads at most options.max_thread_pages
(default 5) pages of one thread; a thread cut off there keeps its old reply count, so the next run
goes on from where this one stopped.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

from scrapy.http import Response

from yuqing.crawler.items import DocumentItem
from yuqing.crawler.parsing.forums import ForumFormatError, discuz_list, discuz_page_url, discuz_thread
from yuqing.crawler.spiders.base import SourceSpider
from yuqing.crawler.spiders.forum import post_document, remember, thread_pages_left

# what a page holds, counted on the raw markup (crawler.health: a page read short is never 正常)
_LIST_ROW = re.compile(r"""<tbody[^>]*id=["']normalthread_\d+""")
_POST = re.compile(r"""<div[^>]*id=["']post_\d+["']""")


class DiscuzSpider(SourceSpider):
    name = "discuz"
    platform = "discuz"
    refetch_callbacks = frozenset({"parse_thread"})  # see refetch_request

    def list_url(self, fid: str, page: int) -> str:
        return f"{self.source.url.rstrip('/')}/forum.php?mod=forumdisplay&fid={fid}&page={page}"

    async def start(self) -> AsyncIterator[Any]:
        for fid in self.options.fids:
            yield self.request(
                self.list_url(str(fid), 1), self.parse_list, cb_kwargs={"fid": str(fid), "page": 1}
            )

    def counts(self, fid: str) -> dict[str, int]:
        return self.cursor(f"fid:{fid}").setdefault("threads", {})

    def last_pages(self, fid: str) -> dict[str, int]:
        return self.cursor(f"fid:{fid}").setdefault("pages", {})

    def parse_list(self, response: Response, fid: str, page: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            rows, _next = discuz_list(html or "", response.url)
        except ForumFormatError as exc:
            yield self.quarantine(response, f"论坛列表页无法解析：{exc}")
            return
        self.ok()
        yield from self.page_items(response, held=len(_LIST_ROW.findall(html or "")), read=len(rows))
        counts, pages = self.counts(fid), self.last_pages(fid)
        changed = 0
        for row in rows:
            if row.thread_id in counts and row.replies is not None and counts[row.thread_id] >= row.replies:
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            url = self.follow_link(response.url, row.url)  # "javascript:;" or a bad URL: counted, skipped
            if url is None:
                continue
            changed += 1
            start = int(pages.get(row.thread_id, 1))
            yield self.request(
                discuz_page_url(url, start),
                self.parse_thread,
                cb_kwargs={
                    "fid": fid, "replies": row.replies, "tid": row.thread_id, "page": start, "first": start,
                    "thread_url": url,
                },
            )
        if changed and _next and page < self.options.max_pages:
            yield self.request(
                self.list_url(fid, page + 1), self.parse_list, cb_kwargs={"fid": fid, "page": page + 1}
            )

    def refetch_request(self, url: str) -> Any:
        """A quarantined thread page read again (its board unknown: no cursor is moved)."""
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        if query.get("mod") != "viewthread" or not query.get("tid"):
            return None
        page = int(query["page"]) if query.get("page", "").isdigit() else 1
        cb = {
            "fid": None, "replies": None, "tid": query["tid"], "page": page, "first": page, "thread_url": url,
        }
        return self.request(url, self.parse_thread, cb_kwargs=cb)

    def parse_thread(
        self,
        response: Response,
        fid: str | None,
        replies: int | None,
        tid: str,
        page: int,
        first: int = 1,
        thread_url: str | None = None,
    ) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            posts, nxt = discuz_thread(html or "", response.url)
        except ForumFormatError as exc:
            yield self.quarantine(response, f"论坛帖子页无法解析：{exc}")
            return
        self.ok()
        yield from self.page_items(response, held=len(_POST.findall(html or "")), read=len(posts))
        for post in posts:
            post.thread_id = post.thread_id or tid
            if self.seen.add(post.post_id):
                yield DocumentItem(post_document(post, platform="discuz", now=self.crawl_time))
        if fid is None:  # a refetched page (crawler.middlewares.RefetchMiddleware): read it, no more
            return
        remember(self.last_pages(fid), tid, page)
        if nxt is None:  # the thread's last page: it is read up to `replies`
            if replies is not None:
                remember(self.counts(fid), tid, replies)
        elif thread_pages_left(first, page, self.options.max_thread_pages):
            yield self.request(
                discuz_page_url(thread_url or response.url, page + 1),
                self.parse_thread,
                cb_kwargs={
                    "fid": fid, "replies": replies, "tid": tid, "page": page + 1, "first": first,
                    "thread_url": thread_url,
                },
            )
        else:
            self.crawler.stats.inc_value("yuqing/thread_pages_capped")

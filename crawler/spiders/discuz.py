"""discuz: Discuz! forums (often GBK/GB18030): thread lists of options.fids, then changed threads.

A cursor per forum keeps each thread's reply count: a thread is fetched again only when it grew, and
paging stops at a list page where nothing changed (or options.max_pages, default 3; a thread's own
pages up to options.max_thread_pages, default 5).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawler.items import DocumentItem
from crawler.parsing.forums import ForumFormatError, discuz_list, discuz_thread
from crawler.spiders.base import SourceSpider
from crawler.spiders.forum import post_document

KEEP_THREADS = 2000  # reply counts remembered per forum


class DiscuzSpider(SourceSpider):
    name = "discuz"
    platform = "discuz"

    def list_url(self, fid: str, page: int) -> str:
        return f"{self.source.url.rstrip('/')}/forum.php?mod=forumdisplay&fid={fid}&page={page}"

    async def start(self) -> AsyncIterator[Any]:
        for fid in self.options.get("fids", []):
            yield self.request(
                self.list_url(str(fid), 1), self.parse_list, cb_kwargs={"fid": str(fid), "page": 1}
            )

    def counts(self, fid: str) -> dict[str, int]:
        key = f"fid:{fid}"
        if key not in self.cursor_updates:
            self.cursor_updates[key] = {"threads": dict(self.seen.cursors.get(key, {}).get("threads", {}))}
        return self.cursor_updates[key]["threads"]

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
        counts = self.counts(fid)
        changed = 0
        for row in rows:
            if row.thread_id in counts and row.replies is not None and counts[row.thread_id] >= row.replies:
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            changed += 1
            yield self.request(
                row.url,
                self.parse_thread,
                cb_kwargs={"fid": fid, "replies": row.replies, "tid": row.thread_id, "page": 1},
            )
        if changed and _next and page < int(self.options.get("max_pages", 3)):
            yield self.request(
                self.list_url(fid, page + 1), self.parse_list, cb_kwargs={"fid": fid, "page": page + 1}
            )

    def parse_thread(
        self, response: Response, fid: str, replies: int | None, tid: str, page: int
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
        for post in posts:
            post.thread_id = post.thread_id or tid
            if self.seen.add(post.post_id):
                yield DocumentItem(post_document(post, platform="discuz", now=self.crawl_time))
        if nxt and page < int(self.options.get("max_thread_pages", 5)):
            yield self.request(
                nxt,
                self.parse_thread,
                cb_kwargs={"fid": fid, "replies": replies, "tid": tid, "page": page + 1},
            )
        elif replies is not None:
            counts = self.counts(fid)
            counts[tid] = replies
            while len(counts) > KEEP_THREADS:
                counts.pop(next(iter(counts)))

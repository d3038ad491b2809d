"""tieba: Baidu Tieba search (sm=1, newest first) per keyword and forum lists (options.forums).

Search results: the classic layout (div.s_post) or, failing that, any card layout, read by its
structure (crawler.parsing.forums.tieba_search_cards); or, with options.search_via = "client_api",
the signed client JSON API (POST options.api_url, crawler.parsing.tieba_api), whose error codes are
quarantined with the server's own error_code and error_msg; "auto" reads the page and turns to the
API for a keyword whose page is no results page (kept in the quarantine only if the API fails too).
Search: paging stops at a results page with no unseen post, or options.max_pages (default 5). A
thread page that cannot be fetched or parsed still leaves its search snippets stored.
Forum lists (`/f?kw=…&pn=…`, 50 threads a page, newest reply first): a cursor per forum keeps each
thread's reply count, so only threads that grew are fetched, and paging stops at the first
(non-pinned) thread already known unchanged, or at options.max_forum_pages (default 3).
Threads (`/p/{tid}?pn=N`): read from the last page seen (a cursor per source), at most
options.max_thread_pages (default 5) pages a run; a thread cut off there is continued next run.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import scrapy
from scrapy.http import Response

from yuqing.crawler.items import DocumentItem
from yuqing.crawler.parsing.forums import (
    ForumFormatError,
    ForumPost,
    tieba_forum_list,
    tieba_search,
    tieba_sub_replies,
    tieba_sub_reply_pages,
    tieba_thread,
    tieba_thread_pages,
)
from yuqing.crawler.parsing.tieba_api import TiebaApiError, search_form, tieba_api_search
from yuqing.crawler.spiders.base import SourceSpider
from yuqing.crawler.spiders.forum import post_document, remember, thread_pages_left

# what a page holds, counted on the raw markup (crawler.health: a page read short is never 正常)
_SEARCH_ROW = re.compile(r"""class=["']s_post["']""")
_LIST_ROW = re.compile(r"""<li[^>]*class=["'][^"']*\bj_thread_list\b""")
# a floor: `div.l_post` with its data-field (an empty `{}` one is an ad slot)
_FLOOR = re.compile(r"""<div[^>]*class=["'][^"']*\bl_post\b[^"']*["'][^>]*data-field=["'](?!\{\})""")
FORUM_PAGE_SIZE = 50  # `pn` of a forum list is an offset in threads
SUB_REPLY_PAGE_SIZE = 10  # replies per /p/comment page (and shown inline under a floor)


class TiebaSpider(SourceSpider):
    name = "tieba"
    platform = "tieba"
    refetch_callbacks = frozenset({"parse_thread", "parse_sub_replies"})  # see refetch_request

    @property
    def base(self) -> str:
        return self.source.url.rstrip("/")

    def search_url(self, keyword: str, page: int) -> str:
        return f"{self.base}/f/search/res?ie=utf-8&qw={quote(keyword)}&rn=20&pn={page}&sm=1"

    def forum_url(self, forum: str, page: int) -> str:
        return f"{self.base}/f?kw={quote(forum)}&ie=utf-8&pn={(page - 1) * FORUM_PAGE_SIZE}"

    def thread_url(self, tid: str, page: int) -> str:
        return f"{self.base}/p/{tid}" + (f"?pn={page}" if page > 1 else "")

    def api_request(self, keyword: str, page: int, page_shell: Response | None = None) -> scrapy.FormRequest:
        """One page of the client API search, signed (a POST: its pages differ only by their body).
        `page_shell`: the unreadable search page this request stands in for ("auto")."""
        form = search_form(
            keyword,
            page,
            page_size=self.options.api_page_size,
            client_version=self.options.client_version,
            only_thread=self.options.only_thread,
        )
        return scrapy.FormRequest(
            self.options.api_url,
            formdata=form,
            callback=self.parse_api_search,
            errback=self.failed,
            cb_kwargs={"keyword": keyword, "page": page, "page_shell": page_shell},
            headers={"Accept": "application/json"},
        )

    async def start(self) -> AsyncIterator[Any]:
        for keyword in self.keywords():
            if self.options.search_via == "client_api":
                yield self.api_request(keyword, 1)
                continue
            yield self.request(
                self.search_url(keyword, 1), self.parse_search, cb_kwargs={"keyword": keyword, "page": 1}
            )
        for forum in self.options.forums:
            yield self.request(
                self.forum_url(str(forum), 1), self.parse_forum, cb_kwargs={"forum": str(forum), "page": 1}
            )

    # -- cursors -------------------------------------------------------------------------------

    def last_pages(self) -> dict[str, int]:
        """Last page read of each thread, whichever way it was reached."""
        return self.cursor("threads").setdefault("pages", {})

    def reply_counts(self, forum: str) -> dict[str, int]:
        return self.cursor(f"kw:{forum}").setdefault("threads", {})

    def thread_request(self, tid: str, **kwargs: Any) -> Any:
        start = int(self.last_pages().get(tid, 1))
        cb = {"tid": tid, "page": start, "first": start, "snippets": [], "forum": None, "replies": None}
        cb.update(kwargs)
        return self.request(self.thread_url(tid, start), self.parse_thread, cb_kwargs=cb)

    # -- pages ---------------------------------------------------------------------------------

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            posts = tieba_search(html or "", response.url)
        except ForumFormatError as exc:
            if self.options.search_via == "auto" and page == 1:
                self.crawler.stats.inc_value("yuqing/tieba_search_fell_back_to_api")
                yield self.api_request(keyword, 1, page_shell=response)
                return
            yield self.quarantine(response, f"贴吧搜索页无法解析：{exc}")
            return
        self.ok()
        yield from self.page_items(response, held=len(_SEARCH_ROW.findall(html or "")), read=len(posts))
        by_thread = self._unseen_by_thread(posts)
        for tid, snippets in by_thread.items():
            yield self.thread_request(tid, snippets=snippets)
        if by_thread and page < self.options.max_pages:
            yield self.request(
                self.search_url(keyword, page + 1),
                self.parse_search,
                cb_kwargs={"keyword": keyword, "page": page + 1},
            )

    def _unseen_by_thread(self, posts: list[ForumPost]) -> dict[str, list[ForumPost]]:
        """Search hits not stored yet, grouped by thread (a known post is never fetched again)."""
        by_thread: dict[str, list[ForumPost]] = {}
        for post in posts:
            if post.post_id in self.seen:
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            by_thread.setdefault(post.thread_id, []).append(post)
        return by_thread

    def parse_api_search(
        self, response: Response, keyword: str, page: int, page_shell: Response | None = None
    ) -> Iterator[Any]:
        """A client API answer: its hits as the search page's, paging while it has unseen hits
        and says has_more. A cut-off body or an error code is quarantined with that reason."""
        where = f"（关键词「{keyword}」第 {page} 页）"
        text, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            result = tieba_api_search(text or "", self.base)
        except ForumFormatError as exc:
            if isinstance(exc, TiebaApiError):
                msg = exc.message or "（空）"
                reason = f"贴吧搜索接口{where}返回错误：error_code={exc.code}，error_msg={msg}"
            else:
                reason = f"贴吧搜索接口{where}的回应无法读取：{exc}"
            self.crawler.stats.set_value("yuqing/last_error", f"{response.url} — {reason}")
            yield self.quarantine(response, reason)
            if page_shell is not None:  # neither way worked: the page is kept too
                yield self.quarantine(page_shell, f"贴吧搜索页不是结果页，改用接口也失败：{reason}")
            return
        self.ok()
        yield from self.page_items(response, held=result.held, read=len(result.posts))
        by_thread = self._unseen_by_thread(result.posts)
        for tid, snippets in by_thread.items():
            yield self.thread_request(tid, snippets=snippets)
        if by_thread and result.has_more and page < self.options.max_pages:
            yield self.api_request(keyword, page + 1)

    def parse_forum(self, response: Response, forum: str, page: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            rows, _name, has_next = tieba_forum_list(html or "", response.url)
        except ForumFormatError as exc:
            yield self.quarantine(response, f"贴吧吧内列表页无法解析：{exc}")
            return
        self.ok()
        yield from self.page_items(response, held=len(_LIST_ROW.findall(html or "")), read=len(rows))
        counts = self.reply_counts(forum)
        reached_known = False
        for row in rows:
            known = counts.get(row.thread_id)
            if known is not None and row.replies is not None and known >= row.replies:
                self.crawler.stats.inc_value("yuqing/skipped_known")
                reached_known = reached_known or not row.pinned
                continue
            yield self.thread_request(row.thread_id, forum=forum, replies=row.replies)
        if not reached_known and rows and has_next and page < self.options.max_forum_pages:
            yield self.request(
                self.forum_url(forum, page + 1),
                self.parse_forum,
                cb_kwargs={"forum": forum, "page": page + 1},
            )

    def parse_thread(
        self,
        response: Response,
        tid: str,
        page: int,
        first: int,
        snippets: list[ForumPost],
        forum: str | None,
        replies: int | None,
    ) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        posts: list[ForumPost] = []
        if bad is not None:
            yield bad
        else:
            try:
                posts = tieba_thread(html or "", response.url)
            except ForumFormatError as exc:
                yield self.quarantine(response, f"贴吧帖子页无法解析：{exc}")
            else:
                self.ok()
                floors = sum(1 for p in posts if "parent_post_id" not in p.extra)
                yield from self.page_items(response, held=len(_FLOOR.findall(html or "")), read=floors)
        for post in posts:
            if self.seen.add(post.post_id):
                yield DocumentItem(post_document(post, platform="tieba", now=self.crawl_time))
        yield from self._more_sub_replies(tid, posts)
        if not posts:  # this page failed: what the search showed is kept, the cursor stays
            yield from self._snippets(snippets)
            return
        remember(self.last_pages(), tid, page)
        total = tieba_thread_pages(html or "") or page
        if page >= total:  # read to the end: the reply count is caught up
            if forum is not None and replies is not None:
                remember(self.reply_counts(forum), tid, replies)
        elif thread_pages_left(first, page, self.options.max_thread_pages):
            yield self.request(
                self.thread_url(tid, page + 1),
                self.parse_thread,
                cb_kwargs={
                    "tid": tid, "page": page + 1, "first": first, "snippets": snippets,
                    "forum": forum, "replies": replies,
                },
            )
            return
        else:
            self.crawler.stats.inc_value("yuqing/thread_pages_capped")
        yield from self._snippets(snippets)

    def comment_url(self, tid: str, pid: str, page: int) -> str:
        return f"{self.base}/p/comment?tid={tid}&pid={pid}&pn={page}"

    def _more_sub_replies(self, tid: str, posts: list[ForumPost]) -> Iterator[Any]:
        """Floors with more nested replies (楼中楼) than the thread page shows: their /p/comment
        pages, from the first one not shown inline, at most options.max_sub_reply_pages each."""
        inline: dict[str, int] = {}
        for post in posts:
            parent = post.extra.get("parent_post_id")
            if parent:
                inline[str(parent)] = inline.get(str(parent), 0) + 1
        for post in posts:
            total = post.extra.get("sub_replies")
            shown = inline.get(post.post_id, 0)
            if not isinstance(total, int) or total <= shown:
                continue
            first = shown // SUB_REPLY_PAGE_SIZE + 1
            yield self.request(
                self.comment_url(tid, post.post_id, first),
                self.parse_sub_replies,
                cb_kwargs={"tid": tid, "parent": post, "page": first, "first": first},
            )

    def parse_sub_replies(
        self, response: Response, tid: str, parent: ForumPost, page: int, first: int
    ) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        from parsel import Selector

        replies = tieba_sub_replies(
            Selector(text=html or ""), tid=tid, parent=parent, base=self.thread_url(tid, 1)
        )
        if not replies and "lzl_single_post" not in (html or ""):
            yield self.quarantine(response, "贴吧楼中楼回复页无法解析：没有回复（li.lzl_single_post）")
            return
        self.ok()
        for reply in replies:
            if self.seen.add(reply.post_id):
                yield DocumentItem(post_document(reply, platform="tieba", now=self.crawl_time))
        if page < tieba_sub_reply_pages(html or "") and thread_pages_left(
            first, page, self.options.max_sub_reply_pages
        ):
            yield self.request(
                self.comment_url(tid, parent.post_id, page + 1),
                self.parse_sub_replies,
                cb_kwargs={"tid": tid, "parent": parent, "page": page + 1, "first": first},
            )

    def refetch_request(self, url: str) -> Any:
        """A quarantined thread or nested-reply page, read again (search and list pages are read
        by every crawl anyway)."""
        parsed = urlparse(url)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        page = int(query.get("pn", "1")) if query.get("pn", "1").isdigit() else 1
        if parsed.path == "/p/comment" and query.get("tid") and query.get("pid"):
            parent = ForumPost(query["pid"], query["tid"], None, "", None, None, url, None)
            cb = {"tid": query["tid"], "parent": parent, "page": page, "first": page}
            return self.request(url, self.parse_sub_replies, cb_kwargs=cb)
        if m := re.fullmatch(r"/p/(\d+)", parsed.path):
            tid = m.group(1)
            cb = {"tid": tid, "page": page, "first": page, "snippets": [], "forum": None, "replies": None}
            return self.request(url, self.parse_thread, cb_kwargs=cb)
        return None

    def _snippets(self, snippets: list[ForumPost]) -> Iterator[Any]:
        for post in snippets:
            if self.seen.add(post.post_id):
                yield DocumentItem(post_document(post, platform="tieba", now=self.crawl_time, snippet=True))

    def on_failure(self, request: Any) -> Iterator[Any]:
        yield from self._snippets(request.cb_kwargs.get("snippets") or [])

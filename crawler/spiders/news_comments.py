"""news_comments: 新闻跟帖 of the news articles already collected, from a portal's comment JSON.

source.url is the comment API as a template with {thread} and either {offset}/{limit} (NetEase:
`https://comment.api.163.com/api/v1/products/<product>/threads/{thread}/comments/newList?offset={offset}&limit={limit}`)
or {cursor} (Tencent: `https://coral.qq.com/article/{thread}/comment/v2?orinum=30&oriorder=t&cursor={cursor}`).
options: thread_pattern (regex whose first group, applied to a collected article's URL, is the
thread id; default the 16-character NetEase docId of `/article/XXXX.html`), article_days (articles
fetched within these days, default 3), max_articles (default 200), limit (default 30), max_pages
(pages per article and run, default 5). Incremental: paging stops at a page holding no unseen
comment; every comment is stored once (dedup key "thread:comment id").
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

from scrapy.http import Response
from sqlalchemy import select

from yuqing.crawler.items import DocumentItem
from yuqing.crawler.parsing.comments import CommentsError, parse_comment_page, utf8_body
from yuqing.crawler.spiders.base import SourceSpider
from yuqing.source_options import NewsCommentsOptions
from yuqing.store.db import make_engine, session_factory, session_scope
from yuqing.store.models import Document
from yuqing.vocab import Platform

DEFAULT_THREAD = r"/(?:article/|a/)?([0-9A-Z]{16})\.html"


class NewsCommentsSpider(SourceSpider):
    name = "news_comments"
    platform = "news_comment"
    options: NewsCommentsOptions

    def collected_articles(self) -> list[tuple[str, str | None, str, str]]:
        """(url, title, dedup key, thread id) of recent news articles whose URL names a thread."""
        pattern = re.compile(self.options.thread_pattern or DEFAULT_THREAD)
        since = self.crawl_time - timedelta(days=self.options.article_days)
        engine = make_engine(self.app_settings.database_url)
        try:
            with session_scope(session_factory(engine)) as session:
                rows = session.execute(
                    select(Document.url, Document.title, Document.dedup_key)
                    .where(Document.platform == Platform.NEWS, Document.fetched_at >= since)
                    .order_by(Document.fetched_at.desc())
                    .limit(self.options.max_articles)
                ).all()
        finally:
            engine.dispose()
        found = []
        for url, title, key in rows:
            if m := pattern.search(url or ""):
                found.append((url, title, key, m.group(1)))
        return found

    def page_url(self, thread: str, offset: int, cursor: str = "0") -> str:
        limit = self.options.limit
        return self.source.url.format(thread=thread, offset=offset, limit=limit, cursor=cursor)

    async def start(self) -> AsyncIterator[Any]:
        articles = self.collected_articles()
        self.crawler.stats.set_value("yuqing/comment_threads", len(articles))
        for url, title, key, thread in articles:
            article = {"url": url, "title": title, "key": key, "thread": thread}
            api = self.follow_link(self.source.url, self.page_url(thread, 0))  # a thread id no URL holds
            if api is not None:
                yield self.request(api, self.parse_comments, cb_kwargs={"article": article, "page": 1})

    def parse_comments(self, response: Response, article: dict[str, Any], page: int) -> Iterator[Any]:
        try:
            body = utf8_body(response.body)
        except CommentsError as exc:  # cut off inside a character: no charset guessing, say so
            yield self.quarantine(response, f"跟帖解析失败：{exc}")
            return
        if body is None:
            body, bad = self.decode_or_quarantine(response)
            if bad is not None:
                yield bad
                return
        try:
            found = parse_comment_page(body or "", now=self.crawl_time)
        except CommentsError as exc:
            yield self.quarantine(response, f"跟帖解析失败：{exc}")
            return
        self.ok()
        thread = article["thread"]
        new = 0
        for c in found.comments:
            key = f"{thread}:{c.id}"
            if not self.seen.add(key):
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            new += 1
            yield DocumentItem(
                {
                    "platform": self.platform,
                    "dedup_key": key,
                    "external_id": c.id[:100],
                    "url": f"{article['url']}#comment-{c.id}",
                    "canonical_url": None,
                    "title": article["title"],
                    "text": c.text,
                    "author": c.author[:200],
                    "publisher": (self.options.publisher or self.source.name)[:200],
                    "published_at": c.published_at,
                    "published_raw": c.published_raw,
                    "likes": c.likes,
                    "extra": {
                        "article_url": article["url"],
                        "article_key": article["key"],
                        "thread": thread,
                        "location": c.location,
                        "reply_to": f"{thread}:{c.reply_to}" if c.reply_to else None,
                    },
                    "raw": json.dumps({"thread": thread, "comment_id": c.id}, ensure_ascii=False),
                }
            )
        limit = self.options.limit
        by_cursor = "{cursor}" in self.source.url
        more = found.cursor is not None if by_cursor else found.total is None or page * limit < found.total
        if new and more and not found.finished and page < self.options.max_pages:
            yield self.request(
                self.page_url(thread, page * limit, found.cursor or "0"),
                self.parse_comments,
                cb_kwargs={"article": article, "page": page + 1},
            )

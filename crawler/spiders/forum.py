"""Forum posts -> documents, shared by the Tieba and Discuz! spiders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.crawler.parsing.forums import ForumPost
from yuqing.crawler.parsing.times import parse_time


def post_document(
    post: ForumPost, *, platform: str, now: datetime, raw: str | None = None, snippet: bool = False
) -> dict[str, Any]:
    """Dedup key = the post id (unique per forum platform); the thread's title is kept on each post."""
    return {
        "platform": platform,
        "dedup_key": post.post_id,
        "external_id": post.post_id,
        "url": post.url,
        "canonical_url": None,
        "title": post.title,
        "text": post.text,
        "author": (post.author or "")[:200] or None,
        "publisher": post.forum,
        "published_at": parse_time(post.published_raw, now),
        "published_raw": post.published_raw,
        "comments": post.replies,
        "parent_key": None,
        "extra": {**post.extra, "thread_id": post.thread_id, "floor": post.floor, "snippet_only": snippet},
        "raw": raw,
    }


KEEP_THREADS = 2000  # reply counts and last pages remembered per cursor


def remember(table: dict[str, Any], key: str, value: Any, keep: int = KEEP_THREADS) -> None:
    """Set `key` as the most recent entry; the oldest entries go beyond `keep`."""
    table.pop(key, None)
    table[key] = value
    while len(table) > keep:
        table.pop(next(iter(table)))


def thread_pages_left(first_page: int, page: int, max_pages: int) -> bool:
    """May this run fetch the page after `page`, having started the thread at `first_page`?"""
    return page - first_page + 1 < max_pages

"""News comments (新闻跟帖) as the major portals' comment APIs return them.

Shape (NetEase's `comment.api.163.com/api/v1/products/{product}/threads/{docId}/comments/newList`,
as public crawlers document it): `{"commentIds": ["id", "parent,child", …], "comments": {"<id>":
{"commentId", "content", "createTime": "YYYY-MM-DD HH:MM:SS", "user": {"nickname", "location"},
"vote", "against"}}, "newListSize": total}`; newest first; `offset`/`limit` paging. An error comes as
`{"code": …, "message": …}` (e.g. 非法的分页参数 past the last page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.parsing.times import parse_time

_TAGS = re.compile(r"<[^>]+>")


class CommentsError(ValueError):
    """The response is not a comment list (its reason is shown to people, in Chinese)."""


@dataclass(frozen=True)
class Comment:
    id: str
    text: str
    author: str
    published_at: datetime | None
    published_raw: str | None
    likes: int
    location: str | None
    reply_to: str | None  # the comment it answers (the one before it in its chain)


@dataclass(frozen=True)
class CommentPage:
    comments: list[Comment]  # newest first, each once
    total: int | None  # comments the thread holds (newListSize)
    finished: bool  # the API said there is nothing past this page


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_comment_page(body: str, *, now: datetime) -> CommentPage:
    """Raises CommentsError when `body` is not a comment list."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise CommentsError(f"评论接口返回的不是 JSON（{exc.msg}）") from exc
    if not isinstance(data, dict):
        raise CommentsError("评论接口返回的 JSON 不是对象")
    if "comments" not in data:
        message = str(data.get("message") or data.get("msg") or "")
        if "分页" in message or "no more" in message.lower():
            return CommentPage([], None, finished=True)
        raise CommentsError(f"评论接口返回错误：{message or '缺少 comments 字段'}"[:200])
    table = data.get("comments") or {}
    if not isinstance(table, dict):
        raise CommentsError("评论接口的 comments 字段不是对象")
    order: list[tuple[str, str | None]] = []
    for chain in data.get("commentIds") or list(table):
        ids = [i for i in str(chain).split(",") if i]
        order += [(cid, ids[k - 1] if k else None) for k, cid in enumerate(ids)]
    seen: set[str] = set()
    comments = []
    for cid, parent in order:
        raw = table.get(cid)
        if cid in seen or not isinstance(raw, dict):
            continue
        seen.add(cid)
        text = _TAGS.sub("", str(raw.get("content") or "")).strip()
        if not text:
            continue
        user = raw.get("user") if isinstance(raw.get("user"), dict) else {}
        created = raw.get("createTime")
        comments.append(
            Comment(
                id=str(raw.get("commentId") or cid),
                text=text,
                author=str(user.get("nickname") or "").strip() or "匿名网友",
                published_at=parse_time(str(created), now) if created else None,
                published_raw=str(created) if created else None,
                likes=_int(raw.get("vote")),
                location=(str(user.get("location")).strip() or None) if user.get("location") else None,
                reply_to=parent,
            )
        )
    total = data.get("newListSize")
    return CommentPage(comments, _int(total) if total is not None else None, finished=not table)

"""News comments (新闻跟帖) as the major portals' comment APIs return them.

Shape (NetEase's `comment.api.163.com/api/v1/products/{product}/threads/{docId}/comments/newList`,
as public crawlers document it): `{"commentIds": ["id", "parent,child", …], "comments": {"<id>":
{"commentId", "content", "createTime": "YYYY-MM-DD HH:MM:SS", "user": {"nickname", "location"},
"vote", "against"}}, "newListSize": total}`; newest first; `offset`/`limit` paging. An error comes as
`{"code": …, "message": …}` (e.g. 非法的分页参数 past the last page).

Tencent's `coral.qq.com/article/{targetid}/comment/v2?cursor=…` (often as JSONP): `{"data":
{"oriCommList": [{"id", "parent", "time": "<unix seconds>", "userid", "content", "up"}], "userList":
{"<userid>": {"nick", "region"}}, "last": "<next cursor>", "hasnext": bool, "oritotal": total}}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yuqing.crawler.parsing.times import parse_time

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
    total: int | None  # comments the thread holds (newListSize, oritotal)
    finished: bool  # the API said there is nothing past this page
    cursor: str | None = None  # where the next page starts, for cursor-paged APIs


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


_JSONP = re.compile(r"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
_JSONP_OPEN = re.compile(r"^\s*[\w$.]+\s*\(\s*[{\[]")


def utf8_body(raw: bytes) -> str | None:
    """The reply as UTF-8 (the comment APIs send UTF-8), None when it is some other encoding.
    Raises CommentsError when the bytes stop inside a character: the reply was cut off."""
    if not raw.strip():
        return None  # empty: crawler.parsing.charset names it
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            raise CommentsError(f"评论接口的回复被截断：{len(raw)} 字节处中断在一个字符中间") from None
        return None


def _load(body: str) -> Any:
    """JSON or JSONP, saying whether a failure is a reply cut off or not JSON at all."""
    if m := _JSONP.match(body):
        body = m.group(1)
    elif _JSONP_OPEN.match(body):  # "callback({…" without its closing ")"
        raise CommentsError(f"评论接口的回复被截断：JSONP 在第 {len(body)} 个字符处没有结尾")
    try:
        return json.loads(body)
    except ValueError as exc:
        pos = getattr(exc, "pos", 0)
        if body.lstrip()[:1] in ("{", "[") and pos >= len(body.rstrip()) - 1:
            raise CommentsError(f"评论接口的回复被截断：JSON 在第 {pos} 个字符处意外结束") from exc
        where = f"第 {exc.lineno} 行第 {exc.colno} 列" if isinstance(exc, json.JSONDecodeError) else "开头"
        raise CommentsError(f"评论接口返回的不是 JSON（{where}无法解析）") from exc


def parse_comment_page(body: str, *, now: datetime) -> CommentPage:
    """Raises CommentsError when `body` is not a comment list (or was cut off)."""
    data = _load(body)
    if not isinstance(data, dict):
        raise CommentsError("评论接口返回的 JSON 不是对象")
    if isinstance(data.get("data"), dict) and "oriCommList" in data["data"]:
        return _coral_page(data["data"], now)
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


def _coral_page(data: dict[str, Any], now: datetime) -> CommentPage:
    users = data.get("userList") if isinstance(data.get("userList"), dict) else {}
    comments = []
    for raw in data.get("oriCommList") or []:
        if not isinstance(raw, dict):
            continue
        text = _TAGS.sub("", str(raw.get("content") or "")).strip()
        if not text or not raw.get("id"):
            continue
        user = users.get(str(raw.get("userid"))) or {}
        stamp = _int(raw.get("time"))
        when = datetime.fromtimestamp(stamp, UTC) if stamp else None
        parent = str(raw.get("parent") or "")
        comments.append(
            Comment(
                id=str(raw["id"]),
                text=text,
                author=str(user.get("nick") or "").strip() or "匿名网友",
                published_at=when if when is not None and when <= now else None,
                published_raw=str(raw.get("time")) if raw.get("time") else None,
                likes=_int(raw.get("up")),
                location=str(user.get("region") or "").strip() or None,
                reply_to=parent if parent not in ("", "0") else None,
            )
        )
    total = data.get("oritotal")
    cursor = str(data.get("last") or "") or None
    return CommentPage(
        comments, _int(total) if total is not None else None, finished=not data.get("hasnext"), cursor=cursor
    )

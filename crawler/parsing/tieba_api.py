"""Tieba's client (app) JSON search: request signing and the response -> posts (pure).

The app API (`POST c.tieba.baidu.com/c/s/searchpost`, form fields `_client_version, kw,
only_thread, pn, rn, sm, word` and `sign`) is what public clients call (lumina37/aiotieba
aiotieba/api/search_post/, HuanCheng65/TiebaLite api/retrofit/interfaces). Its `sign` is the MD5
(lowercase hex) of every other field as `key=value`, sorted by key, concatenated without separator,
then the fixed salt `tiebaclient!!!`, over the raw (not URL-encoded) values.
Answer: `{"error_code": "0", "error_msg": "", "page": {…, "has_more": "1"}, "post_list": [{"tid",
"pid", "title", "content", "time" (Unix seconds), "fname", "is_floor", "author": {"name",
"name_show"}}]}`. The hybrid search `mo/q/search/thread` answers `{"no": 0, "error": "success",
"data": {"has_more", "current_page", "post_list": [{"tid", "pid", "title", "content", "time",
"post_num", "forum_name", "user": {"user_name", "show_nickname"}}]}}` and is read the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yuqing.clock import SHANGHAI
from yuqing.crawler.parsing.forums import ForumFormatError, ForumPost

SIGN_SALT = "tiebaclient!!!"
_TAG = re.compile(r"<[^>]+>")


def tieba_sign(params: Mapping[str, object], salt: str = SIGN_SALT) -> str:
    """The `sign` of a client API request: MD5 over the sorted `key=value` pairs and the salt."""
    raw = "".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
    return hashlib.md5((raw + salt).encode("utf-8")).hexdigest()


def signed_form(params: Mapping[str, object], salt: str = SIGN_SALT) -> dict[str, str]:
    """The form to POST: every field as text, `sign` last."""
    form = {k: str(v) for k, v in sorted(params.items()) if k != "sign"}
    form["sign"] = tieba_sign(form, salt)
    return form


def search_form(
    keyword: str,
    page: int,
    *,
    page_size: int,
    client_version: str,
    forum: str = "",
    only_thread: bool = False,
) -> dict[str, str]:
    """The signed form of one /c/s/searchpost page, newest first (sm=1), across all forums (kw="")."""
    return signed_form(
        {
            "_client_version": client_version,
            "kw": forum,
            "only_thread": int(only_thread),
            "pn": page,
            "rn": page_size,
            "sm": 1,
            "word": keyword,
        }
    )


class TiebaApiError(ForumFormatError):
    """The API answered with an error code: the server's reason, kept as given."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(f"贴吧接口返回错误 {code}：{message or '（无说明）'}")


@dataclass
class ApiSearchPage:
    posts: list[ForumPost]
    has_more: bool
    held: int  # entries in post_list, read or not


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _time(value: Any) -> str | None:
    """Unix seconds as Shanghai wall time (the form crawler.parsing.times reads); text as given."""
    text = _str(value)
    if text.isdigit() and len(text) >= 9:
        return datetime.fromtimestamp(int(text), UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return text or None


def _int(value: Any) -> int | None:
    text = _str(value)
    return int(text) if text.isdigit() else None


def tieba_api_search(text: str, base_url: str) -> ApiSearchPage:
    """Posts of one search answer. ForumFormatError when the body is not (whole) JSON of this API,
    TiebaApiError when it carries a non-zero error code."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = "（疑似被截断）" if text.strip() and not text.rstrip().endswith("}") else ""
        raise ForumFormatError(f"贴吧搜索接口的 JSON 无法解析{cut}：{exc.msg}，第 {exc.pos} 字符") from None
    if not isinstance(data, dict):
        raise ForumFormatError("贴吧搜索接口返回的不是 JSON 对象")
    if "error_code" in data or "no" in data:
        code = _str(data.get("error_code", data.get("no")))
        if code not in ("", "0"):
            raise TiebaApiError(code, _str(data.get("error_msg", data.get("error"))))
    body = data.get("data") if isinstance(data.get("data"), dict) else data
    rows = body.get("post_list")
    if rows is None and "error_code" not in data and "no" not in data:
        raise ForumFormatError("不是贴吧搜索接口的回应：没有 error_code，也没有 post_list")
    if not isinstance(rows, list):
        rows = []
    page = body.get("page") if isinstance(body.get("page"), dict) else body
    posts = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        tid, pid = _str(row.get("tid")), _str(row.get("pid"))
        if not tid.isdigit():
            continue
        who = row.get("author") if isinstance(row.get("author"), dict) else row.get("user")
        who = who if isinstance(who, dict) else {}
        names = ("name_show", "show_nickname", "name", "user_name")
        author = next((_str(who[k]) for k in names if _str(who.get(k))), "")
        pid = pid if pid.isdigit() else tid
        extra: dict[str, object] = {"via": "client_api"}
        if _str(row.get("is_floor")) == "1":  # a reply nested under a floor (楼中楼)
            extra["nested_reply"] = True
        posts.append(
            ForumPost(
                post_id=pid,
                thread_id=tid,
                title=_TAG.sub("", _str(row.get("title"))) or None,
                text=re.sub(r"\s+", " ", _TAG.sub("", _str(row.get("content")))).strip(),
                author=author or None,
                published_raw=_time(row.get("time")),
                url=f"{base_url.rstrip('/')}/p/{tid}?pid={pid}#{pid}",
                forum=_str(row.get("fname") or row.get("forum_name")) or None,
                replies=_int(row.get("post_num") or row.get("reply_num")),
                extra=extra,
            )
        )
    return ApiSearchPage(posts=posts, has_more=_str(page.get("has_more")) == "1", held=len(rows))

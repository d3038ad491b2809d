"""m.weibo.cn search JSON and detail pages -> document fields (pure)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from crawler.parsing.counts import parse_count
from crawler.parsing.times import parse_time


class WeiboFormatError(ValueError):
    """The reply is not the search JSON we know (truncated, HTML, unexpected shape)."""


def iter_mblogs(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Posts of a search reply: cards of type 9, also inside type-11 card groups."""
    cards = (payload.get("data") or {}).get("cards") or []
    if not isinstance(cards, list):
        raise WeiboFormatError("data.cards 不是列表")
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == 9 and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        for sub in card.get("card_group") or []:
            if isinstance(sub, dict) and sub.get("card_type") == 9 and isinstance(sub.get("mblog"), dict):
                yield sub["mblog"]


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def mblog_document(
    mblog: dict[str, Any], *, now: datetime, base: str, keyword: str | None = None
) -> dict[str, Any]:
    """Document fields of one post. Raises WeiboFormatError when it has no id."""
    post_id = str(mblog.get("id") or mblog.get("mid") or "").strip()
    if not post_id.isdigit():
        raise WeiboFormatError(f"微博缺少数字 id：{post_id!r}")
    user = mblog.get("user") if isinstance(mblog.get("user"), dict) else {}
    raw_time = mblog.get("created_at")
    retweeted = mblog.get("retweeted_status")
    parent = str(retweeted.get("id")) if isinstance(retweeted, dict) and retweeted.get("id") else None
    bid = mblog.get("bid")
    uid = str(user.get("id")) if user.get("id") is not None else None
    canonical = f"https://weibo.com/{uid}/{bid}" if uid and bid else None
    own = {k: v for k, v in mblog.items() if k != "retweeted_status"}
    return {
        "platform": "weibo",
        "dedup_key": post_id,
        "external_id": post_id,
        "url": f"{base.rstrip('/')}/detail/{post_id}",
        "canonical_url": canonical,
        "title": None,
        "text": str(mblog.get("text") or ""),
        "author": user.get("screen_name"),
        "author_id": uid,
        "author_followers": parse_count(user.get("followers_count")),
        "author_verified_type": _int(user.get("verified_type")),
        "publisher": "微博",
        "published_at": parse_time(str(raw_time) if raw_time is not None else None, now),
        "published_raw": str(raw_time)[:100] if raw_time is not None else None,
        "reposts": parse_count(mblog.get("reposts_count")),
        "comments": parse_count(mblog.get("comments_count")),
        "likes": parse_count(mblog.get("attitudes_count")),
        "parent_key": parent,
        "extra": {
            "mid": mblog.get("mid"),
            "bid": bid,
            "source": mblog.get("source"),
            "region_name": mblog.get("region_name"),
            "pic_num": mblog.get("pic_num"),
            "is_long_text": bool(mblog.get("isLongText")),
            "verified": user.get("verified"),
            "verified_reason": user.get("verified_reason"),
            "keyword": keyword,
        },
        "raw": json.dumps(own, ensure_ascii=False),
    }


_RENDER_DATA = re.compile(r"var\s+\$render_data\s*=\s*(\[.*?\])\s*\[0\]", re.S)


def detail_status(html: str) -> dict[str, Any]:
    """The `status` object of a /detail/{id} page (`var $render_data = [{...}][0] || {};`)."""
    m = _RENDER_DATA.search(html)
    if not m:
        raise WeiboFormatError("详情页没有 $render_data")
    try:
        data = json.loads(m.group(1))
    except json.JSONDecodeError as exc:
        raise WeiboFormatError(f"详情页 $render_data 不是合法 JSON：{exc}") from exc
    status = data[0].get("status") if data and isinstance(data[0], dict) else None
    if not isinstance(status, dict) or not status.get("text"):
        raise WeiboFormatError("详情页缺少 status.text")
    return status

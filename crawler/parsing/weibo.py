"""m.weibo.cn search JSON and detail pages -> document fields (pure)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from yuqing.clock import to_local
from yuqing.crawler.parsing.counts import parse_count
from yuqing.crawler.parsing.times import parse_time


class WeiboFormatError(ValueError):
    """The reply is not the search JSON we know (truncated, HTML, unexpected shape)."""


def load_json(body: bytes) -> Any:
    """A JSON reply (UTF-8, as m.weibo.cn sends it). Raises WeiboFormatError saying what failed:
    empty, cut off (mid-character or mid-document), not UTF-8, HTML instead of JSON, or malformed."""
    if not body or not body.strip():
        raise WeiboFormatError("空响应体")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" or exc.start >= len(body) - 3:
            raise WeiboFormatError(
                f"JSON 被截断：{len(body)} 字节处中断在一个字符中间（回复不完整）"
            ) from None
        raise WeiboFormatError(f"回复不是 UTF-8 文本（第 {exc.start} 字节无法解码）") from None
    stripped = text.lstrip()
    if stripped[:1] == "<":
        raise WeiboFormatError("回复是 HTML 页面而不是 JSON（可能被重定向到登录或验证页）")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1:
            raise WeiboFormatError(
                f"JSON 被截断：在第 {exc.pos} 个字符处意外结束（共 {len(text)} 个字符，回复不完整）"
            ) from None
        raise WeiboFormatError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from None


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


WEIBO_EPOCH_OFFSET = 515483463  # seconds: a post's mid holds its Unix time in the bits above 22
_FIRST_POST = datetime(2009, 8, 1, tzinfo=UTC)


def mid_time(mid: object) -> datetime | None:
    """The publication time a post's mid encodes: (mid >> 22) + 515483463 (Unix seconds)."""
    if not str(mid or "").isdigit():
        return None
    try:
        return datetime.fromtimestamp((int(str(mid)) >> 22) + WEIBO_EPOCH_OFFSET, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def published_time(raw: str | None, mid: object, now: datetime) -> tuple[datetime | None, str | None]:
    """The post's time and how it was found ("mid" or "created_at").

    Relative or yearless forms ("MM-DD", "N小时前", "昨天 HH:MM") lose the year or the minute; the
    mid is exact, so it wins whenever it agrees with what the page printed (same month and day for
    "MM-DD", within the printed precision otherwise). A mid that disagrees (not a real post id) is
    ignored and the printed time is kept.
    """
    printed = parse_time(raw, now) if raw else None
    exact = mid_time(mid)
    if exact is None or not (_FIRST_POST <= exact <= now + timedelta(days=1)):
        return printed, "created_at" if printed else None
    if printed is None:
        return exact, "mid"
    text = (raw or "").strip()
    local_exact, local_printed = to_local(exact), to_local(printed)
    if _YEARLESS_DAY.match(text) or text.endswith("天前"):
        agrees = (local_exact.month, local_exact.day) == (local_printed.month, local_printed.day) or (
            text.endswith("天前") and abs(exact - printed) <= timedelta(days=1)
        )
    elif text.endswith("小时前"):
        agrees = abs(exact - printed) <= timedelta(hours=1)
    else:
        agrees = abs(exact - printed) <= timedelta(minutes=2)
    return (exact, "mid") if agrees else (printed, "created_at")


_YEARLESS_DAY = re.compile(r"^\d{1,2}-\d{1,2}$|^\d{1,2}月\d{1,2}日$")


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
    published, time_from = published_time(
        str(raw_time) if raw_time is not None else None, mblog.get("mid") or mblog.get("id"), now
    )
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
        "published_at": published,
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
            "time_from": time_from,
            "is_long_text": bool(mblog.get("isLongText")),
            "verified": user.get("verified"),
            "verified_reason": user.get("verified_reason"),
            "keyword": keyword,
        },
        "raw": json.dumps(own, ensure_ascii=False),
    }


_RENDER_DATA = re.compile(r"var\s+\$render_data\s*=\s*(\[.*?\])\s*\[0\]", re.S)


def detail_status(html: str) -> dict[str, Any]:
    """The `status` object of a /detail/{id} page (`var $render_data = [{...}][0] || {};`), or of
    the long-text JSON (`/statuses/extend?id=…`: `{"ok": 1, "data": {"longTextContent": …}}`)."""
    if html.lstrip()[:1] == "{":
        try:
            payload = json.loads(html)
        except json.JSONDecodeError as exc:
            raise WeiboFormatError(f"长微博全文 JSON 格式错误：{exc.msg}（第 {exc.pos} 个字符）") from exc
        data = payload.get("data") if isinstance(payload, dict) else None
        text = data.get("longTextContent") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise WeiboFormatError("长微博全文 JSON 缺少 data.longTextContent")
        return {"text": text, **{k: v for k, v in data.items() if k.endswith("_count")}}
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


# -- hot search list --------------------------------------------------------------------------

HOT_CONTAINER = "106003type%3D25%26t%3D3%26disable_hot%3D1%26filter_type%3Drealtimehot"
_HEAT = re.compile(r"\d+")


def hot_url(base: str) -> str:
    return f"{base.rstrip('/')}/api/container/getIndex?containerid={HOT_CONTAINER}"


@dataclass(frozen=True)
class HotTopic:
    rank: int  # 1-based position on the list (a pinned first entry counts as 0)
    desc: str
    heat: int | None
    label: str | None  # 热 / 新 / 沸 … from the icon, when present
    scheme: str | None


_ICON_LABELS = {"hot": "热", "new": "新", "boil": "沸", "fei": "沸", "recom": "荐", "jian": "荐"}


def hot_topics(payload: object) -> list[HotTopic]:
    """Entries of the real-time hot list (`data.cards[0].card_group[]`). Raises WeiboFormatError."""
    if not isinstance(payload, dict):
        raise WeiboFormatError("热搜回复不是 JSON 对象")
    if payload.get("ok") != 1:
        raise WeiboFormatError(f"热搜回复 ok 值异常：{payload.get('ok')!r}")
    cards = (payload.get("data") or {}).get("cards") if isinstance(payload.get("data"), dict) else None
    if not isinstance(cards, list) or not cards or not isinstance(cards[0], dict):
        raise WeiboFormatError("热搜回复缺少 data.cards[0]")
    group = cards[0].get("card_group")
    if not isinstance(group, list):
        raise WeiboFormatError("热搜回复缺少 data.cards[0].card_group")
    out: list[HotTopic] = []
    rank = 0
    for entry in group:
        if not isinstance(entry, dict) or not str(entry.get("desc") or "").strip():
            continue
        extr = entry.get("desc_extr")
        pinned = extr in (None, "") and not out  # the pinned entry on top has no heat
        rank = rank if pinned else rank + 1
        digits = _HEAT.findall(str(extr)) if extr is not None else []
        icon = str(entry.get("icon") or "")
        label = next((v for k, v in _ICON_LABELS.items() if f"_{k}" in icon or f"/{k}" in icon), None)
        scheme = entry.get("scheme")
        out.append(
            HotTopic(
                rank=rank,
                desc=str(entry["desc"]).strip()[:200],
                heat=int(digits[-1]) if digits else None,
                label=label,
                scheme=str(scheme) if isinstance(scheme, str) and scheme.startswith("http") else None,
            )
        )
    return out


def hot_document(topic: HotTopic, *, now: datetime, base: str, topics: list[str]) -> dict[str, Any]:
    """A hot topic as a `weibo_hot` document: one per topic per day (Asia/Shanghai).

    Its own platform keeps hot topics out of the post namespace (dedup keys are post ids there)
    and out of post metrics; the day in the key lets a topic that returns on a later day count again.
    """
    day = to_local(now).date().isoformat()
    query = quote(f"#{topic.desc}#", safe="")
    url = topic.scheme or f"{base.rstrip('/')}/search?containerid=100103type%3D1%26q%3D{query}"
    return {
        "platform": "weibo_hot",
        "dedup_key": f"{day}:{topic.desc}",
        "external_id": None,
        "url": url,
        "canonical_url": f"https://s.weibo.com/weibo?q={query}",
        "title": topic.desc,
        "text": topic.desc,
        "author": None,
        "publisher": "微博热搜",
        "published_at": now,
        "published_raw": None,
        "extra": {
            "rank": topic.rank,
            "heat": topic.heat,
            "label": topic.label,
            "topics": topics,
            "first_seen": now.isoformat(),
        },
        "raw": json.dumps(asdict(topic), ensure_ascii=False),
    }

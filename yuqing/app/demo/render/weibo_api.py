"""m.weibo.cn responses: the search container (getIndex), the detail page and statuses/extend."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html import escape
from urllib.parse import quote

from yuqing.clock import SHANGHAI

from ..items import WeiboPost, WeiboUser
from ..scenario import Scenario
from .common import weibo_time
from .weibo_html import to_html, truncate

PAGE_SIZE = 10
PAGE_CAP = 50            # the real search stops after about 50 pages
LONG_TEXT = 140          # characters beyond which a post is a 长微博
EMPTY = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}


def weibo_count(n: int) -> int | str:
    """Counts as the API shows them: ints below 10,000, then "1.5万", capped at "100万+"."""
    if n < 10_000:
        return n
    if n >= 1_000_000:
        return "100万+"
    return f"{n / 10_000:.1f}".rstrip("0").rstrip(".") + "万"


def grown(final: int, age: timedelta, ramp: timedelta) -> int:
    """A count `age` after posting: it climbs to `final` over `ramp` (fast first, then slower)."""
    if age <= timedelta(0) or final <= 0:
        return 0
    share = min(1.0, (age / ramp) ** 0.6)
    return round(final * share)


def user_json(user: WeiboUser) -> dict:
    verified = user.verified_type >= 0
    out: dict = {
        "id": user.uid,
        "screen_name": user.screen_name,
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop.0.0.180.180.180/{user.uid:x}ly8g.jpg",
        "profile_url": f"https://m.weibo.cn/u/{user.uid}?uid={user.uid}&luicode=10000011&lfid=100103",
        "statuses_count": user.statuses_count,
        "verified": verified,
        "verified_type": user.verified_type,
        "close_blue_v": False,
        "description": user.description,
        "gender": user.gender,
        "mbtype": 12 if verified else 0,
        "urank": 30 if verified else 4,
        "mbrank": 6 if verified else 0,
        "follow_me": False,
        "following": False,
        "follow_count": user.follow_count,
        "followers_count": user.followers_text or weibo_count(user.followers),
    }
    if verified:
        out["verified_reason"] = user.verified_reason
        out["verified_type_ext"] = 1 if user.verified_type == 0 else 0
    return out


def mblog_json(post: WeiboPost, scenario: Scenario, vnow: datetime, *, full: bool = False) -> dict:
    """The `mblog` of a card (`full`: the untruncated text, as the detail page has it)."""
    ramp = scenario.clock.span / 4
    age = vnow - post.at
    is_long = len(post.text) > LONG_TEXT
    text = post.html
    if is_long and not full:
        text = to_html(truncate(post.markup, LONG_TEXT - 20)) + f'...<a href="/status/{post.mid}">全文</a>'
    mblog: dict = {
        "visible": {"type": 0, "list_id": 0},
        "created_at": weibo_time(post.at),
        "id": post.mid,
        "mid": post.mid,
        "bid": post.bid,
        "can_edit": False,
        "text": text,
        "textLength": len(post.text.encode("gbk", errors="replace")),
        "source": post.source,
        "favorited": False,
        "is_paid": False,
        "mblog_vip_type": 0,
        "user": user_json(post.user),
        "reposts_count": weibo_count(grown(post.reposts, age, ramp)),
        "comments_count": weibo_count(grown(post.comments, age, ramp)),
        "attitudes_count": weibo_count(grown(post.likes, age, ramp)),
        "pending_approval_count": 0,
        "isLongText": is_long,
        "region_name": f"发布于 {post.region}",
        "pic_num": post.pic_num,
        "mblogtype": 0,
    }
    if post.pic_num:
        mblog["pics"] = [
            {"pid": f"{post.bid}p{i}", "url": f"https://wx1.sinaimg.cn/orj360/{post.bid}p{i}.jpg"}
            for i in range(post.pic_num)
        ]
    if post.repost_of is not None:
        original = scenario.weibo_by_mid[post.repost_of]
        mblog["retweeted_status"] = mblog_json(original, scenario, vnow)
        mblog["raw_text"] = post.text
    return mblog


def _matches(post: WeiboPost, q: str, by_mid: dict[str, WeiboPost]) -> bool:
    q = q.casefold()
    if q in post.text.casefold():
        return True
    return post.repost_of is not None and q in by_mid[post.repost_of].text.casefold()


def parse_timescope(value: str) -> tuple[datetime, datetime] | bool | None:
    """`custom:2026-11-23-09:2026-11-23-15` → [09:00, 16:00) Beijing time; None if absent, False if bad."""
    if not value:
        return None
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "custom":
        return False
    try:
        start, end = (datetime.strptime(p, "%Y-%m-%d-%H").replace(tzinfo=SHANGHAI) for p in parts[1:])
    except ValueError:
        return False
    return start, end + timedelta(hours=1)


def search_json(scenario: Scenario, vnow: datetime, *, q: str, search_type: str, page: int,
                window: tuple[datetime, datetime] | None = None) -> dict:
    """getIndex for containerid 100103type={t}&q={q}[&timescope=custom:…]: 10 posts a page, newest first
    (type 60, 热门: most reposted first)."""
    by_mid = scenario.weibo_by_mid
    found = [p for p in scenario.weibo if p.at <= vnow and q and _matches(p, q, by_mid)
             and (window is None or window[0] <= p.at < window[1])]
    if search_type == "60":
        found.sort(key=lambda p: (p.reposts, p.at), reverse=True)
    pages = (len(found) + PAGE_SIZE - 1) // PAGE_SIZE
    if page < 1 or page > min(pages, PAGE_CAP):
        return EMPTY
    chunk = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    container = f"100103type={search_type}&q={q}"
    cards: list[dict] = []
    if page == 1:
        cards.append({"card_type": 11, "show_type": 0, "card_group": [
            {"card_type": 10, "user": user_json(scenario.weibo[-1].user), "desc1": "相关用户"}]})
    for i, post in enumerate(chunk):
        card = {
            "card_type": 9,
            "itemid": f"seqid:{post.mid}|type:{search_type}|t:|pos:1-0-{i}",
            "scheme": f"https://m.weibo.cn/status/{post.bid}?mblogid={post.bid}&luicode=10000011"
                      f"&lfid={quote(container, safe='')}",
            "mblog": mblog_json(post, scenario, vnow),
        }
        if i % 5 == 4:   # real result lists nest some posts in a card group
            cards.append({"card_type": 11, "show_type": 1, "card_group": [card]})
        else:
            cards.append(card)
    info = {"containerid": container, "v_p": 42, "show_style": 1, "total": len(found),
            "page": page + 1 if page < min(pages, PAGE_CAP) else None,
            "starttime": int(vnow.timestamp())}
    return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards, "scheme": ""}}


def detail_html(post: WeiboPost, scenario: Scenario, vnow: datetime) -> str:
    """m.weibo.cn/detail/{id}: an HTML shell whose script holds `$render_data` with the full status."""
    data = [{"status": mblog_json(post, scenario, vnow, full=True), "call": 1}]
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    title = escape(f"{post.user.screen_name}的微博")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<title>{title}</title>
</head>
<body>
<div id="app" class="m-container-max"></div>
<script>
var $render_data = {blob}[0] || {{}};
var __wb_performance_data = {{v: "v8", m: "mainsite", pwa: 1, sw: 0}};
</script>
</body>
</html>
"""


def extend_json(post: WeiboPost, scenario: Scenario, vnow: datetime) -> dict:
    """m.weibo.cn/statuses/extend?id=…: the full text of a 长微博."""
    ramp = scenario.clock.span / 4
    age = vnow - post.at
    return {"ok": 1, "data": {
        "ok": 1,
        "longTextContent": post.html,
        "reposts_count": weibo_count(grown(post.reposts, age, ramp)),
        "comments_count": weibo_count(grown(post.comments, age, ramp)),
        "attitudes_count": weibo_count(grown(post.likes, age, ramp)),
    }}

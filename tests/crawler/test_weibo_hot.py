"""Weibo hot-search mode: hot topics matching a watch topic become `weibo_hot` documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from yuqing.clock import to_local
from yuqing.crawler.parsing.weibo import HOT_CONTAINER, WeiboFormatError, hot_document, hot_topics
from yuqing.store.models import Document, Quarantine, Source

from .conftest import SITES, Reply

HOT = f"/api/container/getIndex?containerid={HOT_CONTAINER}"
WATCH = [
    {"name": "物价", "expression": "CPI OR 物价 OR 居民消费价格"},
    {"name": "就业", "expression": "失业率 AND NOT 美国"},
]


def test_hot_list_entries_ranks_and_heat() -> None:
    topics = hot_topics(json.loads((SITES / "weibo/hot.json").read_text(encoding="utf-8")))
    assert [(t.rank, t.desc, t.heat, t.label) for t in topics] == [
        (0, "坚持稳中求进工作总基调", None, None),  # pinned on top, no heat
        (1, "国家统计局：10月CPI同比上涨0.2%", 2345678, "热"),
        (2, "美国失业率升至4.3%", 1500321, None),
        (3, "某顶流官宣恋情", 987654, "沸"),
        (4, "16至24岁青年失业率降至16.1%", 654321, "新"),
        (5, "双十一后物价走势", 123456, None),
    ]
    now = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # already the 21st in Shanghai
    doc = hot_document(topics[1], now=now, base="https://m.weibo.cn", topics=["物价"])
    assert doc["platform"] == "weibo_hot" and doc["dedup_key"] == "2026-11-21:国家统计局：10月CPI同比上涨0.2%"
    assert doc["url"].startswith("https://m.weibo.cn/search?containerid=") and doc["published_at"] == now
    with pytest.raises(WeiboFormatError, match="card_group"):
        hot_topics(json.loads((SITES / "weibo/hot_no_group.json").read_text(encoding="utf-8")))
    with pytest.raises(WeiboFormatError, match="ok"):
        hot_topics({"ok": 0, "msg": "请求过于频繁"})


def hot_source(url: str, **options: object) -> dict:
    return {"name": "微博热搜", "kind": "weibo_search", "url": url, "options": {"hot": True, **options}}


def test_hot_mode_stores_matching_topics_once(site, crawl, session) -> None:
    site.route(HOT, Reply.file("weibo/hot.json"))
    run = crawl([hot_source(site.url, search=False)], "--source", "微博热搜", watch=WATCH)
    assert run.returncode == 0, run.stderr
    docs = {d.title: d for d in session.scalars(select(Document))}
    assert set(docs) == {"国家统计局：10月CPI同比上涨0.2%", "16至24岁青年失业率降至16.1%", "双十一后物价走势"}
    cpi = docs["国家统计局：10月CPI同比上涨0.2%"]
    assert (cpi.platform, cpi.publisher, cpi.status) == ("weibo_hot", "微博热搜", "new")
    assert cpi.extra["rank"] == 1 and cpi.extra["heat"] == 2345678 and cpi.extra["topics"] == ["物价"]
    assert cpi.dedup_key == f"{to_local(cpi.published_at).date().isoformat()}:{cpi.title}"
    assert docs["16至24岁青年失业率降至16.1%"].extra["topics"] == ["就业"]
    assert [p for p in site.log if p != "/robots.txt"] == [HOT]  # search=false: the hot list only

    # the same list again the same day: nothing stored twice
    assert crawl([hot_source(site.url, search=False)], "--source", "微博热搜", watch=WATCH).returncode == 0
    session.expire_all()
    assert session.query(Document).count() == 3
    assert session.scalar(select(Source)).items_last_run == 0


def test_malformed_hot_list_is_quarantined_and_search_goes_on(site, crawl, session) -> None:
    site.route(HOT, Reply.file("weibo/hot_truncated.json"))
    site.route("/api/container/getIndex", Reply.file("weibo/search_end.json"))
    watch = [{**WATCH[0], "keywords": ["CPI"]}]
    run = crawl([hot_source(site.url)], "--source", "微博热搜", watch=watch)
    assert run.returncode == 0, run.stderr
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith(HOT) and "微博热搜榜无法解析" in q.reason
    assert q.body == (SITES / "weibo/hot_truncated.json").read_bytes()
    assert site.hits("100103type%3D61%26q%3DCPI") == 1  # the keyword search still ran
    assert session.query(Document).count() == 0
    assert session.scalar(select(Source)).quarantined_count == 1

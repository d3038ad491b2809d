"""One bad link never costs a page; a feed that loses items says so and keeps the raw feed.

Real Scrapy crawls against the local site (conftest.py), asserting on what reached the store.
"""

from __future__ import annotations

from sqlalchemy import select

from yuqing.crawler.links import link_target
from yuqing.crawler.parsing.article import METHODS
from yuqing.crawler.parsing.feeds import parse_feed
from yuqing.store.models import Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply
from .test_news_crawl import ART, by_path, serve_news


def _feed(site: MockSite, name: str) -> dict:
    site.route(f"/news/{name}", Reply.file(f"news/{name}"))
    return {"name": name, "kind": "news_rss", "url": f"{site.url}/news/{name}"}


def test_link_targets_and_reasons() -> None:
    base = "http://example.invalid/news/list/index.html"
    assert link_target(base, "/news/a.html") == ("http://example.invalid/news/a.html", None)
    assert link_target(base, " b.html ") == ("http://example.invalid/news/list/b.html", None)
    assert link_target(base, "//cdn.example.invalid/c.html") == ("http://cdn.example.invalid/c.html", None)
    assert link_target(base, "javascript:alert(1)") == (None, "javascript")
    assert link_target(base, "JavaScript:void(0)") == (None, "javascript")
    assert link_target(base, "mailto:a@example.invalid") == (None, "scheme")
    assert link_target(base, "tel:010-1234") == (None, "scheme")
    assert link_target(base, "") == (None, "empty")
    assert link_target(base, "#top") == (None, "empty")
    assert link_target(base, "http://[::1") == (None, "invalid")
    assert link_target(base, "http://example.invalid:abc/a.html") == (None, "invalid")  # port no number
    assert link_target(base, "http://example.invalid:99999/a.html") == (None, "invalid")
    assert link_target(base, "http://exa mple.invalid/a.html") == (None, "invalid")


def test_a_feed_whose_first_item_is_javascript_stores_every_other_item(site, crawl, session, caplog) -> None:
    serve_news(site)
    run = crawl([_feed(site, "feed_badlink.xml")], "news_rss")
    assert run.returncode == 0, run.stderr
    got = by_path(session)
    assert set(got) == {"2026/1115/c1004-001.html", "2026/1115/c1004-002.html"}
    # the stored document says which body candidate won, and what each scored
    cpi = got["2026/1115/c1004-001.html"]
    scores = cpi.extra["extract_scores"]
    assert cpi.extra["extract_method"] in METHODS
    assert scores[cpi.extra["extract_method"]] >= 0.97 * max(scores.values()) > 0
    # every skipped link is counted with its reason (the crawl log says which)
    logged = run.stderr + caplog.text  # the crawl runs in this process: its log is captured here
    assert "跳过 3 个无法抓取的链接" in logged
    assert "javascript: 伪链接 1 个" in logged and "链接为空 1 个" in logged
    assert "非 http(s) 链接" in logged
    row = session.scalar(select(Source))
    assert (row.status, row.items_last_run, row.quarantined_count) == ("ok", 2, 0)


def test_a_list_page_with_javascript_void_links_stores_its_articles(site, crawl, session, caplog) -> None:
    serve_news(site)
    site.route("/news/list/badlinks.html", Reply.file("news/list/badlinks.html"))
    src = {
        "name": "要闻列表",
        "kind": "news_site",
        "url": f"{site.url}/news/list/badlinks.html",
        "options": {"item_selector": "ul.news-list li a", "next_selector": "div.pages a.next"},
    }
    run = crawl([src], "news_site")
    assert run.returncode == 0, run.stderr
    assert "Missing scheme" not in run.stderr
    assert set(by_path(session)) == {"2026/1115/c1004-001.html", "2026/1115/c1004-002.html"}
    logged = run.stderr + caplog.text
    assert "javascript: 伪链接 2 个" in logged  # the javascript "下一页" is not a page
    # mailto: and tel:, a port that is no number, an unclosed IPv6 bracket, a host with a space
    assert "非 http(s) 链接（mailto:、tel:、data: 等） 2 个" in logged and "无法解析的链接 3 个" in logged
    assert "ValueError" not in run.stderr
    assert site.hits("javascript") == 0
    row = session.scalar(select(Source))
    assert (row.status, row.items_last_run) == ("ok", 2)


def source_out(session) -> dict:
    """The one source as GET /api/v1/sources presents it."""
    from yuqing.api.routes.sources import list_sources
    from yuqing.config import Settings

    return list_sources(None, session, Settings())[0].model_dump()  # type: ignore[arg-type]


def test_a_list_page_whose_every_link_is_unusable_is_not_shown_as_fine(site, crawl, session) -> None:
    serve_news(site)
    site.route("/news/list/onlybad.html", Reply.file("news/list/onlybad.html"))
    src = {
        "name": "坏列表",
        "kind": "news_site",
        "url": f"{site.url}/news/list/onlybad.html",
        "options": {"item_selector": "ul.news-list li a"},
    }
    assert crawl([src], "news_site").returncode == 0
    assert session.query(Document).count() == 0
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("/news/list/onlybad.html") and "2 个条目链接都无法抓取" in q.reason
    assert q.body == (SITES / "news/list/onlybad.html").read_bytes()
    row = session.scalar(select(Source))
    assert row.status != "ok" and row.quarantined_count == 1
    # the sources page (and the board's source list) reads 告警 and says why
    shown = source_out(session)
    assert (shown["name"], shown["status_label"]) == ("坏列表", "告警")
    assert shown["warnings"] == [f"采集异常：{row.last_error[:80]}"]
    assert "onlybad.html — 页面的 2 个条目链接都无法抓取" in row.last_error


def test_a_malformed_feed_loses_no_item_silently(site, crawl, session) -> None:
    serve_news(site)
    run = crawl([_feed(site, "feed_malformed.xml")], "news_rss")
    assert run.returncode == 0, run.stderr
    # the three readable items are stored; the broken one is flagged and the raw feed kept
    assert set(by_path(session)) == {
        "2026/1115/c1004-001.html",
        "2026/1115/c1004-002.html",
        "2026/1115/c1004-003-final.html",
    }
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("/news/feed_malformed.xml")
    assert "订阅源含 4 条" in q.reason and "1 条因格式错误读不出链接" in q.reason
    assert q.body == (SITES / "news/feed_malformed.xml").read_bytes()
    row = session.scalar(select(Source))
    assert row.status == "warning" and row.items_last_run == 3


def test_an_entity_laden_feed_is_read_whole(site, crawl, session) -> None:
    serve_news(site)
    run = crawl([_feed(site, "feed_entities.xml")], "news_rss")
    assert run.returncode == 0, run.stderr
    got = by_path(session)
    assert set(got) == {"2026/1115/c1004-001.html", "2026/1115/c1004-002.html"}
    assert session.query(Quarantine).count() == 0
    assert session.scalar(select(Source)).status == "ok"
    assert site.hits(ART) == 2


def test_feed_parsing_counts_what_it_could_not_read() -> None:
    entities = parse_feed((SITES / "news/feed_entities.xml").read_text(encoding="utf-8"))
    assert (entities.declared, len(entities.entries), entities.problem) == (2, 2, None)
    assert entities.entries[0].title == "国家统计局：10月份CPI同比上涨0.2%\u00a0“温和”"
    assert entities.entries[1].title == "前三季度GDP—同比增长5.2%"

    empty = parse_feed('<rss version="2.0"><channel><title>空</title></channel></rss>')
    assert empty.entries == [] and empty.problem == "订阅源没有任何条目"

    # a truncated feed: each item read on its own; the two whose links are gone are counted
    truncated = parse_feed(
        '<rss version="2.0"><channel><item><title>甲</title><link>/a.html</link></item>'
        "<item><![CDATA[ <item> 不算条目 ]]></item>"
        "<item><title>乙</title><link>/b.html</link></item><item><title>丙</title><li"
    )
    assert truncated.declared == 4 and truncated.recovered
    assert [e.link for e in truncated.entries if e.link] == ["/a.html", "/b.html"]
    assert "订阅源含 4 条，其中 2 条因格式错误读不出链接" in (truncated.problem or "")


def test_feed_entities_from_a_dtd_are_never_resolved() -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<rss version="2.0"><channel><item><title>t&xxe;&b;</title><link>/x.html</link></item>'
        "</channel></rss>"
    )
    feed = parse_feed(xxe)
    assert [e.link for e in feed.entries] == ["/x.html"]
    assert "root:" not in (feed.entries[0].title or "") and "AAAA" not in (feed.entries[0].title or "")

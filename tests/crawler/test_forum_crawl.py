"""Tieba and Discuz! spiders: GBK/GB18030 pages, threads with replies, incremental re-runs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from yuqing.store.models import CrawlCursor, Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply

SEARCH = "/f/search/res?ie=utf-8&qw=CPI&rn=20&pn="
WRONG_UTF8 = "text/html; charset=utf-8"  # the bytes are GBK


def serve_tieba(site: MockSite) -> None:
    site.route(SEARCH + "1&sm=1", Reply.file("tieba/search_p1.html", content_type=WRONG_UTF8))
    site.route(SEARCH + "2&sm=1", Reply.file("tieba/search_empty.html"))
    site.route("/p/8001", Reply.file("tieba/thread_8001.html", content_type=WRONG_UTF8))
    site.route("/p/8002", Reply.file("tieba/thread_8002.html"))  # cut off mid-page


def docs(session) -> dict[str, Document]:
    return {d.dedup_key: d for d in session.scalars(select(Document))}


def tieba(site: MockSite) -> dict:
    return {"name": "贴吧", "kind": "tieba", "url": site.url, "keywords": ["CPI"]}


def test_tieba_search_and_threads_with_replies(site, crawl, session) -> None:
    serve_tieba(site)
    run = crawl([tieba(site)], "tieba")
    assert run.returncode == 0, run.stderr
    got = docs(session)
    assert set(got) == {"90001", "90002", "90003", "90101"}
    first = got["90001"]
    assert first.platform == "tieba" and first.title == "10月CPI上涨0.2%，你们感觉物价涨了吗"
    assert "猪肉倒是便宜了" in first.text  # the full post from the thread, not the search snippet
    assert (first.author, first.publisher) == ("小城打工人", "经济吧")
    assert first.published_at == datetime(2026, 11, 15, 8, 45, tzinfo=UTC)
    assert got["90002"].published_at == datetime(2026, 11, 15, 9, 2, tzinfo=UTC)  # date from the tail
    assert got["90003"].author == "老会计" and got["90003"].extra["thread_id"] == "8001"

    # the broken thread page is quarantined; its post survives from the search snippet
    snippet = got["90101"]
    assert snippet.extra["snippet_only"] is True and "失业率才5.1%" in snippet.text
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("/p/8002") and q.body == (SITES / "tieba/thread_8002.html").read_bytes()

    before = len(site.log)
    assert crawl([tieba(site)], "tieba").returncode == 0
    assert [p for p in site.log[before:] if p != "/robots.txt"] == [SEARCH + "1&sm=1"]
    session.expire_all()
    assert session.query(Document).count() == 4


def test_tieba_security_check_page_backs_off(site, crawl, session) -> None:
    site.route(SEARCH + "1&sm=1", Reply.file("tieba/captcha.html", status=403))
    assert crawl([tieba(site)], "tieba").returncode == 0
    src = session.scalar(select(Source))
    assert src.status == "blocked" and src.backoff_until is not None
    assert session.query(Document).count() == 0


def test_discuz_threads_in_gb18030_and_only_grown_threads_refetched(site, crawl, session) -> None:
    base = "/bbs/forum.php?mod="
    site.route(base + "forumdisplay&fid=12&page=1", Reply.file("discuz/forum_12_p1.html"))
    site.route(base + "forumdisplay&fid=12&page=2", Reply.file("discuz/forum_12_p2.html"))
    for tid in ("7001", "7002"):
        site.route(f"{base}viewthread&tid={tid}", Reply.file(f"discuz/thread_{tid}.html"))
    site.route(base + "viewthread&tid=7003", Reply(status=500, body=b"Discuz! Database Error"))
    src = {"name": "某市论坛", "kind": "discuz", "url": f"{site.url}/bbs", "options": {"fids": [12]}}

    run = crawl([src], "discuz")
    assert run.returncode == 0, run.stderr
    got = docs(session)
    assert set(got) == {"60001", "60002", "60003", "60101", "60102"}
    post = got["60001"]
    assert post.platform == "discuz" and post.title == "本市10月份物价数据出炉，大家怎么看"
    assert "居民消费价格同比上涨0.3%" in post.text and post.publisher == "民生论坛"
    assert post.published_at == datetime(2026, 11, 15, 2, 30, tzinfo=UTC) and post.author == "老街坊"
    assert site.hits("tid=7003") == 2  # retried once, then given up
    q = session.scalars(select(Quarantine)).one()
    assert q.status_code == 500 and q.body == b"Discuz! Database Error"
    row = session.scalar(select(Source))
    assert (row.status, row.error_count, row.quarantined_count) == ("warning", 1, 1)
    cursor = session.scalars(select(CrawlCursor)).one()
    assert cursor.value["threads"] == {"7001": 2, "7002": 1}  # 7003 failed: tried again next time

    # next run: thread 7001 got a reply, 7003 works again; 7002 is not fetched again
    grown = (SITES / "discuz/forum_12_p1.html").read_bytes().replace(b'xi2">2<', b'xi2">3<')
    site.route(base + "forumdisplay&fid=12&page=1", Reply(body=grown, content_type="text/html"))
    site.route(base + "viewthread&tid=7001", Reply.file("discuz/thread_7001_grown.html"))
    site.route(base + "viewthread&tid=7003", Reply.file("discuz/thread_7003.html"))
    run = crawl([src], "discuz")
    assert run.returncode == 0, run.stderr
    session.expire_all()
    got = docs(session)
    assert set(got) - {"60001", "60002", "60003", "60101", "60102"} == {"60004", "60201"}
    assert site.hits("tid=7002") == 1 and site.hits("tid=7001") == 2
    row = session.scalar(select(Source))
    assert (row.status, row.items_last_run, row.total_items) == ("ok", 2, 7)

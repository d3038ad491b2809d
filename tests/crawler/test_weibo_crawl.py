"""The Weibo search spider against recorded m.weibo.cn replies."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from yuqing.store.models import Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply

API = "/api/container/getIndex?containerid=100103type%3D61%26q%3DCPI&page_type=searchall&page="
NAME = "微博-统计"


def source(site: MockSite, **options) -> dict:
    return {
        "name": NAME,
        "kind": "weibo_search",
        "url": site.url,
        "keywords": ["CPI"],
        "obey_robots": False,
        "options": options,
    }


def serve_cpi(site: MockSite) -> None:
    site.route(API + "1", Reply.file("weibo/search_cpi_p1.json"))
    site.route(API + "2", Reply.file("weibo/search_cpi_p2.json"))
    site.route(API + "3", Reply.file("weibo/search_end.json"))
    site.route("/detail/5001000000000004", Reply.file("weibo/detail_5001000000000004.html"))


def docs(session) -> dict[str, Document]:
    return {d.dedup_key: d for d in session.scalars(select(Document))}


def test_search_pages_store_posts_reposts_and_long_text_once(site, crawl, session) -> None:
    serve_cpi(site)
    run = crawl([source(site)], "weibo_search", "--source", NAME)
    assert run.returncode == 0, run.stderr
    got = docs(session)
    assert len(got) == 12  # 11 posts + the original of a repost
    assert {d.platform for d in got.values()} == {"weibo"}

    first = got["5001000000000001"]
    assert first.published_at == datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
    assert first.published_raw == "Sun Nov 15 10:00:00 +0800 2026"
    assert (first.reposts, first.comments, first.likes) == (120, 45, 300)
    assert (first.author, first.author_followers, first.author_verified_type) == ("新闻早知道", 15000, 3)
    assert first.canonical_url == "https://weibo.com/2001/PaBc1" and first.publisher == "微博"
    assert "<a href" in first.text  # Weibo HTML kept as fetched

    grouped = got["5001000000000002"]  # inside a card_group, with string counts
    assert (grouped.reposts, grouped.comments, grouped.likes) == (1_000_000, 15_000, 200_000_000)
    assert grouped.published_raw == "刚刚" and grouped.published_at is not None

    repost, original = got["5001000000000003"], got["4001000000000001"]
    assert repost.parent_key == "4001000000000001"
    assert original.parent_key is None and original.reposts == 2300 and original.author_followers == 120_000

    long_post = got["5001000000000004"]
    assert "三、服务价格温和上涨" in long_post.text and "全文" not in long_post.text

    assert got["5001000000000008"].published_at == datetime(2025, 12, 31, 15, 59, tzinfo=UTC)
    for key, raw in [
        ("5001000000000005", "今天 09:15"),
        ("5001000000000006", "11-14"),
        ("5001000000000007", "11月13日 18:20"),
        ("5001000000000009", "30秒前"),
    ]:
        assert got[key].published_raw == raw and got[key].published_at is not None
    assert site.hits(API + "3") == 1  # paged until `ok: 0`

    src = session.scalar(select(Source))
    assert (src.status, src.items_last_run, src.total_items) == ("ok", 12, 12)

    # a re-run: page 1 holds only known posts, so it stops there and stores nothing
    before = list(site.log)
    run = crawl([source(site)], "weibo_search", "--source", NAME)
    assert run.returncode == 0, run.stderr
    assert [p for p in site.log[len(before) :] if p != "/robots.txt"] == [API + "1"]
    session.expire_all()
    assert session.query(Document).count() == 12
    assert session.scalar(select(Source)).total_items == 12


def test_watch_topic_keywords_are_searched_and_truncated_json_is_quarantined(site, crawl, session) -> None:
    serve_cpi(site)
    site.route("/api/container/getIndex", Reply.file("weibo/truncated.json"))  # every other keyword
    run = crawl(
        [source(site)],
        "weibo_search",
        "--source",
        NAME,
        watch=[{"name": "就业", "expression": "失业率", "keywords": ["失业率"]}],
    )
    assert run.returncode == 0, run.stderr
    assert any("%E5%A4%B1%E4%B8%9A%E7%8E%87" in p for p in site.log)  # 失业率, from the watch topic
    quarantined = session.scalars(select(Quarantine)).all()
    assert len(quarantined) == 1
    assert quarantined[0].body == (SITES / "weibo/truncated.json").read_bytes()  # kept as fetched
    assert "无法解析" in quarantined[0].reason and quarantined[0].status_code == 200
    assert session.query(Document).count() == 12  # the good keyword still stored everything
    src = session.scalar(select(Source))
    assert (src.status, src.quarantined_count) == ("warning", 1)


def test_captcha_backs_off_the_source_and_a_run_during_backoff_fetches_nothing(site, crawl, session) -> None:
    site.route(API + "1", Reply.file("weibo/captcha.json"))
    run = crawl([source(site)], "weibo_search", "--source", NAME)
    assert run.returncode == 0, run.stderr
    assert "被限流" in run.stdout or "退避" in run.stdout
    src = session.scalar(select(Source))
    assert src.status == "blocked" and "ok: -100" in src.last_error
    assert src.backoff_until is not None and src.last_run_at is not None
    assert (src.backoff_until - src.last_run_at).total_seconds() == 15 * 60
    assert site.hits("/api/") == 1  # not hammered

    fetched = len(site.log)
    run = crawl([source(site)], "weibo_search", "--source", NAME)
    assert run.returncode == 0 and "退避期" in run.stdout
    assert len(site.log) == fetched


def test_http_432_blocks_the_source(site, crawl, session) -> None:
    site.route(API + "1", Reply(status=432, body=b"<html>Request rejected</html>"))
    run = crawl([source(site)], "weibo_search", "--source", NAME)
    assert run.returncode == 0, run.stderr
    src = session.scalar(select(Source))
    assert src.status == "blocked" and "432" in src.last_error
    assert session.query(Document).count() == 0


def test_server_error_then_success_is_retried_with_the_configured_cookie(site, crawl, session) -> None:
    serve_cpi(site)
    site.route(API + "1", Reply(status=503, body=b"busy"), Reply.file("weibo/search_cpi_p1.json"))
    run = crawl([source(site)], "weibo_search", "--source", NAME, crawl_settings={"weibo_cookie": "SUB=abc"})
    assert run.returncode == 0, run.stderr
    assert site.hits(API + "1") == 2
    api_headers = [h for p, h in zip(site.log, site.headers, strict=True) if p.startswith("/api/")]
    assert all(h.get("Cookie") == "SUB=abc" for h in api_headers)
    assert session.query(Document).count() == 12
    src = session.scalar(select(Source))
    assert (src.status, src.error_count) == ("ok", 0)


def test_timeout_is_counted_as_an_error_and_the_crawl_ends(site, crawl, session) -> None:
    site.route(API + "1", Reply.file("weibo/search_cpi_p1.json", delay=3))
    run = crawl([source(site)], "weibo_search", "--source", NAME, crawl_settings={"timeout_seconds": 0.5})
    assert run.returncode == 0, run.stderr
    src = session.scalar(select(Source))
    assert src.status == "error" and src.error_count == 1 and "Timeout" in src.last_error
    assert site.hits(API + "1") == 2  # one retry


def test_page_cap_splits_the_query_by_time_window(site, crawl, session) -> None:
    serve_cpi(site)
    # the oldest post on page 1 is 2025-12-31 23:59 Beijing: the next window ends there
    window = (
        "/api/container/getIndex?containerid=100103type%3D61%26q%3DCPI%26timescope%3Dcustom%3A"
        "2025-12-30-23%3A2025-12-31-23&page_type=searchall&page=1"
    )
    site.route(window, Reply.file("weibo/search_cpi_p2.json"))
    run = crawl([source(site, page_cap=1, max_windows=1)], "weibo_search", "--source", NAME)
    assert run.returncode == 0, run.stderr
    assert site.hits(API + "2") == 0 and site.hits(window) == 1
    assert {"5001000000000010", "5001000000000011"} <= set(docs(session))

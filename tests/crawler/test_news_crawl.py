"""News spiders: RSS/Atom feeds and list pages, with article extraction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from yuqing.store.models import Document, Quarantine, Source

from .conftest import MockSite, Reply

ART = "/news/2026/1115/"


def serve_news(site: MockSite) -> None:
    site.route("/news/feed.xml", Reply.file("news/feed.xml"))
    site.route("/news/atom.xml", Reply.file("news/atom.xml", content_type="application/atom+xml"))
    site.route(
        ART + "c1004-001.html",
        Reply.file("news/2026/1115/c1004-001.html", content_type="text/html; charset=utf-8"),
    )
    # GBK bytes under a header that claims UTF-8, as many provincial sites serve them
    site.route(
        ART + "c1004-002.html",
        Reply.file("news/2026/1115/c1004-002.html", content_type="text/html; charset=utf-8"),
    )
    site.route(ART + "c1004-003.html", Reply(status=301, headers={"Location": ART + "c1004-003-final.html"}))
    site.route(ART + "c1004-003-final.html", Reply.file("news/2026/1115/c1004-003.html"))
    site.route(ART + "empty.html", Reply(body=b""))
    for page in ("index.html", "index_2.html", "index_3.html"):
        site.route(f"/news/list/{page}", Reply.file(f"news/list/{page}"))
    site.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))


def by_path(session) -> dict[str, Document]:
    return {d.url.split("/news/")[1]: d for d in session.scalars(select(Document))}


def test_rss_feed_articles_are_extracted_and_bad_pages_quarantined(site, crawl, session) -> None:
    serve_news(site)
    src = {
        "name": "示例新闻RSS",
        "kind": "news_rss",
        "url": f"{site.url}/news/feed.xml",
        "media_tier": "central",
    }
    run = crawl([src], "news_rss")
    assert run.returncode == 0, run.stderr
    got = by_path(session)
    assert set(got) == {"2026/1115/c1004-001.html", "2026/1115/c1004-002.html?utm_source=rss"}

    cpi = got["2026/1115/c1004-001.html"]
    assert cpi.platform == "news" and cpi.title == "国家统计局：10月份CPI同比上涨0.2%"
    assert "核心CPI同比上涨0.5%" in cpi.text and "<p>" not in cpi.text
    assert cpi.published_at == datetime(2026, 11, 15, 2, 5, tzinfo=UTC)
    assert (cpi.publisher, cpi.author) == ("新华社", "张明")

    gbk = got["2026/1115/c1004-002.html?utm_source=rss"]  # decoded right despite the wrong header
    assert "第一产业增加值同比增长3.4%" in gbk.text
    assert gbk.publisher == "经济日报" and gbk.author == "李华"
    assert gbk.published_at == datetime(2026, 11, 15, 3, 0, tzinfo=UTC)

    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("empty.html") and q.body == b"" and "空" in q.reason
    row = session.scalar(select(Source))
    assert (row.status, row.items_last_run, row.quarantined_count) == ("warning", 2, 1)

    # the feed unchanged: no article is fetched again (nor the quarantined one, kept for review)
    article_hits = site.hits(ART)
    run = crawl([src], "news_rss")
    assert run.returncode == 0, run.stderr
    assert site.hits(ART) == article_hits


def test_atom_feed_follows_redirects_and_skips_articles_another_feed_stored(site, crawl, session) -> None:
    serve_news(site)
    rss = {"name": "RSS", "kind": "news_rss", "url": f"{site.url}/news/feed.xml"}
    atom = {"name": "Atom", "kind": "news_rss", "url": f"{site.url}/news/atom.xml"}
    assert crawl([rss, atom], "news_rss", "--source", "RSS").returncode == 0
    assert crawl([rss, atom], "news_rss", "--source", "Atom").returncode == 0
    got = by_path(session)
    final = got["2026/1115/c1004-003-final.html"]
    assert final.title == "10月份城镇调查失业率为5.1%" and final.publisher == "人民网"
    assert final.published_at == datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
    assert site.hits(ART + "c1004-001.html") == 1  # in both feeds, fetched and stored once
    assert session.query(Document).filter(Document.url.like("%c1004-001%")).count() == 1


def test_list_pages_are_followed_until_known_items(site, crawl, session) -> None:
    serve_news(site)
    src = {
        "name": "经济要闻",
        "kind": "news_site",
        "url": f"{site.url}/news/list/index.html",
        "options": {
            "item_selector": "ul.news-list li a",
            "next_selector": "div.pages a.next",
            "publisher": "示例经济网",
        },
    }
    run = crawl([src], "news_site", "--source", "经济要闻")
    assert run.returncode == 0, run.stderr
    got = by_path(session)
    assert len(got) == 3 and site.hits("/news/list/index_3.html") == 1
    assert got["2026/1115/c1004-003-final.html"].extra["list_url"].endswith("/news/list/index.html")

    run = crawl([src], "news_site", "--source", "经济要闻")
    assert run.returncode == 0, run.stderr
    assert site.hits("/news/list/index_2.html") == 1  # the first page held only known items
    assert site.hits(ART + "c1004-001.html") == 1
    session.expire_all()
    assert session.query(Document).count() == 3


def test_robots_txt_is_obeyed_unless_the_source_says_otherwise(site, crawl, session) -> None:
    serve_news(site)
    site.route("/private/feed.xml", Reply.file("news/feed.xml"))
    src = {"name": "私有", "kind": "news_rss", "url": f"{site.url}/private/feed.xml"}
    assert crawl([src], "news_rss").returncode == 0
    assert site.hits("/private/") == 0 and session.query(Document).count() == 0
    row = session.scalar(select(Source))
    assert row.status == "warning" and "robots.txt" in row.last_error
    assert crawl([{**src, "obey_robots": False}], "news_rss").returncode == 0
    assert site.hits("/private/feed.xml") == 1 and session.query(Document).count() == 2

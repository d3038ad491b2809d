"""Crawling that loses nothing for good: transient failures come back on later crawls with back-off,
an admin releases or re-fetches quarantined items, over-size replies and gzip bombs are refused
with their true reason, and the configuration refuses option typos."""

from __future__ import annotations

import zlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from yuqing.clock import now
from yuqing.store.models import AuditLog, Document, Quarantine, Source

from .conftest import MockSite, Reply, run_cli_subprocess, write_config

ART = "/news/2026/1115/"
SEARCH = "/f/search/res?ie=utf-8&qw=CPI&rn=20&pn=1&sm=1"


def serve_feed(site: MockSite, *first: Reply) -> None:
    site.route("/news/feed.xml", Reply.file("news/feed.xml"))
    site.route(ART + "c1004-001.html", *first, Reply.file("news/2026/1115/c1004-001.html"))
    site.route(ART + "c1004-002.html", Reply.file("news/2026/1115/c1004-002.html"))
    site.route(ART + "empty.html", Reply(body=b""))


def feed(site: MockSite) -> dict:
    return {"name": "新闻", "kind": "news_rss", "url": f"{site.url}/news/feed.xml"}


def test_a_5xx_article_is_fetched_again_after_its_back_off(site, crawl, session) -> None:
    down = Reply(status=503, body=b"<html>Service Unavailable</html>")
    serve_feed(site, down, down)  # both tries of the first crawl (retry_times = 1) fail
    assert crawl([feed(site)], "news_rss").returncode == 0
    assert site.hits(ART + "c1004-001.html") == 2
    q = session.scalar(select(Quarantine).where(Quarantine.url.like("%c1004-001%")))
    assert q.reason == "HTTP 503" and q.attempts == 1 and q.retry_at is not None
    assert timedelta(minutes=9) < q.retry_at - now() <= timedelta(minutes=10)  # refetch_after_minutes

    # a crawl during the back-off leaves it alone
    assert crawl([feed(site)], "news_rss").returncode == 0
    assert site.hits(ART + "c1004-001.html") == 2

    # ten minutes later (the row's retry time moved into the past): fetched again, stored, resolved
    past = now() - timedelta(seconds=1)
    session.execute(update(Quarantine).where(Quarantine.id == q.id).values(retry_at=past))
    session.commit()
    assert crawl([feed(site)], "news_rss").returncode == 0
    assert site.hits(ART + "c1004-001.html") == 3
    assert session.query(Document).filter(Document.url.like("%c1004-001%")).count() == 1
    session.expire_all()
    q = session.get(Quarantine, q.id)
    assert q.retry_at is None and q.released_at is not None


def test_repeated_5xx_backs_off_longer_then_stops(site, crawl, session) -> None:
    serve_feed(site, *[Reply(status=502, body=b"bad gateway")] * 6)  # 2 tries a crawl, 3 crawls
    settings = {"refetch_after_minutes": 10, "refetch_attempts": 3}
    delays = []
    for _ in range(3):
        assert crawl([feed(site)], "news_rss", crawl_settings=settings).returncode == 0
        session.expire_all()
        q = session.scalar(select(Quarantine).where(Quarantine.url.like("%c1004-001%")))
        delays.append(q.retry_at and round((q.retry_at - now()).total_seconds() / 60))
        session.execute(update(Quarantine).where(Quarantine.id == q.id, Quarantine.retry_at.is_not(None))
                        .values(retry_at=now() - timedelta(seconds=1)))
        session.commit()
    assert delays == [10, 20, None]  # 10 min, 20 min, then retries used up: held for an admin
    assert session.query(Quarantine).filter(Quarantine.url.like("%c1004-001%")).count() == 1
    assert q.attempts == 3


def test_admin_lists_releases_and_refetches_quarantined_items(site, crawl, session) -> None:
    serve_feed(site)
    assert crawl([feed(site)], "news_rss").returncode == 0
    empty = session.scalar(select(Quarantine).where(Quarantine.url.like("%empty.html")))
    assert empty.retry_at is None  # unreadable: not retried on its own

    listing = crawl([feed(site)], "list", command="quarantine")
    assert listing.returncode == 0 and "需人工处理" in listing.stdout and str(empty.id) in listing.stdout
    assert site.hits(ART + "empty.html") == 1

    released = crawl([feed(site)], "release", str(empty.id), command="quarantine")
    assert released.returncode == 0 and "已放行 1 条" in released.stdout
    audit = session.scalar(select(AuditLog).where(AuditLog.action == "quarantine.release"))
    assert audit.actor == "cli" and audit.target == f"quarantine:{empty.id}"
    site.route(ART + "empty.html", Reply.file("news/2026/1115/c1004-001.html"))  # fixed at the source
    assert crawl([feed(site)], "news_rss").returncode == 0
    assert site.hits(ART + "empty.html") == 2  # the released URL was fetched again
    assert session.query(Document).filter(Document.url.like("%empty.html")).count() == 1

    session.expire_all()
    assert "已放行" in crawl([feed(site)], "list", "--all", command="quarantine").stdout
    again = crawl([feed(site)], "release", str(empty.id), command="quarantine")
    assert again.returncode == 2 and "已放行过" in again.stderr
    missing = crawl([feed(site)], "release", "999999", command="quarantine")
    assert missing.returncode == 2 and "没有编号为 999999" in missing.stderr


def test_refetch_crawls_the_source_at_once(site, crawl, session) -> None:
    serve_feed(site)
    assert crawl([feed(site)], "news_rss").returncode == 0
    empty = session.scalar(select(Quarantine).where(Quarantine.url.like("%empty.html")))
    site.route(ART + "empty.html", Reply.file("news/2026/1115/c1004-001.html"))
    run = crawl([feed(site)], "refetch", str(empty.id), command="quarantine")
    assert run.returncode == 0, run.stderr
    assert "新闻：" in run.stdout and site.hits(ART + "empty.html") == 2
    assert session.query(Document).filter(Document.url.like("%empty.html")).count() == 1


def _gzip_bomb(megabytes: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = b"\0" * (1024 * 1024)
    return b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.flush()


def tieba(site: MockSite, **options) -> dict:
    return {"name": "贴吧", "kind": "tieba", "url": site.url, "keywords": ["CPI"], "options": options}


def test_gzip_bomb_is_refused_as_too_big_not_as_robots(site, crawl, session) -> None:
    bomb = _gzip_bomb(200)
    assert len(bomb) < 300 * 1024  # ~200 KB on the wire, 200 MB unpacked
    site.route(SEARCH, Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    assert crawl([tieba(site)], "tieba").returncode == 0
    q = session.scalars(select(Quarantine)).one()
    assert "解压后超过大小上限" in q.reason and str(8 * 1024 * 1024) in q.reason
    assert q.body is None and q.retry_at is None  # nothing of the bomb is kept
    src = session.scalar(select(Source))
    assert src.status == "error" and "robots" not in (src.last_error or "")
    assert "解压后超过大小上限" in src.last_error


def test_over_size_reply_is_refused_with_its_size(site, crawl, session) -> None:
    site.route(SEARCH, Reply(body=b"<html>" + b"x" * 300_000 + b"</html>"))
    assert crawl([tieba(site, max_download_bytes=64 * 1024)], "tieba").returncode == 0
    q = session.scalars(select(Quarantine)).one()
    assert "超过上限 65536 字节" in q.reason and "300013" in q.reason
    assert (q.body or b"") == b"" and session.scalar(select(Source)).status == "error"


def test_option_typos_are_refused_when_the_configuration_loads(site, crawl, session) -> None:
    run = crawl([tieba(site, max_page=3)], "tieba")
    assert run.returncode == 2
    assert "来源 '贴吧'（tieba）的选项有误：max_page：不是此类来源的选项" in run.stderr
    forum = {"name": "论坛", "kind": "discuz", "url": site.url, "options": {"fids": [1], "max_pages": "x"}}
    run = crawl([forum], "discuz")
    assert run.returncode == 2 and "来源 '论坛'（discuz）的选项有误：max_pages：应为整数" in run.stderr
    assert site.log == []


def test_a_crawl_process_never_migrates(tmp_path: Path, site) -> None:
    """`yuqing crawl` as the scheduler starts it: an empty database is refused with the advice to
    run `yuqing migrate` (deploy time), never migrated on the way."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    config = write_config(tmp_path / "yuqing.toml", url, [tieba(site)])
    run = run_cli_subprocess(tmp_path, url, config, "crawl", "tieba")
    assert run.returncode == 2 and "yuqing migrate" in run.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "fresh.db") as db:
        assert db.execute("select count(*) from sqlite_master where type='table'").fetchone() == (0,)


def test_scheduler_runner_crawls_in_this_process(site, session, database_url: str, reactor_thread) -> None:
    """The scheduler's in-process runner: consecutive crawls through the one reactor thread."""
    from yuqing.config import Settings
    from yuqing.crawler.run import in_process_runner
    from yuqing.store.sync import sync_config

    serve_feed(site)
    settings = Settings(
        database_url=database_url,
        crawl={"download_delay": 0, "autothrottle": False, "retry_times": 0, "timeout_seconds": 2},
        sources=[feed(site)],
    )
    sync_config(session, settings)
    session.commit()
    run = in_process_runner(settings, timeout=60)
    assert run("新闻") == 0 and run("新闻") == 0
    assert site.hits("/news/feed.xml") == 2 and site.hits(ART + "c1004-001.html") == 1
    assert session.query(Document).count() == 2
    assert run("没有这个来源") == 1


def test_the_crawl_command_as_its_own_process(tmp_path: Path, site, session, database_url: str) -> None:
    """`yuqing crawl` in a child process, as the scheduler starts it by default (CrawlerProcess
    starts and stops the reactor of that process)."""
    serve_feed(site)
    session.rollback()
    config = write_config(tmp_path / "yuqing.toml", database_url, [feed(site)])
    run = run_cli_subprocess(tmp_path, database_url, config, "crawl", "--source", "新闻")
    assert run.returncode == 0, run.stderr
    assert "抓取结果" in run.stdout and "告警" in run.stdout  # 告警: the empty article is quarantined
    assert session.query(Document).count() == 2


def test_a_tieba_thread_that_failed_is_read_by_a_later_crawl(site, crawl, session) -> None:
    """The search keeps the snippets; the thread page, down on the first crawl, is requested again
    once its back-off has passed, although the search no longer leads to it (all posts known)."""
    down = Reply(status=500, body=b"error")
    gbk = "text/html; charset=utf-8"
    site.route(SEARCH, Reply.file("tieba/search_p1.html", content_type=gbk))
    site.route("/f/search/res?ie=utf-8&qw=CPI&rn=20&pn=2&sm=1", Reply.file("tieba/search_empty.html"))
    site.route("/p/8001", down, down, Reply.file("tieba/thread_8001.html", content_type=gbk))
    site.route("/p/8002", Reply.file("tieba/thread_8002.html"))
    assert crawl([tieba(site)], "tieba").returncode == 0
    q = session.scalar(select(Quarantine).where(Quarantine.url.like("%/p/8001")))
    assert q.retry_at is not None and q.reason == "HTTP 500"
    snippets = {d.dedup_key for d in session.scalars(select(Document))}
    past = now() - timedelta(seconds=1)
    session.execute(update(Quarantine).where(Quarantine.id == q.id).values(retry_at=past))
    session.commit()
    assert crawl([tieba(site)], "tieba").returncode == 0
    assert site.hits("/p/8001") == 3
    session.expire_all()
    got = {d.dedup_key: d for d in session.scalars(select(Document))}
    assert set(got) > snippets and "90003" in got  # a reply only the thread page holds
    assert session.get(Quarantine, q.id).retry_at is None


def test_a_released_list_page_is_settled_by_the_next_crawl(site, crawl, session) -> None:
    """A search page cannot be rebuilt from its URL, but every crawl reads it: once released, the
    next crawl that reads it settles the row (no endless "下次抓取时重取")."""
    too_big = Reply(body=b"<html>" + b"x" * 300_000 + b"</html>")
    site.route(SEARCH, too_big, Reply.file("tieba/search_empty.html"))
    assert crawl([tieba(site, max_download_bytes=64 * 1024)], "tieba").returncode == 0
    q = session.scalars(select(Quarantine)).one()
    assert crawl([tieba(site)], "release", str(q.id), command="quarantine").returncode == 0
    assert crawl([tieba(site)], "tieba").returncode == 0
    session.expire_all()
    q = session.get(Quarantine, q.id)
    assert q.retry_at is None and q.released_at is not None
    listing = crawl([tieba(site)], "list", command="quarantine").stdout
    assert "隔离区（0 条）" in listing

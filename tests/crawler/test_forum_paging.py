"""Tieba forum lists (rows hidden in HTML comments) and paged threads on Tieba and Discuz!.

A thread is read from the last page seen, at most max_thread_pages a run; a thread cut off there,
or broken on a later page, is continued by the next run; known unchanged threads stop the paging.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from yuqing.crawler.parsing.forums import (
    ForumFormatError,
    discuz_page_url,
    discuz_thread,
    tieba_forum_list,
    tieba_thread_pages,
)
from yuqing.store.models import CrawlCursor, Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply


def forum_path(name: str, offset: int) -> str:
    return f"/f?kw={quote(name)}&ie=utf-8&pn={offset}"


def keys(session, platform: str) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(Document.dedup_key).where(Document.platform == platform)))


def cursor(session, key: str) -> dict:
    session.expire_all()
    return session.scalars(select(CrawlCursor).where(CrawlCursor.key == key)).one().value


def requests_since(site: MockSite, start: int) -> list[str]:
    return [p for p in site.log[start:] if p != "/robots.txt"]


def test_forum_list_rows_come_out_of_html_comments() -> None:
    html = (SITES / "tieba/forum_jingji_p1.html").read_text(encoding="utf-8")
    rows, forum, has_next = tieba_forum_list(html, "http://t.example/f?kw=x")
    assert [(r.thread_id, r.replies, r.pinned) for r in rows] == [
        ("8100", 5, True), ("8003", 25, False), ("8004", 2, False)
    ]
    assert rows[1].title == "统计局说10月CPI涨0.2%，房租算进去了吗？" and rows[1].author == "租房的小王"
    assert rows[1].url == "http://t.example/p/8003" and forum == "经济吧" and has_next
    with pytest.raises(ForumFormatError, match="thread_list"):
        tieba_forum_list((SITES / "tieba/forum_broken.html").read_text(encoding="utf-8"), "http://t.example/")


def test_thread_page_counts_and_discuz_page_urls() -> None:
    assert tieba_thread_pages((SITES / "tieba/thread_8003_p2.html").read_text(encoding="utf-8")) == 3
    assert tieba_thread_pages((SITES / "tieba/thread_8001.html").read_bytes().decode("gbk")) is None
    url = "http://d.example/forum.php?mod=viewthread&tid=7010&extra=page%3D1"
    assert discuz_page_url(url, 1) == url
    assert discuz_page_url(discuz_page_url(url, 2), 3) == url + "&page=3"
    posts, nxt = discuz_thread((SITES / "discuz/thread_7010_p2.html").read_bytes().decode("gbk"), url)
    assert [p.floor for p in posts] == [3, 4] and nxt is not None and nxt.endswith("page=3")


def serve_forum(site: MockSite, *, grown: bool = False, fixed: bool = False) -> None:
    p1 = "tieba/forum_jingji_p1_grown.html" if grown else "tieba/forum_jingji_p1.html"
    site.route(forum_path("经济", 0), Reply.file(p1))
    site.route(forum_path("经济", 50), Reply.file("tieba/forum_jingji_p2.html"))  # GBK, no charset header
    site.route(forum_path("统计", 0), Reply.file("tieba/forum_broken.html"))
    site.route("/p/8100", Reply.file("tieba/thread_8100.html"))
    site.route("/p/8003", Reply.file("tieba/thread_8003.html"))
    site.route("/p/8003?pn=2", Reply.file("tieba/thread_8003_p2.html"))
    site.route("/p/8003?pn=3", Reply.file(f"tieba/thread_8003_p3{'_grown' if grown else ''}.html"))
    empty = Reply(status=200, body=b"<html><body>")  # a thread page that came back empty
    site.route("/p/8004", Reply.file("tieba/thread_8004.html") if fixed else empty)
    site.route("/p/8005", Reply.file("tieba/thread_8005.html"))
    site.route("/p/8005?pn=2", Reply.file(f"tieba/thread_8005_p2{'' if fixed else '_broken'}.html"))


def test_tieba_forum_lists_follow_grown_threads_and_resume_paged_threads(site, crawl, session) -> None:
    def source(*forums: str) -> dict:
        return {"name": "贴吧吧内", "kind": "tieba", "url": site.url,
                "options": {"forums": list(forums), "max_thread_pages": 2}}

    serve_forum(site)
    run = crawl([source("经济", "统计")], "tieba")
    assert run.returncode == 0, run.stderr
    assert keys(session, "tieba") == {"93100", "93001", "93002", "93003", "93004", "93501"}
    doc = session.scalar(select(Document).where(Document.dedup_key == "93003"))
    assert doc.title == "统计局说10月CPI涨0.2%，房租算进去了吗？" and doc.publisher == "经济吧"
    assert doc.extra["thread_id"] == "8003" and doc.extra["floor"] == 3 and doc.author == "数据控"
    gbk = session.scalar(select(Document).where(Document.dedup_key == "93501"))
    assert gbk.text == "GDP增长4.8%，可身边生意都不好做。"
    reasons = {q.url.removeprefix(site.url): q.reason for q in session.scalars(select(Quarantine))}
    assert set(reasons) == {forum_path("统计", 0), "/p/8004", "/p/8005?pn=2"}
    assert "贴吧吧内列表页无法解析" in reasons[forum_path("统计", 0)]
    assert "贴吧帖子页无法解析" in reasons["/p/8005?pn=2"]
    assert site.hits("/p/8003?pn=3") == 0  # two pages a run
    assert cursor(session, "threads")["pages"] == {"8100": 1, "8003": 2, "8005": 1}
    # only threads read to their end are caught up; the rest are fetched again
    assert cursor(session, "kw:经济")["threads"] == {"8100": 5}

    # 8003 grew and goes on from page 2; 8004 and 8005's page 2 work now
    serve_forum(site, grown=True, fixed=True)
    before = len(site.log)
    assert crawl([source("经济")], "tieba").returncode == 0
    assert keys(session, "tieba") - {"93100", "93001", "93002", "93003", "93004", "93501"} == {
        "93005", "93006", "93401", "93402", "93502"
    }
    fetched = requests_since(site, before)
    assert "/p/8003" not in fetched and "/p/8100" not in fetched  # page 1 already read; pinned unchanged
    assert {"/p/8003?pn=2", "/p/8003?pn=3", "/p/8004", "/p/8005", "/p/8005?pn=2"} <= set(fetched)
    assert cursor(session, "kw:经济")["threads"] == {"8100": 5, "8003": 27, "8004": 2, "8005": 12}

    # nothing changed: one list page, stopped at the first known thread, no thread fetched
    before = len(site.log)
    assert crawl([source("经济")], "tieba").returncode == 0
    assert requests_since(site, before) == [forum_path("经济", 0)]
    assert session.scalar(select(Source)).status == "ok"


def test_discuz_thread_pages_capped_per_run_and_resumed(site, crawl, session) -> None:
    base = "/bbs/forum.php?mod="
    thread = base + "viewthread&tid={}&extra=page%3D1"
    site.route(base + "forumdisplay&fid=20&page=1", Reply.file("discuz/forum_20.html"))
    site.route(thread.format(7010), Reply.file("discuz/thread_7010.html"))
    site.route(thread.format(7010) + "&page=2", Reply.file("discuz/thread_7010_p2.html"))
    site.route(thread.format(7010) + "&page=3", Reply.file("discuz/thread_7010_p3.html"))
    site.route(thread.format(7011), Reply.file("discuz/thread_7011.html"))
    site.route(thread.format(7011) + "&page=2", Reply.file("discuz/thread_7011_p2_broken.html"))
    src = {"name": "某市论坛", "kind": "discuz", "url": f"{site.url}/bbs",
           "options": {"fids": [20], "max_thread_pages": 2}}

    run = crawl([src], "discuz")
    assert run.returncode == 0, run.stderr
    assert keys(session, "discuz") == {"61001", "61002", "61003", "61004", "61101"}
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("tid=7011&extra=page%3D1&page=2") and "论坛帖子页无法解析" in q.reason
    assert q.body == (SITES / "discuz/thread_7011_p2_broken.html").read_bytes()
    assert site.hits("tid=7010&extra=page%3D1&page=3") == 0
    value = cursor(session, "fid:20")
    assert value == {"threads": {}, "pages": {"7010": 2, "7011": 1}}

    # same list: both threads are unfinished, so each goes on from its last page read
    site.route(thread.format(7011) + "&page=2", Reply.file("discuz/thread_7011_p2.html"))
    before = len(site.log)
    assert crawl([src], "discuz").returncode == 0
    assert keys(session, "discuz") >= {"61005", "61102"}
    fetched = requests_since(site, before)
    assert thread.format(7010) not in fetched and thread.format(7010) + "&page=2" in fetched
    assert thread.format(7011) in fetched  # its page 2 was broken: page 1 is the last read
    assert cursor(session, "fid:20") == {"threads": {"7010": 4, "7011": 1}, "pages": {"7010": 3, "7011": 2}}
    post = session.scalar(select(Document).where(Document.dedup_key == "61005"))
    assert post.extra["floor"] == 5 and post.title == "本市第三季度居民收入数据讨论（长帖）"

    # a new reply on the last page: only that page is fetched
    site.route(base + "forumdisplay&fid=20&page=1", Reply.file("discuz/forum_20_grown.html"))
    site.route(thread.format(7010) + "&page=3", Reply.file("discuz/thread_7010_p3_grown.html"))
    before = len(site.log)
    assert crawl([src], "discuz").returncode == 0
    assert requests_since(site, before) == [
        base + "forumdisplay&fid=20&page=1", thread.format(7010) + "&page=3"
    ]
    assert "61006" in keys(session, "discuz")

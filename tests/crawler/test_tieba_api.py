"""Tieba's signed client JSON search (options.search_via = "client_api"): signing, the answer read
into the same posts as the search page, and real Scrapy crawls against the local site.

Fixtures: tests/fixtures/sites/tieba/api_*.json, our own text shaped like the answers public clients
document (origins in tests/fixtures/sites/tieba/API_ORIGIN.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from yuqing.crawler.parsing.forums import ForumFormatError
from yuqing.crawler.parsing.tieba_api import (
    TiebaApiError,
    search_form,
    signed_form,
    tieba_api_search,
    tieba_sign,
)
from yuqing.source_options import parse_options
from yuqing.store.models import Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply

API = "/c/s/searchpost"
WRONG_UTF8 = "text/html; charset=utf-8"  # thread_8001.html is GBK


def fixture(name: str) -> str:
    return (SITES / "tieba" / name).read_text(encoding="utf-8")


# -- signing ----------------------------------------------------------------------------------


def test_sign_matches_a_request_signed_by_a_public_client() -> None:
    """StopTrackingMe-Dev/StopTrackingMe @ 40316ade : app/src/test/java/app/stoptrackingme/preview/
    SharePreviewTest.kt posts `_client_type=2&_client_version=12.80.1.0&kz=10909169596&pn=1&rn=10`
    with sign=63158a491c7a47640466c43c3c3ae04a."""
    params = {"rn": 10, "pn": 1, "kz": "10909169596", "_client_version": "12.80.1.0", "_client_type": 2}
    assert tieba_sign(params) == "63158a491c7a47640466c43c3c3ae04a"
    form = signed_form({**params, "sign": "stale"})
    assert list(form) == ["_client_type", "_client_version", "kz", "pn", "rn", "sign"]
    assert form["sign"] == "63158a491c7a47640466c43c3c3ae04a"


def test_search_form_is_newest_first_across_forums_and_signs_the_raw_keyword() -> None:
    form = search_form("居民消费价格", 2, page_size=30, client_version="12.23.1.0")
    assert {k: v for k, v in form.items() if k != "sign"} == {
        "_client_version": "12.23.1.0", "kw": "", "only_thread": "0", "pn": "2", "rn": "30",
        "sm": "1", "word": "居民消费价格",
    }
    assert form["sign"] == tieba_sign(form)
    assert form["sign"] != tieba_sign({**form, "word": "%E5%B1%85"})  # values are signed unencoded


# -- the answer -------------------------------------------------------------------------------


def test_client_answer_reads_into_forum_posts() -> None:
    page = tieba_api_search(fixture("api_search_p1.json"), "https://tieba.baidu.com/")
    assert page.has_more and page.held == 3
    first, nested, other = page.posts
    assert (first.post_id, first.thread_id) == ("90001", "8001")
    assert (first.forum, first.author) == ("经济", "小城打工人")
    assert first.title == "10月CPI上涨0.2%，你们感觉物价涨了吗"
    assert first.text == "统计局说CPI上涨0.2%，可是我家附近的菜价明显涨了不少……"  # highlight tags dropped
    assert first.published_raw == "2026-11-15 16:45:00"  # Unix seconds, Shanghai wall time
    assert first.url == "https://tieba.baidu.com/p/8001?pid=90001#90001"
    assert first.replies is None  # the client answer carries no reply count
    assert nested.extra["nested_reply"] is True and "nested_reply" not in first.extra
    assert other.thread_id == "8002" and other.author == "求职中"
    assert not tieba_api_search(fixture("api_search_p2.json"), "https://tieba.baidu.com").has_more


def test_hybrid_answer_gives_the_reply_count() -> None:
    (post,) = tieba_api_search(fixture("api_hybrid.json"), "https://tieba.baidu.com").posts
    assert (post.post_id, post.thread_id, post.forum, post.author, post.replies) == (
        "93402", "8004", "经济", "hr_laoli", 2
    )
    assert post.published_raw == "2026-11-16 08:42:00"


def test_error_code_and_cut_off_body_keep_their_true_reason() -> None:
    with pytest.raises(TiebaApiError) as err:
        tieba_api_search(fixture("api_error.json"), "https://tieba.baidu.com")
    assert (err.value.code, err.value.message) == ("220034", "您的操作太频繁了！")
    with pytest.raises(ForumFormatError, match="截断"):
        tieba_api_search(fixture("api_truncated.json"), "https://tieba.baidu.com")
    with pytest.raises(ForumFormatError, match="不是贴吧搜索接口"):
        tieba_api_search('{"status": "ok"}', "https://tieba.baidu.com")
    # an empty result is no error
    empty = tieba_api_search('{"error_code":"0","error_msg":"","post_list":[],"page":{"has_more":"0"}}', "x")
    assert empty.posts == [] and not empty.has_more


def test_search_options_are_typed() -> None:
    opts = parse_options("贴吧", "tieba", {"search_via": "client_api", "api_page_size": 50})
    assert (opts.search_via, opts.api_url) == ("client_api", "http://c.tieba.baidu.com/c/s/searchpost")
    with pytest.raises(ValueError, match="search_via：不是可选的取值"):
        parse_options("贴吧", "tieba", {"search_via": "json"})
    with pytest.raises(ValueError, match="api_page_size：数值过大"):
        parse_options("贴吧", "tieba", {"api_page_size": 500})


# -- crawls -----------------------------------------------------------------------------------


def api_source(site: MockSite, **options: object) -> dict:
    return {
        "name": "贴吧接口", "kind": "tieba", "url": site.url, "keywords": ["CPI"],
        "options": {"search_via": "client_api", "api_url": site.url + API, "api_page_size": 3, **options},
    }


def serve_api(site: MockSite) -> None:
    pages = {"1": "api_search_p1.json", "2": "api_search_p2.json"}
    site.post_handlers[API] = lambda form: Reply.file("tieba/" + pages[form["pn"]])
    site.route("/p/8001", Reply.file("tieba/thread_8001.html", content_type=WRONG_UTF8))
    site.route("/p/8002", Reply.file("tieba/thread_8002.html"))  # cut off mid-page
    site.route("/p/8004", Reply.file("tieba/thread_8004.html"))


def docs(session) -> dict[str, Document]:
    return {d.dedup_key: d for d in session.scalars(select(Document))}


def test_client_api_search_signed_paged_threads_read_and_incremental(site, crawl, session) -> None:
    serve_api(site)
    run = crawl([api_source(site)], "tieba")
    assert run.returncode == 0, run.stderr
    got = docs(session)
    assert set(got) == {"90001", "90002", "90003", "90009", "90101", "93401", "93402"}
    assert "猪肉倒是便宜了" in got["90001"].text  # the thread page, not the API snippet
    assert (got["90001"].author, got["90001"].publisher) == ("小城打工人", "经济吧")
    nested = got["90009"]  # a nested reply the thread page does not show: kept from the answer
    assert nested.extra["snippet_only"] is True and nested.extra["thread_id"] == "8001"
    assert nested.published_at == datetime(2026, 11, 15, 12, 5, tzinfo=UTC)
    assert got["90101"].extra["snippet_only"] is True  # its thread page failed
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("/p/8002")

    forms = [form for path, form in site.forms if path == API]
    assert [f["pn"] for f in forms] == ["1", "2"]
    for form in forms:  # every page signed over what it sends
        assert form["word"] == "CPI" and form["rn"] == "3" and form["sm"] == "1"
        assert form["sign"] == tieba_sign(form)

    before = len(site.log)
    assert crawl([api_source(site)], "tieba").returncode == 0
    # every hit of the first page is known: no thread and no further page is fetched
    assert [p for p in site.log[before:] if p != "/robots.txt"] == [f"POST {API}"]
    session.expire_all()
    assert session.query(Document).count() == 7


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("api_error.json", "返回错误：error_code=220034，error_msg=您的操作太频繁了！"),
        ("api_truncated.json", "的回应无法读取：贴吧搜索接口的 JSON 无法解析（疑似被截断）"),
    ],
)
def test_client_api_error_or_cut_off_answer_is_quarantined_with_its_reason(
    site, crawl, session, body: str, reason: str
) -> None:
    site.post_handlers[API] = lambda form: Reply.file("tieba/" + body)
    assert crawl([api_source(site)], "tieba").returncode == 0
    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith(API) and reason in q.reason and "关键词「CPI」第 1 页" in q.reason
    assert q.body == (SITES / "tieba" / body).read_bytes()
    src = session.scalar(select(Source))
    assert src.status == "error" and reason in (src.last_error or "")
    assert session.query(Document).count() == 0


# a search page rendered by script: an empty mount point, no results in the markup
SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>百度贴吧</title></head>
<body><div id="app"></div><script src="/static/search/app.js"></script></body></html>""".encode()
SEARCH_P1 = "/f/search/res?ie=utf-8&qw=CPI&rn=20&pn=1&sm=1"


def test_auto_turns_to_the_api_when_the_search_page_is_a_script_shell(site, crawl, session) -> None:
    serve_api(site)
    site.route(SEARCH_P1, Reply(body=SHELL))
    assert crawl([api_source(site, search_via="auto")], "tieba").returncode == 0
    assert set(docs(session)) == {"90001", "90002", "90003", "90009", "90101", "93401", "93402"}
    assert [q.url.rsplit("/", 1)[1] for q in session.scalars(select(Quarantine))] == ["8002"]
    assert site.hits("/f/search/res") == 1 and site.hits(f"POST {API}") == 2


def test_auto_keeps_the_shell_when_the_api_fails_too(site, crawl, session) -> None:
    site.route(SEARCH_P1, Reply(body=SHELL))
    site.post_handlers[API] = lambda form: Reply.file("tieba/api_error.json")
    assert crawl([api_source(site, search_via="auto")], "tieba").returncode == 0
    reasons = sorted(q.reason for q in session.scalars(select(Quarantine)))
    assert len(reasons) == 2 and "error_code=220034" in reasons[0]
    assert reasons[1].startswith("贴吧搜索页不是结果页，改用接口也失败：") and "220034" in reasons[1]

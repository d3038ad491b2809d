"""Faults on one list page: each bad page is quarantined with its true reason, the others are
stored, and the source is not 正常. Real Scrapy crawl against the local site (conftest.py)."""

from __future__ import annotations

import zlib

from sqlalchemy import select

from yuqing.crawler.parsing.charset import decode_html
from yuqing.store.models import Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply

UTF8_ARTICLE = "news/2026/1115/c1004-001.html"  # UTF-8 bytes
GBK_ARTICLE = "news/2026/1115/c1004-002.html"  # GBK bytes
PAGES = {  # path: what each link of the list page answers
    "/f/utf8-said-gbk.html": Reply.file(UTF8_ARTICLE, content_type="text/html; charset=gbk"),
    "/f/gbk-said-latin1.html": Reply.file(GBK_ARTICLE, content_type="text/html; charset=iso-8859-1"),
    "/f/missing.html": Reply(status=404, body=b"<html><body>404 Not Found</body></html>"),
    "/f/binary.html": Reply(body=b"\x89PNG\r\n\x1a\n" + zlib.compress(bytes(range(256)) * 20)),
    "/f/no-article.html": Reply(body='<html><body><div class="nav"><a href="/">首页</a>'.encode()),
}


def test_each_fault_is_quarantined_with_its_reason_and_the_rest_is_stored(
    site: MockSite, crawl, session
) -> None:
    links = "".join(f'<li><a href="{path}">条目</a></li>' for path in PAGES)
    site.route("/f/list.html", Reply(body=f'<ul class="news-list">{links}</ul>'.encode()))
    for path, reply in PAGES.items():
        site.route(path, reply)
    src = {
        "name": "故障列表", "kind": "news_site", "url": f"{site.url}/f/list.html",
        "options": {"item_selector": "ul.news-list li a"},
    }
    run = crawl([src], "news_site")
    assert run.returncode == 0, run.stderr

    stored = {d.url.rsplit("/", 1)[1]: d for d in session.scalars(select(Document))}
    assert set(stored) == {"utf8-said-gbk.html", "gbk-said-latin1.html"}
    # both decoded right whatever the header claimed (no mojibake of either)
    assert "核心CPI同比上涨0.5%" in stored["utf8-said-gbk.html"].text
    assert "第一产业增加值同比增长3.4%" in stored["gbk-said-latin1.html"].text

    reasons = {q.url.rsplit("/", 1)[1]: q.reason for q in session.scalars(select(Quarantine))}
    assert reasons == {
        "missing.html": "HTTP 404",
        "binary.html": "无法识别字符集（声明为 utf-8）",
        "no-article.html": "文章解析失败：正文为空或无法解析",
    }
    row = session.scalar(select(Source))
    assert (row.status, row.items_last_run, row.quarantined_count) == ("warning", 2, 3)


def test_utf8_under_a_gbk_claim_and_gbk_under_a_latin1_header() -> None:
    """UTF-8 read as GB18030 decodes without error into mojibake; Latin-1 decodes anything."""
    page = '<html><head><meta charset="gbk"><title>统计数据显示</title></head><body>统计数据</body></html>'
    as_utf8 = decode_html(page.encode("utf-8"))
    assert "统计数据显示" in as_utf8.text and "缁熻" not in as_utf8.text
    assert as_utf8.encoding == "utf-8" and not as_utf8.trusted_declaration
    as_gbk = decode_html(page.encode("gbk"), "iso-8859-1")
    assert "统计数据显示" in as_gbk.text and as_gbk.encoding == "gb18030" and not as_gbk.trusted_declaration
    # GBK bytes that happen to be valid UTF-8 ("隆垄拢" is b"\xc2\xa1\xc2\xa2\xc2\xa3") keep the claim
    short = '<html><head><meta charset="gbk"></head><body>隆垄拢</body></html>'.encode("gbk")
    assert "隆垄拢" in decode_html(short).text
    assert "国内生产总值" in decode_html((SITES / GBK_ARTICLE).read_bytes(), "utf-8").text

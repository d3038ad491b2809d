"""News comments (新闻跟帖) of collected articles and WeChat public-account articles.

Real Scrapy crawls against the local site; the comment JSON is shaped like NetEase's newList
responses as public crawlers document them, the WeChat pages like mp.weixin.qq.com article pages
and a Sogou WeChat search results page.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from yuqing.crawler.parsing.comments import CommentsError, parse_comment_page, utf8_body
from yuqing.crawler.parsing.wechat import WechatError, article_key, parse_wechat_article, redirect_target
from yuqing.store.models import Document, Quarantine, Source

from .conftest import SITES, MockSite, Reply
from .test_news_crawl import serve_news

NOW = datetime(2026, 11, 16, tzinfo=UTC)


def _comments_source(site: MockSite) -> dict:
    return {
        "name": "示例跟帖",
        "kind": "news_comments",
        "url": f"{site.url}/comments/{{thread}}?offset={{offset}}&limit={{limit}}",
        "options": {"thread_pattern": r"/(c1004-\d+)\.html", "limit": 4, "publisher": "示例新闻网跟帖"},
    }


def test_comments_of_collected_articles_are_stored_once_each(site, crawl, session) -> None:
    serve_news(site)
    site.route("/comments/c1004-001?offset=0&limit=4", Reply.file("comments/c1004-001_p1.json"))
    site.route("/comments/c1004-001?offset=4&limit=4", Reply.file("comments/c1004-001_p2.json"))
    site.route("/comments/c1004-002?offset=0&limit=4", Reply.file("comments/broken.html", status=200))
    rss = {"name": "RSS", "kind": "news_rss", "url": f"{site.url}/news/feed.xml"}
    sources = [rss, _comments_source(site)]
    assert crawl(sources, "news_rss", "--source", "RSS").returncode == 0
    run = crawl(sources, "news_comments", "--source", "示例跟帖")
    assert run.returncode == 0, run.stderr

    got = {
        d.external_id: d for d in session.scalars(select(Document).where(Document.platform == "news_comment"))
    }
    assert set(got) == {"9001", "9002", "9003", "9004", "9005"}
    first = got["9001"]
    assert first.dedup_key == "c1004-001:9001" and first.url.endswith(
        "/news/2026/1115/c1004-001.html#comment-9001"
    )
    assert first.title == "国家统计局：10月份CPI同比上涨0.2%" and first.author == "老王看经济"
    assert first.text == "CPI才涨0.2%？菜价明明涨了不少，这数据我不信。" and first.likes == 152
    assert first.published_at == datetime(2026, 11, 15, 3, 20, 5, tzinfo=UTC)
    assert first.extra["location"] == "北京市" and first.publisher == "示例新闻网跟帖"
    reply = got["9003"]
    assert reply.text == "回复：猪肉是降了，房租可没降。" and reply.author == "匿名网友"
    assert reply.extra["reply_to"] == "c1004-001:9002"

    # the second article's comment API answered with an error page: kept, with the reason
    q = session.scalars(select(Quarantine).where(Quarantine.url.like("%/comments/%"))).one()
    assert "c1004-002" in q.url and "不是 JSON" in q.reason
    row = session.scalar(select(Source).where(Source.name == "示例跟帖"))
    assert row.status == "warning" and row.items_last_run == 5

    # incremental: the first page holds nothing new, so the second is not asked again
    assert site.hits("offset=4") == 1
    assert crawl(sources, "news_comments", "--source", "示例跟帖").returncode == 0
    assert site.hits("offset=4") == 1
    session.expire_all()
    assert session.query(Document).filter(Document.platform == "news_comment").count() == 5


def test_comment_pages_that_are_no_comment_list() -> None:
    with pytest.raises(CommentsError, match="不是 JSON"):
        parse_comment_page("<html>502</html>", now=NOW)
    with pytest.raises(CommentsError, match="签名错误"):
        parse_comment_page('{"code": "40003", "message": "签名错误"}', now=NOW)
    past_end = parse_comment_page('{"code": "40001", "message": "非法的分页参数"}', now=NOW)
    assert past_end.finished and past_end.comments == []
    page = parse_comment_page((SITES / "comments/c1004-001_p1.json").read_text(encoding="utf-8"), now=NOW)
    assert [c.id for c in page.comments] == ["9001", "9002", "9003", "9004"] and page.total == 5
    # a reply cut off is named as such, whether JSON, JSONP or inside a character
    netease = (SITES / "comments/c1004-001_p1.json").read_text(encoding="utf-8")
    with pytest.raises(CommentsError, match="被截断：JSON 在第"):
        parse_comment_page(netease[: len(netease) // 2], now=NOW)
    coral = (SITES / "comments/coral_p1.js").read_text(encoding="utf-8")
    with pytest.raises(CommentsError, match="被截断：JSONP"):
        parse_comment_page(coral[: len(coral) // 2], now=NOW)
    raw = netease.encode("utf-8")
    cut = raw[: raw.index("菜价".encode()) + 1]  # inside 菜
    with pytest.raises(CommentsError, match="中断在一个字符中间"):
        utf8_body(cut)
    assert utf8_body(b"") is None and utf8_body("统计".encode("gbk")) is None  # left to charset detection


def _wechat_source(site: MockSite) -> dict:
    return {
        "name": "公众号搜索",
        "kind": "wechat",
        "url": f"{site.url}/wechat/weixin?type=2&query={{keyword}}&page={{page}}",
        "keywords": ["CPI"],
    }


def serve_wechat(site: MockSite) -> None:
    site.route("/wechat/weixin", Reply.file("wechat/search.html", content_type="text/html; charset=utf-8"))
    site.route("/s/AbCdEf123", Reply.file("wechat/article_a.html"))
    site.route("/mp/appmsg", Reply.file("wechat/article_long.html"))
    site.route("/s/Deleted999", Reply.file("wechat/deleted.html"))
    site.route("/link", Reply.file("wechat/sogou_link.html"))
    site.route("/s/ViaSogou7", Reply.file("wechat/article_via.html"))


def test_wechat_articles_found_through_the_search_page(site, crawl, session, caplog) -> None:
    serve_wechat(site)
    run = crawl([_wechat_source(site)], "wechat")
    assert run.returncode == 0, run.stderr
    got = {d.dedup_key: d for d in session.scalars(select(Document))}
    # the Sogou-style /link result is followed through its script redirect to the article
    assert set(got) == {"wechat:s/AbCdEf123", "wechat:MzA5NjEwMTQ1Mg==:2650000001:2", "wechat:s/ViaSogou7"}
    assert got["wechat:s/ViaSogou7"].publisher == "统计科普"
    a = got["wechat:s/AbCdEf123"]
    assert a.platform == "wechat" and a.title == "10月份CPI数据解读"
    assert (a.publisher, a.author) == ("统计微讯", "统计小编")
    assert a.published_at == datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
    assert "核心CPI同比上涨0.5%" in a.text and "微信扫一扫" not in a.text and "关注该公众号" not in a.text
    assert a.extra["keyword"] == "CPI"
    long = got["wechat:MzA5NjEwMTQ1Mg==:2650000001:2"]
    assert long.publisher == "经济观察者" and long.published_at == datetime(2026, 11, 14, 16, 0, tzinfo=UTC)

    q = session.scalars(select(Quarantine)).one()
    assert q.url.endswith("/s/Deleted999") and "该内容已被发布者删除" in q.reason
    assert "javascript: 伪链接 1 个" in run.stderr + caplog.text

    # incremental and polite: nothing stored or quarantined is fetched again
    hits = site.hits("/s/") + site.hits("/mp/appmsg")
    assert crawl([_wechat_source(site)], "wechat").returncode == 0
    assert site.hits("/s/") + site.hits("/mp/appmsg") == hits
    session.expire_all()
    assert session.query(Document).count() == 3


def test_a_wechat_verification_page_backs_the_source_off(site, crawl, session) -> None:
    site.route("/wechat/weixin", Reply.file("wechat/search.html", content_type="text/html; charset=utf-8"))
    for path in ("/s/AbCdEf123", "/mp/appmsg", "/s/Deleted999", "/link"):
        site.route(path, Reply.file("wechat/verify.html"))
    assert crawl([_wechat_source(site)], "wechat").returncode == 0
    assert session.query(Document).count() == 0
    row = session.scalar(select(Source))
    assert row.status == "blocked" and row.backoff_until is not None and "环境异常" in row.last_error


def test_wechat_pages_that_cannot_be_read() -> None:
    for name, reason in (("verify.html", "环境异常"), ("deleted.html", "删除")):
        with pytest.raises(WechatError, match=reason):
            parse_wechat_article(
                (SITES / "wechat" / name).read_text(encoding="utf-8"), "https://x/s/a", now=NOW
            )
    with pytest.raises(WechatError, match="js_content"):
        parse_wechat_article("<html><body><p>别的页面</p></body></html>", "https://x/s/a", now=NOW)
    assert article_key("https://mp.weixin.qq.com/s?__biz=QQ==&mid=5&idx=1&sn=z") == "wechat:QQ==:5:1"
    assert article_key("https://mp.weixin.qq.com/s/Xy_z-1") == "wechat:s/Xy_z-1"
    # Sogou's /link page: a starting piece and "@"-salted pieces (iszhouhua/weixin-sogou's reading)
    link = (
        "<script>var url = 'https://mp.';\nurl += 'wei@xin.qq.com/s?__biz=QQ==';\n"
        "url += '&mid=5&i@dx=1';</script>"
    )
    assert redirect_target(link) == "https://mp.weixin.qq.com/s?__biz=QQ==&mid=5&idx=1"
    sogou = (SITES / "wechat" / "sogou_link.html").read_text(encoding="utf-8")
    assert redirect_target(sogou) == "/s/ViaSogou7"


def test_cursor_paged_comments_of_another_portal(site, crawl, session) -> None:
    serve_news(site)
    site.route(
        "/coral/c1004-001?cursor=0", Reply.file("comments/coral_p1.js", content_type="text/javascript")
    )
    site.route(
        "/coral/c1004-001?cursor=6702", Reply.file("comments/coral_p2.js", content_type="text/javascript")
    )
    rss = {"name": "RSS", "kind": "news_rss", "url": f"{site.url}/news/feed.xml"}
    coral = {
        "name": "腾讯跟帖",
        "kind": "news_comments",
        "url": f"{site.url}/coral/{{thread}}?cursor={{cursor}}",
        "options": {"thread_pattern": r"/(c1004-001)\.html"},
    }
    assert crawl([rss, coral], "news_rss", "--source", "RSS").returncode == 0
    run = crawl([rss, coral], "news_comments", "--source", "腾讯跟帖")
    assert run.returncode == 0, run.stderr
    got = {
        d.external_id: d for d in session.scalars(select(Document).where(Document.platform == "news_comment"))
    }
    assert set(got) == {"6701", "6702", "6703"}
    assert (got["6701"].author, got["6701"].likes, got["6701"].extra["location"]) == (
        "江州老李",
        21,
        "江苏省南京市",
    )
    assert got["6701"].published_at == datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
    assert got["6702"].extra["reply_to"] == "c1004-001:6701"
    assert session.query(Quarantine).filter(Quarantine.url.like("%/coral/%")).count() == 0


def test_a_comment_reply_cut_off_is_quarantined_as_cut_off(site, crawl, session) -> None:
    """The first comment page of a thread stops inside a character (a dropped connection): it is
    kept with that reason, not with a charset or "not JSON" guess; the other thread is read."""
    serve_news(site)
    raw = (SITES / "comments/c1004-001_p1.json").read_bytes()
    cut = raw[: raw.index("菜价".encode()) + 1]
    site.route("/comments/c1004-001?offset=0&limit=4", Reply(body=cut, content_type="application/json"))
    site.route("/comments/c1004-002?offset=0&limit=4", Reply.file("comments/c1004-001_p2.json"))
    past_end = '{"code": "40001", "message": "非法的分页参数"}'.encode()  # NetEase past the last page
    site.route("/comments/c1004-002?offset=4&limit=4", Reply(body=past_end, content_type="application/json"))
    rss = {"name": "RSS", "kind": "news_rss", "url": f"{site.url}/news/feed.xml"}
    sources = [rss, _comments_source(site)]
    assert crawl(sources, "news_rss", "--source", "RSS").returncode == 0
    assert crawl(sources, "news_comments", "--source", "示例跟帖").returncode == 0
    q = session.scalars(select(Quarantine).where(Quarantine.url.like("%/comments/%"))).one()
    assert "c1004-001" in q.url and q.body == cut
    assert q.reason == f"跟帖解析失败：评论接口的回复被截断：{len(cut)} 字节处中断在一个字符中间"
    stored = session.scalars(select(Document).where(Document.platform == "news_comment")).all()
    assert {d.extra["thread"] for d in stored} == {"c1004-002"}
    assert session.scalar(select(Source).where(Source.name == "示例跟帖")).status == "warning"

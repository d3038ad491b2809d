"""The Weibo spider and parser on REAL m.weibo.cn replies (../shared/real/weibo/, origins in its
README): exact times from the mid, counts as numbers or strings, reposts, long text, and a reply
cut off mid-character that is quarantined for what actually failed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from yuqing.crawler.parsing.weibo import (
    WeiboFormatError,
    detail_status,
    iter_mblogs,
    load_json,
    mblog_document,
    mid_time,
    published_time,
)
from yuqing.store.models import Document, Quarantine, Source

from .conftest import REAL, MockSite, Reply

API = "/api/container/getIndex?containerid=100103type%3D61%26q%3D{q}&page_type=searchall&page="
END = Reply(body=json.dumps({"ok": 0, "msg": "这里还没有内容"}).encode(), content_type="application/json")


def real(name: str) -> dict:
    return json.loads((REAL / "weibo" / name).read_text(encoding="utf-8"))


def source(site: MockSite, keyword: str) -> dict:
    return {
        "name": "微博", "kind": "weibo_search", "url": site.url, "keywords": [keyword], "obey_robots": False,
    }


def test_mid_encodes_the_exact_time_of_every_real_post() -> None:
    """Each post's printed time ("06-27", "昨天 12:25", "Sat Jun 15 11:44:46 +0800 2019") agrees
    with (mid >> 22) + 515483463; the yearless and relative forms take the mid's exact time."""
    koa2 = list(iter_mblogs(real("koa2_13c460c_processDatas.json")))
    crawled = datetime(2019, 7, 16, 1, 30, tzinfo=UTC)  # 09:30 Beijing, the morning after "15小时前"
    exact = {m["mid"]: published_time(m["created_at"], m["mid"], crawled) for m in koa2}
    assert all(how == "mid" for _, how in exact.values())
    assert exact["4387933362623405"][0] == datetime(2019, 6, 27, 15, 11, 40, tzinfo=UTC)  # "06-27"
    assert exact["4394384827138748"][0] == datetime(2019, 7, 15, 10, 27, 29, tzinfo=UTC)  # 15小时前

    stablog = list(iter_mblogs(real("stablog_4a24142_TypeWeiboListResponse.json")))
    crawled = datetime(2019, 9, 11, 2, 0, tzinfo=UTC)
    first = stablog[0]
    assert first["created_at"] == "昨天 12:25"
    assert published_time(first["created_at"], first["mid"], crawled) == (
        datetime(2019, 9, 10, 4, 25, 12, tzinfo=UTC), "mid"  # to the second, not 12:25:00
    )

    show = real("weiboAPI_a5de545_retweet01.json")["data"]  # absolute form: it and the mid agree
    assert mid_time(show["mid"]) == datetime.strptime(show["created_at"], "%a %b %d %H:%M:%S %z %Y")
    # a mid that does not encode the printed day (not a real post id) is not trusted
    assert published_time("06-27", "5001000000000001", crawled)[1] == "created_at"


def test_counts_as_numbers_and_strings_and_reposts() -> None:
    cards = list(iter_mblogs(real("weiboAPI_a5de545_cards1.json")))
    now = datetime(2019, 6, 16, tzinfo=UTC)
    docs = [mblog_document(m, now=now, base="https://m.weibo.cn") for m in cards]
    assert (docs[0]["reposts"], docs[0]["comments"], docs[0]["likes"]) == (240492, 95535, 348872)
    assert docs[0]["author_followers"] == 63356825 and docs[0]["author"] == "Dear-迪丽热巴"
    million = next(d for d, m in zip(docs, cards, strict=True) if m["reposts_count"] == "100万+")
    assert million["reposts"] == 1_000_000
    repost = docs[1]
    assert repost["parent_key"] == "4383031864995274"
    show = real("weiboAPI_a5de545_retweet01.json")["data"]
    doc = mblog_document(show, now=now, base="https://m.weibo.cn")
    assert doc["parent_key"] == show["retweeted_status"]["id"] == "4383404751066167"
    assert doc["published_at"] == datetime(2019, 6, 15, 3, 44, 46, tzinfo=UTC)


def test_long_text_json_is_read() -> None:
    raw = (REAL / "weibo" / "weiboAPI_a5de545_statuses1.json").read_text(encoding="utf-8")
    status = detail_status(raw)
    assert status["text"].startswith("😄😆😊") and len(status["text"]) > 100


def test_search_crawl_of_a_real_reply(site: MockSite, crawl, session) -> None:
    """koa2_…json served as page 1 of a search; page 2 says there is no more (`ok: 0`). Its one
    long post's detail is served with the real long-text JSON (another post's text)."""
    q = "%E5%88%BA%E6%BF%80%E6%88%98%E5%9C%BA"  # 刺激战场
    site.route(API.format(q=q) + "1", Reply.real("weibo/koa2_13c460c_processDatas.json"))
    site.route(API.format(q=q) + "2", END)
    site.route("/detail/4393264377139656", Reply.real("weibo/weiboAPI_a5de545_statuses1.json"))
    run = crawl([source(site, "刺激战场")], "weibo_search")
    assert run.returncode == 0, run.stderr
    got = {d.dedup_key: d for d in session.scalars(select(Document))}
    assert len(got) == 12  # 11 posts and the original of the one repost
    dated = got["4387933362623405"]
    assert dated.published_raw == "06-27" and dated.extra["time_from"] == "mid"
    assert dated.published_at == datetime(2019, 6, 27, 15, 11, 40, tzinfo=UTC)  # year and second from the mid
    assert dated.parent_key == "4387930325701338" and got["4387930325701338"].author
    assert got["4393264377139656"].text.startswith("😄😆😊")  # the long text replaced the truncated one
    assert session.scalar(select(Source)).status == "ok"


def _cut_mid_character(body: bytes) -> bytes:
    at = len(body) // 2
    while (body[at] & 0xC0) != 0x80:  # stop inside a multi-byte UTF-8 character
        at += 1
    return body[:at]


def test_truncated_json_says_it_was_cut_off() -> None:
    body = (REAL / "weibo" / "koa2_13c460c_processDatas.json").read_bytes()
    with pytest.raises(WeiboFormatError, match="JSON 被截断") as cut_char:
        load_json(_cut_mid_character(body))
    assert "字符中间" in str(cut_char.value)
    with pytest.raises(WeiboFormatError, match="JSON 被截断：在第"):
        load_json(body[: body.index(b'"cards"')])  # cut between characters
    with pytest.raises(WeiboFormatError, match="HTML"):
        load_json(b"<html><body>login</body></html>")
    with pytest.raises(WeiboFormatError, match="格式错误"):
        load_json(b'{"ok": 1,, "data": {}}')


def test_truncated_reply_is_quarantined_with_the_true_reason(site: MockSite, crawl, session) -> None:
    body = (REAL / "weibo" / "koa2_13c460c_processDatas.json").read_bytes()
    cut = Reply(body=_cut_mid_character(body), content_type="application/json")
    site.route(API.format(q="CPI") + "1", cut)
    assert crawl([source(site, "CPI")], "weibo_search").returncode == 0
    q = session.scalars(select(Quarantine)).one()
    assert "JSON 被截断" in q.reason and "字符集" not in q.reason
    assert q.retry_at is None  # unreadable content is kept for review, not retried blindly
    assert session.scalar(select(Source)).status == "error"
    assert session.query(Document).count() == 0


def test_mid_time_bounds() -> None:
    assert mid_time("abc") is None and mid_time(None) is None
    now = datetime(2026, 12, 1, tzinfo=UTC)
    # a future mid is not believed
    future = str(int((now + timedelta(days=30)).timestamp() - 515483463) << 22)
    assert published_time(None, future, now) == (None, None)


def test_cut_off_long_text_keeps_the_post_and_says_why(site: MockSite, crawl, session) -> None:
    q = "%E5%88%BA%E6%BF%80%E6%88%98%E5%9C%BA"  # 刺激战场
    site.route(API.format(q=q) + "1", Reply.real("weibo/koa2_13c460c_processDatas.json"))
    site.route(API.format(q=q) + "2", END)
    extend = (REAL / "weibo" / "weiboAPI_a5de545_statuses1.json").read_bytes()
    cut = Reply(body=_cut_mid_character(extend), content_type="application/json")
    site.route("/detail/4393264377139656", cut)
    assert crawl([source(site, "刺激战场")], "weibo_search").returncode == 0
    post = session.scalar(select(Document).where(Document.dedup_key == "4393264377139656"))
    assert post is not None and "JSON 被截断" in post.extra["long_text_error"]  # the short text is kept
    quarantined = session.scalars(select(Quarantine)).one()
    assert quarantined.reason.startswith("长微博全文无法解析：JSON 被截断")

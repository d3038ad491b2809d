"""Pure parsers: time and count forms, charsets, release titles, block detection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.analysis.release_title import OTHER, parse_release_title
from yuqing.crawler.health import RunOutcome, run_status
from yuqing.crawler.middlewares import block_reason
from yuqing.crawler.parsing.charset import UndecodableError, decode_html
from yuqing.crawler.parsing.counts import parse_count
from yuqing.crawler.parsing.release_list import list_page, page_url
from yuqing.crawler.parsing.times import parse_time
from yuqing.crawler.parsing.weibo import WeiboFormatError, iter_mblogs, mblog_document

from .conftest import SITES

# 2026-11-20 10:00 in Beijing
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sun Nov 15 10:00:00 +0800 2026", datetime(2026, 11, 15, 2, 0, tzinfo=UTC)),
        ("刚刚", NOW),
        ("30秒前", datetime(2026, 11, 20, 1, 59, 30, tzinfo=UTC)),
        ("5分钟前", datetime(2026, 11, 20, 1, 55, tzinfo=UTC)),
        ("2小时前", datetime(2026, 11, 20, 0, 0, tzinfo=UTC)),
        ("今天 09:15", datetime(2026, 11, 20, 1, 15, tzinfo=UTC)),
        ("昨天 08:30", datetime(2026, 11, 19, 0, 30, tzinfo=UTC)),
        ("11-14", datetime(2026, 11, 13, 16, 0, tzinfo=UTC)),
        ("11月13日 18:20", datetime(2026, 11, 13, 10, 20, tzinfo=UTC)),
        ("2025年12月31日 23:59", datetime(2025, 12, 31, 15, 59, tzinfo=UTC)),
        ("2026-11-15 16:45", datetime(2026, 11, 15, 8, 45, tzinfo=UTC)),
        ("发表于 2026-11-20 10:05", datetime(2026, 11, 20, 2, 5, tzinfo=UTC)),
        ("2026/11/15 09:30", datetime(2026, 11, 15, 1, 30, tzinfo=UTC)),
    ],
)
def test_every_created_at_form_is_read_in_beijing_time(raw: str, expected: datetime) -> None:
    assert parse_time(raw, NOW) == expected


def test_yesterday_just_after_midnight_crosses_the_day_in_beijing_not_utc() -> None:
    just_after_midnight = datetime(2026, 11, 19, 16, 5, tzinfo=UTC)  # 00:05 on the 20th in Beijing
    assert parse_time("昨天 23:50", just_after_midnight) == datetime(2026, 11, 19, 15, 50, tzinfo=UTC)


def test_month_day_in_the_future_means_last_year() -> None:
    january = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
    assert parse_time("12-31", january) == datetime(2026, 12, 30, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["", None, "很久以前", "13月45日 10:00", "2026-02-30"])
def test_unknown_or_impossible_times_are_none(raw) -> None:
    assert parse_time(raw, NOW) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12),
        ("12", 12),
        ("1,234", 1234),
        ("1.5万", 15000),
        ("100万+", 1_000_000),
        ("2亿", 200_000_000),
        ("3千", 3000),
        (None, None),
        ("", None),
        ("很多", None),
        (True, None),
    ],
)
def test_count_forms(raw, expected) -> None:
    assert parse_count(raw) == expected


def test_gbk_under_a_utf8_declaration_is_decoded_as_gb18030() -> None:
    body = (SITES / "tieba/search_p1.html").read_bytes()
    decoded = decode_html(body, "utf-8")
    assert decoded.encoding == "gb18030" and not decoded.trusted_declaration
    assert "小城打工人" in decoded.text


def test_correct_declarations_are_trusted_and_empty_bodies_refused() -> None:
    assert decode_html("统计".encode("gbk"), "GBK").trusted_declaration
    with pytest.raises(UndecodableError):
        decode_html(b"  \n", "utf-8")


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        ("2026年10月份居民消费价格同比上涨0.2%", None, ("CPI", "2026年10月", 0.2, "%")),
        ("2026年10月份工业生产者出厂价格同比下降2.1%", None, ("PPI", "2026年10月", -2.1, "%")),
        ("2026年前三季度国内生产总值同比增长5.2%", None, ("GDP", "2026年前三季度", 5.2, "%")),
        (
            "1—10月份全国固定资产投资增长3.1%",
            "/sj/zxfb/202611/t20261114_1.html",
            ("FAI", "2026年1—10月", 3.1, "%"),
        ),
        (
            "1—12月份全国房地产开发投资下降10.6%",
            "/sj/zxfb/202701/t20270117_1.html",
            ("REAL_ESTATE_INVEST", "2026年1—12月", -10.6, "%"),
        ),
        (
            "12月份社会消费品零售总额增长3.7%",
            "/sj/zxfb/202701/t20270117_2.html",
            ("RETAIL", "2026年12月", 3.7, "%"),
        ),
        ("2026年10月份全国城镇调查失业率为5.1%", None, ("UNEMPLOYMENT", "2026年10月", 5.1, "%")),
        ("2026年10月份70个大中城市商品住宅销售价格变动情况", None, ("HOUSING", "2026年10月", None, None)),
        ("2026年10月份国民经济运行稳中有进", None, (OTHER, "2026年10月", None, None)),
    ],
)
def test_release_titles(title, url, expected) -> None:
    r = parse_release_title(title, url)
    assert (r.indicator, r.period_label, r.headline_value, r.headline_unit) == expected


def test_release_period_bounds_are_beijing_months_in_utc() -> None:
    r = parse_release_title("2026年10月份居民消费价格同比上涨0.2%")
    assert r.period_start == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert r.period_end == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    q4 = parse_release_title("2026年四季度国内生产总值同比增长5.0%")
    assert q4.period_end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_release_list_rows_are_deduplicated_by_href_with_full_titles() -> None:
    html = (SITES / "stats/sj/zxfb/index.html").read_text(encoding="utf-8")
    rows, pages = list_page(html, "https://www.stats.gov.cn/sj/zxfb/")
    assert pages == 2 and len(rows) == 4
    assert rows[0].title == "2026年10月份居民消费价格同比上涨0.2%"
    assert rows[0].url == "https://www.stats.gov.cn/sj/zxfb/202611/t20261115_1957001.html"
    assert page_url("https://www.stats.gov.cn/sj/zxfb/", 2) == "https://www.stats.gov.cn/sj/zxfb/index_2.html"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (432, b"rejected", "HTTP 432"),
        (418, b"", "HTTP 418"),
        (403, b"", "HTTP 403"),
        (200, b'{"ok": -100, "url": "https://passport.weibo.com/"}', "微博验证码（ok: -100）"),
        (200, "<title>百度安全验证</title>".encode(), "百度安全验证"),
        (200, b'{"ok": 0, "msg": "no more"}', None),
        (200, b"<script>document.cookie='__jsl_clearance=1';location.href=location</script>",
         "网站要求浏览器验证（加速乐 __jsl_clearance）"),
        (200, b"<html><script>var arg1='A1';/* acw_sc__v2 */</script></html>",
         "网站要求浏览器验证（阿里云 acw_sc__v2）"),
        (200, b'<script>var wzwschallenge="RANDOMSTR";</script>',
         "网站要求浏览器验证（网站卫士 wzwschallenge）"),
        (503, b"busy", None),
    ],
)
def test_block_detection(status, body, reason) -> None:
    assert block_reason(status, body) == reason


def test_run_status() -> None:
    ok = RunOutcome(
        stored=3, duplicates=0, quarantined=0, errors=0, pages_ok=2, blocked_reason=None, last_error=None
    )
    assert run_status(ok) == "ok"
    assert run_status(RunOutcome(**{**ok.__dict__, "quarantined": 1})) == "warning"
    assert run_status(RunOutcome(**{**ok.__dict__, "errors": 1, "pages_ok": 0})) == "error"
    assert run_status(RunOutcome(**{**ok.__dict__, "blocked_reason": "HTTP 432"})) == "blocked"


def test_mblogs_are_found_in_card_groups_and_need_a_numeric_id() -> None:
    import json

    payload = json.loads((SITES / "weibo/search_cpi_p1.json").read_text(encoding="utf-8"))
    ids = [m["id"] for m in iter_mblogs(payload)]
    assert len(ids) == 9 and ids[1] == "5001000000000002"
    with pytest.raises(WeiboFormatError):
        mblog_document({"text": "no id"}, now=NOW, base="https://m.weibo.cn")


def test_feed_dates_are_aware_utc_whatever_their_form() -> None:
    from types import SimpleNamespace

    from yuqing.crawler.spiders.news_rss import _feed_date, feed_entries

    spider = SimpleNamespace(crawl_time=NOW)
    expected = datetime(2026, 11, 15, 2, 5, tzinfo=UTC)
    for raw in (
        "Sun, 15 Nov 2026 02:05:00 GMT",
        "2026-11-15T10:05:00+08:00",
        "2026-11-15T10:05:00",
        "2026-11-15 10:05",
    ):
        assert _feed_date(raw, spider) == expected  # type: ignore[arg-type]
    entries = feed_entries((SITES / "news/atom.xml").read_text(encoding="utf-8"))
    assert [e["link"] for e in entries] == [
        "/news/2026/1115/c1004-001.html",
        "/news/2026/1115/c1004-003.html",
    ]
    with pytest.raises(ValueError):
        feed_entries("<html><body>not a feed</body></html>")


def test_a_provincial_bureau_template_is_read_through_configured_selectors() -> None:
    from yuqing.crawler.parsing.release_list import Layout, detail_page

    layout = Layout.from_options(
        {
            "list_container": "ul.xxgk",
            "row": "ul.xxgk li",
            "title": "h2.art-title",
            "date": "div.art-info",
            "body": "div.art-body",
            "max_pages": 2,
        }
    )
    html = (
        '<ul class="xxgk"><li><a href="/tjsj/202611/t20261116_88.html">全省10月份居民消费价格同比上涨0.4%</a>'
        "<span>2026-11-16</span></li></ul>"
    )
    rows, pages = list_page(html, "https://tjj.example.gov.cn/tjsj/", layout)
    assert [r.url for r in rows] == [
        "https://tjj.example.gov.cn/tjsj/202611/t20261116_88.html"
    ] and pages is None
    page = detail_page(
        '<h2 class="art-title">全省10月份居民消费价格同比上涨0.4%</h2>'
        '<div class="art-info">发布时间：2026-11-16 10:00</div><div class="art-body"><p>正文</p></div>',
        layout,
    )
    assert (page.published_raw, page.body) == ("2026-11-16 10:00", "正文")

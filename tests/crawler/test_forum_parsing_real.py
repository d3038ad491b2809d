"""Pure parsers on real pages and real titles (../shared/real/), the forum time forms, source health
and typed options."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from parsel import Selector

from yuqing.analysis.release_title import parse_release_title
from yuqing.config import SourceConfig
from yuqing.crawler.health import RunOutcome, remark, run_status, silent_loss
from yuqing.crawler.parsing.forums import (
    IMAGE_MARKER,
    SMILEY_MARKER,
    tieba_forum_list,
    tieba_sub_replies,
    tieba_sub_reply_pages,
    tieba_thread,
)
from yuqing.crawler.parsing.release_list import detail_page
from yuqing.crawler.parsing.times import parse_time

from .conftest import REAL

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 Beijing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("半小时前", datetime(2026, 3, 16, 1, 30, tzinfo=UTC)),
        ("发布于 2026-3-15", datetime(2026, 3, 14, 16, 0, tzinfo=UTC)),
        ("发表于 2020-2-19 19:19:11", datetime(2020, 2, 19, 11, 19, 11, tzinfo=UTC)),
        ("发表于\xa0昨天\xa010:05", datetime(2026, 3, 15, 2, 5, tzinfo=UTC)),
        ("前天 23:10", datetime(2026, 3, 14, 15, 10, tzinfo=UTC)),
        ("5 分钟前", datetime(2026, 3, 16, 1, 55, tzinfo=UTC)),
        ("3分钟前", datetime(2026, 3, 16, 1, 57, tzinfo=UTC)),
        ("2 小时前", datetime(2026, 3, 16, 0, 0, tzinfo=UTC)),
        ("2周前", datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
        ("刚才", NOW),
        ("2024-8-6 22:55", datetime(2024, 8, 6, 14, 55, tzinfo=UTC)),  # Tieba 楼中楼
        ("2026-03-15T10:05:33+08:00", datetime(2026, 3, 15, 2, 5, 33, tzinfo=UTC)),  # ISO 8601
        ("2026-03-15 10:05:33+08:00", datetime(2026, 3, 15, 2, 5, 33, tzinfo=UTC)),  # its space form
        ("2026-3-15T04:05 +0200", datetime(2026, 3, 15, 2, 5, tzinfo=UTC)),
    ],
)
def test_forum_time_forms(raw: str, expected: datetime) -> None:
    assert parse_time(raw, NOW) == expected


def test_raw_forum_list_after_the_first_html_end_and_the_browser_dom_alike() -> None:
    raw = (REAL / "tieba" / "mc_tieba_note_list.html").read_text(encoding="utf-8")
    assert raw.count("</html>") == 2
    rows, forum, has_next = tieba_forum_list(raw, "https://tieba.baidu.com/f?kw=x")
    assert len(rows) == 48 and forum == "盗墓笔记吧" and has_next
    assert (rows[0].thread_id, rows[0].title, rows[0].author, rows[0].replies) == (
        "9079949995", "盗墓笔记全集+txt小说，已整理", "公子伯仲", 18
    )
    dom = (REAL / "tieba" / "gne_forum_list.html").read_text(encoding="utf-8")
    rows, forum, _ = tieba_forum_list(dom, "https://tieba.baidu.com/f?kw=x")
    assert len(rows) == 50 and forum == "贴吧热议吧" and rows[0].pinned


def test_thread_floors_and_nested_replies() -> None:
    html = (REAL / "tieba" / "mc_note_comments.html").read_text(encoding="utf-8")
    posts = tieba_thread(html, "https://tieba.baidu.com/p/9119688421")
    floors = [p for p in posts if "parent_post_id" not in p.extra]
    assert len(floors) == 30 and [p.floor for p in floors[:3]] == [1, 2, 3]
    assert floors[0].title == "【强烈恭喜】全红婵陈宇汐包揽跳水女子10米台巴黎奥运金银牌！"
    assert floors[0].forum == "网球风云吧"
    assert (floors[1].author, floors[1].published_raw, floors[1].extra["ip_region"]) == (
        "heinzfrentzen", "2024-08-06 22:10", "福建"
    )
    nested = [p for p in posts if p.extra.get("parent_post_id") == "150726500312"]
    assert len(nested) == 10 and floors[6].extra["sub_replies"] == 16  # floor 7: 10 of 16 inline
    assert nested[0].floor == 7 and nested[0].title == floors[0].title


def test_reply_page_of_a_floor() -> None:
    html = (REAL / "tieba" / "mc_note_sub_comments.html").read_text(encoding="utf-8")
    assert tieba_sub_reply_pages(html) == 2
    replies = tieba_sub_replies(
        Selector(text=html), tid="9119688421", parent="150726500312", base="https://t/p/1"
    )
    assert len(replies) == 10
    assert (replies[0].author, replies[0].published_raw, replies[0].text) == (
        "heinzfrentzen", "2024-8-6 22:11", f"{SMILEY_MARKER} {SMILEY_MARKER}"  # emoticons only
    )
    assert replies[1].text == "陈芋汐水花也不小" and replies[1].extra["parent_post_id"] == "150726500312"


def test_image_only_floor_stores_a_marker_not_the_expand_prompt() -> None:
    html = (REAL / "tieba" / "mc_note_detail.html").read_text(encoding="utf-8")
    first = tieba_thread(html, "https://tieba.baidu.com/p/9117905169")[0]
    assert first.text == IMAGE_MARKER and len(first.extra["images"]) == 1


def _real_titles() -> list[tuple[str, str, str]]:
    with open(REAL / "stats" / "release_titles_real.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return [(r[0], r[1], r[2]) for r in rows]


# per real title: indicator, period, value, basis (None where the title states no figure)
EXPECTED_TITLES = {
    "2021年9月份居民消费价格同比上涨0.7% 环比持平": ("CPI", "2021年9月", 0.7, "同比"),
    "2024年3月份居民消费价格同比上涨0.1%": ("CPI", "2024年3月", 0.1, "同比"),
    "2024年9月份居民消费价格同比上涨0.4%": ("CPI", "2024年9月", 0.4, "同比"),
    "2025年3月份居民消费价格同比下降0.1%": ("CPI", "2025年3月", -0.1, "同比"),
    "2026年6月份居民消费价格同比上涨1.0%": ("CPI", "2026年6月", 1.0, "同比"),
    "2024年3月份工业生产者出厂价格同比下降2.8%": ("PPI", "2024年3月", -2.8, "同比"),
    "2025年3月份工业生产者出厂价格同比下降2.5%": ("PPI", "2025年3月", -2.5, "同比"),
    "2025年7月份工业生产者出厂价格环比降幅收窄": ("PPI", "2025年7月", None, "环比"),
    "2026年6月份工业生产者出厂价格同比上涨4.1% 环比下降0.3%": ("PPI", "2026年6月", 4.1, "同比"),
    "2024年1月份居民消费价格环比上涨0.3%": ("CPI", "2024年1月", 0.3, "环比"),
    "2021年9月份工业生产者出厂价格同比上涨10.7% 环比上涨1.2%": ("PPI", "2021年9月", 10.7, "同比"),
    "2024年1月份工业生产者出厂价格降幅收窄": ("PPI", "2024年1月", None, None),
    "2024年12月份工业生产者出厂价格同比降幅收窄": ("PPI", "2024年12月", None, "同比"),
    "2025年1月份工业生产者出厂价格同比下降2.3%": ("PPI", "2025年1月", -2.3, "同比"),
    "2026年3月份工业生产者出厂价格同比由降转涨 环比涨幅扩大": ("PPI", "2026年3月", None, "同比"),
    "2026年5月份居民消费价格同比上涨1.2%": ("CPI", "2026年5月", 1.2, "同比"),
    "2026年1—5月份社会消费品零售总额增长1.4%": ("RETAIL", "2026年1—5月", 1.4, None),
    "2026年一季度居民收入和消费支出情况": ("INCOME", "2026年一季度", None, None),
    "2026年6月中国采购经理指数运行情况": ("PMI", "2026年6月", None, None),
    "2024年12月份规模以上工业增加值增长6.2%": ("INDUSTRY", "2024年12月", 6.2, None),
    "2025年10月份工业生产者出厂价格同比降幅继续收窄 环比由平转涨": ("PPI", "2025年10月", None, "同比"),
}


def test_all_21_real_release_titles() -> None:
    titles = _real_titles()
    assert len(titles) == 21 and {t for t, _, _ in titles} == set(EXPECTED_TITLES)
    for title, url, _date in titles:
        got = parse_release_title(title, url or None)
        indicator, period, value, basis = EXPECTED_TITLES[title]
        assert (got.indicator, got.period_label, got.headline_value, got.headline_basis) == (
            indicator, period, value, basis
        ), title
        if value is None and basis is not None:  # a direction without a figure keeps its words
            assert got.headline_text and got.headline_text.startswith(basis), title
    words = parse_release_title("2026年3月份工业生产者出厂价格同比由降转涨 环比涨幅扩大").headline_text
    assert words == "同比由降转涨 环比涨幅扩大"
    assert parse_release_title("2026年2月份居民消费价格同比持平").headline_value == 0.0


CURRENT = """<div class="detail-title"><h1>2026年10月份居民消费价格同比上涨0.2%</h1></div>
<div class="detail-title-des"><h2><p>2026/11/09 09:30</p></h2></div>
<div class="detail-text-content"><div class="TRS_Editor"><p>10月份，全国居民消费价格同比上涨0.2%。</p>
<p>食品价格下降2.9%。</p></div><div class="share">分享到</div></div>"""
CURRENT_NO_TRS = """<div class="detail-title"><h1>2026年10月份工业生产者出厂价格同比下降2.1%</h1></div>
<div class="detail-title-des"><h2><p>2026-11-09 09:30</p></h2></div>
<div class="detail-text-content"><p>10月份，全国工业生产者出厂价格同比下降2.1%。</p></div>"""
OLDER = """<div class="center_xilan"><h2 class="xilan_tit">2019年10月份居民消费价格同比上涨3.8%</h2>
<font class="xilan_titf">发布时间：2019-11-09 09:30</font>
<div class="TRS_Editor"><p>10月份，全国居民消费价格同比上涨3.8%。</p></div></div>"""


def test_release_page_templates_current_and_older() -> None:
    """Shaped after the templates the bureau is documented to use (no real detail page was saved):
    the current `detail-text-content` (with or without an inner TRS_Editor) and the older
    TRS_Editor page."""
    page = detail_page(CURRENT)
    assert page.title == "2026年10月份居民消费价格同比上涨0.2%" and page.published_raw == "2026-11-09 09:30"
    # the inner TRS_Editor: no share box, no text twice
    assert page.body == "10月份，全国居民消费价格同比上涨0.2%。\n食品价格下降2.9%。"
    page = detail_page(CURRENT_NO_TRS)
    assert page.body == "10月份，全国工业生产者出厂价格同比下降2.1%。"
    page = detail_page(OLDER)
    assert page.body == "10月份，全国居民消费价格同比上涨3.8%。"
    assert (page.title, page.published_raw) == ("2019年10月份居民消费价格同比上涨3.8%", "2019-11-09 09:30")


# Template details public crawlers of the bureau's pages rely on (our own text): DIYgod/RSSHub
# lib/routes/gov/stats/index.tsx (drops `.pchide` copies; body `.TRS_Editor` or `.TRS_UEDITOR`; list
# rows may link releases republished on www.gov.cn / www.news.cn), and crawlers reading the body as
# `.trs_editor_view, .TRS_Editor` with `<meta name="PubDate">` as the CMS time.
TRS_STYLE = """<div class="detail-title"><h1>2026年10月份规模以上工业增加值增长5.9%</h1>
<h1 class="pchide">2026年10月份规模以上工业增加值增长5.9%</h1></div>
<div class="detail-title-des"><h2><p>2026/11/14 10:00</p></h2><p class="pchide">2026/11/14 10:00</p></div>
<div class="detail-text-content"><div class="TRS_Editor"><style type="text/css">
.TRS_Editor P{margin-top:0;margin-bottom:12px;line-height:1.8;font-family:宋体;font-size:12pt;}
</style><div class="Custom_UnionStyle"><p>10月份，规模以上工业增加值同比实际增长5.9%。</p>
<p>&nbsp;</p><p>\u3000\u3000分三大门类看，采矿业增加值增长4.2%。</p></div></div></div>"""
NEW_EDITOR = """<html><head><meta name="PubDate" content="2026-11-14 10:00"></head><body>
<div class="detail-title"><h1>2026年1—10月份全国固定资产投资增长3.2%</h1></div>
<div class="detail-text-content"><div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">
<p>1—10月份，全国固定资产投资（不含农户）同比增长3.2%。</p></div></div></body></html>"""
WORD_PASTE = """<div class="center_xilan"><h2 class="xilan_tit">2018年3月份居民消费价格同比上涨2.1%</h2>
<font class="xilan_titf">来源：国家统计局　　发布时间：2018-04-11 09:30</font><div class="xilan_con">
<div class="TRS_PreAppend"><p class="MsoNormal"><span>3月份，全国居民消费价格总水平同比上涨2.1%。</span></p>
</div></div></div>"""
GOV_CN = """<div class="article"><h1>2026年10月份国民经济运行总体平稳</h1>
<div class="pages-date">2026-11-14 10:00 来源：国家统计局网站</div>
<div class="pages_content" id="UCAP-CONTENT"><p>10月份，国民经济运行总体平稳。</p></div></div>"""


def test_release_page_variants_public_crawlers_handle() -> None:
    page = detail_page(TRS_STYLE)
    # the editor's style block and the mobile-only copies are not text of the release
    assert page.title == "2026年10月份规模以上工业增加值增长5.9%"
    assert page.published_raw == "2026-11-14 10:00"
    assert page.body == "10月份，规模以上工业增加值同比实际增长5.9%。\n分三大门类看，采矿业增加值增长4.2%。"
    page = detail_page(NEW_EDITOR)
    assert page.body == "1—10月份，全国固定资产投资（不含农户）同比增长3.2%。"
    assert (page.published_raw, page.meta_published_raw) == (None, "2026-11-14 10:00")
    page = detail_page(WORD_PASTE)
    assert page.body == "3月份，全国居民消费价格总水平同比上涨2.1%。"
    assert page.published_raw == "2018-04-11 09:30"
    page = detail_page(GOV_CN)
    assert (page.title, page.published_raw) == ("2026年10月份国民经济运行总体平稳", "2026-11-14 10:00")
    assert page.body == "10月份，国民经济运行总体平稳。"


def test_health_is_never_ok_when_items_were_lost() -> None:
    ok = RunOutcome(stored=3, duplicates=0, quarantined=0, errors=0, pages_ok=2, blocked_reason=None,
                    last_error=None, items_found=3)
    assert run_status(ok) == "ok" and silent_loss(ok) is None
    nothing = RunOutcome(**{**ok.__dict__, "stored": 0, "items_found": 48})
    assert run_status(nothing) == "warning" and silent_loss(nothing) == "页面共有 48 条，入库 0 条"
    known = RunOutcome(**{**ok.__dict__, "stored": 0, "skipped_known": 3})  # an incremental re-run
    assert run_status(known) == "ok"
    short = RunOutcome(**{**ok.__dict__, "short_pages": 1})
    assert run_status(short) == "warning" and "少于" in silent_loss(short)
    skipped = RunOutcome.from_stats({
        "yuqing/pages_ok": 1, "yuqing/stored": 2,
        "yuqing/skipped_link/javascript": 1, "yuqing/skipped_link/no_scheme": 2,
    })
    # links that are page furniture (javascript:, no scheme) are counted, not a loss
    assert skipped.skipped_links == 3 and run_status(skipped) == "ok"
    assert remark(skipped) == "跳过无效链接 3 条（原因见日志）"
    lost = RunOutcome.from_stats({"yuqing/pages_ok": 1, "yuqing/stored": 3, "yuqing/feed_items_lost": 1})
    assert run_status(lost) == "warning" and silent_loss(lost) == "有 1 条未能解析"
    # a callback that raised (Scrapy logs it and goes on) lost the rest of its page: never 正常
    raised = RunOutcome.from_stats({
        "yuqing/pages_ok": 1, "yuqing/stored": 2,
        "spider_exceptions/count": 1, "spider_exceptions/ValueError": 1,
    })
    assert run_status(raised) == "warning"
    assert silent_loss(raised) == "解析页面时出错 1 次（ValueError），页面其余条目可能丢失，详见日志"


def test_typed_options_per_kind() -> None:
    cfg = SourceConfig(name="贴吧", kind="tieba", url="https://tieba.baidu.com", options={"forums": ["统计"]})
    assert cfg.options.forums == ["统计"] and cfg.options.max_thread_pages == 5
    with pytest.raises(ValueError, match="来源 '贴吧'（tieba）的选项有误：fids：不是此类来源的选项"):
        SourceConfig(name="贴吧", kind="tieba", url="https://tieba.baidu.com", options={"fids": [1]})
    with pytest.raises(ValueError, match="max_download_bytes：数值过小"):
        SourceConfig(name="x", kind="news_rss", url="https://x", options={"max_download_bytes": 10})
    releases = SourceConfig(name="省局", kind="releases", url="https://x", options={"body": "div.art"})
    assert releases.options.body == "div.art" and releases.options.max_pages == 3


def test_search_results_as_cards_whatever_their_class_names() -> None:
    """The real results page with every class and data- attribute removed (what is left is a card
    layout: one block per result around its thread link) reads as the classic layout does."""
    import re

    from yuqing.crawler.parsing.forums import tieba_search

    html = (REAL / "tieba" / "mc_search_keyword_notes.html").read_text(encoding="utf-8")
    bare = re.sub(r'\s(class|data-[a-z]+)="[^"]*"', "", html)
    assert "s_post" not in bare
    classic = tieba_search(html, "https://tieba.baidu.com/f/search/res")
    cards = tieba_search(bare, "https://tieba.baidu.com/f/search/res")
    fields = ("post_id", "thread_id", "title", "text", "author", "forum", "published_raw")
    def table(posts: list) -> list[list]:
        return [[getattr(p, f) for f in fields] for p in posts]

    assert table(cards) == table(classic)
    assert len(cards) == 10 and cards[0].extra["layout"] == "cards"
    with pytest.raises(ValueError, match="不是贴吧搜索结果页"):
        tieba_search("<html><body><a href='/f?kw=x'>吧</a></body></html>", "https://tieba.baidu.com/")

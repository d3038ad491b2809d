"""The release list spider against a recorded stats.gov.cn layout."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from yuqing.store.models import Quarantine, Release, Source

from .conftest import SITES, MockSite, Reply

BASE = "stats/sj/zxfb"


def serve_stats(site: MockSite) -> None:
    site.route("/sj/zxfb/", Reply.file(f"{BASE}/index.html"))
    site.route("/sj/zxfb/index_1.html", Reply.file(f"{BASE}/index_1.html"))
    for rel in (
        "202611/t20261115_1957001.html",
        "202611/t20261115_1957002.html",
        "202611/t20261114_1957003.html",
        "202611/t20261114_1957004.html",
        "202610/t20261020_1956001.html",
        "202610/t20261031_1956002.html",
    ):
        site.route(f"/sj/zxfb/{rel}", Reply.file(f"{BASE}/{rel}"))


def source(site: MockSite) -> dict:
    return {"name": "国家统计局发布", "kind": "releases", "url": f"{site.url}/sj/zxfb/", "obey_robots": True}


def test_release_list_becomes_release_records_once(site, crawl, session) -> None:
    serve_stats(site)
    run = crawl([source(site)], "releases", "--source", "国家统计局发布")
    assert run.returncode == 0, run.stderr
    rows = {r.url.rsplit("/", 1)[1]: r for r in session.scalars(select(Release))}
    assert len(rows) == 6  # two links per row on the list: deduplicated by href

    cpi = rows["t20261115_1957001.html"]
    assert (cpi.indicator, cpi.period_label, cpi.headline_value, cpi.headline_unit) == (
        "CPI",
        "2026年10月",
        0.2,
        "%",
    )
    assert cpi.published_at == datetime(2026, 11, 15, 1, 30, tzinfo=UTC)  # 09:30 Beijing
    assert "城市上涨0.3%" in (cpi.body or "")
    assert rows["t20261115_1957002.html"].headline_value == -2.1
    fai = rows["t20261114_1957003.html"]
    assert (fai.indicator, fai.period_label) == ("FAI", "2026年1—10月")  # year from the URL
    assert fai.published_at == datetime(2026, 11, 14, 2, 0, tzinfo=UTC)
    gdp = rows["t20261020_1956001.html"]
    assert (gdp.indicator, gdp.period_label, gdp.headline_value) == ("GDP", "2026年前三季度", 5.2)

    # a detail page that cannot be parsed: the release is kept from the list, the page quarantined
    broken = rows["t20261114_1957004.html"]
    assert (broken.indicator, broken.headline_value, broken.body) == ("UNEMPLOYMENT", 5.1, None)
    assert broken.published_at == datetime(2026, 11, 14, 1, 30, tzinfo=UTC)  # list date, default 09:30
    q = session.scalars(select(Quarantine)).all()
    assert [x.url.rsplit("/", 1)[1] for x in q] == ["t20261114_1957004.html"]
    assert q[0].body.startswith(b"<html><body>") and "无法解析" in q[0].reason

    src = session.scalar(select(Source))
    assert (src.status, src.items_last_run, src.quarantined_count) == ("warning", 6, 1)
    assert src.last_success_at is not None

    # second run: nothing new on the first page, so no detail page and no second page is fetched
    detail_hits = site.hits("/sj/zxfb/2026")
    run = crawl([source(site)], "releases", "--source", "国家统计局发布")
    assert run.returncode == 0, run.stderr
    assert site.hits("/sj/zxfb/2026") == detail_hits
    assert site.hits("index_1.html") == 1
    session.expire_all()
    assert session.query(Release).count() == 6
    assert session.scalar(select(Source)).items_last_run == 0


def test_a_crawled_release_fills_in_its_calendar_entry(site, crawl, session) -> None:
    serve_stats(site)
    calendar = str(SITES / "calendar/calendar.csv")
    run = crawl([source(site)], calendar, command="import-calendar")
    assert run.returncode == 0, run.stderr
    assert "新增 3 条" in run.stdout
    session.rollback()
    october_cpi = session.scalar(select(Release).where(Release.period_label == "2026年10月"))
    assert october_cpi.scheduled and october_cpi.url is None

    assert crawl([source(site)], "releases").returncode == 0
    session.expire_all()
    assert session.query(Release).count() == 6 + 2  # the crawled six, two still scheduled
    filled = session.get(Release, october_cpi.id)
    assert not filled.scheduled and filled.url.endswith("t20261115_1957001.html")
    assert filled.headline_value == 0.2


def test_unknown_source_or_spider_is_a_clear_error(site, crawl) -> None:
    run = crawl([source(site)], "--source", "没有这个来源")
    assert run.returncode == 2 and "没有名为" in run.stdout
    run = crawl([source(site)], "weibo_search", "--source", "国家统计局发布")
    assert run.returncode == 2 and "不能用爬虫" in run.stdout


def test_real_release_titles_through_the_spider(site, crawl, session) -> None:
    """The 21 real titles (../shared/real/stats/release_titles_real.tsv) listed on one page of the
    stats.gov.cn list layout, their detail pages in the current template: what each release keeps."""
    import csv

    from .conftest import REAL

    with open(REAL / "stats" / "release_titles_real.tsv", encoding="utf-8") as f:
        real = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#") and r[1]]
    assert len(real) == 20  # one title was quoted without its URL
    items = []
    for title, url, date, _origin in real:
        path = url.removeprefix("https://www.stats.gov.cn")
        items.append(
            f'<li><a class="pc_1600" href="{path}" title="{title}">{title}</a><span>{date}</span></li>'
        )
        detail = (
            f'<div class="detail-title"><h1>{title}</h1></div>'
            f'<div class="detail-title-des"><h2><p>{date} 09:30</p></h2></div>'
            f'<div class="detail-text-content"><div class="TRS_Editor"><p>{title}。</p></div></div>'
        )
        site.route(path, Reply(body=detail.encode()))
    listing = f'<div class="list-content"><ul>{"".join(items)}</ul></div>'
    site.route("/sj/zxfb/", Reply(body=listing.encode()))
    assert crawl([source(site)], "releases").returncode == 0
    rows = {r.title: r for r in session.scalars(select(Release))}
    assert len(rows) == 20 and not session.scalars(select(Quarantine)).all()
    narrowing = rows["2025年7月份工业生产者出厂价格环比降幅收窄"]
    assert (narrowing.indicator, narrowing.period_label) == ("PPI", "2025年7月")
    assert narrowing.headline_value is None
    assert narrowing.headline_text == "环比降幅收窄"  # the basis kept, no value invented
    turn = rows["2026年3月份工业生产者出厂价格同比由降转涨 环比涨幅扩大"]
    assert (turn.headline_value, turn.headline_text) == (None, "同比由降转涨 环比涨幅扩大")
    mom = rows["2024年1月份居民消费价格环比上涨0.3%"]
    assert (mom.headline_value, mom.headline_text) == (0.3, "环比上涨0.3%")  # a month-on-month figure
    assert rows["2026年1—5月份社会消费品零售总额增长1.4%"].period_label == "2026年1—5月"
    assert rows["2026年6月份居民消费价格同比上涨1.0%"].published_at == datetime(2026, 7, 9, 1, 30, tzinfo=UTC)
    assert all(r.body == f"{t}。" for t, r in rows.items())


def test_moved_release_keeps_its_list_date_and_a_js_challenge_is_a_block(site, crawl, session) -> None:
    """A 2021 release moved in the 2023 migration: its page states no time and its PubDate meta is
    the move date, so the list's date (at 09:30) is its release time; where neither the page nor
    the list gives one, the meta is used. Then the list answers with a JavaScript challenge
    (HTTP 200, as stats.gov.cn intermittently does): the source is blocked, not 正常 with 0 items."""
    moved = "/sj/zxfb/202302/t20230203_1901237.html"
    undated = "/sj/zxfb/202611/t20261116_1957009.html"
    title = "2021年9月份居民消费价格同比上涨0.7% 环比持平"
    listing = (
        '<div class="list-content"><ul>'
        f'<li><a href="{moved}" title="{title}">{title}</a><span>2021-10-14</span></li>'
        f'<li><a href="{undated}" title="2026年10月份能源生产情况">2026年10月份能源生产情况</a></li>'
        "</ul></div>"
    )
    page = (
        '<html><head><meta name="PubDate" content="{meta}"></head><body>'
        '<div class="detail-title"><h1>{title}</h1></div>'
        '<div class="detail-text-content"><div class="TRS_Editor"><p>{title}。</p></div></div></body></html>'
    )
    site.route("/sj/zxfb/", Reply(body=listing.encode()))
    site.route(moved, Reply(body=page.format(meta="2023-02-03 16:05", title=title).encode()))
    energy = page.format(meta="2026-11-16 10:00", title="2026年10月份能源生产情况")
    site.route(undated, Reply(body=energy.encode()))
    assert crawl([source(site)], "releases").returncode == 0
    rows = {r.title: r for r in session.scalars(select(Release))}
    assert rows[title].published_at == datetime(2021, 10, 14, 1, 30, tzinfo=UTC)
    assert rows["2026年10月份能源生产情况"].published_at == datetime(2026, 11, 16, 2, 0, tzinfo=UTC)

    challenge = b"<html><script>var x='__jsl_clearance';document.cookie=x;location.reload()</script></html>"
    site.route("/sj/zxfb/", Reply(body=challenge))
    assert crawl([source(site)], "releases").returncode == 0
    session.expire_all()
    src = session.scalar(select(Source))
    assert src.status == "blocked" and "加速乐" in (src.last_error or "")


def test_a_bad_link_on_the_release_list_costs_no_release(site, crawl, session) -> None:
    """The list's first rows link to javascript:, mailto: and a URL with a port that is no number
    (scrapy.Request refuses each: raised in the callback, it lost every later row); the real
    releases after them are stored, the skipped links counted with their reasons."""
    good = "/sj/zxfb/202611/t20261115_1957001.html"
    rows = [
        ("javascript:void(0)", "2026年10月份居民消费价格同比上涨0.2%（专题）"),
        ("mailto:tjj@example.invalid", "2026年10月份工业生产者出厂价格同比下降2.1%（邮件订阅）"),
        ("http://www.example.invalid:abc/sj/zxfb/1.html", "2026年10月份全国城镇调查失业率为5.1%（旧址）"),
        (good, "2026年10月份居民消费价格同比上涨0.2%"),
    ]
    items = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>2026-11-15</span></li>' for h, t in rows)
    listing = f'<div class="list-content"><ul>{items}</ul></div>'
    site.route("/sj/zxfb/", Reply(body=listing.encode()))
    site.route(good, Reply.file(f"{BASE}/202611/t20261115_1957001.html"))
    run = crawl([source(site)], "releases")
    assert run.returncode == 0, run.stderr
    assert [r.url.rsplit("/", 1)[1] for r in session.scalars(select(Release))] == ["t20261115_1957001.html"]
    assert "ValueError" not in run.stderr
    src = session.scalar(select(Source))
    assert (src.status, src.items_last_run) == ("ok", 1)
    assert "跳过无效链接 3 条" in run.stdout


def test_a_release_list_whose_every_link_is_bad_is_not_fine(site, crawl, session) -> None:
    title = "2026年10月份居民消费价格同比上涨0.2%"
    item = f'<li><a href="javascript:;" title="{title}">{title}</a></li>'
    listing = f'<div class="list-content"><ul>{item}</ul></div>'
    site.route("/sj/zxfb/", Reply(body=listing.encode()))
    assert crawl([source(site)], "releases").returncode == 0
    assert session.query(Release).count() == 0
    q = session.scalars(select(Quarantine)).one()
    assert "1 个条目链接都无法抓取（javascript: 伪链接 1 个）" in q.reason
    assert session.scalar(select(Source)).status != "ok"

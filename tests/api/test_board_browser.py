"""The duty board as an officer lives in it, in Debian's chromium at desk and phone width.

Each test saves its screenshots under artifacts/screens/ (kept by CI as test artifacts).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts import service
from yuqing.analysis.relevance import relevance
from yuqing.api.auth import ensure_user
from yuqing.clock import now as clock_now
from yuqing.store.models import Document, Story

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--autoplay-policy=no-user-gesture-required",
]
DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Records desktop notifications the page raises (the browser's own API, wrapped to be observable).
NOTIFICATION_SPY = """
(() => {
  window.__notified = [];
  class Spy {
    constructor(title, opts) { window.__notified.push(title); this.onclick = null; }
    static get permission() { return "granted"; }
    static requestPermission() { return Promise.resolve("granted"); }
  }
  window.Notification = Spy;
})();
"""


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    """One chromium for this module's tests on a worker (each test opens contexts of its own).

    Module scope, not session: while Playwright's sync API is started, its event loop counts as
    running in this thread, which other modules' `asyncio.run` would refuse."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(chromium, server: str):  # type: ignore[no-untyped-def]
    """The module's chromium for one test. Every context the test opened is closed before the
    server stops: a board's open event stream would otherwise hold uvicorn's shutdown."""
    yield chromium
    for context in chromium.contexts:
        context.close()


def signed_in(browser, server: str, viewport: dict[str, int], path: str = "/"):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    context.add_init_script(NOTIFICATION_SPY)
    page = context.new_page()
    page.set_default_timeout(30000)  # a loaded CI machine; waits end as soon as the page is ready
    page.goto(f"{server}/login?next={path}")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{path}")
    return page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} @ " + "; ".join(n["target"][0] + " " + n.get("failureSummary", "")[-90:]
                                                     for n in v["nodes"][:5])
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture
def officer(session_maker: sessionmaker[Session]) -> None:
    with session_maker() as s:
        ensure_user(s, "demo", "demo", "press", "演示值班员")
        s.commit()


def open_grade_one(session_maker: sessionmaker[Session], make) -> int:  # type: ignore[no-untyped-def]
    now = clock_now()
    with session_maker() as s:
        release = make.release(s, published_at=now - timedelta(hours=3))
        story = Story(title="【扩散】CPI数据造假", size=3, earliest_publisher="某大V", platforms={"weibo": 3})
        s.add(story)
        s.flush()
        ids = [make.mention(s, "【扩散】CPI数据造假，谁信", story_id=story.id, risk=80, sentiment="negative",
                            published_at=now - timedelta(minutes=30 - i)).id for i in range(3)]
        ids += [make.mention(s, f"菜价涨了一倍，CPI才涨0.2%？{i}", risk=40 + i, sentiment="negative",
                             published_at=now - timedelta(minutes=20 - i)).id for i in range(25)]
        inc = service.open_incident(s, title="11月CPI数据遭造假质疑", grade="I", category="data_credibility",
                                    actor="测试", now=now - timedelta(minutes=10), mention_ids=ids,
                                    release_id=release.id)
        s.commit()
        return inc.id


def test_arrival_rings_titles_and_notifies_and_mute_is_remembered(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    page = signed_in(browser, server, DESK)
    page.wait_for_selector("#live-status.ok")
    pill = page.evaluate("""() => { const s = getComputedStyle(document.getElementById('live-status'));
        return [s.color, s.backgroundColor]; }""")
    assert pill[0] != pill[1], "the 实时 pill's text must differ from its background"
    assert page.title().startswith("值班看板")

    incident_id = open_grade_one(session_maker, make)
    page.wait_for_function("() => document.title.startsWith('(1)【I级】')")
    assert "11月CPI数据遭造假质疑" in page.title()
    page.wait_for_function("() => window.__notified.length === 1")
    assert page.evaluate("() => window.__notified[0]").startswith("【特别重大")
    assert page.evaluate("() => document.body.dataset.lastAlarm") is not None
    card = page.locator(f"[data-incident-id='{incident_id}']")
    card.wait_for()
    assert card.locator(".i-subtitle").inner_text() == "【扩散】CPI数据造假，谁信"
    assert card.locator(".situation li").count() == 3
    shot(page, "board-desk")

    page.click("#mute-toggle")
    assert "已关" in page.inner_text("#mute-toggle")
    page.reload()
    assert "已关" in page.inner_text("#mute-toggle")
    assert page.get_attribute("#mute-toggle", "aria-pressed") == "true"
    assert serious_violations(page) == []


def test_a_dropped_stream_is_shown_at_once_and_recovers(browser, server, officer) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(30000)  # a loaded CI machine; waits end as soon as the page is ready
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    # The stream is refused from the start (a proxy cutting long requests, a server restarting)…
    page.route("**/api/v1/stream", lambda route: route.abort())
    page.click("button[type=submit]")
    page.wait_for_selector("#live-status.lost")
    assert "重连" in page.inner_text("#live-status")
    assert page.evaluate("() => document.body.classList.contains('stream-lost')")
    # …and when it answers again, the browser's EventSource reconnects on its own.
    page.unroute("**/api/v1/stream")
    page.wait_for_selector("#live-status.ok", timeout=30000)
    assert not page.evaluate("() => document.body.classList.contains('stream-lost')")
    context.close()


def test_phone_width_reads_and_acknowledges_with_one_thumb(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    incident_id = open_grade_one(session_maker, make)
    page = signed_in(browser, server, PHONE)
    card = page.locator(f"[data-incident-id='{incident_id}']")
    card.wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    header = page.locator(".topbar").bounding_box()
    assert header is not None and header["height"] < 130
    for sel in ("#live-status", "form[action='/logout'] button"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], sel
    title = card.locator(".i-title").bounding_box()
    assert title is not None and title["width"] > 150  # not one character per line
    ack = card.get_by_role("button", name="确认接警")
    box = ack.bounding_box()
    assert box is not None and box["height"] >= 44
    shot(page, "board-phone")
    ack.click()
    card.locator(".status").filter(has_text="已确认").wait_for()

    page.goto(f"{server}/incidents/{incident_id}")
    page.locator("#chart svg").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(page, "incident-phone")


def test_incident_page_has_the_curve_story_groups_and_paging(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    incident_id = open_grade_one(session_maker, make)
    page = signed_in(browser, server, DESK, f"/incidents/{incident_id}")
    page.locator("#chart svg").wait_for()
    bars = page.evaluate(
        "() => [...document.querySelectorAll('#chart svg rect')]"
        ".filter(r => +r.getAttribute('height') > 0).length"
    )
    assert bars >= 1
    assert page.locator("#chart svg text", has_text="数据发布").count() == 1
    assert page.locator("#chart svg text", has_text="立案").count() == 1
    # the generated (here: typed) title, the representative post under it, the three-line situation
    assert page.inner_text("#incident-head .i-subtitle") == "代表性信息：【扩散】CPI数据造假，谁信"
    situation = page.locator("#incident-head .situation li").all_inner_texts()
    assert len(situation) == 3 and situation[0].startswith("规模与趋势：共 28 条")
    assert situation[1].startswith("主要说法：") and situation[2].startswith("主要传播者：")
    groups = page.locator("#mentions .mention-group")
    groups.first.wait_for()
    assert groups.count() == 20  # the riskiest twenty first
    assert "同一内容 3 条" in groups.first.inner_text()
    assert re.search(r"28 条，26 组", page.inner_text("#group-count"))
    page.click("#more-groups")
    page.wait_for_function("() => document.querySelectorAll('#mentions .mention-group').length === 26")
    assert page.locator("#more-groups").is_hidden()
    grade = page.locator("#grade-form select[name=grade] option").all_inner_texts()
    assert grade[0].startswith("特别重大")
    kinds = page.locator("#action-form select[name=kind] option").all_inner_texts()
    assert "答复" not in kinds and "转载上级政策" not in kinds
    shot(page, "incident-desk")
    assert serious_violations(page) == []


def test_working_day_clock_reads_in_working_days(browser, server, officer, session_maker) -> None:  # type: ignore[no-untyped-def]
    now = clock_now()
    with session_maker() as s:
        case = service.create_case(s, kind="complaint", title="对CPI数据的投诉", actor="测试",
                                   now=now, received_at=now)
        s.commit()
        case_id = case.id
    page = signed_in(browser, server, DESK, "/cases")
    clock = page.locator(f"tr[data-case-id='{case_id}'] .countdown")
    clock.wait_for()
    page.wait_for_function("sel => /个工作日|今日到期/.test(document.querySelector(sel).textContent)",
                           arg=f"tr[data-case-id='{case_id}'] .countdown")
    due = page.locator(f"tr[data-case-id='{case_id}'] td").nth(4).inner_text()
    assert re.match(r"\d\d-\d\d 24:00", due), due
    assert serious_violations(page) == []
    shot(page, "cases-desk")


OTHER_PAGES = ["/incidents", "/sources", "/search", "/stories", "/reports", "/compliance"]


def test_other_pages_render_and_pass_the_accessibility_check(browser, server, officer) -> None:  # type: ignore[no-untyped-def]
    """One signed-in officer opens each page in turn (a sign-in per page cost more than the page)."""
    page = signed_in(browser, server, DESK, OTHER_PAGES[0])
    problems: dict[str, list[str]] = {}
    for path in OTHER_PAGES:
        if path != OTHER_PAGES[0]:
            page.goto(f"{server}{path}")
        page.wait_for_load_state("networkidle")
        found = serious_violations(page)
        if page.locator("h1").count() < 1:
            found.append("no <h1>")
        if found:
            problems[path] = found
    assert problems == {}
    favicon = page.request.get(f"{server}/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/svg")


def test_an_officer_corrects_a_mention_and_the_correction_is_stored(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import select

    from yuqing.store.models import Mention, SentimentCorrection

    with session_maker() as s:
        m = make.mention(s, "感谢统计局新闻发布会的详细说明，疑问都解答了", sentiment="negative", risk=30)
        s.commit()
        mention_id = m.id
    page = signed_in(browser, server, DESK)
    card = page.locator(f"#mentions article[data-id='{mention_id}']")
    card.wait_for()
    card.locator("select.relabel").select_option("positive")
    card.get_by_text("已更正为正面").wait_for()
    assert card.locator(".sent").inner_text() == "正面"
    with session_maker() as s:
        fix = s.scalars(select(SentimentCorrection).where(SentimentCorrection.mention_id == mention_id)).one()
        assert (fix.label, fix.previous_label, fix.user) == ("positive", "negative", "demo")
        assert s.get(Mention, mention_id).sentiment == "positive"


def test_history_search_and_sources_pages_answer_what_an_officer_asks(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    incident_id = open_grade_one(session_maker, make)
    now = clock_now()
    with session_maker() as s:
        old = service.open_incident(s, title="10月PPI解读引发误读", grade="III", category="misreading",
                                    actor="测试", now=now - timedelta(days=20))
        service.change_status(s, incident_id=old.id, status="closed", actor="测试",
                              now=now - timedelta(days=19), note="已澄清")
        make.mention(s, "房租又涨了，CPI才涨0.2%，<b>谁信</b>")
        paper = make.source(s, name="某市晚报", status="ok", last_run_at=now, items_last_run=0, total_items=0)
        s.add(Document(platform="weibo", dedup_key="mouse-cpi", url="http://127.0.0.1/mouse",
                       source_id=paper.id, text="新显示器到了…鼠标CPI调到1600",
                       status="irrelevant", relevance=0.0,
                       relevance_reason=relevance("新显示器到了…鼠标CPI调到1600").reason, published_at=now))
        s.commit()
        old_id = old.id

    page = signed_in(browser, server, DESK, "/incidents")
    page.locator(f"tr[data-incident-id='{incident_id}']").wait_for()
    assert page.locator(f"tr[data-incident-id='{old_id}']").count() == 1  # closed ones are history too
    page.fill("#filter-form input[name=q]", "PPI")
    page.click("#filter-form button[type=submit]")
    page.wait_for_function(f"() => !document.querySelector(\"tr[data-incident-id='{incident_id}']\")")
    assert page.locator("#incident-table tbody tr").count() == 1

    page.goto(f"{server}/search?q=房租")
    mark = page.locator("#results mark").first
    mark.wait_for()
    assert mark.inner_text() == "房租"
    assert page.locator("#results b").count() == 0  # crawled markup stays text
    assert page.get_attribute("#xlsx-link", "href").startswith("/api/v1/search.xlsx?q=")

    page.goto(f"{server}/sources")
    row = page.locator("#source-table tr", has_text="某市晚报")
    row.wait_for()
    assert row.locator(".src-status").inner_text() == "告警"  # never 正常 beside a warning
    assert "尚未采集到任何条目" in row.inner_text()
    # what was kept out of mentions as off-topic, and why, is there for the analyst to check
    off = page.locator("#off-topic-table tr", has_text="鼠标CPI调到1600")
    off.wait_for()
    assert "某市晚报" in off.inner_text()
    assert "「CPI」在此指鼠标或硬件参数" in off.locator(".off-topic-reason").inner_text()
    assert serious_violations(page) == []


def test_a_warning_is_promoted_from_the_board_and_the_incident_is_evaluated(
    browser, server, officer, session_maker, make, settings  # type: ignore[no-untyped-def]
) -> None:
    from yuqing.alerts.warnings import raise_warnings

    now = clock_now().replace(minute=0, second=0, microsecond=0)
    with session_maker() as s:
        for h in range(1, 13):
            make.mention(s, f"CPI平稳{h}", topics=["CPI"], published_at=now - timedelta(hours=h, minutes=5))
        copied = Story(title="【扩散】CPI数据造假", size=3, earliest_publisher="某大V",
                       platforms={"weibo": 3})
        s.add(copied)
        s.flush()
        for i in range(30):
            make.mention(s, "【扩散】CPI数据造假" if i < 3 else f"CPI数据造假？第{i}条", topics=["CPI"],
                         risk=60, sentiment="negative", published_at=now - timedelta(minutes=40 - i),
                         story_id=copied.id if i < 3 else None)
        [warning] = raise_warnings(s, settings, now=now)
        s.commit()
        warning_id = warning.id
    page = signed_in(browser, server, DESK)
    card = page.locator(f"[data-warning-id='{warning_id}']")
    card.wait_for()
    assert "近1小时 30 条" in card.inner_text() and "预警" in card.inner_text()
    posts = card.locator(".warning-posts li").all_inner_texts()  # copies counted once, with who was first
    assert posts[0] == "【扩散】CPI数据造假（同一内容 3 条，最早：某大V）" and len(posts) == 3
    card.get_by_role("button", name="升级为事件").click()
    page.locator(".incident .i-title", has_text="CPI 舆情突增").wait_for()
    assert page.locator("#warnings-panel").is_hidden()

    page.locator(".incident .i-title", has_text="CPI 舆情突增").click()
    form = page.locator("#evaluation-form")
    form.locator("input[name=addressed_claims]").check()
    form.locator("textarea[name=lessons]").fill("突增一小时内即升级，处置及时")
    form.get_by_role("button", name="保存评估").click()
    page.locator("#evaluation", has_text="已针对主要关切").wait_for()
    assert "突增一小时内即升级" in page.inner_text("#evaluation")


def test_an_authoritative_publication_is_confirmed_as_the_response_and_dead_notices_alarm(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    from yuqing.store.models import Notification

    now = clock_now()
    with session_maker() as s:
        release = make.release(s, published_at=now - timedelta(hours=3))
        interview = make.mention(s, "国家统计局有关负责人接受记者采访，介绍CPI编制方法", platform="news",
                                 title="如何看待CPI与居民体感的差异——访国家统计局有关负责人",
                                 authority="official_media", published_at=now - timedelta(minutes=30))
        make.link(s, interview, release)
        accusation = make.mention(s, "统计局CPI数据造假？", sentiment="negative", risk=88.0)
        inc = service.open_incident(s, title="CPI数据遭造假质疑", grade="I", category="data_credibility",
                                    actor="测试", now=now - timedelta(minutes=10),
                                    mention_ids=[accusation.id], release_id=release.id)
        s.add(Notification(key="deadline:1:lead-60|值班群", channel="值班群", audience="press",
                           subject="【临近超时】发布权威信息剩余 60 分钟", body="…", incident_id=inc.id,
                           payload={"kind": "deadline", "step": "lead-60"}, status="dead", attempts=8,
                           last_error="HTTP 502", next_attempt_at=now, created_at=now))
        s.commit()
        incident_id = inc.id
    page = signed_in(browser, server, DESK)
    page.locator("#delivery-alarm", has_text="通知未送达").wait_for()
    assert "发布权威信息剩余 60 分钟" in page.inner_text("#delivery-alarm")

    page.goto(f"{server}/incidents/{incident_id}")
    candidate = page.locator(f"#candidates .candidate[data-id='{interview.id}']")
    candidate.wait_for()
    candidate.get_by_role("button", name="确认为本事件的回应").click()
    page.locator("#candidates-panel").wait_for(state="hidden")
    page.locator("#deadlines td", has_text="已完成").first.wait_for()


def test_copies_fold_into_their_story_in_the_feed_and_search_with_a_correction_on_each(
    browser, server, officer, session_maker, make  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import select

    from yuqing.store.models import SentimentCorrection

    now = clock_now()
    with session_maker() as s:
        story = Story(title="【扩散】CPI数据造假", size=5, earliest_publisher="某大V",
                      earliest_published_at=now - timedelta(hours=2), platforms={"weibo": 5})
        s.add(story)
        s.flush()
        copies = [make.mention(s, "【扩散】统计局CPI数据造假，谁信", story_id=story.id, sentiment="positive",
                               published_at=now - timedelta(minutes=10 - i)).id for i in range(3)]
        make.mention(s, "房租又涨了，统计局CPI才涨0.2%", published_at=now - timedelta(minutes=1))
        s.commit()
    page = signed_in(browser, server, DESK)
    group = page.locator("#mentions .mention-group", has_text="同一内容 3 条")
    group.wait_for()
    head = group.locator(".group-head").inner_text()
    assert "聚合共 5 条" in head and "最早：某大V" in head
    assert page.locator("#mentions article.mention:visible").count() == 2  # one story, one post
    group.get_by_role("button", name="展开其余 2 条").click()
    assert group.locator("article.mention:visible").count() == 3
    assert group.locator("select.relabel").count() == 3  # 更正 on every copy

    page.goto(f"{server}/search?q=统计局")
    hits = page.locator("#results .mention-group", has_text="同一内容 3 条")
    hits.wait_for()
    assert "最早：某大V" in hits.inner_text()
    assert page.locator("#results article.mention:visible").count() == 2
    hit = hits.locator("article.mention").first
    hit.locator("select.relabel").select_option("negative")
    hit.get_by_text("已更正为负面").wait_for()
    fixed_id = int(hit.get_attribute("data-id"))
    assert fixed_id in copies
    with session_maker() as s:
        fix = s.scalars(select(SentimentCorrection).where(SentimentCorrection.mention_id == fixed_id)).one()
        assert (fix.label, fix.previous_label, fix.user) == ("negative", "positive", "demo")
    assert serious_violations(page) == []

"""The press office pages in a real browser (Debian's chromium via Playwright) against uvicorn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts import service
from yuqing.api.auth import ensure_user
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store.models import Case, Deadline

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>统计数据有误"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def page(server: str, session_maker: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """A press officer's signed-in browser tab."""
    from playwright.sync_api import sync_playwright

    with session_maker() as s:
        ensure_user(s, "demo", "demo", "press", "演示值班员")
        s.commit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}
        )
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.goto(f"{server}/login?next=/cases")
        pg.fill("input[name=username]", "demo")
        pg.fill("input[name=password]", "demo")
        pg.click("button[type=submit]")
        pg.wait_for_url(f"{server}/cases")
        yield pg
        context.close()
        browser.close()


def test_officer_creates_a_case_on_the_cases_page_and_sees_its_countdown(
    page,
    session_maker: sessionmaker[Session],  # type: ignore[no-untyped-def]
) -> None:
    form = page.locator("#case-form")
    form.locator("select[name=kind]").select_option("repost")
    form.locator("input[name=title]").fill(HOSTILE)
    form.locator("input[name=channel]").fill("上级来文")
    form.get_by_role("button", name="登记并开始计时").click()

    row = page.locator("#case-table tbody tr", has_text="统计数据有误")
    row.wait_for()
    assert row.locator(".case-title").inner_text().startswith(HOSTILE)  # shown as text, not markup
    assert page.locator("#case-table img").count() == 0
    with session_maker() as s:
        case = s.scalars(select(Case)).one()
        deadline = s.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    assert case.kind == "repost" and case.channel == "上级来文" and deadline.kind == "repost"
    assert row.get_attribute("data-case-id") == str(case.id)

    clock = row.locator(".countdown")
    assert clock.get_attribute("data-due") == local_iso(deadline.due_at)
    # A working-day window counts working days (or, on its last day, the hours left), not seconds.
    page.wait_for_function(
        "sel => /^(剩余 \\d+ 个工作日|今日到期 · 剩余 \\d\\d:\\d\\d:\\d\\d)$/"
        ".test(document.querySelector(sel).textContent)",
        arg="#case-table .countdown",
    )
    assert "running" in (clock.get_attribute("class") or "") or "due-soon" in (
        clock.get_attribute("class") or ""
    )
    page.screenshot(path="/tmp/yuqing_cases.png", full_page=True)

    # Record the reply: the clock stops and the case is answered.
    row.get_by_role("button", name="登记答复").click()
    dialog = page.locator("#reply-dialog")
    dialog.locator("textarea[name=description]").fill("已在门户网站转载")
    dialog.get_by_role("button", name="登记").click()
    page.locator("#case-table .countdown.met").wait_for()
    assert page.locator("#case-table .countdown").inner_text() == "已完成"
    with session_maker() as s:
        assert s.scalars(select(Case.status)).one() == "answered"


def test_incident_page_shows_the_response_effect_as_a_table(
    page,
    server: str,
    session_maker: sessionmaker[Session],
    make,  # type: ignore[no-untyped-def]
) -> None:
    now = clock_now()
    with session_maker() as s:
        mentions = [
            make.mention(s, f"质疑 {i}", sentiment="negative", published_at=now - timedelta(hours=i + 1))
            for i in range(3)
        ]
        mentions.append(
            make.mention(s, "转发解读", sentiment="neutral", published_at=now - timedelta(hours=4))
        )
        incident = service.open_incident(
            s,
            title="网传CPI数据造假",
            grade="II",
            category="data_credibility",
            actor="tests",
            now=now - timedelta(hours=5),
            mention_ids=[m.id for m in mentions],
        )
        s.commit()
        incident_id = incident.id
    page.goto(f"{server}/incidents/{incident_id}")
    page.locator("#effect", has_text="暂无回应").wait_for()
    page.click("#btn-action")
    dialog = page.locator("#action-dialog")
    dialog.locator("select[name=kind]").select_option("authoritative_info")
    dialog.locator("input[name=evidence_url]").fill("https://stats.example/sj/sjjd/1.html")
    dialog.get_by_role("button", name="登记").click()

    row = page.locator("#effect table tbody tr")
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert cells[0].startswith("发布权威信息") and "观察中" in cells[0]
    # The after-window has only just begun: partial figures, no change and no colour until it ends.
    assert cells[1] == "4 → 0（部分）" and cells[2] == "待窗口结束"
    assert cells[3] == "75% → —（部分）" and cells[4] == "待窗口结束"
    assert row.locator("td.down, td.up").count() == 0
    assert page.locator("#effect pre").count() == 0  # no raw JSON any more
    page.screenshot(path="/tmp/yuqing_effect.png", full_page=True)

"""The dashboard in a real browser (Debian's chromium via Playwright) against uvicorn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts import service
from yuqing.api.auth import ensure_user
from yuqing.clock import now as clock_now
from yuqing.store.models import Deadline

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def page(server: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}
        )
        pg = context.new_page()
        pg.set_default_timeout(15000)
        yield pg
        context.close()
        browser.close()


def test_duty_officer_sees_ticking_clocks_and_records_a_response(
    server: str,
    page,
    session_maker: sessionmaker[Session],
    make,  # type: ignore[no-untyped-def]
) -> None:
    with session_maker() as s:
        ensure_user(s, "demo", "demo", "press", "演示值班员")
        now = clock_now()
        crawled = make.mention(
            s,
            "<img src=x onerror=alert(1)>网传CPI造假",
            sentiment="negative",
            risk=91.0,
            risk_factors=[{"key": "neg", "label": "负面 0.95", "value": 0.95, "contribution": 30}],
        )
        incident = service.open_incident(
            s,
            title="<b>网传</b>CPI数据造假",
            grade="I",
            category="data_credibility",
            actor="值班员",  # typed by a person, so the title is kept as typed (a rule's is generated)
            now=now - timedelta(minutes=30),
            mention_ids=[crawled.id],
        )
        s.commit()
        incident_id = incident.id

    # Under the Content-Security-Policy (script-src 'self') the board must work unchanged.
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{server}/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    card = page.locator(f"[data-incident-id='{incident_id}']")
    card.wait_for()
    # Crawled and incident text is shown as text, never as markup.
    assert card.locator(".i-title").inner_text() == "<b>网传</b>CPI数据造假"
    page.locator(".mention .m-text", has_text="<img src=x").first.wait_for()
    assert page.locator(".mention img").count() == 0
    assert card.locator(".grade").inner_text() == "特别重大（I级）"

    clock = card.locator("[data-deadline-id] .countdown").first
    first = clock.inner_text()
    assert first.startswith("剩余 04:2") or first.startswith("剩余 04:3")
    page.wait_for_function(
        "([sel, before]) => document.querySelector(sel).textContent !== before",
        arg=[f"[data-incident-id='{incident_id}'] [data-deadline-id] .countdown", first],
    )
    assert clock.inner_text() != first
    page.screenshot(path="/tmp/yuqing_board.png", full_page=True)

    card.get_by_role("button", name="确认接警").click()
    page.locator(f"[data-incident-id='{incident_id}'] .status", has_text="已确认").wait_for()

    card.get_by_role("button", name="登记回应").click()
    dialog = page.locator("#action-dialog")
    dialog.locator("select[name=kind]").select_option("authoritative_info")
    dialog.locator("input[name=evidence_url]").fill("https://stats.example/sj/sjjd/1.html")
    dialog.locator("textarea[name=description]").fill("发布数据解读")
    dialog.get_by_role("button", name="登记").click()
    info = page.locator(f"[data-incident-id='{incident_id}'] .deadline", has_text="发布权威信息").locator(
        ".countdown"
    )
    page.wait_for_function(
        "sel => document.querySelector(sel)?.textContent === '已完成'",
        arg=f"[data-incident-id='{incident_id}'] .deadline .countdown.met",
    )
    assert info.inner_text() == "已完成"

    with session_maker() as s:
        states = dict(
            s.execute(select(Deadline.kind, Deadline.state).where(Deadline.incident_id == incident_id)).all()
        )
    assert states["authoritative_info"] == "met" and states["press_conference"] == "pending"

    page.goto(f"{server}/incidents/{incident_id}")
    page.locator("#timeline li", has_text="回应").first.wait_for()
    assert page.locator("#deadlines .countdown.met").inner_text() == "已完成"
    page.screenshot(path="/tmp/yuqing_incident.png", full_page=True)
    page.goto(f"{server}/docs")
    page.locator(".swagger-ui .info").wait_for()  # Swagger UI starts from a file, not an inline script
    assert refused == []

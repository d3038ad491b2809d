"""考核、通知、报告 pages, the navigation bar, and the incident page's response-effect data."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts import engine, service
from yuqing.api.auth import ensure_user
from yuqing.clock import as_utc, local_iso
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.store.models import Briefing, Case, Notification, Silence

HOSTILE = "<img src=x onerror=alert(1)>"
HEADER = {"X-Yuqing-Request": "1"}
PAGES = {
    "/": "值班看板",
    "/incidents": "事件",
    "/search": "检索",
    "/stories": "转载",
    "/cases": "工单",
    "/compliance": "考核",
    "/notifications": "通知",
    "/reports": "报告",
    "/sources": "采集源",
}


def _login(app, session_maker: sessionmaker[Session], role: str) -> TestClient:  # type: ignore[no-untyped-def]
    with session_maker() as s:
        ensure_user(s, role + "1", "pw", role, role)
        s.commit()
    c = TestClient(app)
    assert (
        c.post("/login", data={"username": role + "1", "password": "pw"}, follow_redirects=False).status_code
        == 303
    )
    return c


@pytest.fixture
def officer(app, session_maker: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    with _login(app, session_maker, "press") as c:
        yield c


def test_every_page_has_the_navigation_bar_marking_where_you_are(
    officer: TestClient, anon: TestClient, session_maker: sessionmaker[Session]
) -> None:
    with session_maker() as s:
        incident = service.open_incident(
            s, title="t", grade="III", category="other", actor="tests", now=clock_now()
        )
        s.commit()
        incident_id = incident.id
    special = f'href="/api/v1/reports/incidents/{incident_id}/special?format=pdf"'
    assert special in officer.get(f"/incidents/{incident_id}").text  # the 舆情专报 on the incident page
    for path in [*PAGES, f"/incidents/{incident_id}"]:
        html = officer.get(path).text
        nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
        assert nav, path
        links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav.group(0))
        assert [(href, name) for href, _, name in links][: len(PAGES)] == list(PAGES.items()), path
        current = [href for href, mark, _ in links if mark]
        # an incident's own page sits under 事件
        assert current == ([path] if path in PAGES else ["/incidents"]), path
    for path in list(PAGES)[1:]:
        assert anon.get(path, follow_redirects=False).headers["location"] == f"/login?next={path}"


def test_compliance_page_and_its_csv_count_windows_on_time_late_and_missed(
    officer: TestClient, session_maker: sessionmaker[Session], settings: Settings
) -> None:
    now = clock_now()
    with session_maker() as s:

        def case(kind: str, days_ago: float) -> int:
            c = service.create_case(
                s,
                kind=kind,
                title=f"{kind} {days_ago}",
                received_at=now - timedelta(days=days_ago),
                actor="tests",
                now=now,
            )
            return c.id

        on_time, late, missed = case("repost", 12), case("repost", 11), case("repost", 10)
        received = as_utc(s.get(Case, on_time).received_at)  # type: ignore[union-attr]
        service.record_action(
            s, kind="repost", at=received + timedelta(hours=1), actor="tests", now=now, case_id=on_time
        )
        service.record_action(
            s, kind="repost", at=now - timedelta(hours=1), actor="tests", now=now, case_id=late
        )
        engine.tick(s, settings, now=now)  # the unanswered re-post is breached: missed
        s.commit()

    page = officer.get("/compliance").text
    assert 'id="period-form"' in page and 'id="csv-link"' in page and "/static/compliance.js" in page
    start = local_iso(now - timedelta(days=20))[:16]
    end = local_iso(now)[:16]
    report = officer.get("/api/v1/compliance", params={"start": start, "end": end}).json()
    counts = report["by_kind"]["repost"]
    assert (counts["on_time"], counts["late"], counts["missed"]) == (1, 1, 1)

    r = officer.get("/api/v1/compliance.csv", params={"start": start, "end": end})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    by_code = {row[1]: row for row in rows if len(row) > 7}
    assert by_code["repost"][0] == "上级政策转载"
    assert by_code["repost"][2:5] == ["1", "1", "1"] and by_code["repost"][8] == "0.3333"
    assert by_code["total"][7] == "3"
    detail = [row for row in rows if len(row) == 7 and row[0].isdigit()]
    assert {row[3]: row[6] for row in detail} == {str(late): "逾期完成", str(missed): "未回应"}
    bad = officer.get("/api/v1/compliance.csv", params={"start": end, "end": start})
    assert bad.status_code == 422 and bad.json()["detail"] == "开始时间必须早于结束时间"


def _notification(s: Session, n: int, status: str, **fields: object) -> Notification:
    values: dict[str, object] = {"subject": f"通知 {n}", **fields}
    row = Notification(
        key=f"test:{n}",
        channel="webhook-duty",
        audience="press",
        body="正文",
        payload={},
        status=status,
        next_attempt_at=clock_now(),
        created_at=clock_now(),
        **values,
    )
    s.add(row)
    s.flush()
    return row


def test_notifications_page_makes_dead_letters_stand_out_and_escapes_errors(
    officer: TestClient, session_maker: sessionmaker[Session]
) -> None:
    with session_maker() as s:
        dead = _notification(
            s, 1, "dead", attempts=8, last_error=f"HTTPError: 502 {HOSTILE}", subject=f"I级事件 {HOSTILE}"
        )
        _notification(s, 2, "pending", attempts=2, last_error="ConnectError: refused")
        _notification(s, 3, "sent", attempts=1, sent_at=clock_now())
        s.commit()
        dead_id = dead.id
    html = officer.get("/notifications").text
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    section = re.search(
        r'<section class="panel dead-letters alarm" id="dead-letters">.*?</section>', html, re.S
    )
    assert section, "dead letters must be shown as an alarm"
    dead_html = section.group(0)
    assert "没有收到" in dead_html and f'data-notification-id="{dead_id}"' in dead_html
    assert "HTTPError: 502" in dead_html and "<td>8</td>" in dead_html and "retry-btn" in dead_html
    assert "通知 2" not in dead_html and "通知 3" not in dead_html
    assert "ConnectError: refused" in html and "通知 3" in html

    assert officer.post(f"/api/v1/notifications/{dead_id}/retry").status_code == 403
    assert (
        officer.post(f"/api/v1/notifications/{dead_id}/retry", headers=HEADER).json()["status"] == "pending"
    )
    assert "dead-letters alarm" not in officer.get("/notifications").text
    again = officer.post(f"/api/v1/notifications/{dead_id}/retry", headers=HEADER)
    assert again.status_code == 409


def test_silences_are_created_listed_and_expired_through_the_page_api(
    officer: TestClient,
    app,
    session_maker: sessionmaker[Session],  # type: ignore[no-untyped-def]
) -> None:
    now = clock_now()
    body = {
        "matcher": {"incident_id": 7, "audience": "press"},  # press may not mute leadership notices
        "starts_at": local_iso(now - timedelta(minutes=1))[:16],
        "ends_at": local_iso(now + timedelta(hours=2))[:16],
        "reason": f"演练 {HOSTILE}",
    }
    assert officer.post("/api/v1/silences", json=body).status_code == 403
    created = officer.post("/api/v1/silences", json=body, headers=HEADER)
    assert created.status_code == 201 and created.json()["active"] is True
    sid = created.json()["id"]
    html = officer.get("/notifications").text
    row = re.search(rf'<tr data-silence-id="{sid}">.*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "事件编号 = 7" in row and "生效中" in row and "expire-btn" in row
    assert "演练 &lt;img" in row and HOSTILE not in html
    for field in ("field", "value", "starts_at", "ends_at", "reason"):
        assert f'name="{field}"' in html

    with _login(app, session_maker, "analyst") as analyst:
        assert analyst.post(f"/api/v1/silences/{sid}/expire", headers=HEADER).status_code == 403
        assert "expire-btn" not in analyst.get("/notifications").text
    expired = officer.post(f"/api/v1/silences/{sid}/expire", headers=HEADER)
    assert expired.status_code == 200 and expired.json()["active"] is False
    with session_maker() as s:
        assert as_utc(s.get(Silence, sid).ends_at) <= clock_now()  # type: ignore[union-attr]
    row = re.search(rf'<tr data-silence-id="{sid}">.*?</tr>', officer.get("/notifications").text, re.S)
    assert row and "已结束" in row.group(0) and "expire-btn" not in row.group(0)
    assert officer.post(f"/api/v1/silences/{sid}/expire", headers=HEADER).status_code == 409
    assert officer.post("/api/v1/silences/999999/expire", headers=HEADER).status_code == 404


def test_reports_page_links_briefings_and_release_assessments(
    officer: TestClient,
    session_maker: sessionmaker[Session],
    make,  # type: ignore[no-untyped-def]
) -> None:
    with session_maker() as s:
        s.add(Briefing(kind="daily", day=date(2026, 11, 9), generated_at=clock_now(), html="<p>日报</p>"))
        release = make.release(s)
        release.title = f"{HOSTILE}10月份CPI"
        s.commit()
        briefing_id = s.scalar(select(Briefing.id))
        release_id = release.id
    html = officer.get("/reports").text
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;10月份CPI" in html
    for f in ("html", "docx", "pdf"):
        assert f'href="/api/v1/reports/briefings/{briefing_id}?format={f}"' in html
        assert f'href="/api/v1/reports/releases/{release_id}/assessment?format={f}"' in html
    assert "2026-11-09" in html and 'id="generate-briefing"' in html

    assert officer.post("/api/v1/reports/briefings").status_code == 403
    made = officer.post("/api/v1/reports/briefings", headers=HEADER)
    assert made.status_code == 201, made.text
    assert f'data-briefing-id="{made.json()["id"]}"' in officer.get("/reports").text
    stored = officer.get(f"/api/v1/reports/briefings/{briefing_id}?format=html")
    assert stored.status_code == 200 and "日报" in stored.text
    releases = officer.get("/releases").text  # the releases page: ids, state, on-demand 研判
    assert f'data-release-id="{release_id}"' in releases and "&lt;img src=x" in releases
    assert f'href="/api/v1/reports/releases/{release_id}/assessment?format=pdf"' in releases


def test_the_effect_of_a_response_is_there_right_after_it_is_recorded(
    client: TestClient,
    session_maker: sessionmaker[Session],
    make,  # type: ignore[no-untyped-def]
) -> None:
    now = clock_now()
    with session_maker() as s:
        mentions = [
            make.mention(s, f"负面 {i}", sentiment="negative", published_at=now - timedelta(hours=i + 1))
            for i in range(2)
        ]
        mentions.append(make.mention(s, "中性", sentiment="neutral", published_at=now - timedelta(hours=5)))
        mentions.append(
            make.mention(s, "又一条负面", sentiment="negative", published_at=now - timedelta(minutes=10))
        )
        incident = service.open_incident(
            s,
            title="网传造假",
            grade="I",
            category="data_credibility",
            actor="tests",
            now=now - timedelta(hours=6),
            mention_ids=[m.id for m in mentions],
        )
        s.commit()
        incident_id = incident.id
    assert client.get(f"/api/v1/incidents/{incident_id}/effect").json() == []
    at = local_iso(now - timedelta(minutes=30))[:16]
    r = client.post(
        f"/api/v1/incidents/{incident_id}/actions",
        json={"kind": "authoritative_info", "at": at, "evidence_url": "https://stats.example/1"},
    )
    assert r.status_code == 201
    rows = client.get(f"/api/v1/incidents/{incident_id}/effect").json()
    assert len(rows) == 1 and rows[0]["action_id"] == r.json()["id"]
    # 3 mentions in the 24 h before the response (2 negative), 1 after it.
    assert rows[0]["before"]["mentions"] == 3 and rows[0]["after"]["mentions"] == 1
    assert rows[0]["before"]["negative_share"] == 0.6667 and rows[0]["after"]["negative_share"] == 1.0
    page = client.get(f"/incidents/{incident_id}").text
    assert '<div id="effect"><p class="muted">加载中…</p></div>' in page  # not a premature "暂无回应"

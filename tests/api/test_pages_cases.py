"""工单 page: cases with their working-day clocks, the create / reply forms and the CSV import."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts import service
from yuqing.api.auth import ensure_user
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store.models import AuditLog, Case, Deadline

HOSTILE = "<img src=x onerror=alert(1)>统计数据有误"
HEADER = {"X-Yuqing-Request": "1"}


@pytest.fixture
def officer(app, session_maker: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """A press officer signed in through the login form: a browser's cookie, not a token."""
    with session_maker() as s:
        ensure_user(s, "press1", "pw-press1", "press", "宣传处值班员")
        s.commit()
    with TestClient(app) as c:
        r = c.post(
            "/login",
            data={"username": "press1", "password": "pw-press1", "next": "/cases"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/cases"
        yield c


def _case(
    db: sessionmaker[Session], kind: str, title: str, *, days_ago: float = 0, complex: bool = False
) -> int:
    """Create a case through alerts.service; returns its id. (Sessions stay short: SQLite locks.)"""
    now = clock_now()
    with db() as s:
        case = service.create_case(
            s,
            kind=kind,
            title=title,
            received_at=now - timedelta(days=days_ago),
            actor="tests",
            now=now,
            complex=complex,
        )
        s.commit()
        return case.id


def _row(html: str, case_id: int) -> str:
    match = re.search(rf'<tr data-case-id="{case_id}".*?</tr>', html, re.S)
    assert match, f"case {case_id} not on the page"
    return match.group(0)


def test_cases_page_needs_login(anon: TestClient) -> None:
    r = anon.get("/cases", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/cases"


def test_cases_are_listed_with_their_deadlines_and_hostile_titles_stay_text(
    officer: TestClient, session_maker: sessionmaker[Session]
) -> None:
    hostile = _case(session_maker, "suggestion", HOSTILE)
    complex_ = _case(session_maker, "suggestion", "关于发布口径的建议", complex=True)
    complaint = _case(session_maker, "complaint", "投诉：网站数据无法下载")
    repost = _case(session_maker, "repost", "转载国务院常务会议精神", days_ago=3)
    html = officer.get("/cases").text
    with session_maker() as s:
        deadlines = {d.case_id: d for d in s.scalars(select(Deadline))}

    assert HOSTILE not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;统计数据有误" in html
    dues = {}
    for case_id in (hostile, complex_, complaint, repost):
        d = deadlines[case_id]
        row = _row(html, case_id)
        assert f'data-due="{local_iso(d.due_at)}"' in row and f'data-state="{d.state}"' in row
        assert 'class="countdown"' in row
        dues[case_id] = d.due_at
    # 1 working day < 7 < 15 working days, all from the same moment.
    assert dues[hostile] < dues[complex_] and dues[complex_] == dues[complaint]
    assert "意见建议" in _row(html, hostile) and "复杂" in _row(html, complex_)
    assert "转载" in _row(html, repost) and "投诉" in _row(html, complaint)
    # The repost received three days ago is overdue: it is listed first, before the running clocks.
    assert html.index(f'data-case-id="{repost}"') < html.index(f'data-case-id="{hostile}"')
    # The reply button carries the action that answers each kind and the title as an attribute value.
    assert re.search(rf'data-case-id="{repost}" data-action-kind="repost"', html)
    assert 'data-title="&lt;img src=x onerror=alert(1)&gt;统计数据有误"' in html

    only = officer.get("/cases", params={"kind": "repost"}).text
    assert f'data-case-id="{repost}"' in only and f'data-case-id="{hostile}"' not in only


def test_create_and_reply_forms_post_with_the_request_header(
    officer: TestClient, session_maker: sessionmaker[Session]
) -> None:
    page = officer.get("/cases").text
    for field in ("kind", "title", "received_at", "complex", "body", "channel", "contact", "external_ref"):
        assert f'name="{field}"' in page
    body = {
        "kind": "consultation",
        "title": HOSTILE,
        "received_at": local_iso(clock_now())[:16],
        "complex": False,
        "channel": "网站留言",
    }
    refused = officer.post("/api/v1/cases", json=body)
    assert refused.status_code == 403 and "X-Yuqing-Request" in refused.json()["detail"]
    with session_maker() as s:
        assert s.scalar(select(Case.id)) is None

    created = officer.post("/api/v1/cases", json=body, headers=HEADER)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["deadlines"][0]["kind"] == "complaint_reply" and case["deadlines"][0]["state"] == "pending"
    row = _row(officer.get("/cases").text, case["id"])
    assert "reply-btn" in row and "办理中" in row

    reply = {"kind": "reply", "at": local_iso(clock_now())[:16], "description": "已电话答复"}
    assert officer.post(f"/api/v1/cases/{case['id']}/actions", json=reply).status_code == 403
    done = officer.post(f"/api/v1/cases/{case['id']}/actions", json=reply, headers=HEADER)
    assert done.status_code == 201, done.text
    row = _row(officer.get("/cases").text, case["id"])
    assert 'data-state="met"' in row and "已答复" in row and "reply-btn" not in row
    assert officer.get(f"/cases/{case['id']}").status_code == 200
    assert f'data-case-id="{case["id"]}"' in officer.get(f"/cases/{case['id']}").text


def test_analysts_see_cases_but_get_no_forms(app, session_maker: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    _case(session_maker, "suggestion", "建议增加分省数据")
    with session_maker() as s:
        ensure_user(s, "ana", "pw-ana", "analyst", "分析员")
        s.commit()
    with TestClient(app) as c:
        c.post("/login", data={"username": "ana", "password": "pw-ana"})
        html = c.get("/cases").text
        assert "建议增加分省数据" in html
        assert 'id="case-form"' not in html and "reply-btn" not in html and "import-form" not in html
        body = {"kind": "suggestion", "title": "x", "received_at": local_iso(clock_now())[:16]}
        assert c.post("/api/v1/cases", json=body, headers=HEADER).status_code == 403


CSV_GOOD = (
    "kind,title,received_at,complex,channel,external_ref\n"
    "suggestion,建议公布更细的分项数据,2026-11-09 09:30,是,网站留言,WZ-1\n"
    f'repost,"{HOSTILE}",2026-11-09 10:00,,上级来文,WZ-2\n'
)


def test_csv_import_creates_the_cases_with_their_clocks(
    officer: TestClient, session_maker: sessionmaker[Session]
) -> None:
    files = {"file": ("台账.csv", CSV_GOOD.encode("utf-8-sig"), "text/csv")}
    assert officer.post("/api/v1/cases/import", files=files).status_code == 403
    r = officer.post("/api/v1/cases/import", files=files, headers=HEADER)
    assert r.status_code == 201, r.text
    assert len(r.json()["created"]) == 2 and r.json()["refused"] == []
    with session_maker() as s:
        cases = {c.external_ref: c for c in s.scalars(select(Case))}
        assert cases["WZ-1"].complex is True and cases["WZ-1"].channel == "网站留言"
        assert local_iso(cases["WZ-1"].received_at) == "2026-11-09T09:30:00+08:00"
        assert s.scalar(select(Deadline.kind).where(Deadline.case_id == cases["WZ-2"].id)) == "repost"
        assert s.scalar(select(AuditLog.action).where(AuditLog.action == "case.import")) == "case.import"
    html = officer.get("/cases").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html

    # The same file again: every row is refused as a duplicate, nothing is lost or doubled.
    again = officer.post("/api/v1/cases/import", files=files, headers=HEADER)
    assert again.status_code == 201 and again.json()["created"] == []
    assert [e["line"] for e in again.json()["refused"]] == [2, 3]
    assert "已存在" in again.json()["refused"][0]["message"]
    with session_maker() as s:
        assert len(s.scalars(select(Case)).all()) == 2


def test_a_csv_with_a_bad_row_imports_nothing_and_says_which_line(
    officer: TestClient, session_maker: sessionmaker[Session]
) -> None:
    bad = CSV_GOOD + "petition,上访,2026-11-09 11:00,,,\nsuggestion,时间不对,昨天上午,,,\n"
    r = officer.post(
        "/api/v1/cases/import", files={"file": ("a.csv", bad.encode(), "text/csv")}, headers=HEADER
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail["message"] == "2 行有误，未导入任何事项"
    assert [e["line"] for e in detail["errors"]] == [4, 5]
    assert "petition" in detail["errors"][0]["message"] and "时间格式" in detail["errors"][1]["message"]
    with session_maker() as s:
        assert s.scalar(select(Case.id)) is None
    not_csv = officer.post(
        "/api/v1/cases/import", files={"file": ("a.csv", "标题\n".encode("gbk"), "text/csv")}, headers=HEADER
    )
    assert not_csv.status_code == 422

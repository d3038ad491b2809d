"""The audit log through the API: before and after of every change, CSV export, the admin page."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.api.auth import create_user
from yuqing.store.models import AuditLog

HOSTILE = "<img src=x onerror=alert(1)>"


def test_incident_changes_record_before_and_after(  # type: ignore[no-untyped-def]
    client_as, session: Session
) -> None:
    press, leader = client_as("press"), client_as("leader")
    iid = press.post("/api/v1/incidents", json={"title": "CPI 造假质疑", "grade": "III"}).json()["id"]
    assert press.post(f"/api/v1/incidents/{iid}/acknowledge").status_code == 200
    assert press.post(f"/api/v1/incidents/{iid}/status", json={"status": "responding"}).status_code == 200
    regrade = leader.post(f"/api/v1/incidents/{iid}/grade", json={"grade": "I", "reason": "转发量激增"})
    assert regrade.status_code == 200
    assert press.post(f"/api/v1/incidents/{iid}/assign", json={"owner": "张三"}).status_code == 200
    assert press.post(f"/api/v1/incidents/{iid}/assign", json={"owner": "李四"}).status_code == 200
    q = select(AuditLog).where(AuditLog.target == f"incident:{iid}")
    rows = {r.action: r for r in session.scalars(q)}
    assert rows["incident.open"].after["status"] == "detected" and rows["incident.open"].before is None
    assert rows["incident.acknowledge"].before["status"] == "detected"
    assert rows["incident.acknowledge"].after["status"] == "acknowledged"
    assert (rows["incident.status"].before, rows["incident.status"].after) == (
        {"status": "acknowledged"}, {"status": "responding"})
    grade = rows["incident.grade"]
    assert (grade.actor, grade.before, grade.after, grade.data) == (
        "leader-user", {"grade": "III"}, {"grade": "I"}, {"reason": "转发量激增"})
    last_assign = session.scalars(
        select(AuditLog).where(AuditLog.action == "incident.assign").order_by(AuditLog.id.desc())).first()
    assert (last_assign.before, last_assign.after) == ({"owner": "张三"}, {"owner": "李四"})


def test_relabel_records_before_and_after(client_as, session: Session, make) -> None:  # type: ignore[no-untyped-def]
    m = make.mention(session, "统计数据")
    session.commit()
    analyst = client_as("analyst")
    assert analyst.post(f"/api/v1/mentions/{m.id}/sentiment", json={"label": "negative"}).status_code == 200
    row = session.scalar(select(AuditLog).where(AuditLog.action == "mention.relabel"))
    assert (row.before, row.after) == ({"sentiment": "neutral"}, {"sentiment": "negative"})


def test_briefing_regeneration_is_audited(client_as, session: Session) -> None:  # type: ignore[no-untyped-def]
    press = client_as("press")
    first = press.post("/api/v1/reports/briefings", params={"day": "2026-11-09"})
    again = press.post("/api/v1/reports/briefings", params={"day": "2026-11-09"})
    assert first.status_code == again.status_code == 201
    analyst = client_as("analyst")
    assert analyst.post("/api/v1/reports/briefings", params={"day": "2026-11-09"}).status_code == 403
    q = select(AuditLog).where(AuditLog.target == "daily:2026-11-09").order_by(AuditLog.id)
    rows = session.scalars(q).all()
    assert [r.action for r in rows] == ["report.generate", "report.regenerate"]  # a new version each time
    assert rows[1].before["id"] == first.json()["id"] and rows[1].after["id"] == again.json()["id"]
    assert (rows[1].before["version"], rows[1].after["version"]) == (1, 2)


def test_audit_csv_export_for_the_annual_assessment(client_as) -> None:  # type: ignore[no-untyped-def]
    press = client_as("press")
    press.post("/api/v1/incidents", json={"title": HOSTILE, "grade": "IV"})
    assert press.get("/api/v1/audit.csv").status_code == 403
    r = client_as("leader").get("/api/v1/audit.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert table[0][:4] == ["编号", "时间（北京时间）", "操作人", "操作"]
    opened = next(row for row in table[1:] if row[3] == "手动立案")  # the action by name, not its code
    assert opened[2] == "press-user" and opened[1].endswith("+08:00") and HOSTILE in opened[6]
    listed = client_as("admin").get("/api/v1/audit").json()
    assert {"before", "after"} <= set(listed[0])


def test_admin_page_lists_tokens_and_users_escaped(app, session_maker, client_as) -> None:  # type: ignore[no-untyped-def]
    from yuqing.api.auth import create_token

    with session_maker() as s:
        root = create_user(s, username="root", password="Admin-console-9", role="admin", actor="t")
        create_token(s, user=root, name=HOSTILE, actor="t")
        s.commit()
    with TestClient(app) as browser:
        browser.post("/login", data={"username": "root", "password": "Admin-console-9"})
        page = browser.get("/admin")
        assert page.status_code == 200 and "API 令牌" in page.text and "全部退出登录" in page.text
        assert HOSTILE not in page.text and "&lt;img" in page.text
        assert 'href="/admin"' in page.text  # in the navigation, for administrators
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
    with session_maker() as s:
        create_user(s, username="pressone", password="Press-office-7", role="press", actor="t")
        s.commit()
    with TestClient(app) as browser:
        browser.post("/login", data={"username": "pressone", "password": "Press-office-7"})
        assert browser.get("/admin").status_code == 403
        assert 'href="/admin"' not in browser.get("/").text


def test_every_audited_action_has_a_chinese_name() -> None:
    """The exports show actions by name: an action written anywhere in the code without a name fails."""
    import re
    from pathlib import Path

    from yuqing.store.audit import ACTION_NAMES

    root = Path(__file__).resolve().parents[2]
    written = set()
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in ("tests", ".venv", "bench"):
            continue
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        written |= set(re.findall(r'\(session, who, \w+, "([a-z_]+\.[a-z_]+)"', text))  # warnings' helper
    assert written and written <= set(ACTION_NAMES), sorted(written - set(ACTION_NAMES))

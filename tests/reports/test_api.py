"""The reports API: archive versions (press/admin, audited), download the stored bytes, 专报, releases."""

from __future__ import annotations

import io

import pytest
import time_machine
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select

from yuqing.api.app import create_app
from yuqing.api.auth import create_token, create_user
from yuqing.store.models import AuditLog, Briefing

from .conftest import add_mention, t


@pytest.fixture
def make_client(session_maker, world, settings):
    clients = []

    def make(role: str) -> TestClient:
        with session_maker() as s:
            user = create_user(s, username=f"u-{role}", password=f"Desk-{role}-2026x", role=role)
            token = create_token(s, user=user, name="test", actor="test")
            s.commit()
        c = TestClient(create_app(settings, session_maker))
        c.__enter__()
        c.headers["Authorization"] = f"Bearer {token}"
        clients.append(c)
        return c

    with time_machine.travel(world.now, tick=False):
        yield make
    for c in clients:
        c.__exit__(None, None, None)


def test_requires_login(session_maker, settings, world):
    with TestClient(create_app(settings, session_maker)) as c:
        assert c.get("/api/v1/reports/briefings").status_code == 401


def test_archive_versions_download_stored_bytes(make_client, session_maker):
    press = make_client("press")
    created = press.post("/api/v1/reports/briefings?day=2026-11-10")
    assert created.status_code == 201
    meta = created.json()
    assert (meta["day"], meta["version"], meta["kind"], meta["trigger"]) == (
        "2026-11-10",
        1,
        "daily",
        "manual",
    )
    assert meta["generated_at"] == "2026-11-10T08:30:00+08:00" and meta["created_by"] == "u-press"
    with session_maker() as s:  # the world changes after archiving
        add_mention(s, at=t(5), sentiment="negative")
        s.commit()
        stored = s.get(Briefing, meta["id"])
        stored_pdf, stored_docx = stored.pdf, stored.docx
    pdf = press.get(meta["links"]["pdf"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content == stored_pdf
    docx = press.get(meta["links"]["docx"])
    assert "attachment" in docx.headers["content-disposition"] and docx.content == stored_docx
    platform = next(
        tb for tb in Document(io.BytesIO(docx.content)).tables if tb.rows[0].cells[0].text == "平台"
    )
    assert platform.rows[-1].cells[-1].text == "8"  # the archived figure, not today's 9
    html = press.get(f"/api/v1/reports/briefings/{meta['id']}")
    assert "&lt;script&gt;" in html.text and "<script>alert" not in html.text

    second = press.post("/api/v1/reports/briefings?day=2026-11-10").json()
    assert second["version"] == 2 and second["id"] != meta["id"]
    listed = press.get("/api/v1/reports/briefings?kind=daily&subject=2026-11-10").json()
    assert [b["version"] for b in listed] == [2, 1]
    with session_maker() as s:
        versions = AuditLog.action.in_(("report.generate", "report.regenerate"))
        audit = s.scalars(select(AuditLog).where(versions).order_by(AuditLog.id)).all()
    assert [(a.actor, a.after["version"]) for a in audit] == [("u-press", 1), ("u-press", 2)]
    assert audit[1].before == {"id": meta["id"], "version": 1}  # what the new version supersedes

    assert press.get("/api/v1/reports/briefings/424242").status_code == 404
    assert press.get(f"/api/v1/reports/briefings/{meta['id']}?format=xls").status_code == 422
    assert press.get("/api/v1/reports/briefings?kind=weekly").status_code == 422


def test_only_press_and_admin_archive_versions(make_client, world):
    leader = make_client("leader")
    assert leader.post("/api/v1/reports/briefings").status_code == 403
    assert leader.post(f"/api/v1/reports/incidents/{world.incident_serious}/special").status_code == 403
    assert leader.get("/api/v1/reports/daily?day=2026-11-10").status_code == 200  # reading is for everyone


def test_on_demand_daily_covers_up_to_now(make_client):
    r = make_client("leader").get("/api/v1/reports/daily")
    assert r.status_code == 200
    assert "统计时段：2026-11-09 08:30 至 2026-11-10 08:30（北京时间；按需生成，统计至生成时刻）" in r.text


def test_special_report_on_demand_and_archived(make_client, world):
    press = make_client("press")
    r = press.get(f"/api/v1/reports/incidents/{world.incident_serious}/special")
    assert r.status_code == 200 and "舆情专报：网传CPI数据造假" in r.text and "四、处置情况" in r.text
    pdf = press.get(f"/api/v1/reports/incidents/{world.incident_serious}/special?format=pdf")
    assert pdf.content.startswith(b"%PDF-")
    made = press.post(f"/api/v1/reports/incidents/{world.incident_serious}/special")
    assert made.status_code == 201 and made.json()["subject"] == f"incident:{world.incident_serious}"
    missing = press.get("/api/v1/reports/incidents/999999/special")
    assert missing.status_code == 404 and missing.json()["detail"] == "舆情事件 999999 不存在"


def test_releases_and_assessment(make_client, world):
    press = make_client("press")
    rows = press.get("/api/v1/reports/releases").json()
    assert [r["id"] for r in rows] == [world.ppi, world.cpi, world.cpi_prev, world.cpi_old]  # upcoming first
    assert rows[0]["state_label"] == "待发布" and rows[1]["mentions"] == 5
    r = press.get(f"/api/v1/reports/releases/{world.cpi}/assessment")
    assert r.status_code == 200 and "舆情风险等级：高" in r.text
    pdf = press.get(f"/api/v1/reports/releases/{world.cpi}/assessment?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    made = press.post(f"/api/v1/reports/releases/{world.cpi}/assessment")
    assert made.status_code == 201 and made.json()["kind_label"] == "发布研判"
    missing = press.get("/api/v1/reports/releases/999999/assessment")
    assert missing.status_code == 404 and missing.json()["detail"] == "数据发布 999999 不存在"

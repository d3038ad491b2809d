"""The reports API: list, generate and download briefings; release assessments in three formats."""

from __future__ import annotations

import io

import pytest
import time_machine
from docx import Document
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import create_token, create_user


@pytest.fixture
def client(session_maker, world, settings):
    with session_maker() as s:
        # The press office issues the briefing: only press or admin may (re)generate it (issue 9).
        user = create_user(s, username="duty", password="Briefing-desk-2026", role="press")
        token = create_token(s, user=user, name="test", actor="test")
        s.commit()
    app = create_app(settings, session_maker)
    with time_machine.travel(world.now, tick=False), TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


def test_requires_login(session_maker, settings, world):
    with TestClient(create_app(settings, session_maker)) as c:
        assert c.get("/api/v1/reports/briefings").status_code == 401


def test_generate_list_and_download(client):
    created = client.post("/api/v1/reports/briefings")
    assert created.status_code == 201
    meta = created.json()
    assert meta["day"] == "2026-11-10" and meta["generated_at"] == "2026-11-10T08:30:00+08:00"
    assert [b["id"] for b in client.get("/api/v1/reports/briefings").json()] == [meta["id"]]

    html = client.get(f"/api/v1/reports/briefings/{meta['id']}")
    assert html.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;" in html.text and "<script>alert" not in html.text

    docx = client.get(meta["links"]["docx"])
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    assert Document(io.BytesIO(docx.content)).tables[0].rows[-1].cells[-1].text == "8"

    assert client.get("/api/v1/reports/briefings/424242").status_code == 404
    assert client.get(f"/api/v1/reports/briefings/{meta['id']}?format=xls").status_code == 422


def test_release_assessment(client, world):
    r = client.get(f"/api/v1/reports/releases/{world.cpi}/assessment")
    assert r.status_code == 200 and "舆情风险等级" in r.text and "level-high" in r.text
    pdf = client.get(f"/api/v1/reports/releases/{world.cpi}/assessment?format=pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    missing = client.get("/api/v1/reports/releases/999999/assessment")
    assert missing.status_code == 404 and missing.json()["detail"] == "数据发布 999999 不存在"


def test_daily_on_demand_for_a_given_day(client):
    r = client.get("/api/v1/reports/daily?day=2026-11-10")
    assert r.status_code == 200 and "本期监测到相关信息 <b>8</b> 条" in r.text

"""Incidents through the API: opened by alerts.service, shown with clocks, handled, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts import service
from yuqing.store.models import AuditLog, IncidentMention

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def _open(client: TestClient, **body: object) -> dict:
    r = client.post(
        "/api/v1/incidents",
        json={"title": "网传CPI数据造假", "grade": "I", "category": "data_credibility", **body},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_grade_one_incident_shows_its_two_clocks_in_beijing_time(
    client: TestClient, session: Session, make
) -> None:  # type: ignore[no-untyped-def]
    release = make.release(session, published_at=T0 - timedelta(hours=1))
    m = make.mention(session, "统计局CPI数据造假？", sentiment="negative", risk=88.0)
    session.commit()
    with time_machine.travel(T0, tick=False):
        created = _open(client, release_id=release.id, mention_ids=[m.id])
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            detail = client.get(f"/api/v1/incidents/{created['id']}").json()
    assert detail["opened_at"] == "2026-11-10T10:00:00+08:00"
    assert detail["grade_label"] == "特别重大（I级）" and detail["category_label"] == "数据质量/造假质疑"
    assert detail["status"] == "detected" and detail["mention_count"] == 1 and detail["risk"] == 88.0
    assert detail["release"]["indicator"] == "CPI"
    clocks = {d["kind"]: d for d in detail["deadlines"]}
    assert clocks["authoritative_info"]["due_at"] == "2026-11-10T15:00:00+08:00"
    assert clocks["authoritative_info"]["kind_label"] == "发布权威信息"
    assert clocks["authoritative_info"]["seconds_left"] == 4 * 3600
    assert clocks["press_conference"]["due_at"] == "2026-11-11T10:00:00+08:00"
    assert detail["timeline"][0]["kind"] == "opened"
    mentions = client.get(f"/api/v1/incidents/{created['id']}/mentions").json()
    assert [x["text"] for x in mentions] == ["统计局CPI数据造假？"]


def test_recording_a_response_meets_the_deadline_and_is_audited(client: TestClient, session: Session) -> None:
    with time_machine.travel(T0, tick=False):
        inc = _open(client)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        ack = client.post(f"/api/v1/incidents/{inc['id']}/acknowledge")
        assert ack.status_code == 200 and ack.json()["status_label"] == "已确认"
        again = client.post(f"/api/v1/incidents/{inc['id']}/acknowledge")
        assert again.status_code == 409 and "无法确认" in again.json()["detail"]
        missing = client.post(
            f"/api/v1/incidents/{inc['id']}/actions",
            json={"kind": "authoritative_info", "at": "2026-11-10T11:30"},
        )
        assert missing.status_code == 409 and "证据" in missing.json()["detail"]
        r = client.post(
            f"/api/v1/incidents/{inc['id']}/actions",
            json={
                "kind": "authoritative_info",
                "at": "2026-11-10T11:30",
                "evidence_url": "https://stats.example/j/1",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["at"] == "2026-11-10T11:30:00+08:00"  # a time without offset is Beijing time
        detail = client.get(f"/api/v1/incidents/{inc['id']}").json()
    info = next(d for d in detail["deadlines"] if d["kind"] == "authoritative_info")
    assert info["state"] == "met" and info["state_label"] == "已完成" and info["seconds_left"] is None
    assert info["met_at"] == "2026-11-10T11:30:00+08:00"
    assert [a["kind"] for a in detail["actions"]] == ["authoritative_info"]
    audit = session.scalars(
        select(AuditLog.action).where(AuditLog.target == f"incident:{inc['id']}").order_by(AuditLog.id)
    ).all()
    assert audit == ["incident.open", "incident.acknowledge", "action.record"]
    assert session.scalars(select(AuditLog.actor).where(AuditLog.action == "action.record")).one() == "duty"


def test_status_assign_regrade_and_note_go_through_the_service(client: TestClient) -> None:
    with time_machine.travel(T0, tick=False):
        inc = _open(client, grade="III", category="misreading")
        assert inc["deadlines"] == []
        base = f"/api/v1/incidents/{inc['id']}"
        assert client.post(base + "/assign", json={"owner": "张三"}).json()["owner"] == "张三"
        assert client.post(base + "/status", json={"status": "assessing"}).json()["status"] == "assessing"
        back = client.post(base + "/status", json={"status": "detected"})
        assert back.status_code == 409
        no_reason = client.post(base + "/grade", json={"grade": "II", "reason": ""})
        assert no_reason.status_code == 422
        up = client.post(base + "/grade", json={"grade": "II", "reason": "省级媒体转载"}).json()
        assert up["grade"] == "II" and {d["kind"] for d in up["deadlines"]} == {"timely_response"}
        note = client.post(base + "/notes", json={"message": "已与综合处会商"})
        assert note.status_code == 201
        kinds = [e["kind"] for e in client.get(base + "/timeline").json()]
    assert kinds[0] == "opened" and "note" in kinds and "assigned" in kinds
    assert client.get("/api/v1/incidents/999999").status_code == 404
    assert client.post("/api/v1/incidents/999999/acknowledge").status_code == 404


def test_board_order_puts_breached_clocks_first_then_nearest_due(
    client: TestClient, session: Session, settings
) -> None:  # type: ignore[no-untyped-def]
    # A grade-IV key matter (24 h) opened long ago is breached; a grade-I (5 h) opened now is next;
    # a grade-III misreading has no clock and goes last; a closed one is not on the board.
    with time_machine.travel(T0 - timedelta(hours=30), tick=False):
        old = _open(client, title="旧的民生事件", grade="IV", category="vital_interests")
    with time_machine.travel(T0, tick=False):
        calm = _open(client, title="无时限", grade="III", category="misreading")
        urgent = _open(client, title="新的一级事件")
        closed = _open(client, title="已关闭", grade="IV", category="other")
        service.change_status(session, incident_id=closed["id"], status="closed", actor="t", now=T0)
        session.commit()
        board = client.get("/api/v1/incidents").json()
        everything = client.get("/api/v1/incidents", params={"include_closed": True}).json()
    assert [i["id"] for i in board] == [old["id"], urgent["id"], calm["id"]]
    breached = next(d for d in board[0]["deadlines"] if d["kind"] == "timely_response")
    assert breached["seconds_left"] == -6 * 3600
    assert closed["id"] in [i["id"] for i in everything]
    only_one = client.get("/api/v1/incidents", params={"grade": "I"}).json()
    assert [i["id"] for i in only_one] == [urgent["id"]]


def test_waive_needs_a_leader_and_a_reason(client: TestClient, client_as) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        inc = _open(client)
        deadline_id = inc["deadlines"][0]["id"]
        assert client.post(f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "x"}).status_code == 403
        leader = client_as("leader")
        assert leader.post(f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": ""}).status_code == 422
        r = leader.post(f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "已由上级统一发布"})
        assert r.status_code == 200 and r.json()["state"] == "waived"
        running = client.get("/api/v1/deadlines").json()
    assert deadline_id not in [d["id"] for d in running]


def test_manual_incident_links_the_mentions(client: TestClient, session: Session, make) -> None:  # type: ignore[no-untyped-def]
    a, b = make.mention(session, "甲"), make.mention(session, "乙")
    session.commit()
    inc = _open(client, grade="IV", category="other", mention_ids=[a.id, b.id])
    links = session.scalars(
        select(IncidentMention.mention_id).where(IncidentMention.incident_id == inc["id"])
    )
    assert sorted(links) == sorted([a.id, b.id])
    missing = client.post("/api/v1/incidents", json={"title": "x", "grade": "IV", "mention_ids": [10**9]})
    assert missing.status_code == 404
    effect = client.get(f"/api/v1/incidents/{inc['id']}/effect")
    assert effect.status_code == 200 and effect.json() == []

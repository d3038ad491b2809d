"""Issue 13: authoritative publications already out are offered as an incident's response, confirmed with
one click; off-topic documents are listed with their reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.store.models import Action, Deadline, Document

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def test_interview_is_offered_and_confirmed_as_the_authoritative_response(
    client: TestClient, session: Session, make
) -> None:  # type: ignore[no-untyped-def]
    release = make.release(session, published_at=T0 - timedelta(hours=6))
    interview = make.mention(session, "国家统计局有关负责人接受记者采访，介绍CPI编制方法",
                             title="如何看待CPI与居民体感的差异——访国家统计局有关负责人", platform="news",
                             authority="official_media", published_at=T0 - timedelta(hours=1))
    make.link(session, interview, release)
    other = make.mention(session, "新华社：网友热议CPI", platform="news",
                         published_at=T0 - timedelta(hours=1))
    make.link(session, other, release)  # official medium, but not the bureau speaking: no authority
    accusation = make.mention(session, "统计局CPI数据造假？", sentiment="negative", risk=88.0,
                              published_at=T0)
    session.commit()
    with time_machine.travel(T0, tick=False):
        r = client.post("/api/v1/incidents", json={"title": "网传CPI数据造假", "grade": "I",
                                                   "category": "data_credibility", "release_id": release.id,
                                                   "mention_ids": [accusation.id]})
        incident = r.json()["id"]
        listed = client.get(f"/api/v1/incidents/{incident}/response-candidates").json()
        assert [c["id"] for c in listed] == [interview.id]
        assert listed[0]["authority_label"] == "官方媒体"
        refused = client.post(f"/api/v1/incidents/{incident}/response-candidates/{other.id}/confirm")
        assert refused.status_code == 404 and "候选权威发布" in refused.json()["detail"]
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):  # the officer confirms 20 min later
        ok = client.post(f"/api/v1/incidents/{incident}/response-candidates/{interview.id}/confirm")
    assert ok.status_code == 201, ok.text
    session.expire_all()
    action = session.scalars(select(Action).where(Action.incident_id == incident)).one()
    assert action.kind == "authoritative_info" and action.evidence_url == interview.url
    assert "访国家统计局有关负责人" in (action.description or "")
    five_hours = session.scalars(select(Deadline).where(Deadline.incident_id == incident,
                                                        Deadline.kind == "authoritative_info")).one()
    assert five_hours.state == "met" and five_hours.met_at == T0 + timedelta(minutes=20)


def test_off_topic_documents_are_listed_with_their_reason(client: TestClient, session: Session) -> None:
    session.add(Document(platform="weibo", dedup_key="mouse", url="http://127.0.0.1/mouse",
                         text="新显示器到了…鼠标CPI调到1600", status="irrelevant", relevance=0.0,
                         relevance_reason="「CPI」在此指鼠标或硬件参数（附近有：鼠标、显示器），与监测的统计指标无关"))
    session.add(Document(platform="weibo", dedup_key="ok", url="http://127.0.0.1/ok", text="CPI涨了",
                         status="analysed"))
    session.commit()
    rows = client.get("/api/v1/off-topic").json()
    assert [r["text"] for r in rows] == ["新显示器到了…鼠标CPI调到1600"]
    assert rows[0]["reason"].startswith("「CPI」在此指鼠标") and rows[0]["relevance"] == 0.0

"""Mentions feed and relabelling, stories, releases, sources, quarantine, cases, outbox, docs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.store.models import AuditLog, Notification, Quarantine, SentimentCorrection, Story

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def test_feed_filters_and_shows_risk_factor_labels(client: TestClient, session: Session, make) -> None:  # type: ignore[no-untyped-def]
    release = make.release(session)
    factors = [
        {"key": "negative", "label": "负面 0.92", "value": 0.92, "contribution": 30.0},
        {"key": "reposts_1h", "label": "1小时转发 2,300", "value": 2300, "contribution": 20.0},
    ]
    hot = make.mention(
        session,
        "CPI被平均了",
        sentiment="negative",
        p_negative=0.92,
        p_neutral=0.05,
        p_positive=0.03,
        risk=82.0,
        risk_factors=factors,
        topics=["物价_50%"],
        sensitive_topics=["data_credibility"],
    )
    news = make.mention(session, "统计局发布10月CPI", platform="news", risk=20.0, topics=["物价"])
    make.mention(session, "天气不错", sentiment="positive", p_positive=0.9, p_neutral=0.05, p_negative=0.05)
    make.link(session, hot, release)
    session.commit()

    ids = lambda **q: [m["id"] for m in client.get("/api/v1/mentions", params=q).json()]  # noqa: E731
    all_ids = ids()
    assert all_ids == sorted(all_ids, reverse=True) and len(all_ids) == 3
    assert ids(sentiment="negative") == [hot.id]
    assert ids(platform="news") == [news.id]
    assert ids(min_risk=50) == [hot.id]
    assert ids(topic="物价") == [news.id]  # exact element, not a substring of "物价_50%"
    assert ids(topic="物价_50%") == [hot.id]
    assert ids(sensitive_topic="data_credibility") == [hot.id]
    assert ids(release_id=release.id) == [hot.id]
    assert ids(before_id=all_ids[0], limit=1) == [all_ids[1]]
    assert client.get("/api/v1/mentions", params={"sentiment": "angry"}).status_code == 422
    shown = client.get(f"/api/v1/mentions/{hot.id}").json()
    assert [f["label"] for f in shown["risk_factors"]] == ["负面 0.92", "1小时转发 2,300"]
    assert shown["sentiment_label"] == "负面" and shown["sensitive_topic_labels"] == ["数据质量/造假质疑"]
    rel = client.get(f"/api/v1/releases/{release.id}").json()
    assert rel["mention_count"] == 1 and rel["negative_count"] == 1


def test_relabel_records_a_correction_for_training(
    client: TestClient, client_as, session: Session, make
) -> None:  # type: ignore[no-untyped-def]
    m = make.mention(session, "数据挺好", sentiment="negative")
    session.commit()
    assert client.post(f"/api/v1/mentions/{m.id}/sentiment", json={"label": "good"}).status_code == 422
    r = client_as("analyst").post(f"/api/v1/mentions/{m.id}/sentiment", json={"label": "positive"})
    assert r.status_code == 200 and r.json()["sentiment"] == "positive"
    correction = session.scalars(select(SentimentCorrection)).one()
    assert (correction.label, correction.previous_label, correction.text) == (
        "positive",
        "negative",
        "数据挺好",
    )
    assert correction.user == "analyst-user"
    assert session.scalars(select(AuditLog.action).where(AuditLog.action == "mention.relabel")).one()
    assert (
        client_as("leader").post(f"/api/v1/mentions/{m.id}/sentiment", json={"label": "neutral"}).status_code
        == 403
    )


def test_stories_newest_first(client: TestClient, session: Session) -> None:
    session.add_all(
        [Story(title="旧", size=3, updated_at=T0), Story(title="新", size=1, updated_at=T0 + timedelta(1))]
    )
    session.commit()
    assert [s["title"] for s in client.get("/api/v1/stories").json()] == ["新", "旧"]
    assert [s["title"] for s in client.get("/api/v1/stories", params={"min_size": 2}).json()] == ["旧"]


def test_source_health_warns_about_blocks_and_stale_sources(
    client: TestClient, session: Session, make
) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        make.source(
            session,
            name="a-ok",
            kind="news_rss",
            status="ok",
            last_run_at=T0 - timedelta(minutes=1),
            last_success_at=T0 - timedelta(minutes=1),
            items_last_run=12,
            total_items=300,
        )
        make.source(
            session,
            name="b-blocked",
            kind="weibo_search",
            status="blocked",
            last_run_at=T0 - timedelta(minutes=1),
            last_success_at=T0 - timedelta(hours=3),
            backoff_until=T0 + timedelta(minutes=15),
            error_count=4,
        )
        bad = make.source(
            session,
            name="c-stale",
            kind="news_rss",
            status="ok",
            last_run_at=T0 - timedelta(minutes=2),
            last_success_at=T0 - timedelta(hours=2),
            total_items=5,
        )
        session.add(
            Quarantine(
                source_id=bad.id,
                url="http://127.0.0.1/x",
                reason="页面不是预期格式",
                status_code=200,
                body=b"<html>\x00",
                created_at=T0,
            )
        )
        session.commit()
        sources = {s["name"]: s for s in client.get("/api/v1/sources").json()}
        quarantine = client.get("/api/v1/quarantine").json()
    assert sources["a-ok"]["warnings"] == [] and sources["a-ok"]["status_label"] == "正常"
    assert sources["b-blocked"]["warnings"][0] == "被目标站点封禁或要求验证，退避至 10:15"
    assert "长时间没有成功采集" in sources["b-blocked"]["warnings"]
    assert sources["c-stale"]["warnings"] == ["长时间没有成功采集"]  # 5-minute interval, 2 hours silent
    assert sources["b-blocked"]["backoff_until"] == "2026-11-10T10:15:00+08:00"
    assert quarantine == [
        {
            "id": quarantine[0]["id"],
            "source_id": bad.id,
            "source_name": "c-stale",
            "stage": "crawl",
            "url": "http://127.0.0.1/x",
            "reason": "页面不是预期格式",
            "status_code": 200,
            "content_type": None,
            "body_bytes": 7,
            "created_at": "2026-11-10T10:00:00+08:00",
            "attempts": 1,
            "state": "需人工处理",
        }
    ]


def test_an_admin_releases_a_quarantined_item(client: TestClient, client_as, session: Session, make) -> None:  # type: ignore[no-untyped-def]
    src = make.source(session)
    row = Quarantine(source_id=src.id, url="http://127.0.0.1/a", reason="HTTP 404", status_code=404)
    session.add(row)
    session.commit()
    assert client.post(f"/api/v1/quarantine/{row.id}/release").status_code == 403  # press officer
    admin = client_as("admin")
    r = admin.post(f"/api/v1/quarantine/{row.id}/release")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "下次抓取时重取"
    assert admin.post("/api/v1/quarantine/999999/release").status_code == 404
    session.expire_all()
    assert session.get(Quarantine, row.id).released_at is not None
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "quarantine.release")).all()
    assert [a.actor for a in audit] == ["admin-user"]


def test_cases_get_working_day_clocks_and_replies_meet_them(client: TestClient) -> None:
    # Friday 2026-11-13, 10:00 Beijing: 7 working days counted from Monday 16th → end of Tuesday 24th.
    with time_machine.travel(datetime(2026, 11, 13, 2, 0, tzinfo=UTC), tick=False):
        r = client.post(
            "/api/v1/cases",
            json={"kind": "suggestion", "title": "建议公开CPI权重", "received_at": "2026-11-13T09:00"},
        )
        assert r.status_code == 201, r.text
        case = r.json()
        assert case["deadlines"][0]["kind"] == "suggestion_reply"
        assert case["deadlines"][0]["due_at"] == "2026-11-25T00:00:00+08:00"
        future = client.post(
            "/api/v1/cases", json={"kind": "suggestion", "title": "x", "received_at": "2026-12-01T09:00"}
        )
        assert future.status_code == 409
        bad_time = client.post(
            "/api/v1/cases", json={"kind": "suggestion", "title": "x", "received_at": "昨天"}
        )
        assert bad_time.status_code == 422 and "ISO 8601" in bad_time.json()["detail"]
        reply = client.post(
            f"/api/v1/cases/{case['id']}/actions",
            json={"kind": "reply", "at": "2026-11-13T09:30", "description": "已答复"},
        )
        assert reply.status_code == 201, reply.text
        shown = client.get(f"/api/v1/cases/{case['id']}").json()
        report = client.get("/api/v1/compliance", params={"start": "2026-11-01", "end": "2026-11-30"})
    assert shown["status"] == "answered" and shown["deadlines"][0]["state"] == "met"
    assert report.status_code == 200 and isinstance(report.json(), dict)
    assert (
        client.get("/api/v1/compliance", params={"start": "2026-12-01", "end": "2026-11-01"}).status_code
        == 422
    )


def test_outbox_counts_and_silences(client: TestClient, session: Session) -> None:
    session.add_all(
        [
            Notification(key="a", channel="hook", subject="s", body="b", status="sent"),
            Notification(key="b", channel="hook", subject="s", body="b", status="pending"),
            Notification(
                key="c", channel="hook", subject="s", body="b", status="dead", last_error="HTTP 500"
            ),
        ]
    )
    session.commit()
    box = client.get("/api/v1/notifications").json()
    assert box["counts"] == {"sent": 1, "pending": 1, "dead": 1}
    assert [
        n["status"] for n in client.get("/api/v1/notifications", params={"status": "dead"}).json()["recent"]
    ] == ["dead"]
    with time_machine.travel(T0, tick=False):
        r = client.post(
            "/api/v1/silences",
            json={
                "matcher": {"incident_id": 1, "audience": "press"},  # press may not mute leadership
                "starts_at": "2026-11-10T09:00",
                "ends_at": "2026-11-10T12:00",
                "reason": "维护窗口",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["active"] is True
        wrong = client.post(
            "/api/v1/silences",
            json={
                "matcher": {},
                "starts_at": "2026-11-10T09:00",
                "ends_at": "2026-11-10T12:00",
                "reason": "x",
            },
        )
        assert wrong.status_code == 409
        assert [s["reason"] for s in client.get("/api/v1/silences").json()] == ["维护窗口"]


def test_docs_work_offline(anon: TestClient) -> None:
    page = anon.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert anon.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert anon.get("/docs-assets/swagger-ui.css").status_code == 200
    assert "/docs-assets/redoc.standalone.js" in anon.get("/redoc").text
    spec = anon.get("/openapi.json").json()
    assert "/api/v1/incidents/{incident_id}/actions" in spec["paths"]
    assert "/api/v1/stream" in spec["paths"]

"""The live feed: watermark polling, and the SSE stream over a real server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.servers import ThreadServer
from yuqing.alerts import service
from yuqing.api import live
from yuqing.api.app import create_app
from yuqing.api.auth import create_token, ensure_user
from yuqing.store.models import Deadline

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def test_poll_reports_each_change_once(session: Session, make) -> None:  # type: ignore[no-untyped-def]
    make.mention(session, "旧信息", risk=90.0)
    session.commit()
    wm = live.start(session)
    assert live.poll(session, wm, min_risk=60)[0] == []  # nothing new since the start

    inc = service.open_incident(
        session, title="新事件", grade="I", category="data_credibility", actor="t", now=T0
    )
    make.mention(session, "低风险", risk=10.0)
    hot = make.mention(session, "高风险", risk=75.0)
    session.commit()
    events, wm = live.poll(session, wm, min_risk=60)
    names = [(n, d.get("type")) for n, d in events]
    assert ("incident", "new") in names and ("mention", None) in names
    assert [d["id"] for n, d in events if n == "mention"] == [hot.id]
    assert {d["kind"] for n, d in events if n == "deadline"} == {"authoritative_info", "press_conference"}
    assert live.poll(session, wm, min_risk=60)[0] == []  # seen once only

    service.acknowledge(session, incident_id=inc.id, actor="t", now=T0)
    deadline = session.scalars(select(Deadline).where(Deadline.kind == "press_conference")).one()
    deadline.state = "breached"
    session.commit()
    events, wm = live.poll(session, wm, min_risk=60)
    assert ("incident", {"type": "updated", "id": inc.id, "status": "acknowledged", "grade": "I"}) in events
    changed = [d for n, d in events if n == "deadline"]
    assert [(d["id"], d["state"], d["state_label"]) for d in changed] == [(deadline.id, "breached", "已超时")]


def test_sse_stream_pushes_a_new_incident(server: str, session_maker: sessionmaker[Session]) -> None:
    with session_maker() as s:
        token = create_token(s, user=ensure_user(s, "duty", "pw", "press", "值班"), name="t", actor="t")
        s.commit()
    headers = {"Authorization": f"Bearer {token}"}
    seen: list[tuple[str, dict]] = []
    with (
        httpx.Client(base_url=server, headers=headers, timeout=10) as client,
        client.stream("GET", "/api/v1/stream") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                seen.append((event, json.loads(line.split(":", 1)[1])))
                if event == "hello":
                    with session_maker() as s:
                        service.open_incident(
                            s, title="推送测试", grade="II", category="other", actor="t", now=T0
                        )
                        s.commit()
                if event == "incident":
                    break
    assert seen[0][0] == "hello" and seen[0][1]["now"].endswith("+08:00")
    assert seen[-1] == ("incident", {**seen[-1][1], "type": "new", "title": "推送测试", "grade": "II"})


def test_a_commit_wakes_the_stream_without_waiting_for_its_timer(settings, session_maker) -> None:  # type: ignore[no-untyped-def]
    """The streams' timers are set to two minutes: the incident arrives because its commit woke them
    (on SQLite this process's own commit, on PostgreSQL its NOTIFY)."""
    app = create_app(settings, session_maker, stream_interval_s=120, stream_backstop_s=120)
    with session_maker() as s:
        token = create_token(s, user=ensure_user(s, "duty", "pw", "press", "值班"), name="t", actor="t")
        s.commit()
    heard: list[str] = []
    with (
        ThreadServer(app) as srv,
        httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {token}"},
                     timeout=httpx.Timeout(10, read=60)) as client,
        client.stream("GET", "/api/v1/stream") as stream,
    ):
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
                heard.append(event)
            if event == "hello" and line.startswith("data:"):
                with session_maker() as s:
                    service.open_incident(s, title="立即推送", grade="III", category="other", actor="t",
                                          now=T0)
                    s.commit()
            if event == "incident":
                break
    assert heard[0] == "hello" and "incident" in heard


def test_a_dead_deadline_notice_raises_the_board_alarm_until_it_gets_through(
    session: Session, client, settings
) -> None:  # type: ignore[no-untyped-def]
    from yuqing.alerts import outbox
    from yuqing.config import ChannelConfig
    from yuqing.store.models import Notification

    settings.notify.channels = [ChannelConfig(name="press-hook", kind="webhook", url="http://127.0.0.1:9/",
                                              audience="press")]
    settings.notify.max_attempts = 2
    inc = service.open_incident(session, title="新事件", grade="I", category="data_credibility", actor="t",
                                now=T0, settings=settings)
    deadline = session.scalars(select(Deadline).where(Deadline.kind == "authoritative_info")).one()
    row = outbox.enqueue(session, key=f"deadline:{deadline.id}:breach", text=outbox.Text("超时", "已超时"),
                         fields={"incident_id": inc.id, "deadline_id": deadline.id, "kind": "deadline",
                                 "step": "breach"}, audience="press", settings=settings, now=T0,
                         incident_id=inc.id, deadline_id=deadline.id)[0]
    session.commit()
    wm = live.start(session)
    assert client.get("/api/v1/notifications").json()["alarms"] == []
    session.commit()  # (end this read: the request wrote the token's last use meanwhile)
    failure = outbox.OutgoingMessage(key=row.key, subject="", body="", notification_ids=[row.id])
    for _ in range(2):  # max_attempts failures (HTTP 503 from the channel)
        row.attempts += 1
        outbox.settle(session, failure, settings, T0, "HTTP 503")
    session.commit()
    assert row.status == "dead"

    events, wm = live.poll(session, wm, min_risk=60)
    alarm = [d for n, d in events if n == "delivery_alarm"]
    assert len(alarm) == 1 and alarm[0]["active"] and "1 条时限提醒未能送达" in alarm[0]["message"]
    shown = client.get("/api/v1/notifications").json()["alarms"]
    assert [(a["id"], a["step"], a["channel"]) for a in shown] == [(row.id, "breach", "press-hook")]
    session.commit()
    assert live.poll(session, wm, min_risk=60)[0] == []  # told once

    row.attempts += 1
    outbox.settle(session, failure, settings, T0, None)  # the channel answers again
    session.commit()
    events, wm = live.poll(session, wm, min_risk=60)
    assert [d["active"] for n, d in events if n == "delivery_alarm"] == [False]
    assert session.get(Notification, row.id).status == "sent"


def test_a_client_resuming_from_its_last_event_id_gets_what_it_missed(session: Session, make) -> None:  # type: ignore[no-untyped-def]
    seen = service.open_incident(session, title="已看过", grade="II", category="other", actor="t", now=T0)
    quiet = service.open_incident(session, title="无变化", grade="III", category="other", actor="t", now=T0)
    session.commit()
    wm = live.start(session)
    last_id = live.event_id(wm)  # what the client's last message carried
    assert int(last_id.split("-")[0]) == quiet.id

    # while it was away: one incident changed, one opened, one high-risk mention arrived
    service.acknowledge(session, incident_id=seen.id, actor="t", now=T0)
    fresh = service.open_incident(session, title="断线期间", grade="III", category="other", actor="t", now=T0)
    hot = make.mention(session, "高风险", risk=80.0)
    session.commit()

    resumed = live.resume(session, last_id)
    assert resumed is not None
    events, after = live.poll(session, resumed, min_risk=60)
    incidents = {(d["id"], d["type"]) for n, d in events if n == "incident"}
    assert incidents == {(seen.id, "updated"), (fresh.id, "new")}  # not the unchanged one
    assert [d["id"] for n, d in events if n == "mention"] == [hot.id]
    # every running deadline's state is sent again (the client's last view of them is unknown)
    running = session.scalars(select(Deadline.id).where(Deadline.state.in_(live.RUNNING))).all()
    assert {d["id"] for n, d in events if n == "deadline"} == set(running)
    assert live.poll(session, after, min_risk=60)[0] == []  # then nothing twice
    assert all(a <= b for a, b in zip(map(int, last_id.split("-")), map(int, live.event_id(after).split("-")),
                                      strict=True))  # ids only grow

    for bad in (None, "", "abc", "1-2-3", "1-2-3-x", "-1-0-0-0"):
        assert live.resume(session, bad) is None  # a fresh start, never an error

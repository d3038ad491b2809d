"""预警 from bursts and 处置评估 at closing, through the alerts core and the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.warnings import raise_warnings
from yuqing.clock import now as clock_now
from yuqing.config import ChannelConfig, NotifyConfig, Settings, WatchTopicConfig
from yuqing.store.models import EarlyWarning, Incident, Mention, Notification


def burst(session, make, now, *, quiet: int = 2, loud: int = 40):  # type: ignore[no-untyped-def]
    """A CPI topic: a couple of posts an hour for 12 hours, then `loud` in the last hour."""
    ids = []
    for h in range(1, 13):
        for i in range(quiet):
            ids.append(make.mention(session, f"CPI平稳{h}-{i}", topics=["CPI"],
                                    published_at=now - timedelta(hours=h, minutes=10 + i)).id)
    for i in range(loud):
        ids.append(make.mention(session, f"CPI数据造假？第{i}条", topics=["CPI"], risk=40 + i % 50,
                                sentiment="negative", published_at=now - timedelta(minutes=50 - i)).id)
    session.commit()
    return ids


def settings_with_channel(settings: Settings) -> Settings:
    settings.notify = NotifyConfig(channels=[ChannelConfig(name="duty", kind="webhook",
                                                           url="http://127.0.0.1:9/hook")])
    settings.watch = [WatchTopicConfig(name="CPI", expression="CPI")]
    return settings


def test_a_burst_raises_one_warning_with_its_posts_and_a_notice(session, make, settings) -> None:  # type: ignore[no-untyped-def]
    settings = settings_with_channel(settings)
    now = clock_now().replace(minute=0, second=0, microsecond=0)
    burst(session, make, now)
    raised = raise_warnings(session, settings, now=now)
    session.commit()
    assert len(raised) == 1
    w = raised[0]
    assert w.series_kind == "topic" and w.label == "CPI" and w.count == 40 and w.level in ("red", "orange")
    assert "近1小时 40 条" in w.reason and len(w.mention_ids) == 20
    risks = [session.get(Mention, i).risk for i in w.mention_ids]
    assert risks == sorted(risks, reverse=True)  # the riskiest posts first
    notice = session.scalars(select(Notification).where(Notification.key.like(f"warning:{w.id}|%"))).one()
    assert "舆情突增" in notice.subject and "预警" in notice.subject
    # The same hour again (another engine, a later tick): no second warning.
    assert raise_warnings(session, settings, now=now) == []
    assert session.scalars(select(EarlyWarning)).all() == [w]


def test_officer_acknowledges_dismisses_or_promotes_with_one_click(client, session, make, settings) -> None:  # type: ignore[no-untyped-def]
    settings = settings_with_channel(settings)
    now = clock_now().replace(minute=0, second=0, microsecond=0)
    burst(session, make, now)
    [w] = raise_warnings(session, settings, now=now)
    session.commit()
    listed = client.get("/api/v1/warnings").json()
    assert [x["id"] for x in listed] == [w.id]
    assert listed[0]["level_label"].endswith("预警") and len(listed[0]["posts"]) == 5
    assert listed[0]["status_label"] == "待处理"

    res = client.post(f"/api/v1/warnings/{w.id}/promote", json={})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "promoted" and body["incident_id"]
    incident = session.get(Incident, body["incident_id"])
    session.refresh(incident)
    assert incident.title == "CPI 舆情突增" and incident.mention_count == 20
    assert incident.grade in ("II", "III")
    assert client.post(f"/api/v1/warnings/{w.id}/acknowledge").status_code == 409
    assert client.get("/api/v1/warnings").json() == []
    assert client.post("/api/v1/warnings/999999/dismiss").status_code == 404


def test_a_series_with_an_open_incident_raises_no_more_warnings(session, make, settings) -> None:  # type: ignore[no-untyped-def]
    """Once promoted, the incident's clocks speak for the series: the next hour's burst on the same
    topic is no second warning, nor are posts the engine already attached to an open incident."""
    from yuqing.alerts.warnings import promote

    settings = settings_with_channel(settings)
    now = clock_now().replace(minute=0, second=0, microsecond=0)
    burst(session, make, now)
    [w] = raise_warnings(session, settings, now=now)
    incident = promote(session, warning_id=w.id, actor="测试", now=now, settings=settings)
    session.commit()
    later = now + timedelta(hours=1)
    for i in range(80):  # the wave goes on, louder
        make.mention(session, f"CPI注水？第{i}条", topics=["CPI"], risk=50, sentiment="negative",
                     published_at=later - timedelta(minutes=55 - i % 50))
    session.commit()
    assert raise_warnings(session, settings, now=later) == []
    service.change_status(session, incident_id=incident.id, status="closed", actor="测试", now=later)
    session.commit()
    [again] = raise_warnings(session, settings, now=later)  # closed: a new burst warns again
    assert again.series_key == "CPI" and again.id != w.id


def test_closing_a_serious_incident_records_its_evaluation(client, session, make) -> None:  # type: ignore[no-untyped-def]
    inc = make.answered_incident(session, clock_now())
    session.commit()
    res = client.post(f"/api/v1/incidents/{inc.id}/evaluation",
                      json={"addressed_claims": True, "lessons": "解读材料应随数据同步发布"})
    assert res.status_code == 200, res.text
    ev = res.json()
    kinds = {t["kind"]: t["outcome"] for t in ev["timeliness"]}
    assert kinds["authoritative_info"] == "on_time" and kinds["press_conference"] == "missed"
    assert ev["on_time"] == 1 and ev["judged"] == 2 and ev["addressed_claims"] is True
    assert len(ev["effects"]) == 1  # the 24 h after the response have run out: its effect counts

    closing = client.post(f"/api/v1/incidents/{inc.id}/status", json={"status": "closed"})
    assert closing.status_code == 200, closing.text
    session.expire_all()
    kept = session.get(Incident, inc.id).evaluation
    assert kept["lessons"] == "解读材料应随数据同步发布"  # the officer's judgement survives closing
    assert client.get(f"/api/v1/incidents/{inc.id}/evaluation").json()["judged"] == 2
    long = client.post(f"/api/v1/incidents/{inc.id}/evaluation", json={"lessons": "长" * 5000})
    assert long.status_code == 422


def test_closing_without_an_evaluation_still_records_the_figures(session, make) -> None:  # type: ignore[no-untyped-def]
    now = clock_now()
    inc = service.open_incident(session, title="GDP数据争议", grade="II", category="other", actor="测试",
                                now=now - timedelta(hours=2))
    service.change_status(session, incident_id=inc.id, status="closed", actor="测试", now=now)
    session.commit()
    assert inc.evaluation is not None and inc.evaluation["evaluated_by"] == "测试"
    minor = service.open_incident(session, title="小事", grade="IV", category="other", actor="测试", now=now)
    service.change_status(session, incident_id=minor.id, status="closed", actor="测试", now=now)
    assert minor.evaluation is None  # only grade I/II incidents are evaluated


def test_the_briefing_counts_the_warnings_of_its_period(session, make, settings) -> None:  # type: ignore[no-untyped-def]
    from yuqing.reports.briefing import build_daily

    settings = settings_with_channel(settings)
    now = clock_now().replace(minute=0, second=0, microsecond=0)
    burst(session, make, now)
    assert len(raise_warnings(session, settings, now=now)) == 1
    session.commit()
    b = build_daily(session, settings, now=now + timedelta(minutes=5), on_demand=True)
    assert b.warnings == {"raised": 1, "open": 1}
    assert "本期发出预警 1 条（升级为事件 0 条、待处理 1 条）" in b.overview

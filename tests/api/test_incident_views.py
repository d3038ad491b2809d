"""The incident page's data: the volume curve with markers, and mentions grouped by story."""

from __future__ import annotations

from datetime import timedelta

import pytest

from yuqing.alerts import service
from yuqing.api.routes.incident_views import bucket_minutes
from yuqing.clock import now as clock_now
from yuqing.store.models import Story


@pytest.fixture
def incident(session, make):  # type: ignore[no-untyped-def]
    """A CPI incident: one story copied 5 times (3 negative), 4 single posts, a release and a response."""
    now = clock_now()
    release = make.release(session, published_at=now - timedelta(hours=6))
    story = Story(title="【扩散】CPI数据造假", size=5, earliest_publisher="某大V", platforms={"weibo": 5},
                  earliest_published_at=now - timedelta(hours=5))
    session.add(story)
    session.flush()
    mentions = []
    for i in range(5):
        mentions.append(make.mention(
            session, "【扩散】CPI数据造假，谁信", story_id=story.id, risk=60 + i,
            sentiment="negative" if i < 3 else "neutral", published_at=now - timedelta(hours=5 - i),
        ))
    for i in range(4):
        mentions.append(make.mention(
            session, f"菜价涨了，CPI才涨0.2%？第{i}条", risk=20 + i, platform="tieba" if i % 2 else "weibo",
            sentiment="negative", published_at=now - timedelta(minutes=90 - 10 * i),
        ))
    inc = service.open_incident(
        session, title="CPI数据遭造假质疑", grade="II", category="data_credibility", actor="测试",
        now=now - timedelta(hours=4), mention_ids=[m.id for m in mentions], release_id=release.id,
    )
    service.record_action(session, kind="authoritative_info", at=now - timedelta(hours=1), actor="测试",
                          now=now, incident_id=inc.id, description="官网发布解读",
                          evidence_url="https://www.stats.gov.cn/sj/sjjd/")
    session.commit()
    return inc, story, mentions, release


def test_series_counts_every_mention_and_marks_release_opening_and_response(client, incident) -> None:  # type: ignore[no-untyped-def]
    inc, _story, mentions, _release = incident
    res = client.get(f"/api/v1/incidents/{inc.id}/series")
    assert res.status_code == 200, res.text
    body = res.json()
    assert sum(p["mentions"] for p in body["points"]) == len(mentions)
    assert sum(p["negative"] for p in body["points"]) == 3 + 4
    for p in body["points"]:
        if p["mentions"]:
            assert p["negative_share"] == pytest.approx(p["negative"] / p["mentions"], abs=1e-3)
        else:
            assert p["negative_share"] is None
    kinds = sorted(m["kind"] for m in body["markers"])
    assert kinds == ["action", "opened", "release"]
    assert any(m["label"] == "发布权威信息" for m in body["markers"])
    assert all(m["at"].endswith("+08:00") for m in body["markers"])
    # the curve spans the release (6 h ago) to the last response and post (1 h ago)
    assert len(body["points"]) * body["bucket_minutes"] >= 5 * 60


def test_bucket_width_keeps_the_curve_readable() -> None:
    assert bucket_minutes(timedelta(hours=2)) == 10
    assert bucket_minutes(timedelta(hours=20)) == 30
    assert bucket_minutes(timedelta(days=3)) == 180
    assert bucket_minutes(timedelta(days=200)) == 1440


def test_mentions_grouped_by_story_riskiest_first_with_filters_and_paging(client, incident) -> None:  # type: ignore[no-untyped-def]
    inc, story, mentions, _release = incident
    body = client.get(f"/api/v1/incidents/{inc.id}/mention-groups").json()
    assert body["total_mentions"] == 9 and body["total_groups"] == 5
    first = body["groups"][0]
    assert first["story_id"] == story.id and first["count"] == 5 and first["negative"] == 3
    assert first["earliest_publisher"] == "某大V" and first["max_risk"] == 64
    assert first["representative"]["id"] == mentions[4].id  # the riskiest copy represents the story
    risks = [g["max_risk"] for g in body["groups"]]
    assert risks == sorted(risks, reverse=True)

    page = client.get(f"/api/v1/incidents/{inc.id}/mention-groups", params={"limit": 2, "offset": 4}).json()
    assert len(page["groups"]) == 1 and page["total_groups"] == 5

    tieba = client.get(f"/api/v1/incidents/{inc.id}/mention-groups", params={"platform": "tieba"}).json()
    assert tieba["total_mentions"] == 2 and all(g["platforms"] == {"贴吧": 1} for g in tieba["groups"])
    neutral = client.get(f"/api/v1/incidents/{inc.id}/mention-groups", params={"sentiment": "neutral"}).json()
    assert neutral["total_mentions"] == 2 and neutral["groups"][0]["count"] == 2
    risky = client.get(f"/api/v1/incidents/{inc.id}/mention-groups", params={"min_risk": 62}).json()
    assert risky["total_mentions"] == 3

    bad = client.get(f"/api/v1/incidents/{inc.id}/mention-groups", params={"sentiment": "angry"})
    assert bad.status_code == 422 and "sentiment" in bad.json()["detail"]
    assert client.get("/api/v1/incidents/999999/mention-groups").status_code == 404

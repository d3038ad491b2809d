"""The daily briefing's figures, from rows inserted by the `world` fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reports.briefing import build_daily, change_text, classify_deadline
from reports.queries import MentionRow, volume_by_hour
from reports.timefmt import briefing_day, briefing_window


def test_window_is_24h_before_0800_beijing():
    start, end = briefing_window(date(2026, 11, 10))
    assert start == datetime(2026, 11, 9, 0, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 10, 0, 0, tzinfo=UTC)
    assert briefing_day(datetime(2026, 11, 9, 23, 59, tzinfo=UTC)) == date(2026, 11, 9)  # 07:59 Beijing
    assert briefing_day(datetime(2026, 11, 10, 0, 0, tzinfo=UTC)) == date(2026, 11, 10)  # 08:00 Beijing


def test_classify_deadline():
    due = datetime(2026, 11, 9, 8, tzinfo=UTC)
    now = datetime(2026, 11, 10, tzinfo=UTC)
    assert classify_deadline("met", due, due - timedelta(minutes=1), now) == ("按时", True)
    assert classify_deadline("met", due, due + timedelta(minutes=1), now) == ("超时完成", False)
    assert classify_deadline("pending", due, None, now) == ("超时未回应", False)
    assert classify_deadline("pending", now + timedelta(hours=1), None, now) == ("待回应", None)
    assert classify_deadline("waived", due, None, now) == ("已豁免", None)


def test_change_text():
    assert change_text(8, 2) == "较前一日上升 300.0%"
    assert change_text(1, 4) == "较前一日下降 75.0%"
    assert change_text(3, 3) == "与前一日持平"
    assert change_text(0, 0) == "前一日无数据"


def test_volume_by_hour_counts_each_hour_and_drops_outside():
    start = datetime(2026, 11, 9, tzinfo=UTC)
    rows = [
        MentionRow(1, "weibo", "negative", 1, None, start + timedelta(minutes=59)),
        MentionRow(2, "weibo", "neutral", 1, None, start + timedelta(minutes=60)),
        MentionRow(3, "weibo", "negative", 1, None, start + timedelta(hours=3)),
        MentionRow(4, "weibo", "negative", 1, None, start - timedelta(seconds=1)),
    ]
    hours = volume_by_hour(rows, start, start + timedelta(hours=3))
    assert [(h["total"], h["negative"]) for h in hours] == [(1, 1), (1, 0), (0, 0)]
    assert hours[0]["label"] == "09日08时"


def test_volume_and_platforms(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    assert (b.total, b.negative, b.negative_share) == (8, 4, "50.0%")
    assert (b.previous_total, b.previous_negative) == (2, 1)
    assert b.story_count == 4  # two stories plus two mentions of their own
    by = {p["platform"]: p for p in b.platforms}
    assert (by["weibo"]["negative"], by["weibo"]["total"]) == (3, 3)
    assert (by["news"]["neutral"], by["news"]["positive"], by["news"]["total"]) == (2, 1, 3)
    assert by["all"]["total"] == 8 and b.platforms[-1]["label"] == "合计"
    assert len(b.hours) == 24 and sum(h["total"] for h in b.hours) == 8
    assert b.hours[3]["total"] == 2 and b.hours[3]["negative"] == 2  # 03:00–04:00 UTC


def test_top_stories_ranked_by_risk_with_factors(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    first, second = b.top_stories[:2]
    assert first.story_id == world.story_fraud
    assert (first.mentions, first.negative, first.risk) == (4, 3, 88)
    assert first.factors == ["负面 0.92", "涉及数据真实性"]
    assert first.sensitive == ["数据质量/造假质疑"] and first.has_incident
    assert first.publisher == "某大V" and first.platforms == "微博、新闻"
    assert second.title == world.evil and second.risk == 55 and not second.has_incident


def test_incidents_and_timeliness(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    assert [i.id for i in b.incidents_opened] == [world.incident_new, world.incident_serious]  # grade I first
    assert [i.id for i in b.incidents_open] == [world.incident_new, world.incident_serious]
    assert [i.id for i in b.incidents_closed] == [world.incident_closed]
    serious = next(i for i in b.incidents_open if i.id == world.incident_serious)
    assert [(d.kind_label, d.timeliness) for d in serious.deadlines] == [
        ("发布权威信息", "按时"),
        ("召开新闻发布会", "待回应"),
    ]
    closed = b.incidents_closed[0]
    assert closed.deadlines[0].timeliness == "超时完成"
    t = b.timeliness  # windows due in the period: one met on time, one breached
    assert (t.on_time, t.late, t.missed, t.pending, t.waived) == (1, 0, 1, 0, 0)


def test_releases_sources_and_attention(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    (cpi,) = b.releases
    assert cpi.id == world.cpi
    assert (cpi.mentions, cpi.negative, cpi.negative_share, cpi.max_risk) == (5, 3, "60.0%", 88)
    assert [r.id for r in b.upcoming_releases] == [world.ppi]
    warnings = {w.name: w.message for w in b.source_warnings}
    assert set(warnings) == {"微博搜索", "本地贴吧"}  # the disabled source and the healthy one are not listed
    assert "HTTP 418" in warnings["微博搜索"] and "30小时" in warnings["本地贴吧"]
    texts = [(a.level, a.text) for a in b.attention]
    assert ("urgent", "特别重大（I级）事件「失业率数据质疑」尚未确认，请指定责任人") in texts
    assert ("urgent", "事件「失业率数据质疑」发布权威信息已超时 2.5小时") in texts
    assert ("urgent", "事件「网传CPI数据造假」须于 11月10日 11:12 前召开新闻发布会（剩余 2.7小时）") in texts
    assert any(lvl == "important" and world.evil in t and "尚未立案" in t for lvl, t in texts)
    assert any("工业生产者出厂价格指数" in t for _, t in texts)
    assert texts[-1][0] == "info" and "2 个信息源" in texts[-1][1]


def test_empty_day(session, settings):
    b = build_daily(session, settings, day=date(2026, 1, 2), now=datetime(2026, 1, 2, 1, tzinfo=UTC))
    assert (b.total, b.negative_share, b.top_stories, b.attention) == (0, "—", [], [])
    assert b.platforms == [
        {"platform": "all", "label": "合计", "negative": 0, "neutral": 0, "positive": 0, "total": 0}
    ]

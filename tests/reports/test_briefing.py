"""The daily briefing's figures, from rows inserted by the `world` fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from yuqing.reports.briefing import build_daily, change_text, classify_deadline
from yuqing.reports.charts import hourly_chart_png
from yuqing.reports.queries import MentionRow, volume_by_hour
from yuqing.reports.render import render_daily
from yuqing.reports.timefmt import briefing_day, briefing_window
from yuqing.store.models import Action, Case, Deadline, Document, Incident, Mention, Release

from .conftest import add_mention, t


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


def test_incidents_listed_once_with_their_place_in_the_period(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    assert [i.id for i in b.incidents] == [world.incident_new, world.incident_serious, world.incident_closed]
    assert [i.period_note for i in b.incidents] == ["本期新发现", "本期新发现", "本期关闭"]
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


def test_a_response_made_shows_what_and_where(session, world, settings):
    action = Action(incident_id=world.incident_serious, kind="authoritative_info", at=t(7), actor="张三",
                    evidence_url="https://tjj.example.gov.cn/jd/1.html", description="发布CPI数据说明")
    session.add(action)
    session.flush()
    d = session.scalar(select(Deadline).where(Deadline.incident_id == world.incident_serious,
                                              Deadline.kind == "authoritative_info"))
    d.met_by_action_id = action.id
    session.commit()
    b = build_daily(session, settings, day=world.day, now=world.now)
    serious = next(i for i in b.incidents if i.id == world.incident_serious)
    assert serious.deadlines[0].response == (
        "11月9日 15:00 发布权威信息：发布CPI数据说明（https://tjj.example.gov.cn/jd/1.html）"
    )


def test_open_incidents_always_appear_even_when_opened_after_the_period(session, world, settings):
    late = Incident(title="夜间新发事件", grade="I", category="data_credibility", status="detected",
                    opened_by="rule", opened_at=world.now + timedelta(hours=2))
    session.add(late)
    session.commit()
    b = build_daily(session, settings, day=world.day, now=world.now + timedelta(hours=3))
    assert late.id in [i.id for i in b.incidents]
    assert sum(1 for i in b.incidents if i.id == late.id) == 1


def test_on_demand_covers_up_to_now_and_tells_released_in_past_tense(session, world, settings):
    """The evening of the issue: asked for at 21:53, after a release at 15:33 and an incident at 16:00."""
    evening = datetime(2026, 12, 1, 13, 53, tzinfo=UTC)  # 21:53 Beijing
    rel = Release(title="2026年11月份居民消费价格", indicator="CPI", indicator_name="居民消费价格指数",
                  period_label="2026年11月", published_at=datetime(2026, 12, 1, 7, 33, tzinfo=UTC),
                  headline_text="同比上涨 0.5%")
    session.add(rel)
    session.flush()
    for h in (8, 8.5, 9):
        add_mention(session, at=datetime(2026, 12, 1, tzinfo=UTC) + timedelta(hours=h), sentiment="negative",
                    risk=70, release=rel)
    inc = Incident(title="CPI造假传言", grade="I", category="data_credibility", status="responding",
                   opened_by="rule", opened_at=datetime(2026, 12, 1, 8, tzinfo=UTC))
    session.add(inc)
    session.commit()
    b = build_daily(session, settings, now=evening, on_demand=True)
    assert (b.start, b.end) == (evening - timedelta(hours=24), evening)
    assert "按需生成，统计至生成时刻" in b.period_text and "2026-12-01 21:53" in b.period_text
    assert b.total == 3 and b.negative == 3
    assert inc.id in [i.id for i in b.incidents_open]
    (r,) = b.releases
    assert r.past_tense() == (
        "已于 12月1日 15:33 发布居民消费价格指数（2026年11月），同比上涨 0.5%；"
        "发布后相关信息 3 条，负面 3 条（100.0%），反应较为负面。"
    )
    assert b.upcoming_releases == []
    assert not any("将发布" in a.text for a in b.attention)


def test_overview_paragraph_states_the_conclusion(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    start, end = briefing_window(world.day)
    at = func.coalesce(Mention.published_at, Mention.analysed_at)
    total = session.scalar(select(func.count()).where(at >= start, at < end))
    negative = session.scalar(
        select(func.count()).where(at >= start, at < end, Mention.sentiment == "negative")
    )
    assert b.overview.startswith(f"本期共监测到相关信息 {total} 条（4 个话题），较前一日上升 300.0%；"
                                 f"其中负面信息 {negative} 条，占 50.0%。")
    assert "目前处置中的舆情事件 2 起（特别重大（I级） 1 起、重大（II级） 1 起）" in b.overview
    assert "已于 11月9日 09:30 发布居民消费价格指数（2026年11月）" in b.overview
    assert "今日需重点关注：" in b.overview
    assert b.overview.endswith("最紧迫的时限：事件「失业率数据质疑」发布权威信息已超时 2.5小时。")
    assert any("由张三于 11月10日 11:12 前完成「网传CPI数据造假」的召开新闻发布会" in r
               for r in b.recommendations)


def test_accounts_and_cases_due(session, world, settings):
    doc_author = add_mention(session, at=t(5), author="财经大V", sentiment="negative")
    session.get(Document, doc_author.document_id).author_followers = 1_000_000
    c = Case(kind="suggestion", title="建议公布CPI权重", received_at=t(0, day=1))
    session.add(c)
    session.flush()
    session.add(Deadline(case_id=c.id, kind="suggestion_reply", starts_at=t(0, day=1), due_at=t(30)))
    session.commit()
    b = build_daily(session, settings, day=world.day, now=world.now)
    top = b.accounts[0]
    assert (top.author, top.followers, top.negative) == ("财经大V", 1_000_000, 1)
    (due,) = b.cases_due
    assert (due.case_id, due.kind_label, due.overdue) == (c.id, "意见建议", False)
    assert due.remaining == "剩余 5.5小时"


def test_releases_sources_and_attention(session, world, settings):
    b = build_daily(session, settings, day=world.day, now=world.now)
    (cpi,) = b.releases
    assert cpi.id == world.cpi
    assert (cpi.mentions, cpi.negative, cpi.negative_share, cpi.max_risk) == (5, 3, "60.0%", 88)
    assert [r.id for r in b.upcoming_releases] == [world.ppi]
    assert cpi.past_tense().startswith("已于 11月9日 09:30 发布居民消费价格指数（2026年11月），同比上涨 0.3%")
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
    assert b.overview.startswith("本期未监测到相关信息")
    assert b.recommendations == ["保持常态监测，暂无需专门处置的事项。"]
    html = render_daily(b, "html").decode()
    assert "本期无数据" in html and "data:image/png" not in html  # no degenerate −0.04..0.04 chart
    assert hourly_chart_png(b.hours, title="x") is None

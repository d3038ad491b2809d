"""Issue 13: a rule-opened incident is titled by what the event is, with the post as subtitle and a
three-line situation summary that follows the event as it grows."""

from __future__ import annotations

from datetime import timedelta

from yuqing.alerts import service
from yuqing.alerts.engine import process_mentions
from yuqing.alerts.grouping import event_of
from yuqing.store.models import Incident, Release

from .conftest import T0


def test_rule_opened_incident_gets_a_generated_title_and_situation(session, add_mentions, make_settings):
    settings = make_settings()
    release = Release(url="http://stats/cpi-11.html", title="2026年11月份居民消费价格", indicator="CPI",
                      period_label="2026年11月", published_at=T0)
    session.add(release)
    session.flush()
    post = "菜价涨了一倍,CPI才涨0.2%? 今天去菜市场,数据造假谁信"
    for m in add_mentions(6, event=None, release_id=release.id, risk=90, at=T0, topics=("data_credibility",),
                          title=post):
        m.author = "大V甲"
    incident = session.get(Incident, process_mentions(session, settings, now=T0)[0])
    assert incident.title == "11月CPI数据遭造假质疑"
    assert incident.subtitle == post
    lines = incident.situation.splitlines()
    assert len(lines) == 3 and lines[0].startswith("规模与趋势：共 6 条（微博 6）")
    assert lines[1].startswith("主要说法：数据造假（6 条）") and lines[2] == "主要传播者：大V甲（6 条）"

    later = T0 + timedelta(minutes=30)
    add_mentions(4, event=None, release_id=release.id, risk=85, at=later, topics=("data_credibility",),
                 title="CPI注水")
    process_mentions(session, settings, now=later)
    session.refresh(incident)
    assert incident.situation.splitlines()[0].startswith("规模与趋势：共 10 条")


def test_a_title_typed_by_a_person_is_kept(session, add_mentions, make_settings):
    settings = make_settings()
    # the event the mentions below fall into (alerts.grouping: a sensitive topic in one week)
    key = event_of(sentiment="negative", p_negative=0.9, sensitive_topics=("livelihood",), release_id=None,
                   subject=None, published_at=T0, story_id=None)
    assert key is not None
    incident = service.open_incident(session, title="手工立案：物价议论", grade="III", category="other",
                                     actor="officer", now=T0, event_key=key.key, settings=settings)
    add_mentions(2, event="ev", risk=60, at=T0, topics=("livelihood",))
    process_mentions(session, settings, now=T0)
    session.refresh(incident)
    assert incident.title == "手工立案：物价议论" and incident.situation.startswith("规模与趋势：共 2 条")


def test_before_the_release_is_known_the_topic_event_names_its_indicator(
        session, add_mentions, make_settings):
    settings = make_settings()
    add_mentions(6, event=None, subject="CPI", risk=90, at=T0,
                 topics=("data_credibility",), title="CPI数据注水，谁信")
    incident = session.get(Incident, process_mentions(session, settings, now=T0)[0])
    assert incident.release_id is None and incident.title == "CPI数据遭造假质疑"


def test_an_incident_opened_by_hand_with_its_posts_gets_subtitle_and_situation_at_once(
        session, add_mentions, make_settings):
    """The duty officer who opens an incident from posts sees the same summary a rule-opened one has."""
    posts = add_mentions(3, event=None, risk=70, at=T0, topics=("data_credibility",),
                         title="菜价涨了一倍,CPI才涨0.2%? 今天去菜市场,数据造假谁信")
    incident = service.open_incident(session, title="手工立案：CPI质疑", grade="II",
                                     category="data_credibility", actor="officer", now=T0,
                                     mention_ids=[m.id for m in posts],
                                     settings=make_settings())
    assert incident.title == "手工立案：CPI质疑"  # a person's title is kept
    assert incident.subtitle == "菜价涨了一倍,CPI才涨0.2%? 今天去菜市场,数据造假谁信"
    lines = incident.situation.splitlines()
    assert len(lines) == 3 and lines[0].startswith("规模与趋势：共 3 条")
    assert lines[1].startswith("主要说法：数据造假")

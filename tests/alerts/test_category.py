"""The category of an event follows the topic carrying the most risk, not the most posts."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.alerts.grading import MentionFacts, category_of

AT = datetime(2026, 11, 9, 3, 0, tzinfo=UTC)


def test_viral_accusations_outweigh_many_low_reach_complaints() -> None:
    complaints = [MentionFacts(risk=20, at=AT, sensitive_topics=("livelihood",)) for _ in range(40)]
    accusations = [MentionFacts(risk=90, at=AT, sensitive_topics=("data_credibility",)) for _ in range(12)]
    assert category_of(complaints + accusations) == "data_credibility"


def test_the_heavier_topic_wins_either_way() -> None:
    complaints = [MentionFacts(risk=60, at=AT, sensitive_topics=("livelihood",)) for _ in range(40)]
    accusations = [MentionFacts(risk=30, at=AT, sensitive_topics=("data_credibility",)) for _ in range(3)]
    assert category_of(complaints + accusations) == "vital_interests"


def test_no_sensitive_topic_is_other() -> None:
    assert category_of([MentionFacts(risk=50, at=AT)]) == "other"


def test_an_incident_s_category_follows_the_event(session, add_mentions, make_settings) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from yuqing.alerts.engine import process_mentions
    from yuqing.store.models import Incident, IncidentEvent, Release

    settings = make_settings()
    release = Release(title="2026年10月份居民消费价格", indicator="CPI", published_at=AT)
    session.add(release)
    session.flush()
    # One release's reaction: price complaints first, then accusations of fake figures.
    add_mentions(3, event="ev", risk=50, at=AT, topics=("livelihood",), release_id=release.id)
    incident = session.get(Incident, process_mentions(session, settings, now=AT)[0])
    assert incident.category == "vital_interests"
    later = AT + timedelta(minutes=30)
    add_mentions(5, event="ev", risk=90, at=later, topics=("data_credibility",), release_id=release.id)
    process_mentions(session, settings, now=later)
    assert incident.category == "data_credibility"
    events = session.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident.id,
                                                         IncidentEvent.kind == "category_changed")).all()
    assert [e.data for e in events] == [{"from": "vital_interests", "to": "data_credibility"}]

"""Incidents opened before a release was known merge when their mentions are relinked to it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from alerts.engine import process_mentions
from store.models import Deadline, Incident, IncidentEvent, Release

from .conftest import T0


def _release(session, indicator: str = "CPI") -> str:
    release = Release(url=f"http://stats/{indicator}.html", title=indicator, indicator=indicator,
                      published_at=T0)
    session.add(release)
    session.flush()
    return f"release:{release.id}"


def test_relinked_mentions_merge_their_incidents_into_the_earliest(session, add_mentions, make_settings):
    settings = make_settings()
    key = _release(session)
    # Before the release was crawled: the wave splits into a grade-I topic event and a small story.
    topic = add_mentions(6, event_key="topic:data_credibility:CPI:2026-W45", risk=90, at=T0,
                         topics=("data_credibility",))
    story = add_mentions(1, event_key="story:7", risk=40, at=T0, topics=("livelihood",))
    process_mentions(session, settings, now=T0)
    first, small = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert (first.grade, small.grade) == ("I", "IV")

    # The release arrives; relinking moves every mention to its event and hands them back.
    later = T0 + timedelta(minutes=20)
    for m in topic + story:
        m.event_key, m.alerted = key, False
    add_mentions(3, event_key=key, risk=85, at=later, topics=("data_credibility",))
    process_mentions(session, settings, now=later)

    open_incidents = session.scalars(select(Incident).where(Incident.status != "closed")).all()
    assert [i.id for i in open_incidents] == [first.id]
    assert first.release_id == int(key.split(":")[1])
    assert first.event_key == key and first.grade == "I" and first.mention_count == 10
    rows = session.scalars(select(Deadline).where(Deadline.incident_id == first.id))
    due = {d.kind: d.due_at for d in rows}
    assert due["authoritative_info"] == first.opened_at + timedelta(hours=5)  # its clock did not restart
    session.refresh(small)
    assert small.status == "closed"
    waived = session.scalars(select(Deadline).where(Deadline.incident_id == small.id)).all()
    assert waived and all(d.state == "waived" and d.waived_reason == f"并入事件 #{first.id}" for d in waived)
    events = session.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == small.id))
    kinds = {e.kind for e in events}
    assert "merged" in kinds


def test_a_lower_grade_survivor_takes_the_highest_grade(session, add_mentions, make_settings):
    settings = make_settings()
    key = _release(session)
    early = add_mentions(1, event_key="story:1", risk=40, at=T0)
    process_mentions(session, settings, now=T0)
    later = T0 + timedelta(minutes=5)
    wave = add_mentions(6, event_key="topic:x", risk=90, at=later, topics=("data_credibility",))
    process_mentions(session, settings, now=later)
    small, big = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert (small.grade, big.grade) == ("IV", "I")

    for m in early + wave:
        m.event_key, m.alerted = key, False
    process_mentions(session, settings, now=later + timedelta(minutes=5))
    session.refresh(small)
    session.refresh(big)
    assert small.status != "closed" and small.grade == "I" and small.event_key == key
    assert big.status == "closed"
    kinds = [d.kind for d in session.scalars(select(Deadline).where(
        Deadline.incident_id == small.id, Deadline.state == "pending"))]
    assert {"authoritative_info", "press_conference"} <= set(kinds)

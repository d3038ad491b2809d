"""Incidents opened before a release was known merge when their mentions are relinked to it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yuqing.alerts.engine import process_mentions
from yuqing.store.models import Deadline, Incident, IncidentEvent, MentionRelink, Release

from .conftest import T0


def _release(session, indicator: str = "CPI") -> int:
    release = Release(url=f"http://stats/{indicator}.html", title=indicator, indicator=indicator,
                      published_at=T0)
    session.add(release)
    session.flush()
    return release.id


def _relink(session, mentions, release_id: int, at) -> None:
    """What analysis.relink records when the release turns up: the fact and a record of the change."""
    for m in mentions:
        session.add(MentionRelink(mention_id=m.id, release_before=m.release_id, release_after=release_id,
                                  at=at))
        m.release_id = release_id
    session.flush()


def test_relinked_mentions_merge_their_incidents_into_the_earliest(session, add_mentions, make_settings):
    settings = make_settings()
    release_id = _release(session)
    key = f"release:{release_id}"
    # Before the release was crawled: the wave splits into a grade-I topic event and a small story.
    topic = add_mentions(6, event=None, risk=90, at=T0, topics=("data_credibility",), subject="CPI")
    story = add_mentions(1, event="7", risk=40, at=T0, topics=("livelihood",))
    process_mentions(session, settings, now=T0)
    first, small = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert (first.grade, small.grade) == ("I", "IV")

    # The release arrives; relinking moves every mention to its event and hands them back.
    later = T0 + timedelta(minutes=20)
    _relink(session, topic + story, release_id, later)
    add_mentions(3, event=None, risk=85, at=later, topics=("data_credibility",), release_id=release_id)
    process_mentions(session, settings, now=later)
    assert session.scalars(select(MentionRelink).where(MentionRelink.picked_up_at.is_(None))).all() == []

    open_incidents = session.scalars(select(Incident).where(Incident.status != "closed")).all()
    assert [i.id for i in open_incidents] == [first.id]
    assert first.release_id == release_id
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
    release_id = _release(session)
    key = f"release:{release_id}"
    early = add_mentions(1, event="1", risk=40, at=T0)
    process_mentions(session, settings, now=T0)
    later = T0 + timedelta(minutes=5)
    wave = add_mentions(6, event=None, risk=90, at=later, topics=("data_credibility",))
    process_mentions(session, settings, now=later)
    small, big = session.scalars(select(Incident).order_by(Incident.id)).all()
    assert (small.grade, big.grade) == ("IV", "I")

    _relink(session, early + wave, release_id, later)
    process_mentions(session, settings, now=later + timedelta(minutes=5))
    session.refresh(small)
    session.refresh(big)
    assert small.status != "closed" and small.grade == "I" and small.event_key == key
    assert big.status == "closed"
    kinds = [d.kind for d in session.scalars(select(Deadline).where(
        Deadline.incident_id == small.id, Deadline.state == "pending"))]
    assert {"authoritative_info", "press_conference"} <= set(kinds)

"""The engine: one incident per event, grade upgrades recorded, release linking, frozen 5 h / 24 h clocks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from yuqing.alerts.engine import process_mentions
from yuqing.store.models import (
    Deadline,
    Incident,
    IncidentEvent,
    IncidentMention,
    Mention,
    MentionRelease,
    Notification,
    Release,
)

from .conftest import T0


def due_times(session, incident_id):
    rows = session.scalars(select(Deadline).where(Deadline.incident_id == incident_id))
    return {d.kind: d.due_at for d in rows}


def test_cpi_fraud_wave_opens_exactly_one_grade_i_incident(session, add_mentions, make_settings, receiver):
    settings = make_settings(receiver)
    cpi = Release(title="2026年10月份居民消费价格", indicator="CPI")
    ppi = Release(title="2026年10月份工业生产者出厂价格", indicator="PPI")
    session.add_all([cpi, ppi])
    session.flush()
    wave = add_mentions(8, event="cpi-fraud", risk=88, topics=("data_credibility",), at=T0)
    for m in wave[:5]:
        session.add(MentionRelease(mention_id=m.id, release_id=cpi.id, confidence=0.8))
    for m in wave[5:7]:
        session.add(MentionRelease(mention_id=m.id, release_id=ppi.id, confidence=0.99))
    other = add_mentions(2, event="weather", risk=10, at=T0)
    noise = add_mentions(3, event=None, risk=95, at=T0)
    opened_at = T0 + timedelta(minutes=5)

    ids = process_mentions(session, settings, now=opened_at)

    assert len(ids) == 1
    incident = session.get(Incident, ids[0])
    assert incident.grade == "I" and incident.category == "data_credibility"
    assert incident.release_id == cpi.id
    assert incident.mention_count == 8 and incident.opened_at == opened_at
    assert incident.policy["authoritative_hours"] == 5
    due = due_times(session, incident.id)
    assert due == {"authoritative_info": opened_at + timedelta(hours=5),
                   "press_conference": opened_at + timedelta(hours=24)}
    assert all(m.alerted for m in [*wave, *other, *noise])
    # press and leadership were both told (grade I), in the same transaction
    audiences = set(session.scalars(
        select(Notification.audience).where(Notification.incident_id == incident.id)))
    assert audiences == {"press", "leadership"}
    # running it again changes nothing
    assert process_mentions(session, settings, now=opened_at + timedelta(minutes=1)) == []
    assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_growing_event_attaches_and_upgrades_with_a_timeline_entry(session, add_mentions, make_settings):
    settings = make_settings()
    add_mentions(1, event="ev", risk=40, at=T0)  # IV: risk ≥ 35 with one mention
    first = process_mentions(session, settings, now=T0)
    incident = session.get(Incident, first[0])
    assert incident.grade == "IV"
    assert session.scalars(select(Deadline).where(Deadline.incident_id == incident.id)).all() == []

    later = T0 + timedelta(hours=2)
    add_mentions(3, event="ev", risk=70, at=later)
    assert process_mentions(session, settings, now=later) == [incident.id]
    session.refresh(incident)
    assert incident.grade == "II" and incident.mention_count == 4
    assert "相关信息 4 条" in incident.summary  # the assessment follows the event
    kinds = [e.kind for e in session.scalars(select(IncidentEvent).where(
        IncidentEvent.incident_id == incident.id).order_by(IncidentEvent.id))]
    assert kinds == ["opened", "mentions_attached", "grade_upgraded"]
    # grade II owes a timely response (the rules give 5 h / 24 h to 特别重大 only), counted from the
    # opening (policy clock_starts = "opened", frozen then)
    assert due_times(session, incident.id) == {"timely_response": T0 + timedelta(hours=24)}


def test_graded_policy_starts_the_clocks_at_the_upgrade(session, add_mentions, make_settings):
    settings = make_settings()
    settings.policy.clock_starts = "graded"
    settings.policy.grade_windows["II"] = ["authoritative_info", "press_conference"]  # a stricter bureau
    add_mentions(1, event="ev", risk=40, at=T0)
    incident = session.get(Incident, process_mentions(session, settings, now=T0)[0])
    later = T0 + timedelta(hours=2)
    add_mentions(3, event="ev", risk=70, at=later)
    process_mentions(session, settings, now=later)
    due = due_times(session, incident.id)
    assert due["authoritative_info"] == later + timedelta(hours=5)
    assert due["press_conference"] == later + timedelta(hours=24)


def test_below_threshold_mentions_count_once_the_event_grows(session, add_mentions, make_settings):
    settings = make_settings()
    early = add_mentions(2, event="quiet", risk=20, at=T0, topics=("livelihood",))
    assert process_mentions(session, settings, now=T0) == []
    assert all(m.alerted for m in early)
    add_mentions(3, event="quiet", risk=66, at=T0 + timedelta(hours=1), topics=("livelihood",))
    ids = process_mentions(session, settings, now=T0 + timedelta(hours=1))
    incident = session.get(Incident, ids[0])
    assert incident.grade == "II" and incident.category == "vital_interests"
    attached = session.scalar(select(func.count()).select_from(IncidentMention).where(
        IncidentMention.incident_id == incident.id))
    assert attached == 5
    kinds = set(session.scalars(select(Deadline.kind).where(Deadline.incident_id == incident.id)))
    assert kinds == {"timely_response"}


def test_policy_edit_after_opening_changes_no_running_clock(session, add_mentions, make_settings):
    settings = make_settings()
    add_mentions(5, event="frozen", risk=90, at=T0)
    [incident_id] = process_mentions(session, settings, now=T0)
    edited = make_settings()
    edited.policy.authoritative_hours = 2
    edited.policy.press_conference_hours = 12
    add_mentions(3, event="frozen", risk=95, at=T0 + timedelta(hours=1))
    process_mentions(session, edited, now=T0 + timedelta(hours=1))
    due = due_times(session, incident_id)
    assert due["authoritative_info"] == T0 + timedelta(hours=5)
    assert due["press_conference"] == T0 + timedelta(hours=24)
    assert session.get(Incident, incident_id).policy["authoritative_hours"] == 5
    assert session.scalar(select(func.count()).select_from(Mention).where(Mention.alerted.is_(False))) == 0

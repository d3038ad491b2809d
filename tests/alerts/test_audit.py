"""The periodic auditor: a lost or never-written reminder is restored once; a healthy state is clean."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, func, select

from yuqing.alerts.audit import audit
from yuqing.alerts.engine import tick
from yuqing.alerts.outbox import deliver_due
from yuqing.store.models import Deadline, IncidentEvent, Notification

from .conftest import T0, Timeline
from .test_timeline import open_grade_i

MIN = timedelta(minutes=1)
DUE = T0 + timedelta(hours=5)


def _audit(session_maker, settings, now):
    with session_maker() as s, s.begin():
        return audit(s, settings, now=now)


def test_a_healthy_timeline_has_no_findings(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    for start, end in ((T0, DUE - 50 * MIN), (DUE - 45 * MIN, DUE + 65 * MIN)):
        timeline.run(start, end, 5 * MIN)
        assert _audit(session_maker, settings, end) == []
    with session_maker() as s:
        assert s.scalar(select(func.count()).select_from(IncidentEvent)
                        .where(IncidentEvent.kind == "audit_finding")) == 0


def test_a_deleted_reminder_row_is_restored_once_under_its_key(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    incident_id = open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, DUE - 50 * MIN, 5 * MIN)
    delivered = receiver.keys("/press")
    with session_maker() as s, s.begin():
        lost = s.scalar(select(Notification).where(Notification.key.like("deadline:%:lead-60|press-hook")))
        lost_key = lost.key
        s.execute(delete(Notification).where(Notification.id == lost.id))

    findings = _audit(session_maker, settings, DUE - 49 * MIN)
    assert [(f.kind, f.key, f.repaired) for f in findings] == [
        ("missing_notice", lost_key.split("|")[0], True)]
    assert _audit(session_maker, settings, DUE - 48 * MIN) == []  # a double run writes nothing twice
    with session_maker() as s:
        assert s.scalar(select(func.count()).where(Notification.key == lost_key)) == 1
        events = list(s.scalars(select(IncidentEvent).where(IncidentEvent.kind == "audit_finding")))
    assert [(e.incident_id, e.data["key"]) for e in events] == [(incident_id, lost_key.split("|")[0])]
    assert deliver_due(session_maker, settings, now=DUE - 48 * MIN) == 1
    # the receiver sees the same idempotency key again and can drop the repeat
    assert receiver.keys("/press") == [*delivered, lost_key]
    assert "稽核发现此提醒缺失" in receiver.on("/press")[-1]["json"]["body"]


def test_a_stalled_tick_is_caught_up_and_its_reminders_written_once(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    Timeline(session_maker, settings, receiver).run(T0, DUE - 65 * MIN, 5 * MIN)
    # the engine stops ticking; ten minutes after lead-60 and escalation were owed, the auditor runs
    findings = _audit(session_maker, settings, DUE - 50 * MIN)
    assert sorted((f.kind, f.key.rsplit(":", 1)[1]) for f in findings) == [
        ("missed_step", "escalate"), ("missed_step", "lead-60")]
    assert _audit(session_maker, settings, DUE - 50 * MIN) == []
    with session_maker() as s, s.begin():
        tick(s, settings, now=DUE - 49 * MIN)  # the engine comes back: nothing is owed twice
    with session_maker() as s:
        keys = Counter(s.scalars(select(Notification.key).where(Notification.deadline_id.is_not(None))))
        deadline = s.scalar(select(Deadline).where(Deadline.kind == "authoritative_info"))
        assert deadline.state == "due_soon"
    assert sorted(k.split(":", 2)[2] for k in keys) == ["escalate|leaders-hook", "lead-60|press-hook"]
    assert set(keys.values()) == {1}


def test_a_due_notification_never_attempted_is_reported_once_in_the_timeline(
    session_maker, make_settings, receiver
):
    settings = make_settings(receiver)
    incident_id = open_grade_i(session_maker, settings)  # its opening notices are due at T0, never sent
    first = _audit(session_maker, settings, T0 + 10 * MIN)
    assert {f.kind for f in first} == {"undelivered"} and len(first) == 2
    assert {f.incident_id for f in first} == {incident_id}
    again = _audit(session_maker, settings, T0 + 20 * MIN)
    assert [f.key for f in again] == [f.key for f in first]  # still true, still reported...
    with session_maker() as s:
        events = s.scalars(select(IncidentEvent.data).where(IncidentEvent.kind == "audit_finding"))
        assert sorted(e["key"] for e in events) == sorted(f.key for f in first)  # ...but recorded once
    assert deliver_due(session_maker, settings, now=T0 + 21 * MIN) == 2
    assert _audit(session_maker, settings, T0 + 30 * MIN) == []

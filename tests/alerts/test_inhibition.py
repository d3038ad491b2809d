"""Inhibition (抑制): a higher-grade incident on the same release or watch topic holds back the
reminders of lower ones, recorded with the reason, and releases them when it closes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.inhibition import Subject, inhibitor
from yuqing.store.models import IncidentEvent, IncidentMention, Notification, Release

from .conftest import T0, Timeline

MIN = timedelta(minutes=1)


def test_only_a_firing_higher_grade_on_the_same_subject_inhibits():
    low = Subject(3, "III", release_id=7, topics=frozenset({"CPI"}))
    assert inhibitor(low, [Subject(1, "I", release_id=7)]).by == 1
    assert "同一数据发布" in inhibitor(low, [Subject(1, "II", release_id=7)]).reason
    assert "CPI" in inhibitor(low, [Subject(1, "II", topics=frozenset({"CPI", "PPI"}))]).reason
    assert inhibitor(low, [Subject(1, "III", release_id=7)]) is None  # equal grades never mute
    assert inhibitor(low, [Subject(1, "I", release_id=8, topics=frozenset({"GDP"}))]) is None
    assert inhibitor(low, [Subject(1, "I", release_id=7, firing=False)]) is None
    assert inhibitor(Subject(1, "I", release_id=7), [low]) is None  # lower never inhibits higher
    # the highest grade speaks, then the oldest
    both = [Subject(5, "II", release_id=7), Subject(4, "I", release_id=7), Subject(2, "I", release_id=7)]
    assert inhibitor(low, both).by == 2


def _items(timeline: Timeline, path: str, incident_id: int, step: str):
    return [t for t, p, r in timeline.deliveries if p == path for item in r["json"]["items"]
            if item["incident_id"] == incident_id and item["key"].split("|")[0].endswith(step)]


def _open(session_maker, settings, *, grade, release_id=None, category="other", mentions=()):
    with session_maker() as s, s.begin():
        return service.open_incident(s, title=f"{grade} 级事件", grade=grade, category=category,
                                     actor="press-officer", now=T0, release_id=release_id,
                                     mention_ids=list(mentions), settings=settings).id


def test_reminders_of_a_lower_incident_on_the_same_release_wait_for_the_higher_to_close(
    session_maker, make_settings, receiver
):
    settings = make_settings(receiver)
    settings.policy.grade_windows["II"] = ["authoritative_info", "press_conference"]  # both on 5 h clocks
    with session_maker() as s, s.begin():
        release = Release(title="10月份CPI", indicator="CPI")
        s.add(release)
        s.flush()
        release_id = release.id
    high = _open(session_maker, settings, grade="I", release_id=release_id)
    low = _open(session_maker, settings, grade="II", release_id=release_id)
    timeline = Timeline(session_maker, settings, receiver)
    due = T0 + timedelta(hours=5)
    timeline.run(T0, due - 40 * MIN, 5 * MIN)
    assert _items(timeline, "/press", low, ":opened") == [T0]  # new-incident notices are not held
    assert _items(timeline, "/press", high, "lead-60") == [due - 60 * MIN]
    assert _items(timeline, "/leaders", high, "escalate") == [due - 60 * MIN]
    assert _items(timeline, "/press", low, "lead-60") == []
    assert _items(timeline, "/leaders", low, "escalate") == []
    with session_maker() as s:
        held = list(s.scalars(select(Notification).where(Notification.status == "inhibited")))
        assert {(r.incident_id, r.payload["step"]) for r in held} == {(low, "lead-60"), (low, "escalate")}
        assert all(f"#{high}（I 级）" in r.last_error and "同一数据发布" in r.last_error for r in held)
        event = s.scalar(select(IncidentEvent).where(IncidentEvent.incident_id == low,
                                                     IncidentEvent.kind == "notifications_inhibited"))
        assert event is not None and f"#{high}" in event.message

    closed_at = due - 38 * MIN
    with session_maker() as s, s.begin():
        service.change_status(s, incident_id=high, status="closed", actor="press-officer", now=closed_at)
    timeline.run(due - 35 * MIN, due, 5 * MIN)
    # released at the first delivery after the close, each once; later reminders go out normally
    assert _items(timeline, "/press", low, "lead-60") == [due - 35 * MIN]
    assert _items(timeline, "/leaders", low, "escalate") == [due - 35 * MIN]
    assert _items(timeline, "/press", low, "lead-15") == [due - 15 * MIN]
    assert _items(timeline, "/press", low, ":breach") == [due]
    assert _items(timeline, "/press", high, "lead-15") == []  # the closed incident is quiet
    with session_maker() as s:
        assert s.scalar(select(Notification.id).where(Notification.status == "inhibited")) is None
        released = s.scalar(select(IncidentEvent).where(IncidentEvent.incident_id == low,
                                                        IncidentEvent.kind == "notifications_released"))
        assert released is not None


def test_a_shared_watch_topic_inhibits_and_a_met_deadline_is_never_sent_late(
    session, session_maker, make_settings, receiver, add_mentions
):
    settings = make_settings(receiver)
    cpi_high = add_mentions(1, event=None, risk=90)
    cpi_low = add_mentions(1, event=None, risk=40)
    gdp = add_mentions(1, event=None, risk=40)
    cpi_high[0].topics, cpi_low[0].topics, gdp[0].topics = ["CPI专题", "统计"], ["CPI专题"], ["GDP专题"]
    for m in cpi_high + cpi_low + gdp:
        m.alerted = True
    session.commit()
    high = _open(session_maker, settings, grade="I", mentions=[cpi_high[0].id])
    low = _open(session_maker, settings, grade="III", category="vital_interests", mentions=[cpi_low[0].id])
    other = _open(session_maker, settings, grade="III", category="vital_interests", mentions=[gdp[0].id])
    timeline = Timeline(session_maker, settings, receiver)
    due = T0 + timedelta(hours=24)  # timely_response of the grade III key matters
    timeline.step(due - 59 * MIN)
    assert _items(timeline, "/press", other, "lead-60") == [due - 59 * MIN]
    assert _items(timeline, "/press", low, "lead-60") == []
    with session_maker() as s:
        held = s.scalar(select(Notification).where(Notification.incident_id == low,
                                                   Notification.status == "inhibited"))
        assert held is not None and "同一监测专题（CPI专题）" in held.last_error
        assert s.scalar(select(IncidentMention.id).where(IncidentMention.incident_id == low)) is not None
    answered = due - 50 * MIN
    with session_maker() as s, s.begin():
        service.record_action(s, kind="timely_response", at=answered, actor="press-officer", now=answered,
                              incident_id=low)
        service.change_status(s, incident_id=high, status="closed", actor="press-officer", now=answered)
    timeline.run(due - 45 * MIN, due + 5 * MIN, 5 * MIN)
    assert _items(timeline, "/press", low, "lead-60") == []
    assert _items(timeline, "/press", low, "lead-15") == []
    with session_maker() as s:
        assert s.scalar(select(Notification.status).where(Notification.id == held.id)) == "inhibited"

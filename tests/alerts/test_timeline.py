"""Acceptance timelines in Alertmanager's spirit: at t, expect a delivery between t1 and t2.

Fake time moves by passing `now`; a recording webhook on 127.0.0.1 is the receiver.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.outbox import deliver_due
from yuqing.store.models import Deadline, Notification

from .conftest import T0, Timeline

MIN = timedelta(minutes=1)


def between(times, t1, t2) -> bool:
    return len(times) == 1 and t1 <= times[0] <= t2


def open_grade_i(session_maker, settings, at=T0, category="data_credibility"):
    with session_maker() as s, s.begin():
        incident = service.open_incident(s, title="网传CPI数据造假", grade="I", category=category,
                                         actor="press-officer", now=at, settings=settings)
        return incident.id


def test_reminders_breach_repeat_and_escalation(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + timedelta(hours=6, minutes=5), 5 * MIN)

    assert between(timeline.when("/press", ":opened"), T0, T0)
    assert between(timeline.when("/leaders", ":opened:leadership"), T0, T0)
    # authoritative information, due T0 + 5 h
    due = T0 + timedelta(hours=5)
    assert between(timeline.when("/press", "lead-60"), due - 60 * MIN, due - 55 * MIN)
    assert between(timeline.when("/press", "lead-15"), due - 15 * MIN, due - 10 * MIN)
    assert between(timeline.when("/leaders", "escalate"), due - 60 * MIN, due - 55 * MIN)
    assert between(timeline.when("/press", ":breach"), due, due + 5 * MIN)
    assert between(timeline.when("/leaders", "breach-leadership"), due, due + 5 * MIN)
    assert between(timeline.when("/press", "repeat-1"), due + 60 * MIN, due + 65 * MIN)
    # every notification reached its receiver exactly once
    keys = receiver.item_keys("/press") + receiver.item_keys("/leaders")
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    with session_maker() as s:
        states = {d.kind: d.state for d in s.scalars(select(Deadline))}
    assert states == {"authoritative_info": "breached", "press_conference": "pending"}


def test_a_response_stops_the_clock_and_starts_the_update_window(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    incident_id = open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + timedelta(hours=3), 10 * MIN)
    responded = T0 + timedelta(hours=3, minutes=5)
    with session_maker() as s, s.begin():
        service.record_action(s, kind="authoritative_info", at=responded, actor="press-officer",
                              now=responded, incident_id=incident_id, evidence_url="http://stats.example/statement")
    timeline.run(T0 + timedelta(hours=3, minutes=10), T0 + timedelta(hours=6), 10 * MIN)
    assert timeline.when("/press", "lead-60") == [] and timeline.when("/press", ":breach") == []
    with session_maker() as s:
        rows = {d.kind: d for d in s.scalars(select(Deadline).where(Deadline.incident_id == incident_id))}
    assert rows["authoritative_info"].state == "met" and rows["authoritative_info"].met_at == responded
    assert rows["update"].starts_at == responded
    assert rows["update"].due_at == responded + timedelta(hours=24)
    report_start, report_end = T0 - timedelta(days=1), T0 + timedelta(days=2)
    with session_maker() as s:
        report = service.compliance_report(s, start=report_start, end=report_end)
    assert report["by_kind"]["authoritative_info"]["on_time"] == 1
    assert report["by_kind"]["press_conference"]["open"] == 1


def test_policy_edited_during_a_running_clock_changes_nothing(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    edited = make_settings(receiver)
    edited.policy.hour_reminders.lead_minutes = [120]
    edited.policy.hour_reminders.escalate_minutes = 180
    edited.policy.hour_reminders.breach_repeat_minutes = 5
    edited.policy.authoritative_hours = 1
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + timedelta(hours=5, minutes=30), 5 * MIN, settings=edited)
    due = T0 + timedelta(hours=5)
    assert timeline.when("/press", "lead-120") == []
    assert between(timeline.when("/press", "lead-60"), due - 60 * MIN, due - 55 * MIN)
    # escalation is frozen too: 60 minutes before due as at opening, not the 180 of the edited settings
    assert between(timeline.when("/leaders", "escalate"), due - 60 * MIN, due - 55 * MIN)
    assert between(timeline.when("/press", ":breach"), due, due)
    assert timeline.when("/press", "repeat-1") == []  # hourly repeats, as frozen


def test_receiver_down_for_ten_minutes_gets_everything_after(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    due = T0 + timedelta(hours=5)
    timeline.run(T0, due - 65 * MIN, 5 * MIN)
    receiver.down = True
    timeline.run(due - 64 * MIN, due - 55 * MIN, MIN)  # ten minutes down across the 60-min reminder
    receiver.down = False
    back = due - 54 * MIN
    timeline.run(back, due - 30 * MIN, MIN)
    assert between(timeline.when("/press", "lead-60"), back, back + 10 * MIN)
    assert between(timeline.when("/leaders", "escalate"), back, back + 10 * MIN)
    with session_maker() as s:
        statuses = Counter(s.scalars(select(Notification.status)))
    assert statuses == Counter({"sent": len(receiver.item_keys("/press") + receiver.item_keys("/leaders"))})


def test_dead_letter_after_max_attempts_is_still_retried(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    settings.notify.max_attempts = 3
    receiver.down = True
    open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + timedelta(minutes=30), MIN)
    with session_maker() as s:
        rows = list(s.scalars(select(Notification)))
    assert rows and all(r.status == "dead" and r.attempts > 3 for r in rows)  # dead, and still tried
    assert all("503" in (r.last_error or "") for r in rows)
    assert receiver.requests == []
    receiver.down = False
    timeline.run(T0 + timedelta(minutes=31), T0 + timedelta(minutes=45), MIN)  # next try at the cap
    with session_maker() as s:
        assert Counter(s.scalars(select(Notification.status))) == Counter({"sent": len(rows)})
    delivered = receiver.item_keys("/press") + receiver.item_keys("/leaders")
    assert sorted(delivered) == sorted(r.key for r in rows)


def test_silence_mutes_an_incident_then_expires(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    incident_id = open_grade_i(session_maker, settings)
    with session_maker() as s, s.begin():
        service.create_silence(s, matcher={"incident_id": incident_id}, starts_at=T0,
                               ends_at=T0 + timedelta(hours=4, minutes=30), reason="演练期间", actor="admin")
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + timedelta(hours=5), 5 * MIN)
    assert timeline.when("/press", ":opened") == [] and timeline.when("/press", "lead-60") == []
    due = T0 + timedelta(hours=5)
    assert between(timeline.when("/press", "lead-15"), due - 15 * MIN, due - 10 * MIN)
    with session_maker() as s:
        silenced = list(s.scalars(select(Notification).where(Notification.status == "silenced")))
    assert {r.payload["step"] for r in silenced} >= {"opened", "lead-60", "escalate"}


def test_related_alerts_in_one_burst_go_out_as_one_message(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    settings.policy.hour_reminders.escalate_minutes = 0
    settings.policy.authoritative_hours = 1
    settings.policy.press_conference_hours = 1
    with session_maker() as s, s.begin():
        incident_id = service.open_incident(s, title="两个时限同时到期", grade="I", category="other",
                                            actor="press-officer", now=T0, settings=settings).id
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0 + timedelta(minutes=1), T0 + timedelta(minutes=1), MIN)  # first tick after opening
    grouped = [r for _, p, r in timeline.deliveries if p == "/press"]
    assert len(grouped) == 1
    items = grouped[0]["json"]["items"]
    assert {i["step"] for i in items} == {"opened", "lead-60"} and len(items) == 3
    assert all(i["incident_id"] == incident_id for i in items)
    assert grouped[0]["headers"]["x-yuqing-idempotency-key"].startswith("group:")


def test_restart_with_claimed_deliveries_sends_each_once(
    database_url, session_maker, make_settings, receiver
):
    """A worker dies after claiming (and once after sending); a fresh engine on the same DB finishes."""
    from yuqing.alerts import outbox
    from yuqing.store.db import make_engine, session_factory

    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    due = T0 + timedelta(hours=5)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + timedelta(hours=3), 60 * MIN)
    with session_maker() as s, s.begin():  # engine writes lead-60 + escalate, then deliveries...
        from yuqing.alerts.engine import tick
        tick(s, settings, now=due - 59 * MIN)
    with session_maker() as s, s.begin():  # ...are claimed, and the process dies before sending
        claimed = outbox.claim(s, settings, due - 59 * MIN)
    assert claimed
    with session_maker() as s, s.begin():  # another claims breach-time rows, sends, dies before settling
        from yuqing.alerts.engine import tick
        tick(s, settings, now=due - 14 * MIN)
    with session_maker() as s, s.begin():
        second = outbox.claim(s, settings, due - 14 * MIN)
    # the first claim's lease ran out: its batch is claimed again under the same key
    assert {m.key for _, m in claimed} < {m.key for _, m in second}
    from yuqing.alerts.channels import send
    for channel, message in second:
        send(channel, message, settings, due - 14 * MIN)

    fresh_engine = make_engine(database_url)
    try:
        fresh = session_factory(fresh_engine)
        lease_over = due - 14 * MIN + timedelta(seconds=outbox.LEASE_SECONDS)
        assert deliver_due(fresh, settings, now=lease_over) > 0
        assert deliver_due(fresh, settings, now=lease_over + MIN) == 0
        with fresh() as s:
            statuses = Counter(s.scalars(select(Notification.status)))
    finally:
        fresh_engine.dispose()
    assert statuses == Counter({"sent": sum(statuses.values())})
    press = receiver.item_keys("/press")
    # at the receiver, by idempotency key: every reminder once
    delivered = Counter(receiver.keys("/press") + receiver.keys("/leaders"))
    resent = [k for k, n in delivered.items() if n > 1]
    assert all(k in {m.key for _, m in second} for k in resent)  # only the sent-but-unsettled batch repeats
    assert {k.split("|")[0].rsplit(":", 1)[1] for k in press} >= {"opened", "lead-60", "lead-15"}

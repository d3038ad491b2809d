"""Working-day clocks are reminded in working days and office hours; hour clocks keep minute steps.

Fake time: time-machine moves the one clock, and every step reads it (`yuqing.clock.now`).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.audit import audit
from yuqing.alerts.calendar import WorkingDayCalendar
from yuqing.alerts.engine import tick
from yuqing.alerts.escalation import plan, working_day_schedule
from yuqing.alerts.outbox import deliver_due
from yuqing.alerts.policy import ClockPolicy
from yuqing.alerts.windows import working_day_window
from yuqing.clock import SHANGHAI, now
from yuqing.config import PolicyConfig
from yuqing.store.models import Deadline, Notification

CAL = WorkingDayCalendar()


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).astimezone(UTC)


def complaint_clock(**daily: object) -> ClockPolicy:
    policy = PolicyConfig(working_day_reminders={**PolicyConfig().working_day_reminders.model_dump(),
                                                 **daily})
    from yuqing.alerts.policy import WindowSpec
    return ClockPolicy.for_window(WindowSpec("complaint_reply", working_days=15), policy, provisional=False)


def test_a_15_working_day_complaint_is_reminded_on_working_mornings_never_at_night(
    session_maker, make_settings, receiver
):
    settings = make_settings(receiver)
    received = local(2026, 11, 2, 10)  # Monday; 15 working days end Monday 23 Nov at 24:00
    with time_machine.travel(received, tick=False), session_maker() as s, s.begin():
        case_id = service.create_case(s, kind="complaint", title="对CPI口径的投诉", received_at=now(),
                                      actor="clerk", now=now(), settings=settings).id
    deliveries: list[tuple[datetime, str, str]] = []
    t = local(2026, 11, 16)
    with time_machine.travel(t, tick=False) as traveller:
        while t <= local(2026, 11, 30, 12):
            traveller.move_to(t)
            with session_maker() as s, s.begin():
                tick(s, settings, now=now())
            seen = len(receiver.requests)
            deliver_due(session_maker, settings, now=now())
            deliveries += [(t, r["path"], item["key"].split("|")[0].rsplit(":", 1)[1])
                           for r in receiver.requests[seen:] for item in r["json"]["items"]]
            t += timedelta(minutes=30)

    def at(path: str, step: str) -> list[datetime]:
        return [t for t, p, s in deliveries if p == path and s == step]

    assert at("/press", "lead-3d") == [local(2026, 11, 18, 9)]  # Wednesday
    assert at("/press", "lead-1d") == [local(2026, 11, 20, 9)]  # Friday
    assert at("/press", "lead-0d") == [local(2026, 11, 23, 9)]  # the morning of the last day
    assert at("/leaders", "escalate") == [local(2026, 11, 23, 9)]
    assert at("/press", "breach") == [local(2026, 11, 24, 9)]  # due at 00:00, told at the office morning
    assert at("/leaders", "breach-leadership") == [local(2026, 11, 24, 9)]
    # once per working morning while breached, skipping the weekend of 28-29 Nov
    assert [at("/press", f"repeat-{k}") for k in (1, 2, 3, 4)] == [
        [local(2026, 11, 25, 9)], [local(2026, 11, 26, 9)], [local(2026, 11, 27, 9)],
        [local(2026, 11, 30, 9)]]
    assert len(deliveries) == 10
    for t, _, _ in deliveries:  # never at night, never on a rest day
        shanghai = t.astimezone(SHANGHAI)
        assert CAL.is_workday(shanghai.date()) and (8, 30) <= (shanghai.hour, shanghai.minute) <= (17, 30)
    with session_maker() as s:
        deadline = s.scalar(select(Deadline).where(Deadline.case_id == case_id))
        assert deadline.state == "breached" and deadline.due_at == local(2026, 11, 24)
        bodies = [n.body for n in s.scalars(
            select(Notification).where(Notification.deadline_id == deadline.id))]
    assert any("最后一个工作日为 2026-11-23" in b for b in bodies)
    assert not any("小时" in b for b in bodies)  # working days, not "135 hours left"


def test_step_times_of_random_working_day_clocks_fall_in_office_hours() -> None:
    rng = random.Random(13)
    clock = complaint_clock()
    for _ in range(400):
        received = local(2025, 1, 1) + timedelta(minutes=rng.randrange(60 * 24 * 700))
        due = working_day_window(received, rng.choice([1, 7, 15]), CAL).due_at
        schedule = working_day_schedule(due, clock, CAL)
        times = [*schedule.leads.values(), schedule.breach_at]
        times += [schedule.escalate_at] if schedule.escalate_at else []
        for when in times:
            shanghai = when.astimezone(SHANGHAI)
            assert CAL.is_workday(shanghai.date()), (received, when)
            assert (8, 30) <= (shanghai.hour, shanghai.minute) <= (17, 30), (received, when)
        assert all(at < due for at in schedule.leads.values())


def test_nothing_is_sent_outside_office_hours_even_when_a_step_is_overdue() -> None:
    clock = complaint_clock()
    due = local(2026, 11, 24)
    night = plan(state="pending", due_at=due, clock=clock, sent=[], now=local(2026, 11, 20, 22), calendar=CAL)
    assert night.send == [] and night.mark == [] and night.state == "due_soon"
    saturday = plan(state="due_soon", due_at=due, clock=clock, sent=[], now=local(2026, 11, 21, 10),
                    calendar=CAL)
    assert saturday.send == []
    # the next office morning the nearest reminder speaks for all those missed
    monday = plan(state="due_soon", due_at=due, clock=clock, sent=[], now=local(2026, 11, 23, 8, 45),
                  calendar=CAL)
    assert [s.name for s in monday.send] == ["lead-1d"]
    assert set(monday.mark) == {"lead-1d", "skipped:lead-3d"}


def test_office_close_breach_is_told_at_the_close_and_the_auditor_keeps_office_hours(
    session_maker, make_settings, receiver
):
    clock = complaint_clock()
    closing = ClockPolicy.model_validate({**clock.dump(), "office_close": "17:30"})
    due = local(2026, 11, 23, 17, 30)
    schedule = working_day_schedule(due, closing, CAL)
    assert schedule.breach_at == due and schedule.last_day == date(2026, 11, 23)
    settings = make_settings(receiver)
    with time_machine.travel(local(2026, 11, 2, 10), tick=False), session_maker() as s, s.begin():
        service.create_case(s, kind="complaint", title="夜间稽核", received_at=now(), actor="clerk",
                            now=now(), settings=settings)
    with time_machine.travel(local(2026, 11, 18, 23), tick=False), session_maker() as s, s.begin():
        assert audit(s, settings, now=now()) == []  # lead-3d was due at 09:00, but it waits for the morning
        assert s.scalars(select(Notification)).all() == []
    with time_machine.travel(local(2026, 11, 19, 9), tick=False), session_maker() as s, s.begin():
        findings = audit(s, settings, now=now())
        assert [f.kind for f in findings] == ["missed_step"] and "lead-3d" in findings[0].key


def test_hour_clocks_keep_minute_reminders_day_and_night(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    opened = local(2026, 11, 21, 1)  # Saturday, 01:00: an emergency does not wait for Monday
    with session_maker() as s, s.begin():
        service.open_incident(s, title="凌晨爆发的数据造假传言", grade="I", category="data_credibility",
                              actor="duty", now=opened, settings=settings)
    steps = []
    t = opened
    with time_machine.travel(t, tick=False) as traveller:
        while t <= opened + timedelta(hours=5, minutes=5):
            traveller.move_to(t)
            with session_maker() as s, s.begin():
                tick(s, settings, now=now())
                steps += [(t, n.payload["step"]) for n in s.scalars(select(Notification).where(
                    Notification.created_at == now(), Notification.audience == "press"))]
            t += timedelta(minutes=5)
    due = opened + timedelta(hours=5)
    assert (due - timedelta(minutes=60), "lead-60") in steps
    assert (due - timedelta(minutes=15), "lead-15") in steps
    assert (due, "breach") in steps


def test_a_reply_recorded_before_the_last_morning_stops_reminders_and_escalation(
    session_maker, make_settings, receiver
):
    """Leadership is told on the last morning only if nothing was recorded; a reply ends the schedule."""
    settings = make_settings(receiver)
    received = local(2026, 11, 2, 10)  # 15 working days: the last day is Monday 23 Nov
    with time_machine.travel(received, tick=False), session_maker() as s, s.begin():
        case_id = service.create_case(s, kind="complaint", title="对CPI口径的投诉", received_at=now(),
                                      actor="clerk", now=now(), settings=settings).id

    def steps_at(t: datetime) -> list[str]:
        with time_machine.travel(t, tick=False), session_maker() as s, s.begin():
            tick(s, settings, now=now())
            deadline = s.scalar(select(Deadline).where(Deadline.case_id == case_id))
            return [n.payload["step"] for n in s.scalars(select(Notification).where(
                Notification.deadline_id == deadline.id, Notification.created_at == now()))]

    assert steps_at(local(2026, 11, 18, 9)) == ["lead-3d"]  # the schedule runs…
    reply_at = local(2026, 11, 20, 8, 40)
    with time_machine.travel(reply_at, tick=False), session_maker() as s, s.begin():
        service.record_action(s, kind="complaint_reply", at=now(), actor="clerk", now=now(), case_id=case_id)
    for t in (local(2026, 11, 20, 9), local(2026, 11, 23, 9), local(2026, 11, 24, 9), local(2026, 11, 25, 9)):
        assert steps_at(t) == [], t  # …until a reply is recorded: no lead, no escalation, no breach
    with session_maker() as s:
        assert s.scalar(select(Deadline).where(Deadline.case_id == case_id)).state == "met"

"""The frozen response policy is typed and validated; rows frozen by older versions still load and run."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from pydantic import ValidationError
from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.engine import tick
from yuqing.alerts.policy import ClockPolicy, IncidentPolicy, WindowSpec, incident_windows
from yuqing.clock import now
from yuqing.config import PolicyConfig, Settings
from yuqing.store.models import Case, Deadline, Incident, Notification

from .conftest import T0

# What the versions before the typed snapshot stored (alerts/policy.freeze and alerts/deadlines.open_window).
OLD_INCIDENT = {"authoritative_hours": 5.0, "press_conference_hours": 24.0, "update_every_hours": 24.0,
                "key_matter_hours": 24.0, "suggestion_working_days": 7, "suggestion_complex_working_days": 15,
                "complaint_working_days": 15, "repost_working_days": 1, "office_close": None,
                "clock_starts": "opened", "reminder_lead_minutes": [90, 15], "breach_repeat_minutes": 30,
                "due_soon_minutes": 60}
OLD_HOUR_CLOCK = {"kind": "authoritative_info", "hours": 5.0, "working_days": None, "office_close": None,
                  "reminder_lead_minutes": [90, 15], "breach_repeat_minutes": 30, "due_soon_minutes": 60}
OLD_DAY_CLOCK = {"kind": "complaint_reply", "hours": None, "working_days": 15, "office_close": None,
                 "reminder_lead_minutes": [60, 15], "breach_repeat_minutes": 60, "due_soon_minutes": 60}


def test_old_snapshots_load_with_what_they_froze() -> None:
    incident = IncidentPolicy.load(OLD_INCIDENT)
    assert incident.hour_reminders.lead_minutes == [90, 15]
    assert incident.hour_reminders.breach_repeat_minutes == 30
    assert incident.hour_reminders.escalate_minutes == PolicyConfig().hour_reminders.escalate_minutes
    # the old code gave grade II the 5 h / 24 h clocks: an incident opened then keeps them
    assert [w.kind for w in incident_windows(incident, "II", "other")] == ["authoritative_info",
                                                                           "press_conference"]
    hour = ClockPolicy.load(OLD_HOUR_CLOCK)
    assert (hour.unit, hour.hours, hour.hourly.lead_minutes) == ("hours", 5.0, [90, 15])
    day = ClockPolicy.load(OLD_DAY_CLOCK, provisional=True)
    assert (day.unit, day.working_days, day.calendar_basis, day.provisional) == (
        "working_days", 15, "provisional", True)
    assert day.daily.lead_working_days == [3, 1, 0]  # not the minute scale it froze (issue 13)
    assert ClockPolicy.load(day.dump()) == day  # a new snapshot round-trips


def test_bad_snapshots_and_bad_settings_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="length"):
        ClockPolicy.load({"version": 2, "kind": "complaint_reply", "unit": "working_days", "length": 0})
    with pytest.raises(ValidationError, match="kind"):
        ClockPolicy.load({"version": 2, "kind": "rumour", "unit": "hours", "length": 5})
    with pytest.raises(ValidationError, match="notify_at"):
        PolicyConfig(working_day_reminders={"notify_at": "20:00"})
    with pytest.raises(ValidationError, match="grade_windows"):
        PolicyConfig(grade_windows={"I": ["complaint_reply"]})
    with pytest.raises(ValidationError, match="lead_minutes"):
        PolicyConfig(hour_reminders={"lead_minutes": [-5]})


def test_grade_windows_are_policy_and_frozen_per_incident(session, make_settings) -> None:
    settings = make_settings()
    default = IncidentPolicy.freeze(settings.policy)
    assert [w.kind for w in incident_windows(default, "I", "other")] == ["authoritative_info",
                                                                         "press_conference"]
    assert incident_windows(default, "II", "other") == [WindowSpec("timely_response", hours=24.0)]
    assert incident_windows(default, "III", "other") == []
    assert [w.kind for w in incident_windows(default, "III", "vital_interests")] == ["timely_response"]
    strict = make_settings()
    strict.policy.grade_windows["II"] = ["authoritative_info", "press_conference", "update"]
    incident = service.open_incident(session, title="省级媒体转载", grade="III", category="other",
                                     actor="duty", now=T0, settings=strict)
    settings_after = Settings(_env_file=None)  # the configuration goes back to the default
    service.change_grade(session, incident_id=incident.id, grade="II", actor="duty",
                         now=T0 + timedelta(hours=1), reason="扩散", settings=settings_after)
    kinds = set(session.scalars(select(Deadline.kind).where(Deadline.incident_id == incident.id)))
    assert kinds == {"authoritative_info", "press_conference"}  # what it was opened under


def test_an_old_row_runs_on_its_frozen_schedule_not_live_settings(session, make_settings, receiver) -> None:
    settings = make_settings(receiver)
    settings.policy.hour_reminders.lead_minutes = [240]
    incident = Incident(title="旧版本开立的事件", grade="I", category="other", opened_by="duty", opened_at=T0,
                        policy=OLD_INCIDENT)
    session.add(incident)
    session.flush()
    deadline = Deadline(incident_id=incident.id, kind="authoritative_info", starts_at=T0,
                        due_at=T0 + timedelta(hours=5), state="pending", policy=OLD_HOUR_CLOCK,
                        reminders_sent=[], created_at=T0)
    session.add(deadline)
    session.flush()
    with time_machine.travel(T0 + timedelta(hours=3, minutes=31), tick=False):
        tick(session, settings, now=now())
    assert deadline.reminders_sent == ["lead-90"]
    with time_machine.travel(T0 + timedelta(hours=4, minutes=1), tick=False):
        tick(session, settings, now=now())  # escalation: the default 60 min, never frozen before
    assert deadline.reminders_sent == ["lead-90", "escalate"]
    keys = set(session.scalars(select(Notification.key).where(Notification.deadline_id == deadline.id)))
    assert {k.split("|")[0] for k in keys} == {f"deadline:{deadline.id}:lead-90",
                                               f"deadline:{deadline.id}:escalate"}


def test_a_case_deadline_freezes_its_whole_clock(session, make_settings) -> None:
    settings = make_settings()
    case = service.create_case(session, kind="suggestion", title="建议公开口径", received_at=T0, actor="c",
                               now=T0, complex=True, settings=settings)
    deadline = session.scalar(select(Deadline).where(Deadline.case_id == case.id))
    clock = ClockPolicy.load(deadline.policy)
    assert (clock.kind, clock.unit, clock.working_days) == ("suggestion_reply", "working_days", 15)
    assert clock.calendar_basis == "published" and not clock.provisional
    assert clock.daily == settings.policy.working_day_reminders and clock.hour_reminders is None
    assert session.get(Case, case.id) is case


def test_escalation_stays_frozen_when_settings_change_after_opening(session, make_settings, receiver) -> None:
    settings = make_settings(receiver)
    with time_machine.travel(T0, tick=False):
        incident = service.open_incident(session, title="造假质疑", grade="I", category="other", actor="duty",
                                         now=now(), settings=settings)
    edited = make_settings(receiver)
    edited.policy.hour_reminders.escalate_minutes = 180  # leadership 3 h before, from now on
    edited.policy.hour_reminders.lead_minutes = [200]
    due = T0 + timedelta(hours=5)
    rows = {d.kind: d for d in session.scalars(select(Deadline).where(Deadline.incident_id == incident.id))}
    with time_machine.travel(due - timedelta(minutes=170), tick=False):
        tick(session, edited, now=now())
    assert rows["authoritative_info"].reminders_sent == []
    with time_machine.travel(due - timedelta(minutes=59), tick=False):
        tick(session, edited, now=now())
    assert rows["authoritative_info"].reminders_sent == ["lead-60", "escalate"]
    assert ClockPolicy.load(rows["authoritative_info"].policy).hourly.escalate_minutes == 60

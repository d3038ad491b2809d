"""alerts.service: lifecycle, refusals with Chinese messages, cases on working days, evidence, effect."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.engine import tick
from yuqing.alerts.errors import InvalidTransition, NotFound
from yuqing.alerts.holiday_import import HolidayEntry, import_year
from yuqing.alerts.holidays import set_override
from yuqing.clock import SHANGHAI
from yuqing.store.models import Deadline, IncidentEvent

from .conftest import T0


def make_incident(session, settings, grade="II", category="vital_interests", **kw):
    return service.open_incident(session, title="菜价上涨与CPI不符", grade=grade, category=category,
                                 actor="analyst", now=T0, settings=settings, **kw)


def test_lifecycle_is_recorded_in_the_timeline(session, make_settings):
    settings = make_settings()
    incident = make_incident(session, settings)
    t = T0
    service.acknowledge(session, incident_id=incident.id, actor="zhang", now=(t := t + timedelta(minutes=3)))
    service.assign(session, incident_id=incident.id, owner="li", actor="zhang", now=t)
    service.change_status(session, incident_id=incident.id, status="assessing", actor="zhang", now=t)
    service.change_status(session, incident_id=incident.id, status="responding", actor="li", now=t)
    service.change_status(session, incident_id=incident.id, status="monitoring", actor="li", now=t)
    service.change_status(session, incident_id=incident.id, status="responding", actor="li", now=t,
                          note="再次发酵")
    service.add_note(session, incident_id=incident.id, message="已联系网信办", actor="li", now=t)
    service.change_status(session, incident_id=incident.id, status="closed", actor="li", now=t)
    assert incident.status == "closed" and incident.closed_at == t
    assert incident.acknowledged_at == T0 + timedelta(minutes=3)
    events = list(session.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
                                  .order_by(IncidentEvent.id)))
    assert [e.kind for e in events] == ["opened", "status_changed", "assigned", "status_changed",
                                        "status_changed", "status_changed", "status_changed", "note",
                                        "status_changed", "evaluated"]  # a serious incident closes evaluated
    assert events[1].actor == "zhang" and "已确认" in events[1].message


def test_refusals_are_value_errors_with_chinese_messages(session, make_settings):
    settings = make_settings()
    incident = make_incident(session, settings)
    with pytest.raises(NotFound, match="不存在"):
        service.acknowledge(session, incident_id=999999, actor="a", now=T0)
    with pytest.raises(InvalidTransition, match="级别"):
        make_incident(session, settings, grade="V")
    with pytest.raises(InvalidTransition, match="类别"):
        make_incident(session, settings, category="gossip")
    with pytest.raises(NotFound):
        make_incident(session, settings, mention_ids=[424242])
    service.change_status(session, incident_id=incident.id, status="responding", actor="a", now=T0)
    with pytest.raises(InvalidTransition, match="不能从"):
        service.change_status(session, incident_id=incident.id, status="assessing", actor="a", now=T0)
    with pytest.raises(InvalidTransition, match="无法确认"):
        service.acknowledge(session, incident_id=incident.id, actor="a", now=T0)
    with pytest.raises(InvalidTransition, match="理由"):
        service.change_grade(session, incident_id=incident.id, grade="I", actor="a", now=T0, reason=" ")
    with pytest.raises(InvalidTransition, match=r"证据|链接"):
        service.record_action(session, kind="authoritative_info", at=T0, actor="a", now=T0,
                              incident_id=incident.id)
    with pytest.raises(InvalidTransition, match="地点"):
        service.record_action(session, kind="press_conference", at=T0, actor="a", now=T0,
                              incident_id=incident.id)
    with pytest.raises(InvalidTransition, match="时区"):
        service.add_note(session, incident_id=incident.id, message="x", actor="a", now=datetime(2026, 1, 1))
    assert issubclass(NotFound, ValueError) and issubclass(InvalidTransition, ValueError)


def test_press_conference_meets_windows_late_ones_count_late(session, make_settings):
    settings = make_settings()
    incident = make_incident(session, settings, grade="I")
    tick(session, settings, now=T0 + timedelta(hours=6))  # authoritative info breached
    late = T0 + timedelta(hours=7)
    action = service.record_action(session, kind="press_conference", at=late, actor="spokes", now=late,
                                   incident_id=incident.id, place="国家统计局新闻发布厅",
                                   evidence_url="http://stats.example/pc")
    rows = {d.kind: d for d in session.scalars(select(Deadline).where(Deadline.incident_id == incident.id))}
    assert {k: d.state for k, d in rows.items()} == {
        "authoritative_info": "met", "press_conference": "met", "timely_response": "met"}
    assert all(d.met_by_action_id == action.id for d in rows.values())
    assert rows["authoritative_info"].breached_at == T0 + timedelta(hours=5)
    report = service.compliance_report(session, start=T0, end=T0 + timedelta(days=2))
    assert report["by_kind"]["authoritative_info"]["late"] == 1
    assert report["by_kind"]["press_conference"]["on_time"] == 1
    assert report["total"]["on_time_rate"] == round(2 / 3, 4)


def test_waive_needs_a_reason_and_missed_windows_are_reported(session, make_settings):
    settings = make_settings()
    incident = make_incident(session, settings, grade="I")
    rows = {d.kind: d for d in session.scalars(select(Deadline).where(Deadline.incident_id == incident.id))}
    with pytest.raises(InvalidTransition):
        service.waive_deadline(session, deadline_id=rows["press_conference"].id, reason="", actor="a", now=T0)
    service.waive_deadline(session, deadline_id=rows["press_conference"].id, reason="领导决定以书面答复代替",
                           actor="director", now=T0)
    tick(session, settings, now=T0 + timedelta(days=2))
    report = service.compliance_report(session, start=T0, end=T0 + timedelta(days=3))
    assert report["by_kind"]["press_conference"]["waived"] == 1
    assert report["by_kind"]["authoritative_info"]["missed"] == 1
    assert report["by_kind"]["timely_response"]["missed"] == 1
    assert {r["kind"] for r in report["late_or_missed"]} == {"authoritative_info", "timely_response"}


def test_cases_get_working_day_deadlines(session):
    received = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
    now = received + timedelta(hours=1)
    complaint = service.create_case(session, kind="complaint", title="对住户调查的投诉", received_at=received,
                                    actor="clerk", now=now)
    suggestion = service.create_case(session, kind="suggestion", title="建议公布分区县数据",
                                     received_at=received, actor="clerk", now=now, complex=True)
    repost = service.create_case(session, kind="repost", title="转载国务院政策解读", received_at=received,
                                 actor="clerk", now=now)
    due = {d.case_id: d for d in session.scalars(select(Deadline).where(Deadline.case_id.is_not(None)))}
    # 15 working days from Mon 28 Sep 2026 (national-day week and make-up Saturdays per the schedule)
    assert due[complaint.id].due_at.astimezone(SHANGHAI) == datetime(2026, 10, 24, 0, 0, tzinfo=SHANGHAI)
    assert due[suggestion.id].due_at == due[complaint.id].due_at
    assert due[repost.id].due_at.astimezone(SHANGHAI) == datetime(2026, 9, 30, 0, 0, tzinfo=SHANGHAI)
    reply_at = received + timedelta(days=3)
    service.record_action(session, kind="reply", at=reply_at, actor="clerk", now=reply_at,
                          case_id=complaint.id)
    assert due[complaint.id].state == "met" and complaint.status == "answered"
    service.create_case(session, kind="complaint", title="x", received_at=received, actor="c", now=now,
                        external_ref="A1")
    with pytest.raises(InvalidTransition, match="已存在"):
        service.create_case(session, kind="complaint", title="x", received_at=received, actor="c", now=now,
                            external_ref="A1")


def test_case_past_the_packages_years_is_provisional_until_the_notice_is_imported(session, make_settings):
    settings = make_settings()
    received = datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)
    first = service.create_case(session, kind="complaint", title="年末投诉", received_at=received,
                                actor="clerk", now=received, settings=settings)
    d1 = session.scalar(select(Deadline).where(Deadline.case_id == first.id))
    assert d1.provisional
    set_override(session, day=date(2027, 1, 4), is_workday=False, actor="admin", now=received)
    assert d1.provisional  # a date entered by hand does not make the year known
    # the administrator imports the 2027 notice (here: New Year 1-3 Jan, and a make-up Saturday 16 Jan)
    notice = [HolidayEntry(date(2027, 1, d), False, "元旦") for d in (1, 2, 3)]
    notice += [HolidayEntry(date(2027, 1, 4), True, "上班"),
               HolidayEntry(date(2027, 1, 16), True, "调休上班")]
    later = received + timedelta(days=1)
    import_year(session, year=2027, entries=notice, actor="admin", now=later, settings=settings)
    second = service.create_case(session, kind="repost", title="转载", received_at=received, actor="clerk",
                                 now=later, settings=settings)
    d2 = session.scalar(select(Deadline).where(Deadline.case_id == second.id))
    assert not d2.provisional  # 31 Dec 2026 is in the package: one working day, no guessing
    # recomputed on the notice: 31 Dec, 4-8 Jan, 11-16 Jan (Saturday 16 a make-up day), 18-20 Jan
    assert not d1.provisional and d1.due_at == datetime(2027, 1, 21, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    event = session.scalar(select(IncidentEvent).where(IncidentEvent.case_id == first.id,
                                                       IncidentEvent.kind == "deadline_recomputed"))
    assert event is not None and event.actor == "admin" and "2027 年节假日安排" in event.message


def test_incident_effect_before_and_after_each_action(session, make_settings, add_mentions):
    settings = make_settings()
    before = add_mentions(6, event="e", risk=70, at=T0 - timedelta(hours=2))
    after = add_mentions(2, event="e", risk=40, at=T0 + timedelta(hours=3), sentiment="neutral")
    incident = make_incident(session, settings, mention_ids=[m.id for m in before + after])
    service.record_action(session, kind="statement", at=T0, actor="a", now=T0 + timedelta(hours=4),
                          incident_id=incident.id, evidence_url="http://stats.example/s")
    [effect] = service.incident_effect(session, incident_id=incident.id)
    assert effect["before"] == {"mentions": 6, "negative_share": 1.0, "mean_p_negative": 0.9}
    assert effect["after"]["mentions"] == 2 and effect["after"]["negative_share"] == 0.0
    assert effect["change"] == {"mentions": -4, "negative_share": -1.0}
    with pytest.raises(NotFound):
        service.incident_effect(session, incident_id=987654)


def test_effect_reports_how_much_of_the_after_window_has_been_observed(session, make_settings, add_mentions):
    settings = make_settings()
    mentions = add_mentions(3, event="e", risk=70, at=T0 - timedelta(hours=1))
    incident = make_incident(session, settings, mention_ids=[m.id for m in mentions])
    service.record_action(session, kind="statement", at=T0, actor="a", now=T0 + timedelta(hours=6),
                          incident_id=incident.id, evidence_url="http://stats.example/s")
    service.record_action(session, kind="update", at=T0 + timedelta(hours=5), actor="a",
                          now=T0 + timedelta(hours=6), incident_id=incident.id,
                          evidence_url="http://stats.example/u")
    first, second = service.incident_effect(session, incident_id=incident.id, now=T0 + timedelta(hours=6))
    assert first["after_window"] == {"elapsed_hours": 6.0, "elapsed_fraction": 0.25, "observing": True,
                                     "complete_at": "2026-11-11T10:00:00+08:00"}
    assert second["after_window"]["elapsed_hours"] == 1.0 and second["after_window"]["observing"]
    # while observing, the after figures are partial and nothing is compared (no false drop)
    assert first["partial"] and first["change"] == {} and first["before"]["mentions"] == 3
    done, _ = service.incident_effect(session, incident_id=incident.id, now=T0 + timedelta(days=3))
    assert not done["partial"] and done["change"] == {"mentions": -3}
    assert done["after_window"]["elapsed_fraction"] == 1.0 and not done["after_window"]["observing"]
    assert done["after_window"]["elapsed_hours"] == 24.0


def test_expire_silence_ends_it_now_and_refuses_twice(session, make_settings):
    silence = service.create_silence(session, matcher={"incident_id": 1}, starts_at=T0,
                                     ends_at=T0 + timedelta(hours=4), reason="演练", actor="admin")
    later = service.create_silence(session, matcher={"incident_id": 2}, starts_at=T0 + timedelta(hours=2),
                                   ends_at=T0 + timedelta(hours=4), reason="演练", actor="admin")
    now = T0 + timedelta(hours=1)
    assert service.expire_silence(session, silence_id=silence.id, actor="admin", now=now).ends_at == now
    # not started yet: ends where it starts, so it never mutes anything
    assert service.expire_silence(session, silence_id=later.id, actor="admin", now=now).ends_at == \
        T0 + timedelta(hours=2)
    with pytest.raises(InvalidTransition, match="已结束"):
        service.expire_silence(session, silence_id=silence.id, actor="admin", now=now + timedelta(minutes=1))
    with pytest.raises(NotFound):
        service.expire_silence(session, silence_id=987654, actor="admin", now=now)
    with pytest.raises(InvalidTransition):
        service.expire_silence(session, silence_id=later.id, actor=" ", now=now)

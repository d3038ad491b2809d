"""Importing a year's State Council notice: the year becomes known, open provisional deadlines are
recomputed, their timelines say so and their owners are told; from November a missing notice is asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from yuqing.alerts import service
from yuqing.alerts.engine import tick
from yuqing.alerts.holiday_import import (
    HolidayFileError,
    import_year,
    missing_schedule_notice,
    parse_holiday_file,
)
from yuqing.alerts.holidays import load_calendar
from yuqing.alerts.policy import ClockPolicy
from yuqing.clock import SHANGHAI, now
from yuqing.store.models import Deadline, HolidaySchedule, IncidentEvent, Notification

# A notice in the State Council's usual shape (dates as a test fixture: 2027's is not published yet).
NOTICE_2027 = """日期,结束日期,类型,名称
2027-01-01,2027-01-03,休,元旦
2027-02-05,2027-02-13,休,春节
2027-02-20,,班,春节调休上班
2027-04-03,2027-04-05,休,清明节
2027-05-01,2027-05-05,休,劳动节
2027-04-25,,班,劳动节调休上班
2027-06-09,,休,端午节
2027-09-15,,休,中秋节
2027-10-01,2027-10-07,休,国庆节
2027-09-26,,班,国庆节调休上班
2027-10-09,,班,国庆节调休上班
"""

NOTICE_ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//holidays//CN
BEGIN:VEVENT
UID:1
SUMMARY:\xe5\x85\x83\xe6\x97\xa6 \xe6\x94\xbe\xe5\x81\x87
DTSTART;VALUE=DATE:20270101
DTEND;VALUE=DATE:20270104
END:VEVENT
BEGIN:VEVENT
UID:2
SUMMARY:\xe6\x98\xa5\xe8\x8a\x82 \xe8\xa1\xa5\xe7\x8f\xad
DTSTART;VALUE=DATE:20270220
DTEND;VALUE=DATE:20270221
END:VEVENT
END:VCALENDAR
"""


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).astimezone(UTC)


def test_notice_files_parse_and_bad_ones_are_refused_whole() -> None:
    entries = parse_holiday_file(NOTICE_2027.encode(), "2027.csv")
    by_day = {e.day: e for e in entries}
    assert not by_day[date(2027, 2, 13)].is_workday and by_day[date(2027, 2, 20)].is_workday
    assert len([e for e in entries if e.name == "国庆节"]) == 7
    ics = parse_holiday_file(NOTICE_ICS, "2027.ics")
    assert [(e.day.isoformat(), e.is_workday) for e in ics] == [
        ("2027-01-01", False), ("2027-01-02", False), ("2027-01-03", False), ("2027-02-20", True)]
    with pytest.raises(HolidayFileError, match="第 2 行类型"):
        parse_holiday_file("日期,类型\n2027-01-01,maybe\n".encode(), "x.csv")
    with pytest.raises(HolidayFileError, match="date"):
        parse_holiday_file(b"when,what\n", "x.csv")
    with pytest.raises(HolidayFileError, match="同时"):
        parse_holiday_file("日期,类型\n2027-01-01,休\n2027-01-01,班\n".encode(), "x.csv")


def test_import_recomputes_open_provisional_deadlines_records_and_notifies(
    session_maker, make_settings, receiver
):
    settings = make_settings(receiver)
    with time_machine.travel(local(2026, 12, 11, 10), tick=False), session_maker() as s, s.begin():
        december = service.create_case(s, kind="complaint", title="年末投诉", received_at=now(),
                                       actor="clerk", now=now(), settings=settings).id
        incident = service.open_incident(s, title="时限按小时计", grade="I", category="other", actor="duty",
                                         now=now(), settings=settings)
        service.assign(s, incident_id=incident.id, owner="王科长", actor="duty", now=now())
    with time_machine.travel(local(2027, 2, 1, 9), tick=False), session_maker() as s, s.begin():
        february = service.create_case(s, kind="complaint", title="春节前投诉", received_at=now(),
                                       actor="clerk", now=now(), settings=settings).id
        tick(s, settings, now=now())  # the December complaint is overdue by now
    with session_maker() as s:
        rows = {d.case_id: d for d in s.scalars(select(Deadline).where(Deadline.case_id.is_not(None)))}
    # provisional: statutory holidays known (1 Jan, 春节 5-12 Feb); the weekend next to the Spring
    # Festival (13-14 Feb) may be worked (调休 unknown), so it is counted: the guess errs early
    assert rows[december].provisional and rows[december].due_at == local(2027, 1, 5)
    assert rows[february].provisional and rows[february].due_at == local(2027, 2, 27)

    imported_at = local(2027, 2, 2, 10)
    with time_machine.travel(imported_at, tick=False), session_maker() as s, s.begin():
        result = import_year(s, year=2027, entries=parse_holiday_file(NOTICE_2027.encode(), "2027.csv"),
                             actor="admin", now=now(), settings=settings, source="2027.csv")
    assert result.warnings == [] and len(result.recomputed) == 2
    with session_maker() as s:
        assert load_calendar(s).year_known(2027) and s.get(HolidaySchedule, 2027).imported_by == "admin"
        rows = {d.case_id: d for d in s.scalars(select(Deadline).where(Deadline.case_id.is_not(None)))}
        # the notice rests on 13 Feb and works on Saturday 20 Feb: the February complaint is due later
        moved = rows[february]
        assert moved.due_at == local(2027, 3, 2) and not moved.provisional and moved.state == "pending"
        clock = ClockPolicy.load(moved.policy)
        assert (clock.revision, clock.calendar_basis, clock.provisional) == (1, "published", False)
        confirmed = rows[december]  # breached already, due time confirmed by the notice
        assert confirmed.due_at == local(2027, 1, 5) and not confirmed.provisional
        assert confirmed.state == "breached" and ClockPolicy.load(confirmed.policy).revision == 0
        events = {e.case_id: e for e in s.scalars(select(IncidentEvent).where(
            IncidentEvent.kind == "deadline_recomputed"))}
        assert "2027-02-27 00:00 改为 2027-03-02 00:00" in events[february].message
        assert "不变，已确认" in events[december].message
        assert events[february].data["from"] != events[february].data["to"]
        notices = list(s.scalars(select(Notification).where(Notification.payload["kind"].as_string()
                                                            == "deadline_recomputed")))
        assert {n.deadline_id for n in notices} == {moved.id, confirmed.id}
        assert all("重新计算" in n.subject for n in notices)
        hour_clock = s.scalar(select(Deadline).where(Deadline.kind == "authoritative_info"))
        assert not hour_clock.provisional and ClockPolicy.load(hour_clock.policy).revision == 0
    # the moved clock's reminders start afresh, under keys of its new revision
    with time_machine.travel(local(2027, 2, 24, 9), tick=False), session_maker() as s, s.begin():
        tick(s, settings, now=now())
        keys = set(s.scalars(select(Notification.key).where(Notification.deadline_id == moved.id)))
    assert f"deadline:{moved.id}:r1:lead-3d|press-hook" in keys
    # importing again finds nothing provisional left
    with time_machine.travel(imported_at + timedelta(hours=1), tick=False), session_maker() as s, s.begin():
        again = import_year(s, year=2027, entries=parse_holiday_file(NOTICE_2027.encode(), "2027.csv"),
                            actor="admin", now=now(), settings=settings)
    assert again.recomputed == []


def test_a_file_of_another_year_is_refused_and_changes_nothing(session, make_settings) -> None:
    settings = make_settings()
    entries = parse_holiday_file(NOTICE_2027.encode(), "2027.csv")
    with pytest.raises(HolidayFileError, match="不属于 2028"):
        import_year(session, year=2028, entries=entries, actor="admin", now=local(2027, 11, 5),
                    settings=settings)
    assert session.get(HolidaySchedule, 2028) is None
    partial = [e for e in entries if e.name != "元旦"]
    result = import_year(session, year=2027, entries=partial, actor="admin", now=local(2026, 11, 5),
                         settings=settings)
    assert any("元旦" in w for w in result.warnings)


def test_november_asks_for_next_years_notice_weekly_until_imported(session, make_settings, receiver) -> None:
    settings = make_settings(receiver)
    with time_machine.travel(local(2026, 10, 30, 9, 5), tick=False):
        assert missing_schedule_notice(session, settings=settings, now=now()) == []
    with time_machine.travel(local(2026, 11, 2, 9, 5), tick=False):
        rows = missing_schedule_notice(session, settings=settings, now=now())
    assert len(rows) == 1 and "2027" in rows[0].body and rows[0].audience == "press"
    with time_machine.travel(local(2026, 11, 3, 9, 5), tick=False):
        assert missing_schedule_notice(session, settings=settings, now=now()) == []  # once a week
    with time_machine.travel(local(2026, 11, 9, 9, 5), tick=False):
        assert len(missing_schedule_notice(session, settings=settings, now=now())) == 1
    import_year(session, year=2027, entries=parse_holiday_file(NOTICE_2027.encode(), "2027.csv"),
                actor="admin", now=local(2026, 11, 10), settings=settings)
    with time_machine.travel(local(2026, 11, 16, 9, 5), tick=False):
        assert missing_schedule_notice(session, settings=settings, now=now()) == []


def test_the_scheduler_job_writes_the_notice_once(engine, session_maker, make_settings, receiver) -> None:
    from yuqing.app.scheduler import Scheduler

    sched = Scheduler(make_settings(receiver), engine, crawl=False)
    try:
        with time_machine.travel(local(2026, 11, 2, 9, 5), tick=False):
            sched.calendar_check()
            sched.calendar_check()  # a rerun writes nothing twice
    finally:
        sched.lock.release(final=True)  # on PostgreSQL the job took the leader lock
    with session_maker() as s:
        rows = list(s.scalars(select(Notification).where(
            Notification.payload["kind"].as_string() == "calendar")))
    assert len(rows) == 1 and rows[0].key.startswith("calendar:missing:2027:")

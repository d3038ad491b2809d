"""Working-day calendar and windows against chinese-calendar itself, on thousands of seeded dates."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from yuqing.alerts.calendar import LAST_YEAR, WorkingDayCalendar
from yuqing.alerts.windows import hour_window, working_day_window
from yuqing.clock import SHANGHAI

CAL = WorkingDayCalendar()


def reference_nth_workday(start: date, n: int) -> date:
    """Independent reference: walk days asking chinese-calendar directly."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            counted += 1
    return day


def test_every_day_matches_the_package_on_random_dates() -> None:
    rng = random.Random(20261123)
    first, last = date(2004, 1, 1), date(LAST_YEAR, 12, 31)
    for _ in range(5000):
        day = first + timedelta(days=rng.randrange((last - first).days + 1))
        info = CAL.info(day)
        assert info.is_workday == chinese_calendar.is_workday(day), day
        assert not info.provisional


def test_random_spans_match_the_reference() -> None:
    rng = random.Random(7)
    first, last = date(2010, 1, 1), date(LAST_YEAR, 10, 1)
    for _ in range(3000):
        start = first + timedelta(days=rng.randrange((last - first).days))
        n = rng.choice([1, 1, 7, 15, rng.randint(1, 20)])
        got, provisional = CAL.nth_workday_after(start, n)
        if got.year > LAST_YEAR:
            continue
        assert got == reference_nth_workday(start, n), (start, n)
        assert not provisional
        assert CAL.workdays_between(start, got) == n


def test_make_up_saturday_counts_and_national_day_week_does_not() -> None:
    # 2026: 1–7 Oct holiday (plus 8 Oct); Saturday 10 Oct 2026 is a make-up working day (调休).
    assert chinese_calendar.is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert CAL.is_workday(date(2026, 10, 10))
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))
    # Received Wed 30 Sep 2026: day 1 is the first working day after the holiday.
    first, _ = CAL.nth_workday_after(date(2026, 9, 30), 1)
    assert first == reference_nth_workday(date(2026, 9, 30), 1)
    assert first > date(2026, 10, 7)


def test_dates_past_the_package_count_weekdays_less_statutory_holidays_and_are_provisional() -> None:
    day, provisional = CAL.nth_workday_after(date(2026, 12, 31), 5)  # Friday 1 Jan 2027 is 元旦
    assert day == date(2027, 1, 8) and provisional
    assert CAL.info(date(2027, 1, 2)).provisional and not CAL.is_workday(date(2027, 1, 2))
    assert CAL.info(date(2027, 1, 1)).source == "statutory-rule" and not CAL.is_workday(date(2027, 1, 1))
    # A span that starts inside the package's years and ends past them is provisional too.
    _, provisional = CAL.nth_workday_after(date(2026, 12, 28), 10)
    assert provisional


def test_overrides_win_and_remove_provisional() -> None:
    spring = {date(2027, 2, d): False for d in range(8, 13)} | {date(2027, 2, 6): True}
    cal = WorkingDayCalendar(overrides=spring)
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday made a working day
    assert not cal.is_workday(date(2027, 2, 8))  # a Monday made a holiday
    day, provisional = cal.nth_workday_after(date(2027, 2, 5), 2)
    # Saturday 13 Feb, next to the Spring Festival, may be a make-up working day: counted, provisionally
    assert day == date(2027, 2, 13)
    assert provisional  # 7 and 13 Feb were not entered, so the provisional rule still guessed
    assert not cal.year_known(2027)  # a few dates entered by hand do not make the year's schedule known
    known = WorkingDayCalendar(overrides=spring, known_years=frozenset({2027}))
    assert known.nth_workday_after(date(2027, 2, 5), 2) == (date(2027, 2, 15), False)


def test_november_warning_about_next_year() -> None:
    assert CAL.schedule_warning(date(2026, 10, 31)) is None
    warning = CAL.schedule_warning(date(2026, 11, 1))
    assert warning is not None and "2027" in warning
    assert WorkingDayCalendar(known_years=frozenset({2027})).schedule_warning(date(2026, 11, 1)) is None
    assert WorkingDayCalendar(overrides={date(2027, 1, 1): False}).schedule_warning(date(2026, 11, 1))
    assert "2028" in (CAL.schedule_warning(date(2028, 3, 1)) or "")


def test_civil_code_window_ends_at_midnight_shanghai() -> None:
    # Received Monday 28 Sep 2026 10:00 Shanghai; 15 working days skip the national-day week.
    received = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
    due = working_day_window(received, 15, CAL)
    last = reference_nth_workday(date(2026, 9, 28), 15)
    expected = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
    assert due.due_at == expected.astimezone(UTC) and not due.provisional
    assert due.due_at.tzinfo == UTC
    closing = working_day_window(received, 15, CAL, office_close="17:30")
    assert closing.due_at == datetime.combine(last, datetime.min.time(), tzinfo=SHANGHAI).replace(
        hour=17, minute=30).astimezone(UTC)


def test_receipt_late_at_night_utc_counts_the_shanghai_date() -> None:
    # 2026-11-22 17:00 UTC is already Monday 23 Nov 01:00 in Shanghai: receipt day is the 23rd.
    due = working_day_window(datetime(2026, 11, 22, 17, 0, tzinfo=UTC), 1, CAL)
    assert due.due_at == datetime(2026, 11, 25, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)


def test_windows_on_random_receipts_match_the_reference() -> None:
    rng = random.Random(99)
    base = datetime(2015, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        received = base + timedelta(minutes=rng.randrange(60 * 24 * 365 * 11))
        n = rng.choice([1, 7, 15])
        due = working_day_window(received, n, CAL)
        local_day = received.astimezone(SHANGHAI).date()
        last = reference_nth_workday(local_day, n)
        if last.year > LAST_YEAR:
            assert due.provisional
            continue
        assert due.due_at.astimezone(SHANGHAI) == datetime.combine(
            last + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)


def test_hour_windows_are_calendar_hours_and_bad_input_is_refused() -> None:
    start = datetime(2026, 10, 1, 22, 0, tzinfo=UTC)  # national day: an emergency does not wait
    assert hour_window(start, 5).due_at == datetime(2026, 10, 2, 3, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        hour_window(start, 0)
    with pytest.raises(ValueError):
        working_day_window(start, 0, CAL)
    with pytest.raises(ValueError, match="HH:MM"):
        working_day_window(start, 1, CAL, office_close="half past five")

"""The provisional calendar knows the statutory holidays that follow from the law (2024 amendment)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from yuqing.alerts.calendar import WorkingDayCalendar
from yuqing.alerts.statutory import festivals, statutory_rest_days

CAL = WorkingDayCalendar()


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_rule_never_invents_a_holiday_in_published_years(year: int) -> None:
    """Every rest day the law's rule gives is a holiday in the published schedule (years under the
    2024 amendment), so a provisional deadline is never counted later than the true one by them."""
    rest = statutory_rest_days(year)
    assert [d for d in rest if chinese_calendar.is_workday(d)] == []
    # and it finds nearly every weekday holiday: only 调休 days are unknown (2026-01-02)
    missed = [d for d in _days(year)
              if d.weekday() < 5 and not chinese_calendar.is_workday(d) and d not in rest]
    assert len(missed) <= 1, missed


def test_2027_statutory_holidays_are_not_working_days_and_stay_provisional() -> None:
    assert CAL.info(date(2027, 1, 1)).name == "元旦" and not CAL.is_workday(date(2027, 1, 1))
    spring = [date(2027, 2, 5) + timedelta(days=i) for i in range(8)]  # 除夕 Fri 5 Feb, 8 days
    assert not any(CAL.is_workday(d) for d in spring)
    assert not CAL.is_workday(date(2027, 4, 5))  # 清明 (the solar term) on a Monday
    assert not any(CAL.is_workday(date(2027, 5, d)) for d in range(1, 6))
    assert not CAL.is_workday(date(2027, 6, 9)) and not CAL.is_workday(date(2027, 9, 15))  # 端午, 中秋
    assert not any(CAL.is_workday(date(2027, 10, d)) for d in range(1, 8))
    assert CAL.is_workday(date(2027, 10, 8)) and CAL.is_workday(date(2027, 2, 15))
    assert all(CAL.info(d).provisional for d in spring)


def test_lunar_festivals_follow_the_lunar_calendar() -> None:
    by_name = {f.name: f.days for f in festivals(2027)}
    assert by_name["春节"] == (date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8))
    assert by_name["清明节"] == (date(2027, 4, 5),)
    assert by_name["端午节"] == (date(2027, 6, 9),) and by_name["中秋节"] == (date(2027, 9, 15),)
    # 2025 as published: 除夕 28 Jan, 端午 31 May, 中秋 6 Oct
    by_name = {f.name: f.days for f in festivals(2025)}
    assert by_name["春节"][0] == date(2025, 1, 28) and by_name["端午节"] == (date(2025, 5, 31),)


def test_a_weekend_holiday_is_made_up_on_the_next_weekday() -> None:
    rest = statutory_rest_days(2028)  # 1 Jan 2028 is a Saturday: 补假 Monday 3 Jan (art. 6)
    assert date(2028, 1, 1) in rest and rest[date(2028, 1, 3)] == "元旦（补假）"
    assert date(2028, 1, 2) not in rest


def test_a_15_working_day_complaint_across_new_year_counts_the_holiday() -> None:
    # Received Fri 11 Dec 2026: the weekday rule counted Fri 1 Jan 2027 as the 15th working day.
    weekdays = [d for d in (date(2026, 12, 11) + timedelta(days=i) for i in range(1, 30)) if d.weekday() < 5]
    assert weekdays[14] == date(2027, 1, 1)
    day, provisional = CAL.nth_workday_after(date(2026, 12, 11), 15)
    assert day == date(2027, 1, 4) and provisional
    assert WorkingDayCalendar(customary_blocks=False).nth_workday_after(date(2026, 12, 11), 15)[0] == day


def test_a_provisional_deadline_is_rarely_late_and_never_by_much() -> None:
    """Pretend the package stops at 2024 and compare with the published 2025-2026 schedules: unknown
    make-up weekends near the long holidays are counted as working days, so the deadline errs early."""
    provisional = WorkingDayCalendar(last_year=2024)
    rest_only = WorkingDayCalendar(last_year=2024, makeup_window=0)
    receipts = [date(2025, 1, 1) + timedelta(days=i) for i in range(0, 700, 3)]
    late = {"default": [], "rest_only": []}
    for received in receipts:
        truth = CAL.nth_workday_after(received, 15)[0]
        late["default"].append((provisional.nth_workday_after(received, 15)[0] - truth).days)
        late["rest_only"].append((rest_only.nth_workday_after(received, 15)[0] - truth).days)
    assert max(late["default"]) <= 2 and sum(e > 0 for e in late["default"]) / len(receipts) < 0.03
    assert max(late["rest_only"]) > 2  # what counting the unknown weekends as rest days would risk
    assert not provisional.is_workday(date(2027, 10, 7)) and provisional.is_workday(date(2027, 10, 9))
    assert provisional.info(date(2027, 10, 9)).source == "makeup-rule"

"""工作日历: which dates are working days, per the State Council schedule plus administrator overrides.

Pure: no database. The caller loads `HolidayOverride` rows into a dict {date: is_workday}.
Never raises for a date: outside `chinese-calendar`'s years and without an override, Monday–Friday
counts and the answer is marked provisional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


def _package_years() -> tuple[int, int]:
    days = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return min(days).year, max(days).year


FIRST_YEAR, LAST_YEAR = _package_years()


@lru_cache(maxsize=16384)
def _package_is_workday(day: date) -> bool:
    """chinese-calendar's answer, cached: the schedule of a published year never changes."""
    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class DayInfo:
    """One date's verdict. `provisional` means neither the package nor an override knew the date."""

    day: date
    is_workday: bool
    provisional: bool
    source: str  # "override" | "package" | "weekday-rule"


@dataclass
class WorkingDayCalendar:
    """Working days from chinese-calendar, corrected by `overrides` ({date: is_workday})."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR

    def info(self, day: date) -> DayInfo:
        if day in self.overrides:
            return DayInfo(day, bool(self.overrides[day]), False, "override")
        if self.first_year <= day.year <= self.last_year:
            return DayInfo(day, _package_is_workday(day), False, "package")
        return DayInfo(day, day.weekday() < 5, True, "weekday-rule")

    def is_workday(self, day: date) -> bool:
        return self.info(day).is_workday

    def year_known(self, year: int) -> bool:
        """A year is known when the package covers it or an administrator entered overrides for it."""
        return self.first_year <= year <= self.last_year or any(d.year == year for d in self.overrides)

    def nth_workday_after(self, day: date, n: int) -> tuple[date, bool]:
        """The nth working day after `day` (day itself not counted), and whether any step was provisional.

        n = 0 returns `day` itself. Civil Code art. 201: counting starts the next day.
        """
        if n < 0:
            raise ValueError("工作日数不能为负数")
        provisional = False
        current = day
        counted = 0
        while counted < n:
            current += timedelta(days=1)
            info = self.info(current)
            provisional = provisional or info.provisional
            if info.is_workday:
                counted += 1
        return current, provisional

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: the same counting rule as `nth_workday_after`."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count

    def schedule_warning(self, today: date) -> str | None:
        """From 1 November, ask for next year's schedule when nobody has entered it yet."""
        if today.month >= 11 and not self.year_known(today.year + 1):
            return (
                f"尚未录入 {today.year + 1} 年节假日安排：请在国务院办公厅发布后录入调休与假日，"
                f"否则 {today.year + 1} 年的工作日期限按周一至周五计算并标记为暂定。"
            )
        if not self.year_known(today.year):
            return f"缺少 {today.year} 年节假日安排：工作日期限按周一至周五计算并标记为暂定。"
        return None

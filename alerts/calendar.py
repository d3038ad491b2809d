"""工作日历: which dates are working days, per the State Council schedule plus administrator overrides.

Pure: no database. The caller loads `HolidayOverride` rows into a dict {date: is_workday} and the
years whose State Council notice an administrator imported (`known_years`).
Never raises for a date. A year the package covers or an imported year is known; in any other year
the statutory holidays that follow from the law (`alerts.statutory`) are rest days, other weekdays
count, and the answer is marked provisional (only the make-up working weekends, 调休, are unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from .statutory import probable_makeup_days, statutory_rest_days


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
    source: str  # override | package | schedule (imported year) | statutory-rule | makeup-rule | weekday-rule
    name: str | None = None  # the festival, for a statutory rest day


@dataclass
class WorkingDayCalendar:
    """Working days from chinese-calendar, corrected by `overrides` ({date: is_workday}); in
    `known_years` (imported notices) the overrides are the whole schedule, weekdays otherwise."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    customary_blocks: bool = True  # see alerts.statutory.statutory_rest_days
    makeup_window: int = 7  # see alerts.statutory.probable_makeup_days (with customary_blocks)
    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR

    def info(self, day: date) -> DayInfo:
        if day in self.overrides:
            return DayInfo(day, bool(self.overrides[day]), False, "override")
        if self.first_year <= day.year <= self.last_year:
            return DayInfo(day, _package_is_workday(day), False, "package")
        if day.year in self.known_years:
            return DayInfo(day, day.weekday() < 5, False, "schedule")
        festival = statutory_rest_days(day.year, self.customary_blocks).get(day)
        if festival is not None:
            return DayInfo(day, False, True, "statutory-rule", festival)
        if self.customary_blocks and day in probable_makeup_days(day.year, self.makeup_window):
            return DayInfo(day, True, True, "makeup-rule")  # may be worked: counted, so never late
        return DayInfo(day, day.weekday() < 5, True, "weekday-rule")

    def is_workday(self, day: date) -> bool:
        return self.info(day).is_workday

    def year_known(self, year: int) -> bool:
        """A year is known when the package covers it or its State Council notice was imported."""
        return self.first_year <= year <= self.last_year or year in self.known_years

    def nth_workday_before(self, day: date, n: int) -> date:
        """The working day n working days before `day` (n = 0: `day` itself)."""
        current, counted = day, 0
        while counted < n:
            current -= timedelta(days=1)
            if self.is_workday(current):
                counted += 1
        return current

    def workday_on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

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

    def schedule_warning(self, today: date, *, from_month: int = 11) -> str | None:
        """From November (`from_month`), ask for next year's schedule when nobody has imported it."""
        if today.month >= from_month and not self.year_known(today.year + 1):
            return (
                f"尚未导入 {today.year + 1} 年节假日安排：请在国务院办公厅发布通知后导入"
                f"（yuqing holidays import），"
                f"在此之前 {today.year + 1} 年的工作日期限按法定节假日和周一至周五暂定计算，调休未计入。"
            )
        if not self.year_known(today.year):
            return f"缺少 {today.year} 年节假日安排：工作日期限按法定节假日和周一至周五暂定计算，调休未计入。"
        return None

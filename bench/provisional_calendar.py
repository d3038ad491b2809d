"""How far a provisional working-day deadline lands from the true one, measured on years whose
schedule is published (2025, 2026) by pretending the holiday package stops at 2024.

Prints, per rule and window length, the share of receipt dates whose deadline is exactly right and
the largest error in days (negative: early). Run: python bench/provisional_calendar.py
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from yuqing.alerts.calendar import DayInfo, WorkingDayCalendar

TRUE = WorkingDayCalendar()


class WeekdayOnly(WorkingDayCalendar):
    """The rule before: Monday–Friday past the package's years."""

    def info(self, day: date) -> DayInfo:
        if day.year > self.last_year and day not in self.overrides:
            return DayInfo(day, day.weekday() < 5, True, "weekday-rule")
        return super().info(day)


RULES = {
    "周一至周五（旧规则）": WeekdayOnly(last_year=2024),
    "法定节假日（不含长假惯例）": WorkingDayCalendar(last_year=2024, customary_blocks=False),
    "法定节假日 + 长假（调休周末视为休息）": WorkingDayCalendar(last_year=2024, makeup_window=0),
    "法定节假日 + 长假 + 邻近周末可能调休（默认）": WorkingDayCalendar(last_year=2024),
}


def main(days: int = 700) -> None:
    receipts = [date(2025, 1, 1) + timedelta(days=i) for i in range(days)]
    for n in (1, 7, 15):
        truth = [TRUE.nth_workday_after(d, n)[0] for d in receipts]
        for name, cal in RULES.items():
            got = [cal.nth_workday_after(d, n)[0] for d in receipts]
            errors = [(g - t).days for g, t in zip(got, truth, strict=True)]
            exact = sum(e == 0 for e in errors) / len(errors)
            early = sum(e < 0 for e in errors) / len(errors)
            late = sum(e > 0 for e in errors) / len(errors)
            print(f"{n:>2} 个工作日  {name:<26} 准确 {exact:6.1%}  偏早 {early:6.1%}  偏晚 {late:6.1%}  "
                  f"最大偏差 {min(errors):+d}/{max(errors):+d} 天")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=700, help="receipt dates from 2025-01-01")
    main(parser.parse_args().days)

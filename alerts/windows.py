"""Response windows (回应时限): when a deadline falls due. Pure arithmetic on plain values.

Hour windows are calendar hours (an emergency does not wait for Monday). Working-day windows follow the
Civil Code (arts. 201, 203): the day of receipt is not counted, counting starts with the next working day,
and the period ends at 24:00 Asia/Shanghai of the Nth working day, or at the office-closing time if set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from yuqing.clock import SHANGHAI, as_utc

from .calendar import WorkingDayCalendar


@dataclass(frozen=True)
class Due:
    """A computed due time (aware UTC) and whether the calendar was guessing (provisional)."""

    due_at: datetime
    provisional: bool = False


def parse_office_close(value: str | None) -> time | None:
    """"17:30" -> time(17, 30); None or "" -> None (24:00). Refuses anything else clearly."""
    if not value:
        return None
    try:
        hour, minute = (int(part) for part in value.split(":"))
        return time(hour, minute)
    except ValueError as exc:
        raise ValueError(f"下班时间格式应为 HH:MM，收到 {value!r}") from exc


def hour_window(start: datetime, hours: float) -> Due:
    """`hours` calendar hours after `start`."""
    if hours <= 0:
        raise ValueError("时限小时数必须为正数")
    return Due(as_utc(start) + timedelta(hours=hours), False)


def working_day_window(
    start: datetime, working_days: int, calendar: WorkingDayCalendar, office_close: str | None = None
) -> Due:
    """End of the `working_days`-th working day after the (Shanghai) date of `start`."""
    if working_days <= 0:
        raise ValueError("工作日数必须为正数")
    received = as_utc(start).astimezone(SHANGHAI).date()
    last_day, provisional = calendar.nth_workday_after(received, working_days)
    close = parse_office_close(office_close)
    if close is None:
        local_end = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)
    else:
        local_end = datetime.combine(last_day, close, tzinfo=SHANGHAI)
    return Due(local_end.astimezone(UTC), provisional)

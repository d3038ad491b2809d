"""Report periods and how times are shown (stored UTC, shown in Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from yuqing.clock import SHANGHAI, to_local

BRIEFING_HOUR = 8  # the leadership reads the briefing at 08:00 Beijing time


def briefing_window(day: date) -> tuple[datetime, datetime]:
    """The 24 hours before 08:00 Asia/Shanghai of `day`, as aware UTC (start inclusive, end exclusive)."""
    end = datetime.combine(day, time(BRIEFING_HOUR), tzinfo=SHANGHAI).astimezone(UTC)
    return end - timedelta(hours=24), end


def on_demand_window(now: datetime) -> tuple[datetime, datetime]:
    """An on-demand briefing covers the 24 hours up to the moment it is asked for (end exclusive)."""
    end = now.replace(microsecond=0)
    return end - timedelta(hours=24), end


def briefing_day(now: datetime) -> date:
    """The briefing a reader wants at `now`: today's once 08:00 has passed, else yesterday's."""
    local = to_local(now)
    return local.date() if local.hour >= BRIEFING_HOUR else local.date() - timedelta(days=1)


def fmt_dt(dt: datetime | None) -> str:
    """`2026-11-10 09:30` in Beijing time; a dash for unknown."""
    return "—" if dt is None else to_local(dt).strftime("%Y-%m-%d %H:%M")


def fmt_short(dt: datetime | None) -> str:
    """`11月10日 09:30` in Beijing time."""
    if dt is None:
        return "—"
    local = to_local(dt)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def fmt_hours(hours: float) -> str:
    """A duration in hours as people say it: `45分钟`, `3.5小时`, `2天3小时`."""
    minutes = round(abs(hours) * 60)
    if minutes < 60:
        return f"{minutes}分钟"
    if minutes < 48 * 60:
        h = minutes / 60
        return f"{h:.0f}小时" if minutes % 60 == 0 else f"{h:.1f}小时"
    days, rest = divmod(minutes // 60, 24)
    return f"{days}天{rest}小时" if rest else f"{days}天"


def fmt_share(part: int, whole: int) -> str:
    """`25.0%`, or a dash when there is nothing to divide."""
    return "—" if whole == 0 else f"{100 * part / whole:.1f}%"

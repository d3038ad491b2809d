"""Formatting shared by the renderers: Beijing-time strings the sources print."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from yuqing.clock import to_local

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def weibo_time(dt: datetime) -> str:
    """"Sun Nov 20 10:00:00 +0800 2022", independent of the process locale."""
    t = to_local(dt)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t:%d %H:%M:%S} +0800 {t.year}"


def rfc822(dt: datetime) -> str:
    return format_datetime(to_local(dt))


def minute(dt: datetime) -> str:
    return f"{to_local(dt):%Y-%m-%d %H:%M}"


def day(dt: datetime) -> str:
    return f"{to_local(dt):%Y-%m-%d}"


def iso(dt: datetime) -> str:
    return to_local(dt).isoformat()


def chinese_minute(dt: datetime) -> str:
    t = to_local(dt)
    return f"{t.year}年{t.month:02d}月{t.day:02d}日{t:%H:%M}"

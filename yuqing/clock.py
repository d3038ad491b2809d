"""The one clock. Everything that asks "what time is it" calls `now()`.

Times are stored in UTC and shown in Asia/Shanghai. Tests move time with
time-machine, which patches `datetime.now`, so no function here caches a value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """Aware UTC for any datetime; a naive value is taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def to_local(dt: datetime) -> datetime:
    """The same instant in Asia/Shanghai, for display."""
    return as_utc(dt).astimezone(SHANGHAI)


def local_iso(dt: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, as the API shows times."""
    return None if dt is None else to_local(dt).isoformat()

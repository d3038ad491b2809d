"""Administrator holiday overrides (调休录入) in the database, and the calendar built from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import HolidayOverride

from .calendar import WorkingDayCalendar


def load_calendar(session: Session) -> WorkingDayCalendar:
    """The working-day calendar with every stored override applied."""
    rows = session.execute(select(HolidayOverride.day, HolidayOverride.is_workday)).all()
    return WorkingDayCalendar(overrides={day: bool(is_workday) for day, is_workday in rows})


def set_override(
    session: Session, *, day: date, is_workday: bool, actor: str, now: datetime, note: str | None = None
) -> HolidayOverride:
    """Record (or correct) one date. Existing deadlines keep their due times: they were frozen."""
    row = session.get(HolidayOverride, day)
    if row is None:
        row = HolidayOverride(day=day, is_workday=is_workday, note=note, created_by=actor, created_at=now)
        session.add(row)
    else:
        row.is_workday, row.note, row.created_by, row.created_at = is_workday, note, actor, now
    session.flush()
    return row


def remove_override(session: Session, *, day: date) -> bool:
    row = session.get(HolidayOverride, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True

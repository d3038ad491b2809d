"""Administrator holiday overrides (调休录入) and imported years in the database, and the calendar built
from them. Importing a year's notice and recomputing the deadlines it affects: `alerts.holiday_import`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.config import CalendarConfig, Settings
from yuqing.store.models import HolidayOverride, HolidaySchedule

from .calendar import WorkingDayCalendar


def load_calendar(session: Session, settings: Settings | None = None) -> WorkingDayCalendar:
    """The working-day calendar with every stored override applied and the imported years known."""
    rows = session.execute(select(HolidayOverride.day, HolidayOverride.is_workday)).all()
    years = frozenset(session.scalars(select(HolidaySchedule.year)))
    rule = settings.calendar if settings is not None else CalendarConfig()
    return WorkingDayCalendar(overrides={day: bool(is_workday) for day, is_workday in rows},
                              known_years=years, customary_blocks=rule.customary_blocks,
                              makeup_window=rule.makeup_window_days)


def set_override(
    session: Session, *, day: date, is_workday: bool, actor: str, now: datetime, note: str | None = None
) -> HolidayOverride:
    """Record (or correct) one date. Deadlines already open keep their due times until a year's notice
    is imported (`alerts.holiday_import.import_year`), which recomputes the provisional ones."""
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

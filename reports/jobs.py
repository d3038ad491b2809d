"""Scheduled report jobs. The lead runs `generate_daily` at 08:00 Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.db import session_scope
from store.models import Briefing
from yuqing.clock import now as clock_now
from yuqing.config import Settings

from .briefing import build_daily
from .render_html import daily_html
from .timefmt import briefing_day


def store_daily(session: Session, settings: Settings, *, day: date, now: datetime) -> Briefing:
    """Build the briefing of `day` and keep its HTML; a rerun for the same day replaces it. Flushes."""
    html = daily_html(build_daily(session, settings, day=day, now=now))
    row = session.scalar(select(Briefing).where(Briefing.kind == "daily", Briefing.day == day))
    if row is None:
        row = Briefing(kind="daily", day=day, html=html, generated_at=now)
        session.add(row)
    else:
        row.html, row.generated_at = html, now
    session.flush()
    return row


def generate_daily(
    session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> Briefing:
    """The scheduler's job: store today's briefing (yesterday's before 08:00) and return its row."""
    now = now or clock_now()
    with session_scope(session_factory) as session:
        return store_daily(session, settings, day=briefing_day(now), now=now)

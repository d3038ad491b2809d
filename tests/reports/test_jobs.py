"""The 08:00 job stores the briefing's HTML; a rerun for the same day replaces it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from reports.jobs import generate_daily
from store.models import Briefing


def test_generate_daily_stores_and_replaces(session_maker, world, settings):
    first = generate_daily(session_maker, settings, now=world.now)
    assert first.day == date(2026, 11, 10) and "舆情日报" in first.html
    assert "&lt;script&gt;" in first.html and "<script>" not in first.html
    later = world.now + timedelta(hours=1)
    second = generate_daily(session_maker, settings, now=later)
    with session_maker() as s:
        rows = s.scalars(select(Briefing)).all()
    assert [(r.id, r.kind, r.day, r.generated_at) for r in rows] == [(first.id, "daily", first.day, later)]
    assert second.id == first.id


def test_before_0800_it_is_yesterdays_briefing(session_maker, world, settings):
    row = generate_daily(session_maker, settings, now=world.now - timedelta(hours=1))  # 07:30 Beijing
    assert row.day == date(2026, 11, 9)

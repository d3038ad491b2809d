"""Release calendar import (CSV and iCalendar) into scheduled release rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from yuqing.crawler.calendar_import import CalendarError, import_entries, parse_calendar
from yuqing.store.models import Release

from .conftest import SITES


def test_csv_and_ics_entries_become_scheduled_releases_once(session) -> None:
    csv_entries = parse_calendar((SITES / "calendar/calendar.csv").read_bytes(), "calendar.csv")
    assert csv_entries[0].published_at == datetime(2026, 12, 9, 1, 30, tzinfo=UTC)
    # the October CPI release was already crawled: its calendar line adds nothing
    session.add(
        Release(
            url="https://www.stats.gov.cn/sj/zxfb/202611/t20261115_1957001.html",
            title="2026年10月份居民消费价格同比上涨0.2%",
            indicator="CPI",
            period_label="2026年10月",
        )
    )
    session.flush()
    assert import_entries(session, csv_entries) == 2
    ics_entries = parse_calendar((SITES / "calendar/calendar.ics").read_bytes(), "calendar.ics")
    assert [e.published_at for e in ics_entries] == [
        datetime(2026, 12, 9, 1, 30, tzinfo=UTC),
        datetime(2026, 12, 15, 2, 0, tzinfo=UTC),
    ]
    assert import_entries(session, ics_entries) == 1  # November CPI is already scheduled from the CSV
    scheduled = session.scalars(select(Release).where(Release.scheduled.is_(True)).order_by(Release.id)).all()
    assert [(r.indicator, r.period_label) for r in scheduled] == [
        ("CPI", "2026年11月"),
        ("OTHER", "2026年11月"),
        ("INDUSTRY", "2026年1—11月"),
    ]
    assert import_entries(session, csv_entries + ics_entries) == 0


def test_bad_calendar_files_are_refused_with_the_line() -> None:
    with pytest.raises(CalendarError, match="第 2 行"):
        parse_calendar("date,title\n2026-13-45,某发布\n".encode(), "c.csv")
    with pytest.raises(CalendarError, match="date"):
        parse_calendar(b"when,what\n", "c.csv")

"""Release calendars (发布日程) from CSV or iCalendar -> scheduled `releases` rows.

CSV: a header row with `date`, `time` (optional, default 09:30) and `title` (aliases 日期, 时间, 名称/标题);
times are Beijing time. iCalendar: each VEVENT's SUMMARY and DTSTART (floating times are Beijing time).
A crawled release later fills in the scheduled row of the same indicator and period.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.analysis.release_title import parse_release_title
from yuqing.clock import SHANGHAI
from yuqing.store.models import Release


class CalendarError(ValueError):
    """The file is not a calendar we can read; nothing was imported."""


@dataclass(frozen=True)
class CalendarEntry:
    title: str
    published_at: datetime  # UTC


_COLUMNS = {
    "date": ("date", "日期", "发布日期"),
    "time": ("time", "时间", "发布时间"),
    "title": ("title", "名称", "标题", "发布内容", "summary"),
}


def parse_csv(text: str) -> list[CalendarEntry]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    cols = {k: next((header[a] for a in aliases if a in header), None) for k, aliases in _COLUMNS.items()}
    if cols["date"] is None or cols["title"] is None:
        raise CalendarError("CSV 需要 date（日期）和 title（名称）两列")
    entries = []
    for line, row in enumerate(reader, start=2):
        raw_date = (row.get(cols["date"]) or "").strip()
        raw_time = (row.get(cols["time"]) or "").strip() if cols["time"] else ""
        title = (row.get(cols["title"]) or "").strip()
        try:
            day = date.fromisoformat(raw_date.replace("/", "-"))
            at = time.fromisoformat(raw_time) if raw_time else time(9, 30)
        except ValueError as exc:
            raise CalendarError(f"第 {line} 行日期或时间无法识别：{raw_date} {raw_time}") from exc
        if not title:
            raise CalendarError(f"第 {line} 行缺少名称")
        entries.append(CalendarEntry(title, datetime.combine(day, at, SHANGHAI).astimezone(UTC)))
    return entries


def parse_ics(data: bytes) -> list[CalendarEntry]:
    from icalendar import Calendar

    try:
        cal = Calendar.from_ical(data)
    except ValueError as exc:
        raise CalendarError(f"iCalendar 文件无法解析：{exc}") from exc
    entries = []
    for event in cal.walk("VEVENT"):
        summary = str(event.get("SUMMARY") or "").strip()
        start = event.decoded("DTSTART") if event.get("DTSTART") else None
        if not summary or start is None:
            raise CalendarError(f"日程事件缺少 SUMMARY 或 DTSTART：{summary or '（无名称）'}")
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(9, 30))
        if start.tzinfo is None:
            start = start.replace(tzinfo=SHANGHAI)
        entries.append(CalendarEntry(summary, start.astimezone(UTC)))
    return entries


def parse_calendar(data: bytes, filename: str) -> list[CalendarEntry]:
    if filename.lower().endswith((".ics", ".ical", ".ifb")):
        return parse_ics(data)
    try:
        return parse_csv(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return parse_csv(data.decode("gb18030"))


def import_entries(session: Session, entries: list[CalendarEntry], *, source_id: int | None = None) -> int:
    """Scheduled release rows for entries not yet known (by indicator + period, else title + time)."""
    created = 0
    for entry in entries:
        parsed = parse_release_title(entry.title)
        query = select(Release.id).where(Release.indicator == parsed.indicator)
        if parsed.period_label:
            query = query.where(Release.period_label == parsed.period_label)
        else:
            query = query.where(Release.title == entry.title, Release.published_at == entry.published_at)
        if session.scalar(query.limit(1)) is not None:
            continue
        session.add(
            Release(
                source_id=source_id,
                url=None,
                title=entry.title,
                indicator=parsed.indicator,
                indicator_name=parsed.indicator_name,
                period_label=parsed.period_label,
                period_start=parsed.period_start,
                period_end=parsed.period_end,
                published_at=entry.published_at,
                scheduled=True,
            )
        )
        session.flush()
        created += 1
    return created

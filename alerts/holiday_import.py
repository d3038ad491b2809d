"""A year's State Council holiday notice (国务院办公厅关于 N 年部分节假日安排的通知), imported by an
administrator from CSV or iCalendar: its dates become overrides, the year becomes known, and every open
deadline computed on the provisional rule is recomputed, recorded in its timeline and announced to its
owner through the outbox. Also the November reminder that next year's notice is missing.

CSV: a header with `date` (日期; or `start`/`end`, 开始日期/结束日期, both inclusive), `type` (类型:
休/放假/假/holiday = rest day, 班/上班/补班/workday = make-up working day) and optionally `name`
(名称/节日/备注). iCalendar: each VEVENT is an all-day range DTSTART..DTEND (DTEND exclusive, RFC 5545);
a SUMMARY containing 班 (上班, 补班) marks working days, anything else rest days.
Flushes; the caller commits, so the overrides, the recomputed deadlines, their timeline entries and
their notices land together or not at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import as_utc, to_local
from yuqing.config import Settings
from yuqing.store.models import Case, Deadline, HolidaySchedule, Incident, Notification
from yuqing.vocab import (
    OPEN_DEADLINE_STATES,
    Audience,
    DeadlineKind,
    DeadlineState,
    NoticeKind,
    RuleActor,
    TimelineKind,
)

from . import outbox
from .deadlines import clock_of, recompute_due
from .holidays import load_calendar, set_override
from .statutory import festivals
from .templates import Text, incident_link, local_time, safe_text
from .timeline import record_event

ACTOR_RULE = RuleActor.CALENDAR


class HolidayFileError(ValueError):
    """The file is not a holiday notice we can read; nothing was imported."""


@dataclass(frozen=True)
class HolidayEntry:
    day: date
    is_workday: bool
    name: str | None = None


@dataclass
class ImportResult:
    year: int
    days: int
    warnings: list[str] = field(default_factory=list)
    recomputed: list[Deadline] = field(default_factory=list)


_WORK = ("班", "上班", "补班", "workday", "work", "w")
_REST = ("休", "放假", "假", "休息", "holiday", "rest", "h")
_COLUMNS = {
    "start": ("date", "start", "日期", "开始日期", "开始"),
    "end": ("end", "结束日期", "结束"),
    "type": ("type", "kind", "类型"),
    "name": ("name", "note", "名称", "节日", "备注"),
}


def _kind(value: str, line: int) -> bool:
    text = value.strip().lower()
    if text in _WORK:
        return True
    if text in _REST:
        return False
    raise HolidayFileError(f"第 {line} 行类型无法识别：{value!r}（应为 休/放假 或 班/上班）")


def _day(value: str, line: int) -> date:
    try:
        return date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError as exc:
        raise HolidayFileError(f"第 {line} 行日期无法识别：{value!r}（应为 YYYY-MM-DD）") from exc


def parse_csv(text: str) -> list[HolidayEntry]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    cols = {k: next((header[a] for a in aliases if a in header), None) for k, aliases in _COLUMNS.items()}
    if cols["start"] is None or cols["type"] is None:
        raise HolidayFileError("CSV 需要 date（日期）和 type（类型：休/班）两列")
    entries: list[HolidayEntry] = []
    for line, row in enumerate(reader, start=2):
        start = _day(row.get(cols["start"]) or "", line)
        end_raw = (row.get(cols["end"]) or "").strip() if cols["end"] else ""
        end = _day(end_raw, line) if end_raw else start
        if end < start or (end - start).days > 31:
            raise HolidayFileError(f"第 {line} 行日期范围无效：{start} 至 {end}")
        work = _kind(row.get(cols["type"]) or "", line)
        name = (row.get(cols["name"]) or "").strip() or None if cols["name"] else None
        entries += [HolidayEntry(start + timedelta(days=i), work, name)
                    for i in range((end - start).days + 1)]
    return entries


def parse_ics(data: bytes) -> list[HolidayEntry]:
    from icalendar import Calendar

    try:
        cal = Calendar.from_ical(data)
    except ValueError as exc:
        raise HolidayFileError(f"iCalendar 文件无法解析：{exc}") from exc
    entries: list[HolidayEntry] = []
    for event in cal.walk("VEVENT"):
        summary = str(event.get("SUMMARY") or "").strip()
        if not event.get("DTSTART"):
            raise HolidayFileError(f"日程事件缺少 DTSTART：{summary or '（无名称）'}")
        start = event.decoded("DTSTART")
        start = start.date() if isinstance(start, datetime) else start
        end = event.decoded("DTEND") if event.get("DTEND") else start + timedelta(days=1)
        end = end.date() if isinstance(end, datetime) else end
        if end <= start or (end - start).days > 31:
            raise HolidayFileError(f"日程事件日期范围无效：{summary or '（无名称）'}")
        work = "班" in summary
        entries += [HolidayEntry(start + timedelta(days=i), work, summary or None)
                    for i in range((end - start).days)]
    return entries


def parse_holiday_file(data: bytes, filename: str) -> list[HolidayEntry]:
    if filename.lower().endswith((".ics", ".ical")):
        entries = parse_ics(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        entries = parse_csv(text)
    if not entries:
        raise HolidayFileError("文件中没有任何日期")
    seen: dict[date, bool] = {}
    for e in entries:
        if seen.setdefault(e.day, e.is_workday) != e.is_workday:
            raise HolidayFileError(f"{e.day} 同时被标为放假和上班")
    return entries


def import_year(
    session: Session, *, year: int, entries: list[HolidayEntry], actor: str, now: datetime,
    settings: Settings, source: str | None = None,
) -> ImportResult:
    """Store the notice's dates, mark `year` known, recompute the open provisional deadlines.

    Dates must lie in the year (or the last weeks of the year before, where a New Year block starts).
    Statutory days the file does not list as rest days are reported as warnings, not refused: the
    notice is the State Council's word.
    """
    first, last = date(year - 1, 12, 1), date(year, 12, 31)
    outside = sorted({e.day for e in entries if not first <= e.day <= last})
    if outside:
        raise HolidayFileError(f"日期 {outside[0]} 不属于 {year} 年的节假日安排，未导入任何日期")
    if not any(e.day.year == year and not e.is_workday for e in entries):
        raise HolidayFileError(f"文件中没有 {year} 年的放假日期，未导入任何日期")
    now = as_utc(now)
    for e in entries:
        set_override(session, day=e.day, is_workday=e.is_workday, actor=actor, now=now, note=e.name)
    row = session.get(HolidaySchedule, year)
    if row is None:
        row = HolidaySchedule(year=year, imported_by=actor, imported_at=now)
        session.add(row)
    row.source, row.days, row.imported_by, row.imported_at = source, len(entries), actor, now
    session.flush()
    rest = {e.day for e in entries if not e.is_workday}
    warnings = [f"{fest.name} 的法定假日 {d} 不在导入文件的放假日期中，请核对"
                for fest in festivals(year) for d in fest.days if d not in rest]
    changed = recompute_provisional(session, settings=settings, now=now, actor=actor, year=year)
    return ImportResult(year, len(entries), warnings, changed)


def recompute_provisional(
    session: Session, *, settings: Settings, now: datetime, actor: str, year: int
) -> list[Deadline]:
    """Recompute every open deadline computed provisionally, on the calendar as it now stands.

    A deadline whose due time moves gets a new revision of its clock (its reminders start afresh,
    under new outbox keys) and state; one whose due time stands is only confirmed. Either way the
    timeline says what changed and its owner is told.
    """
    calendar = load_calendar(session, settings)
    rows = list(session.scalars(select(Deadline).where(
        Deadline.state.in_(OPEN_DEADLINE_STATES), Deadline.provisional.is_(True)).order_by(Deadline.id)))
    changed: list[Deadline] = []
    for deadline in rows:
        due = recompute_due(deadline, calendar)
        if due is None:
            continue
        old_due, old_state = as_utc(deadline.due_at), deadline.state
        moved = due.due_at != old_due
        clock = clock_of(deadline)
        deadline.provisional = due.provisional
        deadline.policy = (clock.recomputed(provisional=due.provisional) if moved else clock.model_copy(
            update={"provisional": due.provisional,
                    "calendar_basis": "provisional" if due.provisional else "published"})).dump()
        if moved:
            deadline.due_at = due.due_at
            deadline.reminders_sent = []
            breached = now >= due.due_at
            deadline.state = DeadlineState.BREACHED if breached else DeadlineState.PENDING
            deadline.breached_at = due.due_at if breached else None
        changed.append(deadline)
        _record(session, deadline, old_due=old_due, old_state=old_state, moved=moved, year=year,
                actor=actor, now=now, settings=settings)
    session.flush()
    return changed


def _record(
    session: Session, deadline: Deadline, *, old_due: datetime, old_state: str, moved: bool, year: int,
    actor: str, now: datetime, settings: Settings,
) -> list[Notification]:
    name = DeadlineKind.label_of(deadline.kind)
    still = "（仍为暂定：部分日期的安排仍未知）" if deadline.provisional else ""
    if moved:
        what = f"截止时间由 {local_time(old_due)} 改为 {local_time(deadline.due_at)}（北京时间）"
    else:
        what = f"截止时间 {local_time(deadline.due_at)}（北京时间）不变，已确认"
    message = f"已导入 {year} 年节假日安排，重新计算期限「{name}」：{what}{still}"
    record_event(session, actor=actor, now=now, kind=TimelineKind.DEADLINE_RECOMPUTED,
                 incident_id=deadline.incident_id,
                 case_id=deadline.case_id if deadline.incident_id is None else None, message=message,
                 before=old_due.isoformat(), after=deadline.due_at.isoformat(),
                 details={"deadline_id": deadline.id, "from_state": old_state, "to_state": deadline.state,
                          "provisional": deadline.provisional, "year": year})
    if deadline.incident_id is not None:
        incident = session.get(Incident, deadline.incident_id)
        assert incident is not None
        title, owner, link = incident.title, incident.owner, incident_link(settings.base_url, incident.id)
    else:
        case = session.get(Case, deadline.case_id)
        assert case is not None
        title, owner, link = case.title, None, f"{settings.base_url.rstrip('/')}/cases/{case.id}"
    lines = [f"**【期限已重新计算】** {safe_text(title)}", f"- {safe_text(message, 200)}"]
    if owner:
        lines.append(f"- 负责人：{safe_text(owner, 40)}")
    lines.append(f"- 详情：{link}")
    text = Text(f"【舆情时限】期限已按 {year} 年节假日安排重新计算：{safe_text(title, 40)}", "\n".join(lines))
    revision = clock_of(deadline).revision
    return outbox.enqueue(
        session, key=f"deadline:{deadline.id}:recomputed:{year}:r{revision}", text=text,
        fields={"deadline_id": deadline.id, "deadline_kind": deadline.kind,
                "kind": NoticeKind.DEADLINE_RECOMPUTED, "step": "recomputed",
                "incident_id": deadline.incident_id, "case_id": deadline.case_id},
        audience=Audience.PRESS, settings=settings, now=now, incident_id=deadline.incident_id,
        deadline_id=deadline.id)


def missing_schedule_notice(session: Session, *, settings: Settings, now: datetime) -> list[Notification]:
    """From November, tell the press office (admins read it there) that next year's notice is missing:
    once a week until it is imported (the outbox key carries the ISO week)."""
    local = to_local(as_utc(now)).date()
    calendar = load_calendar(session, settings)
    warning = calendar.schedule_warning(local, from_month=settings.calendar.warn_from_month)
    if warning is None:
        return []
    year = local.year if not calendar.year_known(local.year) else local.year + 1
    week = local.isocalendar()
    text = Text("【舆情系统】请导入节假日安排", f"**【请导入节假日安排】**\n- {warning}\n"
                f"- 命令：yuqing holidays import --year {year} 通知.csv")
    return outbox.enqueue(session, key=f"calendar:missing:{year}:{week.year}-W{week.week:02d}",
                          text=text, fields={"kind": NoticeKind.CALENDAR, "step": "schedule_missing"},
                          audience=Audience.PRESS, settings=settings, now=as_utc(now))

"""节假日安排 (admin): the calendar's state, and importing a year's State Council notice (CSV or iCalendar),
which recomputes the open provisional deadlines (alerts.holiday_import owns the logic)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, HTTPException, Query, UploadFile

from yuqing.alerts.holiday_import import HolidayFileError, import_year, parse_holiday_file
from yuqing.alerts.holidays import load_calendar
from yuqing.clock import local_iso, to_local
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record

from ..deps import Allowed, CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["holidays"])

MAX_NOTICE_BYTES = 512 * 1024  # a year's notice is a few dozen lines


@router.get("/holidays", summary="节假日安排：已导入的年份与缺失提示")
def holiday_status(_: CurrentUser, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    calendar = load_calendar(session, settings)
    today = to_local(clock_now()).date()
    imported = Q.holiday_schedules(session)
    return {
        "package_years": [calendar.first_year, calendar.last_year],
        "imported": [{"year": r.year, "source": r.source, "days": r.days, "imported_by": r.imported_by,
                      "imported_at": local_iso(r.imported_at)} for r in imported],
        "next_year_known": calendar.year_known(today.year + 1),
        "warning": calendar.schedule_warning(today, from_month=settings.calendar.warn_from_month),
    }


@router.post("/holidays/import", status_code=201, summary="导入某年节假日安排（CSV 或 iCalendar）")
def import_holidays(
    who: Allowed("calendar.manage"),
    session: SessionDep,
    settings: SettingsDep,
    year: int = Query(..., ge=2000, le=2100, description="安排所属年份"),
    file: UploadFile = File(..., description="CSV（date,type,name，可有 end 列）或 .ics"),
) -> dict[str, Any]:
    data = file.file.read(MAX_NOTICE_BYTES + 1)
    if len(data) > MAX_NOTICE_BYTES:
        raise HTTPException(status_code=413, detail="文件过大（上限 512 KB）")
    try:
        entries = parse_holiday_file(data, file.filename or "notice.csv")
        result = import_year(session, year=year, entries=entries, actor=who.name, now=clock_now(),
                             settings=settings, source=file.filename)
    except (HolidayFileError, UnicodeDecodeError) as exc:
        session.rollback()
        raise HTTPException(status_code=422, detail=f"未导入：{exc}") from exc
    record(session, actor=who.name, action="holidays.import", target=f"holidays:{year}",
           data={"filename": file.filename, "days": result.days,
                 "recomputed": [d.id for d in result.recomputed]})
    session.commit()
    return {"year": year, "days": result.days, "warnings": result.warnings,
            "recomputed": [{"deadline_id": d.id, "due_at": local_iso(d.due_at), "provisional": d.provisional}
                           for d in result.recomputed]}

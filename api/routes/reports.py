"""Reports API: daily briefings (舆情日报) and release risk assessments (研判) as HTML, DOCX or PDF."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import select

from store.audit import record
from store.models import Briefing
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now

from .. import schemas as S
from ..deps import Allowed, CurrentUser, IdPath, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

# What a report download may be (the format asked for decides).
REPORT_FILES = {200: {"description": "报告文件", "content": {
    "text/html": {}, "application/pdf": {},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}}
FORMAT = Query("html", pattern="^(html|docx|pdf)$", description="html、docx 或 pdf")


def _meta(b: Briefing) -> dict[str, object]:
    return {
        "id": b.id,
        "kind": b.kind,
        "day": b.day.isoformat(),
        "generated_at": local_iso(b.generated_at),
        "links": {f: f"/api/v1/reports/briefings/{b.id}?format={f}" for f in ("html", "docx", "pdf")},
    }


def _file(content: bytes, fmt: str, stem: str) -> Response:
    from reports.render import MEDIA_TYPES, filename

    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    name = quote(filename(stem, fmt))
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{name}"},
    )


@router.get("/briefings", summary="已生成的舆情日报")
def list_briefings(
    _: CurrentUser, session: SessionDep, limit: int = Query(30, ge=1, le=365)
) -> list[dict[str, object]]:
    rows = session.scalars(
        select(Briefing)
        .where(Briefing.kind == "daily")
        .order_by(Briefing.day.desc(), Briefing.id.desc())
        .limit(limit)
    )
    return [_meta(b) for b in rows]


@router.post("/briefings", status_code=201,
             summary="立即生成（或重新生成）某日舆情日报（新闻宣传岗、管理员；留审计）")
def generate_briefing(
    who: Allowed("briefing.generate"),
    session: SessionDep,
    settings: SettingsDep,
    day: S.Day | None = Query(None, description="日报日期（默认：当前应读的日报）"),
) -> dict[str, object]:
    """The archived briefing is what leadership read: only the press office, which issues it, or an
    administrator may (re)generate it, and every generation is audited with what it replaced."""
    from reports.jobs import store_daily
    from reports.timefmt import briefing_day

    now = clock_now()
    target_day = day or briefing_day(now)
    previous = session.scalars(
        select(Briefing).where(Briefing.kind == "daily", Briefing.day == target_day)
        .order_by(Briefing.id.desc()).limit(1)
    ).first()
    before = None if previous is None else {"id": previous.id, "generated_at": previous.generated_at}
    row = store_daily(session, settings, day=target_day, now=now)
    session.flush()
    record(session, actor=who.name, action="briefing.regenerate" if previous else "briefing.generate",
           target=f"briefing:{target_day.isoformat()}", before=before,
           after={"id": row.id, "generated_at": row.generated_at})
    session.commit()
    return _meta(row)


@router.get("/briefings/{briefing_id}", summary="下载舆情日报（HTML 为存档原文，DOCX/PDF 按当日数据生成）",
            response_class=Response, responses=REPORT_FILES)
def get_briefing(
    _: CurrentUser, briefing_id: IdPath, session: SessionDep, settings: SettingsDep, format: str = FORMAT
) -> Response:
    row = session.get(Briefing, briefing_id)
    if row is None:
        raise HTTPException(404, detail=f"日报 {briefing_id} 不存在")
    stem = f"舆情日报-{row.day.isoformat()}"
    if format == "html":
        return _file(row.html.encode("utf-8"), "html", stem)
    from reports.briefing import build_daily
    from reports.render import render_daily

    b = build_daily(session, settings, day=row.day, now=row.generated_at)
    return _file(render_daily(b, format), format, stem)


@router.get("/daily", summary="按需生成舆情日报（不存档）",
            response_class=Response, responses=REPORT_FILES)
def daily_on_demand(
    _: CurrentUser, session: SessionDep, settings: SettingsDep, day: S.Day | None = None, format: str = FORMAT
) -> Response:
    from reports.briefing import build_daily
    from reports.render import render_daily
    from reports.timefmt import briefing_day

    now = clock_now()
    day = day or briefing_day(now)
    b = build_daily(session, settings, day=day, now=now)
    return _file(render_daily(b, format), format, f"舆情日报-{day.isoformat()}")


@router.get("/releases/{release_id}/assessment", summary="数据发布舆情研判（含往期反应与预案建议）",
            response_class=Response, responses=REPORT_FILES)
def release_assessment(
    _: CurrentUser, release_id: IdPath, session: SessionDep, settings: SettingsDep, format: str = FORMAT
) -> Response:
    from reports.assessment import build_assessment
    from reports.render import render_assessment

    try:
        a = build_assessment(session, settings, release_id=release_id, now=clock_now())
    except LookupError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    return _file(render_assessment(a, format), format, f"发布研判-{a.indicator}-{release_id}")

"""Reports API: 舆情日报, 舆情专报 and release 研判 as HTML, DOCX or PDF.

Archived versions are served as the stored bytes. Archiving a new version (press/admin) is audited and
never overwrites an earlier one; on-demand documents (GET) are built as of now and archived nowhere.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Briefing
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.config import Settings

from ..audit import record
from ..deps import Principal, current_principal, get_session, get_settings, require

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

FORMAT = Query("html", pattern="^(html|docx|pdf)$", description="html、docx 或 pdf")
KINDS = "^(daily|special|assessment)$"


def _meta(b: Briefing) -> dict[str, object]:
    from reports.archive import KIND_LABELS, trigger_label

    return {
        "id": b.id,
        "kind": b.kind,
        "kind_label": KIND_LABELS.get(b.kind, b.kind),
        "subject": b.subject,
        "version": b.version,
        "trigger": b.trigger,
        "trigger_label": trigger_label(b.trigger),
        "title": b.title,
        "day": b.day.isoformat(),
        "generated_at": local_iso(b.generated_at),
        "created_by": b.created_by,
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


@router.get("/briefings", summary="已存档的报告（日报、专报、发布研判），新版本在前")
def list_briefings(
    kind: str | None = Query(None, pattern=KINDS, description="daily、special 或 assessment"),
    subject: str | None = Query(None, max_length=100, description="如 2026-11-10、incident:5、release:3"),
    limit: int = Query(30, ge=1, le=365),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[dict[str, object]]:
    stmt = select(Briefing)
    if kind is not None:
        stmt = stmt.where(Briefing.kind == kind)
    if subject is not None:
        stmt = stmt.where(Briefing.subject == subject)
    rows = session.scalars(stmt.order_by(Briefing.generated_at.desc(), Briefing.id.desc()).limit(limit))
    return [_meta(b) for b in rows]


@router.post("/briefings", status_code=201, summary="生成并存档舆情日报（新版本，不覆盖旧版本）")
def generate_briefing(
    day: date | None = Query(None, description="日报日期（默认：按需生成，统计至当前时刻）"),
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require("report.generate")),
) -> dict[str, object]:
    from reports.jobs import store_daily

    now = clock_now()
    row, _ = store_daily(session, settings, day=day, now=now, on_demand=day is None, trigger="manual",
                         created_by=principal.name)
    record(session, actor=principal.name, action="report.generate", target=f"briefing:{row.id}",
           data={"kind": row.kind, "subject": row.subject, "version": row.version})
    session.commit()
    return _meta(row)


@router.get("/briefings/{briefing_id}", summary="下载存档的报告（存档原件，不按当前数据重建）")
def get_briefing(
    briefing_id: int,
    format: str = FORMAT,
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> Response:
    from reports.archive import stored_bytes

    row = session.get(Briefing, briefing_id)
    if row is None:
        raise HTTPException(404, detail=f"报告 {briefing_id} 不存在")
    content = stored_bytes(row, format)
    if content is None:
        raise HTTPException(404, detail=f"报告 {briefing_id} 未存档 {format.upper()} 格式")
    return _file(content, format, f"{row.title or row.kind}-第{row.version}版")


@router.get("/daily", summary="按需生成舆情日报（默认统计至当前时刻；不存档）")
def daily_on_demand(
    day: date | None = Query(None, description="指定日期则为该日 08:00 定时日报的时段"),
    format: str = FORMAT,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(current_principal),
) -> Response:
    from reports.blocks import daily_report
    from reports.briefing import build_daily
    from reports.render import render

    b = build_daily(session, settings, day=day, now=clock_now(), on_demand=day is None)
    report = daily_report(b, classification=settings.reports.classification)
    return _file(render(report, format), format, f"舆情日报-{b.day.isoformat()}")


@router.get("/incidents/{incident_id}/special", summary="按需生成舆情专报（不存档）")
def special_on_demand(
    incident_id: int,
    format: str = FORMAT,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(current_principal),
) -> Response:
    from reports.render import render
    from reports.special import build_special

    try:
        report = build_special(session, settings, incident_id=incident_id, now=clock_now())
    except LookupError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    return _file(render(report, format), format, f"舆情专报-事件{incident_id}")


@router.post("/incidents/{incident_id}/special", status_code=201, summary="生成并存档舆情专报（新版本）")
def special_archive(
    incident_id: int,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require("report.generate")),
) -> dict[str, object]:
    from reports.jobs import store_special

    try:
        row = store_special(session, settings, incident_id=incident_id, now=clock_now(),
                            created_by=principal.name)
    except LookupError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    record(session, actor=principal.name, action="report.generate", target=f"briefing:{row.id}",
           data={"kind": row.kind, "subject": row.subject, "version": row.version})
    session.commit()
    return _meta(row)


@router.get("/releases", summary="数据发布列表（即将发布与已发布，含编号）")
def list_releases(
    upcoming_days: int = Query(30, ge=0, le=366),
    past_days: int = Query(90, ge=0, le=3660),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[dict[str, object]]:
    from reports.releases import release_rows

    return [r.as_json() for r in release_rows(session, now=clock_now(), upcoming_days=upcoming_days,
                                              past_days=past_days)]


@router.get("/releases/{release_id}/assessment", summary="数据发布舆情研判（按需生成，不存档）")
def release_assessment(
    release_id: int,
    format: str = FORMAT,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(current_principal),
) -> Response:
    from reports.assessment import build_assessment
    from reports.blocks import assessment_report
    from reports.render import render

    try:
        a = build_assessment(session, settings, release_id=release_id, now=clock_now())
    except LookupError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    report = assessment_report(a, classification=settings.reports.classification)
    return _file(render(report, format), format, f"发布研判-{a.indicator}-{release_id}")


@router.post("/releases/{release_id}/assessment", status_code=201, summary="生成并存档发布研判（新版本）")
def release_assessment_archive(
    release_id: int,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require("report.generate")),
) -> dict[str, object]:
    from reports.jobs import store_assessment

    try:
        row, _ = store_assessment(session, settings, release_id=release_id, now=clock_now(),
                                  created_by=principal.name)
    except LookupError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    record(session, actor=principal.name, action="report.generate", target=f"briefing:{row.id}",
           data={"kind": row.kind, "subject": row.subject, "version": row.version})
    session.commit()
    return _meta(row)

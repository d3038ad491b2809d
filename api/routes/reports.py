"""Reports API: 舆情日报, 舆情专报 and release 研判 as HTML, DOCX or PDF.

Archived versions are served as the stored bytes. Archiving a new version (press/admin) is audited and
never overwrites an earlier one; on-demand documents (GET) are built as of now and archived nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.reports import archive
from yuqing.reports.blocks import Report
from yuqing.store.audit import record
from yuqing.store.models import Briefing, Release, ReleasePlan

from .. import schemas as S
from ..deps import Allowed, CurrentUser, IdPath, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

# What a report download may be (the format asked for decides).
REPORT_FILES = {200: {"description": "报告文件", "content": {
    "text/html": {}, "application/pdf": {},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}}
EXPORT_FILES = {200: {"description": "导出文件", "content": {
    "text/csv": {}, **REPORT_FILES[200]["content"]}}}
FORMAT = Query("html", pattern="^(html|docx|pdf)$", description="html、docx 或 pdf")
KINDS = "^(daily|special|assessment)$"


Generator = Allowed("report.generate")
PlanEditor = Allowed("plan.edit")
T = TypeVar("T")


def _found(build: Callable[[], T]) -> T:
    """What `build` makes; its LookupError (no such incident, release…) is a 404 saying what is missing."""
    try:
        return build()
    except LookupError as exc:
        raise HTTPException(404, detail=str(exc)) from exc


def _archived(session: Session, who: str, row: Briefing) -> dict[str, object]:
    """A new version is audited with the one it supersedes (an archive is never overwritten),
    then committed; returns its description."""
    previous = archive.superseded(session, row)
    record(session, actor=who, action="report.regenerate" if previous else "report.generate",
           target=f"{row.kind}:{row.subject}",
           before=None if previous is None else {"id": previous.id, "version": previous.version},
           after={"id": row.id, "version": row.version})
    session.commit()
    return _meta(row)


def _meta(b: Briefing) -> dict[str, object]:
    return {
        "id": b.id,
        "kind": b.kind,
        "kind_label": archive.KIND_LABELS.get(b.kind, b.kind),
        "subject": b.subject,
        "version": b.version,
        "trigger": b.trigger,
        "trigger_label": archive.trigger_label(b.trigger),
        "title": b.title,
        "day": b.day.isoformat(),
        "generated_at": local_iso(b.generated_at),
        "created_by": b.created_by,
        "links": {f: f"/api/v1/reports/briefings/{b.id}?format={f}" for f in ("html", "docx", "pdf")},
    }


def _file(content: bytes, fmt: str, stem: str) -> Response:
    from yuqing.reports.render import MEDIA_TYPES, filename

    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    name = quote(filename(stem, fmt))
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{name}"},
    )


def _document(report: Report, fmt: str, stem: str) -> Response:
    from yuqing.reports.render import render

    return _file(render(report, fmt), fmt, stem)


@router.get("/briefings", summary="已存档的报告（日报、专报、发布研判），新版本在前")
def list_briefings(
    _: CurrentUser,
    session: SessionDep,
    kind: str | None = Query(None, pattern=KINDS, description="daily、special 或 assessment"),
    subject: str | None = Query(None, max_length=100, description="如 2026-11-10、incident:5、release:3"),
    limit: int = Query(30, ge=1, le=365),
) -> list[dict[str, object]]:
    return [_meta(b) for b in archive.archived(session, kind=kind, subject=subject, limit=limit)]


@router.post("/briefings", status_code=201, summary="生成并存档舆情日报（新版本，不覆盖旧版本）")
def generate_briefing(
    who: Generator,
    session: SessionDep,
    settings: SettingsDep,
    day: S.Day | None = Query(None, description="日报日期（默认：按需生成，统计至当前时刻）"),
) -> dict[str, object]:
    """The archived briefing is what leadership read: only the press office, which issues it, or an
    administrator may (re)generate it, and every generation is audited with what it replaced."""
    from yuqing.reports.jobs import store_daily

    row, _ = store_daily(session, settings, day=day, now=clock_now(), on_demand=day is None, trigger="manual",
                         created_by=who.name)
    return _archived(session, who.name, row)


@router.get("/briefings/{briefing_id}", summary="下载存档的报告（存档原件，不按当前数据重建）",
            response_class=Response, responses=REPORT_FILES)
def get_briefing(_: CurrentUser, briefing_id: IdPath, session: SessionDep, format: str = FORMAT) -> Response:
    row = session.get(Briefing, briefing_id)
    if row is None:
        raise HTTPException(404, detail=f"报告 {briefing_id} 不存在")
    content = archive.stored_bytes(row, format)
    if content is None:
        raise HTTPException(404, detail=f"报告 {briefing_id} 未存档 {format.upper()} 格式")
    return _file(content, format, f"{row.title or row.kind}-第{row.version}版")


@router.get("/daily", summary="按需生成舆情日报（默认统计至当前时刻；不存档）",
            response_class=Response, responses=REPORT_FILES)
def daily_on_demand(
    _: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    day: S.Day | None = Query(None, description="指定日期则为该日 08:00 定时日报的时段"),
    format: str = FORMAT,
) -> Response:
    from yuqing.reports.blocks import daily_report
    from yuqing.reports.briefing import build_daily

    b = build_daily(session, settings, day=day, now=clock_now(), on_demand=day is None)
    report = daily_report(b, classification=settings.reports.classification)
    return _document(report, format, f"舆情日报-{b.day.isoformat()}")


@router.get("/incidents/{incident_id}/special", summary="按需生成舆情专报（不存档）",
            response_class=Response, responses=REPORT_FILES)
def special_on_demand(
    _: CurrentUser, incident_id: IdPath, session: SessionDep, settings: SettingsDep, format: str = FORMAT
) -> Response:
    from yuqing.reports.special import build_special

    report = _found(lambda: build_special(session, settings, incident_id=incident_id, now=clock_now()))
    return _document(report, format, f"舆情专报-事件{incident_id}")


@router.post("/incidents/{incident_id}/special", status_code=201, summary="生成并存档舆情专报（新版本）")
def special_archive(
    who: Generator, incident_id: IdPath, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    from yuqing.reports.jobs import store_special

    row = _found(lambda: store_special(session, settings, incident_id=incident_id, now=clock_now(),
                                       created_by=who.name))
    return _archived(session, who.name, row)


@router.get("/releases", summary="数据发布列表（即将发布与已发布，含编号）")
def list_releases(
    _: CurrentUser,
    session: SessionDep,
    upcoming_days: int = Query(30, ge=0, le=366),
    past_days: int = Query(90, ge=0, le=3660),
) -> list[dict[str, object]]:
    from yuqing.reports.releases import release_rows

    return [r.as_json() for r in release_rows(session, now=clock_now(), upcoming_days=upcoming_days,
                                              past_days=past_days)]


@router.get("/releases/{release_id}/assessment", summary="数据发布舆情研判（按需生成，不存档）",
            response_class=Response, responses=REPORT_FILES)
def release_assessment(
    _: CurrentUser, release_id: IdPath, session: SessionDep, settings: SettingsDep, format: str = FORMAT
) -> Response:
    from yuqing.reports.assessment import build_assessment
    from yuqing.reports.blocks import assessment_report

    a = _found(lambda: build_assessment(session, settings, release_id=release_id, now=clock_now()))
    report = assessment_report(a, classification=settings.reports.classification)
    return _document(report, format, f"发布研判-{a.indicator}-{release_id}")


@router.post("/releases/{release_id}/assessment", status_code=201, summary="生成并存档发布研判（新版本）")
def release_assessment_archive(
    who: Generator, release_id: IdPath, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    from yuqing.reports.jobs import store_assessment

    row, _ = _found(lambda: store_assessment(session, settings, release_id=release_id, now=clock_now(),
                                             created_by=who.name))
    return _archived(session, who.name, row)


# 预案 (release contingency plans) and the 解读 record ---------------------------------------------------

class QA(BaseModel):
    q: str = Field(min_length=1, max_length=500, description="问题")
    a: str = Field(min_length=1, max_length=2000, description="答复口径")


class PlanIn(BaseModel):
    """A new version of the plan; omitted fields carry over from the last version."""

    model_config = ConfigDict(extra="forbid")

    owners: dict[str, str] | None = Field(None, description="职责 → 责任人，如 {\"解读\": \"张三\"}")
    owner_unit: str | None = Field(None, max_length=100, description="责任单位（考核用）")
    lines: str | None = Field(None, max_length=5000, description="回应口径")
    qa: list[QA] | None = Field(None, max_length=50, description="答问准备")
    interpretation: str | None = Field(None, max_length=5000, description="解读材料")
    interpretation_due_at: datetime | None = Field(None, description="解读须发布的时间（默认：发布时间）")
    channels: list[str] | None = Field(None, max_length=20, description="发布渠道")
    note: str | None = Field(None, max_length=2000)

    @field_validator("owners")
    @classmethod
    def _owners(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        if v is not None and (len(v) > 20 or any(len(k) > 50 or len(x) > 100 for k, x in v.items())):
            raise ValueError("责任人过多或名称过长")
        return v

    @field_validator("interpretation_due_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("时间须带时区，如 2026-11-16T09:30:00+08:00")
        return v


class ApproveIn(BaseModel):
    version: int = Field(ge=1, description="审批的版本号（须为最新版本）")


class InterpretationIn(BaseModel):
    published_at: datetime = Field(description="解读发布时间（带时区）")
    url: str | None = Field(None, max_length=2000, pattern=r"^https?://", description="解读链接")

    @field_validator("published_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("时间须带时区，如 2026-11-16T09:30:00+08:00")
        return v


def _plan_out(p: ReleasePlan) -> dict[str, object]:
    return {
        "id": p.id, "release_id": p.release_id, "version": p.version, "owners": p.owners,
        "owner_unit": p.owner_unit, "lines": p.lines, "qa": p.qa, "interpretation": p.interpretation,
        "interpretation_due_at": local_iso(p.interpretation_due_at) if p.interpretation_due_at else None,
        "channels": p.channels, "note": p.note, "created_by": p.created_by,
        "created_at": local_iso(p.created_at), "approved_by": p.approved_by,
        "approved_at": local_iso(p.approved_at) if p.approved_at else None,
    }


@router.get("/releases/{release_id}/plan", summary="数据发布的舆情应对预案及其修订历史（新版本在前）")
def get_plan(_: CurrentUser, release_id: IdPath, session: SessionDep) -> dict[str, object]:
    from yuqing.reports.plans import plan_history

    if session.get(Release, release_id) is None:
        raise HTTPException(404, detail=f"数据发布 {release_id} 不存在")
    history = plan_history(session, release_id)
    return {"current": _plan_out(history[0]) if history else None, "history": [_plan_out(p) for p in history]}


@router.put("/releases/{release_id}/plan", summary="修订预案（保存为新版本，须重新审批）")
def put_plan(who: PlanEditor, release_id: IdPath, body: PlanIn, session: SessionDep) -> dict[str, object]:
    from yuqing.reports.plans import save_plan

    fields = body.model_dump(exclude_unset=True)
    if "qa" in fields and fields["qa"] is not None:
        fields["qa"] = [dict(x) for x in fields["qa"]]
    plan = _found(lambda: save_plan(session, release_id=release_id, fields=fields, actor=who.name,
                                    now=clock_now()))
    record(session, actor=who.name, action="plan.edit", target=f"release:{release_id}",
           data={"version": plan.version})
    session.commit()
    return _plan_out(plan)


@router.post("/releases/{release_id}/plan/approve", summary="领导审批预案（最新版本）")
def approve(
    who: Allowed("plan.approve"), release_id: IdPath, body: ApproveIn, session: SessionDep
) -> dict[str, object]:
    from yuqing.reports.plans import PlanError, approve_plan

    try:
        plan = _found(lambda: approve_plan(session, release_id=release_id, version=body.version,
                                           actor=who.name, now=clock_now()))
    except PlanError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    record(session, actor=who.name, action="plan.approve", target=f"release:{release_id}",
           data={"version": plan.version})
    session.commit()
    return _plan_out(plan)


@router.put("/releases/{release_id}/interpretation", summary="登记解读发布情况（是否随发布同步，计入考核）")
def put_interpretation(
    who: PlanEditor, release_id: IdPath, body: InterpretationIn, session: SessionDep
) -> dict[str, object]:
    from yuqing.reports.plans import interpretation_status, record_interpretation

    now = clock_now()
    row = _found(lambda: record_interpretation(session, release_id=release_id, published_at=body.published_at,
                                               url=body.url, actor=who.name, now=now))
    record(session, actor=who.name, action="interpretation.record", target=f"release:{release_id}",
           data={"published_at": local_iso(row.published_at), "url": row.url})
    session.commit()
    status = interpretation_status(session.get(Release, release_id), row, now)  # type: ignore[arg-type]
    return {"release_id": release_id, "published_at": local_iso(row.published_at), "url": row.url,
            "on_time": status.on_time, "status": status.text}


# 存档导出 and 考核 ------------------------------------------------------------------------------------

EXPORT_FORMAT = Query("pdf", pattern="^(html|docx|pdf|csv)$", description="html、docx、pdf 或 csv")
MAX_PERIOD_DAYS = 366


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) Beijing time, bounded; 422 naming the field otherwise."""
    from datetime import time, timedelta

    from yuqing.clock import SHANGHAI

    if end < start:
        raise HTTPException(422, detail="end：结束日期不能早于开始日期")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise HTTPException(422, detail=f"end：时段不能超过 {MAX_PERIOD_DAYS} 天")
    return (datetime.combine(start, time(0), tzinfo=SHANGHAI),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI))


def _csv(content: bytes, stem: str) -> Response:
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(stem + '.csv')}"})


@router.get("/incidents/{incident_id}/record", summary="导出舆情事件处置档案（完整记录）",
            response_class=Response, responses=REPORT_FILES)
def incident_record_export(
    _: CurrentUser, incident_id: IdPath, session: SessionDep, settings: SettingsDep, format: str = FORMAT
) -> Response:
    from yuqing.reports.record import incident_record

    report = _found(lambda: incident_record(session, settings, incident_id=incident_id, now=clock_now()))
    return _document(report, format, f"处置档案-事件{incident_id}")


@router.get("/audit", summary="导出某时段的操作审计记录", response_class=Response, responses=EXPORT_FILES)
def audit_export(
    _: Allowed("audit.read"),  # the audit log is for leaders and administrators
    session: SessionDep,
    settings: SettingsDep,
    start: S.Day = Query(..., description="开始日期（北京时间）"),
    end: S.Day = Query(..., description="结束日期（含当日）"),
    format: str = EXPORT_FORMAT,
) -> Response:
    from yuqing.reports.record import audit_csv, audit_report, audit_rows

    lo, hi = _period(start, end)
    rows = audit_rows(session, start=lo, end=hi)
    stem = f"审计记录-{start.isoformat()}至{end.isoformat()}"
    if format == "csv":
        return _csv(audit_csv(rows), stem)
    return _document(audit_report(rows, settings, start=lo, end=hi, now=clock_now()), format, stem)


@router.get("/scorecard", summary="考核统计：按责任单位和责任人（回应时限、解读随发布）",
            response_class=Response, responses=EXPORT_FILES)
def scorecard_export(
    _: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    start: S.Day = Query(..., description="开始日期（北京时间）"),
    end: S.Day = Query(..., description="结束日期（含当日）"),
    format: str = EXPORT_FORMAT,
) -> Response:
    from yuqing.reports.scorecard import build_scorecard, scorecard_csv, scorecard_report

    lo, hi = _period(start, end)
    card = build_scorecard(session, settings, start=lo, end=hi, now=clock_now())
    stem = f"考核统计-{start.isoformat()}至{end.isoformat()}"
    if format == "csv":
        return _csv(scorecard_csv(card), stem)
    return _document(scorecard_report(card, classification=settings.reports.classification), format, stem)

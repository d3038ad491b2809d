"""Cases (意见建议、咨询投诉、转载) with their working-day clocks, deadlines and the compliance report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.orm import Session

from yuqing.alerts import service
from yuqing.alerts.holidays import load_calendar
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import Case, Deadline

from .. import schemas as S
from ..deps import Allowed, CurrentUser, IdPath, SessionDep, SettingsDep
from ..present import action_out, case_out, deadline_out
from ..service_calls import record_response
from .incidents import _jsonable

router = APIRouter(prefix="/api/v1", tags=["cases"])


def _case_deadlines(session: Session, ids: list[int]) -> dict[int, list[Deadline]]:
    return Q.deadlines_of(session, case_ids=ids)


@router.get("/cases", response_model=list[S.CaseOut], summary="事项列表（意见建议、咨询投诉、转载）")
def list_cases(
    _: CurrentUser,
    session: SessionDep,
    kind: str | None = Query(None, max_length=40),
    status: str | None = Query(None, max_length=40),
    limit: int = Query(100, ge=1, le=1000),
) -> list[S.CaseOut]:
    cases = Q.cases(session, kind=kind, status=status, limit=limit)
    deadlines = _case_deadlines(session, [c.id for c in cases])
    now = clock_now()
    calendar = load_calendar(session)
    return [case_out(c, deadlines[c.id], now, calendar) for c in cases]


@router.post("/cases", response_model=S.CaseOut, status_code=201, summary="登记事项并开始计时")
def create_case(
    who: Allowed("case.manage"), body: S.CaseCreate, session: SessionDep, settings: SettingsDep
) -> S.CaseOut:
    case = service.create_case(
        session,
        kind=body.kind,
        title=body.title,
        received_at=body.received_at,
        actor=who.name,
        now=clock_now(),
        complex=body.complex,
        body=body.body,
        channel=body.channel,
        contact=body.contact,
        external_ref=body.external_ref,
        settings=settings,
    )
    record(session, actor=who.name, action="case.create", target=f"case:{case.id}",
           after={**body.model_dump(), "status": case.status})
    session.commit()
    return case_out(case, _case_deadlines(session, [case.id])[case.id], clock_now())


@router.get("/cases/{case_id}", response_model=S.CaseOut)
def get_case(_: CurrentUser, case_id: IdPath, session: SessionDep) -> S.CaseOut:
    case = session.get(Case, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail=f"事项 {case_id} 不存在")
    return case_out(case, _case_deadlines(session, [case.id])[case.id], clock_now())


@router.post("/cases/{case_id}/actions", response_model=S.ActionOut, status_code=201, summary="登记答复")
def record_case_action(
    who: Allowed("case.manage"), case_id: IdPath, body: S.ActionIn, session: SessionDep
) -> S.ActionOut:
    action = record_response(session, body, actor=who.name, case_id=case_id)
    return action_out(action)


@router.get("/deadlines", response_model=list[S.DeadlineOut], summary="时限（默认未完成的，按到期时间）")
def list_deadlines(
    _: CurrentUser,
    session: SessionDep,
    state: list[S.Code] = Query([], description="默认 pending、due_soon、breached", max_length=10),
    kind: str | None = Query(None, max_length=40),
    limit: int = Query(200, ge=1, le=2000),
) -> list[S.DeadlineOut]:
    now = clock_now()
    return [deadline_out(d, now) for d in Q.deadlines(session, states=state, kind=kind, limit=limit)]


@router.post("/deadlines/{deadline_id}/waive", response_model=S.DeadlineOut, summary="豁免时限（须说明理由）")
def waive(
    who: Allowed("deadline.waive"), deadline_id: IdPath, body: S.WaiveIn, session: SessionDep
) -> S.DeadlineOut:
    existing = session.get(Deadline, deadline_id)
    before = None if existing is None else {"state": existing.state}
    deadline = service.waive_deadline(
        session, deadline_id=deadline_id, reason=body.reason, actor=who.name, now=clock_now()
    )
    record(session, actor=who.name, action="deadline.waive", target=f"deadline:{deadline_id}",
           before=before, after={"state": deadline.state, "waived_reason": body.reason})
    session.commit()
    return deadline_out(deadline, clock_now())


def period(start: S.LocalTime | None, end: S.LocalTime | None) -> tuple[Any, Any]:
    """The assessment period: default the 30 days before `end` (default now)."""
    end_at = end or clock_now()
    start_at = start or end_at - timedelta(days=30)
    if start_at >= end_at:
        raise HTTPException(status_code=422, detail="开始时间必须早于结束时间")
    return start_at, end_at


@router.get("/compliance", summary="时限执行情况（按期、逾期、未回应，分类型）")
def compliance(
    _: CurrentUser,
    session: SessionDep,
    start: S.LocalTime | None = Query(None, description="默认 30 天前；不带时区时按北京时间理解"),
    end: S.LocalTime | None = Query(None, description="默认现在"),
) -> dict[str, Any]:
    start_at, end_at = period(start, end)
    return _jsonable(service.compliance_report(session, start=start_at, end=end_at))

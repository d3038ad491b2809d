"""Cases (意见建议、咨询投诉、转载) with their working-day clocks, deadlines and the compliance report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import service
from alerts.holidays import load_calendar
from store.models import Case, Deadline
from yuqing.clock import now as clock_now
from yuqing.config import Settings

from .. import schemas as S
from ..audit import record
from ..deps import Principal, current_principal, get_session, get_settings, require
from ..present import action_out, case_out, deadline_out, parse_local
from ..service_calls import record_response, refusals_as_http
from .incidents import _jsonable

router = APIRouter(prefix="/api/v1", tags=["cases"])


def _case_deadlines(session: Session, ids: list[int]) -> dict[int, list[Deadline]]:
    out: dict[int, list[Deadline]] = {i: [] for i in ids}
    if ids:
        for d in session.scalars(select(Deadline).where(Deadline.case_id.in_(ids))):
            out[d.case_id].append(d)  # type: ignore[index]
    return out


@router.get("/cases", response_model=list[S.CaseOut], summary="事项列表（意见建议、咨询投诉、转载）")
def list_cases(
    kind: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.CaseOut]:
    q = select(Case)
    if kind:
        q = q.where(Case.kind == kind)
    if status:
        q = q.where(Case.status == status)
    cases = list(session.scalars(q.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)))
    deadlines = _case_deadlines(session, [c.id for c in cases])
    now = clock_now()
    calendar = load_calendar(session)
    return [case_out(c, deadlines[c.id], now, calendar) for c in cases]


@router.post("/cases", response_model=S.CaseOut, status_code=201, summary="登记事项并开始计时")
def create_case(
    body: S.CaseCreate,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("case.manage")),
) -> S.CaseOut:
    with refusals_as_http():
        case = service.create_case(
            session,
            kind=body.kind,
            title=body.title,
            received_at=parse_local(body.received_at),
            actor=who.name,
            now=clock_now(),
            complex=body.complex,
            body=body.body,
            channel=body.channel,
            contact=body.contact,
            external_ref=body.external_ref,
            settings=settings,
        )
    record(session, actor=who.name, action="case.create", target=f"case:{case.id}", data=body.model_dump())
    session.commit()
    return case_out(case, _case_deadlines(session, [case.id])[case.id], clock_now())


@router.get("/cases/{case_id}", response_model=S.CaseOut)
def get_case(
    case_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> S.CaseOut:
    case = session.get(Case, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail=f"事项 {case_id} 不存在")
    return case_out(case, _case_deadlines(session, [case.id])[case.id], clock_now())


@router.post("/cases/{case_id}/actions", response_model=S.ActionOut, status_code=201, summary="登记答复")
def record_case_action(
    case_id: int,
    body: S.ActionIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("case.manage")),
) -> S.ActionOut:
    action = record_response(session, body, actor=who.name, case_id=case_id)
    return action_out(action)


@router.get("/deadlines", response_model=list[S.DeadlineOut], summary="时限（默认未完成的，按到期时间）")
def list_deadlines(
    state: list[str] | None = Query(None, description="默认 pending、due_soon、breached"),
    kind: str | None = None,
    limit: int = Query(200, ge=1, le=2000),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.DeadlineOut]:
    q = select(Deadline).where(Deadline.state.in_(state or ["pending", "due_soon", "breached"]))
    if kind:
        q = q.where(Deadline.kind == kind)
    now = clock_now()
    return [
        deadline_out(d, now) for d in session.scalars(q.order_by(Deadline.due_at, Deadline.id).limit(limit))
    ]


@router.post("/deadlines/{deadline_id}/waive", response_model=S.DeadlineOut, summary="豁免时限（须说明理由）")
def waive(
    deadline_id: int,
    body: S.WaiveIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("deadline.waive")),
) -> S.DeadlineOut:
    with refusals_as_http():
        deadline = service.waive_deadline(
            session, deadline_id=deadline_id, reason=body.reason, actor=who.name, now=clock_now()
        )
    record(
        session,
        actor=who.name,
        action="deadline.waive",
        target=f"deadline:{deadline_id}",
        data=body.model_dump(),
    )
    session.commit()
    return deadline_out(deadline, clock_now())


@router.get("/compliance", summary="时限执行情况（按期、逾期、未回应，分类型）")
def compliance(
    start: str | None = Query(None, description="默认 30 天前"),
    end: str | None = Query(None, description="默认现在"),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> dict[str, Any]:
    try:
        end_at: datetime = parse_local(end) if end else clock_now()
        start_at: datetime = parse_local(start) if start else end_at - timedelta(days=30)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if start_at >= end_at:
        raise HTTPException(status_code=422, detail="开始时间必须早于结束时间")
    with refusals_as_http():
        return _jsonable(service.compliance_report(session, start=start_at, end=end_at))

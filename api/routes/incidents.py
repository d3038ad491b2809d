"""Incidents (事件): the board's list, one incident's detail, and every change via alerts.service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import service
from store.models import Action, Deadline, Incident, IncidentEvent, IncidentMention, Mention, Release
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.vocab import IncidentStatus

from .. import schemas as S
from ..audit import record
from ..deps import Principal, current_principal, get_session, get_settings, require
from ..present import action_out, event_out, incident_fields, mention_out, urgency_key
from ..service_calls import record_response, refusals_as_http

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


def _deadlines_by_incident(session: Session, ids: list[int]) -> dict[int, list[Deadline]]:
    out: dict[int, list[Deadline]] = {i: [] for i in ids}
    if ids:
        for d in session.scalars(select(Deadline).where(Deadline.incident_id.in_(ids))):
            out[d.incident_id].append(d)  # type: ignore[index]
    return out


def _releases(session: Session, ids: set[int]) -> dict[int, Release]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Release).where(Release.id.in_(ids)))}


def _get(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise HTTPException(status_code=404, detail=f"事件 {incident_id} 不存在")
    return incident


def incident_out(session: Session, incident: Incident) -> S.IncidentOut:
    now = clock_now()
    release = session.get(Release, incident.release_id) if incident.release_id else None
    deadlines = _deadlines_by_incident(session, [incident.id])[incident.id]
    return S.IncidentOut(**incident_fields(incident, release, deadlines, now))


@router.get("", response_model=list[S.IncidentOut], summary="事件列表（默认未关闭，按紧急程度排序）")
def list_incidents(
    status: list[str] | None = Query(None, description="状态，可多选；默认全部未关闭"),
    grade: list[str] | None = Query(None),
    category: str | None = None,
    include_closed: bool = False,
    limit: int = Query(200, ge=1, le=1000),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.IncidentOut]:
    q = select(Incident)
    if status:
        q = q.where(Incident.status.in_(status))
    elif not include_closed:
        q = q.where(Incident.status != IncidentStatus.CLOSED)
    if grade:
        q = q.where(Incident.grade.in_(grade))
    if category:
        q = q.where(Incident.category == category)
    incidents = list(session.scalars(q.order_by(Incident.opened_at.desc()).limit(limit)))
    now = clock_now()
    deadlines = _deadlines_by_incident(session, [i.id for i in incidents])
    releases = _releases(session, {i.release_id for i in incidents if i.release_id})
    incidents.sort(key=lambda i: (i.status == IncidentStatus.CLOSED,
                                  *urgency_key(i.grade, deadlines[i.id], now), -i.risk))
    return [
        S.IncidentOut(**incident_fields(i, releases.get(i.release_id or 0), deadlines[i.id], now))
        for i in incidents
    ]


@router.post("", response_model=S.IncidentOut, status_code=201, summary="手动立案")
def open_incident(
    body: S.IncidentCreate,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.handle")),
    settings: Settings = Depends(get_settings),
) -> S.IncidentOut:
    with refusals_as_http():
        incident = service.open_incident(
            session,
            title=body.title,
            grade=body.grade,
            category=body.category,
            actor=who.name,
            now=clock_now(),
            mention_ids=tuple(body.mention_ids),
            release_id=body.release_id,
            summary=body.summary,
            settings=settings,
        )
    record(
        session,
        actor=who.name,
        action="incident.open",
        target=f"incident:{incident.id}",
        data=body.model_dump(),
    )
    session.commit()
    return incident_out(session, incident)


@router.get("/{incident_id}", response_model=S.IncidentDetail, summary="事件详情：时限、时间线、回应")
def get_incident(
    incident_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> S.IncidentDetail:
    incident = _get(session, incident_id)
    base = incident_out(session, incident)
    timeline = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    actions = session.scalars(select(Action).where(Action.incident_id == incident_id).order_by(Action.at))
    return S.IncidentDetail(
        **base.model_dump(),
        timeline=[event_out(e) for e in timeline],
        actions=[action_out(a) for a in actions],
    )


@router.get("/{incident_id}/timeline", response_model=list[S.EventOut], summary="事件时间线")
def get_timeline(
    incident_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> list[S.EventOut]:
    _get(session, incident_id)
    rows = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    return [event_out(e) for e in rows]


@router.get("/{incident_id}/mentions", response_model=list[S.MentionOut], summary="事件关联的信息")
def get_mentions(
    incident_id: int,
    limit: int = Query(500, ge=1, le=5000),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.MentionOut]:
    _get(session, incident_id)
    rows = session.scalars(
        select(Mention)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .where(IncidentMention.incident_id == incident_id)
        .order_by(Mention.published_at.desc(), Mention.id.desc())
        .limit(limit)
    )
    return [mention_out(m) for m in rows]


@router.get("/{incident_id}/effect", summary="回应效果：每次回应前后的声量与负面占比")
def get_effect(
    incident_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> list[dict[str, Any]]:
    _get(session, incident_id)
    with refusals_as_http():
        rows = service.incident_effect(session, incident_id=incident_id)
    return [_jsonable(r) for r in rows]


def _jsonable(value: Any) -> Any:
    from datetime import datetime

    from yuqing.clock import local_iso

    if isinstance(value, datetime):
        return local_iso(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _change(
    session: Session, who: Principal, action: str, incident_id: int, data: dict[str, Any]
) -> S.IncidentOut:
    record(session, actor=who.name, action=action, target=f"incident:{incident_id}", data=data)
    session.commit()
    return incident_out(session, _get(session, incident_id))


@router.post("/{incident_id}/acknowledge", response_model=S.IncidentOut, summary="确认（接警）")
def acknowledge(
    incident_id: int,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.handle")),
) -> S.IncidentOut:
    with refusals_as_http():
        service.acknowledge(session, incident_id=incident_id, actor=who.name, now=clock_now())
    return _change(session, who, "incident.acknowledge", incident_id, {})


@router.post("/{incident_id}/status", response_model=S.IncidentOut, summary="变更状态")
def change_status(
    incident_id: int,
    body: S.StatusChange,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.handle")),
) -> S.IncidentOut:
    with refusals_as_http():
        service.change_status(
            session,
            incident_id=incident_id,
            status=body.status,
            actor=who.name,
            now=clock_now(),
            note=body.note,
        )
    return _change(session, who, "incident.status", incident_id, body.model_dump())


@router.post("/{incident_id}/grade", response_model=S.IncidentOut, summary="调整等级")
def change_grade(
    incident_id: int,
    body: S.GradeChange,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.regrade")),
    settings: Settings = Depends(get_settings),
) -> S.IncidentOut:
    with refusals_as_http():
        service.change_grade(
            session,
            incident_id=incident_id,
            grade=body.grade,
            actor=who.name,
            now=clock_now(),
            reason=body.reason,
            settings=settings,
        )
    return _change(session, who, "incident.grade", incident_id, body.model_dump())


@router.post("/{incident_id}/assign", response_model=S.IncidentOut, summary="指定负责人")
def assign(
    incident_id: int,
    body: S.Assignment,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.handle")),
) -> S.IncidentOut:
    with refusals_as_http():
        service.assign(session, incident_id=incident_id, owner=body.owner, actor=who.name, now=clock_now())
    return _change(session, who, "incident.assign", incident_id, body.model_dump())


@router.post("/{incident_id}/notes", response_model=S.EventOut, status_code=201, summary="添加会商记录")
def add_note(
    incident_id: int,
    body: S.NoteIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.handle")),
) -> S.EventOut:
    with refusals_as_http():
        event = service.add_note(
            session, incident_id=incident_id, message=body.message, actor=who.name, now=clock_now()
        )
    record(
        session,
        actor=who.name,
        action="incident.note",
        target=f"incident:{incident_id}",
        data={"event_id": event.id},
    )
    session.commit()
    return event_out(event)


@router.post(
    "/{incident_id}/actions",
    response_model=S.ActionOut,
    status_code=201,
    summary="登记回应（权威信息、发布会等），满足相应时限",
)
def record_action(
    incident_id: int,
    body: S.ActionIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("incident.handle")),
) -> S.ActionOut:
    _get(session, incident_id)
    action = record_response(session, body, actor=who.name, incident_id=incident_id)
    return action_out(action)

"""Incidents (事件): the board's list, one incident's detail, and every change via alerts.service.

Refusals of the service (NotFound, InvalidTransition, bad values) become HTTP errors through the
handlers registered once in api/handlers.py; every change is audited with before and after.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.orm import Session

from yuqing.alerts import service
from yuqing.analysis.authority import response_candidates
from yuqing.clock import as_utc, local_iso
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import Incident, Release
from yuqing.vocab import ActionKind, AuthorityKind, IncidentStatus

from .. import schemas as S
from ..deps import (
    Allowed,
    CurrentUser,
    IdPath,
    IncidentInPath,
    Principal,
    SessionDep,
    SettingsDep,
)
from ..present import action_out, event_out, incident_fields, mention_out, urgency_key
from ..service_calls import record_response

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


def incident_out(session: Session, incident: Incident) -> S.IncidentOut:
    now = clock_now()
    release = session.get(Release, incident.release_id) if incident.release_id else None
    deadlines = Q.deadlines_of(session, incident_ids=[incident.id])[incident.id]
    return S.IncidentOut(**incident_fields(incident, release, deadlines, now))


def _state(incident: Incident) -> dict[str, Any]:
    """The fields a change may touch, for the audit log's before and after."""
    return {"status": incident.status, "grade": incident.grade, "owner": incident.owner,
            "acknowledged_at": incident.acknowledged_at, "closed_at": incident.closed_at}


Handler = Allowed("incident.handle")

@router.get("", response_model=list[S.IncidentOut], summary="事件列表（默认未关闭，按紧急程度排序）")
def list_incidents(
    _: CurrentUser,
    session: SessionDep,
    status: list[S.Code] = Query([], description="状态，可多选；默认全部未关闭", max_length=20),
    grade: list[S.Code] = Query([], max_length=10),
    category: str | None = Query(None, max_length=40),
    include_closed: bool = False,
    q: str | None = Query(None, max_length=100, description="标题或摘要包含的文字"),
    opened_since: S.LocalTime | None = Query(None, description="发现时间起（含，北京时间）"),
    opened_until: S.LocalTime | None = Query(None, description="发现时间止（不含，北京时间）"),
    limit: int = Query(200, ge=1, le=1000),
) -> list[S.IncidentOut]:
    incidents = Q.incidents(session, status=status, grade=grade, category=category,
                            include_closed=include_closed, limit=limit, text=q,
                            opened_since=opened_since, opened_until=opened_until)
    now = clock_now()
    deadlines = Q.deadlines_of(session, incident_ids=[i.id for i in incidents])
    releases = Q.releases_by_id(session, {i.release_id for i in incidents if i.release_id})
    incidents.sort(key=lambda i: (i.status == IncidentStatus.CLOSED,
                                  *urgency_key(i.grade, deadlines[i.id], now), -i.risk))
    return [
        S.IncidentOut(**incident_fields(i, releases.get(i.release_id or 0), deadlines[i.id], now))
        for i in incidents
    ]


@router.post("", response_model=S.IncidentOut, status_code=201, summary="手动立案")
def open_incident(
    who: Handler, body: S.IncidentCreate, session: SessionDep, settings: SettingsDep
) -> S.IncidentOut:
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
    record(session, actor=who.name, action="incident.open", target=f"incident:{incident.id}",
           after={**_state(incident), "title": incident.title, "category": incident.category},
           data={"mention_ids": body.mention_ids, "release_id": body.release_id})
    session.commit()
    return incident_out(session, incident)


@router.get("/{incident_id}", response_model=S.IncidentDetail, summary="事件详情：时限、时间线、回应")
def get_incident(_: CurrentUser, incident: IncidentInPath, session: SessionDep) -> S.IncidentDetail:
    base = incident_out(session, incident)
    return S.IncidentDetail(
        **base.model_dump(),
        timeline=[event_out(e) for e in Q.timeline(session, incident.id)],
        actions=[action_out(a) for a in Q.actions(session, incident.id)],
    )


@router.get("/{incident_id}/timeline", response_model=list[S.EventOut], summary="事件时间线")
def get_timeline(_: CurrentUser, incident: IncidentInPath, session: SessionDep) -> list[S.EventOut]:
    return [event_out(e) for e in Q.timeline(session, incident.id)]


@router.get("/{incident_id}/mentions", response_model=list[S.MentionOut], summary="事件关联的信息")
def get_mentions(
    _: CurrentUser, incident: IncidentInPath, session: SessionDep, limit: int = Query(500, ge=1, le=5000)
) -> list[S.MentionOut]:
    return [mention_out(m) for m in Q.incident_mentions(session, incident.id, limit=limit)]


@router.get("/{incident_id}/effect", summary="回应效果：每次回应前后的声量与负面占比")
def get_effect(_: CurrentUser, incident: IncidentInPath, session: SessionDep) -> list[dict[str, Any]]:
    return [_jsonable(r) for r in service.incident_effect(session, incident_id=incident.id)]


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
    session: Session, who: Principal, action: str, incident: Incident, before: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> S.IncidentOut:
    """Audit the change (only the fields that moved, before and after), commit, answer."""
    after = _state(incident)
    changed = [k for k in after if after[k] != before[k]]
    record(session, actor=who.name, action=action, target=f"incident:{incident.id}",
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed}, data=data)
    session.commit()
    return incident_out(session, incident)


@router.post("/{incident_id}/acknowledge", response_model=S.IncidentOut, summary="确认（接警）")
def acknowledge(who: Handler, incident: IncidentInPath, session: SessionDep) -> S.IncidentOut:
    before = _state(incident)
    service.acknowledge(session, incident_id=incident.id, actor=who.name, now=clock_now())
    return _change(session, who, "incident.acknowledge", incident, before)


@router.post("/{incident_id}/status", response_model=S.IncidentOut, summary="变更状态")
def change_status(
    who: Handler, incident: IncidentInPath, body: S.StatusChange, session: SessionDep
) -> S.IncidentOut:
    before = _state(incident)
    service.change_status(
        session, incident_id=incident.id, status=body.status, actor=who.name, now=clock_now(), note=body.note
    )
    return _change(session, who, "incident.status", incident, before, {"note": body.note})


@router.post("/{incident_id}/grade", response_model=S.IncidentOut, summary="调整等级")
def change_grade(
    who: Allowed("incident.regrade"),
    incident: IncidentInPath,
    body: S.GradeChange,
    session: SessionDep,
    settings: SettingsDep,
) -> S.IncidentOut:
    before = _state(incident)
    service.change_grade(
        session, incident_id=incident.id, grade=body.grade, actor=who.name, now=clock_now(),
        reason=body.reason, settings=settings,
    )
    return _change(session, who, "incident.grade", incident, before, {"reason": body.reason})


@router.post("/{incident_id}/assign", response_model=S.IncidentOut, summary="指定负责人")
def assign(who: Handler, incident: IncidentInPath, body: S.Assignment, session: SessionDep) -> S.IncidentOut:
    before = _state(incident)
    service.assign(session, incident_id=incident.id, owner=body.owner, actor=who.name, now=clock_now())
    return _change(session, who, "incident.assign", incident, before)


@router.post("/{incident_id}/notes", response_model=S.EventOut, status_code=201, summary="添加会商记录")
def add_note(who: Handler, incident: IncidentInPath, body: S.NoteIn, session: SessionDep) -> S.EventOut:
    event = service.add_note(session, incident_id=incident.id, message=body.message, actor=who.name,
                             now=clock_now())
    record(session, actor=who.name, action="incident.note", target=f"incident:{incident.id}",
           after={"event_id": event.id, "message": body.message[:200]})
    session.commit()
    return event_out(event)


@router.post(
    "/{incident_id}/actions",
    response_model=S.ActionOut,
    status_code=201,
    summary="登记回应（权威信息、发布会等），满足相应时限",
)
def record_action(
    who: Handler, incident: IncidentInPath, body: S.ActionIn, session: SessionDep
) -> S.ActionOut:
    action = record_response(session, body, actor=who.name, incident_id=incident.id)
    return action_out(action)


@router.get("/{incident_id}/response-candidates", response_model=list[S.MentionOut],
            summary="可作为回应的权威发布（统计局官网、认证账号、官方媒体）")
def get_response_candidates(
    _: CurrentUser, incident: IncidentInPath, session: SessionDep
) -> list[S.MentionOut]:
    used = Q.response_evidence(session, incident.id)
    # one already recorded as a response is not offered again
    return [mention_out(m) for m in response_candidates(session, incident.id, now=clock_now())
            if not (m.url and m.url in used)]


@router.post("/{incident_id}/response-candidates/{mention_id}/confirm", response_model=S.ActionOut,
             status_code=201, summary="一键确认：把这条权威发布登记为发布权威信息的回应")
def confirm_response_candidate(
    who: Handler, incident: IncidentInPath, mention_id: IdPath, session: SessionDep
) -> S.ActionOut:
    incident_id = incident.id
    found = next((m for m in response_candidates(session, incident_id, now=clock_now(), limit=200)
                  if m.id == mention_id), None)
    if found is None:
        raise HTTPException(status_code=404, detail=f"信息 {mention_id} 不是该事件的候选权威发布")
    published = as_utc(found.published_at or found.analysed_at)
    # Published before the response windows opened (the interview that was out before the 5-hour clock):
    # it answers them as of the officer's confirmation; published inside them, as of its publication.
    opened = Q.clocks_started(session, incident_id)
    at = published if opened is None or published >= as_utc(opened) else clock_now()
    body = S.ActionIn(
        kind=ActionKind.AUTHORITATIVE_INFO, at=local_iso(at) or "", evidence_url=found.url,
        description=f"{AuthorityKind.label_of(found.authority, empty='权威发布')}（发布于 "
                    f"{local_iso(published)}）：{found.title or found.text[:60]}",
    )
    return action_out(record_response(session, body, actor=who.name, incident_id=incident_id))

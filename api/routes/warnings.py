"""预警 (early warnings) and 处置评估 (an incident's evaluation): the officer's one-click decisions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from yuqing.alerts import evaluation as evaluations
from yuqing.alerts import warnings as W
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import EarlyWarning
from yuqing.vocab import ClaimsAddressed, WarningLevel, WarningStatus

from .. import schemas as S
from ..deps import Allowed, CurrentUser, IdPath, IncidentInPath, Principal, SessionDep, SettingsDep
from ..present import mention_out

router = APIRouter(prefix="/api/v1", tags=["预警与评估"])


class WarningOut(BaseModel):
    id: int
    level: str
    level_label: str
    series_kind: str
    label: str
    reason: str
    count: int
    ratio: float
    counts: list[int] = Field(description="每小时信息条数（旧在前），最后一格为预警所在小时")
    detected_at: S.Time
    status: str
    status_label: str
    handled_by: str | None
    incident_id: int | None
    posts: list[S.MentionOut] = Field(description="预警背后的信息（风险高者在前，最多 5 条）")


class PromoteIn(BaseModel):
    grade: str | None = Field(
        None, pattern="^(I|II|III|IV)$", description="不填按预警颜色：红 II、橙 III、黄 IV"
    )


class EvaluationIn(BaseModel):
    addressed_claims: bool | None = Field(None, description="回应是否针对了主要关切")
    lessons: str | None = Field(None, max_length=4000, description="经验教训")


def warning_out(session: Session, w: EarlyWarning) -> WarningOut:
    ids = [int(i) for i in (w.mention_ids or [])][:5]
    posts = Q.mentions_by_id(session, ids)
    return WarningOut(
        id=w.id, level=w.level, level_label=WarningLevel.label_of(w.level), series_kind=w.series_kind,
        label=w.label, reason=w.reason, count=w.count, ratio=w.ratio, counts=[int(c) for c in w.counts or []],
        detected_at=local_iso(w.detected_at), status=w.status,
        status_label=WarningStatus.label_of(w.status),
        handled_by=w.handled_by, incident_id=w.incident_id,
        posts=[mention_out(posts[i]) for i in ids if i in posts],
    )


@router.get("/warnings", response_model=list[WarningOut], summary="预警（默认待处理，最新在前）")
def list_warnings(
    _: CurrentUser,
    session: SessionDep,
    status: str = Query("open", pattern="^(open|acknowledged|promoted|dismissed|all)$"),
    limit: int = Query(50, ge=1, le=500),
) -> list[WarningOut]:
    rows = Q.warnings(session, status=None if status == "all" else status, limit=limit)
    return [warning_out(session, w) for w in rows]


Handler = Allowed("incident.handle")


def _handled(
    session: Session, who: Principal, w: EarlyWarning, action: str, data: dict[str, Any]
) -> WarningOut:
    record(session, actor=who.name, action=action, target=f"warning:{w.id}",
           before={"status": WarningStatus.OPEN}, after={"status": w.status, **data})
    session.commit()
    return warning_out(session, w)


@router.post("/warnings/{warning_id}/acknowledge", response_model=WarningOut, summary="确认预警（继续关注）")
def acknowledge_warning(who: Handler, warning_id: IdPath, session: SessionDep) -> WarningOut:
    w = W.acknowledge(session, warning_id=warning_id, actor=who.name, now=clock_now())
    return _handled(session, who, w, "warning.acknowledge", {})


@router.post("/warnings/{warning_id}/dismiss", response_model=WarningOut, summary="排除预警（无需处置）")
def dismiss_warning(who: Handler, warning_id: IdPath, session: SessionDep) -> WarningOut:
    w = W.acknowledge(session, warning_id=warning_id, actor=who.name, now=clock_now(), dismiss=True)
    return _handled(session, who, w, "warning.dismiss", {})


@router.post("/warnings/{warning_id}/promote", response_model=WarningOut, summary="预警升级为舆情事件")
def promote_warning(
    who: Handler, warning_id: IdPath, body: PromoteIn, session: SessionDep, settings: SettingsDep
) -> WarningOut:
    incident = W.promote(session, warning_id=warning_id, actor=who.name, now=clock_now(),
                         settings=settings, grade=body.grade)
    w = session.get(EarlyWarning, warning_id)
    assert w is not None
    return _handled(session, who, w, "warning.promote", {"incident_id": incident.id})


@router.post("/incidents/{incident_id}/evaluation", summary="处置评估（时效、针对性、效果与经验教训）")
def evaluate_incident(
    who: Handler, incident: IncidentInPath, body: EvaluationIn, session: SessionDep
) -> dict[str, Any]:
    before = dict(incident.evaluation or {})
    evaluations.evaluate(session, incident_id=incident.id, actor=who.name, now=clock_now(),
                         addressed_claims=body.addressed_claims, lessons=body.lessons)
    record(session, actor=who.name, action="incident.evaluate", target=f"incident:{incident.id}",
           before={k: before.get(k) for k in ("addressed_claims", "lessons")},
           after={"addressed_claims": body.addressed_claims, "lessons": body.lessons})
    session.commit()
    return _labelled(incident.evaluation or {})


def _labelled(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The stored evaluation with its 针对性 label from the vocabulary (pages show the label)."""
    return {**evaluation, "addressed_label": ClaimsAddressed.of(evaluation.get("addressed_claims")).label}


@router.get("/incidents/{incident_id}/evaluation", summary="事件的处置评估（未评估时为 null）")
def get_evaluation(_: CurrentUser, incident: IncidentInPath) -> dict[str, Any] | None:
    return _labelled(incident.evaluation) if incident.evaluation else None

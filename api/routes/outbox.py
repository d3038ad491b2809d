"""The notification outbox (通知) and silences (静默)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import service
from store.models import AuditLog, Notification, Silence
from yuqing.clock import as_utc, local_iso
from yuqing.clock import now as clock_now
from yuqing.vocab import Role

from .. import schemas as S
from ..audit import record
from ..deps import Principal, current_principal, get_session, require
from ..present import parse_local
from ..service_calls import refusals_as_http

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/notifications", response_model=S.OutboxOut, summary="通知发送状态（待发、已发、失败）")
def outbox(
    status: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> S.OutboxOut:
    counts = dict(
        session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()
    )
    q = select(Notification)
    if status:
        q = q.where(Notification.status == status)
    rows = session.scalars(q.order_by(Notification.id.desc()).limit(limit))
    recent = [
        S.NotificationOut(
            id=n.id,
            channel=n.channel,
            audience=n.audience,
            subject=n.subject,
            status=n.status,
            attempts=n.attempts,
            next_attempt_at=local_iso(n.next_attempt_at),
            last_error=n.last_error,
            created_at=local_iso(n.created_at),
            sent_at=local_iso(n.sent_at),
            incident_id=n.incident_id,
            deadline_id=n.deadline_id,
        )
        for n in rows
    ]
    return S.OutboxOut(counts={k: int(v) for k, v in counts.items()}, recent=recent)


def _silence_out(s: Silence) -> S.SilenceOut:
    now = clock_now()
    return S.SilenceOut(
        id=s.id,
        matcher=s.matcher,
        starts_at=local_iso(s.starts_at),
        ends_at=local_iso(s.ends_at),
        reason=s.reason,
        created_by=s.created_by,
        active=as_utc(s.starts_at) <= now < as_utc(s.ends_at),
    )


@router.get("/silences", response_model=list[S.SilenceOut], summary="静默规则")
def list_silences(
    session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> list[S.SilenceOut]:
    return [_silence_out(s) for s in session.scalars(select(Silence).order_by(Silence.ends_at.desc()))]


@router.post("/silences", response_model=S.SilenceOut, status_code=201, summary="新建静默")
def create_silence(
    body: S.SilenceCreate,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("silence.manage")),
) -> S.SilenceOut:
    with refusals_as_http():
        silence = service.create_silence(
            session,
            matcher=body.matcher,
            starts_at=parse_local(body.starts_at),
            ends_at=parse_local(body.ends_at),
            reason=body.reason,
            actor=who.name,
        )
    record(
        session,
        actor=who.name,
        action="silence.create",
        target=f"silence:{silence.id}",
        data=body.model_dump(),
    )
    session.commit()
    return _silence_out(silence)


@router.get("/audit", response_model=list[S.AuditOut], summary="审计日志（管理员、局领导）")
def audit_log(
    limit: int = Query(100, ge=1, le=1000),
    session: Session = Depends(get_session),
    who: Principal = Depends(current_principal),
) -> list[S.AuditOut]:
    from fastapi import HTTPException

    if who.role not in (Role.ADMIN, Role.LEADER):
        raise HTTPException(status_code=403, detail="当前角色无权查看审计日志")
    rows = session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit))
    return [
        S.AuditOut(id=a.id, at=local_iso(a.at), actor=a.actor, action=a.action, target=a.target, data=a.data)
        for a in rows
    ]

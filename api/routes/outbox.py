"""The notification outbox (通知) and silences (静默)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from yuqing.alerts import outbox as alerts_outbox
from yuqing.alerts import service
from yuqing.clock import as_utc, local_iso
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import Silence
from yuqing.vocab import Audience

from .. import schemas as S
from ..deps import Allowed, CurrentUser, SessionDep, allowed

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/notifications", response_model=S.OutboxOut, summary="通知发送状态（待发、已发、失败）")
def outbox(
    _: CurrentUser,
    session: SessionDep,
    status: str | None = Query(None, max_length=40),
    limit: int = Query(50, ge=1, le=500),
) -> S.OutboxOut:
    counts = Q.notification_counts(session)
    rows = Q.notifications(session, status=status, limit=limit)
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
    alarms = [S.DeliveryAlarmOut(**a) for a in alerts_outbox.alarms(session)]
    return S.OutboxOut(counts={k: int(v) for k, v in counts.items()}, recent=recent, alarms=alarms)


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


def may_mute_leadership(matcher: dict[str, Any]) -> bool:
    """Whether a silence with this matcher could mute a notice to leadership (escalation, breach,
    grade I/II openings): unless it is pinned to the press office's audience, it could."""
    return matcher.get("audience") != Audience.PRESS


@router.get("/silences", response_model=list[S.SilenceOut], summary="静默规则")
def list_silences(_: CurrentUser, session: SessionDep) -> list[S.SilenceOut]:
    return [_silence_out(s) for s in Q.silences(session)]


@router.post("/silences", response_model=S.SilenceOut, status_code=201,
             summary="新建静默（可能静默报送领导的通知的，仅局领导或管理员可建）")
def create_silence(
    who: Allowed("silence.manage"), body: S.SilenceCreate, session: SessionDep
) -> S.SilenceOut:
    # Escalation to leadership exists so that the press office cannot hide a breach.
    if body.matcher and may_mute_leadership(body.matcher) and not allowed(who, "silence.leadership"):
        raise HTTPException(
            status_code=403,
            detail="可能静默报送领导的通知，仅局领导或管理员可建；新闻宣传岗请将 audience 设为 press",
        )
    silence = service.create_silence(
        session,
        matcher=body.matcher,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        actor=who.name,
    )
    record(session, actor=who.name, action="silence.create", target=f"silence:{silence.id}",
           after=body.model_dump())
    session.commit()
    return _silence_out(silence)

"""Source health (采集状态) and the quarantine of unusable items."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Quarantine, Source
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.vocab import SourceKind, SourceStatus

from .. import schemas as S
from ..deps import Principal, current_principal, get_session, get_settings
from ..present import source_warnings

router = APIRouter(prefix="/api/v1", tags=["sources"])


def _interval(settings: Settings, source: Source) -> int | None:
    for cfg in settings.sources:
        if cfg.name == source.name and cfg.interval_seconds:
            return cfg.interval_seconds
    return settings.crawl.default_intervals.get(source.kind)


@router.get("/sources", response_model=list[S.SourceOut], summary="采集源及健康状况")
def list_sources(
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(current_principal),
) -> list[S.SourceOut]:
    now = clock_now()
    out = []
    for s in session.scalars(select(Source).order_by(Source.name)):
        out.append(
            S.SourceOut(
                id=s.id,
                name=s.name,
                kind=s.kind,
                kind_label=SourceKind.label_of(s.kind),
                url=s.url,
                enabled=s.enabled,
                status=s.status,
                status_label=SourceStatus.label_of(s.status),
                last_run_at=local_iso(s.last_run_at),
                last_success_at=local_iso(s.last_success_at),
                last_error_at=local_iso(s.last_error_at),
                last_error=s.last_error,
                items_last_run=s.items_last_run,
                total_items=s.total_items,
                error_count=s.error_count,
                quarantined_count=s.quarantined_count,
                backoff_until=local_iso(s.backoff_until),
                warnings=source_warnings(s, _interval(settings, s), now),
            )
        )
    return out


@router.get("/quarantine", response_model=list[S.QuarantineOut], summary="隔离区：无法使用的条目及原因")
def list_quarantine(
    source_id: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.QuarantineOut]:
    q = select(Quarantine, Source.name, func.length(Quarantine.body)).outerjoin(
        Source, Source.id == Quarantine.source_id
    )
    if source_id is not None:
        q = q.where(Quarantine.source_id == source_id)
    rows = session.execute(q.order_by(Quarantine.id.desc()).limit(limit)).all()
    return [
        S.QuarantineOut(
            id=r.id,
            source_id=r.source_id,
            source_name=name,
            stage=r.stage,
            url=r.url,
            reason=r.reason,
            status_code=r.status_code,
            content_type=r.content_type,
            body_bytes=size or 0,
            created_at=local_iso(r.created_at),
        )
        for r, name, size in rows
    ]

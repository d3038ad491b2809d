"""Source health (采集状态) and the quarantine of unusable items."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Query

from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.crawler.quarantine import QuarantineError, quarantined, release, state_of
from yuqing.store import queries as Q
from yuqing.store.models import Quarantine, Source
from yuqing.vocab import SourceKind, SourceStatus

from .. import schemas as S
from ..deps import MAX_ID, Allowed, CurrentUser, IdPath, SessionDep, SettingsDep
from ..present import source_warnings

router = APIRouter(prefix="/api/v1", tags=["sources"])


def _interval(settings: Settings, source: Source) -> int:
    """The source's crawl interval as the scheduler runs it (one rule: CrawlConfig.interval_of)."""
    own = next((cfg.interval_seconds for cfg in settings.sources if cfg.name == source.name), None)
    return settings.crawl.interval_of(source.kind, own)


def _quarantine_out(r: Quarantine, source: str | None, body_bytes: int, now: datetime) -> S.QuarantineOut:
    return S.QuarantineOut(
        id=r.id, source_id=r.source_id, source_name=source, stage=r.stage, url=r.url, reason=r.reason,
        status_code=r.status_code, content_type=r.content_type, body_bytes=body_bytes,
        created_at=local_iso(r.created_at), attempts=r.attempts or 1, state=state_of(r, now),
    )


@router.get("/sources", response_model=list[S.SourceOut], summary="采集源及健康状况")
def list_sources(_: CurrentUser, session: SessionDep, settings: SettingsDep) -> list[S.SourceOut]:
    now = clock_now()
    out = []
    for s in Q.sources(session):
        warnings = source_warnings(s, _interval(settings, s), now)
        # "正常" beside a warning misleads: a source with something to look at reads 告警.
        shown = SourceStatus.WARNING if s.status == SourceStatus.OK and warnings else s.status
        out.append(
            S.SourceOut(
                id=s.id,
                name=s.name,
                kind=s.kind,
                kind_label=SourceKind.label_of(s.kind),
                url=s.url,
                enabled=s.enabled,
                status=shown,
                status_label=SourceStatus.label_of(shown),
                last_run_at=local_iso(s.last_run_at),
                last_success_at=local_iso(s.last_success_at),
                last_error_at=local_iso(s.last_error_at),
                last_error=s.last_error,
                items_last_run=s.items_last_run,
                total_items=s.total_items,
                error_count=s.error_count,
                quarantined_count=s.quarantined_count,
                backoff_until=local_iso(s.backoff_until),
                warnings=warnings,
            )
        )
    return out


@router.get("/quarantine", response_model=list[S.QuarantineOut], summary="隔离区：无法使用的条目及原因")
def list_quarantine(
    _: CurrentUser,
    session: SessionDep,
    source_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=1000),
) -> list[S.QuarantineOut]:
    now = clock_now()
    return [_quarantine_out(r, name, size, now)
            for r, name, size in quarantined(session, source_id=source_id, limit=limit)]


@router.get("/off-topic", response_model=list[S.OffTopicOut], summary="判为无关的文档及原因（不进舆情信息）")
def list_off_topic(
    _: CurrentUser,
    session: SessionDep,
    source_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=1000),
) -> list[S.OffTopicOut]:
    return [
        S.OffTopicOut(
            id=d.id, source_id=d.source_id, platform=d.platform, url=d.url, title=d.title,
            text=(d.text or "")[:500], relevance=d.relevance, reason=d.relevance_reason,
            published_at=local_iso(d.published_at) if d.published_at else None,
            analysed_at=local_iso(d.analysed_at) if d.analysed_at else None,
        )
        for d in Q.off_topic(session, source_id=source_id, limit=limit)
    ]


@router.post(
    "/quarantine/{quarantine_id}/release",
    response_model=S.QuarantineOut,
    summary="放行隔离条目：下次抓取时重新抓取",
)
def release_quarantine(
    who: Allowed("quarantine.release"), quarantine_id: IdPath, session: SessionDep
) -> S.QuarantineOut:
    try:
        row = release(session, [quarantine_id], now=clock_now(), actor=who.name)[0]
    except QuarantineError as exc:
        raise HTTPException(status_code=404 if "没有编号" in str(exc) else 409, detail=str(exc)) from exc
    session.commit()
    source = session.get(Source, row.source_id) if row.source_id is not None else None
    return _quarantine_out(row, source.name if source else None, len(row.body or b""), clock_now())

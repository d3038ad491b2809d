"""The quarantine as an admin sees it: what is held and why, what will be retried and when, and
releasing items so that the next crawl fetches them again (`yuqing quarantine …`, the API).

A released item keeps its row (the record of what failed) with `released_at` set and `retry_at`
now: the next crawl of its source requests the URL again (crawler.middlewares.RefetchMiddleware),
and a news article is no longer counted as already seen (crawler.seen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.clock import local_iso
from yuqing.store.audit import record
from yuqing.store.models import Quarantine, Source


class QuarantineError(ValueError):
    """A release that cannot be done as asked (unknown id, already released)."""


@dataclass(frozen=True)
class Entry:
    id: int
    source: str | None
    url: str | None
    reason: str
    status_code: int | None
    attempts: int
    state: str  # Chinese, for people
    created_at: datetime
    retry_at: datetime | None
    released_at: datetime | None
    body_bytes: int


def state_of(row: Quarantine, now: datetime) -> str:
    """等待重试 / 下次抓取时重取 / 已放行 / 需人工处理, with the figures that matter."""
    if row.released_at is not None and row.retry_at is None:
        return f"已放行（{local_iso(row.released_at)}）"
    if row.retry_at is not None and row.retry_at <= now:
        return "下次抓取时重取"
    if row.retry_at is not None:
        return f"等待重试（已失败 {row.attempts} 次，{local_iso(row.retry_at)} 之后）"
    return "需人工处理"


def quarantined(
    session: Session, *, source: str | None = None, source_id: int | None = None, open_only: bool = False,
    limit: int = 100,
) -> list[tuple[Quarantine, str | None, int]]:
    """(row, source name, body size in bytes), newest first, without loading the bodies;
    `open_only` leaves out what was released or resolved by a refetch."""
    q = select(Quarantine, Source.name, func.length(Quarantine.body)).outerjoin(
        Source, Source.id == Quarantine.source_id
    )
    if source is not None:
        q = q.where(Source.name == source)
    if source_id is not None:
        q = q.where(Quarantine.source_id == source_id)
    if open_only:
        q = q.where(Quarantine.released_at.is_(None) | Quarantine.retry_at.is_not(None))
    rows = session.execute(q.order_by(Quarantine.id.desc()).limit(limit)).all()
    return [(r, name, size or 0) for r, name, size in rows]


def list_entries(
    session: Session, *, now: datetime, source: str | None = None, open_only: bool = True, limit: int = 100
) -> list[Entry]:
    """Newest first; `open_only` leaves out what was released or resolved by a refetch."""
    rows = quarantined(session, source=source, open_only=open_only, limit=limit)
    return [
        Entry(
            id=r.id,
            source=name,
            url=r.url,
            reason=r.reason,
            status_code=r.status_code,
            attempts=r.attempts or 1,
            state=state_of(r, now),
            created_at=r.created_at,
            retry_at=r.retry_at,
            released_at=r.released_at,
            body_bytes=size,
        )
        for r, name, size in rows
    ]


def release(session: Session, ids: list[int], *, now: datetime, actor: str) -> list[Quarantine]:
    """Release items: their next crawl fetches them again. All or nothing, with an audit row;
    flushes, does not commit."""
    rows = {r.id: r for r in session.scalars(select(Quarantine).where(Quarantine.id.in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise QuarantineError(f"隔离区中没有编号为 {'、'.join(map(str, missing))} 的条目")
    no_url = [i for i in ids if not rows[i].url]
    if no_url:
        raise QuarantineError(f"条目 {'、'.join(map(str, no_url))} 没有网址，无法重新抓取")
    done = [i for i in ids if rows[i].released_at is not None and rows[i].retry_at is None]
    if done:
        raise QuarantineError(f"条目 {'、'.join(map(str, done))} 已放行过")
    for row in rows.values():
        row.released_at, row.retry_at = now, now
        record(session, at=now, actor=actor, action="quarantine.release", target=f"quarantine:{row.id}",
               data={"url": row.url, "reason": row.reason, "attempts": row.attempts})
    session.flush()
    return [rows[i] for i in ids]


def sources_of(session: Session, rows: list[Quarantine]) -> list[str]:
    """Names of the sources the rows came from, in order, without repeats."""
    ids = list(dict.fromkeys(r.source_id for r in rows if r.source_id is not None))
    names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())
    return [names[i] for i in ids if i in names]

"""The audit log (审计日志): the one writer of audit rows, and its CSV export for the annual assessment.

Every entry point — the API, the CLI, the scheduler — records a change here, in the caller's
transaction, with who, when, what, on which target, and the changed fields before and after.
(Not to be confused with `alerts/audit.py`, the periodic auditor of escalations that should have fired.)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store.models import AuditLog
from yuqing.vocab import AuditAction, AuditActor

ANONYMOUS = AuditActor.ANONYMOUS  # the actor of what an unauthenticated request did: never the name it typed
# What a person reads for each audited action: the vocabulary's (exports and documents never show the code).
ACTION_NAMES = AuditAction.labels()


def action_label(code: str) -> str:
    """An action's name; one this version does not know is 其他操作, never the code."""
    return ACTION_NAMES.get(code, "其他操作")


def actor_name(actor: str | None) -> str:
    """Who acted, as the exports show it: a user name, or 匿名/系统/命令行/定时任务."""
    actor = actor or ANONYMOUS
    return AuditActor.labels().get(actor, actor)


MAX_ACTOR = 100
MAX_TARGET = 200


def _plain(value: Any) -> Any:
    """JSON-safe copy: times become +08:00 ISO strings, dates ISO dates, anything else its text."""
    if isinstance(value, datetime):
        return local_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Add an audit row in the caller's transaction, so it commits (or not) with the change.

    `before`/`after` hold only the fields the change touched; `data` anything else worth keeping
    (a reason, a file name). Nothing is flushed here: the caller's commit writes it."""
    row = AuditLog(
        at=at or clock_now(),
        actor=(actor or ANONYMOUS)[:MAX_ACTOR],
        action=action[:100],
        target=None if target is None else target[:MAX_TARGET],
        data=_plain(data or {}),
        before=None if before is None else _plain(before),
        after=None if after is None else _plain(after),
    )
    session.add(row)
    return row


def entries(
    session: Session, *, start: datetime | None = None, end: datetime | None = None, batch: int = 1000
) -> Iterator[AuditLog]:
    """Audit rows in time order, `start` ≤ at < `end`, read in batches (a year fits any memory)."""
    last_id = 0
    while True:
        q = select(AuditLog).where(AuditLog.id > last_id)
        if start is not None:
            q = q.where(AuditLog.at >= start)
        if end is not None:
            q = q.where(AuditLog.at < end)
        rows = list(session.scalars(q.order_by(AuditLog.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def newest(session: Session, *, before_id: int | None = None, limit: int = 100) -> list[AuditLog]:
    """The latest audit rows, newest first; `before_id` pages back (rows with a smaller id)."""
    q = select(AuditLog)
    if before_id is not None:
        q = q.where(AuditLog.id < before_id)
    return list(session.scalars(q.order_by(AuditLog.id.desc()).limit(limit)))


CSV_HEADER = ("编号", "时间（北京时间）", "操作人", "操作", "对象", "变更前", "变更后", "其他")


def _cell(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _safe(text: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is read as text by Excel."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(session: Session, *, start: datetime | None = None, end: datetime | None = None) -> str:
    """The audit log as UTF-8 CSV with a BOM (the office opens it in Excel)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    for a in entries(session, start=start, end=end):
        w.writerow([
            a.id,
            local_iso(a.at),
            _safe(actor_name(a.actor)),
            action_label(a.action),
            _safe(a.target or ""),
            _safe(_cell(a.before)),
            _safe(_cell(a.after)),
            _safe(_cell(a.data or None)),
        ])
    return "\ufeff" + out.getvalue()

"""预案 of a release: stored, edited as new versions (the history stays), approved by a leader; and the
record of whether 解读 went out with the release (the Anhui rules: published with the document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.store.models import Release, ReleaseInterpretation, ReleasePlan

from .timefmt import fmt_hours, fmt_short

INTERPRETATION_GRACE = timedelta(hours=1)  # 解读 within this of the release counts as "with it"
PLAN_FIELDS = (
    "owners",
    "owner_unit",
    "lines",
    "qa",
    "interpretation",
    "interpretation_due_at",
    "channels",
    "note",
)


class PlanError(ValueError):
    """A plan change that cannot be made (the message says why, in Chinese)."""


def plan_history(session: Session, release_id: int) -> list[ReleasePlan]:
    """Every version, newest first."""
    return list(
        session.scalars(
            select(ReleasePlan)
            .where(ReleasePlan.release_id == release_id)
            .order_by(ReleasePlan.version.desc())
        )
    )


def current_plan(session: Session, release_id: int) -> ReleasePlan | None:
    return session.scalar(
        select(ReleasePlan)
        .where(ReleasePlan.release_id == release_id)
        .order_by(ReleasePlan.version.desc())
        .limit(1)
    )


def _release(session: Session, release_id: int) -> Release:
    release = session.get(Release, release_id)
    if release is None:
        raise LookupError(f"数据发布 {release_id} 不存在")
    return release


def save_plan(
    session: Session, *, release_id: int, fields: dict[str, Any], actor: str, now: datetime
) -> ReleasePlan:
    """Store `fields` as the next version (unspecified fields carry over from the last one). Flushes."""
    release = _release(session, release_id)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise PlanError(f"预案没有这些字段：{'、'.join(sorted(unknown))}")
    last = current_plan(session, release_id)
    values: dict[str, Any] = {k: getattr(last, k) for k in PLAN_FIELDS} if last else {}
    values.update(fields)
    if values.get("interpretation_due_at") is None:
        values["interpretation_due_at"] = release.published_at
    version = (
        session.scalar(select(func.max(ReleasePlan.version)).where(ReleasePlan.release_id == release_id)) or 0
    ) + 1
    plan = ReleasePlan(
        release_id=release_id,
        version=version,
        created_by=actor,
        created_at=now,
        owners=dict(values.get("owners") or {}),
        owner_unit=values.get("owner_unit"),
        lines=values.get("lines") or "",
        qa=list(values.get("qa") or []),
        interpretation=values.get("interpretation") or "",
        interpretation_due_at=values["interpretation_due_at"],
        channels=list(values.get("channels") or []),
        note=values.get("note"),
    )
    session.add(plan)
    session.flush()
    return plan


def approve_plan(
    session: Session, *, release_id: int, version: int, actor: str, now: datetime
) -> ReleasePlan:
    """A leader approves the latest version; an older or already approved one is refused. Flushes."""
    _release(session, release_id)
    last = current_plan(session, release_id)
    if last is None:
        raise PlanError("该数据发布尚无预案")
    if last.version != version:
        raise PlanError(f"只能审批最新版本（第 {last.version} 版），第 {version} 版已被修改")
    if last.approved_at is not None:
        raise PlanError(f"第 {version} 版已于 {fmt_short(last.approved_at)} 由 {last.approved_by} 审批")
    last.approved_by, last.approved_at = actor, now
    session.flush()
    return last


def record_interpretation(
    session: Session, *, release_id: int, published_at: datetime, url: str | None, actor: str, now: datetime
) -> ReleaseInterpretation:
    """Record when (and where) 解读 was published; a correction replaces the record. Flushes."""
    _release(session, release_id)
    row = session.scalar(select(ReleaseInterpretation).where(ReleaseInterpretation.release_id == release_id))
    if row is None:
        row = ReleaseInterpretation(
            release_id=release_id, published_at=published_at, url=url, recorded_by=actor, recorded_at=now
        )
        session.add(row)
    else:
        row.published_at, row.url, row.recorded_by, row.recorded_at = published_at, url, actor, now
    session.flush()
    return row


@dataclass(frozen=True)
class InterpretationStatus:
    on_time: bool | None  # None: not due yet
    text: str


def interpretation_status(
    release: Release, record: ReleaseInterpretation | None, now: datetime
) -> InterpretationStatus:
    """Did 解读 go out with the release? (随发布同步 / 滞后 3小时 / 未发布 / 待发布)."""
    if release.published_at is None or release.published_at > now:
        return InterpretationStatus(None, "待发布")
    due = release.published_at + INTERPRETATION_GRACE
    if record is None:
        return InterpretationStatus(False if now > due else None, "未发布解读" if now > due else "待发布解读")
    if record.published_at <= due:
        return InterpretationStatus(True, f"随发布同步（{fmt_short(record.published_at)}）")
    late = (record.published_at - release.published_at).total_seconds() / 3600
    return InterpretationStatus(False, f"滞后 {fmt_hours(late)}（{fmt_short(record.published_at)}）")

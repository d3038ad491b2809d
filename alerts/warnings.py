"""预警: warn the duty officer of a burst before any incident exists (the Shandong plan's 监测预警).

`analysis.bursts` finds hours far above a topic's or a release's own baseline; here each spike
becomes one warning (per series and hour, whatever number of engines run), with a level, the
reason in words and the posts behind it, and a notice to the press office. The officer
acknowledges it or promotes it to an incident with one click. A series that already has an open
incident (on its release, promoted from its earlier warning, or holding most of its posts) raises no
warning: the incident's own clocks speak for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yuqing.analysis.bursts import Burst, current_bursts
from yuqing.clock import as_utc
from yuqing.config import Settings
from yuqing.store.models import EarlyWarning, Incident, IncidentMention, Mention, MentionRelease
from yuqing.vocab import (
    Audience,
    Grade,
    IncidentStatus,
    NoticeKind,
    TimelineKind,
    WarningLevel,
    WarningStatus,
)

from . import outbox, service
from .errors import InvalidTransition, NotFound
from .templates import Text, safe_text
from .timeline import record_event

# A promoted warning's starting grade.
GRADE_OF_LEVEL = {WarningLevel.RED: Grade.II, WarningLevel.ORANGE: Grade.III, WarningLevel.YELLOW: Grade.IV}
POSTS_KEPT = 20


def level_of(score: float) -> str:
    """Colour by the burst's score (0–100, grows with the ratio and the volume)."""
    return WarningLevel.RED if score >= 70 else WarningLevel.ORANGE if score >= 40 else WarningLevel.YELLOW


def _posts(session: Session, burst: Burst, now: datetime) -> list[int]:
    """The riskiest mentions of the series in the burst's hour."""
    start = as_utc(burst.hour_start)
    q = select(Mention.id, Mention.topics).where(
        Mention.published_at >= start, Mention.published_at < as_utc(now)
    ).order_by(Mention.risk.desc(), Mention.id)
    if burst.release_id is not None:
        q = q.where(Mention.id.in_(
            select(MentionRelease.mention_id).where(MentionRelease.release_id == burst.release_id)))
        return [r[0] for r in session.execute(q.limit(POSTS_KEPT))]
    return [mid for mid, topics in session.execute(q) if burst.key in (topics or ())][:POSTS_KEPT]


def _covered(session: Session, burst: Burst, posts: list[int]) -> bool:
    """An open incident already holds this series: one on the same release, one promoted from an
    earlier warning on the same series, or one that already holds most of the burst's posts (the
    engine attached them). Its own clocks speak for it; another warning each hour would be noise."""
    still_open = Incident.status != IncidentStatus.CLOSED
    if burst.release_id is not None and session.scalar(select(Incident.id).where(
            Incident.release_id == burst.release_id, still_open).limit(1)) is not None:
        return True
    promoted = select(EarlyWarning.incident_id).where(
        EarlyWarning.series_kind == burst.kind, EarlyWarning.series_key == burst.key,
        EarlyWarning.incident_id.is_not(None))
    if session.scalar(select(Incident.id).where(Incident.id.in_(promoted), still_open).limit(1)) is not None:
        return True
    if not posts:
        return False
    held = session.scalar(select(func.count(func.distinct(IncidentMention.mention_id)))
                          .join(Incident, Incident.id == IncidentMention.incident_id)
                          .where(IncidentMention.mention_id.in_(posts), still_open)) or 0
    return 2 * held >= len(posts)


def raise_warnings(session: Session, settings: Settings, *, now: datetime) -> list[EarlyWarning]:
    """One warning per spiking series and hour; safe when two engines run it at once (unique key)."""
    now = as_utc(now)
    raised = []
    for burst in current_bursts(session, now=now):
        key = f"{burst.kind}:{burst.key}:{as_utc(burst.hour_start):%Y%m%d%H}"
        if session.scalar(select(EarlyWarning.id).where(EarlyWarning.key == key)) is not None:
            continue
        posts = _posts(session, burst, now)
        if _covered(session, burst, posts):
            continue
        sig = burst.signal
        warning = EarlyWarning(
            key=key, series_kind=burst.kind, series_key=burst.key, label=burst.label,
            release_id=burst.release_id, level=level_of(sig.score),
            reason=sig.reason, count=sig.count, ratio=round(sig.ratio, 2), score=round(sig.score, 1),
            counts=list(burst.counts), mention_ids=posts,
            hour_start=as_utc(burst.hour_start), detected_at=now, status=WarningStatus.OPEN,
        )
        try:
            with session.begin_nested():
                session.add(warning)
                session.flush()
        except IntegrityError:  # another engine raised it first
            continue
        what = "专题" if burst.release_id is None else "数据发布"
        text = Text(
            subject=f"【{WarningLevel.label_of(warning.level)}】{safe_text(burst.label, 60)} 舆情突增",
            body="\n".join([
                f"**【{WarningLevel.label_of(warning.level)}】** {what}：{safe_text(burst.label)}",
                f"- 情况：{sig.reason}",
                f"- 相关信息：{len(warning.mention_ids)} 条（风险高者在前）",
                f"- 请在值班看板确认，必要时升级为舆情事件：{settings.base_url.rstrip('/')}/",
            ]),
        )
        outbox.enqueue(session, key=f"warning:{warning.id}", text=text,
                       fields={"kind": NoticeKind.WARNING, "warning_id": warning.id}, audience=Audience.PRESS,
                       settings=settings, now=now)
        raised.append(warning)
    return raised


def _get(session: Session, warning_id: int) -> EarlyWarning:
    warning = session.get(EarlyWarning, warning_id)
    if warning is None:
        raise NotFound(f"预警 {warning_id} 不存在")
    return warning


def acknowledge(session: Session, *, warning_id: int, actor: str, now: datetime,
                dismiss: bool = False) -> EarlyWarning:
    """确认 (seen, keep watching) or 排除 (not a concern)."""
    warning = _get(session, warning_id)
    if warning.status != WarningStatus.OPEN:
        raise InvalidTransition(f"该预警已处理（{WarningStatus.label_of(warning.status)}）")
    warning.status = WarningStatus.DISMISSED if dismiss else WarningStatus.ACKNOWLEDGED
    warning.handled_by, warning.handled_at = actor, as_utc(now)
    return warning


def promote(session: Session, *, warning_id: int, actor: str, now: datetime, settings: Settings,
            grade: str | None = None) -> Incident:
    """升级为事件: open an incident with the warning's posts (its clocks start now)."""
    warning = _get(session, warning_id)
    if warning.status in (WarningStatus.PROMOTED, WarningStatus.DISMISSED):
        raise InvalidTransition(f"该预警已处理（{WarningStatus.label_of(warning.status)}）")
    incident = service.open_incident(
        session, title=f"{warning.label} 舆情突增", grade=grade or GRADE_OF_LEVEL[warning.level],
        category="other", actor=actor, now=now, mention_ids=[int(i) for i in warning.mention_ids],
        release_id=warning.release_id,
        summary=f"由{WarningLevel.label_of(warning.level)}升级：{warning.reason}",
        settings=settings,
    )
    warning.status, warning.incident_id = WarningStatus.PROMOTED, incident.id
    warning.handled_by, warning.handled_at = actor, as_utc(now)
    record_event(session, kind=TimelineKind.PROMOTED_FROM_WARNING, actor=actor, now=now,
                 incident_id=incident.id,
                 message=f"由预警升级（{WarningLevel.label_of(warning.level)}：{warning.reason}）",
                 details={"warning_id": warning.id})
    return incident

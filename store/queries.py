"""Read queries the API's lists are built from (the board, cases, deadlines, the outbox, the feed,
warnings, sources, watch topics).

Plain functions taking a session and keyword filters, returning rows; routes turn rows into
response bodies. Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from yuqing.store.models import (
    Action,
    Case,
    Deadline,
    Document,
    EarlyWarning,
    HolidaySchedule,
    Incident,
    IncidentEvent,
    IncidentMention,
    Mention,
    MentionRelease,
    Notification,
    Release,
    Silence,
    Source,
    Story,
    User,
    WatchTopic,
)
from yuqing.vocab import OPEN_DEADLINE_STATES, IncidentStatus, Sentiment


def incidents(
    session: Session, *, status: Sequence[str] = (), grade: Sequence[str] = (), category: str | None = None,
    include_closed: bool = False, limit: int = 200, text: str | None = None,
    opened_since: datetime | None = None, opened_until: datetime | None = None,
) -> list[Incident]:
    """Newest first; without `status`, closed incidents only when `include_closed`. `text` is
    looked for in the title and summary; `opened_since`/`opened_until` bound when it was opened."""
    q = select(Incident)
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(or_(Incident.title.ilike(like, escape="\\"), Incident.summary.ilike(like, escape="\\")))
    if opened_since is not None:
        q = q.where(Incident.opened_at >= opened_since)
    if opened_until is not None:
        q = q.where(Incident.opened_at < opened_until)
    if status:
        q = q.where(Incident.status.in_(status))
    elif not include_closed:
        q = q.where(Incident.status != IncidentStatus.CLOSED)
    if grade:
        q = q.where(Incident.grade.in_(grade))
    if category:
        q = q.where(Incident.category == category)
    return list(session.scalars(q.order_by(Incident.opened_at.desc()).limit(limit)))


def deadlines_of(session: Session, *, incident_ids: Sequence[int] = (), case_ids: Sequence[int] = ()
                 ) -> dict[int, list[Deadline]]:
    """Deadlines grouped by incident id (or by case id); every id asked for has a list."""
    by_case = bool(case_ids)
    ids = list(case_ids if by_case else incident_ids)
    out: dict[int, list[Deadline]] = {i: [] for i in ids}
    if ids:
        column = Deadline.case_id if by_case else Deadline.incident_id
        for d in session.scalars(select(Deadline).where(column.in_(ids))):
            out[d.case_id if by_case else d.incident_id].append(d)  # type: ignore[index]
    return out


def releases_by_id(session: Session, ids: set[int]) -> dict[int, Release]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Release).where(Release.id.in_(ids)))}


def timeline(session: Session, incident_id: int) -> list[IncidentEvent]:
    q = select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
    return list(session.scalars(q.order_by(IncidentEvent.at, IncidentEvent.id)))


def actions(session: Session, incident_id: int) -> list[Action]:
    return list(session.scalars(select(Action).where(Action.incident_id == incident_id).order_by(Action.at)))


def _of_incident(query: Any, incident_id: int) -> Any:
    return query.join(IncidentMention, IncidentMention.mention_id == Mention.id).where(
        IncidentMention.incident_id == incident_id)


def said_at() -> ColumnElement[datetime]:
    """When a mention was said: published, else analysed (a post without a date counts when seen)."""
    return func.coalesce(Mention.published_at, Mention.analysed_at)


def incident_mentions(session: Session, incident_id: int, *, limit: int) -> list[Mention]:
    q = _of_incident(select(Mention), incident_id)
    return list(session.scalars(q.order_by(Mention.published_at.desc(), Mention.id.desc()).limit(limit)))


def _filtered(q: Any, *, platform: str | None, sentiment: str | None, min_risk: float | None) -> Any:
    """The feed's filters, shared by the feed and an incident's mentions."""
    if platform:
        q = q.where(Mention.platform == platform)
    if sentiment:
        q = q.where(Mention.sentiment == sentiment)
    if min_risk is not None:
        q = q.where(Mention.risk >= min_risk)
    return q


def incident_mentions_where(
    session: Session, incident_id: int, *, platform: str | None = None, sentiment: str | None = None,
    min_risk: float | None = None, since: datetime | None = None, until: datetime | None = None,
) -> list[Mention]:
    """Every mention of the incident passing the feed's filters (`since` ≤ said < `until`), unordered:
    the incident page groups them by story before it sorts."""
    q = _filtered(_of_incident(select(Mention), incident_id), platform=platform, sentiment=sentiment,
                  min_risk=min_risk)
    if since is not None:
        q = q.where(said_at() >= since)
    if until is not None:
        q = q.where(said_at() < until)
    return list(session.scalars(q))


def incident_volume(session: Session, incident_id: int) -> list[tuple[datetime, str]]:
    """(when said, sentiment) of each mention of the incident: what its volume curve is drawn from."""
    rows = session.execute(_of_incident(select(said_at(), Mention.sentiment), incident_id)).all()
    return [(at, sentiment) for at, sentiment in rows]


def response_evidence(session: Session, incident_id: int) -> set[str | None]:
    """Links already recorded as the incident's responses (a candidate among them is not offered again)."""
    return set(session.scalars(select(Action.evidence_url).where(Action.incident_id == incident_id)))


def clocks_started(session: Session, incident_id: int) -> datetime | None:
    """When the incident's open response windows began (the earliest start), or None."""
    return session.scalar(select(func.min(Deadline.starts_at)).where(
        Deadline.incident_id == incident_id, Deadline.state.in_(OPEN_DEADLINE_STATES)))


def cases(
    session: Session, *, kind: str | None = None, status: str | None = None, case_id: int | None = None,
    limit: int = 100,
) -> list[Case]:
    q = select(Case)
    if case_id is not None:
        q = q.where(Case.id == case_id)
    if kind:
        q = q.where(Case.kind == kind)
    if status:
        q = q.where(Case.status == status)
    return list(session.scalars(q.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)))


def deadlines(session: Session, *, states: Sequence[str] = (), kind: str | None = None, limit: int = 200
              ) -> list[Deadline]:
    """Soonest due first; by default the open ones."""
    q = select(Deadline).where(Deadline.state.in_(states or OPEN_DEADLINE_STATES))
    if kind:
        q = q.where(Deadline.kind == kind)
    return list(session.scalars(q.order_by(Deadline.due_at, Deadline.id).limit(limit)))


def notification_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()
    return {status: int(n) for status, n in rows}


def notifications(
    session: Session, *, status: str | None = None, statuses: Sequence[str] = (), limit: int = 50
) -> list[Notification]:
    """Newest first, of one status or of any of `statuses`."""
    q = select(Notification)
    if status:
        q = q.where(Notification.status == status)
    if statuses:
        q = q.where(Notification.status.in_(statuses))
    return list(session.scalars(q.order_by(Notification.id.desc()).limit(limit)))


def silences(session: Session, *, limit: int = 1000) -> list[Silence]:
    return list(session.scalars(select(Silence).order_by(Silence.ends_at.desc()).limit(limit)))


def json_list_contains(column: Any, value: str) -> Any:
    """Portable "JSON list holds this string": the stored text holds its JSON encoding.

    SQLAlchemy writes JSON with json.dumps on SQLite and PostgreSQL (json, not jsonb, keeps the
    text), so the element appears exactly as json.dumps(value) between delimiters.
    """
    return cast(column, String).contains(json.dumps(value), autoescape=True)


def mentions(
    session: Session, *, sentiment: str | None = None, platform: str | None = None,
    min_risk: float | None = None, topic: str | None = None, sensitive_topic: str | None = None,
    release_id: int | None = None, story_id: int | None = None, before_id: int | None = None, limit: int = 50,
) -> list[Mention]:
    """The feed, newest first by when it was said (published, else analysed): arrival order put a
    post crawled late among older ones. `before_id` is a cursor: rows strictly after that mention
    in this order (a LookupError when it does not exist)."""
    q = _filtered(select(Mention), platform=platform, sentiment=sentiment, min_risk=min_risk)
    if topic:
        q = q.where(json_list_contains(Mention.topics, topic))
    if sensitive_topic:
        q = q.where(json_list_contains(Mention.sensitive_topics, sensitive_topic))
    if release_id is not None:
        q = q.where(
            Mention.id.in_(select(MentionRelease.mention_id).where(MentionRelease.release_id == release_id))
        )
    if story_id is not None:
        q = q.where(Mention.story_id == story_id)
    said = said_at()
    if before_id is not None:
        anchor = session.execute(select(said, Mention.id).where(Mention.id == before_id)).first()
        if anchor is None:
            raise LookupError("翻页参数 before_id 指向的信息不存在")
        anchor_at, anchor_id = anchor
        q = q.where(or_(said < anchor_at, and_(said == anchor_at, Mention.id < anchor_id)))
    return list(session.scalars(q.order_by(said.desc(), Mention.id.desc()).limit(limit)))


def mentions_by_id(session: Session, ids: Sequence[int]) -> dict[int, Mention]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(ids)))}


def stories_by_id(session: Session, ids: set[int]) -> dict[int, Story]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(ids)))}


def stories(session: Session, *, min_size: int = 1, limit: int = 50) -> list[Story]:
    q = select(Story).where(Story.size >= min_size)
    return list(session.scalars(q.order_by(Story.updated_at.desc(), Story.id.desc()).limit(limit)))


def releases(session: Session, *, indicator: str | None = None, limit: int = 50) -> list[Release]:
    q = select(Release)
    if indicator:
        q = q.where(Release.indicator == indicator)
    return list(session.scalars(
        q.order_by(Release.published_at.desc().nulls_last(), Release.id.desc()).limit(limit)))


def release_counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(mentions, negative mentions) linked to each release."""
    if not ids:
        return {}
    total = dict(session.execute(
        select(MentionRelease.release_id, func.count())
        .where(MentionRelease.release_id.in_(ids))
        .group_by(MentionRelease.release_id)
    ).all())
    negative = dict(session.execute(
        select(MentionRelease.release_id, func.count())
        .join(Mention, Mention.id == MentionRelease.mention_id)
        .where(MentionRelease.release_id.in_(ids), Mention.sentiment == Sentiment.NEGATIVE)
        .group_by(MentionRelease.release_id)
    ).all())
    return {i: (total.get(i, 0), negative.get(i, 0)) for i in ids}


def warnings(session: Session, *, status: str | None = None, limit: int = 50) -> list[EarlyWarning]:
    """Early warnings newest first, of one status (all when None)."""
    q = select(EarlyWarning)
    if status is not None:
        q = q.where(EarlyWarning.status == status)
    q = q.order_by(EarlyWarning.detected_at.desc(), EarlyWarning.id.desc())
    return list(session.scalars(q.limit(limit)))


def sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def off_topic(session: Session, *, source_id: int | None = None, limit: int = 100) -> list[Document]:
    """Documents judged irrelevant (kept with the reason, never turned into mentions), newest first."""
    q = select(Document).where(Document.status == "irrelevant")
    if source_id is not None:
        q = q.where(Document.source_id == source_id)
    return list(session.scalars(q.order_by(Document.id.desc()).limit(limit)))


def holiday_schedules(session: Session) -> list[HolidaySchedule]:
    """The years whose holiday notice was imported, in order."""
    return list(session.scalars(select(HolidaySchedule).order_by(HolidaySchedule.year)))


def watch_topics(session: Session) -> list[WatchTopic]:
    return list(session.scalars(select(WatchTopic).order_by(WatchTopic.name)))


def watch_topic_named(session: Session, name: str) -> WatchTopic | None:
    return session.scalar(select(WatchTopic).where(WatchTopic.name == name))


def owner_names(session: Session) -> list[str]:
    """Display names of active users: whom an incident may be assigned to."""
    return list(session.scalars(
        select(User.display_name).where(User.active.is_(True)).order_by(User.display_name)))

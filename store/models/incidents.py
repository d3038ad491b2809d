"""Incidents, cases, deadlines, actions, the outbox and the working-day calendar (回应)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.vocab import Audience, CaseStatus, Category, DeadlineState, IncidentStatus, NoticeStatus

from .base import Base, utcnow

OPEN_EVENT = "event_key IS NOT NULL AND status <> 'closed'"


class Incident(Base):
    """One public-opinion event being handled. Grade I (特别重大) to IV (一般)."""

    __tablename__ = "incidents"
    # One open incident per event, whatever runs the engine: a second engine (split brain, two
    # processes) that tries to open the same event again fails here and joins the first one.
    __table_args__ = (Index("uq_incidents_open_event", "event_key", unique=True,
                            sqlite_where=text(OPEN_EVENT), postgresql_where=text(OPEN_EVENT)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    grade: Mapped[str] = mapped_column(String(4))
    category: Mapped[str] = mapped_column(String(30), default=Category.OTHER)
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.DETECTED, index=True)
    event_key: Mapped[str | None] = mapped_column(String(100), index=True)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[str | None] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)  # representative post under a generated title
    situation: Mapped[str | None] = mapped_column(Text)  # three lines: volume/trend, claims, spreaders
    owner: Mapped[str | None] = mapped_column(String(100))
    opened_by: Mapped[str] = mapped_column(String(100))  # a username or a yuqing.vocab.RuleActor
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_mention_at: Mapped[datetime | None]
    last_mention_at: Mapped[datetime | None]
    mention_count: Mapped[int] = mapped_column(default=0)
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)  # frozen at opening
    # 处置评估 recorded before a grade I/II incident closes: timeliness per deadline, effect, lessons.
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class IncidentMention(Base):
    __tablename__ = "incident_mentions"
    __table_args__ = (UniqueConstraint("incident_id", "mention_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentEvent(Base):
    """Append-only timeline: who changed what, when. The audit trail for 考核."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Case(Base):
    """A public suggestion, consultation/complaint, or policy re-post with its own clock."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # suggestion | complaint | repost
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    complex: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str | None] = mapped_column(String(50))
    contact: Mapped[str | None] = mapped_column(String(200))
    external_ref: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Action(Base):
    """A response (回应) with evidence: statement URL, press conference time and place."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    evidence_url: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Deadline(Base):
    """A response window as a row: a restart recomputes nothing from memory."""

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default=DeadlineState.PENDING)
    provisional: Mapped[bool] = mapped_column(default=False)
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)  # frozen clock (alerts.policy.ClockPolicy)
    met_at: Mapped[datetime | None]
    met_by_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    waived_reason: Mapped[str | None] = mapped_column(Text)
    breached_at: Mapped[datetime | None]
    reminders_sent: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """Outbox row, written in the state change's transaction; a sender delivers it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # idempotency key
    channel: Mapped[str] = mapped_column(String(100))
    audience: Mapped[str] = mapped_column(String(20), default=Audience.PRESS)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    status: Mapped[str] = mapped_column(String(20), default=NoticeStatus.PENDING)  # yuqing.vocab.NoticeStatus
    # Set when claimed for sending: the idempotency key of the (grouped) message, reused on a resend.
    batch_key: Mapped[str | None] = mapped_column(String(200), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Silence(Base):
    """Mutes notifications matching a rule, source or incident for a period."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(primary_key=True)
    matcher: Mapped[dict[str, Any]] = mapped_column(default=dict)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HolidayOverride(Base):
    """An administrator's word on one date: holiday or make-up working day (调休)."""

    __tablename__ = "holiday_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HolidaySchedule(Base):
    """A year whose State Council holiday notice an administrator imported: its dates are known."""

    __tablename__ = "holiday_schedules"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str | None] = mapped_column(String(200))  # the imported file's name
    days: Mapped[int] = mapped_column(default=0)  # dates the notice set
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class EarlyWarning(Base):
    """预警: a burst on a watched topic or release, raised before (or without) any incident."""

    __tablename__ = "early_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # series and hour: one warning each
    series_kind: Mapped[str] = mapped_column(String(20))  # topic | release
    series_key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(Text)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    level: Mapped[str] = mapped_column(String(10))  # red | orange | yellow
    reason: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(default=0)
    ratio: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    counts: Mapped[list[Any]] = mapped_column(default=list)  # hourly series, oldest first
    mention_ids: Mapped[list[Any]] = mapped_column(default=list)  # the posts behind it, riskiest first
    hour_start: Mapped[datetime]
    detected_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handled_at: Mapped[datetime | None]
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))

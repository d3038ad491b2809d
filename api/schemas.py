"""Response and request bodies of the REST API. Times are ISO 8601 strings in +08:00."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Time = str  # ISO 8601 with the +08:00 offset (yuqing.clock.local_iso)


class Health(BaseModel):
    status: str
    now: Time


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class Credentials(BaseModel):
    username: str
    password: str
    token_name: str | None = None


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    role_label: str


class DeadlineOut(BaseModel):
    id: int
    incident_id: int | None
    case_id: int | None
    kind: str
    kind_label: str
    starts_at: Time
    due_at: Time
    state: str
    state_label: str
    provisional: bool
    met_at: Time | None
    breached_at: Time | None
    waived_reason: str | None
    seconds_left: int | None = Field(description="到期剩余秒数；已超时为负；已完成或已豁免为 null")


class ReleaseRef(BaseModel):
    id: int
    title: str
    indicator: str
    indicator_name: str | None
    period_label: str | None
    published_at: Time | None


class IncidentOut(BaseModel):
    id: int
    grade: str
    grade_label: str
    category: str
    category_label: str
    status: str
    status_label: str
    title: str
    summary: str | None
    owner: str | None
    opened_by: str
    opened_by_label: str  # a person, or the Chinese name of the rule that opened it
    opened_at: Time
    acknowledged_at: Time | None
    closed_at: Time | None
    first_mention_at: Time | None
    last_mention_at: Time | None
    risk: float
    mention_count: int
    release: ReleaseRef | None
    deadlines: list[DeadlineOut]


class EventOut(BaseModel):
    id: int
    at: Time
    actor: str
    actor_label: str
    kind: str
    kind_label: str
    message: str
    data: dict[str, Any]


class ActionOut(BaseModel):
    id: int
    incident_id: int | None
    case_id: int | None
    kind: str
    kind_label: str
    at: Time
    actor: str
    evidence_url: str | None
    place: str | None
    description: str | None


class IncidentDetail(IncidentOut):
    timeline: list[EventOut]
    actions: list[ActionOut]


class RiskFactorOut(BaseModel):
    key: str
    label: str
    value: float | None = None
    contribution: float | None = None


class MentionOut(BaseModel):
    id: int
    platform: str
    platform_label: str
    published_at: Time | None
    analysed_at: Time
    title: str | None
    text: str
    author: str | None
    url: str | None
    sentiment: str
    sentiment_label: str
    p_negative: float
    p_neutral: float
    p_positive: float
    risk: float
    risk_factors: list[RiskFactorOut]
    sensitive_topics: list[str]
    sensitive_topic_labels: list[str]
    topics: list[str]
    story_id: int | None
    event_key: str | None


class StoryOut(BaseModel):
    id: int
    title: str | None
    size: int
    platforms: dict[str, Any]
    risk: float
    risk_factors: list[RiskFactorOut]
    earliest_published_at: Time | None
    earliest_publisher: str | None
    updated_at: Time


class ReleaseOut(ReleaseRef):
    url: str | None
    scheduled: bool
    headline_value: float | None
    headline_unit: str | None
    headline_text: str | None
    mention_count: int
    negative_count: int


class SourceOut(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    url: str
    enabled: bool
    status: str
    status_label: str
    last_run_at: Time | None
    last_success_at: Time | None
    last_error_at: Time | None
    last_error: str | None
    items_last_run: int
    total_items: int
    error_count: int
    quarantined_count: int
    backoff_until: Time | None
    warnings: list[str]


class QuarantineOut(BaseModel):
    id: int
    source_id: int | None
    source_name: str | None
    stage: str
    url: str | None
    reason: str
    status_code: int | None
    content_type: str | None
    body_bytes: int
    created_at: Time


class CaseOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str | None
    complex: bool
    channel: str | None
    contact: str | None
    external_ref: str | None
    received_at: Time
    status: str
    closed_at: Time | None
    deadlines: list[DeadlineOut]


class NotificationOut(BaseModel):
    id: int
    channel: str
    audience: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: Time
    last_error: str | None
    created_at: Time
    sent_at: Time | None
    incident_id: int | None
    deadline_id: int | None


class OutboxOut(BaseModel):
    counts: dict[str, int]
    recent: list[NotificationOut]


class SilenceOut(BaseModel):
    id: int
    matcher: dict[str, Any]
    starts_at: Time
    ends_at: Time
    reason: str
    created_by: str
    active: bool


class AuditOut(BaseModel):
    id: int
    at: Time
    actor: str
    action: str
    target: str | None
    data: dict[str, Any]


# ---- request bodies -------------------------------------------------------------------------


class IncidentCreate(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    grade: str
    category: str = "other"
    summary: str | None = None
    mention_ids: list[int] = Field(default_factory=list)
    release_id: int | None = None


class StatusChange(BaseModel):
    status: str
    note: str | None = None


class GradeChange(BaseModel):
    grade: str
    reason: str = Field(min_length=1)


class Assignment(BaseModel):
    owner: str = Field(min_length=1, max_length=100)


class NoteIn(BaseModel):
    message: str = Field(min_length=1, max_length=10000)


class ActionIn(BaseModel):
    kind: str
    at: str = Field(description="ISO 8601；不带时区时按北京时间理解")
    evidence_url: str | None = None
    place: str | None = None
    description: str | None = None


class WaiveIn(BaseModel):
    reason: str = Field(min_length=1)


class RelabelIn(BaseModel):
    label: str


class CaseCreate(BaseModel):
    kind: str
    title: str = Field(min_length=1)
    received_at: str = Field(description="ISO 8601；不带时区时按北京时间理解")
    complex: bool = False
    body: str | None = None
    channel: str | None = None
    contact: str | None = None
    external_ref: str | None = None


class SilenceCreate(BaseModel):
    matcher: dict[str, Any]
    starts_at: str
    ends_at: str
    reason: str = Field(min_length=1)

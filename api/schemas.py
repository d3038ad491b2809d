"""Response and request bodies of the REST API. Times are datetimes, shown in +08:00 (Beijing).

Every request field is bounded (text lengths, integer ranges, list sizes, time ranges), so bad
input is a 422 naming the field, never a database error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from yuqing.clock import SHANGHAI, local_iso


def _shown(value: datetime) -> str:
    shown = local_iso(value)
    assert shown is not None
    return shown


# A time in a response: a datetime, written as ISO 8601 in Beijing time (+08:00) by local_iso.
Time = Annotated[datetime, PlainSerializer(_shown, return_type=str)]

MAX_ID = 2**31 - 1  # 32-bit integer columns
EARLIEST, LATEST = 1970, 2100  # the years a time or a date may fall in


def _beijing_utc(value: datetime) -> datetime:
    """Naive times are Beijing time; the result is aware UTC. Years outside 1970–2100 are refused
    before any arithmetic (0001-01-01 in +08:00 has no UTC value)."""
    if not EARLIEST <= value.year <= LATEST:
        raise ValueError(f"时间超出范围（{EARLIEST} 至 {LATEST} 年）")
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC)


def _not_a_number(value: Any) -> Any:
    """Times are ISO 8601 text: a bare number (which pydantic would read as a Unix timestamp) is refused."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        raise ValueError("无法识别的时间，请用 ISO 8601，如 2026-11-10T09:30")
    return value


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _in_range(value: date) -> date:
    if not EARLIEST <= value.year <= LATEST:
        raise ValueError(f"日期超出范围（{EARLIEST} 至 {LATEST} 年）")
    return value


# A time from a user: ISO 8601, without an offset read as Beijing time; aware UTC once validated.
LocalTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_beijing_utc)]
Day = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_in_range)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]  # a status, grade, kind… code


class Input(BaseModel):
    """Request bodies refuse unknown fields (a typo is an error, not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: str
    now: Time


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    scope: str = "read"
    expires_at: Time | None = None


class Credentials(Input):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    token_name: str | None = Field(None, max_length=100, description="令牌用途")
    scope: Literal["read", "act", "admin"] = Field("read", description="read 只读、act 处置、admin 管理")
    expires_in_days: int = Field(90, ge=1, le=365, description="有效天数")


class TokenInfo(BaseModel):
    id: int
    user: str
    name: str
    scope: str
    scope_label: str
    created_at: Time
    expires_at: Time | None
    last_used_at: Time | None
    revoked_at: Time | None
    state: str
    state_label: str


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
    basis: str = Field("hours", description="hours：按小时计；working_days：按工作日计")
    due_label: str = Field("", description="截止时间的读法（北京时间），工作日时限写作“12-01 24:00”")
    working_days_left: int | None = Field(
        None, description="工作日时限：今天之后到最后一个工作日还剩几个工作日（0 表示今天是最后一天）"
    )


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
    subtitle: str | None = None  # the representative post (analysis/incident_text.py)
    summary: str | None
    situation: list[str] = Field(default_factory=list)  # volume and trend, main claims, main spreaders
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
    authority: str | None = None  # bureau_site | bureau_account | official_media (analysis/authority.py)
    authority_label: str | None = None
    # Its story (转载聚合), so that every list can fold copies into one entry with the count and who
    # published first (issue 13): the story's size, earliest publisher and time.
    story_size: int | None = None
    story_earliest_publisher: str | None = None
    story_earliest_at: Time | None = None


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
    attempts: int = 1
    state: str | None = None  # 等待重试 / 下次抓取时重取 / 需人工处理 / 已放行


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


class DeliveryAlarmOut(BaseModel):
    """A deadline notice that became a dead letter: the board shows it until it gets through."""

    id: int
    channel: str
    subject: str
    step: str | None
    incident_id: int | None
    deadline_id: int | None
    attempts: int
    last_error: str | None
    next_attempt_at: str | None


class OutboxOut(BaseModel):
    counts: dict[str, int]
    recent: list[NotificationOut]
    alarms: list[DeliveryAlarmOut] = []  # dead deadline notices (告警), empty when all is well


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


class AuditOutFull(AuditOut):
    before: dict[str, Any] | None
    after: dict[str, Any] | None


# ---- request bodies -------------------------------------------------------------------------


class IncidentCreate(Input):
    title: str = Field(min_length=1, max_length=500)
    grade: Code
    category: Code = "other"
    summary: str | None = Field(None, max_length=5000)
    mention_ids: list[Id] = Field(default_factory=list, max_length=1000)
    release_id: Id | None = None


class StatusChange(Input):
    status: Code
    note: str | None = Field(None, max_length=2000)


class GradeChange(Input):
    grade: Code
    reason: str = Field(min_length=1, max_length=2000)


class Assignment(Input):
    owner: str = Field(min_length=1, max_length=100)


class NoteIn(Input):
    message: str = Field(min_length=1, max_length=10000)


class ActionIn(Input):
    kind: Code
    at: LocalTime = Field(description="ISO 8601；不带时区时按北京时间理解")
    evidence_url: str | None = Field(None, max_length=2000)
    place: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10000)


class WaiveIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class RelabelIn(Input):
    label: Literal["negative", "neutral", "positive"]


class CaseCreate(Input):
    kind: Code
    title: str = Field(min_length=1, max_length=500)
    received_at: LocalTime = Field(description="ISO 8601；不带时区时按北京时间理解")
    complex: bool = False
    body: str | None = Field(None, max_length=20000)
    channel: str | None = Field(None, max_length=100)
    contact: str | None = Field(None, max_length=200)
    external_ref: str | None = Field(None, max_length=200)


MatcherValue = (
    Annotated[str, StringConstraints(max_length=200)] | Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]
)


class SilenceCreate(Input):
    matcher: dict[Code, MatcherValue] = Field(max_length=12)  # empty: refused by the service (409)
    starts_at: LocalTime
    ends_at: LocalTime
    reason: str = Field(min_length=1, max_length=1000)


class OffTopicOut(BaseModel):
    """A document kept out of mentions as off-topic (analysis/relevance.py), with the reason."""

    id: int
    source_id: int | None
    platform: str
    url: str
    title: str | None
    text: str
    relevance: float | None
    reason: str | None
    published_at: Time | None
    analysed_at: Time | None

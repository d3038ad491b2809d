"""Rows to response bodies, and the board's ordering. Plain functions taking `now` explicitly."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import object_session

from yuqing.alerts.calendar import WorkingDayCalendar
from yuqing.clock import SHANGHAI, as_utc, local_iso
from yuqing.store.models import (
    Action,
    Case,
    Deadline,
    Incident,
    IncidentEvent,
    Mention,
    Release,
    Source,
    Story,
)
from yuqing.vocab import (
    OPEN_DEADLINE_STATES,
    ActionKind,
    AuthorityKind,
    Category,
    DeadlineKind,
    DeadlineState,
    Grade,
    IncidentStatus,
    Platform,
    SensitiveTopic,
    Sentiment,
    SourceStatus,
    TimelineKind,
    actor_label,
    grade_rank,
    indicator_label,
)

from . import schemas as S


def is_working_day_clock(d: Deadline) -> bool:
    """Working-day windows (suggestions, complaints, re-posts) as opposed to hour windows (5 h / 24 h)."""
    policy = d.policy or {}
    if policy.get("working_days"):
        return True
    if policy.get("hours"):
        return False
    return d.case_id is not None and d.incident_id is None


def due_label(d: Deadline) -> str:
    """The due time as people say it: a working-day window ends at "12-01 24:00", not "12-02 00:00"."""
    local = as_utc(d.due_at).astimezone(SHANGHAI)
    if is_working_day_clock(d) and local.hour == 0 and local.minute == 0:
        day = local - timedelta(days=1)
        return f"{day:%m-%d} 24:00"
    return f"{local:%m-%d %H:%M}"


def working_days_left(d: Deadline, now: datetime, calendar: WorkingDayCalendar | None = None) -> int | None:
    """Whole working days after today up to the last day of the window (0 = today is the last one)."""
    if not is_working_day_clock(d) or d.state not in OPEN_DEADLINE_STATES:
        return None
    due_local = as_utc(d.due_at).astimezone(SHANGHAI)
    last_day = (due_local - timedelta(microseconds=1)).date()
    today = as_utc(now).astimezone(SHANGHAI).date()
    if today > last_day:
        return 0
    return (calendar or WorkingDayCalendar()).workdays_between(today, last_day)


def deadline_out(d: Deadline, now: datetime, calendar: WorkingDayCalendar | None = None) -> S.DeadlineOut:
    seconds_left = None
    if d.state in OPEN_DEADLINE_STATES:
        seconds_left = int((as_utc(d.due_at) - now).total_seconds())
    return S.DeadlineOut(
        id=d.id,
        incident_id=d.incident_id,
        case_id=d.case_id,
        kind=d.kind,
        kind_label=DeadlineKind.label_of(d.kind),
        starts_at=local_iso(d.starts_at),
        due_at=local_iso(d.due_at),
        state=d.state,
        state_label=DeadlineState.label_of(d.state),
        provisional=d.provisional,
        met_at=local_iso(d.met_at),
        breached_at=local_iso(d.breached_at),
        waived_reason=d.waived_reason,
        seconds_left=seconds_left,
        basis="working_days" if is_working_day_clock(d) else "hours",
        due_label=due_label(d),
        working_days_left=working_days_left(d, now, calendar),
    )


def release_ref(r: Release | None) -> S.ReleaseRef | None:
    if r is None:
        return None
    return S.ReleaseRef(
        id=r.id,
        title=r.title,
        indicator=r.indicator,
        indicator_name=indicator_label(r.indicator, r.indicator_name),
        period_label=r.period_label,
        published_at=local_iso(r.published_at),
    )


def incident_fields(
    i: Incident, release: Release | None, deadlines: list[Deadline], now: datetime
) -> dict[str, Any]:
    ordered = sorted(deadlines, key=lambda d: (as_utc(d.due_at), d.id))
    return dict(
        id=i.id,
        grade=i.grade,
        grade_label=Grade.label_of(i.grade),
        category=i.category,
        category_label=Category.label_of(i.category),
        status=i.status,
        status_label=IncidentStatus.label_of(i.status),
        title=i.title,
        subtitle=i.subtitle,
        summary=i.summary,
        situation=(i.situation or "").splitlines(),
        owner=i.owner,
        opened_by=i.opened_by,
        opened_by_label=actor_label(i.opened_by),
        opened_at=local_iso(i.opened_at),
        acknowledged_at=local_iso(i.acknowledged_at),
        closed_at=local_iso(i.closed_at),
        first_mention_at=local_iso(i.first_mention_at),
        last_mention_at=local_iso(i.last_mention_at),
        risk=round(i.risk, 1),
        mention_count=i.mention_count,
        release=release_ref(release),
        deadlines=[deadline_out(d, now) for d in ordered],
    )


def event_out(e: IncidentEvent) -> S.EventOut:
    return S.EventOut(
        id=e.id, at=local_iso(e.at), actor=e.actor, actor_label=actor_label(e.actor), kind=e.kind,
        kind_label=TimelineKind.label_of(e.kind), message=e.message, data=e.data or {}
    )


def action_out(a: Action) -> S.ActionOut:
    return S.ActionOut(
        id=a.id,
        incident_id=a.incident_id,
        case_id=a.case_id,
        kind=a.kind,
        kind_label=ActionKind.label_of(a.kind),
        at=local_iso(a.at),
        actor=a.actor,
        evidence_url=a.evidence_url,
        place=a.place,
        description=a.description,
    )


def risk_factors(raw: list[Any] | None) -> list[S.RiskFactorOut]:
    out = []
    for f in raw or []:
        if isinstance(f, dict) and "label" in f:
            out.append(
                S.RiskFactorOut(
                    key=str(f.get("key", "")),
                    label=str(f["label"]),
                    value=f.get("value"),
                    contribution=f.get("contribution"),
                )
            )
    return out


def _story_of(m: Mention) -> Story | None:
    """The mention's story through its own session (the identity map keeps repeats free)."""
    session = object_session(m)
    return session.get(Story, m.story_id) if session is not None and m.story_id is not None else None


def mention_out(m: Mention) -> S.MentionOut:
    topics = list(m.sensitive_topics or [])
    story = _story_of(m)
    return S.MentionOut(
        id=m.id,
        platform=m.platform,
        platform_label=Platform.label_of(m.platform),
        published_at=local_iso(m.published_at),
        analysed_at=local_iso(m.analysed_at),
        title=m.title,
        text=m.text,
        author=m.author,
        url=m.url,
        sentiment=m.sentiment,
        sentiment_label=Sentiment.label_of(m.sentiment),
        p_negative=m.p_negative,
        p_neutral=m.p_neutral,
        p_positive=m.p_positive,
        risk=round(m.risk, 1),
        risk_factors=risk_factors(m.risk_factors),
        sensitive_topics=topics,
        sensitive_topic_labels=[SensitiveTopic.label_of(t) for t in topics],
        topics=list(m.topics or []),
        story_id=m.story_id,
        event_key=m.event_key,
        authority=m.authority,
        authority_label=AuthorityKind.label_of(m.authority) if m.authority else None,
        story_size=story.size if story else None,
        story_earliest_publisher=story.earliest_publisher if story else None,
        story_earliest_at=local_iso(story.earliest_published_at) if story else None,
    )


def story_out(s: Story) -> S.StoryOut:
    return S.StoryOut(
        id=s.id,
        title=s.title,
        size=s.size,
        platforms=s.platforms or {},
        risk=round(s.risk, 1),
        risk_factors=risk_factors(s.risk_factors),
        earliest_published_at=local_iso(s.earliest_published_at),
        earliest_publisher=s.earliest_publisher,
        updated_at=local_iso(s.updated_at),
    )


def case_out(
    c: Case, deadlines: list[Deadline], now: datetime, calendar: WorkingDayCalendar | None = None
) -> S.CaseOut:
    return S.CaseOut(
        id=c.id,
        kind=c.kind,
        title=c.title,
        body=c.body,
        complex=c.complex,
        channel=c.channel,
        contact=c.contact,
        external_ref=c.external_ref,
        received_at=local_iso(c.received_at),
        status=c.status,
        closed_at=local_iso(c.closed_at),
        deadlines=[deadline_out(d, now, calendar) for d in sorted(deadlines, key=lambda d: d.id)],
    )


def urgency_key(grade: str, deadlines: list[Deadline], now: datetime) -> tuple[int, float, int]:
    """Sort key of the board: breached clocks first, then the nearest due time, then the grade.

    An incident without a running clock goes after every incident with one.
    """
    active = [as_utc(d.due_at) for d in deadlines if d.state in OPEN_DEADLINE_STATES]
    if not active:
        return (2, 0.0, grade_rank(grade))
    nearest = min(active)
    breached = 0 if nearest <= now else 1
    return (breached, (nearest - now).total_seconds(), grade_rank(grade))


def source_warnings(s: Source, interval_seconds: int | None, now: datetime) -> list[str]:
    """Why the duty officer should look at this source (Chinese sentences; empty when healthy)."""
    warnings: list[str] = []
    if not s.enabled:
        return ["已停用"]
    if s.status == SourceStatus.BLOCKED:
        until = f"，退避至 {local_iso(s.backoff_until)[11:16]}" if s.backoff_until else ""
        warnings.append(f"被目标站点封禁或要求验证{until}")
    elif s.status == SourceStatus.ERROR:
        warnings.append("最近一次采集出错" + (f"：{s.last_error[:80]}" if s.last_error else ""))
    elif s.status == SourceStatus.WARNING:
        warnings.append("采集异常" + (f"：{s.last_error[:80]}" if s.last_error else ""))
    if s.backoff_until is not None and as_utc(s.backoff_until) > now and s.status != SourceStatus.BLOCKED:
        warnings.append(f"退避中，至 {local_iso(s.backoff_until)[11:16]} 恢复")
    if interval_seconds and s.last_run_at is not None:
        stale_after = timedelta(seconds=max(3 * interval_seconds, 600))
        last_ok = s.last_success_at
        if last_ok is None or now - as_utc(last_ok) > stale_after:
            warnings.append("长时间没有成功采集")
    never_stored = s.items_last_run == 0 and s.total_items == 0
    if s.last_run_at is not None and s.status == SourceStatus.OK and never_stored:
        warnings.append("尚未采集到任何条目")
    return warnings

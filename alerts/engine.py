"""The alert engine's two scheduler jobs: `process_mentions` (new analysed mentions → incidents) and
`tick` (deadline states, reminders, escalation, update windows). Both flush; the caller commits, so every
state change and its outbox rows land in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yuqing.analysis.incident_describe import describe_incident, event_title
from yuqing.clock import as_utc, to_local
from yuqing.config import Settings
from yuqing.store.models import (
    Action,
    Case,
    Deadline,
    Incident,
    IncidentMention,
    Mention,
    MentionRelease,
    MentionRelink,
    Notification,
    Source,
)
from yuqing.vocab import (
    OPEN_DEADLINE_STATES,
    UNDUE_DEADLINE_STATES,
    ActionKind,
    CaseStatus,
    Category,
    DeadlineKind,
    DeadlineState,
    Grade,
    IncidentStatus,
    MediaTier,
    NoticeKind,
    RuleActor,
    TimelineKind,
    grade_rank,
)

from . import outbox, service
from .calendar import WorkingDayCalendar
from .deadlines import clock_of, open_window
from .escalation import SKIPPED, Step, plan, skipped, working_day_schedule
from .grading import Assessment, MentionFacts, assess
from .grouping import Event, event_of
from .holidays import load_calendar
from .policy import IncidentPolicy, WindowSpec, owes_updates
from .templates import Text, deadline_notice, incident_link
from .timeline import record_event

RULE = RuleActor.GRADE_THRESHOLD
BATCH = 2000
UPDATE_ANCHORS = (ActionKind.AUTHORITATIVE_INFO, ActionKind.PRESS_CONFERENCE, ActionKind.UPDATE,
                  ActionKind.STATEMENT)


def _facts(session: Session, mentions: list[Mention], settings: Settings) -> list[MentionFacts]:
    tiers = dict(session.execute(select(Source.id, Source.media_tier)).all())
    return [MentionFacts(risk=m.risk, at=m.published_at or m.analysed_at,
                         sensitive_topics=tuple(m.sensitive_topics or ()),
                         media_tier=tiers.get(m.source_id, MediaTier.SELF) if m.source_id else MediaTier.SELF)
            for m in mentions]


def _release_of(session: Session, mention_ids: list[int], event_release: int | None = None) -> int | None:
    """The event's release: the one it is the reaction to (grouping.Event.release_id, from each
    mention's best link as analysis recorded it); otherwise the one its mentions link with the most
    summed confidence (a weak link by generic words such as 统计局 counts for little against named
    indicators)."""
    if event_release is not None:
        return event_release
    if not mention_ids:
        return None
    row = session.execute(
        select(MentionRelease.release_id, func.sum(MentionRelease.confidence))
        .where(MentionRelease.mention_id.in_(mention_ids))
        .group_by(MentionRelease.release_id)
        .order_by(func.sum(MentionRelease.confidence).desc(), MentionRelease.release_id)
        .limit(1)
    ).first()
    return row[0] if row else None


def _event(m: Mention) -> Event | None:
    return event_of(sentiment=m.sentiment, p_negative=m.p_negative, sensitive_topics=m.sensitive_topics or (),
                    release_id=m.release_id, subject=m.subject, published_at=m.published_at,
                    story_id=m.story_id)


def process_mentions(session: Session, settings: Settings, *, now: datetime) -> list[int]:
    """Group new mentions, and those analysis relinked since (`MentionRelink`), into events; open or
    update one incident per event. Returns the incident ids touched."""
    now = as_utc(now)
    touched: list[int] = []
    while True:
        relinks = list(session.scalars(
            select(MentionRelink).where(MentionRelink.picked_up_at.is_(None)).order_by(MentionRelink.id)
            .limit(BATCH)))
        batch = {m.id: m for m in session.scalars(
            select(Mention).where(Mention.alerted.is_(False)).order_by(Mention.id).limit(BATCH))}
        moved = {r.mention_id for r in relinks} - set(batch)
        if moved:
            batch.update({m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(moved)))})
        if not batch:
            break
        groups: dict[Event, list[Mention]] = defaultdict(list)
        events: dict[int, Event | None] = {}
        for mention_id in sorted(batch):
            events[mention_id] = event = _event(batch[mention_id])
            if event is not None:
                groups[event].append(batch[mention_id])
        # Nothing is written before the events are decided: two engines on the same mentions both
        # read first, and the unique open event key settles which one opens (see _open_once).
        for event, new in groups.items():
            incident_id = _process_event(session, settings, event, new, now, batch_ids=list(batch))
            if incident_id is not None and incident_id not in touched:
                touched.append(incident_id)
        for mention_id, mention in batch.items():
            # One UPDATE per mention: its event and "seen" together.
            event = events[mention_id]
            mention.event_key, mention.alerted = (event.key if event else None), True
        for relink in relinks:
            relink.picked_up_at = now
        session.flush()
    return touched


def _merge_moved(
    session: Session, settings: Settings, event_key: str, new: list[Mention], now: datetime
) -> None:
    """Mentions relinked to another event (their release became known) bring their incidents along.

    Every open incident holding such a mention, and the event's own incident if it has one,
    become one: the earliest opened survives (its clocks started first, which is what the
    assessment counts), takes the event's key and the highest grade; the others are closed
    as merged, their pending windows waived with the reason, their mentions moved over.
    """
    prior_ids = (
        select(IncidentMention.incident_id)
        .where(IncidentMention.mention_id.in_([m.id for m in new]))
        .distinct()
    )
    prior = list(session.scalars(
        select(Incident).where(Incident.id.in_(prior_ids), Incident.event_key != event_key,
                               Incident.status != IncidentStatus.CLOSED)
        .order_by(Incident.id)))
    if not prior:
        return
    own = session.scalar(select(Incident).where(Incident.event_key == event_key,
                                                Incident.status != IncidentStatus.CLOSED)
                         .order_by(Incident.id).limit(1))
    group = prior + ([own] if own is not None and own not in prior else [])
    survivor = min(group, key=lambda i: (i.opened_at, i.id))
    top_grade = min((i.grade for i in group), key=grade_rank)
    for other in group:
        if other is survivor:
            continue
        held = set(session.scalars(
            select(IncidentMention.mention_id).where(IncidentMention.incident_id == survivor.id)))
        for link in session.scalars(select(IncidentMention).where(IncidentMention.incident_id == other.id)):
            if link.mention_id not in held:
                session.add(IncidentMention(incident_id=survivor.id, mention_id=link.mention_id,
                                            attached_at=now))
        reason = f"并入事件 #{survivor.id}"
        for deadline in session.scalars(select(Deadline).where(
                Deadline.incident_id == other.id, Deadline.state.in_(UNDUE_DEADLINE_STATES))):
            deadline.state, deadline.waived_reason = DeadlineState.WAIVED, reason
        other.status, other.closed_at, other.event_key = IncidentStatus.CLOSED, now, f"merged:{survivor.id}"
        record_event(session, incident_id=other.id, now=now, actor=RULE, kind=TimelineKind.MERGED,
                     message=f"同一事件的信息已关联到同一数据发布：{reason}", details={"into": survivor.id})
        record_event(session, incident_id=survivor.id, now=now, actor=RULE, kind=TimelineKind.MERGED,
                     message=f"并入事件 #{other.id}（{other.grade} 级）的信息", before=other.id)
    session.flush()  # the merged ones give up the key before the survivor takes it (unique when open)
    survivor.event_key = event_key
    session.flush()
    if grade_rank(top_grade) < grade_rank(survivor.grade):
        service.change_grade(session, incident_id=survivor.id, grade=top_grade, actor=RULE, now=now,
                             reason="合并同一事件", settings=settings)


def _open_once(
    session: Session, settings: Settings, event: Event, mentions: list[Mention], verdict: Assessment,
    now: datetime,
) -> Incident | None:
    """Open the event's incident, or None when another engine's open incident holds the key.

    The unique index on the open event key decides (PostgreSQL makes this insert wait for the
    other transaction, then refuses it); the savepoint undoes only this attempt, so no second
    incident, no second set of deadlines and no second "opened" notice survive.
    """
    ids = [m.id for m in mentions]
    event_key = event.key
    release_id = _release_of(session, ids, event.release_id)
    try:
        with session.begin_nested():
            incident = service.open_incident(  # the title says what the event is (issue 13)
                session, title=event_title(session, release_id, verdict.category, mentions, event_key),
                grade=verdict.grade or Grade.IV, category=verdict.category, actor=RULE, now=now,
                mention_ids=ids, release_id=release_id, event_key=event_key,
                summary="；".join(verdict.reasons), settings=settings)
    except IntegrityError:
        return None
    return incident  # open_incident wrote its title, subtitle and situation (issue 13)


def _process_event(
    session: Session, settings: Settings, event: Event, new: list[Mention], now: datetime,
    *, batch_ids: list[int] | None = None,
) -> int | None:
    event_key = event.key
    _merge_moved(session, settings, event_key, new, now)
    incident = session.scalar(
        select(Incident).where(Incident.event_key == event_key).order_by(Incident.id).limit(1))
    if incident is None:
        # Earlier mentions of the event (below threshold then) count now that it has grown.
        # (this batch's mentions are not marked yet: theirs is `new`, whatever key they had before)
        earlier = select(Mention).where(Mention.event_key == event_key)
        if batch_ids:
            earlier = earlier.where(Mention.id.not_in(batch_ids))
        mentions = [*session.scalars(earlier), *new]
        verdict = assess(_facts(session, mentions, settings), thresholds=settings.risk.grade_thresholds,
                         min_mentions=settings.risk.min_mentions, now=now)
        if verdict.grade is None:
            return None
        opened = _open_once(session, settings, event, mentions, verdict, now)
        if opened is not None:
            return opened.id
        # Another engine opened it first (it committed while we were deciding): join that one.
        incident = session.scalar(select(Incident).where(Incident.event_key == event_key,
                                                         Incident.status != IncidentStatus.CLOSED))
        assert incident is not None
    attached = set(session.scalars(
        select(IncidentMention.mention_id).where(IncidentMention.incident_id == incident.id)))
    fresh = [m for m in new if m.id not in attached]
    for mention in fresh:
        session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, attached_at=now))
    session.flush()
    mentions = list(session.scalars(
        select(Mention).join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .where(IncidentMention.incident_id == incident.id)))
    times = [m.published_at or m.analysed_at for m in mentions]
    incident.mention_count = len(mentions)
    incident.first_mention_at, incident.last_mention_at = min(times), max(times)
    incident.risk = max(m.risk for m in mentions)
    if incident.release_id is None or event.release_id is not None:
        incident.release_id = _release_of(session, [m.id for m in mentions], event.release_id)
    if fresh:
        record_event(session, incident_id=incident.id, now=now, actor=RULE,
                     kind=TimelineKind.MENTIONS_ATTACHED,
                     message=f"新增相关信息 {len(fresh)} 条，累计 {len(mentions)} 条",
                     details={"mention_ids": [m.id for m in fresh]})
    verdict = assess(_facts(session, mentions, settings), thresholds=settings.risk.grade_thresholds,
                     min_mentions=settings.risk.min_mentions, now=now)
    if verdict.reasons:  # the assessment as it stands now, not as it stood at opening
        incident.summary = "；".join(verdict.reasons)
    is_open = incident.status != IncidentStatus.CLOSED
    if is_open and verdict.category not in (incident.category, Category.OTHER):
        # 研判 follows the event: a wave that began as price complaints and became accusations of
        # fake figures is a data-credibility incident now. Windows already open stay as they are.
        record_event(
            session, incident_id=incident.id, now=now, actor=RULE, kind=TimelineKind.CATEGORY_CHANGED,
            message=f"类别：{Category.label_of(incident.category)} → {Category.label_of(verdict.category)}",
            before=incident.category, after=verdict.category)
        incident.category = verdict.category
    if (incident.status != IncidentStatus.CLOSED and verdict.grade is not None
            and grade_rank(verdict.grade) < grade_rank(incident.grade)):
        service.change_grade(session, incident_id=incident.id, grade=verdict.grade, actor=RULE, now=now,
                             reason="事件扩大：" + "；".join(verdict.reasons), settings=settings)
    describe_incident(session, incident, mentions, now=now)  # the situation follows the event (issue 13)
    session.flush()
    return incident.id


def tick(session: Session, settings: Settings, *, now: datetime) -> None:
    """Advance every open deadline to `now`: states, reminders, escalation; open the next update window."""
    now = as_utc(now)
    _open_update_windows(session, now)
    deadlines = list(session.scalars(
        select(Deadline).where(Deadline.state.in_(OPEN_DEADLINE_STATES))
        .order_by(Deadline.due_at, Deadline.id)))
    calendar = load_calendar(session, settings) if deadlines else None
    for deadline in deadlines:
        _advance(session, settings, deadline, now, calendar)
    session.flush()


def _open_update_windows(session: Session, now: datetime) -> None:
    """Incidents of the grades their frozen policy says (I by default) owe an authoritative update every
    `update_every_hours` after their last publication."""
    incidents = session.scalars(select(Incident).where(Incident.status != IncidentStatus.CLOSED))
    for incident in incidents:
        policy = IncidentPolicy.load(incident.policy)
        if not owes_updates(policy, incident.grade):
            continue
        hours = float(policy.update_every_hours)
        open_update = session.scalar(select(Deadline.id).where(
            Deadline.incident_id == incident.id, Deadline.kind == DeadlineKind.UPDATE,
            Deadline.state.in_(OPEN_DEADLINE_STATES)).limit(1))
        if open_update is not None:
            continue
        anchor = session.scalar(select(func.max(Action.at)).where(
            Action.incident_id == incident.id, Action.kind.in_(UPDATE_ANCHORS), Action.at <= now))
        if anchor is None:
            continue
        anchor = as_utc(anchor)
        exists = session.scalar(select(Deadline.id).where(
            Deadline.incident_id == incident.id, Deadline.kind == DeadlineKind.UPDATE,
            Deadline.starts_at == anchor))
        if exists is None:
            open_window(session, spec=WindowSpec(DeadlineKind.UPDATE, hours=hours), starts_at=anchor,
                        policy=policy, now=now, incident_id=incident.id)


def _advance(
    session: Session, settings: Settings, deadline: Deadline, now: datetime,
    calendar: WorkingDayCalendar | None = None,
) -> None:
    """Take the steps the deadline's frozen clock owes at `now` (never reads the live policy)."""
    calendar = calendar or load_calendar(session, settings)
    steps = plan(state=deadline.state, due_at=deadline.due_at, clock=clock_of(deadline),
                 sent=list(deadline.reminders_sent or []), now=now, calendar=calendar)
    if steps.state != deadline.state:
        if steps.state == DeadlineState.BREACHED:
            deadline.breached_at = deadline.due_at
        deadline.state = steps.state
    if not steps.mark:
        return
    marks = steps.mark
    if is_quiet(session, deadline):
        marks = [m if m.startswith(SKIPPED) else skipped(m) for m in marks]
    else:
        write_notices(session, settings, deadline, steps.send, now, calendar=calendar)
    deadline.reminders_sent = [*(deadline.reminders_sent or []), *marks]


def is_quiet(session: Session, deadline: Deadline) -> bool:
    """A closed incident or an answered case gets no more reminders (its windows still count)."""
    incident = session.get(Incident, deadline.incident_id) if deadline.incident_id else None
    case = session.get(Case, deadline.case_id) if deadline.case_id else None
    return (incident is not None and incident.status == IncidentStatus.CLOSED) or (
        case is not None and case.status != CaseStatus.OPEN)


def notice_key(deadline: Deadline, step: str) -> str:
    """The outbox key of a deadline's step; a due time recomputed on a new calendar starts afresh."""
    revision = clock_of(deadline).revision
    return f"deadline:{deadline.id}:{step}" if revision == 0 else f"deadline:{deadline.id}:r{revision}:{step}"


def working_day_note(
    session: Session, settings: Settings, deadline: Deadline, now: datetime,
    calendar: WorkingDayCalendar | None,
) -> str | None:
    """For a working-day clock, its last day and the working days left (the hours say little)."""
    clock = clock_of(deadline)
    if clock.unit != "working_days":
        return None
    calendar = calendar or load_calendar(session, settings)
    last_day = working_day_schedule(deadline.due_at, clock, calendar).last_day
    today = to_local(now).date()
    left = calendar.workdays_between(today, last_day) + (1 if calendar.is_workday(today) else 0)
    when = f"最后一个工作日为 {last_day:%Y-%m-%d}（含今天还有 {left} 个工作日）" if today <= last_day else \
        f"最后一个工作日 {last_day:%Y-%m-%d} 已过"
    return when + ("；节假日安排未公布，截止时间暂定" if deadline.provisional else "")


def write_notices(
    session: Session, settings: Settings, deadline: Deadline, steps: list[Step], now: datetime,
    note: str | None = None, calendar: WorkingDayCalendar | None = None,
) -> list[Notification]:
    """Write the outbox rows of these steps (key: deadline + step + channel, so never twice)."""
    days_left = working_day_note(session, settings, deadline, now, calendar)
    incident = session.get(Incident, deadline.incident_id) if deadline.incident_id else None
    if incident is not None:
        title, grade, link = incident.title, incident.grade, incident_link(settings.base_url, incident.id)
        fields: dict[str, object] = {"incident_id": incident.id, "grade": incident.grade,
                                     "category": incident.category}
    else:
        case = session.get(Case, deadline.case_id)
        assert case is not None
        title, grade = case.title, None
        link = f"{settings.base_url.rstrip('/')}/cases/{case.id}"
        fields = {"case_id": case.id}
    rows: list[Notification] = []
    for step in steps:
        text = deadline_notice(step=step.name, deadline_kind=deadline.kind, due_at=deadline.due_at,
                               now=now, subject_title=title, grade=grade, link=link, audience=step.audience,
                               remaining_text=days_left)
        if note:
            text = Text(text.subject, f"{text.body}\n- {note}")
        rows += outbox.enqueue(session, key=notice_key(deadline, step.name), text=text,
                               fields={**fields, "deadline_id": deadline.id, "deadline_kind": deadline.kind,
                                       "kind": NoticeKind.DEADLINE, "step": step.name},
                               audience=step.audience, settings=settings, now=now,
                               incident_id=deadline.incident_id, deadline_id=deadline.id)
    return rows


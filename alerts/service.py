"""Changes to incidents, cases and deadlines (plain functions the API and the CLI call).

Every function takes keyword arguments and a Session, records who did what in the append-only
timeline, flushes but never commits (the caller owns the transaction, so the outbox rows written here
commit or roll back with the change). Refusals raise `NotFound` / `InvalidTransition` with a Chinese message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.analysis.incident_describe import describe_incident
from yuqing.clock import as_utc, to_local
from yuqing.config import Settings, get_settings
from yuqing.store.models import (
    Action,
    Case,
    Deadline,
    Incident,
    IncidentEvent,
    IncidentMention,
    Mention,
    Release,
    Silence,
)
from yuqing.vocab import (
    PUBLISHING_ACTIONS,
    UNDUE_DEADLINE_STATES,
    ActionKind,
    CaseKind,
    CaseStatus,
    Category,
    DeadlineKind,
    DeadlineState,
    Grade,
    IncidentStatus,
    SilenceField,
    TimelineKind,
    actor_label,
)

from . import outbox
from .deadlines import meet_with_action, open_window
from .errors import InvalidTransition, NotFound
from .holidays import load_calendar
from .policy import ACTION_MEETS, CASE_KINDS, IncidentPolicy, case_window, freeze, incident_windows
from .timeline import record_event

STATUSES = IncidentStatus.values()  # in order: forward moves may skip
# Forward moves (skipping allowed) and one step back when a calmed event flares up again.
BACKWARD_ALLOWED = {(IncidentStatus.MONITORING, IncidentStatus.RESPONDING)}


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidTransition(f"{name} 必须带时区")
    return as_utc(value)


def _get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"事件 {incident_id} 不存在")
    return incident


def _require_actor(actor: str) -> str:
    if not actor or not actor.strip():
        raise InvalidTransition("必须注明操作人")
    return actor.strip()


def open_windows_for_grade(
    session: Session, incident: Incident, *, starts_at: datetime, now: datetime
) -> list[Deadline]:
    """Open the windows the frozen policy gives this grade and category that are not open yet."""
    existing = set(session.scalars(select(Deadline.kind).where(Deadline.incident_id == incident.id)))
    policy = IncidentPolicy.load(incident.policy)
    created = []
    for spec in incident_windows(policy, incident.grade, incident.category):
        if spec.kind in existing:
            continue
        created.append(open_window(session, spec=spec, starts_at=starts_at, policy=policy, now=now,
                                   incident_id=incident.id))
    return created


def open_incident(
    session: Session, *, title: str, grade: str, category: str, actor: str, now: datetime,
    mention_ids: Iterable[int] = (), release_id: int | None = None, summary: str | None = None,
    event_key: str | None = None, settings: Settings | None = None,
) -> Incident:
    """Open an incident by hand or by rule; the policy in force is frozen into it and its deadlines."""
    settings = settings or get_settings()
    actor = _require_actor(actor)
    now = _aware(now, "now")
    if not title or not title.strip():
        raise InvalidTransition("事件标题不能为空")
    if grade not in Grade.values():
        raise InvalidTransition(f"级别应为 I、II、III、IV 之一，收到 {grade!r}")
    if category not in Category.values():
        raise InvalidTransition(f"类别应为 {'、'.join(Category.values())} 之一"
                                f"（{'、'.join(Category.labels().values())}），收到 {category!r}")
    if release_id is not None and session.get(Release, release_id) is None:
        raise NotFound(f"数据发布 {release_id} 不存在")
    ids = list(dict.fromkeys(mention_ids))
    mentions = list(session.scalars(select(Mention).where(Mention.id.in_(ids)))) if ids else []
    missing = set(ids) - {m.id for m in mentions}
    if missing:
        raise NotFound(f"舆情信息 {sorted(missing)} 不存在")
    times = [m.published_at or m.analysed_at for m in mentions]
    incident = Incident(
        title=title.strip(), grade=grade, category=category, status=IncidentStatus.DETECTED,
        event_key=event_key,
        release_id=release_id, summary=summary, opened_by=actor, opened_at=now,
        first_mention_at=min(times) if times else None, last_mention_at=max(times) if times else None,
        mention_count=len(mentions), risk=max((m.risk for m in mentions), default=0.0),
        policy=freeze(settings.policy),
    )
    session.add(incident)
    session.flush()
    for mention in mentions:
        session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, attached_at=now))
    # the representative post and the three-line situation, whoever opened it (a rule also gets its
    # title generated; a title typed by a person is kept) — issue 13
    describe_incident(session, incident, mentions, now=now)
    record_event(session, actor=actor, now=now, kind=TimelineKind.OPENED, incident_id=incident.id,
                 message=f"{actor_label(actor)} 于 {to_local(now):%Y-%m-%d %H:%M}（北京时间）开立事件，"
                         f"级别 {grade}",
                 details={"grade": grade, "category": category, "mention_ids": ids})
    deadlines = open_windows_for_grade(session, incident, starts_at=clock_anchor(incident, now), now=now)
    outbox.notify_incident(session, incident=incident, kind="opened", settings=settings, now=now,
                           deadlines=deadlines)
    return incident


def clock_anchor(incident: Incident, now: datetime) -> datetime:
    """When an incident's response windows start, per its frozen policy `clock_starts`.

    "opened" (default): when the incident was opened, even if a later upgrade brings it to
    grade I/II: the bureau knew of the event from then, and timeliness is assessed on it.
    "first_mention": the event's first mention. "graded": the moment the grade was reached.
    """
    mode = IncidentPolicy.load(incident.policy).clock_starts
    if mode == "graded":
        return now
    if mode == "first_mention" and incident.first_mention_at:
        return min(now, incident.first_mention_at)
    return min(now, incident.opened_at)


def acknowledge(session: Session, *, incident_id: int, actor: str, now: datetime) -> Incident:
    incident = _get_incident(session, incident_id)
    if incident.status != IncidentStatus.DETECTED:
        raise InvalidTransition(f"事件当前状态为「{IncidentStatus.label_of(incident.status)}」，无法确认")
    return change_status(session, incident_id=incident_id, status=IncidentStatus.ACKNOWLEDGED, actor=actor,
                         now=now)


def change_status(
    session: Session, *, incident_id: int, status: str, actor: str, now: datetime, note: str | None = None
) -> Incident:
    """Move along detected → … → closed (skipping forward allowed; monitoring may go back to responding)."""
    actor = _require_actor(actor)
    now = _aware(now, "now")
    incident = _get_incident(session, incident_id)
    if status not in STATUSES:
        known = "、".join(f"{s}（{s.label}）" for s in IncidentStatus)
        raise InvalidTransition(f"未知状态 {status!r}，应为 {known} 之一")
    old = incident.status
    forward = STATUSES.index(status) > STATUSES.index(old)
    if not forward and (old, status) not in BACKWARD_ALLOWED:
        raise InvalidTransition(
            f"不能从「{IncidentStatus.label_of(old)}」变更为「{IncidentStatus.label_of(status)}」")
    incident.status = status
    if status != IncidentStatus.DETECTED and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    if status == IncidentStatus.CLOSED:
        incident.closed_at = now
        # Updates are owed only while open; the other windows stay for the assessment to count.
        for deadline in session.scalars(select(Deadline).where(
                Deadline.incident_id == incident.id, Deadline.kind == DeadlineKind.UPDATE,
                Deadline.state.in_(UNDUE_DEADLINE_STATES))):
            deadline.state, deadline.waived_reason = DeadlineState.WAIVED, "事件已关闭，无需继续更新"
    message = (f"状态：{IncidentStatus.label_of(old)} → {IncidentStatus.label_of(status)}"
               + (f"（{note}）" if note else ""))
    record_event(session, actor=actor, now=now, kind=TimelineKind.STATUS_CHANGED, incident_id=incident.id,
                 message=message, before=old, after=status, details={"note": note})
    if status == IncidentStatus.CLOSED:
        from .evaluation import on_close  # 处置评估 for grade I/II: figures recorded at closing

        on_close(session, incident, actor=actor, now=now)
    session.flush()
    return incident


def change_grade(
    session: Session, *, incident_id: int, grade: str, actor: str, now: datetime, reason: str,
    settings: Settings | None = None,
) -> Incident:
    """Regrade; a grade whose frozen policy gives more windows (I: 5 h / 24 h) opens them,
    counted from its clock anchor (see `clock_anchor`)."""
    actor = _require_actor(actor)
    now = _aware(now, "now")
    incident = _get_incident(session, incident_id)
    if grade not in Grade.values():
        raise InvalidTransition(f"级别应为 I、II、III、IV 之一，收到 {grade!r}")
    if not reason or not reason.strip():
        raise InvalidTransition("调整级别必须说明理由")
    if grade == incident.grade:
        raise InvalidTransition(f"事件已是 {grade} 级")
    if incident.status == IncidentStatus.CLOSED:
        raise InvalidTransition("事件已关闭，不能调整级别")
    old = incident.grade
    incident.grade = grade
    upgraded = Grade(grade).rank < Grade(old).rank
    kind = TimelineKind.GRADE_UPGRADED if upgraded else TimelineKind.GRADE_DOWNGRADED
    record_event(session, actor=actor, now=now, kind=kind, incident_id=incident.id,
                 message=f"级别：{old} → {grade}（{reason.strip()}）",
                 before=old, after=grade, details={"reason": reason})
    created = open_windows_for_grade(session, incident, starts_at=clock_anchor(incident, now), now=now)
    if kind == TimelineKind.GRADE_UPGRADED:
        outbox.notify_incident(session, incident=incident, kind=f"upgraded-{grade}",
                               settings=settings or get_settings(), now=now, deadlines=created)
    return incident


def assign(session: Session, *, incident_id: int, owner: str, actor: str, now: datetime) -> Incident:
    actor = _require_actor(actor)
    now = _aware(now, "now")
    incident = _get_incident(session, incident_id)
    if not owner or not owner.strip():
        raise InvalidTransition("负责人不能为空")
    old = incident.owner
    incident.owner = owner.strip()
    record_event(session, actor=actor, now=now, kind=TimelineKind.ASSIGNED, incident_id=incident.id,
                 message=f"负责人：{old or '无'} → {incident.owner}", before=old, after=incident.owner)
    return incident


def add_note(session: Session, *, incident_id: int, message: str, actor: str, now: datetime) -> IncidentEvent:
    actor = _require_actor(actor)
    now = _aware(now, "now")
    _get_incident(session, incident_id)
    if not message or not message.strip():
        raise InvalidTransition("备注内容不能为空")
    return record_event(session, actor=actor, now=now, kind=TimelineKind.NOTE, incident_id=incident_id,
                        message=message.strip())


def record_action(
    session: Session, *, kind: str, at: datetime, actor: str, now: datetime, incident_id: int | None = None,
    case_id: int | None = None, evidence_url: str | None = None, place: str | None = None,
    description: str | None = None,
) -> Action:
    """Record a response with its evidence; it meets the matching open deadlines (late ones count late)."""
    actor = _require_actor(actor)
    now = _aware(now, "now")
    at = _aware(at, "at")
    if (incident_id is None) == (case_id is None):
        raise InvalidTransition("回应须且只能关联一个事件或一个事项")
    if kind not in ACTION_MEETS:
        raise InvalidTransition(f"未知的回应类型 {kind!r}，应为 {'、'.join(ACTION_MEETS)} 之一"
                                f"（{'、'.join(ActionKind.label_of(k) for k in ACTION_MEETS)}）")
    if at > now:
        raise InvalidTransition("回应时间不能晚于当前时间")
    if kind in PUBLISHING_ACTIONS and not evidence_url:
        raise InvalidTransition("发布权威信息须提供发布链接作为证据")
    if kind == ActionKind.PRESS_CONFERENCE and not place:
        raise InvalidTransition("新闻发布会须注明地点")
    if incident_id is not None:
        _get_incident(session, incident_id)
    elif session.get(Case, case_id) is None:
        raise NotFound(f"事项 {case_id} 不存在")
    action = Action(incident_id=incident_id, case_id=case_id, kind=kind, at=at, actor=actor,
                    evidence_url=evidence_url, place=place, description=description, created_at=now)
    session.add(action)
    session.flush()
    met = meet_with_action(session, action)
    record_event(session, actor=actor, now=now, kind=TimelineKind.ACTION, incident_id=incident_id,
                 case_id=case_id,
                 message="，".join(p for p in (f"回应：{ActionKind.label_of(kind)}", evidence_url, place)
                                  if p),
                 details={"action_id": action.id, "met_deadline_ids": [d.id for d in met]})
    if case_id is not None and met and all(d.kind in CASE_KINDS.values() for d in met):
        case = session.get(Case, case_id)
        assert case is not None
        case.status, case.closed_at = CaseStatus.ANSWERED, at
    return action


def waive_deadline(session: Session, *, deadline_id: int, reason: str, actor: str, now: datetime) -> Deadline:
    actor = _require_actor(actor)
    now = _aware(now, "now")
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFound(f"期限 {deadline_id} 不存在")
    if not reason or not reason.strip():
        raise InvalidTransition("豁免期限必须说明理由")
    if deadline.state in (DeadlineState.MET, DeadlineState.WAIVED):
        raise InvalidTransition(f"期限已是「{DeadlineState.label_of(deadline.state)}」状态，不能豁免")
    old = deadline.state
    deadline.state, deadline.waived_reason = DeadlineState.WAIVED, reason.strip()
    record_event(session, actor=actor, now=now, kind=TimelineKind.DEADLINE_WAIVED,
                 incident_id=deadline.incident_id, case_id=deadline.case_id,
                 message=f"豁免期限「{DeadlineKind.label_of(deadline.kind)}」：{reason.strip()}",
                 before=old, details={"deadline_id": deadline.id})
    return deadline


def create_case(
    session: Session, *, kind: str, title: str, received_at: datetime, actor: str, now: datetime,
    complex: bool = False, body: str | None = None, channel: str | None = None, contact: str | None = None,
    external_ref: str | None = None, settings: Settings | None = None,
) -> Case:
    """A suggestion, consultation/complaint or re-post with its working-day deadline."""
    settings = settings or get_settings()
    actor = _require_actor(actor)
    now = _aware(now, "now")
    received_at = _aware(received_at, "received_at")
    if kind not in CASE_KINDS:
        raise InvalidTransition(f"事项类型应为 {'、'.join(CASE_KINDS)} 之一"
                                f"（{'、'.join(CaseKind.labels().values())}），收到 {kind!r}")
    if not title or not title.strip():
        raise InvalidTransition("事项标题不能为空")
    if received_at > now:
        raise InvalidTransition("收到时间不能晚于当前时间")
    if external_ref:
        dup = session.scalar(select(Case.id).where(Case.external_ref == external_ref, Case.kind == kind))
        if dup is not None:
            raise InvalidTransition(f"外部编号 {external_ref} 的事项已存在（事项 {dup}）")
    case = Case(kind=kind, title=title.strip(), body=body, complex=complex, channel=channel, contact=contact,
                external_ref=external_ref, received_at=received_at, status=CaseStatus.OPEN, created_at=now)
    session.add(case)
    session.flush()
    policy = IncidentPolicy.freeze(settings.policy)
    spec = case_window(policy, kind, complex)
    deadline = open_window(session, spec=spec, starts_at=received_at, policy=policy, now=now,
                           calendar=load_calendar(session, settings), case_id=case.id)
    record_event(session, actor=actor, now=now, kind=TimelineKind.CASE_CREATED, case_id=case.id,
                 message=f"登记事项（{CaseKind.label_of(kind)}），{spec.working_days} 个工作日内办结",
                 details={"deadline_id": deadline.id, "provisional": deadline.provisional})
    return case


def create_silence(
    session: Session, *, matcher: dict[str, Any], starts_at: datetime, ends_at: datetime, reason: str,
    actor: str,
) -> Silence:
    """Mute notifications whose fields equal every item of `matcher` (e.g. {"incident_id": 3})."""
    actor = _require_actor(actor)
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if not matcher:
        raise InvalidTransition("静默规则至少需要一个匹配条件")
    unknown = set(matcher) - set(SilenceField.values())
    if unknown:
        fields = "、".join(f"{f}（{f.label}）" for f in SilenceField)
        raise InvalidTransition(f"静默规则不支持字段 {sorted(unknown)}，可用：{fields}")
    if ends_at <= starts_at:
        raise InvalidTransition("静默结束时间必须晚于开始时间")
    if not reason or not reason.strip():
        raise InvalidTransition("静默必须说明理由")
    silence = Silence(matcher=dict(matcher), starts_at=starts_at, ends_at=ends_at, reason=reason.strip(),
                      created_by=actor, created_at=starts_at)
    session.add(silence)
    session.flush()
    return silence


def expire_silence(session: Session, *, silence_id: int, actor: str, now: datetime) -> Silence:
    """End a silence now (提前结束静默). One not started yet ends where it starts: it never mutes."""
    _require_actor(actor)
    now = _aware(now, "now")
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise NotFound(f"静默 {silence_id} 不存在")
    if as_utc(silence.ends_at) <= now:
        raise InvalidTransition("该静默已结束")
    silence.ends_at = max(now, as_utc(silence.starts_at))
    session.flush()
    return silence


def compliance_report(session: Session, *, start: datetime, end: datetime) -> dict[str, Any]:
    from .compliance import compliance_report as report

    return report(session, start=_aware(start, "start"), end=_aware(end, "end"))


def incident_effect(
    session: Session, *, incident_id: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per response: volume and negativity before/after, and how much of the after window has passed."""
    from yuqing.clock import now as clock_now

    from .effect import incident_effect as effect

    _get_incident(session, incident_id)
    return effect(session, incident_id=incident_id, now=_aware(now, "now") if now else clock_now())

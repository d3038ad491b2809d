"""The delivery pipeline's stages (as Alertmanager's notify pipeline), applied in this order:

1. `due`        claim what is due: pending rows, expired leases (a sender died), dead letters whose
                next try has come (delivery keeps trying while a notice still matters);
2. `silence`    a silenced row is muted for good;
3. `inhibit`    a higher-grade incident firing on the same subject holds lower reminders back
                (`release_held` brings them back when it closes while their deadline is open);
4. `supersede`  a notice that no longer means anything is recorded as superseded, never sent
                (its deadline was met or waived, it was due before a breach that has come, a later
                step already went out on the channel, its incident closed);
5. `group`      related notices of one incident on one channel go out as one message; the group and
                its key are fixed at the first claim and never recomposed, so a retry is the same
                message under the same key;
6. `lease`      mark the rows sending until the lease ends (the claim commits before anything leaves);
7. `send_all`   one worker per channel, so a slow channel holds up no other;
8. `record`     sent; or back off and retry; or, after max_attempts, a dead letter that keeps retrying.

Each stage takes rows and returns the rows that go on; none commits.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yuqing.clock import as_utc
from yuqing.config import ChannelConfig, Settings
from yuqing.store.models import Case, Deadline, Incident, IncidentMention, Mention, Notification, Silence
from yuqing.vocab import (
    DELIVERABLE_NOTICE_STATUSES,
    OPEN_DEADLINE_STATES,
    CaseStatus,
    IncidentStatus,
    NoticeKind,
    NoticeStatus,
    RuleActor,
    TimelineKind,
)

from .channels.base import OutgoingMessage, Sender, describe_failure
from .inhibition import Subject, inhibitor
from .timeline import record_event

log = logging.getLogger(__name__)

INHIBITION_RULE = RuleActor.INHIBITION
OUTBOX_RULE = RuleActor.OUTBOX


@dataclass
class Batch:
    """One message for one channel and the rows it carries."""

    channel: ChannelConfig
    rows: list[Notification]
    key: str

    @property
    def message(self) -> OutgoingMessage:
        rows = sorted(self.rows, key=lambda r: (r.created_at, r.id))
        if len(rows) == 1:
            subject, body = rows[0].subject, rows[0].body
        else:
            subject = f"【舆情】{len(rows)} 条相关提醒：{rows[-1].subject}"
            body = "\n\n".join(r.body for r in rows)
        return OutgoingMessage(key=self.key, subject=subject, body=body,
                               items=[{"key": r.key, **r.payload} for r in rows],
                               notification_ids=[r.id for r in rows])


# 1. due ---------------------------------------------------------------------------------------
def due(session: Session, now: datetime) -> list[Notification]:
    """Rows whose time has come, locked against a second sender (SKIP LOCKED on PostgreSQL)."""
    return list(session.scalars(
        select(Notification)
        .where(Notification.status.in_(DELIVERABLE_NOTICE_STATUSES),
               Notification.next_attempt_at <= now)
        .order_by(Notification.id)
        .with_for_update(skip_locked=True)))


# 2. silence -----------------------------------------------------------------------------------
def silenced(payload: dict[str, Any], silences: Sequence[Silence]) -> Silence | None:
    for s in silences:
        if all(str(payload.get(k)) == str(v) for k, v in s.matcher.items()):
            return s
    return None


def silence(session: Session, rows: list[Notification], now: datetime) -> list[Notification]:
    """Mute rows an active silence matches (a row already out for sending is not recalled)."""
    silences = list(session.scalars(select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)))
    kept = []
    for row in rows:
        hit = silenced(row.payload, silences) if row.status != NoticeStatus.SENDING else None
        if hit is not None:
            row.status, row.last_error = NoticeStatus.SILENCED, f"静默规则 {hit.id}：{hit.reason}"
        else:
            kept.append(row)
    return kept


# 3. inhibit -----------------------------------------------------------------------------------
def _subjects(session: Session, targets: set[int]) -> dict[int, Subject]:
    """Every firing incident and the target incidents, with their release and watch topics."""
    incidents = list(session.scalars(select(Incident).where(
        or_(Incident.status != IncidentStatus.CLOSED, Incident.id.in_(targets)))))
    topics: dict[int, set[str]] = {i.id: set() for i in incidents}
    for incident_id, names in session.execute(
            select(IncidentMention.incident_id, Mention.topics)
            .join(Mention, Mention.id == IncidentMention.mention_id)
            .where(IncidentMention.incident_id.in_(list(topics)))):
        topics[incident_id].update(names or ())
    return {i.id: Subject(i.id, i.grade, i.release_id, frozenset(topics[i.id]),
                          i.status != IncidentStatus.CLOSED)
            for i in incidents}


def _inhibitable(row: Notification) -> bool:
    """Reminders, escalation and breach notices of an incident's deadlines (not new-incident notices)."""
    return row.incident_id is not None and row.payload.get("kind") == NoticeKind.DEADLINE


def _note(session: Session, rows: list[Notification], kind: str, actor: str, now: datetime,
          message: str) -> None:
    """One timeline entry per incident for rows a stage held, released or dropped."""
    by_incident: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        if row.incident_id is not None:
            by_incident[row.incident_id].append(row)
    for incident_id, held in by_incident.items():
        steps = "、".join(sorted({str(r.payload.get("step")) for r in held}))
        record_event(session, incident_id=incident_id, now=now, actor=actor, kind=kind,
                     message=f"{message.format(reason=held[0].last_error or '')}（{steps}）",
                     details={"notification_ids": [r.id for r in held]})


def release_held(session: Session, now: datetime) -> list[Notification]:
    """Held reminders no higher incident inhibits any more, back to pending and due.

    A held reminder whose deadline was met or waived, or whose incident closed, stays held:
    sending it late would only mislead.
    """
    held = list(session.scalars(select(Notification).where(Notification.status == NoticeStatus.INHIBITED)
                                .order_by(Notification.id).with_for_update(skip_locked=True)))
    if not held:
        return []
    subjects = _subjects(session, {r.incident_id for r in held if r.incident_id is not None})
    others = list(subjects.values())
    released = []
    for row in held:
        assert row.incident_id is not None
        target = subjects[row.incident_id]
        verdict = inhibitor(target, others)
        if verdict is not None:
            row.last_error = verdict.reason
            continue
        deadline = session.get(Deadline, row.deadline_id) if row.deadline_id else None
        if not target.firing or deadline is None or deadline.state not in OPEN_DEADLINE_STATES:
            continue
        row.status, row.next_attempt_at = NoticeStatus.PENDING, now
        row.last_error = f"抑制已解除（{row.last_error}）"
        row.body = f"{row.body}\n- 更高级别事件已关闭，抑制解除后补发"
        released.append(row)
    _note(session, released, TimelineKind.NOTIFICATIONS_RELEASED, INHIBITION_RULE, now,
          "更高级别事件已关闭，补发被抑制的提醒")
    return released


def inhibit(session: Session, rows: list[Notification], now: datetime) -> list[Notification]:
    """Hold the pending deadline reminders a firing higher-grade incident inhibits."""
    fresh = [r for r in rows if r.status == NoticeStatus.PENDING and _inhibitable(r)]
    if not fresh:
        return rows
    subjects = _subjects(session, {r.incident_id for r in fresh if r.incident_id is not None})
    others = list(subjects.values())
    inhibited = []
    for row in fresh:
        assert row.incident_id is not None
        verdict = inhibitor(subjects[row.incident_id], others)
        if verdict is not None:
            row.status, row.last_error = NoticeStatus.INHIBITED, verdict.reason
            inhibited.append(row)
    _note(session, inhibited, TimelineKind.NOTIFICATIONS_INHIBITED, INHIBITION_RULE, now,
          "提醒暂不发送：{reason}")
    return [r for r in rows if r.status != NoticeStatus.INHIBITED]


# 4. supersede ---------------------------------------------------------------------------------
def step_rank(step: str) -> tuple[int, int]:
    """Order of a deadline's steps: lead-60 < lead-15 < escalate < breach < repeat-1 < repeat-2…"""
    if step.startswith("lead-"):
        lead = step.removeprefix("lead-")  # minutes (hour clocks) or "Nd" working days (day clocks)
        return (0, -(int(lead[:-1]) * 1440 if lead.endswith("d") else int(lead)))
    if step == "escalate":
        return (1, 0)
    if step.startswith("breach"):
        return (2, 0)
    if step.startswith("repeat-"):
        return (3, int(step.removeprefix("repeat-")))
    return (0, 0)


def stale_reason(
    *, kind: str | None, step: str, now: datetime, deadline: Deadline | None, quiet: bool,
    later_sent: str | None, incident_closed: bool, original_status: str | None,
) -> str | None:
    """Why a notice no longer means anything (Chinese, recorded on the row), or None. Pure."""
    if kind == NoticeKind.DEAD_LETTER:
        return None if original_status == NoticeStatus.DEAD else "原通知已送达或已失效，告警不再需要"
    if kind == NoticeKind.INCIDENT:
        return "事件已关闭" if incident_closed else None
    if kind != NoticeKind.DEADLINE:
        return None
    if deadline is None or deadline.state not in OPEN_DEADLINE_STATES:
        return "期限已完成或已豁免"
    if quiet:
        return "事件已关闭或事项已办结"
    if (step.startswith("lead-") or step == "escalate") and now >= as_utc(deadline.due_at):
        return "期限已过，到期前的提醒已被超时通知取代"
    if later_sent is not None:
        return f"同一通道已发出更晚的提醒（{later_sent}）"
    return None


def supersede(session: Session, rows: list[Notification], now: datetime) -> list[Notification]:
    """Record notices that no longer mean anything as superseded; return the rest."""
    deadline_ids = {r.deadline_id for r in rows if r.deadline_id is not None}
    sent_steps: dict[tuple[int, str], list[str]] = defaultdict(list)
    if deadline_ids:
        for deadline_id, channel, payload in session.execute(
                select(Notification.deadline_id, Notification.channel, Notification.payload)
                .where(Notification.deadline_id.in_(deadline_ids), Notification.status == NoticeStatus.SENT)):
            if payload.get("kind") == NoticeKind.DEADLINE:
                sent_steps[(deadline_id, channel)].append(str(payload.get("step")))
    kept, dropped = [], []
    for row in rows:
        kind, step = row.payload.get("kind"), str(row.payload.get("step"))
        deadline = session.get(Deadline, row.deadline_id) if row.deadline_id is not None else None
        incident = session.get(Incident, row.incident_id) if row.incident_id is not None else None
        case = session.get(Case, deadline.case_id) if deadline is not None and deadline.case_id else None
        later = None
        if deadline is not None and kind == NoticeKind.DEADLINE:
            later = max((s for s in sent_steps[(deadline.id, row.channel)] if step_rank(s) > step_rank(step)),
                        key=step_rank, default=None)
        original = None
        if kind == NoticeKind.DEAD_LETTER:
            dead = session.get(Notification, row.payload.get("dead_letter_id"))
            original = dead.status if dead is not None else None
        reason = stale_reason(
            kind=kind, step=step, now=now, deadline=deadline, later_sent=later,
            quiet=(incident is not None and incident.status == IncidentStatus.CLOSED)
            or (case is not None and case.status != CaseStatus.OPEN),
            incident_closed=incident is not None and incident.status == IncidentStatus.CLOSED,
            original_status=original)
        if reason is None:
            kept.append(row)
        else:
            row.status, row.last_error = NoticeStatus.SUPERSEDED, reason
            dropped.append(row)
    _note(session, dropped, TimelineKind.NOTIFICATIONS_SUPERSEDED, OUTBOX_RULE, now,
          "提醒已失效，不再发送：{reason}")
    return kept


# 5. group -------------------------------------------------------------------------------------
def group_key(rows: Sequence[Notification]) -> str:
    """A group's idempotency key, derived from the keys of the notices in it (one: its own key)."""
    if len(rows) == 1:
        return rows[0].key
    digest = hashlib.sha256("\n".join(sorted(r.key for r in rows)).encode()).hexdigest()[:32]
    return f"group:{digest}"


def group(rows: list[Notification], settings: Settings, now: datetime) -> list[Batch]:
    """Group new rows per channel and incident; rows claimed before keep their group and key."""
    channels = {c.name: c for c in settings.notify.channels}
    groups: dict[tuple[str, ...], list[Notification]] = {}
    for row in rows:
        if row.channel not in channels:
            row.status, row.last_error = NoticeStatus.DEAD, f"通道 {row.channel} 已不在配置中"
            row.next_attempt_at = now + timedelta(seconds=settings.notify.backoff_max_seconds)
            continue
        if row.batch_key:  # claimed before: the same message under the same key, whatever failed
            key: tuple[str, ...] = ("claimed", row.batch_key)
        else:
            subject = f"incident:{row.incident_id}" if row.incident_id is not None else row.key
            key = ("new", row.channel, subject)
        groups.setdefault(key, []).append(row)
    return [Batch(channels[members[0].channel], members, members[0].batch_key or group_key(members))
            for members in groups.values()]


# 6. lease -------------------------------------------------------------------------------------
def lease(batches: list[Batch], settings: Settings, now: datetime) -> None:
    """Mark every row sending under its batch key until the lease ends (then it is claimed again)."""
    until = now + timedelta(seconds=settings.notify.lease_seconds)
    for batch in batches:
        for row in batch.rows:
            row.status, row.batch_key = NoticeStatus.SENDING, batch.key
            row.attempts += 1
            row.next_attempt_at = until


# 7. send --------------------------------------------------------------------------------------
Recorder = Callable[[ChannelConfig, OutgoingMessage, "str | None"], None]


def send_all(
    batches: list[tuple[ChannelConfig, OutgoingMessage]], send: Sender, settings: Settings, now: datetime,
    record: Recorder,
) -> int:
    """Send each channel's messages in order on a worker of its own; returns notices delivered.

    Each outcome is recorded as soon as it is known (a crash loses at most the sends in flight,
    which the lease brings back under the same key).
    """
    by_channel: dict[str, list[tuple[ChannelConfig, OutgoingMessage]]] = defaultdict(list)
    for channel, message in batches:
        by_channel[channel.name].append((channel, message))

    def run(items: list[tuple[ChannelConfig, OutgoingMessage]]) -> int:
        delivered = 0
        for channel, message in items:
            error = None
            try:
                send(channel, message, settings, now)
            except Exception as exc:  # any failure of a channel is retried, never lost
                error = describe_failure(exc, channel)
                log.warning("通知 %s 经通道 %s 发送失败：%s", message.key, channel.name, error)
            record(channel, message, error)
            if error is None:
                delivered += len(message.notification_ids)
        return delivered

    if len(by_channel) <= 1:
        return sum(run(items) for items in by_channel.values())
    with ThreadPoolExecutor(max_workers=len(by_channel), thread_name_prefix="yuqing-send") as pool:
        return sum(pool.map(run, by_channel.values()))


# 8. record ------------------------------------------------------------------------------------
def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Wait after the `attempts`-th failure: base, 2·base, 4·base … capped."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def record(
    session: Session, rows: list[Notification], channel: str, settings: Settings, now: datetime,
    error: str | None,
) -> list[Notification]:
    """Record one send's outcome on its rows; returns the rows that have just become dead letters.

    Sent: done, and the channel answers again, so its backing-off rows and dead letters are due now.
    Failed: back off; from max_attempts on the row is a dead letter that still retries every
    backoff_max_seconds while it means something (the supersede stage decides).
    """
    newly_dead = []
    notify = settings.notify
    for row in rows:
        if error is None:
            if row.attempts > notify.max_attempts:
                _note(session, [row], TimelineKind.NOTIFICATION_RECOVERED, OUTBOX_RULE, now,
                      f"通道「{row.channel}」恢复，此前未送达的提醒已补发（共尝试 {row.attempts} 次）")
            row.status, row.sent_at, row.last_error = NoticeStatus.SENT, now, None
            continue
        row.last_error = error
        row.next_attempt_at = now + timedelta(seconds=backoff_seconds(
            row.attempts, notify.backoff_base_seconds, notify.backoff_max_seconds))
        if row.attempts >= notify.max_attempts:
            if row.attempts == notify.max_attempts:
                newly_dead.append(row)
            row.status = NoticeStatus.DEAD
        else:
            row.status = NoticeStatus.PENDING
    if error is None:
        for waiting in session.scalars(select(Notification).where(
                Notification.channel == channel,
                Notification.status.in_((NoticeStatus.PENDING, NoticeStatus.DEAD)),
                Notification.attempts > 0, Notification.next_attempt_at > now)):
            waiting.next_attempt_at = now
    session.flush()
    return newly_dead

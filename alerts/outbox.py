"""发件箱 (outbox): notifications are rows written with the state change, delivered by `deliver_due`.

Delivery is claim → send → settle. A claim commits the rows as "sending" with a lease and the batch's
idempotency key before anything leaves the process; a crash after the send leaves the rows claimed, and
when the lease runs out they are re-sent with the SAME key, which receivers use to drop the repeat.
Failures back off exponentially (settings.notify) and end in "dead" after max_attempts.
Related due notifications for one incident on one channel go out as one grouped message.
A silenced row is muted for good; an inhibited one ("inhibited": a higher-grade incident fires on the
same subject, see inhibition.py) is held and goes out after all if the higher incident closes while
its deadline is still open.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import Deadline, Incident, IncidentEvent, IncidentMention, Mention, Notification, Silence
from yuqing.clock import now as clock_now
from yuqing.config import ChannelConfig, Settings
from yuqing.vocab import (
    OPEN_DEADLINE_STATES,
    SERIOUS_GRADES,
    UNSENT_NOTICE_STATUSES,
    Audience,
    IncidentStatus,
    NoticeKind,
    NoticeStatus,
    RuleActor,
    TimelineKind,
)

from .inhibition import Subject, inhibitor
from .templates import Text, incident_link, incident_notice

log = logging.getLogger(__name__)

LEASE_SECONDS = 300
INHIBITION_RULE = RuleActor.INHIBITION


class DeliveryError(Exception):
    """A channel refused or could not take a message; the outbox retries it."""


@dataclass
class OutgoingMessage:
    """What a channel sends: one notification or a group of related ones."""

    key: str  # idempotency key, stable across re-sends
    subject: str
    body: str
    items: list[dict[str, Any]] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)


Sender = Callable[[ChannelConfig, OutgoingMessage, Settings, datetime], None]


def channels_for(settings: Settings, audience: str) -> list[ChannelConfig]:
    """Channels that serve this audience ("all" channels serve everyone)."""
    return [c for c in settings.notify.channels if c.audience in (audience, "all")]


def enqueue(
    session: Session, *, key: str, text: Text, fields: dict[str, Any], audience: str, settings: Settings,
    now: datetime, incident_id: int | None = None, deadline_id: int | None = None,
) -> list[Notification]:
    """One outbox row per channel of the audience; a key already written is not written again."""
    rows = []
    for channel in channels_for(settings, audience):
        row_key = f"{key}|{channel.name}"
        if session.scalar(select(Notification.id).where(Notification.key == row_key)) is not None:
            continue
        payload = {**fields, "channel": channel.name, "audience": audience}
        row = Notification(key=row_key, channel=channel.name, audience=audience, subject=text.subject,
                           body=text.body, payload=payload, incident_id=incident_id, deadline_id=deadline_id,
                           status=NoticeStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def notify_incident(
    session: Session, *, incident: Incident, kind: str, settings: Settings, now: datetime,
    deadlines: Sequence[Any] = (),
) -> list[Notification]:
    """Tell the press office an incident opened or was upgraded (leadership too for grades I/II)."""
    text = incident_notice(
        kind=kind, incident_id=incident.id, title=incident.title, grade=incident.grade,
        category=incident.category, link=incident_link(settings.base_url, incident.id),
        deadlines=[(d.kind, d.due_at) for d in deadlines],
    )
    fields = {"incident_id": incident.id, "kind": NoticeKind.INCIDENT, "step": kind, "grade": incident.grade,
              "category": incident.category, "rule": incident.opened_by}
    rows = enqueue(session, key=f"incident:{incident.id}:{kind}", text=text, fields=fields,
                   audience=Audience.PRESS, settings=settings, now=now, incident_id=incident.id)
    if incident.grade in SERIOUS_GRADES:
        rows += enqueue(session, key=f"incident:{incident.id}:{kind}:leadership", text=text, fields=fields,
                        audience=Audience.LEADERSHIP, settings=settings, now=now, incident_id=incident.id)
    return rows


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Wait after the `attempts`-th failure: base, 2·base, 4·base … capped."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def silenced(payload: dict[str, Any], silences: list[Silence]) -> Silence | None:
    for s in silences:
        if all(str(payload.get(k)) == str(v) for k, v in s.matcher.items()):
            return s
    return None


def _group_key(row: Notification) -> tuple[str, str]:
    return (row.channel, f"incident:{row.incident_id}" if row.incident_id is not None else row.key)


def _batch_key(rows: list[Notification]) -> str:
    if len(rows) == 1:
        return rows[0].key
    digest = hashlib.sha256("\n".join(sorted(r.key for r in rows)).encode()).hexdigest()[:32]
    return f"group:{digest}"


def _message(rows: list[Notification], key: str) -> OutgoingMessage:
    rows = sorted(rows, key=lambda r: (r.created_at, r.id))
    if len(rows) == 1:
        subject, body = rows[0].subject, rows[0].body
    else:
        subject = f"【舆情】{len(rows)} 条相关提醒：{rows[-1].subject}"
        body = "\n\n".join(r.body for r in rows)
    return OutgoingMessage(key=key, subject=subject, body=body,
                           items=[{"key": r.key, **r.payload} for r in rows],
                           notification_ids=[r.id for r in rows])


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


def _timeline(session: Session, rows: list[Notification], kind: str, now: datetime, message: str) -> None:
    by_incident: dict[int, list[Notification]] = {}
    for row in rows:
        assert row.incident_id is not None
        by_incident.setdefault(row.incident_id, []).append(row)
    for incident_id, held in by_incident.items():
        steps = "、".join(sorted({str(r.payload.get("step")) for r in held}))
        session.add(IncidentEvent(incident_id=incident_id, at=now, actor=INHIBITION_RULE, kind=kind,
                                  message=f"{message.format(reason=held[0].last_error or '')}（{steps}）",
                                  data={"notification_ids": [r.id for r in held]}))


def _apply_inhibition(session: Session, rows: list[Notification], now: datetime) -> list[Notification]:
    """Hold due reminders a higher incident inhibits; release held ones it no longer does.

    Returns the released rows (now pending and due). A held reminder whose deadline was met or
    waived, or whose incident closed, stays held: sending it late would only mislead.
    """
    held = list(session.scalars(select(Notification).where(Notification.status == NoticeStatus.INHIBITED)
                                .order_by(Notification.id).with_for_update(skip_locked=True)))
    fresh = [r for r in rows if r.status == NoticeStatus.PENDING and _inhibitable(r)]
    if not held and not fresh:
        return []
    subjects = _subjects(session, {r.incident_id for r in held + fresh if r.incident_id is not None})
    others = list(subjects.values())
    inhibited, released = [], []
    for row in fresh:
        assert row.incident_id is not None
        verdict = inhibitor(subjects[row.incident_id], others)
        if verdict is not None:
            row.status, row.last_error = NoticeStatus.INHIBITED, verdict.reason
            inhibited.append(row)
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
    _timeline(session, inhibited, TimelineKind.NOTIFICATIONS_INHIBITED, now, "提醒暂不发送：{reason}")
    _timeline(session, released, TimelineKind.NOTIFICATIONS_RELEASED, now,
              "更高级别事件已关闭，补发被抑制的提醒")
    return released


def claim(session: Session, settings: Settings, now: datetime) -> list[tuple[ChannelConfig, OutgoingMessage]]:
    """Claim every due notification (and expired leases) into batches; the caller commits."""
    rows = list(session.scalars(
        select(Notification)
        .where(Notification.status.in_(UNSENT_NOTICE_STATUSES), Notification.next_attempt_at <= now)
        .order_by(Notification.id)
        .with_for_update(skip_locked=True)
    ))
    silences = list(session.scalars(select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)))
    for row in rows:
        if row.status == NoticeStatus.PENDING:
            hit = silenced(row.payload, silences)
            if hit is not None:
                row.status, row.last_error = NoticeStatus.SILENCED, f"静默规则 {hit.id}：{hit.reason}"
    rows = [r for r in rows if r.status != NoticeStatus.SILENCED]
    released = _apply_inhibition(session, rows, now)
    for row in released:
        hit = silenced(row.payload, silences)
        if hit is not None:
            row.status, row.last_error = NoticeStatus.SILENCED, f"静默规则 {hit.id}：{hit.reason}"
    released = [r for r in released if r.status == NoticeStatus.PENDING]
    rows = sorted([r for r in rows if r.status != NoticeStatus.INHIBITED] + released, key=lambda r: r.id)
    if not rows:
        session.flush()
        return []
    channels = {c.name: c for c in settings.notify.channels}
    groups: dict[tuple[str, str], list[Notification]] = {}
    for row in rows:
        if row.channel not in channels:
            row.status, row.last_error = NoticeStatus.DEAD, f"通道 {row.channel} 已不在配置中"
            continue
        # A resend keeps the composition and the key of its first claim.
        resend = row.status == NoticeStatus.SENDING
        group = ("resend", row.batch_key or row.key) if resend else _group_key(row)
        groups.setdefault(group, []).append(row)
    batches = []
    for members in groups.values():
        resend = members[0].status == NoticeStatus.SENDING
        key = members[0].batch_key if resend and members[0].batch_key else \
            _batch_key(members)
        for row in members:
            row.status, row.batch_key = NoticeStatus.SENDING, key
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
        batches.append((channels[members[0].channel], _message(members, key)))
    session.flush()
    return batches


def settle(
    session: Session, message: OutgoingMessage, settings: Settings, now: datetime, error: str | None
) -> None:
    """Record a send's outcome: sent, or back to pending after a backoff, or dead after max_attempts."""
    for row in session.scalars(select(Notification).where(Notification.id.in_(message.notification_ids))):
        if error is None:
            row.status, row.sent_at, row.last_error = NoticeStatus.SENT, now, None
        elif row.attempts >= settings.notify.max_attempts:
            row.status, row.last_error = NoticeStatus.DEAD, error
        else:
            wait = backoff_seconds(row.attempts, settings.notify.backoff_base_seconds,
                                   settings.notify.backoff_max_seconds)
            row.status, row.last_error = NoticeStatus.PENDING, error
            row.next_attempt_at = now + timedelta(seconds=wait)
    session.flush()


def deliver_due(
    session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None,
    sender: Sender | None = None,
) -> int:
    """Send every due notification; returns how many notifications were delivered."""
    from .channels import send as default_sender

    now = now or clock_now()
    send = sender or default_sender
    with session_factory() as session, session.begin():
        batches = claim(session, settings, now)
    delivered = 0
    for channel, message in batches:
        error = None
        try:
            send(channel, message, settings, now)
        except Exception as exc:  # any failure of a channel is retried, never lost
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("通知 %s 经通道 %s 发送失败：%s", message.key, channel.name, error)
        with session_factory() as session, session.begin():
            settle(session, message, settings, now, error)
        if error is None:
            delivered += len(message.notification_ids)
    return delivered


def dead_letters(session: Session, *, limit: int = 100) -> list[Notification]:
    """Notifications that gave up, newest first: shown in the UI for a human to act on."""
    return list(session.scalars(
        select(Notification).where(or_(Notification.status == NoticeStatus.DEAD))
        .order_by(Notification.id.desc()).limit(limit)))


def retry_dead(session: Session, *, notification_id: int, now: datetime) -> Notification:
    """Put a dead letter back in the queue (after fixing the channel)."""
    from .errors import InvalidTransition, NotFound

    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"通知 {notification_id} 不存在")
    if row.status != NoticeStatus.DEAD:
        raise InvalidTransition("只有发送失败（死信）的通知可以重发")
    row.status, row.attempts, row.next_attempt_at, row.batch_key = NoticeStatus.PENDING, 0, now, None
    session.flush()
    return row

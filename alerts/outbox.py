"""发件箱 (outbox): notifications are rows written with the state change, delivered by `deliver_due`.

Delivery runs the stages of `stages.py` in Alertmanager's order: due → silence → inhibit → supersede
→ group → lease (committed before anything leaves the process) → send (one worker per channel) →
record. The guarantee is at-least-once with a stable key: a crash after a send and before its record
re-sends the same message under the same idempotency key once the lease ends, which a receiver that
keeps keys (our webhook's `X-Yuqing-Idempotency-Key`) drops; robots and email cannot (README).
A notice that no longer means anything by then is recorded as superseded, not sent.
Failures back off exponentially (settings.notify); from max_attempts on a row is a dead letter: a
deadline notice's dead letter alarms through every other channel and on the board, and keeps being
retried while it still means something; a send that succeeds on the channel makes its retries due.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.config import ChannelConfig, NotifyConfig, Settings
from yuqing.store.db import begin_write
from yuqing.store.models import Incident, Notification
from yuqing.vocab import (
    SERIOUS_GRADES,
    Audience,
    NoticeKind,
    NoticeStatus,
    TimelineKind,
    step_label,
)

from . import stages
from .channels import send as default_sender
from .channels.base import DeliveryError, OutgoingMessage, Sender
from .templates import Text, incident_link, incident_notice
from .timeline import record_event

log = logging.getLogger(__name__)

LEASE_SECONDS = NotifyConfig().lease_seconds  # the default of settings.notify.lease_seconds, for tests
INHIBITION_RULE = stages.INHIBITION_RULE

__all__ = ["DeliveryError", "OutgoingMessage", "Sender", "claim", "deliver_due", "enqueue", "settle"]


def channels_for(settings: Settings, audience: str) -> list[ChannelConfig]:
    """Channels that serve this audience ("all" channels serve everyone)."""
    return [c for c in settings.notify.channels if c.audience in (audience, Audience.ALL)]


def enqueue(
    session: Session, *, key: str, text: Text, fields: dict[str, Any], audience: str, settings: Settings,
    now: datetime, incident_id: int | None = None, deadline_id: int | None = None,
    channels: Sequence[ChannelConfig] | None = None,
) -> list[Notification]:
    """One outbox row per channel of the audience (or per channel given); a key already written is
    not written again."""
    rows = []
    for channel in channels_for(settings, audience) if channels is None else channels:
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


def claim(session: Session, settings: Settings, now: datetime) -> list[tuple[ChannelConfig, OutgoingMessage]]:
    """Stages 1–6: claim every due notification into messages under their leases; the caller commits."""
    rows = stages.due(session, now)
    rows = stages.silence(session, rows + stages.release_held(session, now), now)
    rows = stages.inhibit(session, rows, now)
    rows = stages.supersede(session, rows, now)
    batches = stages.group(rows, settings, now)
    stages.lease(batches, settings, now)
    session.flush()
    return [(b.channel, b.message) for b in batches]


def settle(
    session: Session, message: OutgoingMessage, settings: Settings, now: datetime, error: str | None,
    channel: str | None = None,
) -> None:
    """Stage 8: record a send's outcome; a deadline notice that just became a dead letter alarms."""
    rows = list(session.scalars(select(Notification).where(Notification.id.in_(message.notification_ids))))
    if not rows:
        return
    for row in stages.record(session, rows, channel or rows[0].channel, settings, now, error):
        if row.payload.get("kind") == NoticeKind.DEADLINE:
            alarm(session, row, settings, now)
    session.flush()


def alarm(session: Session, dead: Notification, settings: Settings, now: datetime) -> list[Notification]:
    """Tell every other channel and the incident's timeline that a deadline notice is not getting through."""
    others = [c for c in settings.notify.channels if c.name != dead.channel]
    text = Text(
        subject=f"【舆情·告警】提醒未能送达（通道「{dead.channel}」）：{dead.subject}",
        body=(f"通道「{dead.channel}」已连续 {dead.attempts} 次发送失败（{dead.last_error}），"
              f"下列提醒尚未送达，系统仍在重试，请经其他途径通知到人：\n\n{dead.body}"),
    )
    fields = {**{k: dead.payload.get(k) for k in ("incident_id", "case_id", "deadline_id", "deadline_kind",
                                                   "grade", "category", "step")},
              "kind": NoticeKind.DEAD_LETTER, "dead_letter_id": dead.id, "failed_channel": dead.channel}
    rows = enqueue(session, key=f"dead-letter:{dead.key}", text=text, fields=fields, audience=dead.audience,
                   settings=settings, now=now, incident_id=dead.incident_id, deadline_id=dead.deadline_id,
                   channels=others)
    if dead.incident_id is not None:
        told = "、".join(c.name for c in others) or "无其他通道"
        record_event(session, incident_id=dead.incident_id, now=now, actor=stages.OUTBOX_RULE,
                     kind=TimelineKind.NOTIFICATION_DEAD,
                     message=f"{step_label(dead.payload.get('step'))}经通道「{dead.channel}」未能送达，"
                             f"转为死信并继续重试；已告警：{told}",
                     details={"notification_id": dead.id, "alarm_ids": [r.id for r in rows]})
    return rows


def deliver_due(
    session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None,
    sender: Sender | None = None,
) -> int:
    """Send every due notification; returns how many notifications were delivered."""
    now = now or clock_now()
    with session_factory() as session, session.begin():
        batches = claim(begin_write(session), settings, now)

    def record(channel: ChannelConfig, message: OutgoingMessage, error: str | None) -> None:
        # One worker per channel records at the same time as the others: each waits for the lock.
        with session_factory() as session, session.begin():
            settle(begin_write(session), message, settings, now, error, channel=channel.name)

    return stages.send_all(batches, sender or default_sender, settings, now, record)


def alarms(session: Session) -> list[dict[str, Any]]:
    """The board's alarm: deadline notices that are dead letters (still retried), oldest first."""
    rows = session.scalars(select(Notification).where(Notification.status == NoticeStatus.DEAD)
                           .order_by(Notification.id))
    return [{"id": r.id, "channel": r.channel, "subject": r.subject, "step": r.payload.get("step"),
             "incident_id": r.incident_id, "deadline_id": r.deadline_id, "attempts": r.attempts,
             "last_error": r.last_error, "next_attempt_at": local_iso(r.next_attempt_at)}
            for r in rows if r.payload.get("kind") == NoticeKind.DEADLINE]


def retry_dead(session: Session, *, notification_id: int, now: datetime) -> Notification:
    """Put a dead letter back in the queue (after fixing the channel)."""
    from .errors import InvalidTransition, NotFound

    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"通知 {notification_id} 不存在")
    if row.status != NoticeStatus.DEAD:
        raise InvalidTransition("只有发送失败（死信）的通知可以重发")
    # The group and its key stay: a receiver that did get it can still drop the repeat.
    row.status, row.attempts, row.next_attempt_at = NoticeStatus.PENDING, 0, now
    session.flush()
    return row

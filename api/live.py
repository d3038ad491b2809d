"""What changed since the last look: the live board's feed (new incidents, incident changes,
deadline state changes, new high-risk mentions).

Cheap polling by watermark: ids only grow, so "new" is `id > last`; states are compared against
the previous snapshot of the (few) open incidents and running deadlines. One poll serves one SSE
client; where a live bus exists (PostgreSQL LISTEN/NOTIFY, Redis) a poll runs when any process
commits a change, on every API replica (`api.live_bus`), else on a timer.

Every SSE message carries the watermark's ids as its id ("incident-mention-deadline-timeline",
each component only grows), so a client that reconnects with `Last-Event-ID` is sent what it
missed (`resume`): new incidents and mentions, incidents with timeline entries since, and the
current state of every running deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from yuqing.alerts import outbox
from yuqing.clock import local_iso
from yuqing.store.models import Deadline, Incident, IncidentEvent, Mention
from yuqing.vocab import OPEN_DEADLINE_STATES as RUNNING
from yuqing.vocab import DeadlineKind, DeadlineState, Grade, IncidentStatus

OPEN = Incident.status != IncidentStatus.CLOSED


@dataclass
class Watermark:
    """Where a client is: last ids seen and the states it was last shown."""

    incident_id: int = 0
    mention_id: int = 0
    deadline_id: int = 0
    timeline_id: int = 0
    incidents: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    deadlines: dict[int, str] = field(default_factory=dict)
    alarms: frozenset[int] = frozenset()  # dead deadline notices shown (see `delivery_alarm`)


def start(session: Session) -> Watermark:
    """The current state as a watermark: a fresh client is sent only what changes after now."""
    wm = Watermark(
        incident_id=session.scalar(select(func.max(Incident.id))) or 0,
        mention_id=session.scalar(select(func.max(Mention.id))) or 0,
        deadline_id=session.scalar(select(func.max(Deadline.id))) or 0,
        timeline_id=session.scalar(select(func.max(IncidentEvent.id))) or 0,
    )
    wm.incidents = {
        i.id: _fingerprint(i) for i in session.scalars(select(Incident).where(OPEN))
    }
    wm.deadlines = dict(
        session.execute(select(Deadline.id, Deadline.state).where(Deadline.state.in_(RUNNING))).all()
    )
    return wm


def event_id(wm: Watermark) -> str:
    return f"{wm.incident_id}-{wm.mention_id}-{wm.deadline_id}-{wm.timeline_id}"


def resume(session: Session, last_event_id: str | None) -> Watermark | None:
    """The watermark a reconnecting client left off at (None for a missing or malformed id).

    Incidents with a timeline entry since are reported as changed, and every running deadline's
    state is sent again (the client's last view of them is not known)."""
    try:
        i, m, d, t = (int(part) for part in (last_event_id or "").split("-"))
    except ValueError:
        return None
    if min(i, m, d, t) < 0:
        return None
    wm = Watermark(incident_id=i, mention_id=m, deadline_id=d, timeline_id=t)
    changed = set(session.scalars(select(IncidentEvent.incident_id).where(
        IncidentEvent.id > t, IncidentEvent.incident_id.is_not(None)).distinct()))
    for inc in session.scalars(select(Incident).where(OPEN, Incident.id <= i)):
        wm.incidents[inc.id] = () if inc.id in changed else _fingerprint(inc)
    for inc_id in changed:
        wm.incidents.setdefault(inc_id, ())
    return wm


def delivery_alarm(session: Session) -> dict[str, Any]:
    """The board's delivery alarm: deadline notices that are dead letters (still being retried)."""
    alarms = outbox.alarms(session)
    message = (f"{len(alarms)} 条时限提醒未能送达，已经其他通道告警，系统仍在重试" if alarms
               else "所有时限提醒均已送达或正在发送")
    return {"active": bool(alarms), "message": message, "alarms": alarms}


def _fingerprint(i: Incident) -> tuple[Any, ...]:
    return (i.status, i.grade, i.mention_count, round(i.risk, 1), i.owner)


def poll(
    session: Session, wm: Watermark, *, min_risk: float
) -> tuple[list[tuple[str, dict[str, Any]]], Watermark]:
    """Events since `wm` as (event name, data) pairs, and the new watermark."""
    events: list[tuple[str, dict[str, Any]]] = []
    new = Watermark(incident_id=wm.incident_id, mention_id=wm.mention_id, deadline_id=wm.deadline_id,
                    timeline_id=max(wm.timeline_id, session.scalar(select(func.max(IncidentEvent.id))) or 0))

    incidents = session.scalars(
        select(Incident).where(
            or_(
                OPEN, Incident.id.in_(list(wm.incidents)), Incident.id > wm.incident_id
            )
        )
    )
    for i in incidents:
        fp = _fingerprint(i)
        if i.status != IncidentStatus.CLOSED:
            new.incidents[i.id] = fp
        if i.id > wm.incident_id:
            events.append(
                (
                    "incident",
                    {
                        "type": "new",
                        "id": i.id,
                        "grade": i.grade,
                        "title": i.title,
                        "grade_label": Grade.label_of(i.grade),
                    },
                )
            )
        elif wm.incidents.get(i.id) != fp:
            events.append(("incident", {"type": "updated", "id": i.id, "status": i.status, "grade": i.grade}))
        new.incident_id = max(new.incident_id, i.id)

    rows = session.execute(
        select(Deadline.id, Deadline.state, Deadline.incident_id, Deadline.case_id, Deadline.kind).where(
            or_(
                Deadline.state.in_(RUNNING), Deadline.id.in_(list(wm.deadlines)), Deadline.id > wm.deadline_id
            )
        )
    ).all()
    for d_id, state, incident_id, case_id, kind in rows:
        if state in RUNNING:
            new.deadlines[d_id] = state
        if wm.deadlines.get(d_id) != state:
            events.append(
                (
                    "deadline",
                    {
                        "id": d_id,
                        "state": state,
                        "incident_id": incident_id,
                        "case_id": case_id,
                        "kind": kind,
                        "state_label": DeadlineState.label_of(state),
                        "kind_label": DeadlineKind.label_of(kind),
                    },
                )
            )
        new.deadline_id = max(new.deadline_id, d_id)

    mentions = session.execute(
        select(Mention.id, Mention.risk, Mention.sentiment, Mention.platform)
        .where(Mention.id > wm.mention_id)
        .order_by(Mention.id)
    ).all()
    for m_id, risk, sentiment, platform in mentions:
        if risk >= min_risk:
            events.append(
                (
                    "mention",
                    {"id": m_id, "risk": round(risk, 1), "sentiment": sentiment, "platform": platform},
                )
            )
        new.mention_id = max(new.mention_id, m_id)
    alarm = delivery_alarm(session)  # a fresh client (no alarms shown yet) hears of any active one
    new.alarms = frozenset(a["id"] for a in alarm["alarms"])
    if new.alarms != wm.alarms:
        events.append(("delivery_alarm", alarm))
    return events, new


def hello(now: datetime) -> dict[str, Any]:
    return {"now": local_iso(now)}

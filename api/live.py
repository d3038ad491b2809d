"""What changed since the last look: the live board's feed (new incidents, incident changes,
deadline state changes, new high-risk mentions).

Cheap polling by watermark: ids only grow, so "new" is `id > last`; states are compared against
the previous snapshot of the (few) open incidents and running deadlines. One poll serves one SSE
client; PostgreSQL LISTEN/NOTIFY can replace the timer later without changing the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.models import Deadline, Incident, Mention
from yuqing.clock import local_iso
from yuqing.vocab import OPEN_DEADLINE_STATES as RUNNING
from yuqing.vocab import DeadlineKind, DeadlineState, Grade, IncidentStatus

OPEN = Incident.status != IncidentStatus.CLOSED


@dataclass
class Watermark:
    """Where a client is: last ids seen and the states it was last shown."""

    incident_id: int = 0
    mention_id: int = 0
    deadline_id: int = 0
    incidents: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    deadlines: dict[int, str] = field(default_factory=dict)


def start(session: Session) -> Watermark:
    """The current state as a watermark: a fresh client is sent only what changes after now."""
    wm = Watermark(
        incident_id=session.scalar(select(func.max(Incident.id))) or 0,
        mention_id=session.scalar(select(func.max(Mention.id))) or 0,
        deadline_id=session.scalar(select(func.max(Deadline.id))) or 0,
    )
    wm.incidents = {
        i.id: _fingerprint(i) for i in session.scalars(select(Incident).where(OPEN))
    }
    wm.deadlines = dict(
        session.execute(select(Deadline.id, Deadline.state).where(Deadline.state.in_(RUNNING))).all()
    )
    return wm


def _fingerprint(i: Incident) -> tuple[Any, ...]:
    return (i.status, i.grade, i.mention_count, round(i.risk, 1), i.owner)


def poll(
    session: Session, wm: Watermark, *, min_risk: float
) -> tuple[list[tuple[str, dict[str, Any]]], Watermark]:
    """Events since `wm` as (event name, data) pairs, and the new watermark."""
    events: list[tuple[str, dict[str, Any]]] = []
    new = Watermark(incident_id=wm.incident_id, mention_id=wm.mention_id, deadline_id=wm.deadline_id)

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
    return events, new


def hello(now: datetime) -> dict[str, Any]:
    return {"now": local_iso(now)}

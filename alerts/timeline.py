"""时间线 (incident timeline): the one writer of `IncidentEvent` rows.

Every change to an incident or a case — by a person through the API or the CLI, by a rule of the
alert engine, by the outbox or the auditor — is recorded here as who, when, what, and the value
before and after, so the timeline reads the same whatever the entry point (as Dispatch's
`log_incident_event`). Rows are append-only; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.clock import as_utc
from yuqing.store.models import IncidentEvent

_UNSET: Any = object()


def record_event(
    session: Session, *, kind: str, actor: str, now: datetime, message: str = "",
    incident_id: int | None = None, case_id: int | None = None, before: Any = _UNSET, after: Any = _UNSET,
    details: dict[str, Any] | None = None,
) -> IncidentEvent:
    """Append one timeline entry to an incident or a case (or both: a case's event of an incident).

    `message` is the Chinese sentence a person reads; `before`/`after` are stored as the entry's
    "from"/"to" values (for a change of state, grade, owner, due time…); `details` holds any other
    facts (ids of mentions, notifications, the deadline concerned). `now` is UTC (the injectable clock).
    """
    if incident_id is None and case_id is None:
        raise ValueError("a timeline entry belongs to an incident or a case")
    data = dict(details or {})
    if before is not _UNSET:
        data["from"] = before
    if after is not _UNSET:
        data["to"] = after
    event = IncidentEvent(incident_id=incident_id, case_id=case_id, at=as_utc(now), actor=actor, kind=kind,
                          message=message, data=data)
    session.add(event)
    session.flush()
    return event

"""Calling alerts.service from a route: the response recorded, audited and committed.

The service's refusals (NotFound → 404, InvalidTransition → 409, other ValueErrors → 422) become HTTP
errors through the handlers registered once in api/handlers.py.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from yuqing.alerts import service
from yuqing.clock import now as clock_now
from yuqing.store.audit import record
from yuqing.store.models import Action

from . import schemas as S


def record_response(
    session: Session, body: S.ActionIn, *, actor: str, incident_id: int | None = None,
    case_id: int | None = None,
) -> Action:
    """Record a response action on an incident or a case, audited, committed."""
    action = service.record_action(
        session, kind=body.kind, at=body.at, actor=actor, now=clock_now(),
        incident_id=incident_id, case_id=case_id, evidence_url=body.evidence_url, place=body.place,
        description=body.description,
    )
    target = f"incident:{incident_id}" if incident_id is not None else f"case:{case_id}"
    record(session, actor=actor, action="action.record", target=target,
           after={**body.model_dump(), "action_id": action.id})
    session.commit()
    return action

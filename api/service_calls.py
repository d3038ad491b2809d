"""Calling alerts.service from a route: its refusals become HTTP errors with their Chinese message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException
from sqlalchemy.orm import Session

from alerts import service
from alerts.errors import InvalidTransition, NotFound
from store.models import Action
from yuqing.clock import now as clock_now

from . import schemas as S
from .audit import record
from .present import parse_local


@contextmanager
def refusals_as_http() -> Iterator[None]:
    """NotFound → 404, InvalidTransition → 409, any other ValueError (bad input) → 422."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except InvalidTransition as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


def record_response(
    session: Session, body: S.ActionIn, *, actor: str, incident_id: int | None = None,
    case_id: int | None = None,
) -> Action:
    """Record a response action on an incident or a case, audited, committed."""
    with refusals_as_http():
        action = service.record_action(
            session, kind=body.kind, at=parse_local(body.at), actor=actor, now=clock_now(),
            incident_id=incident_id, case_id=case_id, evidence_url=body.evidence_url, place=body.place,
            description=body.description,
        )
    target = f"incident:{incident_id}" if incident_id is not None else f"case:{case_id}"
    record(session, actor=actor, action="action.record", target=target,
           data={**body.model_dump(), "action_id": action.id})
    session.commit()
    return action

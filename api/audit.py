"""The audit log: every change made through the API leaves a row (who, what, on which target)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from store.models import AuditLog
from yuqing.clock import now as clock_now


def record(session: Session, *, actor: str, action: str, target: str | None, data: dict[str, Any]) -> None:
    """Add an audit row in the caller's transaction (so it commits, or not, with the change)."""
    session.add(AuditLog(at=clock_now(), actor=actor, action=action, target=target, data=data))

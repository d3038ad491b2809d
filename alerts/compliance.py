"""考核: windows that fell due in a period, met on time / late / missed / waived, by kind; and the
处置评估 of the grade I/II incidents closed in it (已评估 / 应评估, each one's conclusion)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import local_iso
from yuqing.store.models import Deadline
from yuqing.vocab import DeadlineKind, DeadlineState, Outcome

OUTCOMES = Outcome.values()


def outcome(deadline: Deadline) -> str:
    """on_time: met by due; late: met after due; missed: breached and never met; open: not due/met yet."""
    if deadline.state == DeadlineState.MET and deadline.met_at is not None:
        return Outcome.ON_TIME if deadline.met_at <= deadline.due_at else Outcome.LATE
    if deadline.state == DeadlineState.WAIVED:
        return Outcome.WAIVED
    if deadline.state == DeadlineState.BREACHED:
        return Outcome.MISSED
    return Outcome.OPEN


def _rates(counts: dict[str, int]) -> dict[str, Any]:
    judged = counts["on_time"] + counts["late"] + counts["missed"]
    return {**counts, "total": sum(counts.values()),
            "on_time_rate": round(counts["on_time"] / judged, 4) if judged else None}


def compliance_report(session: Session, *, start: datetime, end: datetime) -> dict[str, Any]:
    """Deadlines due in (start, end]: the counts the annual assessment asks for.

    A working-day window ends at 24:00 of its last day, stored as 00:00 of the next: that moment
    belongs to the day that ends, so a period closes on its end instant and opens just after its start.
    """
    from .evaluation import evaluations_in  # evaluation reads outcome() from here

    rows = session.scalars(select(Deadline).where(Deadline.due_at > start, Deadline.due_at <= end)
                           .order_by(Deadline.due_at, Deadline.id))
    by_kind: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(OUTCOMES, 0)
    late_or_missed = []
    for deadline in rows:
        result = outcome(deadline)
        by_kind.setdefault(deadline.kind, dict.fromkeys(OUTCOMES, 0))[result] += 1
        total[result] += 1
        if result in ("late", "missed"):
            late_or_missed.append({
                "deadline_id": deadline.id, "kind": deadline.kind, "incident_id": deadline.incident_id,
                "case_id": deadline.case_id, "due_at": local_iso(deadline.due_at),
                "met_at": local_iso(deadline.met_at), "outcome": result})
    return {
        "start": local_iso(start), "end": local_iso(end),
        "by_kind": {k: {"label": DeadlineKind.label_of(k), **_rates(v)} for k, v in sorted(by_kind.items())},
        "total": _rates(total),
        "late_or_missed": late_or_missed,
        "evaluations": evaluations_in(session, start=start, end=end),
    }

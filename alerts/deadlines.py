"""Deadline rows: opening a window with its frozen policy, and meeting windows with an action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.config import PolicyConfig
from yuqing.store.models import Action, Deadline
from yuqing.vocab import OPEN_DEADLINE_STATES, DeadlineState

from .calendar import WorkingDayCalendar
from .policy import ACTION_MEETS, ClockPolicy, WindowSpec
from .windows import Due, hour_window, working_day_window


def open_window(
    session: Session,
    *,
    spec: WindowSpec,
    starts_at: datetime,
    policy: PolicyConfig,
    now: datetime,
    calendar: WorkingDayCalendar | None = None,
    incident_id: int | None = None,
    case_id: int | None = None,
) -> Deadline:
    """Insert a pending deadline; its clock (`ClockPolicy`) is frozen into `Deadline.policy`."""
    if spec.hours is not None:
        due = hour_window(starts_at, spec.hours)
    else:
        assert spec.working_days is not None
        due = working_day_window(starts_at, spec.working_days, calendar or WorkingDayCalendar(),
                                 policy.office_close)
    clock = ClockPolicy.for_window(spec, policy, provisional=due.provisional)
    deadline = Deadline(
        incident_id=incident_id, case_id=case_id, kind=spec.kind, starts_at=starts_at, due_at=due.due_at,
        state=DeadlineState.PENDING, provisional=due.provisional, policy=clock.dump(), reminders_sent=[],
        created_at=now,
    )
    session.add(deadline)
    session.flush()
    return deadline


def clock_of(deadline: Deadline) -> ClockPolicy:
    """The deadline's frozen clock, validated (rows of older versions are upgraded, see alerts.policy)."""
    return ClockPolicy.load(deadline.policy, provisional=deadline.provisional)


def recompute_due(deadline: Deadline, calendar: WorkingDayCalendar) -> Due | None:
    """The due time of a working-day deadline on `calendar` under its frozen rules (None: an hour clock)."""
    clock = clock_of(deadline)
    if clock.unit != "working_days":
        return None
    return working_day_window(deadline.starts_at, int(clock.length), calendar, clock.office_close)


def meet_with_action(session: Session, action: Action) -> list[Deadline]:
    """Mark the open deadlines this action answers as met (late if after due; compliance tells)."""
    kinds = ACTION_MEETS.get(action.kind, frozenset({action.kind}))
    query = select(Deadline).where(Deadline.state.in_(OPEN_DEADLINE_STATES), Deadline.kind.in_(kinds))
    if action.incident_id is not None:
        query = query.where(Deadline.incident_id == action.incident_id)
    else:
        query = query.where(Deadline.case_id == action.case_id)
    met = []
    for deadline in session.scalars(query.order_by(Deadline.due_at, Deadline.id)):
        if deadline.starts_at > action.at:
            continue  # a window opened after the action is answered by a later one
        deadline.state = DeadlineState.MET
        deadline.met_at = action.at
        deadline.met_by_action_id = action.id
        met.append(deadline)
    session.flush()
    return met

"""稽核 (periodic auditor, as in Grafana OnCall): did every escalation that should have happened happen?

For each open deadline it checks, against the deadline's frozen policy and the escalation plan:
- every step the plan says is due by now (less a grace for the next tick) was taken: a missed tick is
  caught up, writing the notices it owed;
- every notice a step record says was written exists in the outbox: a lost row is written again
  (same idempotency key, so a second run, or a receiver that already has it, sees nothing new);
- every notification due for delivery was attempted (or its lease retried): reported, since only the
  delivery job sends.
Each finding is recorded in the incident's (or case's) timeline once. Flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import as_utc, local_iso
from yuqing.config import Settings
from yuqing.store.models import Deadline, IncidentEvent, Notification
from yuqing.vocab import (
    OPEN_DEADLINE_STATES,
    UNSENT_NOTICE_STATUSES,
    DeadlineKind,
    NoticeStatus,
    RuleActor,
    TimelineKind,
    step_label,
)

from .calendar import WorkingDayCalendar
from .deadlines import clock_of
from .engine import _advance, is_quiet, notice_key, write_notices
from .escalation import plan, written_steps
from .holidays import load_calendar
from .outbox import channels_for
from .timeline import record_event

AUDITOR = RuleActor.AUDIT
GRACE = timedelta(minutes=5)  # a step due less than this ago is the next tick's to take


@dataclass(frozen=True)
class Finding:
    kind: str  # missed_step | missing_notice | undelivered
    message: str  # Chinese, also written to the timeline
    key: str  # the step or notification concerned
    deadline_id: int | None = None
    incident_id: int | None = None
    case_id: int | None = None
    repaired: bool = False


def _missed_steps(
    session: Session, settings: Settings, deadline: Deadline, now: datetime, calendar: WorkingDayCalendar
) -> list[Finding]:
    """Against the deadline's frozen clock, never the live policy."""
    owed = plan(state=deadline.state, due_at=deadline.due_at, clock=clock_of(deadline),
                sent=list(deadline.reminders_sent or []), now=now - GRACE, calendar=calendar)
    if not owed.send:
        return []
    _advance(session, settings, deadline, now, calendar)  # what the missed tick would have done, now
    kind = DeadlineKind.label_of(deadline.kind)
    return [Finding("missed_step", f"稽核：{kind}的{step_label(step.name)}应已发出但未执行，已补写",
                    notice_key(deadline, step.name), deadline.id, deadline.incident_id,
                    deadline.case_id, repaired=True) for step in owed.send]


def _missing_notices(
    session: Session, settings: Settings, deadline: Deadline, now: datetime
) -> list[Finding]:
    keys = set(session.scalars(select(Notification.key).where(Notification.deadline_id == deadline.id)))
    findings = []
    for mark in deadline.reminders_sent or []:
        for step in written_steps(mark):
            key = notice_key(deadline, step.name)
            lost = [c.name for c in channels_for(settings, step.audience) if f"{key}|{c.name}" not in keys]
            if not lost:
                continue
            write_notices(session, settings, deadline, [step], now, note="稽核发现此提醒缺失，现补发")
            findings.append(Finding(
                "missing_notice", f"稽核：{step_label(step.name)}（{DeadlineKind.label_of(deadline.kind)}）"
                f"不在发件箱中（通道 "
                f"{'、'.join(lost)}），已补写", key, deadline.id, deadline.incident_id, deadline.case_id,
                repaired=True))
    return findings


def _undelivered(session: Session, now: datetime) -> list[Finding]:
    stale = now - GRACE
    rows = session.scalars(select(Notification).where(
        Notification.status.in_(UNSENT_NOTICE_STATUSES), Notification.next_attempt_at <= stale)
        .order_by(Notification.id))
    findings = []
    for row in rows:
        if row.status == NoticeStatus.PENDING and row.attempts > 0:
            continue  # backing off after a failure: the sender is on it
        what = "到期未尝试发送" if row.status == NoticeStatus.PENDING else "发送租约已过期仍未重试"
        when = local_iso(row.next_attempt_at)
        message = f"稽核：通知 {row.id}「{row.subject}」{what}（应于 {when} 处理），请检查发送任务"
        findings.append(Finding("undelivered", message, row.key, row.deadline_id, row.incident_id))
    return findings


def _record(session: Session, findings: list[Finding], now: datetime) -> None:
    """One timeline entry per finding and key (a finding still true at the next run is not repeated)."""
    for f in findings:
        if f.incident_id is None and f.case_id is None:
            continue
        owner = (IncidentEvent.incident_id == f.incident_id if f.incident_id is not None
                 else IncidentEvent.case_id == f.case_id)
        seen = {(e.get("finding"), e.get("key")) for e in session.scalars(
            select(IncidentEvent.data).where(owner, IncidentEvent.kind == TimelineKind.AUDIT_FINDING))}
        if not f.repaired and (f.kind, f.key) in seen:
            continue
        case_id = f.case_id if f.incident_id is None else None
        record_event(session, incident_id=f.incident_id, case_id=case_id, now=now, actor=AUDITOR,
                     kind=TimelineKind.AUDIT_FINDING, message=f.message,
                     details={"finding": f.kind, "key": f.key, "repaired": f.repaired})


def audit(session: Session, settings: Settings, *, now: datetime) -> list[Finding]:
    """Check every open deadline's reminders and escalation, repair what is missing, report the rest."""
    now = as_utc(now)
    findings: list[Finding] = []
    deadlines = list(session.scalars(
        select(Deadline).where(Deadline.state.in_(OPEN_DEADLINE_STATES))
        .order_by(Deadline.due_at, Deadline.id)))
    calendar = load_calendar(session, settings)
    for deadline in deadlines:
        findings += _missed_steps(session, settings, deadline, now, calendar)
        if not is_quiet(session, deadline):
            findings += _missing_notices(session, settings, deadline, now)
    session.flush()
    findings += _undelivered(session, now)
    _record(session, findings, now)
    session.flush()
    return findings

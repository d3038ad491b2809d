"""Reminders and escalation (提醒与升级) for one deadline at one moment. Pure.

The schedule is the deadline's frozen `ClockPolicy`. Steps, each sent once (the outbox key is
deadline + step, so a restart never repeats one); when several fall due at once only the nearest to
the deadline speaks:

Hour clocks (5 h, 24 h), day and night: lead-N (N minutes before due), escalate (leadership, due
within `escalate_minutes` and no response yet), breach (at due), repeat-K (every
`breach_repeat_minutes` while breached; only the latest).

Working-day clocks, only in office hours of a working day, never at night: lead-Nd (at `notify_at`
on the working day N working days before the last day; 0d: the morning of the last day), escalate
(leadership, the morning `escalate_working_days` before the last day), breach (at due if that is in
office hours, else the next working morning), repeat-K (the K-th working morning after the breach
notice; only the latest).

`Deadline.reminders_sent` records each step once: its name when a notice was written, or
"skipped:" + name when it was superseded (or its subject was quiet), so the auditor knows which
notices must exist in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from yuqing.clock import SHANGHAI, as_utc
from yuqing.vocab import OPEN_DEADLINE_STATES, Audience, DeadlineState

from .calendar import WorkingDayCalendar
from .policy import ClockPolicy


@dataclass(frozen=True)
class Step:
    name: str
    audience: str  # press | leadership


@dataclass(frozen=True)
class Plan:
    state: str
    send: list[Step]
    mark: list[str]  # step records: name when sent, "skipped:" + name when superseded


SKIPPED = "skipped:"


def skipped(name: str) -> str:
    return SKIPPED + name


def done_steps(marks: list[str]) -> set[str]:
    """Every step already dealt with (sent or skipped)."""
    return {m.removeprefix(SKIPPED) for m in marks}


def written_steps(mark: str) -> list[Step]:
    """The notices a step record says were written to the outbox (none for a skipped one)."""
    if mark.startswith(SKIPPED):
        return []
    if mark == "breach":
        return [Step("breach", Audience.PRESS), Step("breach-leadership", Audience.LEADERSHIP)]
    if mark == "escalate":
        return [Step("escalate", Audience.LEADERSHIP)]
    return [Step(mark, Audience.PRESS)]


def plan(
    *, state: str, due_at: datetime, clock: ClockPolicy, sent: list[str], now: datetime,
    calendar: WorkingDayCalendar | None = None,
) -> Plan:
    """What to do for a pending/due_soon/breached deadline at `now` (working-day clocks need `calendar`)."""
    if state not in OPEN_DEADLINE_STATES:
        return Plan(state, [], [])
    if clock.unit == "working_days":
        return _plan_working_days(due_at=as_utc(due_at), clock=clock, sent=sent, now=as_utc(now),
                                  calendar=calendar or WorkingDayCalendar())
    return _plan_hours(due_at=as_utc(due_at), clock=clock, sent=sent, now=as_utc(now))


def _plan_hours(*, due_at: datetime, clock: ClockPolicy, sent: list[str], now: datetime) -> Plan:
    rules = clock.hourly
    done = done_steps(sent)
    send: list[Step] = []
    mark: list[str] = []
    leads = [f"lead-{m}" for m in rules.lead_minutes]
    if now >= due_at:
        if "breach" not in done:
            send += [Step("breach", Audience.PRESS), Step("breach-leadership", Audience.LEADERSHIP)]
            mark += ["breach"]
        repeat = rules.breach_repeat_minutes
        if repeat > 0:
            k = int((now - due_at).total_seconds() // (repeat * 60))
            mark += _repeat(k, done, send)
        # lead reminders never sent before the breach are superseded by it
        mark += [skipped(name) for name in leads if name not in done]
        return Plan(DeadlineState.BREACHED, send, mark)
    due_soon = now >= due_at - timedelta(minutes=rules.due_soon_minutes)
    passed = sorted(m for m in rules.lead_minutes
                    if now >= due_at - timedelta(minutes=m) and f"lead-{m}" not in done)
    if passed:
        send.append(Step(f"lead-{passed[0]}", Audience.PRESS))  # the nearest to due speaks for all
        mark += [f"lead-{passed[0]}"] + [skipped(f"lead-{m}") for m in passed[1:]]
    escalate_at = due_at - timedelta(minutes=rules.escalate_minutes)
    if rules.escalate_minutes > 0 and now >= escalate_at and "escalate" not in done:
        send.append(Step("escalate", Audience.LEADERSHIP))
        mark.append("escalate")
    return Plan(DeadlineState.DUE_SOON if due_soon else DeadlineState.PENDING, send, mark)


def _repeat(k: int, done: set[str], send: list[Step]) -> list[str]:
    """repeat-k if not yet taken; the older repeats never sent are superseded by it."""
    if k < 1 or f"repeat-{k}" in done:
        return []
    send.append(Step(f"repeat-{k}", Audience.PRESS))
    return [f"repeat-{k}"] + [skipped(f"repeat-{j}") for j in range(1, k) if f"repeat-{j}" not in done]


def _hm(value: str) -> time:
    hour, minute = (int(p) for p in value.split(":"))
    return time(hour, minute)


@dataclass(frozen=True)
class WorkingDaySchedule:
    """When each step of a working-day clock falls (aware UTC), computed from its due time."""

    last_day: date
    leads: dict[int, datetime]  # N working days before the last day -> when
    escalate_at: datetime | None
    due_soon_at: datetime
    breach_at: datetime  # when the breach is announced (the due time, or the next office morning)
    notify_at: time

    def repeat_index(self, now: datetime, calendar: WorkingDayCalendar) -> int:
        """How many working mornings have begun since the breach notice's day (0: none yet)."""
        local = now.astimezone(SHANGHAI)
        day, k = self.breach_at.astimezone(SHANGHAI).date(), 0
        while True:
            day = calendar.workday_on_or_after(day + timedelta(days=1))
            if datetime.combine(day, self.notify_at, tzinfo=SHANGHAI) > local:
                return k
            k += 1


def working_day_schedule(
    due_at: datetime, clock: ClockPolicy, calendar: WorkingDayCalendar
) -> WorkingDaySchedule:
    """The step times of a working-day clock due at `due_at` (00:00 after its last day, or office_close)."""
    rules = clock.daily
    notify, start, end = _hm(rules.notify_at), _hm(rules.office_start), _hm(rules.office_end)
    due_local = as_utc(due_at).astimezone(SHANGHAI)
    last_day = (due_local - timedelta(microseconds=1)).date()

    def morning(n: int) -> datetime:
        return as_utc(datetime.combine(calendar.nth_workday_before(last_day, n), notify, tzinfo=SHANGHAI))

    in_office = calendar.is_workday(due_local.date()) and start <= due_local.time() <= end
    if in_office:
        breach_at = as_utc(due_at)
    else:
        after = due_local.date() if due_local.time() < start else due_local.date() + timedelta(days=1)
        next_day = calendar.workday_on_or_after(after)
        breach_at = as_utc(datetime.combine(next_day, notify, tzinfo=SHANGHAI))
    leads = {n: morning(n) for n in sorted(set(rules.lead_working_days))}
    leads = {n: at for n, at in leads.items() if at < as_utc(due_at)}  # 0d with office_close 09:00…
    escalate = rules.escalate_working_days
    return WorkingDaySchedule(
        last_day=last_day, leads=leads,
        escalate_at=None if escalate is None else min(morning(escalate), as_utc(due_at)),
        due_soon_at=min(morning(rules.due_soon_working_days), as_utc(due_at)),
        breach_at=breach_at, notify_at=notify)


def in_office_hours(now: datetime, clock: ClockPolicy, calendar: WorkingDayCalendar) -> bool:
    local = as_utc(now).astimezone(SHANGHAI)
    rules = clock.daily
    open_ = _hm(rules.office_start) <= local.time() <= _hm(rules.office_end)
    return open_ and calendar.is_workday(local.date())


def _plan_working_days(
    *, due_at: datetime, clock: ClockPolicy, sent: list[str], now: datetime, calendar: WorkingDayCalendar
) -> Plan:
    schedule = working_day_schedule(due_at, clock, calendar)
    done = done_steps(sent)
    state = (DeadlineState.BREACHED if now >= due_at
             else DeadlineState.DUE_SOON if now >= schedule.due_soon_at else DeadlineState.PENDING)
    if not in_office_hours(now, clock, calendar):
        return Plan(state, [], [])  # never at night, never on a rest day: the steps wait for the morning
    send: list[Step] = []
    mark: list[str] = []
    leads = [f"lead-{n}d" for n in schedule.leads]
    if now >= schedule.breach_at:
        if "breach" not in done:
            send += [Step("breach", Audience.PRESS), Step("breach-leadership", Audience.LEADERSHIP)]
            mark.append("breach")
        if clock.daily.breach_repeat_daily:
            mark += _repeat(schedule.repeat_index(now, calendar), done, send)
        mark += [skipped(name) for name in leads if name not in done]
        return Plan(state, send, mark)
    if now >= due_at:
        return Plan(state, [], [])  # due, breach not announced yet (it waits for the office morning)
    passed = sorted(n for n, at in schedule.leads.items() if now >= at and f"lead-{n}d" not in done)
    if passed:
        send.append(Step(f"lead-{passed[0]}d", Audience.PRESS))
        mark += [f"lead-{passed[0]}d"] + [skipped(f"lead-{n}d") for n in passed[1:]]
    if schedule.escalate_at is not None and now >= schedule.escalate_at and "escalate" not in done:
        send.append(Step("escalate", Audience.LEADERSHIP))
        mark.append("escalate")
    return Plan(state, send, mark)

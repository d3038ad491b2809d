"""The response policy (时限策略): which windows an incident or case gets, frozen at creation.

Two typed, validated snapshots, both JSON in the database and validated whenever they are read:
- `IncidentPolicy` (Incident.policy): the whole policy in force when the incident opened — window
  lengths, which grades get which windows, when clocks start, both reminder schedules.
- `ClockPolicy` (Deadline.policy): everything one running clock needs — its kind, unit and length,
  the office-closing time, its reminder and escalation schedule, and the calendar basis it was
  computed on (published schedule or provisional rule).
Editing the configuration later changes no running clock: nothing that runs a clock reads settings.
Rows frozen by older versions (plain dicts without schedules) load too: what they froze is kept, what
they did not freeze (escalation, the working-day schedule) takes the defaults of `yuqing.config`.

Which grades get which windows: the rules (Anhui 二(二)) give the 5-hour
authoritative information and the 24-hour press conference, then continued releases, to 特别重大
突发事件 only — grade I. A 重大 (II) event is at least a 重点事项 / 重要社会关切 of the same paragraph,
which must be answered 及时 ("及时发声回应"): grade II gets the timely-response window
(key_matter_hours, 24 h by default), whatever its category. Both are `policy.grade_windows`, so a
bureau whose own rules are stricter can give II the 5 h / 24 h clocks by configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

from yuqing.config import HourReminderConfig, PolicyConfig, WorkingDayReminderConfig
from yuqing.vocab import KEY_MATTERS, ActionKind, CaseKind, DeadlineKind, Grade

# Which deadline a case of each kind opens.
CASE_KINDS: dict[str, DeadlineKind] = {
    CaseKind.SUGGESTION: DeadlineKind.SUGGESTION_REPLY, CaseKind.CONSULTATION: DeadlineKind.COMPLAINT_REPLY,
    CaseKind.COMPLAINT: DeadlineKind.COMPLAINT_REPLY, CaseKind.REPOST: DeadlineKind.REPOST,
}

_D = DeadlineKind
# An action meets deadlines of these kinds (a press conference is also authoritative information).
ACTION_MEETS: dict[str, frozenset[DeadlineKind]] = {
    ActionKind.AUTHORITATIVE_INFO: frozenset({_D.AUTHORITATIVE_INFO, _D.UPDATE, _D.TIMELY_RESPONSE}),
    ActionKind.PRESS_CONFERENCE: frozenset({_D.PRESS_CONFERENCE, _D.AUTHORITATIVE_INFO, _D.UPDATE,
                                            _D.TIMELY_RESPONSE}),
    ActionKind.UPDATE: frozenset({_D.UPDATE, _D.TIMELY_RESPONSE}),
    ActionKind.TIMELY_RESPONSE: frozenset({_D.TIMELY_RESPONSE}),
    ActionKind.STATEMENT: frozenset({_D.TIMELY_RESPONSE, _D.AUTHORITATIVE_INFO, _D.UPDATE}),
    ActionKind.REPLY: frozenset({_D.SUGGESTION_REPLY, _D.COMPLAINT_REPLY}),
    ActionKind.SUGGESTION_REPLY: frozenset({_D.SUGGESTION_REPLY}),
    ActionKind.COMPLAINT_REPLY: frozenset({_D.COMPLAINT_REPLY}),
    ActionKind.REPOST: frozenset({_D.REPOST}),
}


@dataclass(frozen=True)
class WindowSpec:
    """One window to open: a deadline kind and its length in hours or working days."""

    kind: str
    hours: float | None = None
    working_days: int | None = None


# What versions before the typed snapshot opened for a grade (I and II alike): kept for their rows.
_LEGACY_SERIOUS = [DeadlineKind.AUTHORITATIVE_INFO, DeadlineKind.PRESS_CONFERENCE, DeadlineKind.UPDATE]
_LEGACY_GRADE_WINDOWS = {Grade.I: _LEGACY_SERIOUS, Grade.II: _LEGACY_SERIOUS, Grade.III: [], Grade.IV: []}


class IncidentPolicy(PolicyConfig):
    """The policy an incident was opened under (Incident.policy). Validated on every read."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    version: Literal[2] = 2

    @classmethod
    def freeze(cls, policy: PolicyConfig) -> IncidentPolicy:
        return cls.model_validate(policy.model_dump())

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> IncidentPolicy:
        """A stored snapshot, upgraded when an older version wrote it."""
        raw = dict(raw or {})
        if raw.get("version") != 2:
            raw = _upgrade_incident(raw)
        return cls.model_validate(raw)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _legacy_hour_reminders(raw: dict[str, Any]) -> dict[str, Any]:
    hour = HourReminderConfig().model_dump()
    for old, new in (("reminder_lead_minutes", "lead_minutes"), ("breach_repeat_minutes",
                     "breach_repeat_minutes"), ("due_soon_minutes", "due_soon_minutes")):
        if raw.get(old) is not None:
            hour[new] = raw[old]
    return hour


def _upgrade_incident(raw: dict[str, Any]) -> dict[str, Any]:
    legacy_keys = ("reminder_lead_minutes", "breach_repeat_minutes", "due_soon_minutes")
    upgraded = {k: v for k, v in raw.items() if k not in legacy_keys}
    upgraded.setdefault("grade_windows", _LEGACY_GRADE_WINDOWS)
    upgraded.setdefault("hour_reminders", _legacy_hour_reminders(raw))
    upgraded["version"] = 2
    return upgraded


CalendarBasis = Literal["calendar_hours", "published", "provisional"]


class ClockPolicy(BaseModel):
    """Everything one running clock needs (Deadline.policy), frozen when the window opens.

    `unit` hours: `length` calendar hours, reminded on `hour_reminders` (minutes, day and night).
    `unit` working_days: `length` working days ending at 24:00 (or `office_close`), reminded on
    `working_day_reminders` (working days, office hours only). `calendar_basis` says whether the due
    time rests on a published holiday schedule or on the provisional rule (then `provisional`); a
    recomputation after the year's schedule is imported bumps `revision`.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    version: Literal[2] = 2
    kind: DeadlineKind
    unit: Literal["hours", "working_days"]
    length: PositiveFloat
    office_close: str | None = None
    hour_reminders: HourReminderConfig | None = None
    working_day_reminders: WorkingDayReminderConfig | None = None
    calendar_basis: CalendarBasis = "calendar_hours"
    provisional: bool = False
    revision: int = Field(default=0, ge=0)

    @property
    def hours(self) -> float | None:
        return self.length if self.unit == "hours" else None

    @property
    def working_days(self) -> int | None:
        return int(self.length) if self.unit == "working_days" else None

    @property
    def hourly(self) -> HourReminderConfig:
        return self.hour_reminders or HourReminderConfig()

    @property
    def daily(self) -> WorkingDayReminderConfig:
        return self.working_day_reminders or WorkingDayReminderConfig()

    @classmethod
    def for_window(cls, spec: WindowSpec, policy: PolicyConfig, *, provisional: bool) -> ClockPolicy:
        if spec.hours is not None:
            return cls(kind=spec.kind, unit="hours", length=spec.hours,  # type: ignore[arg-type]
                       hour_reminders=policy.hour_reminders)
        assert spec.working_days is not None
        return cls(kind=spec.kind, unit="working_days", length=spec.working_days,  # type: ignore[arg-type]
                   office_close=policy.office_close, working_day_reminders=policy.working_day_reminders,
                   calendar_basis="provisional" if provisional else "published", provisional=provisional)

    @classmethod
    def load(cls, raw: dict[str, Any] | None, *, provisional: bool = False) -> ClockPolicy:
        """A stored snapshot; one written before the typed snapshot is upgraded (see module doc).

        Its working-day clocks take the working-day schedule: the minute-scale one they froze is
        what reminded a 15-working-day complaint at 23:01 on its last day.
        """
        raw = dict(raw or {})
        if raw.get("version") != 2:
            hours, days = raw.get("hours"), raw.get("working_days")
            unit = "hours" if hours is not None else "working_days"
            daily = WorkingDayReminderConfig().model_dump()
            raw = {"kind": raw.get("kind"), "unit": unit, "length": hours if hours is not None else days,
                   "office_close": raw.get("office_close"),
                   "hour_reminders": _legacy_hour_reminders(raw) if unit == "hours" else None,
                   "working_day_reminders": None if unit == "hours" else daily,
                   "calendar_basis": "calendar_hours" if unit == "hours" else (
                       "provisional" if provisional else "published"),
                   "provisional": provisional}
        return cls.model_validate(raw)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def recomputed(self, *, provisional: bool) -> ClockPolicy:
        """The same rules on a newer calendar basis (after a year's schedule was imported)."""
        return self.model_copy(update={"provisional": provisional, "revision": self.revision + 1,
                                       "calendar_basis": "provisional" if provisional else "published"})


def freeze(policy: PolicyConfig) -> dict[str, Any]:
    """The JSON stored on a new incident or case."""
    return IncidentPolicy.freeze(policy).dump()


def incident_windows(policy: IncidentPolicy, grade: str, category: str) -> list[WindowSpec]:
    """Windows opened with an incident of this grade and category (updates come later, from tick)."""
    hours = {DeadlineKind.AUTHORITATIVE_INFO: policy.authoritative_hours,
             DeadlineKind.PRESS_CONFERENCE: policy.press_conference_hours,
             DeadlineKind.TIMELY_RESPONSE: policy.key_matter_hours}
    kinds = [DeadlineKind(k) for k in policy.grade_windows.get(grade, [])  # type: ignore[call-overload]
             if k != DeadlineKind.UPDATE]
    if category in KEY_MATTERS:
        kinds.append(DeadlineKind.TIMELY_RESPONSE)
    return [WindowSpec(kind, hours=float(hours[kind])) for kind in dict.fromkeys(kinds)]


def owes_updates(policy: IncidentPolicy, grade: str) -> bool:
    """Whether incidents of this grade owe an authoritative update every update_every_hours."""
    return DeadlineKind.UPDATE in policy.grade_windows.get(grade, []) and policy.update_every_hours > 0  # type: ignore[call-overload]


def case_window(policy: PolicyConfig, case_kind: str, complex_: bool) -> WindowSpec:
    """The working-day window of a case: suggestion 7 (15 if complex), complaint 15, re-post 1."""
    if case_kind not in CASE_KINDS:
        raise ValueError(f"未知的事项类型 {case_kind!r}，应为 {'、'.join(CaseKind.labels().values())}")
    deadline_kind = CASE_KINDS[case_kind]
    if deadline_kind == DeadlineKind.SUGGESTION_REPLY:
        days = policy.suggestion_complex_working_days if complex_ else policy.suggestion_working_days
    elif deadline_kind == DeadlineKind.COMPLAINT_REPLY:
        days = policy.complaint_working_days
    else:
        days = policy.repost_working_days
    return WindowSpec(deadline_kind, working_days=int(days))

"""The response policy (时限策略): which windows an incident or case gets. Frozen at creation.

`freeze` turns settings.policy into a plain dict stored on the incident or deadline, so editing the
configuration later changes no running clock. Everything else here reads only that dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yuqing.config import PolicyConfig
from yuqing.vocab import KEY_MATTERS, SERIOUS_GRADES, ActionKind, CaseKind, DeadlineKind

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


def freeze(policy: PolicyConfig) -> dict[str, Any]:
    return policy.model_dump(mode="json")


def incident_windows(policy: dict[str, Any], grade: str, category: str) -> list[WindowSpec]:
    """Windows opened with an incident of this grade and category (updates come later, from tick)."""
    specs: list[WindowSpec] = []
    if grade in SERIOUS_GRADES:
        specs.append(WindowSpec(DeadlineKind.AUTHORITATIVE_INFO, hours=float(policy["authoritative_hours"])))
        specs.append(WindowSpec(DeadlineKind.PRESS_CONFERENCE, hours=float(policy["press_conference_hours"])))
    if category in KEY_MATTERS:
        specs.append(WindowSpec(DeadlineKind.TIMELY_RESPONSE, hours=float(policy["key_matter_hours"])))
    return specs


def case_window(policy: dict[str, Any], case_kind: str, complex_: bool) -> WindowSpec:
    """The working-day window of a case: suggestion 7 (15 if complex), complaint 15, re-post 1."""
    if case_kind not in CASE_KINDS:
        raise ValueError(f"未知的事项类型 {case_kind!r}，应为 {'、'.join(CaseKind.labels().values())}")
    deadline_kind = CASE_KINDS[case_kind]
    if deadline_kind == DeadlineKind.SUGGESTION_REPLY:
        days = policy["suggestion_complex_working_days"] if complex_ else policy["suggestion_working_days"]
    elif deadline_kind == DeadlineKind.COMPLAINT_REPLY:
        days = policy["complaint_working_days"]
    else:
        days = policy["repost_working_days"]
    return WindowSpec(deadline_kind, working_days=int(days))

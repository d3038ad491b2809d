"""Reminders and escalation (提醒与升级) for one deadline at one moment. Pure.

Steps, each sent once (the outbox key is deadline + step, so a restart never repeats one):
lead-N (N minutes before due; only the nearest one still ahead when several fall due at once),
escalate (leadership, when due within `escalate_minutes` and no response yet), breach (at due),
repeat-K (every breach_repeat_minutes while breached; only the latest).

`Deadline.reminders_sent` records each step once: its name when a notice was written, or
"skipped:" + name when it was superseded (or its subject was quiet), so the auditor knows which
notices must exist in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yuqing.vocab import OPEN_DEADLINE_STATES, DeadlineState


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
        return [Step("breach", "press"), Step("breach-leadership", "leadership")]
    if mark == "escalate":
        return [Step("escalate", "leadership")]
    return [Step(mark, "press")]


def plan(
    *, state: str, due_at: datetime, policy: dict[str, Any], sent: list[str], now: datetime,
    escalate_minutes: int,
) -> Plan:
    """What to do for a pending/due_soon/breached deadline at `now`."""
    if state not in OPEN_DEADLINE_STATES:
        return Plan(state, [], [])
    done = done_steps(sent)
    send: list[Step] = []
    mark: list[str] = []
    due_soon = timedelta(minutes=int(policy.get("due_soon_minutes", 60)))
    if now >= due_at:
        new_state = DeadlineState.BREACHED
        if "breach" not in done:
            send += [Step("breach", "press"), Step("breach-leadership", "leadership")]
            mark += ["breach"]
        repeat = int(policy.get("breach_repeat_minutes", 60))
        if repeat > 0:
            k = int((now - due_at).total_seconds() // (repeat * 60))
            if k >= 1 and f"repeat-{k}" not in done:
                send.append(Step(f"repeat-{k}", "press"))
                mark.append(f"repeat-{k}")
                mark += [skipped(f"repeat-{j}") for j in range(1, k) if f"repeat-{j}" not in done]
        # lead reminders never sent before the breach are superseded by it
        leads = [f"lead-{m}" for m in policy.get("reminder_lead_minutes", [])]
        mark += [skipped(name) for name in leads if name not in done]
        return Plan(new_state, send, mark)
    new_state = DeadlineState.DUE_SOON if now >= due_at - due_soon else DeadlineState.PENDING
    passed = sorted(int(m) for m in policy.get("reminder_lead_minutes", [])
                    if now >= due_at - timedelta(minutes=int(m)) and f"lead-{m}" not in done)
    if passed:
        send.append(Step(f"lead-{passed[0]}", "press"))  # the nearest to due speaks for all
        mark += [f"lead-{passed[0]}"] + [skipped(f"lead-{m}") for m in passed[1:]]
    escalate_at = due_at - timedelta(minutes=escalate_minutes)
    if escalate_minutes > 0 and now >= escalate_at and "escalate" not in done:
        send.append(Step("escalate", "leadership"))
        mark.append("escalate")
    return Plan(new_state, send, mark)

"""抑制 (inhibition, as in Alertmanager): while a higher-grade incident fires on the same subject, the
reminders of lower-grade incidents about that subject are held back, so the office hears about the
event that matters and not every smaller echo of it. Pure: plain values in and out.

Same subject: the same data release (Incident.release_id), or a watch topic the two incidents'
mentions share. Firing: not closed. Only a strictly higher grade inhibits (equals never mute each other).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yuqing.vocab import Grade, grade_rank


@dataclass(frozen=True)
class Subject:
    """What inhibition needs of one incident."""

    incident_id: int
    grade: str
    release_id: int | None = None
    topics: frozenset[str] = frozenset()
    firing: bool = True


@dataclass(frozen=True)
class Inhibition:
    by: int  # the inhibiting incident
    reason: str  # Chinese, stored on the held notification


def shared_subject(a: Subject, b: Subject) -> str | None:
    """How two incidents concern the same subject, in words, or None."""
    if a.release_id is not None and a.release_id == b.release_id:
        return f"同一数据发布（发布 {a.release_id}）"
    common = sorted(a.topics & b.topics)
    if common:
        return f"同一监测专题（{'、'.join(common)}）"
    return None


def inhibitor(target: Subject, others: Iterable[Subject]) -> Inhibition | None:
    """The firing incident of the highest grade (then the oldest) that inhibits `target`, if any."""
    best: tuple[int, int, str] | None = None
    for other in others:
        if other.incident_id == target.incident_id or not other.firing:
            continue
        if grade_rank(other.grade) >= grade_rank(target.grade):
            continue
        why = shared_subject(target, other)
        if why is None:
            continue
        candidate = (grade_rank(other.grade), other.incident_id, why)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        return None
    rank, incident_id, why = best
    return Inhibition(incident_id, f"被更高级别事件 #{incident_id}（{list(Grade)[rank]} 级）抑制：{why}")

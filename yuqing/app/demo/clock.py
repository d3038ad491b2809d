"""The world's virtual clock: a scenario of `span` virtual hours replayed `speed` times faster.

virtual_now = real_start − span + elapsed_real × speed, capped at the real time, so every
timestamp the world serves lies in the past of the machine that crawls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing.clock import as_utc

PHASES: tuple[tuple[float, str], ...] = (
    (0.05, "release"),      # 数据发布与权威解读
    (0.33, "calm"),         # 平稳报道、理性讨论
    (0.55, "accusation"),   # 大V质疑、转发扩散
    (1.0, "viral"),         # 造假质疑全面发酵
)


@dataclass(frozen=True)
class VirtualClock:
    real_start: datetime  # aware UTC, when the world started
    span: timedelta       # virtual length of the scenario
    speed: float          # virtual seconds per real second

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed 必须为正数")
        if self.span <= timedelta(0):
            raise ValueError("场景时长必须为正数")
        object.__setattr__(self, "real_start", as_utc(self.real_start))

    @property
    def scenario_start(self) -> datetime:
        """Virtual time at which the scenario (the CPI release) begins, UTC."""
        return self.real_start - self.span

    @property
    def scenario_end(self) -> datetime:
        return self.real_start

    @property
    def real_duration(self) -> timedelta:
        """Real time the whole scenario takes to play out."""
        return self.span / self.speed

    def virtual_now(self, real_now: datetime) -> datetime:
        real_now = as_utc(real_now)
        elapsed = max(real_now - self.real_start, timedelta(0))
        return min(self.scenario_start + elapsed * self.speed, real_now)

    def progress(self, real_now: datetime) -> float:
        """Share of the scenario played so far, 0–1."""
        done = self.virtual_now(real_now) - self.scenario_start
        return max(0.0, min(1.0, done / self.span))

    def at(self, fraction: float) -> datetime:
        """Virtual instant `fraction` (0–1) into the scenario."""
        return self.scenario_start + self.span * fraction


def phase_of(progress: float) -> str:
    for upper, name in PHASES:
        if progress < upper:
            return name
    return "after"

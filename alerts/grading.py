"""研判: grade (I–IV) and category of an event from its mentions. Pure: plain values in and out.

Base grade: the highest grade whose risk threshold the event's peak risk reaches with at least that
grade's minimum number of mentions (settings.risk). One grade up (never from nothing, never past I) when
the event spreads fast (velocity), involves central media, or is a data-credibility accusation with reach.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from yuqing.vocab import TOPIC_CATEGORY, Category, Grade, MediaTier, SensitiveTopic


@dataclass(frozen=True)
class MentionFacts:
    """What grading needs of one mention."""

    risk: float
    at: datetime
    sensitive_topics: tuple[str, ...] = ()
    media_tier: str = MediaTier.SELF


@dataclass(frozen=True)
class Assessment:
    grade: str | None  # None: below every threshold, no incident
    category: str
    peak_risk: float
    mentions: int
    last_hour: int
    reasons: list[str] = field(default_factory=list)


def category_of(facts: Iterable[MentionFacts]) -> str:
    """The sensitive topic carrying the most risk; ties go to the order of TOPIC_CATEGORY.

    Weighted by each mention's risk, not counted: a dozen viral accusations of fake figures
    outweigh forty low-reach complaints about vegetable prices in the same wave.
    """
    weight: Counter[SensitiveTopic] = Counter()
    for f in facts:
        for t in f.sensitive_topics:
            if t in SensitiveTopic.values():
                weight[SensitiveTopic(t)] += max(f.risk, 1.0)
    if not weight:
        return Category.OTHER
    order = list(TOPIC_CATEGORY)
    topic = max(weight, key=lambda t: (weight[t], -order.index(t)))
    return TOPIC_CATEGORY[topic]


def assess(
    facts: list[MentionFacts], *, thresholds: Mapping[str, float], min_mentions: Mapping[str, int],
    now: datetime,
) -> Assessment:
    """Grade an event. `thresholds`/`min_mentions` are settings.risk's, keyed by grade."""
    category = category_of(facts)
    if not facts:
        return Assessment(None, category, 0.0, 0, 0)
    peak = max(f.risk for f in facts)
    count = len(facts)
    last_hour = sum(1 for f in facts if now - timedelta(hours=1) <= f.at <= now)
    grade = next((g for g in Grade  # I first
                  if peak >= thresholds.get(g, 101.0) and count >= min_mentions.get(g, 1)), None)
    reasons = []
    if grade is not None:
        reasons.append(f"风险峰值 {peak:.0f}，相关信息 {count} 条")
        lift = None
        need_i = min_mentions.get(Grade.I, 5)
        if last_hour >= 2 * need_i:
            lift = f"1小时内新增 {last_hour} 条，传播速度快"
        elif any(f.media_tier == MediaTier.CENTRAL for f in facts):
            lift = "中央媒体参与报道"
        elif (category == Category.DATA_CREDIBILITY and count >= need_i
              and peak >= thresholds.get(Grade.II, 65.0)):
            lift = "涉及数据真实性质疑且已形成传播"
        if lift and grade != Grade.I:
            grade = list(Grade)[grade.rank - 1]
            reasons.append(lift)
    return Assessment(grade, category, peak, count, last_hour, reasons)


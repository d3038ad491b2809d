"""Release linking: which statistical releases a mention discusses, with a confidence and reasons.

Evidence, in order of weight: the release's indicator is named (CPI, 居民消费价格 …), its
reference period is named (10月份), and the mention appeared soon after publication. A
mention that names no released indicator but talks about the bureau's data (统计局, 数据造假…)
shortly after a release is linked to the latest one, with low confidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from yuqing.analysis.indicators import find_indicators

GENERIC_WORDS = (
    "统计局", "统计数据", "官方数据", "数据造假", "造假", "注水", "被平均", "被增长", "公布的数据",
)
_MONTH_RE = re.compile(r"(\d{1,2})月")
_QUARTER_WORDS = {"一季度": 1, "二季度": 2, "三季度": 3, "四季度": 4, "上半年": 2, "前三季度": 3}


@dataclass(frozen=True)
class ReleaseRef:
    id: int
    indicator: str
    period_label: str | None
    published_at: datetime | None
    salience: int = 0  # mentions naming it lately: tells apart releases published the same morning


@dataclass(frozen=True)
class ReleaseLink:
    release_id: int
    confidence: float  # 0-1
    reasons: tuple[str, ...]


def _period_tokens(label: str | None) -> set[str]:
    """What a post would say for a period: "2026年10月" -> {"10月"}; quarters -> {"三季度"}."""
    if not label:
        return set()
    tokens = {f"{int(m)}月" for m in _MONTH_RE.findall(label)}
    tokens |= {w for w in _QUARTER_WORDS if w in label}
    return tokens


def link_releases(
    text: str,
    published_at: datetime | None,
    releases: Sequence[ReleaseRef],
    *,
    window_hours: float = 24 * 30,
    generic_hours: float = 72,
    min_confidence: float = 0.3,
) -> list[ReleaseLink]:
    """Links above `min_confidence`, best first. `releases` are candidates (published ones)."""
    named = {ind.code: alias for ind, alias in find_indicators(text)}
    live: list[tuple[ReleaseRef, float]] = []
    for rel in releases:
        if rel.published_at is None:
            continue
        age_h = ((published_at - rel.published_at).total_seconds() / 3600) if published_at else 0.0
        if age_h < -1 or age_h > window_hours:  # before publication (1 h of clock skew allowed)
            continue
        live.append((rel, max(age_h, 0.0)))

    links: list[ReleaseLink] = []
    for rel, age_h in live:
        if rel.indicator not in named:
            continue
        reasons = [f"提及指标「{named[rel.indicator]}」"]
        conf = 0.55
        periods = [p for p in _period_tokens(rel.period_label) if p in text]
        if periods:
            conf += 0.2
            reasons.append(f"提及统计期「{periods[0]}」")
        recency = math.exp(-age_h / 48)
        conf += 0.25 * recency
        reasons.append(f"发布后 {age_h:.0f} 小时")
        links.append(ReleaseLink(rel.id, round(min(conf, 1.0), 3), tuple(reasons)))

    live_codes = {rel.indicator for rel, _ in live}
    if not links and not (set(named) & live_codes):
        words = [w for w in GENERIC_WORDS if w in text]
        recent = [(rel, age) for rel, age in live if age <= generic_hours]
        if words and recent:
            # CPI and PPI come out at the same 09:30: a post that names neither is about the
            # one people are naming, not whichever row happens to sort first.
            rel, age_h = min(recent, key=lambda ra: (round(ra[1]), -ra[0].salience, ra[1]))
            conf = 0.25 + 0.25 * math.exp(-age_h / 24)
            reasons = (f"提及「{words[0]}」", f"最近发布 {age_h:.0f} 小时")
            links.append(ReleaseLink(rel.id, round(conf, 3), reasons))
    links = [lk for lk in links if lk.confidence >= min_confidence]
    return sorted(links, key=lambda lk: -lk.confidence)

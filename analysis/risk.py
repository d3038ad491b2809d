"""Risk 0–100 with its reasons (研判): a pure function, every weight in `RiskWeights`.

Two parts. The *substance* — how negative, which sensitive topic — counts in full. The
*amplifiers* — reach, followers, verification, media tier, velocity — count in proportion to
how negative the mention is (a viral happy post is not a risk), never less than
`amplifier_floor`. Each factor reports the points it added, so the label shown to the press
officer ("负面 0.92 · 1小时转发 2,300 · 涉及数据真实性") is the score's own arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from yuqing.analysis.sensitive import TOPIC_LABELS
from yuqing.vocab import MediaTier


@dataclass(frozen=True)
class RiskWeights:
    """Maximum points per factor (the sum may exceed 100; the score is capped)."""

    negativity: float = 35.0  # at p_negative = 1
    negativity_floor: float = 0.3  # p_negative below this adds nothing
    sensitive: dict[str, float] = field(default_factory=lambda: {
        "data_credibility": 22.0, "emergency": 18.0, "livelihood": 10.0,
        "market_expectations": 10.0, "misreading": 8.0,
    })
    extra_sensitive: float = 3.0  # per further sensitive topic
    sensitive_neutral_share: float = 0.4  # share of a topic's points when the mention is not negative
    sensitive_amplifier: float = 0.3  # amplifiers' share when a sensitive topic is touched
    engagement: float = 18.0  # reposts + comments + likes, log scale
    engagement_full: float = 10_000.0  # interactions that earn the full points
    followers: float = 10.0
    followers_full: float = 1_000_000.0
    verified: float = 5.0
    tier: dict[str, float] = field(default_factory=lambda: {
        "central": 12.0, "provincial": 8.0, "local": 4.0, "self": 0.0})
    velocity: float = 12.0  # reposts per hour, log scale
    velocity_full: float = 2_000.0
    amplifier_floor: float = 0.15  # amplifiers' share when the mention is not negative


WEIGHTS = RiskWeights()


@dataclass(frozen=True)
class RiskInputs:
    p_negative: float
    sensitive_topics: tuple[str, ...] = ()
    reposts: int = 0
    comments: int = 0
    likes: int = 0
    followers: int = 0
    verified: bool = False
    media_tier: str = "self"
    published_at: datetime | None = None
    now: datetime | None = None


def _log_share(value: float, full: float) -> float:
    """0 at 0, 1 at `full`, logarithmic in between (one repost is not 1/10000 of viral)."""
    if value <= 0:
        return 0.0
    return min(1.0, math.log1p(value) / math.log1p(full))


def _count(n: float) -> str:
    """Chinese-style counts: 2,300 · 12.5万 · 1.2亿."""
    if n >= 100_000_000:
        return f"{n / 100_000_000:.1f}亿"
    if n >= 100_000:
        return f"{n / 10_000:.0f}万"
    return f"{round(n):,}"


def _factor(key: str, label: str, value: float, points: float) -> dict[str, object]:
    return {"key": key, "label": label, "value": round(float(value), 4), "contribution": round(points, 1)}


def score(inputs: RiskInputs, weights: RiskWeights = WEIGHTS) -> tuple[float, list[dict[str, object]]]:
    """(risk 0–100, factors sorted by contribution). Factors adding nothing are left out."""
    w = weights
    factors: list[dict[str, object]] = []
    p = max(0.0, min(1.0, inputs.p_negative))
    neg_share = max(0.0, (p - w.negativity_floor) / (1 - w.negativity_floor))
    factors.append(_factor("negativity", f"负面 {p:.2f}", p, w.negativity * neg_share))

    # A sensitive topic reported neutrally (news on prices) matters less than one raised in anger.
    tone = w.sensitive_neutral_share + (1 - w.sensitive_neutral_share) * neg_share
    topics = [t for t in inputs.sensitive_topics if t in w.sensitive]
    if topics:
        main = max(topics, key=lambda t: w.sensitive[t])
        factors.append(_factor(f"sensitive:{main}", TOPIC_LABELS[main], 1.0, tone * w.sensitive[main]))
        for other in topics:
            if other != main:
                factors.append(_factor(f"sensitive:{other}", TOPIC_LABELS[other], 1.0,
                                       tone * w.extra_sensitive))

    amp = max(w.amplifier_floor, neg_share, w.sensitive_amplifier if topics else 0.0)
    interactions = inputs.reposts + inputs.comments + inputs.likes
    if interactions:
        label = f"转发 {_count(inputs.reposts)} · 评论 {_count(inputs.comments)}" if inputs.reposts else (
            f"互动 {_count(interactions)}")
        factors.append(_factor("engagement", label, interactions,
                               amp * w.engagement * _log_share(interactions, w.engagement_full)))
    if inputs.followers:
        factors.append(_factor("followers", f"粉丝 {_count(inputs.followers)}", inputs.followers,
                               amp * w.followers * _log_share(inputs.followers, w.followers_full)))
    if inputs.verified:
        factors.append(_factor("verified", "认证账号", 1.0, amp * w.verified))
    tier_points = w.tier.get(inputs.media_tier, 0.0)
    if tier_points:
        factors.append(_factor("media_tier", MediaTier.label_of(inputs.media_tier), 1.0,
                               amp * tier_points))
    if inputs.reposts and inputs.published_at and inputs.now:
        hours = max(1.0, (inputs.now - inputs.published_at).total_seconds() / 3600)
        per_hour = inputs.reposts / hours
        factors.append(_factor("velocity", f"1小时转发 {_count(per_hour)}", per_hour,
                               amp * w.velocity * _log_share(per_hour, w.velocity_full)))

    factors = [f for f in factors if f["contribution"] > 0]  # type: ignore[operator]
    factors.sort(key=lambda f: -f["contribution"])  # type: ignore[operator]
    total = min(100.0, sum(f["contribution"] for f in factors))  # type: ignore[misc]
    return round(total, 1), factors


def summary(factors: list[dict[str, object]], top: int = 3) -> str:
    """The one-line reason shown next to a score: "负面 0.92 · 1小时转发 2,300 · 涉及数据真实性"."""
    return " · ".join(str(f["label"]) for f in factors[:top])


def story_risk(member_risks: list[float], size: int, platforms: int) -> tuple[float, list[dict[str, object]]]:
    """A story's risk: its riskiest mention, plus spread (copies and platforms)."""
    base = max(member_risks, default=0.0)
    factors = [_factor("max_mention", f"最高单条风险 {base:.0f}", base, base)]
    if size > 1:
        factors.append(_factor("copies", f"转载/转发 {size:,} 条", size, min(10.0, 3.0 * math.log10(size))))
    if platforms > 1:
        factors.append(_factor("platforms", f"跨 {platforms} 个平台", platforms, 2.0 * (platforms - 1)))
    return round(min(100.0, sum(f["contribution"] for f in factors)), 1), factors  # type: ignore[misc]

"""Bursts: volume per watch topic and per release against its own hourly baseline.

Social-listening tools flag a spike when the last hour is far above the preceding hours.
The pure core (`detect`) takes one series of hourly counts (oldest first, the last entry is
the hour just ended) and compares the last hour with two baselines:

- the mean of the preceding `window` hours (12 by default): the ratio that is shown to the
  press officer ("近1小时 230 条，为前12小时均值的 9.6 倍");
- an EWMA of the whole history with an EWMA of the squared deviation, so a series that is
  always noisy needs a bigger jump (z-score) than a quiet one.

A spike needs all three: at least `min_count` mentions, `min_ratio` times the window mean,
and `min_z` deviations above the EWMA. Slow growth never triples hour on hour, so it is not
a spike; the first hour of a topic nobody talked about is (its baseline is zero).
`current_bursts` computes the series from the store (Mention.topics, MentionRelease).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class BurstParams:
    window: int = 12  # hours the last hour is compared with
    alpha: float = 0.3  # EWMA smoothing per hour (weight of the newest hour)
    min_count: int = 10  # fewer mentions than this in the last hour is never a spike
    min_ratio: float = 3.0  # last hour / mean of the preceding window
    min_z: float = 3.0  # deviations above the EWMA baseline
    noise_floor: float = 1.0  # Poisson-like floor on the variance (counts are counts)


@dataclass(frozen=True)
class BurstSignal:
    """What the last hour of one series looks like against its baseline."""

    count: int  # mentions in the last hour
    window_mean: float  # mean per hour of the preceding `window` hours
    ewma: float  # EWMA baseline before the last hour
    ratio: float  # count / window_mean (count / 1 when the window was empty)
    zscore: float
    spike: bool
    score: float  # 0-100, grows with the ratio and the volume; 0 when not a spike
    reason: str  # Chinese, shown to users


@dataclass(frozen=True)
class Burst:
    kind: str  # "topic" | "release"
    key: str  # topic name, or the release id as text
    label: str  # what to show: the topic name, or the release title
    hour_start: datetime  # start of the last hour (UTC)
    signal: BurstSignal
    counts: tuple[int, ...]  # the hourly series, oldest first (for a sparkline)
    release_id: int | None = None  # the release a "release" series counts (a fact, never parsed from `key`)


def ewma_baseline(counts: Sequence[float], alpha: float) -> list[tuple[float, float]]:
    """(mean, variance) of the EWMA *before* each hour: entry i summarises counts[:i]."""
    out: list[tuple[float, float]] = []
    mean = var = 0.0
    started = False
    for c in counts:
        out.append((mean, var))
        if not started:
            mean, started = float(c), True
            continue
        diff = c - mean
        mean += alpha * diff
        var = (1 - alpha) * (var + alpha * diff * diff)
    return out


def _reason(count: int, window_mean: float, ratio: float, window: int) -> str:
    if window_mean <= 0:
        return f"近1小时 {count:,} 条，前{window}小时无相关信息"
    return f"近1小时 {count:,} 条，为前{window}小时均值的 {ratio:.1f} 倍"


def detect(counts: Sequence[int], params: BurstParams = BurstParams()) -> BurstSignal:
    """The last hour of `counts` (oldest first) against its baselines. Empty input: no spike."""
    if not counts:
        return BurstSignal(0, 0.0, 0.0, 0.0, 0.0, False, 0.0, "近1小时无相关信息")
    count = int(counts[-1])
    before = list(counts[:-1])
    window = before[-params.window :]
    window_mean = sum(window) / params.window if window else 0.0  # missing hours count as 0
    mean, var = ewma_baseline(counts, params.alpha)[-1] if before else (0.0, 0.0)
    ratio = count / max(window_mean, 1.0) if window_mean > 0 else float(count)
    z = (count - mean) / math.sqrt(max(var, params.noise_floor, mean))
    spike = count >= params.min_count and ratio >= params.min_ratio and z >= params.min_z
    score = 0.0
    if spike:
        # Mostly how many times the baseline (3x ≈ 24, 10x = 50, 100x = 100), plus volume (10 = 12.5).
        score = min(100.0, 50 * math.log10(max(ratio, 1.0)) + 12.5 * math.log10(count))
    return BurstSignal(
        count=count, window_mean=round(window_mean, 2), ewma=round(mean, 2), ratio=round(ratio, 2),
        zscore=round(z, 2), spike=spike, score=round(score, 1),
        reason=_reason(count, window_mean, ratio, params.window),
    )


def hourly_counts(times: Iterable[datetime], *, now: datetime, hours: int) -> list[int]:
    """Counts per hour ending at `now`, oldest first: the last bucket is [now - 1h, now)."""
    counts = [0] * hours
    start = now - hours * HOUR
    for t in times:
        if start <= t < now:
            counts[int((t - start) / HOUR)] += 1
    return counts


def current_bursts(
    session: Any,
    *,
    now: datetime,
    history_hours: int = 48,
    params: BurstParams = BurstParams(),
    spikes_only: bool = True,
) -> list[Burst]:
    """Per watch topic (Mention.topics) and per release (MentionRelease): the last hour's signal.

    A mention's time is its publication time, or when it was analysed if that is unknown.
    Spikes first, by score; with `spikes_only=False` every series active in the history.
    """
    from sqlalchemy import and_, or_, select

    from yuqing.store.models import Mention, MentionRelease, Release

    since = now - history_hours * HOUR
    in_range = or_(
        and_(Mention.published_at.is_not(None), Mention.published_at >= since, Mention.published_at < now),
        and_(Mention.published_at.is_(None), Mention.analysed_at >= since, Mention.analysed_at < now),
    )
    by_topic: dict[str, list[datetime]] = defaultdict(list)
    for published, analysed, topics in session.execute(
        select(Mention.published_at, Mention.analysed_at, Mention.topics).where(in_range)
    ):
        for topic in topics or ():
            by_topic[str(topic)].append(published or analysed)
    by_release: dict[int, list[datetime]] = defaultdict(list)
    for published, analysed, release_id in session.execute(
        select(Mention.published_at, Mention.analysed_at, MentionRelease.release_id)
        .join(MentionRelease, MentionRelease.mention_id == Mention.id).where(in_range)
    ):
        by_release[release_id].append(published or analysed)
    titles = dict(session.execute(
        select(Release.id, Release.title).where(Release.id.in_(list(by_release)))
    ).all()) if by_release else {}

    series: list[tuple[str, str, str, list[datetime], int | None]] = [
        ("topic", name, name, times, None) for name, times in by_topic.items()]
    series += [("release", str(rid), titles.get(rid) or f"发布 #{rid}", times, rid)
               for rid, times in by_release.items()]
    out: list[Burst] = []
    for kind, key, label, times, release_id in series:
        counts = hourly_counts(times, now=now, hours=history_hours)
        signal = detect(counts, params)
        if signal.spike or not spikes_only:
            out.append(Burst(kind=kind, key=key, label=label, hour_start=now - HOUR, signal=signal,
                             counts=tuple(counts), release_id=release_id))
    out.sort(key=lambda b: (not b.signal.spike, -b.signal.score, -b.signal.count, b.kind, b.key))
    return out

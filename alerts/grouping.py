"""Which mentions are one event (one incident each): the alert engine's rule over analysis's facts.

Analysis records facts on each mention (sentiment, sensitive topics, the release it discusses best,
the indicator its text names, its story); grouping them is the alert engine's business. The key must
come from facts that do not change between batches or runs: the release a mention discusses; without
one, its main sensitive topic, the indicator and the ISO week; otherwise its near-duplicate story.
Pure: plain values in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from yuqing.clock import to_local
from yuqing.vocab import SensitiveTopic, Sentiment

STRONG_TOPICS = (SensitiveTopic.DATA_CREDIBILITY, SensitiveTopic.EMERGENCY)
# Priority, not hit count, picks the main topic: the same event's posts must agree on it.
TOPIC_PRIORITY = (
    SensitiveTopic.DATA_CREDIBILITY, SensitiveTopic.EMERGENCY, SensitiveTopic.MISREADING,
    SensitiveTopic.LIVELIHOOD, SensitiveTopic.MARKET_EXPECTATIONS,
)


@dataclass(frozen=True)
class Event:
    """The event a mention belongs to: its key (one incident per key) and its release, if it is one's."""

    key: str
    release_id: int | None = None


def main_topic(sensitive_topics: Sequence[str]) -> str | None:
    for topic in TOPIC_PRIORITY:
        if topic in sensitive_topics:
            return topic
    return None


def is_event_worthy(sentiment: str, p_negative: float, sensitive_topics: Sequence[str]) -> bool:
    """Negative mentions, and sensitive ones that lean negative or touch a strong topic."""
    if sentiment == Sentiment.NEGATIVE:
        return True
    if any(t in STRONG_TOPICS for t in sensitive_topics) and p_negative >= 0.2:
        return True
    return bool(sensitive_topics) and p_negative >= 0.35


def event_of(
    *,
    sentiment: str,
    p_negative: float,
    sensitive_topics: Sequence[str],
    release_id: int | None,
    subject: str | None,
    published_at: datetime | None,
    story_id: int | None,
) -> Event | None:
    """The event a mention belongs to, or None when it is not event-worthy."""
    if not is_event_worthy(sentiment, p_negative, sensitive_topics):
        return None
    if release_id is not None:
        # One event per release's reaction: complaints about prices, accusations of fake
        # figures and misreadings of one CPI release are one incident, graded by its worst.
        return Event(f"release:{release_id}", release_id)
    topic = main_topic(sensitive_topics)
    if topic is not None:
        week = to_local(published_at).strftime("%G-W%V") if published_at else "undated"
        return Event(f"topic:{topic}:{subject or 'general'}:{week}")
    return Event(f"story:{story_id}") if story_id is not None else None

"""Events: negative or sensitive mentions on one subject share a stable `event_key`.

The alerts engine opens ONE incident per event_key, so the key is computed from facts that
do not change between batches or runs: the release a mention discusses and its main
sensitive topic; without a release, the topic, the indicator and the ISO week; otherwise the
near-duplicate story. `list_events` summarises them for the dashboard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from analysis.indicators import find_indicators
from analysis.sensitive import SENSITIVE_TOPICS, TOPIC_LABELS
from yuqing.clock import to_local
from yuqing.vocab import Sentiment

STRONG_TOPICS = ("data_credibility", "emergency")
# Priority, not hit count, picks the main topic: the same event's posts must agree on it.
TOPIC_PRIORITY = ("data_credibility", "emergency", "misreading", "livelihood", "market_expectations")


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


def event_key(
    *,
    sentiment: str,
    p_negative: float,
    sensitive_topics: Sequence[str],
    release_id: int | None,
    text: str,
    published_at: datetime | None,
    story_id: int | None,
) -> str | None:
    """The event a mention belongs to, or None when it is not event-worthy."""
    if not is_event_worthy(sentiment, p_negative, sensitive_topics):
        return None
    topic = main_topic(sensitive_topics)
    if release_id is not None:
        # One event per release's reaction: complaints about prices, accusations of fake
        # figures and misreadings of one CPI release are one incident, graded by its worst.
        return f"release:{release_id}"
    if topic is not None:
        found = find_indicators(text)
        subject = found[0][0].code if found else "general"
        week = to_local(published_at).strftime("%G-W%V") if published_at else "undated"
        return f"topic:{topic}:{subject}:{week}"
    return f"story:{story_id}" if story_id is not None else None


_STOPWORDS = (
    "的 了 是 在 我 你 他 她 它 们 都 就 也 和 与 及 又 还 吧 吗 啊 呢 呀 哈 这 那 有 没 不 很 被 把 给 "
    "说 要 "
    "会 能 去 来 到 上 下 个 一 么 什么 怎么 我们 你们 他们 这个 那个 就是 还是 真的 已经 可以 没有 "
    "自己 一个 转发 微博 回复 网页 链接 全文"
)
_STOP = frozenset(_STOPWORDS.split())


def key_terms(token_lists: Sequence[Sequence[str]], top: int = 8) -> list[str]:
    """The most frequent content words across an event's mentions (each counted once per mention)."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update({t for t in tokens if len(t) > 1 and t not in _STOP and not t.isdigit()
                       and not (t.startswith("[") and t.endswith("]")) and any(c.isalnum() for c in t)})
    return [t for t, _ in counts.most_common(top)]


def describe(key: str) -> str:
    """A Chinese title for an event key, for lists and incident titles."""
    parts = key.split(":")
    if parts[0] == "release":
        topic = TOPIC_LABELS.get(parts[2], "负面舆情") if len(parts) > 2 else "负面舆情"
        return f"数据发布 #{parts[1]} · {topic}"
    if parts[0] == "topic" and len(parts) >= 4:
        return f"{TOPIC_LABELS.get(parts[1], parts[1])} · {parts[2]} · {parts[3]}"
    if parts[0] == "story":
        return f"负面话题（同源内容 #{parts[1]}）"
    return key


def list_events(session: Any, *, since: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Events with counts, times, max risk, key terms and a representative (riskiest) mention."""
    from sqlalchemy import func, select

    from analysis.tokenise import tokenise
    from store.models import Mention

    q = select(
        Mention.event_key, func.count(Mention.id), func.min(Mention.published_at),
        func.max(Mention.published_at), func.max(Mention.risk),
    ).where(Mention.event_key.is_not(None)).group_by(Mention.event_key)
    if since is not None:
        q = q.where(Mention.published_at >= since)
    rows = session.execute(q.order_by(func.max(Mention.risk).desc()).limit(limit)).all()
    events = []
    for key, count, first, last, max_risk in rows:
        members = session.execute(
            select(Mention).where(Mention.event_key == key)
            .order_by(Mention.risk.desc(), Mention.id).limit(200)
        ).scalars().all()
        rep = members[0]
        topics = Counter(t for m in members for t in (m.sensitive_topics or []) if t in SENSITIVE_TOPICS)
        events.append({
            "event_key": key, "title": describe(key), "mentions": int(count), "first_seen": first,
            "last_seen": last, "max_risk": float(max_risk or 0),
            "key_terms": key_terms([tokenise(m.text) for m in members]),
            "sensitive_topics": [t for t, _ in topics.most_common()],
            "representative": {"mention_id": rep.id, "text": rep.text[:280], "risk": rep.risk,
                               "risk_factors": rep.risk_factors, "url": rep.url, "author": rep.author},
        })
    return events

"""Reads shared by the briefing and the assessment: mention rows, stories, hourly volume.

Mentions are read as narrow rows (no text) so a busy day of tens of thousands stays cheap;
only the few stories shown are loaded in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from store.models import IncidentMention, Mention, MentionRelease, Story
from yuqing.clock import to_local
from yuqing.vocab import Platform, SensitiveTopic, Sentiment

MIN_LINK_CONFIDENCE = 0.5  # a mention counts as discussing a release from this confidence


@dataclass(frozen=True)
class MentionRow:
    id: int
    platform: str
    sentiment: str
    risk: float
    story_id: int | None
    at: datetime  # published, else analysed (UTC)
    p_negative: float = 0.0
    sensitive_topics: tuple[str, ...] = ()

    @property
    def group_key(self) -> str:
        """Reposts and copies are one story; a mention without a story is its own."""
        return f"s{self.story_id}" if self.story_id is not None else f"m{self.id}"


@dataclass(frozen=True)
class StoryItem:
    story_id: int | None
    title: str
    publisher: str
    platforms: str
    mentions: int
    negative: int
    risk: float
    factors: list[str]
    sensitive: list[str]
    first_seen: datetime
    url: str | None
    has_incident: bool


def mention_time() -> ColumnElement[datetime]:
    return func.coalesce(Mention.published_at, Mention.analysed_at)


def load_mention_rows(
    session: Session,
    start: datetime | None,
    end: datetime | None,
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[MentionRow]:
    """Narrow rows of mentions whose time lies in [start, end), oldest first."""
    at = mention_time()
    stmt = select(
        Mention.id,
        Mention.platform,
        Mention.sentiment,
        Mention.risk,
        Mention.story_id,
        at,
        Mention.p_negative,
        Mention.sensitive_topics,
    )
    if start is not None:
        stmt = stmt.where(at >= start)
    if end is not None:
        stmt = stmt.where(at < end)
    for cond in where:
        stmt = stmt.where(cond)
    stmt = stmt.order_by(at, Mention.id)
    return [
        MentionRow(r[0], r[1], r[2], r[3] or 0.0, r[4], r[5], r[6] or 0.0, tuple(r[7] or ()))
        for r in session.execute(stmt)
    ]


def volume_by_platform(rows: Sequence[MentionRow]) -> list[dict[str, object]]:
    """Counts per platform and sentiment, busiest platform first, with a 合计 row last."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"negative": 0, "neutral": 0, "positive": 0})
    for r in rows:
        counts[r.platform][
            r.sentiment if r.sentiment in Sentiment.values() else Sentiment.NEUTRAL
        ] += 1
    out: list[dict[str, object]] = []
    for platform, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values())):
        out.append(
            {"platform": platform, "label": Platform.label_of(platform), **c, "total": sum(c.values())}
        )
    total = {k: sum(int(o[k]) for o in out) for k in ("negative", "neutral", "positive", "total")}  # type: ignore[call-overload]
    out.append({"platform": "all", "label": "合计", **total})
    return out


def volume_by_hour(rows: Sequence[MentionRow], start: datetime, end: datetime) -> list[dict[str, object]]:
    """One point per hour from `start` to `end`: total and negative mentions (empty hours included)."""
    n = max(0, int((end - start).total_seconds() // 3600))
    points = [{"start": start + timedelta(hours=i), "total": 0, "negative": 0} for i in range(n)]
    for r in rows:
        i = int((r.at - start).total_seconds() // 3600)
        if 0 <= i < n:
            points[i]["total"] += 1  # type: ignore[operator]
            if r.sentiment == Sentiment.NEGATIVE:
                points[i]["negative"] += 1  # type: ignore[operator]
    for p in points:
        p["label"] = f"{to_local(p['start']):%d日%H时}"  # type: ignore[arg-type]
    return points


def top_stories(
    session: Session, rows: Sequence[MentionRow], *, limit: int, negative_only: bool = False
) -> list[StoryItem]:
    """The riskiest stories among `rows`: risk is the highest of their mentions in the period."""
    groups: dict[str, list[MentionRow]] = defaultdict(list)
    for r in rows:
        if negative_only and r.sentiment != "negative":
            continue
        groups[r.group_key].append(r)
    ranked = sorted(groups.values(), key=lambda g: (-max(m.risk for m in g), -len(g), g[0].id))[:limit]
    if not ranked:
        return []
    leaders = {max(g, key=lambda m: (m.risk, -m.id)).id: g for g in ranked}
    mentions = {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(leaders)))}
    story_ids = {g[0].story_id for g in ranked if g[0].story_id is not None}
    stories = (
        {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(story_ids)))} if story_ids else {}
    )
    flagged = _groups_with_incident(session, story_ids, [g[0].id for g in ranked if g[0].story_id is None])
    out = []
    for leader_id, g in leaders.items():
        m = mentions[leader_id]
        st = stories.get(m.story_id) if m.story_id is not None else None
        title = (st.title if st and st.title else None) or m.title or _excerpt(m.text)
        platforms = sorted({x.platform for x in g}, key=lambda p: -sum(1 for x in g if x.platform == p))
        out.append(
            StoryItem(
                story_id=m.story_id,
                title=title,
                publisher=(st.earliest_publisher if st and st.earliest_publisher else None)
                or m.author
                or "—",
                platforms="、".join(Platform.label_of(p) for p in platforms),
                mentions=len(g),
                negative=sum(1 for x in g if x.sentiment == Sentiment.NEGATIVE),
                risk=m.risk,
                factors=[
                    str(f.get("label", f.get("key", "")))
                    for f in (m.risk_factors or [])
                    if isinstance(f, dict)
                ][:5],
                sensitive=[
                    SensitiveTopic.label_of(t) for t in sorted({t for x in g for t in x.sensitive_topics})
                ],
                first_seen=min(x.at for x in g),
                url=m.url,
                has_incident=(m.story_id in flagged) if m.story_id is not None else (m.id in flagged),
            )
        )
    return out


def _groups_with_incident(session: Session, story_ids: set[int], lone_mention_ids: list[int]) -> set[int]:
    """Story ids (and ids of story-less mentions) already attached to an incident."""
    found: set[int] = set()
    if story_ids:
        found |= set(
            session.scalars(
                select(Mention.story_id)
                .join(IncidentMention, IncidentMention.mention_id == Mention.id)
                .where(Mention.story_id.in_(story_ids))
            )
        )
    if lone_mention_ids:
        found |= set(
            session.scalars(
                select(IncidentMention.mention_id).where(IncidentMention.mention_id.in_(lone_mention_ids))
            )
        )
    return found


def release_reactions(
    session: Session, release_ids: Sequence[int], *, until: datetime | None = None
) -> dict[int, tuple[int, int, float]]:
    """Per release: (linked mentions, negative ones, highest risk) up to `until`."""
    if not release_ids:
        return {}
    neg = func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0))
    stmt = (
        select(MentionRelease.release_id, func.count(Mention.id), neg, func.max(Mention.risk))
        .join(Mention, Mention.id == MentionRelease.mention_id)
        .where(MentionRelease.release_id.in_(release_ids), MentionRelease.confidence >= MIN_LINK_CONFIDENCE)
        .group_by(MentionRelease.release_id)
    )
    if until is not None:
        stmt = stmt.where(mention_time() < until)
    return {rid: (int(n), int(k or 0), float(r or 0.0)) for rid, n, k, r in session.execute(stmt)}


def _excerpt(text: str, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n] + "…"

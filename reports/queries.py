"""Reads shared by the briefing and the assessment: mention rows, stories, hourly volume.

Mentions are read as narrow rows (no text) so a busy day of tens of thousands stays cheap;
only the few stories shown are loaded in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Integer, case, cast, func, or_, select
from sqlalchemy.orm import Session

from yuqing.clock import to_local
from yuqing.store.models import IncidentMention, Mention, MentionRelease, Story
from yuqing.store.queries import said_at
from yuqing.vocab import Platform, SensitiveTopic, Sentiment

from .sentences import factors_sentence

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
    reason: str = ""  # the risk factors as a sentence


def mention_time() -> ColumnElement[datetime]:
    """When a mention was said: the same rule as the API's feed (store.queries.said_at)."""
    return said_at()


def said_in(start: datetime | None, end: datetime | None, where: Sequence[ColumnElement[bool]] = ()
            ) -> list[ColumnElement[bool]]:
    """The conditions for a mention said in [start, end) (an open end where None), plus `where`."""
    at = mention_time()
    conds = [*where]
    if start is not None:
        conds.append(at >= start)
    if end is not None:
        conds.append(at < end)
    return conds


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
    stmt = stmt.where(*said_in(start, end, where)).order_by(at, Mention.id)
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
        if negative_only and r.sentiment != Sentiment.NEGATIVE:
            continue
        groups[r.group_key].append(r)
    ranked = sorted(groups.values(), key=lambda g: (-max(m.risk for m in g), -len(g), min(m.id for m in g)))
    ranked = ranked[:limit]
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
                reason=factors_sentence(m.risk_factors or []),
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


# Aggregates in SQL: a day of 100,000 mentions is summed by the database, not loaded row by row. -------

@dataclass(frozen=True)
class Summary:
    total: int
    negative: int
    story_count: int
    platforms: list[dict[str, object]]  # as volume_by_platform
    hours: list[dict[str, object]]  # as volume_by_hour


def _epoch(session: Session, col: ColumnElement[datetime]) -> ColumnElement[int]:
    """Seconds since 1970 of a UTC timestamp column, on SQLite (naive UTC text) and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", col), Integer)
    return cast(func.floor(func.extract("epoch", col)), Integer)


def group_key() -> ColumnElement[int]:
    """A story's id, or minus the id of a mention that belongs to no story (reposts are one story)."""
    return case((Mention.story_id.is_not(None), Mention.story_id), else_=-Mention.id)


def summarise(
    session: Session,
    start: datetime | None,
    end: datetime | None,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    hours: tuple[datetime, datetime] | None = None,
) -> Summary:
    """Counts of the mentions in [start, end) (and `where`): by platform and sentiment, by hour of
    `hours` (default: the period), distinct stories."""
    at = mention_time()
    conds = said_in(start, end, where)
    by_platform = session.execute(
        select(Mention.platform, Mention.sentiment, func.count()).where(*conds)
        .group_by(Mention.platform, Mention.sentiment)
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"negative": 0, "neutral": 0, "positive": 0})
    for platform, sentiment, n in by_platform:
        known = sentiment in Sentiment.values()
        counts[platform][sentiment if known else "neutral"] += int(n)
    platforms: list[dict[str, object]] = [
        {"platform": p, "label": Platform.label_of(p), **c, "total": sum(c.values())}
        for p, c in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]
    keys = ("negative", "neutral", "positive", "total")
    totals = {k: sum(int(o[k]) for o in platforms) for k in keys}  # type: ignore[call-overload]
    platforms.append({"platform": "all", "label": "合计", **totals})
    story_count = int(session.scalar(select(func.count(func.distinct(group_key()))).where(*conds)) or 0)
    h_start, h_end = hours if hours is not None else (start, end)
    points: list[dict[str, object]] = []
    if h_start is not None and h_end is not None:
        n = max(0, int((h_end - h_start).total_seconds() // 3600))
        points = [{"start": h_start + timedelta(hours=i), "total": 0, "negative": 0} for i in range(n)]
        offset = int(h_start.timestamp())
        bucket = (_epoch(session, at) - offset) // 3600  # floor division on both backends
        rows = session.execute(
            select(bucket, func.count(),
                   func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0)))
            .where(*where, at >= h_start, at < h_end)
            .group_by(bucket)
        ).all()
        for i, total, neg in rows:
            if i is not None and 0 <= int(i) < n:
                points[int(i)]["total"] = int(total)
                points[int(i)]["negative"] = int(neg or 0)
        for p in points:
            p["label"] = f"{to_local(p['start']):%d日%H时}"  # type: ignore[arg-type]
    return Summary(
        total=int(totals["total"]), negative=int(totals["negative"]), story_count=story_count,
        platforms=platforms, hours=points,
    )


def count_negative(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(mentions, negative ones) in [start, end)."""
    at = mention_time()
    total, neg = session.execute(
        select(func.count(), func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0)))
        .where(at >= start, at < end)
    ).one()
    return int(total or 0), int(neg or 0)


def top_story_rows(
    session: Session,
    start: datetime | None,
    end: datetime | None,
    *,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
    negative_only: bool = False,
) -> list[MentionRow]:
    """Narrow rows of just the `limit` riskiest stories of the period, for `top_stories` to describe."""
    conds = said_in(start, end, where)
    if negative_only:
        conds.append(Mention.sentiment == Sentiment.NEGATIVE)
    key = group_key()
    ranked = session.execute(
        select(key, func.max(Mention.risk), func.count(), func.min(Mention.id)).where(*conds)
        .group_by(key)
        .order_by(func.max(Mention.risk).desc(), func.count().desc(), func.min(Mention.id))
        .limit(limit)
    ).all()
    story_ids = [int(k) for k, *_ in ranked if k is not None and k > 0]
    lone_ids = [-int(k) for k, *_ in ranked if k is not None and k < 0]
    if not ranked:
        return []
    members = or_(Mention.story_id.in_(story_ids), Mention.id.in_(lone_ids))
    return load_mention_rows(session, start, end, where=[*where, members])

"""What an incident page draws: the volume curve with its markers, and mentions grouped by story.

A hundred mentions listed flat are 13,600 px of mostly the same post: the page shows stories
(reposts and syndicated copies together, with counts and the earliest publisher), the riskiest
first, twenty at a time, filtered like the feed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from yuqing.clock import as_utc, local_iso
from yuqing.store import queries as Q
from yuqing.store.models import Mention, Release
from yuqing.vocab import ActionKind, Platform, Sentiment

from .. import schemas as S
from ..deps import CurrentUser, IncidentInPath, SessionDep
from ..present import mention_out

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


class SeriesPoint(BaseModel):
    start: S.Time
    mentions: int
    negative: int
    negative_share: float | None


class SeriesMarker(BaseModel):
    at: S.Time
    kind: str = Field(description="release | opened | action")
    label: str


class SeriesOut(BaseModel):
    bucket_minutes: int
    points: list[SeriesPoint]
    markers: list[SeriesMarker]


class MentionGroup(BaseModel):
    story_id: int | None
    title: str | None
    count: int = Field(description="该组在本事件中（按筛选）的条数")
    story_size: int | None
    earliest_publisher: str | None
    earliest_at: S.Time | None
    negative: int
    max_risk: float
    platforms: dict[str, int]
    representative: S.MentionOut


class MentionGroupsOut(BaseModel):
    total_groups: int
    total_mentions: int
    groups: list[MentionGroup]


def bucket_minutes(span: timedelta) -> int:
    """Buckets that give a readable curve: about 12–60 points whatever the incident's age."""
    for minutes in (10, 30, 60, 180, 360, 720, 1440):
        if span <= timedelta(minutes=minutes * 48):
            return minutes
    return 1440


@router.get("/{incident_id}/series", response_model=SeriesOut, summary="事件声量与负面占比曲线")
def series(_: CurrentUser, incident: IncidentInPath, session: SessionDep) -> SeriesOut:
    rows = Q.incident_volume(session, incident.id)
    times = [as_utc(t) for t, _s in rows]
    marks: list[tuple[datetime, str, str]] = [(as_utc(incident.opened_at), "opened", "立案")]
    if incident.release_id:
        release = session.get(Release, incident.release_id)
        if release is not None and release.published_at is not None:
            marks.append((as_utc(release.published_at), "release",
                          "数据发布：" + (release.indicator_name or release.title)))
    for a in Q.actions(session, incident.id):
        marks.append((as_utc(a.at), "action", ActionKind.label_of(a.kind)))
    markers = [SeriesMarker(at=local_iso(at), kind=kind, label=label) for at, kind, label in marks]
    if not times:
        return SeriesOut(bucket_minutes=60, points=[], markers=markers)
    marker_times = [at for at, _k, _l in marks]
    start, end = min([*times, *marker_times]), max([*times, *marker_times])
    minutes = bucket_minutes(end - start)
    step = timedelta(minutes=minutes)
    # Buckets aligned on Beijing wall time (a day bucket runs 00:00–24:00 Beijing).
    width, beijing = minutes * 60, 8 * 3600
    origin = datetime.fromtimestamp((start.timestamp() + beijing) // width * width - beijing, UTC)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (_t, sentiment), at in zip(rows, times, strict=True):
        slot = counts[int((at - origin) / step)]
        slot[0] += 1
        slot[1] += sentiment == "negative"
    last = int((end - origin) / step)
    points = []
    for i in range(last + 1):
        n, neg = counts.get(i, [0, 0])
        points.append(SeriesPoint(start=local_iso(origin + i * step), mentions=n, negative=neg,
                                  negative_share=round(neg / n, 3) if n else None))
    return SeriesOut(bucket_minutes=minutes, points=points, markers=markers)


@router.get("/{incident_id}/mention-groups", response_model=MentionGroupsOut,
            summary="事件信息按转载聚合分组（风险高者在前，分页）")
def mention_groups(
    _: CurrentUser,
    incident: IncidentInPath,
    session: SessionDep,
    platform: str | None = Query(None, max_length=20),
    sentiment: str | None = Query(None, max_length=10),
    min_risk: float | None = Query(None, ge=0, le=100),
    since: S.LocalTime | None = Query(None, description="发布时间起（含）；不带时区时按北京时间理解"),
    until: S.LocalTime | None = Query(None, description="发布时间止（不含）；不带时区时按北京时间理解"),
    offset: int = Query(0, ge=0, le=100_000),
    limit: int = Query(20, ge=1, le=100),
) -> MentionGroupsOut:
    if sentiment and sentiment not in Sentiment.values():
        raise HTTPException(status_code=422,
                            detail=f"sentiment：倾向应为 {'、'.join(Sentiment.values())} 之一")
    mentions = Q.incident_mentions_where(session, incident.id, platform=platform, sentiment=sentiment,
                                         min_risk=min_risk, since=since, until=until)
    buckets: dict[tuple[str, int], list[Mention]] = defaultdict(list)
    for m in mentions:
        buckets[("story", m.story_id) if m.story_id is not None else ("single", m.id)].append(m)
    story_ids = {k[1] for k in buckets if k[0] == "story"}
    stories = Q.stories_by_id(session, story_ids)
    groups = []
    for (kind, key), members in buckets.items():
        story = stories.get(key) if kind == "story" else None
        rep = max(members, key=lambda m: (m.risk, -m.id))
        first = min(members, key=lambda m: as_utc(m.published_at or m.analysed_at))
        platforms: dict[str, int] = defaultdict(int)
        for m in members:
            platforms[Platform.label_of(m.platform)] += 1
        groups.append(MentionGroup(
            story_id=key if kind == "story" else None,
            title=(story.title if story else None) or rep.title,
            count=len(members),
            story_size=story.size if story else None,
            earliest_publisher=(story.earliest_publisher if story else None) or first.author,
            earliest_at=local_iso((story.earliest_published_at if story else None)
                                  or first.published_at or first.analysed_at),
            negative=sum(m.sentiment == "negative" for m in members),
            max_risk=round(rep.risk, 1),
            platforms=dict(platforms),
            representative=mention_out(rep),
        ))
    groups.sort(key=lambda g: (-g.max_risk, -g.count, g.representative.id))
    return MentionGroupsOut(total_groups=len(groups), total_mentions=len(mentions),
                            groups=groups[offset : offset + limit])

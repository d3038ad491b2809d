"""The mentions feed (舆情信息), relabelling, stories (转载聚合) and releases (数据发布)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from store.models import Mention, MentionRelease, Release, SentimentCorrection, Story
from yuqing.clock import now as clock_now
from yuqing.vocab import Sentiment

from .. import schemas as S
from ..audit import record
from ..deps import Principal, current_principal, get_session, require
from ..present import mention_out, release_ref, story_out

router = APIRouter(prefix="/api/v1", tags=["mentions"])

SENTIMENTS = ("negative", "neutral", "positive")


def json_list_contains(column, value: str):  # type: ignore[no-untyped-def]
    """Portable "JSON list holds this string": the stored text holds its JSON encoding.

    SQLAlchemy writes JSON with json.dumps on SQLite and PostgreSQL (json, not jsonb, keeps the
    text), so the element appears exactly as json.dumps(value) between delimiters.
    """
    return cast(column, String).contains(json.dumps(value), autoescape=True)


@router.get("/mentions", response_model=list[S.MentionOut], summary="舆情信息流（最新在前）")
def list_mentions(
    sentiment: str | None = Query(None, description="negative | neutral | positive"),
    platform: str | None = Query(None, description="news | weibo | tieba | discuz"),
    min_risk: float | None = Query(None, ge=0, le=100),
    topic: str | None = Query(None, description="监测专题名称"),
    sensitive_topic: str | None = None,
    release_id: int | None = None,
    story_id: int | None = None,
    before_id: int | None = Query(None, description="翻页：只返回 id 小于此值的信息"),
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.MentionOut]:
    q = select(Mention)
    if sentiment:
        if sentiment not in SENTIMENTS:
            raise HTTPException(status_code=422, detail=f"倾向应为 {'、'.join(SENTIMENTS)} 之一")
        q = q.where(Mention.sentiment == sentiment)
    if platform:
        q = q.where(Mention.platform == platform)
    if min_risk is not None:
        q = q.where(Mention.risk >= min_risk)
    if topic:
        q = q.where(json_list_contains(Mention.topics, topic))
    if sensitive_topic:
        q = q.where(json_list_contains(Mention.sensitive_topics, sensitive_topic))
    if release_id is not None:
        q = q.where(
            Mention.id.in_(select(MentionRelease.mention_id).where(MentionRelease.release_id == release_id))
        )
    if story_id is not None:
        q = q.where(Mention.story_id == story_id)
    if before_id is not None:
        q = q.where(Mention.id < before_id)
    # Newest analysed first: the id is the arrival order, which is what a live feed shows.
    rows = session.scalars(q.order_by(Mention.id.desc()).limit(limit))
    return [mention_out(m) for m in rows]


@router.get("/mentions/{mention_id}", response_model=S.MentionOut, summary="一条舆情信息")
def get_mention(
    mention_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> S.MentionOut:
    m = session.get(Mention, mention_id)
    if m is None:
        raise HTTPException(status_code=404, detail=f"信息 {mention_id} 不存在")
    return mention_out(m)


@router.post(
    "/mentions/{mention_id}/sentiment", response_model=S.MentionOut, summary="人工更正倾向（用于下次训练）"
)
def relabel(
    mention_id: int,
    body: S.RelabelIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("mention.relabel")),
) -> S.MentionOut:
    m = session.get(Mention, mention_id)
    if m is None:
        raise HTTPException(status_code=404, detail=f"信息 {mention_id} 不存在")
    if body.label not in SENTIMENTS:
        raise HTTPException(status_code=422, detail=f"倾向应为 {'、'.join(SENTIMENTS)} 之一")
    previous = m.sentiment
    session.add(
        SentimentCorrection(
            mention_id=m.id,
            text=m.text,
            label=body.label,
            previous_label=previous,
            user=who.name,
            created_at=clock_now(),
        )
    )
    m.sentiment = body.label
    record(
        session,
        actor=who.name,
        action="mention.relabel",
        target=f"mention:{m.id}",
        data={"from": previous, "to": body.label},
    )
    session.commit()
    return mention_out(m)


@router.get("/stories", response_model=list[S.StoryOut], summary="转载聚合（同一内容的转发与转载）")
def list_stories(
    min_size: int = Query(1, ge=1),
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.StoryOut]:
    rows = session.scalars(
        select(Story)
        .where(Story.size >= min_size)
        .order_by(Story.updated_at.desc(), Story.id.desc())
        .limit(limit)
    )
    return [story_out(s) for s in rows]


@router.get("/stories/{story_id}", response_model=S.StoryOut)
def get_story(
    story_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> S.StoryOut:
    s = session.get(Story, story_id)
    if s is None:
        raise HTTPException(status_code=404, detail=f"聚合 {story_id} 不存在")
    return story_out(s)


def _release_out(r: Release, total: int, negative: int) -> S.ReleaseOut:
    ref = release_ref(r)
    assert ref is not None
    return S.ReleaseOut(
        **ref.model_dump(),
        url=r.url,
        scheduled=r.scheduled,
        headline_value=r.headline_value,
        headline_unit=r.headline_unit,
        headline_text=r.headline_text,
        mention_count=total,
        negative_count=negative,
    )


def _release_counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    total = dict(
        session.execute(
            select(MentionRelease.release_id, func.count())
            .where(MentionRelease.release_id.in_(ids))
            .group_by(MentionRelease.release_id)
        ).all()
    )
    negative = dict(
        session.execute(
            select(MentionRelease.release_id, func.count())
            .join(Mention, Mention.id == MentionRelease.mention_id)
            .where(MentionRelease.release_id.in_(ids), Mention.sentiment == Sentiment.NEGATIVE)
            .group_by(MentionRelease.release_id)
        ).all()
    )
    return {i: (total.get(i, 0), negative.get(i, 0)) for i in ids}


@router.get("/releases", response_model=list[S.ReleaseOut], summary="数据发布及其舆情")
def list_releases(
    indicator: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(get_session),
    _: Principal = Depends(current_principal),
) -> list[S.ReleaseOut]:
    q = select(Release)
    if indicator:
        q = q.where(Release.indicator == indicator)
    rows = list(
        session.scalars(q.order_by(Release.published_at.desc().nulls_last(), Release.id.desc()).limit(limit))
    )
    counts = _release_counts(session, [r.id for r in rows])
    return [_release_out(r, *counts[r.id]) for r in rows]


@router.get("/releases/{release_id}", response_model=S.ReleaseOut)
def get_release(
    release_id: int, session: Session = Depends(get_session), _: Principal = Depends(current_principal)
) -> S.ReleaseOut:
    r = session.get(Release, release_id)
    if r is None:
        raise HTTPException(status_code=404, detail=f"数据发布 {release_id} 不存在")
    return _release_out(r, *_release_counts(session, [r.id])[r.id])

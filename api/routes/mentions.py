"""The mentions feed (舆情信息), relabelling, stories (转载聚合) and releases (数据发布)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import Mention, Release, SentimentCorrection, Story

from .. import schemas as S
from ..deps import MAX_ID, Allowed, CurrentUser, IdPath, SessionDep
from ..present import mention_out, release_ref, story_out

router = APIRouter(prefix="/api/v1", tags=["mentions"])



@router.get("/mentions", response_model=list[S.MentionOut], summary="舆情信息流（最新在前）")
def list_mentions(
    _: CurrentUser,
    session: SessionDep,
    sentiment: Literal["negative", "neutral", "positive"] | None = Query(None, description="倾向"),
    platform: str | None = Query(None, description="news | weibo | tieba | discuz", max_length=40),
    min_risk: float | None = Query(None, ge=0, le=100),
    topic: str | None = Query(None, description="监测专题名称", max_length=100),
    sensitive_topic: str | None = Query(None, max_length=100),
    release_id: int | None = Query(None, ge=1, le=MAX_ID),
    story_id: int | None = Query(None, ge=1, le=MAX_ID),
    before_id: int | None = Query(None, description="翻页：只返回 id 小于此值的信息", ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=500),
) -> list[S.MentionOut]:
    try:
        rows = Q.mentions(session, sentiment=sentiment, platform=platform, min_risk=min_risk, topic=topic,
                          sensitive_topic=sensitive_topic, release_id=release_id, story_id=story_id,
                          before_id=before_id, limit=limit)
    except LookupError as exc:
        raise HTTPException(status_code=422, detail=f"before_id：{exc}") from exc
    return [mention_out(m) for m in rows]


@router.get("/mentions/{mention_id}", response_model=S.MentionOut, summary="一条舆情信息")
def get_mention(_: CurrentUser, mention_id: IdPath, session: SessionDep) -> S.MentionOut:
    m = session.get(Mention, mention_id)
    if m is None:
        raise HTTPException(status_code=404, detail=f"信息 {mention_id} 不存在")
    return mention_out(m)


@router.post(
    "/mentions/{mention_id}/sentiment", response_model=S.MentionOut, summary="人工更正倾向（用于下次训练）"
)
def relabel(
    who: Allowed("mention.relabel"), mention_id: IdPath, body: S.RelabelIn, session: SessionDep
) -> S.MentionOut:
    m = session.get(Mention, mention_id)
    if m is None:
        raise HTTPException(status_code=404, detail=f"信息 {mention_id} 不存在")
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
        before={"sentiment": previous},
        after={"sentiment": body.label},
    )
    session.commit()
    return mention_out(m)


@router.get("/stories", response_model=list[S.StoryOut], summary="转载聚合（同一内容的转发与转载）")
def list_stories(
    _: CurrentUser,
    session: SessionDep,
    min_size: int = Query(1, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=500),
) -> list[S.StoryOut]:
    return [story_out(s) for s in Q.stories(session, min_size=min_size, limit=limit)]


@router.get("/stories/{story_id}", response_model=S.StoryOut)
def get_story(_: CurrentUser, story_id: IdPath, session: SessionDep) -> S.StoryOut:
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


@router.get("/releases", response_model=list[S.ReleaseOut], summary="数据发布及其舆情")
def list_releases(
    _: CurrentUser,
    session: SessionDep,
    indicator: str | None = Query(None, max_length=40),
    limit: int = Query(50, ge=1, le=500),
) -> list[S.ReleaseOut]:
    rows = Q.releases(session, indicator=indicator, limit=limit)
    counts = Q.release_counts(session, [r.id for r in rows])
    return [_release_out(r, *counts[r.id]) for r in rows]


@router.get("/releases/{release_id}", response_model=S.ReleaseOut)
def get_release(_: CurrentUser, release_id: IdPath, session: SessionDep) -> S.ReleaseOut:
    r = session.get(Release, release_id)
    if r is None:
        raise HTTPException(status_code=404, detail=f"数据发布 {release_id} 不存在")
    return _release_out(r, *Q.release_counts(session, [r.id])[r.id])

"""Link mentions that were analysed before the release they discuss was known.

Weibo is crawled every minute, the release list every quarter hour: the first reactions
to a release are often analysed before its record exists. When a release arrives, the
mentions published after it and analysed before it are linked again. A mention whose release
changes gets the new fact and a `MentionRelink` record; the alert engine picks those up and
regroups the mention (analysis never touches the engine's own columns).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yuqing.analysis.releases import ReleaseRef, link_releases
from yuqing.store.models import Mention, MentionRelease, MentionRelink, Release

LOOKBACK = timedelta(hours=72)  # releases that arrived this recently are checked
SKEW = timedelta(hours=1)  # mentions up to this long before publication may discuss it


def relink_recent(session: Session, *, now: datetime, lookback: timedelta = LOOKBACK) -> int:
    """Relink mentions analysed before a recently arrived release; returns how many changed."""
    arrived = list(session.scalars(
        select(Release).where(Release.created_at >= now - lookback, Release.published_at.is_not(None))
    ))
    if not arrived:
        return 0
    refs = [
        ReleaseRef(r.id, r.indicator, r.period_label, r.published_at)
        for r in session.scalars(select(Release).where(Release.published_at.is_not(None)))
    ]
    changed = 0
    for release in arrived:
        stale = session.scalars(
            select(Mention).where(
                Mention.analysed_at < release.created_at,
                Mention.published_at >= release.published_at - SKEW,
            )
        )
        for mention in stale:
            changed += _relink(session, mention, refs, now)
    return changed


def _relink(session: Session, mention: Mention, refs: list[ReleaseRef], now: datetime) -> int:
    links = link_releases(mention.text, mention.published_at, refs)
    session.execute(delete(MentionRelease).where(MentionRelease.mention_id == mention.id))
    for link in links:
        session.add(MentionRelease(mention_id=mention.id, release_id=link.release_id,
                                   confidence=link.confidence, reasons=list(link.reasons)))
    mention.analysed_at = now  # analysed against every release known now: not picked again
    return _record(session, mention, links[0].release_id if links else None, now)


def _record(session: Session, mention: Mention, release_id: int | None, now: datetime) -> int:
    """Set the mention's release fact; a change is recorded for the alert engine. Returns 1 if changed."""
    if release_id == mention.release_id:
        return 0
    session.add(MentionRelink(mention_id=mention.id, release_before=mention.release_id,
                              release_after=release_id, at=now))
    mention.release_id = release_id
    return 1


def inherit_story_links(session: Session, *, now: datetime, window: timedelta = timedelta(minutes=30)) -> int:
    """Give unlinked mentions the release of their story (reposts, copies, replies' originals).

    A repost's own words ("这才是真实的物价") rarely name the indicator its original names;
    it belongs to the original's release and event all the same. Returns how many changed.
    """
    linked = (
        select(Mention.story_id, MentionRelease.release_id, MentionRelease.confidence)
        .join(MentionRelease, MentionRelease.mention_id == Mention.id)
        .where(Mention.story_id.is_not(None))
    )
    orphans = list(session.scalars(
        select(Mention).where(
            Mention.analysed_at >= now - window,
            Mention.story_id.is_not(None),
            ~select(MentionRelease.id).where(MentionRelease.mention_id == Mention.id).exists(),
        )
    ))
    if not orphans:
        return 0
    best: dict[int, tuple[int, float]] = {}
    for story_id, release_id, conf in session.execute(
        linked.where(Mention.story_id.in_({m.story_id for m in orphans}))
    ):
        if story_id not in best or conf > best[story_id][1]:
            best[story_id] = (release_id, conf)
    changed = 0
    for mention in orphans:
        if mention.story_id not in best:
            continue
        release_id, conf = best[mention.story_id]
        session.add(MentionRelease(mention_id=mention.id, release_id=release_id,
                                   confidence=round(conf * 0.9, 3), reasons=["同源/转发内容已关联该发布"]))
        changed += _record(session, mention, release_id, now)
    return changed

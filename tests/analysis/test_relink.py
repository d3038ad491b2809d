"""Mentions analysed before their release was crawled are linked when it arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.analysis.relink import inherit_story_links, relink_recent
from yuqing.store.models import Document, Mention, MentionRelease, MentionRelink, Release

T0 = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)  # 10:00 Beijing, half an hour after the release


def _mention(session: Session, key: str, text: str, analysed_at: datetime) -> Mention:
    doc = Document(platform="weibo", dedup_key=key, url=f"http://w/{key}", text=text, status="analysed")
    session.add(doc)
    session.flush()
    m = Mention(
        document_id=doc.id, platform="weibo", published_at=T0, text=text, sentiment="negative",
        p_negative=0.93, p_neutral=0.05, p_positive=0.02, model_version="t", risk=85.0,
        sensitive_topics=["data_credibility"], subject="CPI", analysed_at=analysed_at, alerted=True,
    )
    session.add(m)
    session.flush()
    return m


def test_mention_analysed_before_its_release_is_relinked_and_the_change_recorded(session: Session) -> None:
    early = _mention(session, "1", "菜价翻倍，10月CPI才涨0.2%？统计局数据造假", analysed_at=T0)
    release = Release(
        url="http://stats/t20261109_1.html", title="2026年10月份居民消费价格同比上涨0.2%", indicator="CPI",
        period_label="2026年10月", published_at=T0 - timedelta(minutes=30),
        created_at=T0 + timedelta(minutes=10),
    )
    session.add(release)
    session.flush()
    later = _mention(session, "2", "CPI涨0.2%是假数据", analysed_at=T0 + timedelta(minutes=20))

    assert relink_recent(session, now=T0 + timedelta(minutes=30)) == 1
    assert early.release_id == release.id
    link = session.scalars(select(MentionRelease).where(MentionRelease.mention_id == early.id)).one()
    assert link.release_id == release.id and link.confidence > 0.5
    assert later.release_id is None
    # The change is recorded for the alert engine to pick up; its own columns are left alone.
    record = session.scalars(select(MentionRelink)).one()
    assert (record.mention_id, record.release_before, record.release_after) == (early.id, None, release.id)
    assert record.picked_up_at is None and early.alerted is True and early.event_key is None

    # Relinked once: a second pass finds nothing left to do.
    assert relink_recent(session, now=T0 + timedelta(minutes=40)) == 0


def test_nothing_to_do_without_recent_releases(session: Session) -> None:
    _mention(session, "1", "统计局数据造假", analysed_at=T0)
    assert relink_recent(session, now=T0) == 0


def test_a_repost_inherits_its_storys_release(session: Session) -> None:
    from yuqing.store.models import Story

    story = Story(title="原帖")
    release = Release(url="http://stats/t1.html", title="CPI", indicator="CPI", published_at=T0)
    session.add_all([story, release])
    session.flush()
    original = _mention(session, "o", "10月CPI才涨0.2%，数据造假", analysed_at=T0)
    repost = _mention(session, "r", "这才是真实的物价", analysed_at=T0)
    loner = _mention(session, "l", "统计局数据造假", analysed_at=T0)
    original.story_id = repost.story_id = story.id
    session.add(MentionRelease(mention_id=original.id, release_id=release.id, confidence=0.9, reasons=[]))
    session.flush()

    assert inherit_story_links(session, now=T0 + timedelta(minutes=5)) == 1
    assert repost.release_id == release.id and repost.alerted is True
    assert loner.release_id is None  # no story, nothing to inherit
    assert [r.mention_id for r in session.scalars(select(MentionRelink))] == [repost.id]
    assert inherit_story_links(session, now=T0 + timedelta(minutes=6)) == 0


def test_a_generic_accusation_goes_to_the_release_people_are_naming() -> None:
    from yuqing.analysis.releases import ReleaseRef, link_releases

    cpi = ReleaseRef(1, "CPI", "2026年10月", T0, salience=40)
    ppi = ReleaseRef(2, "PPI", "2026年10月", T0, salience=3)
    for order in ([cpi, ppi], [ppi, cpi]):
        links = link_releases("统计局又在数据造假", T0 + timedelta(hours=2), order)
        assert [lk.release_id for lk in links] == [1]

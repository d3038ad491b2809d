"""What a source already holds, so an incremental crawl fetches and stores nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yuqing.store.models import CrawlCursor, Document, Quarantine, Release
from yuqing.vocab import Platform, SourceKind

PLATFORM_OF_KIND: dict[str, Platform] = {
    SourceKind.NEWS_RSS: Platform.NEWS,
    SourceKind.NEWS_SITE: Platform.NEWS,
    SourceKind.WEIBO_SEARCH: Platform.WEIBO,
    SourceKind.TIEBA: Platform.TIEBA,
    SourceKind.DISCUZ: Platform.DISCUZ,
    SourceKind.RELEASES: Platform.RELEASE,
    SourceKind.NEWS_COMMENTS: Platform.NEWS_COMMENT,
    SourceKind.WECHAT: Platform.WECHAT,
}


@dataclass
class Seen:
    """Keys already stored (document dedup keys, or release URLs) and the source's cursors."""

    keys: set[str] = field(default_factory=set)
    cursors: dict[str, dict[str, Any]] = field(default_factory=dict)
    # quarantined URLs to fetch again in this run, (quarantine id, url): transient failures whose
    # back-off has passed and items an admin released (crawler.quarantine)
    refetch: list[tuple[int, str]] = field(default_factory=list)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def add(self, key: str) -> bool:
        """Remember `key`; True when it was new."""
        if key in self.keys:
            return False
        self.keys.add(key)
        return True


def load_seen(session: Session, *, source_id: int, kind: str, now: datetime, horizon_days: int = 60) -> Seen:
    """Keys fetched in the last `horizon_days` (older items no longer appear on first pages)."""
    platform = PLATFORM_OF_KIND[kind]
    if platform == Platform.RELEASE:
        keys = set(session.scalars(select(Release.url).where(Release.url.is_not(None))))
    else:
        # a Weibo source in hot mode also holds `weibo_hot` topics (keys "YYYY-MM-DD:topic", never digits)
        platforms = [platform, Platform.WEIBO_HOT] if platform == Platform.WEIBO else [platform]
        keys = set(
            session.scalars(
                select(Document.dedup_key).where(
                    Document.platform.in_(platforms),
                    Document.fetched_at >= now - timedelta(days=horizon_days),
                )
            )
        )
    if platform in (Platform.NEWS, Platform.WECHAT):
        # an article page quarantined for good (unreadable: its raw bytes await review) is not
        # fetched again; one that failed transiently is held back only until its `retry_at`, and
        # one an admin released is fetched again on the next crawl
        from w3lib.url import canonicalize_url

        from yuqing.crawler.parsing.wechat import article_key as wechat_key

        keys |= {
            wechat_key(u) if platform == Platform.WECHAT else canonicalize_url(u)[:500]
            for u in session.scalars(
                select(Quarantine.url).where(
                    Quarantine.source_id == source_id,
                    Quarantine.url.is_not(None),
                    Quarantine.created_at >= now - timedelta(days=horizon_days),
                    Quarantine.released_at.is_(None),
                    or_(Quarantine.retry_at.is_(None), Quarantine.retry_at > now),
                )
            )
        }
    cursors = {
        c.key: dict(c.value)
        for c in session.scalars(select(CrawlCursor).where(CrawlCursor.source_id == source_id))
    }
    refetch = [
        (qid, url)
        for qid, url in session.execute(
            select(Quarantine.id, Quarantine.url)
            .where(
                Quarantine.source_id == source_id,
                Quarantine.url.is_not(None),
                Quarantine.retry_at.is_not(None),
                Quarantine.retry_at <= now,
            )
            .order_by(Quarantine.id)
            .limit(REFETCH_PER_RUN)
        )
    ]
    return Seen(keys=keys, cursors=cursors, refetch=refetch)


REFETCH_PER_RUN = 200  # quarantined URLs fetched again per crawl at most (the rest wait for the next)


def retry_time(t: datetime, attempt: int, *, after_minutes: float, attempts: int) -> datetime | None:
    """When a transiently failed item is fetched again after its `attempt`-th failure: after
    `after_minutes`·2^(attempt−1), capped at one day; None once `attempts` failures are used up."""
    if attempt >= attempts:
        return None
    return t + timedelta(minutes=min(after_minutes * 2 ** (attempt - 1), 24 * 60))

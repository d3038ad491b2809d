"""Crawled sources, raw documents, quarantine and crawl cursors (收集).

A document is what a spider saw, kept as fetched: analysis never edits it, so a bug
downstream can always be fixed by re-analysing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.vocab import DocumentStatus, MediaTier, QuarantineStage, SourceStatus

from .base import Base, utcnow


class Source(Base):
    """A configured source and its health (last success, errors, quarantine, back-off)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    url: Mapped[str] = mapped_column(Text)
    media_tier: Mapped[str] = mapped_column(String(20), default=MediaTier.SELF)
    enabled: Mapped[bool] = mapped_column(default=True)
    # health
    status: Mapped[str] = mapped_column(String(20), default=SourceStatus.UNKNOWN)  # yuqing.vocab.SourceStatus
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    items_last_run: Mapped[int] = mapped_column(default=0)
    total_items: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    quarantined_count: Mapped[int] = mapped_column(default=0)
    backoff_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """A raw crawled item. Unique per platform + dedup key (external id, else canonical URL)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("platform", "dedup_key"),
        Index("ix_documents_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))  # weibo | news | tieba | discuz | release
    dedup_key: Mapped[str] = mapped_column(String(500))
    external_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")  # body as extracted (may hold markup)
    author: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[str | None] = mapped_column(String(100))
    author_followers: Mapped[int | None]
    author_verified_type: Mapped[int | None]
    publisher: Mapped[str | None] = mapped_column(String(200))  # 来源 / site / forum name
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_raw: Mapped[str | None] = mapped_column(String(100))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    reposts: Mapped[int | None]
    comments: Mapped[int | None]
    likes: Mapped[int | None]
    parent_key: Mapped[str | None] = mapped_column(String(500))  # dedup key of the reposted original
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)  # platform fields worth keeping
    raw: Mapped[str | None] = mapped_column(Text)  # the item as fetched (JSON or HTML)
    # analysis bookkeeping: new -> analysed | failed | irrelevant (kept out of mentions, reason below)
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.NEW)
    analysed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    relevance: Mapped[float | None] = mapped_column(Float)  # analysis/relevance.py score, 0…1
    relevance_reason: Mapped[str | None] = mapped_column(Text)  # why, in Chinese, for the analyst


class Quarantine(Base):
    """What could not be used, kept with the reason: bad input is never lost silently."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    stage: Mapped[str] = mapped_column(String(20), default=QuarantineStage.CRAWL)  # yuqing.vocab
    url: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status_code: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # an excerpt at most (crawler EXCERPT_BYTES)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # a transient failure (5xx, timeout) is fetched again by a crawl after `retry_at` (back-off per
    # attempt); None: not retried automatically (unreadable page, over-size, retries used up)
    attempts: Mapped[int] = mapped_column(default=1)
    retry_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]  # an admin released it: the next crawl fetches it again


class CrawlCursor(Base):
    """Where an incremental crawl stopped (per source and key, e.g. a keyword)."""

    __tablename__ = "crawl_cursors"
    __table_args__ = (UniqueConstraint("source_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

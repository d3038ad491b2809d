"""Analysed mentions, stories, releases and watch topics (研判's inputs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Release(Base):
    """A statistical release (数据发布): indicator, period, publication time, headline figure."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str | None] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(String(50), index=True)  # canonical code: CPI, PPI, GDP…
    indicator_name: Mapped[str | None] = mapped_column(String(100))  # 居民消费价格指数
    period_label: Mapped[str | None] = mapped_column(String(50))  # 2026年10月
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    scheduled: Mapped[bool] = mapped_column(default=False)  # from the calendar, not yet seen
    headline_value: Mapped[float | None] = mapped_column(Float)
    headline_unit: Mapped[str | None] = mapped_column(String(20))
    headline_text: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Story(Base):
    """Near-duplicates (reposts, syndicated copies) of one piece of content."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    first_mention_id: Mapped[int | None]
    earliest_published_at: Mapped[datetime | None]
    earliest_publisher: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(default=1)
    platforms: Mapped[dict[str, Any]] = mapped_column(default=dict)  # platform -> count
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    risk_factors: Mapped[list[Any]] = mapped_column(default=list)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)  # MinHash of the first text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Mention(Base):
    """A document after analysis: clean text, sentiment, risk with its factors, story, topics."""

    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_published", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    published_at: Mapped[datetime | None]
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)  # normalised plain text
    author: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[str] = mapped_column(String(10))  # negative | neutral | positive
    p_negative: Mapped[float] = mapped_column(Float)
    p_neutral: Mapped[float] = mapped_column(Float)
    p_positive: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(50))
    risk: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    risk_factors: Mapped[list[Any]] = mapped_column(default=list)  # [{key,label,value,contribution}]
    sensitive_topics: Mapped[list[Any]] = mapped_column(default=list)  # data_credibility, livelihood…
    topics: Mapped[list[Any]] = mapped_column(default=list)  # watch topic names matched
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    # Facts analysis records: the release it discusses best (its links are in mention_releases) and
    # the indicator its text names (CPI, GDP…: analysis.indicators), whatever the release.
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(50))
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # bureau_site | bureau_account | official_media: a candidate response (analysis/authority.py)
    authority: Mapped[str | None] = mapped_column(String(20), index=True)
    # The alert engine's own columns (analysis never writes them): the event it grouped the mention
    # into (alerts.grouping) and whether it has seen the mention.
    event_key: Mapped[str | None] = mapped_column(String(100), index=True)
    alerted: Mapped[bool] = mapped_column(default=False, index=True)


class MentionRelink(Base):
    """Analysis's record that a mention's release changed after it was analysed (its release was
    crawled later, or its story's original was linked). The alert engine regroups the mention and
    marks the record picked up; analysis touches no alert state."""

    __tablename__ = "mention_relinks"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    release_before: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    release_after: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    picked_up_at: Mapped[datetime | None] = mapped_column(index=True)  # by the alert engine


class MentionRelease(Base):
    """A mention discusses a release, with a confidence and the reasons for it."""

    __tablename__ = "mention_releases"
    __table_args__ = (UniqueConstraint("mention_id", "release_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(default=list)


class WatchTopic(Base):
    """A watch topic as stored (seeded from configuration, editable by analysts)."""

    __tablename__ = "watch_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    expression: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentimentCorrection(Base):
    """An analyst's relabelling of a mention; the next `yuqing train` learns from it."""

    __tablename__ = "sentiment_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"))
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(10))
    previous_label: Mapped[str | None] = mapped_column(String(10))
    user: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

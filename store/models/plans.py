"""Release contingency plans (预案) with their history, and whether 解读 went out with the release."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ReleasePlan(Base):
    """One version of a release's 预案. An edit adds a version; a leader approves a version."""

    __tablename__ = "release_plans"
    __table_args__ = (UniqueConstraint("release_id", "version", name="uq_release_plans_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    owners: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"解读": "张三", "发言人": "李四", …}
    owner_unit: Mapped[str | None] = mapped_column(String(100))  # the unit answerable for it (考核)
    lines: Mapped[str] = mapped_column(Text, default="")  # 口径: prepared lines
    qa: Mapped[list[Any]] = mapped_column(default=list)  # [{"q": …, "a": …}]
    interpretation: Mapped[str] = mapped_column(Text, default="")  # 解读 material to publish
    interpretation_due_at: Mapped[datetime | None]  # default: the release's publication time
    channels: Mapped[list[Any]] = mapped_column(default=list)  # ["门户网站", "官方微博", …]
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]


class ReleaseInterpretation(Base):
    """解读 published for a release (the Anhui rules: with the document), recorded for 考核."""

    __tablename__ = "release_interpretations"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), unique=True)
    published_at: Mapped[datetime]
    url: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

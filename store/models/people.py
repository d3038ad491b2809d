"""Users, API tokens, dashboard sessions, login throttling, the audit log and generated briefings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.vocab import Role

from .base import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2
    role: Mapped[str] = mapped_column(String(20), default=Role.PRESS)  # yuqing.vocab.Role
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A script's credential. Refused once expired or revoked; `scope` caps what the owner's role allows."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(200), unique=True)  # sha256 of the token
    scope: Mapped[str] = mapped_column(String(10), default="read")  # read | act | admin
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class WebSession(Base):
    """A dashboard login. The cookie carries only a signed random id whose SHA-256 is stored here,
    so logout, a password change or an administrator ends it on the server."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # absolute limit, whatever the activity
    revoked_at: Mapped[datetime | None]
    address: Mapped[str | None] = mapped_column(String(64))


class LoginThrottle(Base):
    """Failed logins per account (hashed name) or per address, shared by every process."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # "account:<sha256>" | "address:<ip>"
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    before: Mapped[dict[str, Any] | None]  # the changed fields as they were (None: nothing existed)
    after: Mapped[dict[str, Any] | None]  # and as they are now (None: removed)


class Briefing(Base):
    """One archived version of a generated report: 日报 (daily), 专报 (special), release 研判 (assessment).

    The rendered documents are stored when the report is generated, so a download is the archived bytes,
    never a rebuild from live data. A regeneration adds a version; no row is ever overwritten.
    """

    __tablename__ = "briefings"
    __table_args__ = (UniqueConstraint("kind", "subject", "version", name="uq_briefings_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), default="daily")  # daily | special | assessment
    subject: Mapped[str] = mapped_column(String(100), default="")  # "2026-11-10", "incident:5", "release:3"
    version: Mapped[int] = mapped_column(default=1)
    trigger: Mapped[str] = mapped_column(String(60), default="manual")  # scheduled, opened, action:12, t+2h…
    title: Mapped[str] = mapped_column(Text, default="")
    day: Mapped[date]
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    html: Mapped[str] = mapped_column(Text)
    docx: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)

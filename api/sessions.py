"""Dashboard sessions kept on the server, with idle and absolute timeouts.

The cookie holds a random session id signed with settings.secret_key (a forged or altered cookie is
refused before the database is asked); the table holds only the id's SHA-256. Logout, a password
change, a deactivation and an administrator's "log out everywhere" set `revoked_at`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yuqing.clock import as_utc
from yuqing.config import AuthConfig
from yuqing.store.audit import record
from yuqing.store.models import User, WebSession

SESSION_COOKIE = "yuqing_session"
SEEN_INTERVAL = timedelta(minutes=1)  # last_seen_at is written at most this often


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="yuqing-session-id")


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(
    session: Session, *, user: User, secret_key: str, config: AuthConfig, now: datetime,
    address: str | None = None,
) -> str:
    """A new server-side session for `user`; returns the cookie value (flushes, does not commit)."""
    sid = secrets.token_urlsafe(32)
    session.add(WebSession(
        id_hash=_hash(sid), user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=config.session_absolute_hours),
        address=(address or "")[:64] or None,
    ))
    session.flush()
    return _serializer(secret_key).dumps(sid)


def _row(session: Session, secret_key: str, cookie: str) -> WebSession | None:
    if len(cookie) > 500:
        return None
    try:
        sid = _serializer(secret_key).loads(cookie)
    except BadSignature:
        return None
    if not isinstance(sid, str):
        return None
    return session.scalar(select(WebSession).where(WebSession.id_hash == _hash(sid)))


def session_user(
    session: Session, *, secret_key: str, cookie: str, config: AuthConfig, now: datetime
) -> User | None:
    """The active user of a live session, or None (revoked, idle too long, past its absolute limit)."""
    row = _row(session, secret_key, cookie)
    if row is None or row.revoked_at is not None:
        return None
    if now >= as_utc(row.expires_at):
        return None
    if now - as_utc(row.last_seen_at) >= timedelta(minutes=config.session_idle_minutes):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - as_utc(row.last_seen_at) >= SEEN_INTERVAL:
        row.last_seen_at = now
    return user


def end_session(session: Session, *, secret_key: str, cookie: str, now: datetime) -> User | None:
    """Logout: revoke the cookie's session; returns its user (None if it was no live session)."""
    row = _row(session, secret_key, cookie)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now
    user = session.get(User, row.user_id)
    if user is not None:
        record(session, actor=user.username, action="auth.logout", target=f"user:{user.id}", at=now)
    return user


def end_all_sessions(session: Session, *, user: User, actor: str, now: datetime) -> int:
    """An administrator's "log out everywhere" for `user`; returns how many sessions ended."""
    ended = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount or 0
    record(session, actor=actor, action="user.logout_everywhere", target=f"user:{user.id}",
           data={"sessions_ended": int(ended)}, at=now)
    return int(ended)


def live_sessions(session: Session, now: datetime) -> dict[int, int]:
    """Unrevoked, unexpired sessions per user id (users without one are absent)."""
    rows = session.execute(
        select(WebSession.user_id, func.count())
        .where(WebSession.revoked_at.is_(None), WebSession.expires_at > now)
        .group_by(WebSession.user_id)
    ).all()
    return {uid: int(n) for uid, n in rows}

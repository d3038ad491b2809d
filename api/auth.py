"""Users, passwords and API tokens.

Passwords are argon2 hashes and must pass `api.passwords`; API tokens are random strings of which
only the SHA-256 is stored (a leaked database leaks no usable token), each with a scope, an expiry
and a revocation. A password change or a deactivation revokes the user's tokens and sessions.
Dashboard sessions live in `api.sessions`, login throttling in `api.throttle`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yuqing.clock import as_utc
from yuqing.clock import now as clock_now
from yuqing.store.audit import record
from yuqing.store.models import ApiToken, User, WebSession
from yuqing.vocab import Role, TokenScope, TokenState

from .passwords import DEFAULT_MIN_LENGTH, password_problem

ROLES = Role.values()
# What a token may do, narrowest first; the owner's role still decides (a read token of an admin reads).
SCOPES = TokenScope.values()
TOKEN_PREFIX = "yq_"
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365

_hasher = PasswordHasher()


class AuthError(ValueError):
    """Refused credentials or bad user input; the message is shown to the user."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str, username: str, min_length: int = DEFAULT_MIN_LENGTH) -> None:
    problem = password_problem(password, username=username, min_length=min_length)
    if problem:
        raise AuthError(problem)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    actor: str = "system",
    min_password_length: int = DEFAULT_MIN_LENGTH,
    weak_password_ok: bool = False,
) -> User:
    """Add a user (flushes, does not commit). Refuses unknown roles, weak passwords, taken names.

    `weak_password_ok` is for `ensure_user` only (the development demo and test fixtures)."""
    username = username.strip()
    if not username or len(username) > 100:
        raise AuthError("用户名不能为空，且不超过 100 个字符")
    if role not in ROLES:
        raise AuthError(f"未知角色 {role!r}，应为 {'、'.join(f'{r}（{r.label}）' for r in Role)}")
    if not password:
        raise AuthError("密码不能为空")
    if not weak_password_ok:
        check_password(password, username, min_password_length)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AuthError(f"用户 {username} 已存在")
    user = User(
        username=username,
        display_name=(display_name or username)[:100],
        password_hash=hash_password(password),
        role=role,
        active=True,
        created_at=clock_now(),
    )
    session.add(user)
    session.flush()
    record(session, actor=actor, action="user.create", target=f"user:{user.id}",
           after={"username": username, "role": role, "active": True})
    return user


def ensure_user(session: Session, username: str, password: str, role: str, display_name: str) -> User:
    """The user `username`, created with this password and role if missing (existing users are
    left as they are). Flushes; the caller commits.

    The documented exception to the password policy: used only by the development demo
    (`demo` / `demo`, and `yuqing demo` refuses to run in production) and by test fixtures."""
    user = session.scalar(select(User).where(User.username == username))
    if user is not None:
        return user
    return create_user(
        session,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        actor="system",
        weak_password_ok=True,
    )


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AuthError(f"用户 {username} 不存在")
    return user


def revoke_credentials(
    session: Session, user: User, *, actor: str, now: datetime | None = None
) -> tuple[int, int]:
    """End every session and revoke every token of `user`; returns (sessions, tokens) ended."""
    at = now or clock_now()
    sessions = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=at)
    ).rowcount
    tokens = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at, revoked_by=actor[:100])
    ).rowcount
    return int(sessions or 0), int(tokens or 0)


def set_password(
    session: Session, *, username: str, password: str, actor: str,
    min_password_length: int = DEFAULT_MIN_LENGTH,
) -> User:
    """New password; every session and token of the user ends (they may be what leaked)."""
    user = _user(session, username)
    check_password(password, user.username, min_password_length)
    user.password_hash = hash_password(password)
    ended, revoked = revoke_credentials(session, user, actor=actor)
    record(session, actor=actor, action="user.password", target=f"user:{user.id}",
           data={"sessions_ended": ended, "tokens_revoked": revoked})
    session.flush()
    return user


def set_active(session: Session, *, username: str, active: bool, actor: str) -> User:
    """Deactivate (ending every session and token) or reactivate a user."""
    user = _user(session, username)
    before = user.active
    user.active = active
    data = {}
    if not active:
        ended, revoked = revoke_credentials(session, user, actor=actor)
        data = {"sessions_ended": ended, "tokens_revoked": revoked}
    record(session, actor=actor, action="user.active", target=f"user:{user.id}",
           before={"active": before}, after={"active": active}, data=data)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None. Rehashes when argon2 parameters changed."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time either way: no user enumeration by timing
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_token(
    session: Session,
    *,
    user: User,
    name: str,
    actor: str,
    scope: str = "act",
    days: int | None = DEFAULT_TOKEN_DAYS,
    now: datetime | None = None,
) -> str:
    """A new API token for `user`; returns the plain token (shown once, stored only hashed)."""
    return new_token(session, user=user, name=name, actor=actor, scope=scope, days=days, now=now)[0]


def new_token(
    session: Session,
    *,
    user: User,
    name: str,
    actor: str,
    scope: str = "act",
    days: int | None = DEFAULT_TOKEN_DAYS,
    now: datetime | None = None,
) -> tuple[str, ApiToken]:
    """The plain token and its row. Expires after `days` (1 to 365); flushes, audited."""
    if scope not in SCOPES:
        known = "、".join(f"{s}（{s.label}）" for s in TokenScope)
        raise AuthError(f"未知令牌权限 {scope!r}，应为 {known}")
    if days is None or not 1 <= days <= MAX_TOKEN_DAYS:
        raise AuthError(f"令牌有效期应为 1 至 {MAX_TOKEN_DAYS} 天")
    at = now or clock_now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=(name or "token")[:100], token_hash=hash_token(token), scope=scope,
        created_at=at, expires_at=at + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    record(session, actor=actor, action="token.create", target=f"token:{row.id}",
           after={"user": user.username, "name": row.name, "scope": scope, "expires_at": row.expires_at})
    return token, row


def revoke_token(session: Session, *, token_id: int, actor: str, now: datetime | None = None) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise AuthError(f"令牌 {token_id} 不存在")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now or clock_now(), actor[:100]
        record(session, actor=actor, action="token.revoke", target=f"token:{row.id}",
               before={"revoked": False}, after={"revoked": True}, data={"name": row.name})
        session.flush()
    return row


def token_state(row: ApiToken, now: datetime) -> str:
    """active | expired | revoked (a `TokenState`)."""
    if row.revoked_at is not None:
        return TokenState.REVOKED
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        return TokenState.EXPIRED
    return TokenState.ACTIVE


TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def token_for(session: Session, token: str, *, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The active owner of a live Bearer token and the token row, or None; notes the last use."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    at = now or clock_now()
    if row is None or token_state(row, at) != TokenState.ACTIVE:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    # Noted at most once a minute: a script polling every second must not turn every read
    # into a write (on SQLite each write contends with the crawler and the worker).
    if row.last_used_at is None or at - as_utc(row.last_used_at) >= TOKEN_TOUCH_INTERVAL:
        row.last_used_at = at
    return user, row


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def tokens(session: Session, *, user_id: int | None = None, limit: int = 1000) -> list[tuple[ApiToken, str]]:
    """(token, owner's username), newest first; only `user_id`'s when given (a non-administrator
    sees their own)."""
    q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        q = q.where(ApiToken.user_id == user_id)
    return [(t, name) for t, name in session.execute(q.order_by(ApiToken.id.desc()).limit(limit)).all()]


def user_for_token(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    found = token_for(session, token, now=now)
    return None if found is None else found[0]

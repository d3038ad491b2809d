"""Users, passwords, API tokens and the signed session cookie.

Passwords are argon2 hashes; API tokens are random strings of which only the SHA-256 is
stored (a leaked database leaks no usable token); the dashboard's session cookie is signed
with settings.secret_key and expires, so it can be verified without a session table.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ApiToken, User
from yuqing.clock import now as clock_now
from yuqing.vocab import Role

from .audit import record

ROLES = Role.values()
SESSION_COOKIE = "yuqing_session"
SESSION_MAX_AGE_S = 7 * 24 * 3600  # a week: the night shift must not be logged out mid-crisis
TOKEN_PREFIX = "yq_"

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


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    actor: str = "system",
) -> User:
    """Add a user (flushes, does not commit). Refuses unknown roles, empty passwords, taken names."""
    username = username.strip()
    if not username:
        raise AuthError("用户名不能为空")
    if role not in ROLES:
        raise AuthError(f"未知角色 {role!r}，应为 {'、'.join(f'{r}（{r.label}）' for r in Role)}")
    if not password:
        raise AuthError("密码不能为空")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AuthError(f"用户 {username} 已存在")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        active=True,
        created_at=clock_now(),
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        target=f"user:{user.id}",
        data={"username": username, "role": role},
    )
    return user


def ensure_user(session: Session, username: str, password: str, role: str, display_name: str) -> User:
    """The user `username`, created with this password and role if missing (existing users are
    left as they are). Flushes; the caller commits. Used by the development demo."""
    user = session.scalar(select(User).where(User.username == username))
    if user is not None:
        return user
    return create_user(
        session,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        actor="system:demo",
    )


def set_password(session: Session, *, username: str, password: str, actor: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AuthError(f"用户 {username} 不存在")
    if not password:
        raise AuthError("密码不能为空")
    user.password_hash = hash_password(password)
    record(session, actor=actor, action="user.password", target=f"user:{user.id}", data={})
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


def create_token(session: Session, *, user: User, name: str, actor: str) -> str:
    """A new API token for `user`; returns the plain token (shown once, stored only hashed)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id, name=name[:100] or "token", token_hash=hash_token(token), created_at=clock_now()
        )
    )
    session.flush()
    record(session, actor=actor, action="token.create", target=f"user:{user.id}", data={"name": name})
    return token


TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def user_for_token(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The active owner of a Bearer token, or None; notes when the token was last used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    at = now or clock_now()
    # Noted at most once a minute: a script polling every second must not turn every read
    # into a write (on SQLite each write contends with the crawler and the worker).
    if row.last_used_at is None or at - row.last_used_at >= TOKEN_TOUCH_INTERVAL:
        row.last_used_at = at
    return user


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="yuqing-session")


def sign_session(secret_key: str, user: User) -> str:
    """Cookie value naming the user; carries a piece of the password hash so that changing the
    password logs out every browser."""
    return _serializer(secret_key).dumps({"uid": user.id, "pw": user.password_hash[-12:]})


def user_for_session(session: Session, secret_key: str, cookie: str) -> User | None:
    try:
        data = _serializer(secret_key).loads(cookie, max_age=SESSION_MAX_AGE_S)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = session.get(User, data.get("uid"))
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        return None
    return user

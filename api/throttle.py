"""Brute-force protection for `/login` and `/api/v1/auth/token`, per account and per address.

Failures are counted in the database (table login_throttle), so every API process and replica sees
the same counts. After `account_free_failures` wrong passwords for one name (or
`address_free_failures` from one address) the key is locked for `lockout_base_seconds`, doubling
with every further failure up to `lockout_max_seconds`; a locked key is refused without checking the
password. Failures older than `failure_window_minutes` are forgotten; a correct password clears the
account's count (never the address's: one valid account must not reset an attacker's address).

Account keys are the SHA-256 of the lower-cased name, so no attacker-chosen text is stored, and a
lockout is audited with actor "anonymous" and the user as target only when the name exists.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yuqing.clock import as_utc
from yuqing.config import AuthConfig
from yuqing.store.audit import ANONYMOUS, record
from yuqing.store.models import LoginThrottle, User


@dataclass(frozen=True)
class Locked:
    """Refused for now: try again after `retry_after_s` seconds."""

    retry_after_s: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after_s / 60))
        return f"登录失败次数过多，已暂时锁定，请约 {minutes} 分钟后再试"


def account_key(username: str) -> str:
    return "account:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")[:64]


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    return [(account_key(username), 0), (address_key(address), 1)]


def check(session: Session, *, username: str, address: str | None, now: datetime) -> Locked | None:
    """Whether this name or this address is locked now."""
    keys = [k for k, _ in _keys(username, address)]
    longest = 0
    for row in session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))):
        if row.locked_until is not None and as_utc(row.locked_until) > now:
            longest = max(longest, math.ceil((as_utc(row.locked_until) - now).total_seconds()))
    return Locked(longest) if longest else None


def _locked_row(session: Session, key: str) -> LoginThrottle:
    """The key's row, created if missing and locked for this transaction (two processes, one count)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(key=key, failures=0).on_conflict_do_nothing())
    row = session.scalar(
        select(LoginThrottle).where(LoginThrottle.key == key).with_for_update().execution_options(
            populate_existing=True)
    )
    assert row is not None
    return row


def lock_seconds(failures: int, free: int, config: AuthConfig) -> int:
    """Backoff after `failures` consecutive failures: 0 up to `free`, then base · 2^(n - free - 1)."""
    if failures <= free:
        return 0
    return min(config.lockout_max_seconds, config.lockout_base_seconds * 2 ** min(failures - free - 1, 20))


def failed(
    session: Session, *, username: str, address: str | None, config: AuthConfig, now: datetime
) -> Locked | None:
    """Count a failure for the name and the address; lock and audit when a limit is passed.

    Returns the lock this failure caused, if any. Flushes; the caller commits."""
    window = timedelta(minutes=config.failure_window_minutes)
    caused = 0
    for key, kind in _keys(username, address):
        row = _locked_row(session, key)
        if row.last_failure_at is not None and now - as_utc(row.last_failure_at) > window:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        free = config.account_free_failures if kind == 0 else config.address_free_failures
        seconds = lock_seconds(row.failures, free, config)
        if seconds:
            row.locked_until = now + timedelta(seconds=seconds)
            caused = max(caused, seconds)
            user = (session.scalar(select(User).where(User.username == username.strip()))
                    if kind == 0 else None)
            record(
                session, actor=ANONYMOUS, action="auth.lockout",
                target=f"user:{user.id}" if user is not None else None,
                data={"by": "account" if kind == 0 else "address", "address": (address or "")[:64],
                      "failures": row.failures, "locked_seconds": seconds,
                      "known_user": user is not None if kind == 0 else None},
                at=now,
            )
    session.flush()
    return Locked(caused) if caused else None


def succeeded(session: Session, *, username: str) -> None:
    """A correct password clears the account's failures (not the address's)."""
    row = session.get(LoginThrottle, account_key(username))
    if row is not None:
        row.failures, row.locked_until = 0, None


def attempt(
    session: Session, *, username: str, password: str, address: str | None, via: str, config: AuthConfig,
    now: datetime,
) -> User | Locked | None:
    """One login: the user, a lock (refused without checking the password), or None (wrong).

    Every refusal is audited as "anonymous" (what the attacker typed is never the actor). Flushes."""
    from .auth import authenticate

    locked = check(session, username=username, address=address, now=now)
    if locked is not None:
        return locked
    user = authenticate(session, username, password)
    if user is None:
        known = session.scalar(select(User.id).where(User.username == username.strip()))
        record(session, actor=ANONYMOUS, action=f"auth.{via}_refused",
               target=f"user:{known}" if known is not None else None,
               data={"address": (address or "")[:64]}, at=now)
        return failed(session, username=username, address=address, config=config, now=now)
    succeeded(session, username=username)
    return user

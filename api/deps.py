"""Request dependencies: a database session per request, the current user, role checks.

A browser authenticates with the signed session cookie, a script with `Authorization: Bearer`.
Cookie-authenticated changes must also carry the `X-Yuqing-Request` header: a cross-site form
cannot set it, so a hostile page cannot act with the duty officer's cookie (CSRF).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from store.models import User
from yuqing.config import Settings

from .auth import SESSION_COOKIE, user_for_session, user_for_token

log = logging.getLogger("yuqing.api")

CSRF_HEADER = "X-Yuqing-Request"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A session per request. Changes (POST, PUT…) on SQLite take the write lock up front and
    wait for it, rather than fail when the crawler or the worker wrote in between."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    if request.method not in SAFE_METHODS and session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
    finally:
        session.close()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user and how they proved it."""

    user: User
    via: str  # "cookie" | "token"

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role


def optional_principal(request: Request, session: Session = Depends(get_session)) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(session, header[7:].strip())
        if user is None:
            return None
        try:
            session.commit()  # last_used_at: best effort, never worth failing the request for
        except OperationalError:
            session.rollback()
            log.warning("未能记录 API 令牌的最近使用时间（数据库忙）")
        return Principal(user, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        user = user_for_session(session, request.app.state.settings.secret_key, cookie)
        # End the read: the SSE stream keeps this session until the browser leaves.
        session.commit()
        if user is not None:
            return Principal(user, "cookie")
    return None


def current_principal(
    request: Request, principal: Principal | None = Depends(optional_principal)
) -> Principal:
    if principal is None:
        raise HTTPException(
            status_code=401, detail="未登录或凭据无效", headers={"WWW-Authenticate": "Bearer"}
        )
    if (
        principal.via == "cookie"
        and request.method not in SAFE_METHODS
        and not request.headers.get(CSRF_HEADER)
    ):
        raise HTTPException(status_code=403, detail=f"缺少请求头 {CSRF_HEADER}（防跨站请求伪造）")
    return principal


# Who may change what. Everyone signed in may read.
PERMISSIONS: dict[str, frozenset[str]] = {
    "incident.handle": frozenset({"press", "leader", "admin"}),  # acknowledge, status, assign, note, action
    "incident.regrade": frozenset({"press", "leader", "admin"}),
    "deadline.waive": frozenset({"leader", "admin"}),
    "mention.relabel": frozenset({"press", "analyst", "admin"}),
    "case.manage": frozenset({"press", "admin"}),
    "silence.manage": frozenset({"press", "leader", "admin"}),
}


def require(permission: str) -> Callable[..., Principal]:
    """Dependency: the current principal, refused with 403 unless its role holds `permission`."""
    allowed = PERMISSIONS[permission]

    def check(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status_code=403, detail="当前角色无权执行此操作")
        return principal

    return check

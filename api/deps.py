"""Request dependencies: a database session per request, the current user, role and scope checks,
and the annotated types routes declare them with (`SessionDep`, `CurrentUser`, `IncidentInPath`…).

A browser authenticates with the session cookie (a server-side session, api/sessions.py), a script
with `Authorization: Bearer` (a token whose scope caps what the owner's role allows).
Cookie-authenticated changes must also carry the `X-Yuqing-Request` header: a cross-site form
cannot set it, so a hostile page cannot act with the duty officer's cookie (CSRF).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.store.db import writer_bind
from yuqing.store.models import Incident, User

from .auth import SCOPES, token_for
from .sessions import SESSION_COOKIE, session_user

log = logging.getLogger("yuqing.api")

CSRF_HEADER = "X-Yuqing-Request"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns; a larger one is a 422, never a database error


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A session per request. Changes (POST, PUT…) on SQLite take the write lock up front in
    every transaction and wait for it, rather than fail when the crawler or the worker wrote."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    if request.method not in SAFE_METHODS:
        # Bind the whole request, not just its first transaction: a dependency that commits
        # (the token's last use) would otherwise leave the handler's write in a DEFERRED
        # transaction, which SQLite fails at once with "database is locked" when the
        # scheduler committed in between. Every transaction of a writing request waits
        # for the write lock (busy timeout) instead, like background writers do.
        session.bind = writer_bind(session.get_bind())
    try:
        yield session
    finally:
        session.close()


def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler: a database that stays locked past the busy timeout, or is restarting,
    is a 503 the client may retry, never a 500; nothing was written (the transaction rolled back)."""
    log.error("数据库不可用：%s %s：%s", request.method, request.url.path, exc)
    return JSONResponse(status_code=503, headers={"Retry-After": "5"},
                        content={"detail": "数据库繁忙或暂时不可用，本次操作未保存，请稍后重试"})


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, how they proved it, and what that credential may do."""

    user: User
    via: str  # "cookie" | "token"
    scope: str = "admin"  # a browser session may do all the role allows; a token its scope

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    header = request.headers.get("authorization", "")
    now = clock_now()
    if header.lower().startswith("bearer "):
        found = token_for(session, header[7:].strip(), now=now)
        if found is None:
            return None
        try:
            session.commit()  # last_used_at: best effort, never worth failing the request for
        except OperationalError:
            session.rollback()
            log.warning("未能记录 API 令牌的最近使用时间（数据库忙）")
        return Principal(found[0], "token", found[1].scope)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        settings: Settings = request.app.state.settings
        user = session_user(session, secret_key=settings.secret_key, cookie=cookie, config=settings.auth,
                            now=now)
        try:
            # Ends the read (the SSE stream keeps this session until the browser leaves) and
            # writes last_seen_at when it moved.
            session.commit()
        except OperationalError:
            session.rollback()
            log.warning("未能记录会话的最近访问时间（数据库忙）")
        if user is not None:
            return Principal(user, "cookie")
    return None


def current_principal(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    if principal is None:
        raise HTTPException(
            status_code=401, detail="未登录或凭据无效", headers={"WWW-Authenticate": "Bearer"}
        )
    if request.method not in SAFE_METHODS:
        if principal.via == "cookie" and not request.headers.get(CSRF_HEADER):
            raise HTTPException(status_code=403, detail=f"缺少请求头 {CSRF_HEADER}（防跨站请求伪造）")
        if principal.scope == "read":
            raise HTTPException(status_code=403, detail="该令牌为只读权限，不能执行更改")
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
MaybeUser = Annotated[Principal | None, Depends(optional_principal)]


# Who may do what (besides reading, which every signed-in user may). Decided with the rules in mind:
# escalation to leadership exists so the press office cannot hide a breach, so only a leader or an
# administrator may mute it; an archived briefing is the record leadership read, so only the press
# office (which issues it) or an administrator may regenerate it, and that is audited.
PERMISSIONS: dict[str, frozenset[str]] = {
    "incident.handle": frozenset({"press", "leader", "admin"}),  # acknowledge, status, assign, note, action
    "incident.regrade": frozenset({"press", "leader", "admin"}),
    "deadline.waive": frozenset({"leader", "admin"}),
    "mention.relabel": frozenset({"press", "analyst", "admin"}),
    "case.manage": frozenset({"press", "admin"}),
    "silence.manage": frozenset({"press", "leader", "admin"}),
    "watch.manage": frozenset({"analyst", "admin"}),  # watch topics decide what is monitored at all
    "calendar.manage": frozenset({"admin"}),  # import a year's holiday notice
    "quarantine.release": frozenset({"admin"}),  # let the next crawl fetch a quarantined item again
    "report.generate": frozenset({"press", "admin"}),  # archive a new version of a report (issue 14)
    "plan.edit": frozenset({"press", "analyst", "admin"}),  # a release's 预案 and its 解读 record
    "plan.approve": frozenset({"leader", "admin"}),
    "silence.leadership": frozenset({"leader", "admin"}),  # a silence that could mute leadership notices
    "notification.retry": frozenset({"press", "leader", "admin"}),
    "briefing.generate": frozenset({"press", "admin"}),
    "audit.read": frozenset({"leader", "admin"}),
    "user.manage": frozenset({"admin"}),
}
# The token scope a permission needs beyond its role (default: "act").
PERMISSION_SCOPE: dict[str, str] = {"audit.read": "read", "user.manage": "admin"}


def allowed(principal: Principal, permission: str) -> bool:
    need = PERMISSION_SCOPE.get(permission, "act")
    return principal.role in PERMISSIONS[permission] and SCOPES.index(principal.scope) >= SCOPES.index(need)


def require(permission: str) -> Callable[..., Principal]:
    """Dependency: the current principal, refused with 403 unless its role (and token scope)
    holds `permission`."""

    def check(principal: CurrentUser) -> Principal:
        if principal.role not in PERMISSIONS[permission]:
            raise HTTPException(status_code=403, detail="当前角色无权执行此操作")
        if not allowed(principal, permission):
            raise HTTPException(status_code=403, detail="该令牌的权限范围不足")
        return principal

    return check


def Allowed(permission: str) -> type[Principal]:
    """`who: Allowed("case.manage")`: the current principal holding `permission`."""
    return Annotated[Principal, Depends(require(permission))]  # type: ignore[return-value]


IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]


def incident_in_path(incident_id: IdPath, session: SessionDep) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise HTTPException(status_code=404, detail=f"事件 {incident_id} 不存在")
    return incident


IncidentInPath = Annotated[Incident, Depends(incident_in_path)]

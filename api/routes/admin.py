"""Administration: users and their sessions, API tokens, the audit log (JSON and CSV), and the
server-rendered 管理 page. Token revocation itself lives in routes/session.py (owners may revoke theirs)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from yuqing.clock import as_utc, local_iso
from yuqing.clock import now as clock_now
from yuqing.store.audit import export_csv, newest
from yuqing.store.models import User
from yuqing.vocab import Role, TokenScope, TokenState

from .. import schemas as S
from ..auth import token_state, tokens, users
from ..deps import Allowed, IdPath, MaybeUser, SessionDep, allowed
from ..sessions import end_all_sessions, live_sessions
from .pages import _render, _to_login

router = APIRouter(prefix="/api/v1", tags=["admin"])
pages = APIRouter(include_in_schema=False)


class UserOut(S.BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    active: bool
    live_sessions: int


@router.get("/users", response_model=list[UserOut], summary="用户及其在线会话数（管理员）")
def list_users(_: Allowed("user.manage"), session: SessionDep) -> list[UserOut]:
    live = live_sessions(session, clock_now())
    return [
        UserOut(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                role_label=Role.label_of(u.role), active=u.active, live_sessions=live.get(u.id, 0))
        for u in users(session)
    ]


@router.post("/users/{user_id}/logout", summary="让该用户在所有浏览器上退出登录（管理员）")
def logout_everywhere(who: Allowed("user.manage"), user_id: IdPath, session: SessionDep) -> dict[str, int]:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=f"用户 {user_id} 不存在")
    ended = end_all_sessions(session, user=user, actor=who.name, now=clock_now())
    session.commit()
    return {"sessions_ended": ended}


@router.get("/audit", response_model=list[S.AuditOutFull], summary="审计日志（管理员、局领导）")
def audit_log(
    _: Allowed("audit.read"),
    session: SessionDep,
    limit: int = Query(100, ge=1, le=1000),
    before_id: int | None = Query(None, ge=1, le=S.MAX_ID, description="翻页：只返回编号小于此值的记录"),
) -> list[S.AuditOutFull]:
    return [
        S.AuditOutFull(id=a.id, at=local_iso(a.at), actor=a.actor, action=a.action, target=a.target,
                       data=a.data or {}, before=a.before, after=a.after)
        for a in newest(session, before_id=before_id, limit=limit)
    ]


@router.get("/audit.csv", summary="导出审计日志（CSV，供年度考核；管理员、局领导）", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV（UTF-8，带 BOM）"}})
def audit_csv(
    _: Allowed("audit.read"),
    session: SessionDep,
    start: S.LocalTime | None = Query(None, description="默认一年前；不带时区时按北京时间理解"),
    end: S.LocalTime | None = Query(None, description="默认现在"),
) -> Response:
    end_at = end or clock_now()
    start_at = start or end_at - timedelta(days=366)
    if start_at >= end_at:
        raise HTTPException(status_code=422, detail="开始时间必须早于结束时间")
    name = quote(f"审计日志-{local_iso(start_at)[:10]}-{local_iso(end_at)[:10]}.csv")
    return Response(
        export_csv(session, start=start_at, end=end_at),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@pages.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, who: MaybeUser, session: SessionDep) -> Response:
    """管理: users (log out everywhere) and every API token (revoke). Administrators only."""
    if who is None:
        return _to_login(request)
    if not allowed(who, "user.manage"):
        return _render(request, "admin.html", status_code=403, user=who.user,
                       role_label=Role.label_of(who.role), forbidden=True)
    now = clock_now()
    live = live_sessions(session, now)
    people = users(session)
    rows = []
    for t, owner in tokens(session, limit=500):
        state = token_state(t, now)
        rows.append({
            "id": t.id, "user": owner, "name": t.name,
            "scope": TokenScope.label_of(t.scope), "created": t.created_at, "expires": t.expires_at,
            "last_used": t.last_used_at, "state": state, "state_label": TokenState.label_of(state),
        })
    return _render(
        request, "admin.html", user=who.user, role_label=Role.label_of(who.role), forbidden=False,
        users=[{"row": u, "role": Role.label_of(u.role), "live": live.get(u.id, 0)} for u in people],
        tokens=rows, t=lambda v: "—" if v is None else local_iso(as_utc(v))[:16].replace("T", " "),
    )

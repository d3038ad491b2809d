"""Health, API tokens (issue, list, revoke) and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store.models import ApiToken, User
from yuqing.vocab import Role, TokenScope, TokenState

from .. import schemas as S
from ..auth import new_token, revoke_token, token_state, tokens
from ..deps import CurrentUser, IdPath, SessionDep, SettingsDep, allowed, client_address
from ..throttle import Locked, attempt

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.get("/health", response_model=S.Health, summary="存活检查（无需登录）；返回服务器时间")
def health() -> S.Health:
    return S.Health(status="ok", now=local_iso(clock_now()))


@router.post("/auth/token", response_model=S.TokenOut, summary="用户名密码换取 API 令牌（供脚本使用）")
def issue_token(
    body: S.Credentials, request: Request, session: SessionDep, settings: SettingsDep
) -> S.TokenOut:
    now = clock_now()
    outcome = attempt(session, username=body.username, password=body.password,
                      address=client_address(request), via="token", config=settings.auth, now=now)
    if not isinstance(outcome, User):
        session.commit()
        if isinstance(outcome, Locked):
            raise HTTPException(status_code=429, detail=outcome.message,
                                headers={"Retry-After": str(outcome.retry_after_s)})
        raise HTTPException(status_code=401, detail="用户名或密码错误")
    token, row = new_token(session, user=outcome, name=body.token_name or "api", actor=outcome.username,
                           scope=body.scope, days=body.expires_in_days, now=now)
    session.commit()
    return S.TokenOut(access_token=token, scope=row.scope, expires_at=local_iso(row.expires_at))


@router.get("/me", response_model=S.Me, summary="当前用户")
def me(who: CurrentUser) -> S.Me:
    return S.Me(
        username=who.user.username,
        display_name=who.user.display_name,
        role=who.role,
        role_label=Role.label_of(who.role),
    )


def token_info(row: ApiToken, username: str) -> S.TokenInfo:
    state = token_state(row, clock_now())
    return S.TokenInfo(
        id=row.id, user=username, name=row.name, scope=row.scope,
        scope_label=TokenScope.label_of(row.scope),
        created_at=local_iso(row.created_at), expires_at=local_iso(row.expires_at),
        last_used_at=local_iso(row.last_used_at), revoked_at=local_iso(row.revoked_at),
        state=state, state_label=TokenState.label_of(state),
    )


@router.get("/tokens", response_model=list[S.TokenInfo], summary="API 令牌（管理员看全部，其他人看自己的）")
def list_tokens(session: SessionDep, who: CurrentUser) -> list[S.TokenInfo]:
    mine = None if allowed(who, "user.manage") else who.user.id
    return [token_info(t, name) for t, name in tokens(session, user_id=mine, limit=1000)]


@router.post("/tokens/{token_id}/revoke", response_model=S.TokenInfo, summary="吊销 API 令牌（本人或管理员）")
def revoke(token_id: IdPath, session: SessionDep, who: CurrentUser) -> S.TokenInfo:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"令牌 {token_id} 不存在")
    if row.user_id != who.user.id and not allowed(who, "user.manage"):
        raise HTTPException(status_code=403, detail="只能吊销自己的令牌")
    revoke_token(session, token_id=token_id, actor=who.name)
    session.commit()
    owner = session.get(User, row.user_id)
    return token_info(row, owner.username if owner else "")

"""Health, API tokens and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.vocab import Role

from .. import schemas as S
from ..audit import record
from ..auth import authenticate, create_token
from ..deps import Principal, current_principal, get_session

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.get("/health", response_model=S.Health, summary="存活检查（无需登录）；返回服务器时间")
def health() -> S.Health:
    return S.Health(status="ok", now=local_iso(clock_now()))


@router.post("/auth/token", response_model=S.TokenOut, summary="用户名密码换取 API 令牌（供脚本使用）")
def issue_token(body: S.Credentials, session: Session = Depends(get_session)) -> S.TokenOut:
    user = authenticate(session, body.username, body.password)
    if user is None:
        record(session, actor=body.username[:100], action="auth.token_refused", target=None, data={})
        session.commit()
        raise HTTPException(status_code=401, detail="用户名或密码错误")
    token = create_token(session, user=user, name=body.token_name or "api", actor=user.username)
    session.commit()
    return S.TokenOut(access_token=token)


@router.get("/me", response_model=S.Me, summary="当前用户")
def me(who: Principal = Depends(current_principal)) -> S.Me:
    return S.Me(
        username=who.user.username,
        display_name=who.user.display_name,
        role=who.role,
        role_label=Role.label_of(who.role),
    )

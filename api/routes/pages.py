"""The dashboard's HTML pages: login, the board (值班看板) and an incident's page.

Pages are shells: the data arrives as JSON from /api/v1 and is put into the page with
textContent by api/static/*.js, so crawled text never becomes HTML.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from yuqing.vocab import OFFERED_ACTIONS, IncidentStatus, Role

from ..audit import record
from ..auth import SESSION_COOKIE, SESSION_MAX_AGE_S, authenticate, sign_session
from ..deps import CSRF_HEADER, Principal, get_session, optional_principal

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    templates = request.app.state.templates
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        name,
        {"bureau": settings.bureau_name, "csrf_header": CSRF_HEADER, **context},
        status_code=status_code,
    )


def _safe_next(value: str | None) -> str:
    """Only same-site paths: a login link must not bounce the user to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),
    session: Session = Depends(get_session),
) -> Response:
    user = authenticate(session, username, password)
    if user is None:
        record(session, actor=username[:100], action="auth.login_refused", target=None, data={})
        session.commit()
        return _render(
            request, "login.html", status_code=401, next=_safe_next(next), error="用户名或密码错误"
        )
    record(session, actor=user.username, action="auth.login", target=f"user:{user.id}", data={})
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(request.app.state.settings.secret_key, user),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.base_url.startswith("https"),
    )
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def board(request: Request, who: Principal | None = Depends(optional_principal)) -> Response:
    if who is None:
        return _to_login(request)
    return _render(
        request,
        "board.html",
        user=who.user,
        role_label=Role.label_of(who.role),
        action_kinds={k.value: k.label for k in OFFERED_ACTIONS},
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, incident_id: int, who: Principal | None = Depends(optional_principal)
) -> Response:
    if who is None:
        return _to_login(request)
    return _render(
        request,
        "incident.html",
        user=who.user,
        role_label=Role.label_of(who.role),
        incident_id=incident_id,
        action_kinds={k.value: k.label for k in OFFERED_ACTIONS},
        statuses=IncidentStatus.labels(),
    )

"""The dashboard's HTML pages: login, the board (值班看板) and an incident's page.

Pages are shells: the data arrives as JSON from /api/v1 and is put into the page with
textContent by api/static/*.js, so crawled text never becomes HTML.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import User
from yuqing.vocab import INCIDENT_ACTIONS, Grade, IncidentStatus, Platform, Role, Sentiment

from ..deps import CSRF_HEADER, PERMISSIONS, IdPath, MaybeUser, SessionDep, client_address
from ..sessions import SESSION_COOKIE, end_session, start_session
from ..throttle import Locked, attempt

router = APIRouter(include_in_schema=False)
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.svg"


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for it on every page; an SVG icon answers instead of a 404 in every log."""
    return FileResponse(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def _render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    templates = request.app.state.templates
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        name,
        {"bureau": settings.bureau_name, "csrf_header": CSRF_HEADER, "inbox_url": settings.notify.inbox_url,
         "relabel_roles": PERMISSIONS["mention.relabel"], **context},
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
def login_page(request: Request, next: str | None = Query(None, max_length=2000)) -> HTMLResponse:
    return _render(request, "login.html", next=_safe_next(next), error=None)


def _secure_cookie(request: Request) -> bool:
    """`Secure` in production whatever base_url says (a proxy may terminate TLS in front of us)."""
    settings = request.app.state.settings
    return settings.production or settings.base_url.startswith("https")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: str = Form(..., max_length=100),
    password: str = Form(..., max_length=1000),
    next: str = Form("/", max_length=2000),
) -> Response:
    settings = request.app.state.settings
    now = clock_now()
    outcome = attempt(session, username=username, password=password, address=client_address(request),
                      via="login", config=settings.auth, now=now)
    if not isinstance(outcome, User):
        session.commit()
        if isinstance(outcome, Locked):
            response = _render(request, "login.html", status_code=429, next=_safe_next(next),
                               error=outcome.message)
            response.headers["Retry-After"] = str(outcome.retry_after_s)
            return response
        return _render(
            request, "login.html", status_code=401, next=_safe_next(next), error="用户名或密码错误"
        )
    cookie = start_session(session, user=outcome, secret_key=settings.secret_key, config=settings.auth,
                           now=now, address=client_address(request))
    record(session, actor=outcome.username, action="auth.login", target=f"user:{outcome.id}",
           data={"address": client_address(request) or ""}, at=now)
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=settings.auth.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure_cookie(request),
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """Ends the session on the server: the cookie, replayed, no longer signs anyone in."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(session, secret_key=request.app.state.settings.secret_key, cookie=cookie, now=clock_now())
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=_secure_cookie(request))
    return response


@router.get("/", response_class=HTMLResponse)
def board(request: Request, who: MaybeUser) -> Response:
    if who is None:
        return _to_login(request)
    return _render(
        request,
        "board.html",
        user=who.user,
        role_label=Role.label_of(who.role),
        action_kinds={k.value: k.label for k in INCIDENT_ACTIONS},
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: IdPath, who: MaybeUser, session: SessionDep) -> Response:
    if who is None:
        return _to_login(request)
    owners = Q.owner_names(session)
    return _render(
        request,
        "incident.html",
        user=who.user,
        role_label=Role.label_of(who.role),
        incident_id=incident_id,
        action_kinds={k.value: k.label for k in INCIDENT_ACTIONS},
        statuses=IncidentStatus.labels(),
        grades=Grade.labels(),
        owners=owners,
        platforms=Platform.labels(),
        sentiments=Sentiment.labels(),
    )

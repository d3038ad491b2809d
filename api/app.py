"""The FastAPI application: REST under /api/v1, SSE, the dashboard, offline API docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from yuqing.config import Settings, weak_secret
from yuqing.store.db import make_engine
from yuqing.store.db import session_factory as make_session_factory
from yuqing.vocab import silence_value_label

from .deps import MaybeUser, database_unavailable
from .handlers import SecurityHeaders, register_handlers
from .live_bus import LiveBus
from .routes import (
    admin,
    cases,
    holidays,
    incident_views,
    incidents,
    mentions,
    office,
    outbox,
    pages,
    pages_history,
    pages_office,
    reports,
    search,
    session,
    sources,
    stream,
    warnings,
)

HERE = Path(__file__).parent
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))  # Swagger UI and ReDoc, no CDN


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {"detail": {}, "errors": {"type": "array"}},
            "required": ["detail"],
        }}},
    }


# Documented on every operation, so the schema says what a client may receive.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("请求体无法解析"),
    401: _error("未登录或凭据无效"),
    403: _error("无权执行（角色、令牌权限或缺少防跨站请求头）"),
    404: _error("对象不存在"),
    409: _error("当前状态不允许此操作"),
    413: _error("请求体过大"),
    422: _error("输入有误：指出字段与原因"),
    429: _error("登录失败次数过多，暂时锁定"),
}

# Swagger UI and ReDoc from local files, started without inline script (CSP script-src 'self').
DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title} · 文档</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css"><link rel="icon" href="/docs-assets/favicon.png">
</head><body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script><script src="/static/swagger-init.js"></script>
</body></html>"""
REDOC_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/docs-assets/favicon.png"></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/docs-assets/redoc.standalone.js"></script>
</body></html>"""


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session] | None = None,
    *,
    stream_interval_s: float = 2.0,
    stream_backstop_s: float = 15.0,
) -> FastAPI:
    """The app on `session_factory` (default: an engine on settings.database_url; the schema must exist).

    Streams poll on each wake-up (`api.live_bus`). Where any process's commit wakes them
    (PostgreSQL LISTEN/NOTIFY or Redis) they also poll every `stream_backstop_s` in case a wake-up
    was lost; on SQLite only this process's commits do, and they poll every `stream_interval_s`.
    Refuses to start in production with a weak secret key (Settings refuses it too; this also
    covers settings built without validation)."""
    if settings.production and weak_secret(settings.secret_key):
        raise RuntimeError("生产环境必须设置足够强的 YUQING_SECRET_KEY，服务拒绝启动")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.live_bus.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="舆情监测与回应 API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        description="统计局舆情监测、研判与回应。时间均为北京时间（+08:00）。认证：会话或 Bearer 令牌。",
        responses=COMMON_RESPONSES,
    )
    register_handlers(app)
    app.add_middleware(SecurityHeaders, production=settings.production)
    app.state.settings = settings
    app.state.session_factory = session_factory or make_session_factory(
        make_engine(settings.database_url), writer=False)
    app.state.stream_interval_s = stream_interval_s
    app.state.stream_backstop_s = max(stream_interval_s, stream_backstop_s)
    bind = app.state.session_factory.kw.get("bind")
    db_url = bind.url.render_as_string(hide_password=False) if bind is not None else settings.database_url
    app.state.live_bus = LiveBus(db_url, settings.redis_url)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html
    app.state.templates.env.globals["silence_value_label"] = silence_value_label

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")

    app.add_exception_handler(OperationalError, database_unavailable)
    routers = (session, incidents, incident_views, mentions, sources, office, cases, holidays, outbox, stream,
               reports, search, warnings, admin, pages, pages_history, pages_office)  # history first
    for module in routers:
        app.include_router(module.router)
    app.include_router(admin.pages)

    def docs_reader(who: MaybeUser) -> None:
        """In production the schema and its pages need a login; elsewhere they are open."""
        if settings.production and who is None:
            raise HTTPException(status_code=401, detail="未登录或凭据无效",
                                headers={"WWW-Authenticate": "Bearer"})

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(docs_reader)])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(docs_reader)])
    def swagger() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.format(title=escape(app.title)))

    @app.get("/redoc", include_in_schema=False, dependencies=[Depends(docs_reader)])
    def redoc() -> HTMLResponse:
        return HTMLResponse(REDOC_PAGE.format(title=escape(app.title)))

    return app

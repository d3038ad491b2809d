"""The FastAPI application: REST under /api/v1, SSE, the dashboard, offline API docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from store.db import make_engine
from store.db import session_factory as make_session_factory
from yuqing.config import Settings

from .deps import database_unavailable
from .live_bus import LiveBus
from .routes import (
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


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session] | None = None,
    *,
    stream_interval_s: float = 2.0,
    stream_backstop_s: float = 15.0,
) -> FastAPI:
    """The app on `session_factory` (default: an engine on settings.database_url; the schema must exist).

    Streams poll every `stream_interval_s` on SQLite; where a live bus wakes them (PostgreSQL
    LISTEN/NOTIFY or Redis, see `api.live_bus`) they poll on each wake-up and every
    `stream_backstop_s` in case a wake-up was lost."""

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
        description="统计局舆情监测、研判与回应。时间均为北京时间（+08:00）。认证：会话或 Bearer 令牌。",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or make_session_factory(
        make_engine(settings.database_url), writer=False)
    app.state.stream_interval_s = stream_interval_s
    app.state.stream_backstop_s = max(stream_interval_s, stream_backstop_s)
    bind = app.state.session_factory.kw.get("bind")
    db_url = bind.url.render_as_string(hide_password=False) if bind is not None else settings.database_url
    app.state.live_bus = LiveBus(db_url, settings.redis_url)
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")

    app.add_exception_handler(OperationalError, database_unavailable)
    routers = (session, incidents, incident_views, mentions, sources, office, cases, holidays, outbox, stream,
               reports, search, warnings, pages, pages_history, pages_office)  # history before /cases/{id}
    for module in routers:
        app.include_router(module.router)

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · 文档",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=app.title,
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )

    return app

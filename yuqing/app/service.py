"""One yuqing process: the API (uvicorn) with the scheduler beside it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import uvicorn

from yuqing.app.scheduler import Intervals, Scheduler
from yuqing.config import Settings
from yuqing.store import live_notify
from yuqing.store.db import make_engine, migrate, session_factory, session_scope
from yuqing.store.sync import sync_config

log = logging.getLogger("yuqing")


def configure_logging(level: int = logging.INFO) -> None:
    """Our logs at `level`; APScheduler's per-run chatter and overlap notices only on error."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    scheduler: bool = True
    crawl: bool = True
    intervals: Intervals | None = None
    role: str = "all"  # yuqing.app.roles.Role


def prepare_database(settings: Settings):  # type: ignore[no-untyped-def]
    """Migrate to head and mirror the configured sources; returns (engine, sessionmaker)."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    factory = session_factory(engine, writer=False)  # the API's: see store.db.session_factory
    with session_scope(factory) as session:
        sync_config(session, settings)
    return engine, factory


def serve(settings: Settings, options: ServeOptions) -> None:
    """One process of `options.role`; "all" migrates (the single-server default), the others
    refuse a schema that is not at head (see `yuqing.app.roles`)."""
    from yuqing.app.roles import Role, run_background

    role = Role(options.role)
    live_notify.configure(settings.redis_url)  # every role's writes wake the API replicas' streams
    if role not in (Role.all, Role.api):
        run_background(settings, role, options.intervals)  # no web app, no crawler unless its role
        return
    from yuqing.api.app import create_app
    from yuqing.crawler.run import in_process_runner

    if role is Role.api:
        from yuqing.store.db import require_head

        engine = make_engine(settings.database_url)
        require_head(engine)
        factory = session_factory(engine, writer=False)
        options.scheduler = False
    else:
        engine, factory = prepare_database(settings)
    scheduler = None
    if options.scheduler:
        # crawls in a child process each (default: a hung crawl cannot stall the service), or in
        # this process's reactor thread ([crawl] in_process = true: no interpreter start per crawl)
        extra = {"crawl_runner": in_process_runner(settings)} if settings.crawl.in_process else {}
        scheduler = Scheduler(settings, engine, intervals=options.intervals, crawl=options.crawl, **extra)
        scheduler.start()
    app = create_app(settings, factory)
    try:
        uvicorn.run(app, host=options.host, port=options.port, log_level="info")
    finally:
        if scheduler is not None:
            scheduler.stop()
        engine.dispose()

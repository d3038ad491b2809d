"""One yuqing process: the API (uvicorn) with the scheduler beside it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import uvicorn

from store.db import make_engine, migrate, session_factory, session_scope
from store.sync import sync_config
from yuqing.app.scheduler import Intervals, Scheduler
from yuqing.config import Settings

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


def prepare_database(settings: Settings):  # type: ignore[no-untyped-def]
    """Migrate to head and mirror the configured sources; returns (engine, sessionmaker)."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    factory = session_factory(engine, writer=False)  # the API's: see store.db.session_factory
    with session_scope(factory) as session:
        sync_config(session, settings)
    return engine, factory


def serve(settings: Settings, options: ServeOptions) -> None:
    from api.app import create_app

    engine, factory = prepare_database(settings)
    scheduler = None
    if options.scheduler:
        scheduler = Scheduler(settings, engine, intervals=options.intervals, crawl=options.crawl)
        scheduler.start()
    app = create_app(settings, factory)
    try:
        uvicorn.run(app, host=options.host, port=options.port, log_level="info")
    finally:
        if scheduler is not None:
            scheduler.stop()
        engine.dispose()

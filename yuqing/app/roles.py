"""Process roles (`yuqing serve --role`): each part of yuqing scales out on its own.

- api: the FastAPI board and API only (run as many replicas as needed behind a proxy);
- worker: analysis, the alert engine and outbox delivery (several at once on PostgreSQL;
  one on SQLite);
- scheduler: the leader (PostgreSQL advisory lock, taken over when the leader dies) for the
  periodic jobs: the audit, the daily briefing, 专报 and release reports, the holiday-calendar check;
- crawler: the crawl timetable, each crawl in a child process (`crawler.service`);
- all: everything in one process, today's single-server default.

A process of one role never migrates (`require_head`): `yuqing migrate` does at deploy time.
"""

from __future__ import annotations

import logging
import signal
import threading
from enum import StrEnum

from sqlalchemy import Engine

from yuqing.config import Settings

log = logging.getLogger("yuqing")


class Role(StrEnum):
    api = "api"
    crawler = "crawler"
    worker = "worker"
    scheduler = "scheduler"
    all = "all"


ROLE_LABELS = {
    Role.api: "接口与看板",
    Role.crawler: "抓取",
    Role.worker: "分析、预警与通知发送",
    Role.scheduler: "定时任务（主节点，可接管）",
    Role.all: "全部（单机）",
}

WORKER_JOBS = frozenset({"analysis", "alerts", "outbox"})
SCHEDULER_JOBS = frozenset({"audit", "briefing", "calendar_check", "reports"})


def background(settings: Settings, engine: Engine, role: Role, intervals=None):  # type: ignore[no-untyped-def]
    """The scheduler of a background role (worker, scheduler, crawler), not started."""
    from yuqing.app.scheduler import Scheduler
    from yuqing.crawler.service import SharedCrawls

    if role is Role.worker:
        return Scheduler(settings, engine, intervals=intervals, crawl=False, jobs=WORKER_JOBS, lead=False)
    if role is Role.scheduler:
        return Scheduler(settings, engine, intervals=intervals, crawl=False, jobs=SCHEDULER_JOBS, lead=True)
    if role is Role.crawler:
        return Scheduler(settings, engine, intervals=intervals, jobs=frozenset({"crawl"}), lead=False,
                         crawl_runner=SharedCrawls(settings, engine))
    raise ValueError(f"{role} 不是后台进程角色")


def wait_for_signal(stop: threading.Event | None = None) -> None:
    """Block until SIGTERM/SIGINT (systemd stop, Ctrl-C) or `stop` is set."""
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1):
        pass


def run_background(settings: Settings, role: Role, intervals=None) -> None:  # type: ignore[no-untyped-def]
    """Run one background role until stopped, on a database already at head."""
    from yuqing.store.db import make_engine, require_head, session_factory, session_scope
    from yuqing.store.sync import sync_config

    engine = make_engine(settings.database_url)
    try:
        require_head(engine)
        if role in (Role.scheduler, Role.crawler):  # the crawl timetable reads the mirrored sources
            with session_scope(session_factory(engine)) as session:
                sync_config(session, settings)
        sched = background(settings, engine, role, intervals)
        sched.start()
        log.info("进程角色 %s 已启动", role.value)
        try:
            wait_for_signal()
        finally:
            sched.stop()
    finally:
        engine.dispose()

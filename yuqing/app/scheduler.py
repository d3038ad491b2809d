"""The scheduler: crawls on their intervals, the analysis worker, the alert engine, the sender.

Crawls run as subprocesses (`python -m yuqing.crawler.service NAME`, no migrations per crawl) because
Twisted's reactor cannot be restarted inside one process; everything else runs in-process on short
intervals and reads its state from the database, so a restart loses nothing.

On PostgreSQL only one scheduler may run jobs: the one holding an advisory lock. Others
wait and take over when it goes away (the lock dies with its connection).

A process of one role (`yuqing serve --role`, see `yuqing.app.roles`) runs only that role's `jobs`.
Workers run without the leader lock (`lead=False`): analysis and delivery claim their rows with
`FOR UPDATE SKIP LOCKED`, and the alert engine, which is not written for concurrent runs, is
serialised between workers by a transaction-level advisory lock.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from yuqing.clock import SHANGHAI, now
from yuqing.config import Settings
from yuqing.store.db import session_factory

log = logging.getLogger("yuqing.app.scheduler")

LEADER_LOCK_KEY = 0x59_55_51_49  # "YUQI": one scheduler per PostgreSQL database
ALERTS_LOCK_KEY = 0x59_55_51_41  # "YUQA": one alert-engine run at a time among workers
JOB_NAMES = frozenset(
    {"analysis", "alerts", "outbox", "audit", "briefing", "calendar_check", "reports", "crawl"}
)
# Does this session still hold the lock? (a bigint key below 2**32 lives in objid, objsubid 1)
HELD_SQL = text("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = :k AND objsubid = 1)")


@dataclass
class Intervals:
    """Seconds between runs of the in-process jobs."""

    analysis: float = 10
    alerts: float = 10
    outbox: float = 10
    audit: float = 600
    reports: float = 60  # 专报 and release reports that fell due (reports.jobs.run_due_reports)


@dataclass
class LeaderLock:
    """PostgreSQL advisory lock held on a dedicated connection; always granted on SQLite.

    Holding a connection object proves nothing: after a database restart it is dead and the lock
    is gone, and another scheduler may hold it. So `acquire`, called before every job, asks the
    database on the lock's own connection whether this session still holds the lock; when the
    connection died or the lock is gone, leadership is lost (the connection is dropped) and taken
    again only if the lock is free.
    """

    engine: Engine
    _conn: Connection | None = field(default=None, repr=False)
    _mutex: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closed: bool = field(default=False, repr=False)

    def acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return not self._closed
        with self._mutex:  # jobs run on several threads
            if self._closed:
                return False
            if self._conn is not None:
                if self._still_held(self._conn):
                    return True
                log.warning("定时任务主节点身份丢失（锁连接中断或锁已失效），正在重新获取")
                self._drop()
            return self._try_take()

    def _still_held(self, conn: Connection) -> bool:
        try:
            held = conn.execute(HELD_SQL, {"k": LEADER_LOCK_KEY}).scalar()
            conn.commit()
            return bool(held)
        except Exception:  # a dead connection: the server restarted or killed our session
            return False

    def _try_take(self) -> bool:
        try:
            conn = self.engine.connect()
        except Exception:
            log.warning("无法连接数据库，暂不能成为定时任务主节点", exc_info=True)
            return False
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar()
            conn.commit()
        except Exception:
            conn.invalidate()
            conn.close()
            return False
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.invalidate()  # never back to the pool: it may still hold a session-level lock
            conn.close()

    def release(self, *, final: bool = False) -> None:
        """Give up leadership; with `final`, never take it again (the scheduler is stopping)."""
        with self._mutex:
            self._closed = self._closed or final
            if self._conn is not None:
                conn, self._conn = self._conn, None
                # Closing only returns the connection to the pool, where the session-level
                # lock would live on: unlock first, and drop the connection if that fails.
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_KEY})
                    conn.commit()
                except Exception:
                    conn.invalidate()
                conn.close()


def crawl_command(source_name: str) -> list[str]:
    """One crawl without Alembic (the schema is migrated at start or by `yuqing migrate`)."""
    return [sys.executable, "-m", "yuqing.crawler.service", source_name]


def run_crawl_subprocess(source_name: str, env: dict[str, str] | None = None, timeout: float = 600) -> int:
    """One crawl of one source in a child process; its output goes to the log."""
    proc = subprocess.run(
        crawl_command(source_name),
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    level = logging.INFO if proc.returncode == 0 else logging.WARNING
    log.log(level, "crawl %s exited %s: %s", source_name, proc.returncode, " | ".join(tail))
    return proc.returncode


class Scheduler:
    """Owns the APScheduler instance and the jobs of one yuqing process."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        intervals: Intervals | None = None,
        crawl: bool = True,
        crawl_runner: Callable[[str], int] = run_crawl_subprocess,
        jobs: frozenset[str] = JOB_NAMES,
        lead: bool = True,
    ) -> None:
        """`jobs`: which of JOB_NAMES this process runs; `lead`: whether they wait for the leader lock."""
        if unknown := set(jobs) - JOB_NAMES:
            raise ValueError(f"未知的定时任务：{sorted(unknown)}")
        self.settings = settings
        self.engine = engine
        self.jobs = frozenset(jobs)
        self.lead = lead
        # Jobs read then write: on SQLite they wait for the write lock rather than fail.
        self.factory = session_factory(engine, writer=True)
        self.intervals = intervals or Intervals()
        self.crawl = crawl
        self.crawl_runner = crawl_runner
        self.lock = LeaderLock(engine)
        self.aps = BackgroundScheduler(timezone=SHANGHAI, job_defaults={"coalesce": True, "max_instances": 1})
        self._stopping = threading.Event()

    # jobs -----------------------------------------------------------------
    def _leader(self) -> bool:
        return self.lock.acquire() if self.lead else True

    def _alerts_turn(self, session: Session) -> bool:
        """Without the leader lock, one alert-engine transaction at a time (released at commit)."""
        if self.lead or self.engine.dialect.name != "postgresql":
            return True
        return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": ALERTS_LOCK_KEY}))

    def analyse(self) -> None:
        from yuqing.analysis.relink import inherit_story_links, relink_recent
        from yuqing.analysis.worker import analyse_pending

        if not self._leader():
            return
        analyse_pending(self.factory, self.settings, now=now())
        with self.factory() as session:
            relink_recent(session, now=now())
            inherit_story_links(session, now=now())
            session.commit()

    def alert(self) -> None:
        from yuqing.alerts.engine import process_mentions, tick
        from yuqing.alerts.warnings import raise_warnings

        if not self._leader():
            return
        with self.factory() as session:
            if not self._alerts_turn(session):
                return
            process_mentions(session, self.settings, now=now())
            session.commit()
        with self.factory() as session:
            if not self._alerts_turn(session):
                return
            tick(session, self.settings, now=now())
            session.commit()
        with self.factory() as session:  # 预警: bursts the officer should see before any incident
            if not self._alerts_turn(session):
                return
            raise_warnings(session, self.settings, now=now())
            session.commit()

    def audit(self) -> None:
        """Check that every reminder and escalation that should exist does (Grafana OnCall's auditor)."""
        from yuqing.alerts.audit import audit

        if not self._leader():
            return
        with self.factory() as session:
            findings = audit(session, self.settings, now=now())
            session.commit()
        for finding in findings:
            log.warning("时限核查：%s", finding.message)

    def deliver(self) -> None:
        import yuqing.reports.archive  # noqa: F401  (registers the archived reports as email attachments)
        from yuqing.alerts.outbox import deliver_due

        if self._leader():
            deliver_due(self.factory, self.settings, now=now())

    def crawl_source(self, name: str) -> None:
        if self._leader() and not self._stopping.is_set():
            self.crawl_runner(name)

    def briefing(self) -> None:
        from yuqing.reports.jobs import generate_daily

        if self._leader():
            generate_daily(self.factory, self.settings, now=now())

    def calendar_check(self) -> None:
        """From November, remind the office weekly that next year's holiday notice is not imported."""
        from yuqing.alerts.holiday_import import missing_schedule_notice

        if not self._leader():
            return
        with self.factory() as session:
            missing_schedule_notice(session, settings=self.settings, now=now())
            session.commit()

    def due_reports(self) -> None:
        from yuqing.reports.jobs import run_due_reports

        if self._leader():
            run_due_reports(self.factory, self.settings, now=now())

    # wiring ---------------------------------------------------------------
    def start(self) -> None:
        start = now()
        jobs = self.jobs

        def add(name: str, fn: Callable[..., None], *args: Any, **kwargs: Any) -> None:
            if name in jobs:
                self.aps.add_job(fn, *args, **kwargs)

        add("analysis", self._guard(self.analyse), "interval", seconds=self.intervals.analysis,
            id="analysis", next_run_time=start)
        add("alerts", self._guard(self.alert), "interval", seconds=self.intervals.alerts, id="alerts",
            next_run_time=start)
        add("outbox", self._guard(self.deliver), "interval", seconds=self.intervals.outbox, id="outbox",
            next_run_time=start)
        add("audit", self._guard(self.audit), "interval", seconds=self.intervals.audit, id="audit")
        add("briefing", self._guard(self.briefing), CronTrigger(hour=8, minute=0, timezone=SHANGHAI),
            id="briefing")
        add("calendar_check", self._guard(self.calendar_check),
            CronTrigger(hour=9, minute=5, timezone=SHANGHAI), id="calendar_check")
        add("reports", self._guard(self.due_reports), "interval", seconds=self.intervals.reports,
            id="reports")
        if self.crawl:
            for src in self.settings.sources:
                if not src.enabled:
                    continue
                seconds = self.settings.crawl.interval_of(src.kind, src.interval_seconds)
                add("crawl", self._guard(self.crawl_source, src.name), "interval", seconds=seconds,
                    id=f"crawl:{src.name}", next_run_time=start)
        self.aps.start()
        log.info("定时任务已启动，共 %d 项", len(self.aps.get_jobs()))

    def stop(self) -> None:
        self._stopping.set()
        self.aps.shutdown(wait=False)
        self.lock.release(final=True)  # a job still running cannot take the lock back

    @staticmethod
    def _guard(fn: Callable[..., None], *args: str) -> Callable[[], None]:
        """A failing job logs and runs again next time; it never kills the scheduler."""

        def run() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("定时任务 %s 失败", getattr(fn, "__name__", fn))

        run.__name__ = getattr(fn, "__name__", "job")
        return run

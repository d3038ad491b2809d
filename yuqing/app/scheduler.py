"""The scheduler: crawls on their intervals, the analysis worker, the alert engine, the sender.

Crawls run as subprocesses (`python -m yuqing crawl --source NAME`) because Twisted's
reactor cannot be restarted inside one process; everything else runs in-process on short
intervals and reads its state from the database, so a restart loses nothing.

On PostgreSQL only one scheduler may run jobs: the one holding an advisory lock. Others
wait and take over when it goes away (the lock dies with its connection).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, text

from store.db import session_factory
from yuqing.clock import SHANGHAI, now
from yuqing.config import Settings

log = logging.getLogger("yuqing.app.scheduler")

LEADER_LOCK_KEY = 0x59_55_51_49  # "YUQI": one scheduler per PostgreSQL database


@dataclass
class Intervals:
    """Seconds between runs of the in-process jobs."""

    analysis: float = 10
    alerts: float = 10
    outbox: float = 10
    audit: float = 600


@dataclass
class LeaderLock:
    """PostgreSQL advisory lock held on a dedicated connection; always granted on SQLite."""

    engine: Engine
    _conn: object | None = field(default=None, repr=False)
    _mutex: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closed: bool = field(default=False, repr=False)

    def acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return not self._closed
        with self._mutex:  # jobs run on several threads
            if self._closed:
                return False
            if self._conn is not None:
                return True
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar()
            conn.commit()
            if got:
                self._conn = conn
                return True
            conn.close()
            return False

    def release(self, *, final: bool = False) -> None:
        """Give up leadership; with `final`, never take it again (the scheduler is stopping)."""
        with self._mutex:
            self._closed = self._closed or final
            if self._conn is not None:
                conn, self._conn = self._conn, None
                # Closing only returns the connection to the pool, where the session-level
                # lock would live on: unlock first, and drop the connection if that fails.
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_KEY})  # type: ignore[attr-defined]
                    conn.commit()  # type: ignore[attr-defined]
                except Exception:
                    conn.invalidate()  # type: ignore[attr-defined]
                conn.close()  # type: ignore[attr-defined]


def crawl_command(source_name: str) -> list[str]:
    return [sys.executable, "-m", "yuqing", "crawl", "--source", source_name]


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
    ) -> None:
        self.settings = settings
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
        return self.lock.acquire()

    def analyse(self) -> None:
        from analysis.relink import inherit_story_links, relink_recent
        from analysis.worker import analyse_pending

        if not self._leader():
            return
        analyse_pending(self.factory, self.settings, now=now())
        with self.factory() as session:
            relink_recent(session, now=now())
            inherit_story_links(session, now=now())
            session.commit()

    def alert(self) -> None:
        from alerts.engine import process_mentions, tick

        if not self._leader():
            return
        with self.factory() as session:
            process_mentions(session, self.settings, now=now())
            session.commit()
        with self.factory() as session:
            tick(session, self.settings, now=now())
            session.commit()

    def audit(self) -> None:
        """Check that every reminder and escalation that should exist does (Grafana OnCall's auditor)."""
        from alerts.audit import audit

        if not self._leader():
            return
        with self.factory() as session:
            findings = audit(session, self.settings, now=now())
            session.commit()
        for finding in findings:
            log.warning("时限核查：%s", finding.message)

    def deliver(self) -> None:
        from alerts.outbox import deliver_due

        if self._leader():
            deliver_due(self.factory, self.settings, now=now())

    def crawl_source(self, name: str) -> None:
        if self._leader() and not self._stopping.is_set():
            self.crawl_runner(name)

    def briefing(self) -> None:
        from reports.jobs import generate_daily

        if self._leader():
            generate_daily(self.factory, self.settings, now=now())

    # wiring ---------------------------------------------------------------
    def start(self) -> None:
        start = now()
        add = self.aps.add_job
        add(self._guard(self.analyse), "interval", seconds=self.intervals.analysis, id="analysis",
            next_run_time=start)
        add(self._guard(self.alert), "interval", seconds=self.intervals.alerts, id="alerts",
            next_run_time=start)
        add(self._guard(self.deliver), "interval", seconds=self.intervals.outbox, id="outbox",
            next_run_time=start)
        add(self._guard(self.audit), "interval", seconds=self.intervals.audit, id="audit")
        add(self._guard(self.briefing), CronTrigger(hour=8, minute=0, timezone=SHANGHAI), id="briefing")
        if self.crawl:
            defaults = self.settings.crawl.default_intervals
            for src in self.settings.sources:
                if not src.enabled:
                    continue
                seconds = src.interval_seconds or defaults.get(src.kind, 300)
                add(self._guard(self.crawl_source, src.name), "interval", seconds=seconds,
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

"""The long-lived crawler role (`yuqing serve --role crawler`): owns the crawl timetable.

Each crawl runs in a child process (`python -m yuqing.crawler.service NAME`, which calls `run_crawls`
without migrating: the schema is brought to head at deploy time by `yuqing migrate`), because
Twisted's reactor cannot be restarted inside one process. Several crawler processes on several
hosts share the timetable: on PostgreSQL a crawl first takes a per-source advisory lock on a
connection held for the crawl (so one source is never crawled twice at once), then skips when
another process ran it within most of its interval (`Source.last_run_at`, written by the crawl).
On SQLite run one crawler process.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine, select, text

from yuqing.clock import as_utc, now
from yuqing.config import Settings
from yuqing.store.models import Source
from yuqing.vocab import SourceStatus

log = logging.getLogger("yuqing.crawler")

CRAWL_LOCK_CLASS = 0x59_55_51_43  # "YUQC": (class, source id) advisory locks, one per source
RECENT_FRACTION = 0.8  # a run this far into the interval counts as this interval's run


def child_command(source_name: str) -> list[str]:
    return [sys.executable, "-m", "yuqing.crawler.service", source_name]


def run_child(source_name: str, env: dict[str, str] | None = None, timeout: float = 600) -> int:
    """One crawl of one source in a child process, without Alembic; its output goes to the log."""
    proc = subprocess.run(child_command(source_name), env=env or os.environ.copy(), capture_output=True,
                          text=True, timeout=timeout, check=False)
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    level = logging.INFO if proc.returncode == 0 else logging.WARNING
    log.log(level, "crawl %s exited %s: %s", source_name, proc.returncode, " | ".join(tail))
    return proc.returncode


@dataclass
class SharedCrawls:
    """A crawl runner for the scheduler that several crawler processes can share (see module doc)."""

    settings: Settings
    engine: Engine
    runner: Callable[[str], int] = run_child
    ran: list[str] = field(default_factory=list)  # what this process crawled (for logs and tests)

    def interval(self, name: str) -> float:
        cfg = self.settings.source(name)
        return float(self.settings.crawl.interval_of(cfg.kind, cfg.interval_seconds))

    def __call__(self, name: str) -> int:
        with self.engine.connect() as conn:
            source_id, last_run = conn.execute(
                select(Source.id, Source.last_run_at).where(Source.name == name)).one()
            pg = self.engine.dialect.name == "postgresql"
            if pg and not conn.execute(text("SELECT pg_try_advisory_lock(:c, :s)"),
                                       {"c": CRAWL_LOCK_CLASS, "s": source_id}).scalar():
                conn.commit()
                return 0  # another crawler process is crawling it now
            try:
                # read again under the lock: the other process may have just finished it
                last_run = conn.execute(select(Source.last_run_at).where(Source.id == source_id)).scalar()
                conn.commit()
                recent = timedelta(seconds=self.interval(name) * RECENT_FRACTION)
                if last_run is not None and as_utc(last_run) > now() - recent:
                    return 0
                self.ran.append(name)
                return self.runner(name)
            finally:
                if pg:
                    conn.execute(text("SELECT pg_advisory_unlock(:c, :s)"),
                                 {"c": CRAWL_LOCK_CLASS, "s": source_id})
                    conn.commit()


def main(argv: list[str]) -> int:
    """`python -m yuqing.crawler.service NAME...`: crawl these sources once, on a migrated database."""
    from yuqing.config import get_settings
    from yuqing.crawler.run import CrawlError, run_crawls, status_label

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not argv:
        print("用法：python -m yuqing.crawler.service 来源名称 ...", file=sys.stderr)
        return 2
    try:
        results = run_crawls(get_settings(), argv)
    except CrawlError as exc:
        print(f"无法抓取：{exc}", file=sys.stderr)
        return 2
    for r in results:
        print(f"{r.source}：{status_label(r.status)}，入库 {r.stored}，重复 {r.duplicates}，"
              f"隔离 {r.quarantined}，错误 {r.errors}")
    return 0 if all(r.status != SourceStatus.ERROR for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

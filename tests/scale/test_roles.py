"""`yuqing serve --role`: which jobs each role runs, the refusal to run on a schema not at head,
and the crawl timetable shared by several crawler processes (PostgreSQL, see tests/scale/conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import update

from yuqing.app.roles import Role, background
from yuqing.clock import now
from yuqing.config import Settings, SourceConfig
from yuqing.crawler.service import SharedCrawls
from yuqing.store.db import make_engine, migrate, session_factory, session_scope
from yuqing.store.models import Source
from yuqing.store.sync import sync_config

pytestmark = pytest.mark.slow  # several processes: run first (tests/conftest.py)


def _serve(args: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YUQING_DATABASE_URL": database_url, "YUQING_CONFIG": str(tmp_path / "none.toml"),
           "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "yuqing", "serve", *args], env=env, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)


def test_a_role_refuses_a_database_not_migrated_and_names_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for role in ("api", "worker"):  # the API's check, and the background roles' (yuqing.app.roles)
        proc = _serve(["--role", role], url, tmp_path)
        assert proc.returncode == 3, proc.stderr
        assert "数据库结构不是最新版本" in proc.stderr and "yuqing migrate" in proc.stderr
    proc = _serve(["--role", "everything"], url, tmp_path)
    assert proc.returncode == 2 and "未知的角色" in proc.stderr


def test_each_role_runs_only_its_jobs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roles.db'}"
    engine = make_engine(url)
    migrate(engine)
    settings = Settings(env="test", database_url=url,
                        sources=[SourceConfig(name="网站", kind="news_rss", url="http://127.0.0.1:9/feed")])
    expected = {
        Role.worker: {"analysis", "alerts", "outbox"},
        Role.scheduler: {"audit", "briefing", "calendar_check", "reports"},
        Role.crawler: {"crawl:网站"},
    }
    try:
        for role, jobs in expected.items():
            sched = background(settings, engine, role)
            sched.start()
            try:
                assert {j.id for j in sched.aps.get_jobs()} == jobs, role
                assert sched.lead is (role is Role.scheduler)  # workers and crawlers share by claims
            finally:
                sched.stop()
    finally:
        engine.dispose()


def test_crawler_processes_share_the_timetable(pg_url: str) -> None:
    """Two crawler processes' runners asked for one source at once: one crawls (the other finds
    the source locked), and neither crawls it again within its interval."""
    engine = make_engine(pg_url)
    migrate(engine)
    settings = Settings(env="test", database_url=pg_url,
                        sources=[SourceConfig(name="网站", kind="news_rss", url="http://127.0.0.1:9/feed",
                                              interval_seconds=300)])
    with session_scope(session_factory(engine)) as s:
        sync_config(s, settings)
    inside, release = threading.Event(), threading.Event()
    crawled: list[str] = []

    def slow_crawl(name: str) -> int:  # stands in for the child crawl, which ends by writing last_run_at
        crawled.append(name)
        inside.set()
        release.wait(10)
        with engine.begin() as c:
            c.execute(update(Source).where(Source.name == name).values(last_run_at=now()))
        return 0

    first, second = SharedCrawls(settings, engine, runner=slow_crawl), SharedCrawls(settings, engine,
                                                                                    runner=slow_crawl)
    try:
        t = threading.Thread(target=first, args=("网站",))
        t.start()
        assert inside.wait(10)
        assert second("网站") == 0 and second.ran == []  # locked by the first
        release.set()
        t.join(10)
        assert second("网站") == 0 and second.ran == []  # crawled within its interval
        assert first.ran == ["网站"] and crawled == ["网站"]
    finally:
        release.set()
        engine.dispose()

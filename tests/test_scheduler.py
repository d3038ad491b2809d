"""The scheduler: one leader per PostgreSQL database, every configured source on its interval."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from yuqing.app.scheduler import Intervals, LeaderLock, Scheduler
from yuqing.config import Settings, SourceConfig


def test_only_one_scheduler_leads_on_postgresql(engine: Engine) -> None:
    first, second = LeaderLock(engine), LeaderLock(engine)
    try:
        assert first.acquire()
        if engine.dialect.name == "postgresql":
            assert not second.acquire()  # the lock is held by the first connection
            first.release()
            assert second.acquire()  # and passes on when the leader goes away
        else:
            assert second.acquire()  # one embedded process: no election needed
    finally:
        first.release()
        second.release()


@pytest.mark.parametrize("kind,configured,expected", [
    ("weibo_search", None, 60), ("news_rss", None, 300), ("releases", None, 900), ("tieba", 45, 45),
])
def test_each_source_is_crawled_on_its_interval(
    engine: Engine, kind: str, configured: int | None, expected: int
) -> None:
    crawled: list[str] = []
    done = threading.Event()

    def runner(name: str) -> int:
        crawled.append(name)
        done.set()
        return 0

    settings = Settings(sources=[
        SourceConfig(name="s1", kind=kind, url="http://127.0.0.1:9/", interval_seconds=configured),
        SourceConfig(name="off", kind=kind, url="http://127.0.0.1:9/", enabled=False),
    ])
    sched = Scheduler(settings, engine, intervals=Intervals(3600, 3600, 3600), crawl_runner=runner)
    sched.analyse = sched.alert = sched.deliver = lambda: None  # this test is about crawls
    sched.start()
    try:
        job = sched.aps.get_job("crawl:s1")
        assert job.trigger.interval.total_seconds() == expected
        assert sched.aps.get_job("crawl:off") is None
        assert sched.aps.get_job("briefing") is not None
        assert done.wait(10), "the first crawl runs at start"
        assert crawled == ["s1"]
    finally:
        sched.stop()

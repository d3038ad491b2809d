"""The scheduler: one leader per PostgreSQL database, every configured source on its interval."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, text

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


def test_a_leader_whose_lock_connection_died_stops_and_another_takes_over(engine: Engine) -> None:
    """After a database restart (here: its backend killed) the old leader must not keep running jobs."""
    ran: list[str] = []
    settings = Settings(sources=[])
    first = Scheduler(settings, engine, crawl_runner=lambda name: ran.append(name) or 0)
    second = Scheduler(settings, engine, crawl_runner=lambda name: ran.append(name) or 0)
    try:
        first.crawl_source("first")
        second.crawl_source("second")
        if engine.dialect.name != "postgresql":
            assert ran == ["first", "second"]  # one embedded process: no election needed
            return
        assert ran == ["first"]
        conn = first.lock._conn
        assert conn is not None
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        conn.commit()
        with engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            admin.commit()
            # pg_terminate_backend only signals: wait (an event, bounded) until the backend has
            # exited and its locks are gone, as after a restart, however slow the machine is.
            deadline = time.monotonic() + 30
            while admin.execute(text("SELECT count(*) FROM pg_locks WHERE pid = :p"), {"p": pid}).scalar():
                admin.commit()
                assert time.monotonic() < deadline, "the killed backend kept its locks for 30 s"
                time.sleep(0.02)
        second.crawl_source("second")  # the lock died with the connection: the follower leads now
        first.crawl_source("first")  # the old leader finds its connection dead and the lock taken
        first.crawl_source("first")
        assert ran == ["first", "second"]
        second.lock.release()  # the new leader goes away: the old one may lead again
        first.crawl_source("first")
        assert ran == ["first", "second", "first"]
    finally:
        first.lock.release(final=True)
        second.lock.release(final=True)


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


def test_the_alert_job_raises_a_warning_from_a_burst_before_any_incident(
    engine: Engine, session_maker  # type: ignore[no-untyped-def]
) -> None:
    """预警 is wired: the scheduler's alert job turns a burst on a watched topic into a warning."""
    from datetime import UTC, datetime, timedelta

    import time_machine
    from sqlalchemy import select

    from yuqing.store.models import Document, EarlyWarning, Incident, Mention

    at = datetime(2026, 12, 7, 2, tzinfo=UTC)  # 10:00 Beijing, on the hour
    counter = iter(range(10**6))

    def post(text_: str, when: datetime) -> Mention:
        n = next(counter)
        doc = Document(platform="weibo", dedup_key=f"b{n}", url=f"http://127.0.0.1/b/{n}",
                       text=text_, published_at=when, status="analysed")
        s.add(doc)
        s.flush()
        return Mention(document_id=doc.id, platform="weibo", published_at=when, text=text_,
                       sentiment="neutral", p_negative=0.2, p_neutral=0.6, p_positive=0.2,
                       model_version="test", risk=10.0, risk_factors=[], sensitive_topics=[],
                       topics=["CPI"], analysed_at=when)

    with session_maker() as s, s.begin():
        s.add_all([post(f"CPI平稳{h}", at - timedelta(hours=h, minutes=10)) for h in range(1, 13)])
        s.add_all([post(f"CPI数据造假？第{i}条", at - timedelta(minutes=50 - i)) for i in range(30)])
    settings = Settings(sources=[], watch=[{"name": "CPI", "expression": "CPI"}])
    with time_machine.travel(at, tick=False):
        Scheduler(settings, engine, crawl_runner=lambda name: 0).alert()
    with session_maker() as s:
        [warning] = s.scalars(select(EarlyWarning)).all()
        assert (warning.status, warning.series_kind, warning.series_key) == ("open", "topic", "CPI")
        assert warning.count == 30
        assert len(warning.mention_ids) > 0 and warning.reason
        assert s.scalars(select(Incident)).all() == []  # the officer is warned before any incident exists

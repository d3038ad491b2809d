"""Alerts figures: working-day windows per second, process_mentions and tick on a few thousand rows.

Run: .venv/bin/python bench/alerts_bench.py [--mentions N --events N --windows N]  (temporary SQLite file;
prints figures, asserts nothing)
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yuqing.alerts.calendar import WorkingDayCalendar
from yuqing.alerts.engine import process_mentions, tick
from yuqing.alerts.windows import working_day_window
from yuqing.config import Settings
from yuqing.store.db import make_engine, migrate, session_factory
from yuqing.store.models import Document, Mention, Story


def main(mentions: int = 5000, events: int = 300, windows: int = 20000) -> None:
    rng = random.Random(1)
    cal = WorkingDayCalendar()
    base = datetime(2020, 1, 1, tzinfo=UTC)
    starts = [base + timedelta(minutes=rng.randrange(60 * 24 * 365 * 6)) for _ in range(windows)]
    t = time.perf_counter()
    for s in starts:
        working_day_window(s, 15, cal)
    print(f"working_day_window(15 days): {len(starts) / (time.perf_counter() - t):,.0f} per second")

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        factory = session_factory(engine)
        settings = Settings(_env_file=None)
        now = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
        with factory() as s, s.begin():
            stories = [Story(title=f"事件{n}") for n in range(events)]  # the facts the engine groups by
            s.add_all(stories)
            s.flush()
            for i in range(mentions):
                doc = Document(platform="weibo", dedup_key=f"b{i}", url=f"http://127.0.0.1/{i}", text="x",
                               published_at=now, status="analysed")
                s.add(doc)
                s.flush()
                s.add(Mention(document_id=doc.id, platform="weibo", published_at=now, title="t", text="t",
                              sentiment="negative", p_negative=0.8, p_neutral=0.1, p_positive=0.1,
                              model_version="b", risk=rng.uniform(20, 95), story_id=stories[i % events].id))
        with factory() as s, s.begin():
            t = time.perf_counter()
            ids = process_mentions(s, settings, now=now)
            took = time.perf_counter() - t
        print(f"process_mentions: {mentions:,} mentions, {events} events -> {len(ids)} incidents "
              f"in {took:.2f} s")
        for hours in (1, 4.5, 6):
            with factory() as s, s.begin():
                t = time.perf_counter()
                tick(s, settings, now=now + timedelta(hours=hours))
                took = time.perf_counter() - t
            print(f"tick at +{hours} h over the open deadlines: {took * 1000:.0f} ms")
        engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=5000, help="negative mentions to group")
    parser.add_argument("--events", type=int, default=300, help="stories they belong to (one incident each)")
    parser.add_argument("--windows", type=int, default=20000, help="working-day windows to compute")
    args = parser.parse_args()
    main(args.mentions, max(1, args.events), args.windows)

"""A scheduler-role process for tests/scale/test_schedulers.py: the real `Scheduler` with the
scheduler role's leader lock, whose audit job (every 0.5 s) appends "pid time" to a log when it
runs as the leader. `python -m tests.scale.scheduler_child DATABASE_URL LOG`."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from yuqing.app.roles import SCHEDULER_JOBS, wait_for_signal
from yuqing.app.scheduler import Intervals, Scheduler
from yuqing.config import Settings
from yuqing.store.db import make_engine


class Recording(Scheduler):
    log: Path

    def audit(self) -> None:
        if self._leader():
            with self.log.open("a") as f:
                f.write(f"{os.getpid()} {time.time()}\n")


def main(url: str, log: str) -> None:
    engine = make_engine(url)
    sched = Recording(Settings(env="test", database_url=url), engine, crawl=False, jobs=SCHEDULER_JOBS,
                      lead=True, intervals=Intervals(audit=0.5))
    sched.log = Path(log)
    sched.start()
    try:
        wait_for_signal()
    finally:
        sched.stop()
        engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:3])

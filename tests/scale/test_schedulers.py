"""Two scheduler-role processes on one PostgreSQL database: every run of a job happens in one of
them (the leader), and when the leader is killed the other takes over (bound: 30 s; measured)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.scale.conftest import Children
from tests.servers import wait_until

pytestmark = pytest.mark.slow  # several processes: run first (tests/conftest.py)


def _runs(log: Path) -> list[tuple[int, float]]:
    if not log.exists():
        return []
    return [(int(p), float(t)) for p, t in (line.split() for line in log.read_text().splitlines() if line)]


def test_two_schedulers_run_each_job_once_and_the_survivor_takes_over(
    pg_url: str, children: Children, tmp_path: Path
) -> None:
    from yuqing.store.db import make_engine, migrate

    engine = make_engine(pg_url)
    migrate(engine)
    engine.dispose()
    log = tmp_path / "runs.log"
    env = {**os.environ, "YUQING_CONFIG": str(tmp_path / "none.toml")}
    command = [sys.executable, "-m", "tests.scale.scheduler_child", pg_url, str(log)]
    procs = [children.start(command, env, tmp_path / f"s{i}.log") for i in range(2)]

    assert wait_until(lambda: len(_runs(log)) >= 8, 120), (tmp_path / "s0.log").read_text()[-2000:]
    before = _runs(log)
    assert all(p.poll() is None for p in procs)  # both alive, and yet…
    leaders = {pid for pid, _ in before}
    assert len(leaders) == 1, before  # …every run came from one of them
    leader = next(p for p in procs if p.pid in leaders)
    survivor = next(p for p in procs if p is not leader)

    killed_at = time.time()
    os.killpg(leader.pid, signal.SIGKILL)
    leader.wait(timeout=10)
    assert wait_until(lambda: any(pid == survivor.pid for pid, _ in _runs(log)), 30), "no takeover in 30 s"
    took_over = min(t for pid, t in _runs(log) if pid == survivor.pid)
    print(f"\nleader killed; the other scheduler ran its first job {took_over - killed_at:.2f} s later")
    runs = _runs(log)
    assert {pid for pid, _ in runs} == {leader.pid, survivor.pid}
    # never both: the dead leader's runs all precede the survivor's first
    assert max(t for pid, t in runs if pid == leader.pid) < took_over

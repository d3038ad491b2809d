"""Scale-out tests: several yuqing processes or replicas on one real PostgreSQL database (and Redis).

These tests need PostgreSQL whichever database the rest of the suite runs on (advisory locks,
SKIP LOCKED, LISTEN/NOTIFY are the subject): `pg_url` is a database of the test's own, made on
the suite's PostgreSQL server (tests/conftest.py: PG_BASE, the local server CI starts unless
YUQING_TEST_DATABASE_URL names another). They never read the suite's database, so they are not
doubled by its `backend` parameter: each runs once.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PG_BASE, _pg_database

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_database(PG_BASE)


class Children:
    """Child processes of one test, always ended in `close` (terminate, then kill)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """Start `args` in a session of its own, output (both streams) to `log`."""
        out = log.open("wb")
        self.logs.append(out)
        proc = subprocess.Popen(args, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for out in self.logs:
            out.close()


@pytest.fixture
def children() -> Iterator[Children]:
    kids = Children()
    try:
        yield kids
    finally:
        kids.close()

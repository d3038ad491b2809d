"""Shared fixtures: every test that reaches the suite's database runs on SQLite and on PostgreSQL.

The `backend` parameter doubles those tests in one pytest session ([sqlite] and [postgresql] in
their ids; `-m "not postgresql"` keeps one). The others (parsers, window arithmetic, sentiment, and
tests on a database of their own such as the scale tests' `pg_url`) run once. Each pytest worker
makes one database per backend when it first needs it; on PostgreSQL (YUQING_TEST_DATABASE_URL,
else the local server's `test`) it is a database of the worker's own, created and dropped here, so
parallel runs and several developers never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from yuqing.store import search_index
from yuqing.store.db import make_engine, migrate, normalise_url, session_factory
from yuqing.store.models import Base

PG_BASE = os.environ.get("YUQING_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = [pytest.param("sqlite", marks=pytest.mark.sqlite),
            pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first (xdist hands the first items out in turn, so they spread over the workers
    instead of leaving one worker alone at the end); browser tests on SQLite only: they read the
    pages the API builds, and the API tests check those answers on both databases."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: order kept otherwise
    kept, dropped = [], []
    for item in items:
        on_postgres_in_browser = (item.get_closest_marker("browser") is not None
                                  and item.get_closest_marker("postgresql") is not None)
        (dropped if on_postgres_in_browser else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _pg_database(base_url: str) -> Iterator[str]:
    base_url = normalise_url(base_url)
    name = f"yuqing_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _new_database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "postgresql":
        yield from _pg_database(PG_BASE)
    else:
        yield f"sqlite:///{folder / 'yuqing.db'}"


class Databases:
    """This worker's suite databases, one per backend, each made and migrated when first needed
    and kept for the session (tests empty their tables after themselves)."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self.tmp = tmp
        self._made: dict[str, tuple[str, Engine, Iterator[str]]] = {}

    def _get(self, backend: str) -> tuple[str, Engine, Iterator[str]]:
        if backend not in self._made:
            made = _new_database(backend, self.tmp.mktemp(f"db-{backend}"))
            url = next(made)
            eng = make_engine(url)
            migrate(eng)
            self._made[backend] = (url, eng, made)
        return self._made[backend]

    def url(self, backend: str) -> str:
        return self._get(backend)[0]

    def engine(self, backend: str) -> Engine:
        return self._get(backend)[1]

    def close(self) -> None:
        for _url, eng, made in self._made.values():
            eng.dispose()
            next(made, None)  # drops a PostgreSQL database


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2 at a test cost in this process. At the production cost (64 MiB, 3 passes: 0.3–0.7 s
    a hash on this 2-core machine) the users every API test signs in as, and the failed logins the
    throttle tests count, took much of the suite's time. Still argon2, verified the same way; child
    processes (`yuqing user add` …) hash at the production cost."""
    from argon2 import PasswordHasher

    from yuqing.api import auth

    production = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = production


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory)
    yield made
    made.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database this test runs on: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, databases: Databases) -> str:
    """The worker's migrated database on `backend`, shared by its tests."""
    return databases.url(backend)


@pytest.fixture
def fresh_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this test's own on `backend`, for tests that start whole yuqing processes on it."""
    yield from _new_database(backend, tmp_path_factory.mktemp("fresh"))


@pytest.fixture
def engine(backend: str, databases: Databases) -> Engine:
    return databases.engine(backend)


@pytest.fixture
def session_maker(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on the migrated database; every table is emptied after the test."""
    yield session_factory(engine, writer=False)  # tests hold sessions open across API calls
    with engine.begin() as conn:
        search_index.clear(conn)
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session(session_maker: sessionmaker[Session]) -> Iterator[Session]:
    with session_maker() as s:
        yield s

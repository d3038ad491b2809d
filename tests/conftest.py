"""Shared fixtures: a real database (SQLite, or PostgreSQL when YUQING_TEST_DATABASE_URL says so).

On PostgreSQL each pytest worker gets a database of its own, created and dropped here, so
parallel runs and several developers never see each other's rows.

The PostgreSQL pass (`make test` runs the suite twice) runs only the tests whose outcome can
depend on the suite's database: those whose fixtures reach `database_url` or `fresh_database_url`
(engine, session, the API app, the crawl runner …), and those marked `db`. The others (parsers,
window arithmetic, sentiment, tests on a database of their own such as the scale tests' `pg_url`)
already ran in the SQLite pass, identically; they are deselected here, not skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from yuqing.store import search_index
from yuqing.store.db import make_engine, migrate, normalise_url, session_factory
from yuqing.store.models import Base

SUITE_DATABASE_FIXTURES = frozenset({"database_url", "fresh_database_url"})


def _on_postgres() -> bool:
    return (os.environ.get("YUQING_TEST_DATABASE_URL") or "").startswith("postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first (xdist hands the first items out in turn, so they spread over the workers
    instead of leaving one worker alone at the end); on the PostgreSQL pass, deselect the tests
    that never touch the suite's database, and the browser tests (see below)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: order kept otherwise
    if not _on_postgres():
        return
    kept, dropped = [], []
    for item in items:
        uses_db = SUITE_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        # Browser tests read the pages that the API builds; the API tests check those answers on
        # both databases, so driving chromium over them again on PostgreSQL adds nothing but time.
        in_browser = item.get_closest_marker("browser") is not None
        (kept if (uses_db or item.get_closest_marker("db")) and not in_browser else dropped).append(item)
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
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test session (this xdist worker)."""
    base = os.environ.get("YUQING_TEST_DATABASE_URL")
    if base and base.startswith("postgres"):
        yield from _pg_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'yuqing.db'}"


@pytest.fixture
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this test's own, for tests that start whole yuqing processes on it."""
    base = os.environ.get("YUQING_TEST_DATABASE_URL")
    if base and base.startswith("postgres"):
        yield from _pg_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'yuqing.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    migrate(eng)
    yield eng
    eng.dispose()


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

"""Engine, sessions and migrations.

SQLite is the embedded default (WAL, so the API reads while the worker writes);
PostgreSQL is the production path. The schema is always Alembic's, never create_all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from yuqing.store import live_notify  # noqa: F401  (registers the live-board publisher on every Session)

MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here; SQLite paths get their folder created."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def make_engine(url: str, **kwargs: object) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            # A deferred transaction that reads and then writes fails at once with "database is
            # locked" when another writer committed in between (WAL: the busy timeout does not
            # apply). Background writers ask for IMMEDIATE, which waits for the write lock.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def writer_bind(engine: Engine) -> Engine:
    """`engine` for a unit of work that reads then writes: on SQLite each transaction begins
    IMMEDIATE, so it waits for the write lock (busy timeout) instead of failing."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def begin_write(session: Session) -> Session:
    """Start `session`'s transaction as a writer (IMMEDIATE on SQLite) whatever its factory: for a
    unit of work that reads then writes and may run beside other writers (the outbox's workers)."""
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return session


def session_factory(engine: Engine, *, writer: bool = True) -> sessionmaker[Session]:
    """Sessions on `engine`. Writers (the default: crawls, the worker, the alert engine, the
    CLI) read then write, so on SQLite they take the write lock up front and wait for it.
    The API passes `writer=False` and binds writing requests with `writer_bind` (api.deps):
    reads never hold the lock while a page streams."""
    return sessionmaker(writer_bind(engine) if writer else engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


class SchemaNotCurrent(RuntimeError):
    """The database schema is not at the head revision: run `yuqing migrate` first."""


def schema_revisions(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's Alembic revision, the code's head revision)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def require_head(engine: Engine) -> None:
    """Refuse to run on a schema that `yuqing migrate` has not brought to head (processes of one
    role never migrate: several of them at once would race, and upgrades belong to deploy time)."""
    current, head = schema_revisions(engine)
    if current != head:
        raise SchemaNotCurrent(
            f"数据库结构不是最新版本（当前 {current or '未初始化'}，应为 {head}）："
            "请先运行 yuqing migrate 再启动")

"""Alembic environment: the engine comes from `store.db.migrate`, or from the settings."""

from __future__ import annotations

from alembic import context

from yuqing.store import search_index
from yuqing.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from yuqing.config import get_settings
        from yuqing.store.db import make_engine

        engine = make_engine(get_settings().database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=search_index.not_ours,
        )
        context.run_migrations()


run()

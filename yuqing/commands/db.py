"""Database commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate() -> None:
        """Create or upgrade the database schema (Alembic head) and sync configured sources."""
        from store.db import make_engine, session_factory, session_scope
        from store.db import migrate as run_migrations
        from store.sync import sync_config
        from yuqing.config import get_settings

        settings = get_settings()
        engine = make_engine(settings.database_url)
        run_migrations(engine)
        with session_scope(session_factory(engine)) as session:
            sync_config(session, settings)
        typer.echo(f"schema at head: {engine.url.render_as_string(hide_password=True)}")

"""Database commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate() -> None:
        """建立或升级数据库结构（部署时运行），并把配置中的来源同步到数据库。"""
        from yuqing.config import get_settings
        from yuqing.store.db import make_engine, session_factory, session_scope
        from yuqing.store.db import migrate as run_migrations
        from yuqing.store.sync import sync_config

        settings = get_settings()
        engine = make_engine(settings.database_url)
        run_migrations(engine)
        with session_scope(session_factory(engine)) as session:
            sync_config(session, settings)
        typer.echo(f"数据库结构已是最新：{engine.url.render_as_string(hide_password=True)}")

"""User and API-token commands: `yuqing user add`, `yuqing user passwd`, `yuqing token create`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="用户管理", no_args_is_help=True)
    token_app = typer.Typer(help="API 令牌", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")

    def _factory():  # type: ignore[no-untyped-def]
        from store.db import make_engine, session_factory
        from yuqing.config import get_settings

        return session_factory(make_engine(get_settings().database_url))

    @user_app.command("add")
    def add(
        name: str,
        role: str = typer.Option("press", help="press | leader | analyst | admin"),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
        display_name: str | None = typer.Option(None, "--display-name", help="显示名称，默认同用户名"),
    ) -> None:
        """Add a user with an argon2-hashed password."""
        from api.auth import AuthError, create_user
        from store.db import session_scope

        try:
            with session_scope(_factory()) as session:
                create_user(session, username=name, password=password, role=role, display_name=display_name,
                            actor="cli")
        except AuthError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"已添加用户 {name}（{role}）")

    @user_app.command("passwd")
    def passwd(
        name: str, password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True)
    ) -> None:
        """Set a user's password (logs the user out of every browser)."""
        from api.auth import AuthError, set_password
        from store.db import session_scope

        try:
            with session_scope(_factory()) as session:
                set_password(session, username=name, password=password, actor="cli")
        except AuthError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"已更新 {name} 的密码")

    @token_app.command("create")
    def create(name: str, label: str = typer.Option("cli", help="令牌用途，写入审计日志")) -> None:
        """Create an API token for user NAME and print it (it is stored only hashed)."""
        from sqlalchemy import select

        from api.auth import create_token
        from store.db import session_scope
        from store.models import User

        with session_scope(_factory()) as session:
            user = session.scalar(select(User).where(User.username == name))
            if user is None:
                typer.echo(f"错误：用户 {name} 不存在", err=True)
                raise typer.Exit(1)
            token = create_token(session, user=user, name=label, actor="cli")
        typer.echo(token)

"""User and API-token commands: `yuqing user add`, `yuqing user passwd`, `yuqing token create`."""

from __future__ import annotations

import typer

from yuqing.vocab import Role

ROLE_HELP = "角色：" + "、".join(f"{r}（{r.label}）" for r in Role)


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
        name: str = typer.Argument(..., help="用户名（登录用）"),
        role: str = typer.Option(Role.PRESS.value, help=ROLE_HELP),
        password: str = typer.Option(..., prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
                                     help="密码（不给出则提示输入）"),
        display_name: str | None = typer.Option(None, "--display-name", help="显示名称，默认同用户名"),
    ) -> None:
        """添加用户（密码以 argon2 散列保存）。"""
        from api.auth import AuthError, create_user
        from store.db import session_scope

        try:
            with session_scope(_factory()) as session:
                create_user(session, username=name, password=password, role=role, display_name=display_name,
                            actor="cli")
        except AuthError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"已添加用户 {name}（{Role.label_of(role)}）")

    @user_app.command("passwd")
    def passwd(
        name: str = typer.Argument(..., help="用户名"),
        password: str = typer.Option(..., prompt="新密码", hide_input=True,
                                     confirmation_prompt="再次输入新密码", help="新密码（不给出则提示输入）"),
    ) -> None:
        """修改用户密码（该用户在所有浏览器上的登录随之失效）。"""
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
    def create(
        name: str = typer.Argument(..., help="令牌所属的用户名"),
        label: str = typer.Option("cli", help="令牌用途，写入审计日志"),
    ) -> None:
        """为用户创建 API 令牌并打印（数据库只保存其散列，请立即妥善保存）。"""
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

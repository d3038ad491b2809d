"""Users, API tokens and the audit log: `yuqing user …`, `yuqing token …`, `yuqing audit export`.

Passwords are never command-line arguments (they would show in the process list and the shell
history): they are asked for with a hidden prompt, or read from standard input with
`--password-stdin` for scripts. Every change is audited with actor "cli".
"""

from __future__ import annotations

import sys

import typer

from yuqing.vocab import Role, TokenScope, TokenState

STDIN_HELP = "从标准输入读取密码（供脚本使用）"
ROLES_HELP = "角色：" + "、".join(f"{r}（{r.label}）" for r in Role)
SCOPES_HELP = "权限：" + "、".join(f"{s}（{s.label}）" for s in TokenScope)


def _factory():  # type: ignore[no-untyped-def]
    from yuqing.config import get_settings
    from yuqing.store.db import make_engine, session_factory

    return session_factory(make_engine(get_settings().database_url))


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code)


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            _fail("标准输入中没有密码")
        return password
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="用户管理", no_args_is_help=True)
    token_app = typer.Typer(help="API 令牌：创建、列出、吊销", no_args_is_help=True)
    audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(audit_app, name="audit")

    @user_app.command("add")
    def add(
        name: str = typer.Argument(..., metavar="用户名", help="用户名（登录用）"),
        role: str = typer.Option(Role.PRESS.value, help=ROLES_HELP),
        display_name: str | None = typer.Option(None, "--display-name", help="显示名称，默认同用户名"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
    ) -> None:
        """添加用户（密码至少 10 个字符，不能是常见密码；以 argon2 散列保存）。"""
        from yuqing.api.auth import AuthError, create_user
        from yuqing.config import get_settings
        from yuqing.store.db import session_scope

        password = read_password(password_stdin)
        try:
            with session_scope(_factory()) as session:
                create_user(session, username=name, password=password, role=role, display_name=display_name,
                            actor="cli", min_password_length=get_settings().auth.min_password_length)
        except AuthError as exc:
            _fail(str(exc))
        typer.echo(f"已添加用户 {name}（{Role.label_of(role)}）")

    @user_app.command("passwd")
    def passwd(
        name: str = typer.Argument(..., metavar="用户名", help="用户名"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
    ) -> None:
        """修改用户密码：该用户的所有浏览器会话结束，所有 API 令牌被吊销。"""
        from yuqing.api.auth import AuthError, set_password
        from yuqing.config import get_settings
        from yuqing.store.db import session_scope

        password = read_password(password_stdin)
        try:
            with session_scope(_factory()) as session:
                set_password(session, username=name, password=password, actor="cli",
                             min_password_length=get_settings().auth.min_password_length)
        except AuthError as exc:
            _fail(str(exc))
        typer.echo(f"已更新 {name} 的密码；其会话已结束、令牌已吊销")

    def _set_active(name: str, active: bool) -> None:
        from yuqing.api.auth import AuthError, set_active
        from yuqing.store.db import session_scope

        try:
            with session_scope(_factory()) as session:
                set_active(session, username=name, active=active, actor="cli")
        except AuthError as exc:
            _fail(str(exc))

    @user_app.command("disable")
    def disable(name: str = typer.Argument(..., metavar="用户名", help="用户名")) -> None:
        """停用用户：立即结束其所有会话并吊销其所有 API 令牌。"""
        _set_active(name, False)
        typer.echo(f"已停用 {name}；其会话已结束、令牌已吊销")

    @user_app.command("enable")
    def enable(name: str = typer.Argument(..., metavar="用户名", help="用户名")) -> None:
        """重新启用用户（原有令牌仍为吊销状态）。"""
        _set_active(name, True)
        typer.echo(f"已启用 {name}")

    @token_app.command("create")
    def create(
        name: str = typer.Argument(..., metavar="用户名", help="令牌所属的用户名"),
        label: str = typer.Option("cli", help="令牌用途，写入审计日志"),
        scope: str = typer.Option(TokenScope.READ.value, help=SCOPES_HELP),
        days: int = typer.Option(90, help="有效天数（1 至 365）"),
    ) -> None:
        """为用户创建 API 令牌并打印（只显示这一次；库中仅存散列）。"""
        from sqlalchemy import select

        from yuqing.api.auth import AuthError, create_token
        from yuqing.store.db import session_scope
        from yuqing.store.models import User

        try:
            with session_scope(_factory()) as session:
                user = session.scalar(select(User).where(User.username == name))
                if user is None:
                    _fail(f"用户 {name} 不存在")
                token = create_token(session, user=user, name=label, actor="cli", scope=scope, days=days)
        except AuthError as exc:
            _fail(str(exc))
        typer.echo(token)

    @token_app.command("list")
    def list_tokens(
        user: str | None = typer.Option(None, "--user", help="只看某用户的令牌"),
        all_: bool = typer.Option(False, "--all", help="也列出已过期和已吊销的"),
    ) -> None:
        """列出 API 令牌：编号、用户、用途、权限、到期、最近使用、状态。"""
        from sqlalchemy import select

        from yuqing.api.auth import token_state
        from yuqing.clock import local_iso
        from yuqing.clock import now as clock_now
        from yuqing.store.models import ApiToken, User

        def short(value) -> str:  # type: ignore[no-untyped-def]
            return (local_iso(value) or "—")[:16].replace("T", " ")

        now = clock_now()
        with _factory()() as session:
            q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
            if user:
                q = q.where(User.username == user)
            rows = session.execute(q.order_by(ApiToken.id)).all()
        shown = 0
        for t, owner in rows:
            state = token_state(t, now)
            if state != TokenState.ACTIVE and not all_:
                continue
            shown += 1
            typer.echo(f"{t.id}\t{owner}\t{t.name}\t{TokenScope.label_of(t.scope)}"
                       f"\t到期 {short(t.expires_at)}\t最近使用 {short(t.last_used_at)}"
                       f"\t{TokenState.label_of(state)}")
        if not shown:
            typer.echo("没有令牌", err=True)

    @token_app.command("revoke")
    def revoke(
        token_id: int = typer.Argument(..., metavar="令牌编号", help="令牌编号（见 yuqing token list）"),
    ) -> None:
        """吊销 API 令牌：使用它的脚本立即失效。"""
        from yuqing.api.auth import AuthError, revoke_token
        from yuqing.store.db import session_scope

        try:
            with session_scope(_factory()) as session:
                revoke_token(session, token_id=token_id, actor="cli")
        except AuthError as exc:
            _fail(str(exc))
        typer.echo(f"已吊销令牌 {token_id}")

    @audit_app.command("export")
    def export(
        start: str = typer.Option(..., help="起始日期 YYYY-MM-DD（北京时间，含）"),
        end: str = typer.Option(..., help="结束日期 YYYY-MM-DD（北京时间，含）"),
        out: str = typer.Option("-", "--out", help="输出文件，默认标准输出"),
    ) -> None:
        """导出审计日志为 CSV（UTF-8，带 BOM，可直接用 Excel 打开），供年度考核。"""
        from datetime import date, datetime, time, timedelta
        from pathlib import Path

        from yuqing.clock import SHANGHAI
        from yuqing.store.audit import export_csv

        try:
            first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
        except ValueError:
            _fail("日期格式应为 YYYY-MM-DD")
            return
        if last < first:
            _fail("结束日期不能早于起始日期")
        with _factory()() as session:
            text = export_csv(session, start=datetime.combine(first, time(0), tzinfo=SHANGHAI),
                              end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=SHANGHAI))
        if out == "-":
            sys.stdout.write(text)
        else:
            Path(out).write_text(text, encoding="utf-8")
            typer.echo(f"已导出到 {out}", err=True)

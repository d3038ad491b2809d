"""`yuqing serve` and `yuqing demo`: the long-running service."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="监听地址。"),
        port: int = typer.Option(8000, help="接口与值班看板的端口。"),
        scheduler: bool = typer.Option(True, help="在本进程运行采集、分析、预警与通知发送的定时任务。"),
        role: str = typer.Option(
            "all", help="进程角色：api（接口与看板）、crawler（抓取）、worker（分析、预警与通知发送）、"
                        "scheduler（定时任务主节点，可接管）、all（全部，单机默认）。"
                        "除 all 外的角色不做数据库迁移，请先运行 yuqing migrate"),
        job_interval: float = typer.Option(
            0, min=0, help="分析、预警、发送任务的间隔（秒）；0 表示默认（10 秒）"),
    ) -> None:
        """在配置的数据库上运行接口、值班看板和定时任务。"""
        from pydantic import ValidationError

        from yuqing.app.roles import Role
        from yuqing.app.scheduler import Intervals
        from yuqing.app.service import ServeOptions, configure_logging
        from yuqing.app.service import serve as run
        from yuqing.config import get_settings
        from yuqing.store.db import SchemaNotCurrent

        if role not in {r.value for r in Role}:
            typer.echo(f"未知的角色 {role!r}；可选：{'、'.join(r.value for r in Role)}", err=True)
            raise typer.Exit(2)
        try:
            settings = get_settings()
        except ValidationError as exc:  # e.g. a weak secret key in production: refuse to start
            for err in exc.errors():
                typer.echo(f"配置错误，拒绝启动：{str(err['msg']).removeprefix('Value error, ')}", err=True)
            raise typer.Exit(2) from exc
        configure_logging()
        try:
            intervals = Intervals(job_interval, job_interval, job_interval) if job_interval else None
            run(settings, ServeOptions(host=host, port=port, scheduler=scheduler, role=role,
                                       intervals=intervals))
        except SchemaNotCurrent as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(3) from exc

    @app.command()
    def demo(
        port: int = typer.Option(8000, help="值班看板的端口。"),
        world_port: int = typer.Option(8765, help="模拟来源（演示世界）的端口。"),
        speed: float = typer.Option(240, help="加速倍数：每真实秒回放的场景秒数。"),
        crawl_interval: int = typer.Option(30, help="每个模拟来源两次采集之间的秒数。"),
        job_interval: float = typer.Option(5, help="分析、预警与通知发送两次运行之间的秒数。"),
        database_url: str = typer.Option("", help="数据库地址（默认：全新的 var/demo.db）。"),
        keep: bool = typer.Option(False, help="保留上次演示的数据库。"),
    ) -> None:
        """启动演示世界，并在其上运行整个服务（全新的 SQLite 数据库）。"""
        from pydantic import ValidationError

        from yuqing.app.demo_launcher import DemoOptions, run_demo
        from yuqing.app.service import configure_logging

        configure_logging()
        try:
            run_demo(
                DemoOptions(
                    port=port, world_port=world_port, speed=speed, crawl_interval=crawl_interval,
                    job_interval=job_interval, database_url=database_url or None, keep=keep,
                )
            )
        except ValidationError as exc:
            for err in exc.errors():
                typer.echo(f"配置错误，拒绝启动：{str(err['msg']).removeprefix('Value error, ')}", err=True)
            raise typer.Exit(2) from exc

"""`yuqing serve` and `yuqing demo`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to bind."),
        port: int = typer.Option(8000, help="Port of the API and dashboard."),
        scheduler: bool = typer.Option(True, help="Run crawls, analysis, alerts and delivery here."),
        role: str = typer.Option(
            "all", help="进程角色：api（接口与看板）、crawler（抓取）、worker（分析、预警与通知发送）、"
                        "scheduler（定时任务主节点，可接管）、all（全部，单机默认）。"
                        "除 all 外的角色不做数据库迁移，请先运行 yuqing migrate"),
        job_interval: float = typer.Option(
            0, min=0, help="分析、预警、发送任务的间隔（秒）；0 表示默认（10 秒）"),
    ) -> None:
        """Run the API and dashboard, with the scheduler, on the configured database."""
        from pydantic import ValidationError

        from store.db import SchemaNotCurrent
        from yuqing.config import get_settings
        from yuqing.roles import Role
        from yuqing.scheduler import Intervals
        from yuqing.service import ServeOptions, configure_logging
        from yuqing.service import serve as run

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
        port: int = typer.Option(8000, help="Port of the dashboard."),
        world_port: int = typer.Option(8765, help="Port of the simulated sources."),
        speed: float = typer.Option(240, help="Scenario seconds per real second."),
        crawl_interval: int = typer.Option(30, help="Seconds between crawls of each simulated source."),
        job_interval: float = typer.Option(5, help="Seconds between analysis/alert/delivery runs."),
        database_url: str = typer.Option("", help="Database (default: a fresh var/demo.db)."),
        keep: bool = typer.Option(False, help="Keep the demo database of the last run."),
    ) -> None:
        """Start the demo world and the whole service on it (a fresh SQLite database)."""
        from pydantic import ValidationError

        from yuqing.demo_launcher import DemoOptions, run_demo
        from yuqing.service import configure_logging

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

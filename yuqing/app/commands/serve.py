"""`yuqing serve` and `yuqing demo`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="监听地址。"),
        port: int = typer.Option(8000, help="接口与值班看板的端口。"),
        scheduler: bool = typer.Option(True, help="在本进程运行采集、分析、预警与通知发送的定时任务。"),
    ) -> None:
        """在配置的数据库上运行接口、值班看板和定时任务。"""
        from yuqing.app.service import ServeOptions, configure_logging
        from yuqing.app.service import serve as run
        from yuqing.config import get_settings

        configure_logging()
        run(get_settings(), ServeOptions(host=host, port=port, scheduler=scheduler))

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
        from yuqing.app.demo_launcher import DemoOptions, run_demo
        from yuqing.app.service import configure_logging

        configure_logging()
        run_demo(
            DemoOptions(
                port=port, world_port=world_port, speed=speed, crawl_interval=crawl_interval,
                job_interval=job_interval, database_url=database_url or None, keep=keep,
            )
        )

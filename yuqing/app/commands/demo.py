"""CLI commands of the demo world: `yuqing demo-world` serves the simulated sources."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("demo-world")
    def demo_world(
        port: int = typer.Option(8765, help="端口（仅绑定 127.0.0.1）"),
        speed: float = typer.Option(240.0, help="加速倍数：每真实秒推进的虚拟秒数"),
        seed: int = typer.Option(7, help="随机种子：相同种子生成相同的帖子 ID"),
        span_hours: float = typer.Option(6.0, help="场景跨度（虚拟小时）"),
        log: bool = typer.Option(False, help="打印每个请求"),
    ) -> None:
        """启动演示世界：模拟新闻 RSS、微博搜索、贴吧与统计局发布列表，加速回放 CPI 数据造假质疑舆情。"""
        import time

        from yuqing.app.demo.world import start_world, world_logging

        if speed <= 0 or span_hours <= 0:
            raise typer.BadParameter("speed 与 span-hours 必须为正数")
        if log:
            world_logging.set()
        try:
            handle = start_world(port, speed, seed, span_hours=span_hours)
        except OSError as exc:
            typer.echo(f"无法监听 127.0.0.1:{port}：{exc}", err=True)
            raise typer.Exit(1) from exc
        state = handle.world.state()
        typer.echo(f"演示世界已启动：{handle.url}  （/__scenario 查看进度）")
        typer.echo(f"场景：{state['cpi_release']['title']}，{span_hours:g} 虚拟小时，"
                   f"{speed:g} 倍速，约 {span_hours * 3600 / speed:.0f} 秒播完")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            handle.stop()

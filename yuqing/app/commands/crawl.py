"""`yuqing crawl`: run a spider against configured sources; `yuqing import-calendar`: release calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

STATUS_TEXT = {
    "ok": "正常",
    "warning": "有告警",
    "blocked": "被限流/验证，已退避",
    "error": "失败",
    "skipped": "未抓取",
}


def _prepare() -> Any:
    """Settings, a migrated database and the configured sources mirrored into it (cheap, idempotent)."""
    from store.db import make_engine, migrate, session_factory, session_scope
    from store.sync import sync_config
    from yuqing.config import get_settings

    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    with session_scope(session_factory(engine)) as session:
        sync_config(session, settings)
    engine.dispose()
    return settings


def register(app: typer.Typer) -> None:
    @app.command()
    def crawl(
        spider: Annotated[
            str | None,
            typer.Argument(
                help="爬虫（= 来源类型）：news_rss、news_site、weibo_search、tieba、discuz、releases"
            ),
        ] = None,
        source: Annotated[list[str] | None, typer.Option("--source", "-s", help="来源名称（可重复）")] = None,
        log_level: Annotated[str, typer.Option(help="Scrapy 日志级别")] = "WARNING",
    ) -> None:
        """抓取一个或多个来源：进度实时显示，结束时给出入库、重复、隔离和来源状态。"""
        from rich.console import Console
        from rich.live import Live
        from rich.table import Table

        from crawler.run import CrawlError, run_crawls
        from crawler.spiders import SPIDER_NAMES

        console = Console()
        if spider is not None and spider not in SPIDER_NAMES:
            console.print(f"[red]没有名为 {spider} 的爬虫；可选：{'、'.join(SPIDER_NAMES)}[/red]")
            raise typer.Exit(2)
        settings = _prepare()
        names = list(source or [])
        if not names:
            if spider is None:
                console.print("[red]请指定爬虫或 --source[/red]")
                raise typer.Exit(2)
            names = [s.name for s in settings.sources if s.kind == spider and s.enabled]
            if not names:
                console.print(f"[yellow]配置中没有类型为 {spider} 的已启用来源[/yellow]")
                return
        live_rows: dict[str, dict[str, Any]] = {}

        def render() -> Table:
            table = Table(title="抓取进度")
            for col in ("来源", "请求", "入库", "重复", "已有跳过", "隔离", "错误"):
                table.add_column(col, justify="right" if col != "来源" else "left")
            for name, c in live_rows.items():
                table.add_row(
                    name,
                    *(
                        str(c[k])
                        for k in (
                            "requests",
                            "stored",
                            "duplicates",
                            "skipped_known",
                            "quarantined",
                            "errors",
                        )
                    ),
                )
            return table

        with Live(render(), console=console, refresh_per_second=4, transient=True) as live:

            def progress(c: dict[str, Any]) -> None:
                live_rows[c["source"]] = c
                live.update(render())

            try:
                results = run_crawls(settings, names, spider, progress=progress, log_level=log_level)
            except CrawlError as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from exc
        summary = Table(title="抓取结果")
        for col in ("来源", "爬虫", "状态", "入库", "重复", "已有跳过", "隔离", "错误", "说明"):
            summary.add_column(col)
        for r in results:
            summary.add_row(
                r.source,
                r.spider,
                STATUS_TEXT.get(r.status, r.status),
                str(r.stored),
                str(r.duplicates),
                str(r.skipped_known),
                str(r.quarantined),
                str(r.errors),
                r.message or "",
            )
        console.print(summary)

    @app.command("import-calendar")
    def import_calendar(
        path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="发布日程：.csv 或 .ics")],
    ) -> None:
        """导入发布日程（CSV 或 iCalendar），生成待发布（scheduled）的发布记录。"""
        from crawler.calendar_import import CalendarError, import_entries, parse_calendar
        from store.db import make_engine, session_factory, session_scope

        settings = _prepare()
        try:
            entries = parse_calendar(path.read_bytes(), path.name)
        except CalendarError as exc:
            typer.echo(f"日程文件有误：{exc}", err=True)
            raise typer.Exit(2) from exc
        engine = make_engine(settings.database_url)
        with session_scope(session_factory(engine)) as session:
            created = import_entries(session, entries)
        typer.echo(f"读取 {len(entries)} 条日程，新增 {created} 条待发布记录")

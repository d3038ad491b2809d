"""`yuqing crawl`: run a spider against configured sources; `yuqing import-calendar`: release calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def _prepare() -> Any:
    """Settings, and the configured sources mirrored into the database (cheap, idempotent).

    No migration here: a crawl (by hand or from the scheduler) never runs Alembic; the schema is
    brought up to date once, at deploy time, by `yuqing migrate`. A database that is behind is
    refused with that advice instead of failing half-way through a crawl.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from yuqing.config import get_settings
    from yuqing.store.db import alembic_config, make_engine, session_factory, session_scope
    from yuqing.store.sync import sync_config

    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        typer.echo(f"配置有误：{_config_errors(exc)}", err=True)
        raise typer.Exit(2) from exc
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        if current != set(ScriptDirectory.from_config(alembic_config()).get_heads()):
            typer.echo("数据库结构不是最新版本：请先运行 yuqing migrate", err=True)
            raise typer.Exit(2)
        with session_scope(session_factory(engine)) as session:
            sync_config(session, settings)
    finally:
        engine.dispose()
    return settings


def _config_errors(exc: ValueError) -> str:
    """The Chinese messages of a configuration error, without pydantic's English framing."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "；".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in errors())
    return str(exc)


def register(app: typer.Typer) -> None:
    @app.command()
    def crawl(
        spider: Annotated[
            str | None,
            typer.Argument(
                metavar="爬虫",
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

        from yuqing.crawler.run import CrawlError, run_crawls, status_label
        from yuqing.crawler.spiders import SPIDER_NAMES

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
                status_label(r.status),
                str(r.stored),
                str(r.duplicates),
                str(r.skipped_known),
                str(r.quarantined),
                str(r.errors),
                r.message or "",
            )
        console.print(summary)

    quarantine_app = typer.Typer(help="隔离区：无法使用的条目，放行或重新抓取", no_args_is_help=True)
    app.add_typer(quarantine_app, name="quarantine")

    @quarantine_app.command("list")
    def quarantine_list(
        source: Annotated[str | None, typer.Option("--source", "-s", help="只看这个来源")] = None,
        all_: Annotated[bool, typer.Option("--all", help="也列出已放行、已重取的条目")] = False,
        limit: Annotated[int, typer.Option(min=1, max=1000, help="最多列出多少条")] = 50,
    ) -> None:
        """列出隔离区条目：编号、来源、原因、状态（等待重试、下次抓取时重取、需人工处理、已放行）。"""
        from rich.console import Console
        from rich.table import Table

        from yuqing.clock import local_iso, now
        from yuqing.crawler.quarantine import list_entries
        from yuqing.store.db import make_engine, session_factory, session_scope

        settings = _prepare()
        engine = make_engine(settings.database_url)
        with session_scope(session_factory(engine, writer=False)) as session:
            entries = list_entries(session, now=now(), source=source, open_only=not all_, limit=limit)
        engine.dispose()
        table = Table(title=f"隔离区（{len(entries)} 条）")
        for col in ("编号", "来源", "网址", "原因", "状态", "隔离时间", "保存字节"):
            table.add_column(col)
        for e in entries:
            table.add_row(
                str(e.id), e.source or "", (e.url or "")[:80], e.reason[:80], e.state,
                local_iso(e.created_at) or "", str(e.body_bytes),
            )
        Console().print(table)

    def _release(ids: list[int]) -> tuple[Any, list[str]]:
        from yuqing.clock import now
        from yuqing.crawler.quarantine import QuarantineError, release, sources_of
        from yuqing.store.db import make_engine, session_factory, session_scope

        settings = _prepare()
        engine = make_engine(settings.database_url)
        try:
            with session_scope(session_factory(engine)) as session:
                rows = release(session, ids, now=now(), actor="cli")
                names = sources_of(session, rows)
        except QuarantineError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(2) from exc
        finally:
            engine.dispose()
        return settings, names

    @quarantine_app.command("release")
    def quarantine_release(
        ids: Annotated[list[int], typer.Argument(metavar="条目编号", help="隔离区条目编号（可多个）")],
    ) -> None:
        """放行条目：其来源下次抓取时重新抓取这些网址。"""
        _settings, names = _release(ids)
        typer.echo(f"已放行 {len(ids)} 条；来源 {'、'.join(names)} 下次抓取时重新抓取")

    @quarantine_app.command("refetch")
    def quarantine_refetch(
        ids: Annotated[list[int], typer.Argument(metavar="条目编号", help="隔离区条目编号（可多个）")],
    ) -> None:
        """放行条目并立即抓取其来源，重新抓取这些网址。"""
        from yuqing.crawler.run import CrawlError, run_crawls, status_label

        settings, names = _release(ids)
        try:
            results = run_crawls(settings, names)
        except CrawlError as exc:
            typer.echo(f"错误：{exc}", err=True)
            raise typer.Exit(2) from exc
        for r in results:
            typer.echo(
                f"{r.source}：{status_label(r.status)}，入库 {r.stored}，"
                f"隔离 {r.quarantined}，错误 {r.errors}" + (f"（{r.message}）" if r.message else "")
            )

    @app.command("import-calendar")
    def import_calendar(
        path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, metavar="日程文件",
                                             help="发布日程：.csv 或 .ics")],
    ) -> None:
        """导入发布日程（CSV 或 iCalendar），生成待发布（scheduled）的发布记录。"""
        from yuqing.crawler.calendar_import import CalendarError, import_entries, parse_calendar
        from yuqing.store.db import make_engine, session_factory, session_scope

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

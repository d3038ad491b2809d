"""Report commands: the daily briefing (舆情日报) and a release's risk assessment (研判)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD：{value!r}") from exc


def _write(content: bytes, out: Path | None, default_name: str) -> None:
    path = out or Path(default_name)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    typer.echo(f"已写入 {path}（{len(content):,} 字节）")


def register(app: typer.Typer) -> None:
    @app.command()
    def briefing(
        day: str = typer.Option(None, "--date", help="日报日期 YYYY-MM-DD（默认：当前应读的日报）"),
        fmt: str = typer.Option("html", "--format", help="html、docx 或 pdf"),
        out: Path = typer.Option(None, "--out", help="输出文件（默认：舆情日报-日期.格式）"),
        store: bool = typer.Option(False, "--store", help="同时把 HTML 存入数据库（与 08:00 定时任务相同）"),
    ) -> None:
        """生成舆情日报（统计当日北京时间 08:00 之前的 24 小时）。"""
        from reports.briefing import build_daily
        from reports.jobs import store_daily
        from reports.render import check_format, render_daily
        from reports.timefmt import briefing_day
        from store.db import make_engine, session_factory, session_scope
        from yuqing.clock import now as clock_now
        from yuqing.config import get_settings

        try:
            check_format(fmt)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        settings = get_settings()
        now: datetime = clock_now()
        the_day = _parse_day(day) or briefing_day(now)
        with session_scope(session_factory(make_engine(settings.database_url))) as session:
            b = build_daily(session, settings, day=the_day, now=now)
            content = render_daily(b, fmt)
            if store:
                store_daily(session, settings, day=the_day, now=now)
        _write(content, out, f"舆情日报-{the_day.isoformat()}.{fmt}")

    @app.command("assess-release")
    def assess_release(
        release_id: int = typer.Argument(..., help="数据发布的编号（releases.id）"),
        fmt: str = typer.Option("html", "--format", help="html、docx 或 pdf"),
        out: Path = typer.Option(None, "--out", help="输出文件（默认：发布研判-指标-编号.格式）"),
    ) -> None:
        """一次数据发布的舆情研判：反响、风险等级、往期发布与应对预案。"""
        from reports.assessment import build_assessment
        from reports.render import check_format, render_assessment
        from store.db import make_engine, session_factory, session_scope
        from yuqing.clock import now as clock_now
        from yuqing.config import get_settings

        try:
            check_format(fmt)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        settings = get_settings()
        with session_scope(session_factory(make_engine(settings.database_url))) as session:
            try:
                a = build_assessment(session, settings, release_id=release_id, now=clock_now())
            except LookupError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from exc
            content = render_assessment(a, fmt)
        _write(content, out, f"发布研判-{a.indicator}-{release_id}.{fmt}")

"""Report commands: 舆情日报, 舆情专报, the release list and a release's 研判."""

from __future__ import annotations

from datetime import date
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


def _check(fmt: str) -> None:
    from yuqing.reports.render import check_format

    try:
        check_format(fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _session():  # type: ignore[no-untyped-def]
    from yuqing.config import get_settings
    from yuqing.store.db import make_engine, session_factory, session_scope

    settings = get_settings()
    return settings, session_scope(session_factory(make_engine(settings.database_url)))


def register(app: typer.Typer) -> None:
    @app.command(help="生成舆情日报：默认统计截至当前时刻的 24 小时；--date 指定某日 08:00 定时日报的时段。")
    def briefing(
        day: str = typer.Option(None, "--date", help="日报日期 YYYY-MM-DD（该日 08:00 前 24 小时）"),
        fmt: str = typer.Option("html", "--format", help="html、docx 或 pdf"),
        out: Path = typer.Option(None, "--out", help="输出文件（默认：舆情日报-日期.格式）"),
        store: bool = typer.Option(False, "--store", help="同时存档为新版本（HTML、DOCX、PDF 原件）"),
    ) -> None:
        from yuqing.clock import now as clock_now
        from yuqing.reports.blocks import daily_report
        from yuqing.reports.briefing import build_daily
        from yuqing.reports.render import render

        _check(fmt)
        the_day = _parse_day(day)
        settings, scope = _session()
        now = clock_now()
        with scope as session:
            if store:
                from yuqing.reports.jobs import store_daily  # archiving (and its outbox) only when asked

                row, b = store_daily(session, settings, day=the_day, now=now, on_demand=the_day is None,
                                     trigger="manual", created_by="cli")
                from yuqing.reports.archive import stored_bytes

                content = stored_bytes(row, fmt) or b""
                typer.echo(f"已存档：编号 {row.id}，第 {row.version} 版")
            else:
                b = build_daily(session, settings, day=the_day, now=now, on_demand=the_day is None)
                content = render(daily_report(b, classification=settings.reports.classification), fmt)
        _write(content, out, f"舆情日报-{b.day.isoformat()}.{fmt}")

    @app.command(help="生成某一舆情事件（I/II 级）的舆情专报。")
    def special(
        incident_id: int = typer.Argument(..., metavar="事件编号", help="舆情事件编号"),
        fmt: str = typer.Option("pdf", "--format", help="html、docx 或 pdf"),
        out: Path = typer.Option(None, "--out", help="输出文件（默认：舆情专报-事件编号.格式）"),
        store: bool = typer.Option(False, "--store", help="同时存档为新版本"),
    ) -> None:
        from yuqing.clock import now as clock_now
        from yuqing.reports.archive import stored_bytes
        from yuqing.reports.jobs import store_special
        from yuqing.reports.render import render
        from yuqing.reports.special import build_special

        _check(fmt)
        settings, scope = _session()
        with scope as session:
            try:
                if store:
                    row = store_special(session, settings, incident_id=incident_id, now=clock_now(),
                                        created_by="cli")
                    content = stored_bytes(row, fmt) or b""
                    typer.echo(f"已存档：编号 {row.id}，第 {row.version} 版")
                else:
                    content = render(build_special(session, settings, incident_id=incident_id,
                                                   now=clock_now()), fmt)
            except LookupError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from exc
        _write(content, out, f"舆情专报-事件{incident_id}.{fmt}")

    @app.command(help="列出数据发布（即将发布与已发布）及其编号，供 assess-release 使用。")
    def releases(
        upcoming_days: int = typer.Option(30, "--upcoming-days", min=0, help="列出今后多少天内的发布"),
        past_days: int = typer.Option(90, "--past-days", min=0, help="列出过去多少天内的发布"),
    ) -> None:
        from yuqing.clock import now as clock_now
        from yuqing.reports.releases import release_rows

        _, scope = _session()
        with scope as session:
            rows = release_rows(session, now=clock_now(), upcoming_days=upcoming_days, past_days=past_days)
        if not rows:
            typer.echo("所选时段内没有数据发布。")
            return
        typer.echo(" 编号  状态    发布时间          指标（时期）  反应  研判")
        for r in rows:
            typer.echo(r.line())

    @app.command("assess-release", help="数据发布舆情研判：反应、风险等级、往期发布与预案建议。")
    def assess_release(
        release_id: int = typer.Argument(..., metavar="发布编号", help="数据发布编号（见 yuqing releases）"),
        fmt: str = typer.Option("html", "--format", help="html、docx 或 pdf"),
        out: Path = typer.Option(None, "--out", help="输出文件（默认：发布研判-指标-编号.格式）"),
    ) -> None:
        from yuqing.clock import now as clock_now
        from yuqing.reports.assessment import build_assessment
        from yuqing.reports.blocks import assessment_report
        from yuqing.reports.render import render

        _check(fmt)
        settings, scope = _session()
        with scope as session:
            try:
                a = build_assessment(session, settings, release_id=release_id, now=clock_now())
            except LookupError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from exc
            content = render(assessment_report(a, classification=settings.reports.classification), fmt)
        _write(content, out, f"发布研判-{a.indicator}-{release_id}.{fmt}")

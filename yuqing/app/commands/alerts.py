"""`yuqing deadline`, `yuqing cases import`, `yuqing holidays …`, `yuqing compliance`: the alerts layer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

DEADLINE_KINDS = ("complaint", "consultation", "suggestion", "suggestion_complex", "repost",
                  "authoritative_info", "press_conference", "key_matter", "update")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    @app.command()
    def deadline(
        start: str = typer.Option(..., help="起算时间（北京时间），如 \"2026-09-28 10:00\""),
        working_days: int | None = typer.Option(None, "--working-days", help="工作日数"),
        hours: float | None = typer.Option(None, "--hours", help="自然小时数"),
        kind: str | None = typer.Option(None, "--kind", help=f"按配置的时限：{', '.join(DEADLINE_KINDS)}"),
        office_close: str | None = typer.Option(None, help="下班时间 HH:MM（默认 24:00）"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON，供脚本使用"),
    ) -> None:
        """计算期限：打印截止时间（北京时间）以及是否为暂定。"""
        from yuqing.alerts.case_import import parse_local_time
        from yuqing.alerts.windows import hour_window, working_day_window
        from yuqing.clock import to_local
        from yuqing.config import get_settings

        if sum(x is not None for x in (working_days, hours, kind)) != 1:
            _fail("请且只能指定 --working-days、--hours、--kind 之一")
        try:
            started = parse_local_time(start)
        except ValueError as exc:
            _fail(str(exc))
        settings = get_settings()
        policy = settings.policy
        if kind is not None:
            table = {"complaint": ("d", policy.complaint_working_days),
                     "consultation": ("d", policy.complaint_working_days),
                     "suggestion": ("d", policy.suggestion_working_days),
                     "suggestion_complex": ("d", policy.suggestion_complex_working_days),
                     "repost": ("d", policy.repost_working_days),
                     "authoritative_info": ("h", policy.authoritative_hours),
                     "press_conference": ("h", policy.press_conference_hours),
                     "key_matter": ("h", policy.key_matter_hours),
                     "update": ("h", policy.update_every_hours)}
            if kind not in table:
                _fail(f"未知类型 {kind}，可用：{', '.join(DEADLINE_KINDS)}")
            unit, amount = table[kind]
            working_days, hours = (int(amount), None) if unit == "d" else (None, float(amount))
        calendar, note = _calendar(settings.database_url)
        close = office_close if office_close is not None else policy.office_close
        try:
            if hours is not None:
                due = hour_window(started, hours)
            else:
                due = working_day_window(started, int(working_days or 0), calendar, close)
        except ValueError as exc:
            _fail(str(exc))
        warning = calendar.schedule_warning(to_local(started).date())
        local = to_local(due.due_at)
        if as_json:
            typer.echo(json.dumps({"start": to_local(started).isoformat(), "due_at": local.isoformat(),
                                   "provisional": due.provisional, "warning": warning}, ensure_ascii=False))
            return
        shown = local.strftime("%Y-%m-%d %H:%M")
        if hours is None and close is None and local.hour == 0 and local.minute == 0:
            from datetime import timedelta
            shown += f"（即 {(local - timedelta(days=1)).strftime('%Y-%m-%d')} 24:00）"
        typer.echo(f"截止时间：{shown}（北京时间）")
        guessed = "是（该年节假日安排未导入：已计入法定节假日，调休未计入）"
        typer.echo(f"暂定：{guessed if due.provisional else '否'}")
        for line in (note, warning):
            if line:
                typer.echo(f"提示：{line}", err=True)

    cases = typer.Typer(help="意见建议、咨询投诉、转载事项", no_args_is_help=True)
    app.add_typer(cases, name="cases")

    @cases.command("import")
    def import_cases(
        file: Path = typer.Argument(
            ..., exists=True, dir_okay=False, metavar="事项文件",
            help="事项 CSV 文件（列：kind,title,received_at,…）"
        ),
        actor: str = typer.Option("import", help="操作人"),
    ) -> None:
        """从 CSV 导入事项；先校验全部行，有错误则一行也不导入。"""
        from yuqing.alerts.case_import import import_rows, read_rows
        from yuqing.clock import now
        from yuqing.config import get_settings
        from yuqing.store.db import make_engine, session_factory, session_scope

        rows, errors = read_rows(file)
        if errors:
            for e in errors:
                typer.echo(f"第 {e.line} 行：{e.message}", err=True)
            _fail(f"{len(errors)} 行有误，未导入任何事项")
        settings = get_settings()
        from yuqing.store.audit import record

        with session_scope(session_factory(make_engine(settings.database_url))) as session:
            created, refused = import_rows(session, rows, actor=actor, now=now(), settings=settings)
            record(session, actor="cli", action="case.import", after={"created": created},
                   data={"file": file.name, "refused": len(refused), "as": actor})
        for e in refused:
            typer.echo(f"第 {e.line} 行未导入：{e.message}", err=True)
        typer.echo(f"已导入 {len(created)} 条事项" + (f"，{len(refused)} 条被拒" if refused else ""))
        if refused:
            raise typer.Exit(code=1)

    holidays = typer.Typer(help="节假日与调休（管理员录入）", no_args_is_help=True)
    app.add_typer(holidays, name="holidays")

    @holidays.command("set")
    def holidays_set(
        day: str = typer.Argument(..., metavar="日期", help="日期 YYYY-MM-DD"),
        workday: bool = typer.Option(..., "--workday/--holiday", help="调休上班日或放假日"),
        note: str | None = typer.Option(None, help="备注，如 \"2027年春节\""),
        actor: str = typer.Option("admin", help="操作人"),
    ) -> None:
        """录入某日为工作日或节假日（已生成的期限不变；整年安排请用 import）。"""
        from yuqing.alerts.holidays import set_override
        from yuqing.clock import now
        from yuqing.config import get_settings
        from yuqing.store.audit import record
        from yuqing.store.db import make_engine, session_factory, session_scope
        from yuqing.store.models import HolidayOverride

        parsed = _parse_day(day)
        with session_scope(session_factory(make_engine(get_settings().database_url))) as session:
            old = session.get(HolidayOverride, parsed)
            before = None if old is None else {"is_workday": old.is_workday, "note": old.note}
            set_override(session, day=parsed, is_workday=workday, actor=actor, now=now(), note=note)
            record(session, actor="cli", action="holiday.set", target=f"holiday:{parsed.isoformat()}",
                   before=before, after={"is_workday": workday, "note": note}, data={"as": actor})
        typer.echo(f"{parsed.isoformat()} 已设为{'工作日' if workday else '节假日'}")

    @holidays.command("import")
    def holidays_import(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="安排文件",
                                    help="国务院办公厅节假日安排：CSV（date,type,name）或 iCalendar（.ics）"),
        year: int = typer.Option(..., "--year", min=2000, max=2100, help="安排所属年份"),
        actor: str = typer.Option("admin", help="操作人"),
    ) -> None:
        """导入某年节假日安排：该年即为已知，并重新计算所有按暂定规则计算的未到期期限，通知负责人。"""
        from yuqing.alerts.holiday_import import HolidayFileError, import_year, parse_holiday_file
        from yuqing.clock import now
        from yuqing.config import get_settings
        from yuqing.store.audit import record
        from yuqing.store.db import make_engine, session_factory, session_scope

        try:
            entries = parse_holiday_file(file.read_bytes(), file.name)
        except HolidayFileError as exc:
            _fail(f"未导入：{exc}")
        settings = get_settings()
        try:
            with session_scope(session_factory(make_engine(settings.database_url), writer=True)) as session:
                result = import_year(session, year=year, entries=entries, actor=actor, now=now(),
                                     settings=settings, source=file.name)
                changed = len(result.recomputed)
                record(session, actor="cli", action="holidays.import", target=f"holidays:{year}",
                       data={"filename": file.name, "days": result.days, "as": actor,
                             "recomputed": [d.id for d in result.recomputed]})
        except HolidayFileError as exc:
            _fail(f"未导入：{exc}")
        for warning in result.warnings:
            typer.echo(f"提示：{warning}", err=True)
        typer.echo(f"已导入 {year} 年节假日安排（{result.days} 个日期），重新计算暂定期限 {changed} 项")

    @holidays.command("remove")
    def holidays_remove(day: str = typer.Argument(..., metavar="日期", help="日期 YYYY-MM-DD")) -> None:
        """删除某日的录入，恢复为节假日安排或周一至周五规则。"""
        from yuqing.alerts.holidays import remove_override
        from yuqing.config import get_settings
        from yuqing.store.audit import record
        from yuqing.store.db import make_engine, session_factory, session_scope
        from yuqing.store.models import HolidayOverride

        parsed = _parse_day(day)
        with session_scope(session_factory(make_engine(get_settings().database_url))) as session:
            old = session.get(HolidayOverride, parsed)
            before = None if old is None else {"is_workday": old.is_workday, "note": old.note}
            removed = remove_override(session, day=parsed)
            if removed:
                record(session, actor="cli", action="holiday.remove", target=f"holiday:{parsed.isoformat()}",
                       before=before, after=None)
        typer.echo(f"{parsed.isoformat()} {'已删除' if removed else '没有录入'}")

    @holidays.command("list")
    def holidays_list(year: int | None = typer.Option(None, help="只看某年")) -> None:
        """列出管理员录入的日期，并提示缺少的年度安排。"""
        from yuqing.clock import now, to_local
        from yuqing.config import get_settings

        calendar, note = _calendar(get_settings().database_url)
        if calendar.known_years:
            typer.echo(f"已导入节假日安排的年份：{'、'.join(str(y) for y in sorted(calendar.known_years))}")
        for d, is_workday in sorted(calendar.overrides.items()):
            if year is None or d.year == year:
                typer.echo(f"{d.isoformat()}  {'工作日' if is_workday else '节假日'}")
        for line in (note, calendar.schedule_warning(to_local(now()).date())):
            if line:
                typer.echo(f"提示：{line}", err=True)

    @app.command()
    def compliance(
        start: str = typer.Option(..., help="起始日期 YYYY-MM-DD（北京时间，含）"),
        end: str = typer.Option(..., help="结束日期 YYYY-MM-DD（北京时间，含）"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON，供脚本使用"),
    ) -> None:
        """考核报表：期内到期的时限按类型统计按时、超时、未完成。"""
        from datetime import datetime, time, timedelta

        from yuqing.alerts.service import compliance_report
        from yuqing.clock import SHANGHAI
        from yuqing.config import get_settings
        from yuqing.store.db import make_engine, session_factory

        first = datetime.combine(_parse_day(start), time(0), tzinfo=SHANGHAI)
        last = datetime.combine(_parse_day(end) + timedelta(days=1), time(0), tzinfo=SHANGHAI)
        with session_factory(make_engine(get_settings().database_url))() as session:
            report = compliance_report(session, start=first, end=last)
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
            return
        typer.echo(f"考核期：{start} 至 {end}")
        for row in report["by_kind"].values():
            rate = "—" if row["on_time_rate"] is None else f"{row['on_time_rate']:.0%}"
            typer.echo(f"{row['label']}：按时 {row['on_time']}，超时 {row['late']}，未完成 {row['missed']}，"
                       f"豁免 {row['waived']}，未到期 {row['open']}，按时率 {rate}")
        total = report["total"]
        typer.echo(f"合计 {total['total']} 项，按时率 "
                   f"{'—' if total['on_time_rate'] is None else format(total['on_time_rate'], '.0%')}")


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        _fail(f"日期格式应为 YYYY-MM-DD，收到 {value!r}")
        raise


def _calendar(database_url: str):  # type: ignore[no-untyped-def]
    """The calendar with stored overrides; without a reachable database, the package's schedule only."""
    from yuqing.alerts.calendar import WorkingDayCalendar

    if database_url.startswith("sqlite:///") and not Path(database_url.removeprefix("sqlite:///")).exists():
        return WorkingDayCalendar(), "数据库尚未创建，仅按节假日安排计算"
    try:
        from yuqing.alerts.holidays import load_calendar
        from yuqing.store.db import make_engine, session_factory

        engine = make_engine(database_url)
        try:
            with session_factory(engine)() as session:
                return load_calendar(session), None
        finally:
            engine.dispose()
    except Exception:  # no database yet: still answer, from the package alone
        return WorkingDayCalendar(), "未读取到数据库中的调休录入，仅按节假日安排计算"

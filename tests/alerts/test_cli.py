"""`yuqing deadline`, `yuqing cases import`, `yuqing holidays`, `yuqing compliance` through Typer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from typer.testing import CliRunner

from yuqing.app.cli import app
from yuqing.config import get_settings
from yuqing.store.models import AuditLog, Case, Deadline, HolidayOverride


@pytest.fixture
def cli(monkeypatch, database_url, session_maker):
    monkeypatch.setenv("YUQING_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_deadline_prints_due_time_and_provisional(cli):
    result = cli.invoke(app, ["deadline", "--start", "2026-09-28 10:00", "--working-days", "15"])
    assert result.exit_code == 0, result.output
    assert "2026-10-24 00:00" in result.stdout and "暂定：否" in result.stdout
    result = cli.invoke(app, ["deadline", "--start", "2026-12-28 10:00", "--kind", "complaint", "--json"])
    data = json.loads(result.stdout)
    # 2027 is past the package: provisional, and 1 Jan 2027 (元旦, by law) is not counted as a working day
    assert data["provisional"] is True and data["due_at"] == "2027-01-20T00:00:00+08:00"
    result = cli.invoke(app, ["deadline", "--start", "2026-09-28 10:00", "--hours", "5"])
    assert "2026-09-28 15:00" in result.stdout
    result = cli.invoke(app, ["deadline", "--start", "昨天", "--hours", "5"])
    assert result.exit_code == 2 and "时间格式" in result.output


def test_holiday_overrides_change_new_deadlines(cli, session_maker):
    for day in ("2027-01-04", "2027-01-05"):
        assert cli.invoke(app, ["holidays", "set", day, "--holiday", "--note", "测试"]).exit_code == 0
    result = cli.invoke(app, ["deadline", "--start", "2027-01-01 09:00", "--working-days", "1", "--json"])
    assert json.loads(result.stdout)["due_at"] == "2027-01-07T00:00:00+08:00"
    listed = cli.invoke(app, ["holidays", "list", "--year", "2027"])
    assert "2027-01-04  节假日" in listed.stdout
    with session_maker() as s:
        assert len(s.scalars(select(HolidayOverride)).all()) == 2


def test_cases_import_checks_every_row_first(cli, tmp_path, session_maker):
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,title,received_at\ncomplaint,投诉一,2026-09-28 10:00\nrumour,x,2026-09-28\n",
                   encoding="utf-8")
    result = cli.invoke(app, ["cases", "import", str(bad)])
    assert result.exit_code == 2 and "第 3 行" in result.output
    with session_maker() as s:
        assert s.scalars(select(Case)).all() == []
    good = tmp_path / "good.csv"
    good.write_text("kind,title,received_at,complex,external_ref\n"
                    "complaint,投诉一,2026-09-28 10:00,,C-1\nsuggestion,建议一,2026-09-28 10:00,是,S-1\n",
                    encoding="utf-8")
    result = cli.invoke(app, ["cases", "import", str(good)])
    assert result.exit_code == 0 and "已导入 2 条" in result.stdout
    with session_maker() as s:
        assert len(s.scalars(select(Deadline).where(Deadline.case_id.is_not(None))).all()) == 2
    again = cli.invoke(app, ["cases", "import", str(good)])
    assert again.exit_code == 1 and "已存在" in again.output
    with session_maker() as s:
        q = select(AuditLog).where(AuditLog.action == "case.import").order_by(AuditLog.id)
        audited = s.scalars(q).all()
    assert [(a.actor, a.data["file"], len(a.after["created"]), a.data["refused"]) for a in audited] == [
        ("cli", "good.csv", 2, 0), ("cli", "good.csv", 0, 2)]  # the refused file left nothing to audit
    report = cli.invoke(app, ["compliance", "--start", "2026-10-01", "--end", "2026-10-31"])
    assert "咨询投诉答复：按时 0，超时 0，未完成 0，豁免 0，未到期 1" in report.stdout


@time_machine.travel(datetime(2026, 12, 29, 9, tzinfo=UTC), tick=False)
def test_holidays_import_marks_the_year_known_and_recomputes(cli, tmp_path, session_maker):
    from yuqing.alerts.holidays import load_calendar

    result = cli.invoke(app, ["cases", "import", str(_write(tmp_path / "c.csv",
                        "kind,title,received_at\ncomplaint,跨年投诉,2026-12-28 10:00\n"))])
    assert result.exit_code == 0, result.output
    bad_file = _write(tmp_path / "bad.csv", "日期,类型\n2027-01-01,?\n")
    bad = cli.invoke(app, ["holidays", "import", str(bad_file), "--year", "2027"])
    assert bad.exit_code == 2 and "未导入" in bad.output
    notice = _write(tmp_path / "2027.csv", "日期,结束日期,类型\n2027-01-01,2027-01-03,休\n")
    result = cli.invoke(app, ["holidays", "import", str(notice), "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert "重新计算暂定期限 1 项" in result.stdout and "春节" in result.output  # 春节 missing: a warning
    with session_maker() as s:
        assert load_calendar(s).year_known(2027)
        assert not s.scalar(select(Deadline)).provisional
    assert "已导入节假日安排的年份：2027" in cli.invoke(app, ["holidays", "list"]).stdout
    with session_maker() as s:
        (audited,) = s.scalars(select(AuditLog).where(AuditLog.action == "holidays.import")).all()
    assert (audited.actor, audited.target, audited.data["filename"], audited.data["days"]) == (
        "cli", "holidays:2027", "2027.csv", 3)
    assert len(audited.data["recomputed"]) == 1


def _write(path, text):  # type: ignore[no-untyped-def]
    path.write_text(text, encoding="utf-8")
    return path

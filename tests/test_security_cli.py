"""The CLI side of issue 9 and 12: passwords from a prompt or stdin only, tokens listed and revoked,
and every change made on the command line in the one audit log, exportable as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from yuqing.api.auth import authenticate, create_token, ensure_user, user_for_token
from yuqing.app.cli import app
from yuqing.clock import to_local
from yuqing.config import get_settings
from yuqing.store.models import AuditLog, User

STRONG = "Night-rota-2026!"


@pytest.fixture
def cli(monkeypatch, database_url, session_maker):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("YUQING_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_user_add_reads_the_password_from_stdin_or_a_prompt_never_an_argument(  # type: ignore[no-untyped-def]
    cli, session_maker
) -> None:
    refused = cli.invoke(app, ["user", "add", "duty", "--password", STRONG])
    assert refused.exit_code != 0  # there is no --password option
    weak = cli.invoke(app, ["user", "add", "duty", "--password-stdin"], input="password123\n")
    assert weak.exit_code == 1 and "常见" in weak.output
    short = cli.invoke(app, ["user", "add", "duty", "--password-stdin"], input="a1b2\n")
    assert short.exit_code == 1 and "至少需要 10 个字符" in short.output
    ok = cli.invoke(app, ["user", "add", "duty", "--role", "leader", "--password-stdin"], input=STRONG + "\n")
    assert ok.exit_code == 0, ok.output
    prompted = cli.invoke(app, ["user", "add", "press1"], input=f"{STRONG}x\n{STRONG}x\n")
    assert prompted.exit_code == 0 and STRONG not in prompted.output  # hidden input
    with session_maker() as s:
        assert authenticate(s, "duty", STRONG) is not None
        assert authenticate(s, "press1", STRONG + "x") is not None


def test_passwd_and_disable_revoke_tokens_and_everything_is_audited(  # type: ignore[no-untyped-def]
    cli, session_maker
) -> None:
    assert cli.invoke(app, ["user", "add", "duty", "--password-stdin"], input=STRONG + "\n").exit_code == 0
    created = cli.invoke(app, ["token", "create", "duty", "--label", "夜班脚本", "--scope", "act",
                               "--days", "30"])
    token = created.output.strip()
    with session_maker() as s:
        assert user_for_token(s, token) is not None
    listed = cli.invoke(app, ["token", "list"])
    assert "夜班脚本" in listed.output and "处置" in listed.output and "有效" in listed.output
    changed = cli.invoke(app, ["user", "passwd", "duty", "--password-stdin"], input="Another-pass-77\n")
    assert changed.exit_code == 0
    with session_maker() as s:
        assert user_for_token(s, token) is None
        duty = s.scalar(select(User).where(User.username == "duty"))
        again = create_token(s, user=duty, name="t2", actor="t")
        s.commit()
    token_id = cli.invoke(app, ["token", "list"]).output.split("\t")[0]  # the only live one: t2
    assert cli.invoke(app, ["token", "revoke", token_id]).exit_code == 0
    assert cli.invoke(app, ["token", "revoke", "999999"]).exit_code == 1
    with session_maker() as s:
        assert user_for_token(s, again) is None
    assert cli.invoke(app, ["user", "disable", "duty"]).exit_code == 0
    assert "已吊销" in cli.invoke(app, ["token", "list", "--all"]).output
    with session_maker() as s:
        rows = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    actions = [(r.actor, r.action) for r in rows if r.actor == "cli"]
    assert actions == [("cli", "user.create"), ("cli", "token.create"), ("cli", "user.password"),
                       ("cli", "token.revoke"), ("cli", "user.active")]
    disabled = rows[-1]
    assert disabled.before == {"active": True} and disabled.after == {"active": False}


def test_holidays_on_the_command_line_are_audited_and_exported(  # type: ignore[no-untyped-def]
    cli, session_maker
) -> None:
    assert cli.invoke(app, ["holidays", "set", "2027-02-10", "--holiday", "--note", "春节"]).exit_code == 0
    fix = cli.invoke(app, ["holidays", "set", "2027-02-10", "--workday", "--note", "=cmd|更正"])
    assert fix.exit_code == 0
    assert cli.invoke(app, ["holidays", "remove", "2027-02-10"]).exit_code == 0
    with session_maker() as s:
        q = select(AuditLog).where(AuditLog.target == "holiday:2027-02-10").order_by(AuditLog.id)
        rows = s.scalars(q).all()
    assert [(r.action, r.before, r.after) for r in rows] == [
        ("holiday.set", None, {"is_workday": False, "note": "春节"}),
        ("holiday.set", {"is_workday": False, "note": "春节"}, {"is_workday": True, "note": "=cmd|更正"}),
        ("holiday.remove", {"is_workday": True, "note": "=cmd|更正"}, None),
    ]
    day = to_local(rows[0].at).date().isoformat()  # the export's days are Beijing days
    out = cli.invoke(app, ["audit", "export", "--start", day, "--end", day])
    assert out.exit_code == 0
    table = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert table[0] == ["编号", "时间（北京时间）", "操作人", "操作", "对象", "变更前", "变更后", "其他"]
    changes = [r for r in table[1:] if r[4] == "holiday:2027-02-10"]
    assert [r[2] for r in changes] == ["命令行"] * 3
    assert changes[1][5] == '{"is_workday": false, "note": "春节"}'


def test_demo_user_is_the_documented_exception(session_maker) -> None:  # type: ignore[no-untyped-def]
    with session_maker() as s:
        ensure_user(s, "demo", "demo", "press", "演示值班员")  # the demo only: see api/passwords.py
        s.commit()
        assert authenticate(s, "demo", "demo") is not None

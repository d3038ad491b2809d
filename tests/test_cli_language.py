"""The command line speaks Chinese: every command's help, every option's help, and typer's own words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from yuqing.app.cli import app
from yuqing.app.cli_locale import translate_error

CJK = re.compile(r"[\u4e00-\u9fff]")


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = []
    for name, command in getattr(group, "commands", {}).items():
        out.append(((*path, name), command))
        out += _commands(command, (*path, name))
    return out


COMMANDS = _commands(get_command(app))


def test_every_command_is_listed() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"briefing", "assess-release", "user add", "token create", "serve", "migrate"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_and_option_help_is_chinese(path: tuple[str, ...], command: Any) -> None:
    assert CJK.search(command.help or ""), f"{' '.join(path)}: {command.help!r}"
    for param in command.params:
        if param.name == "help":
            continue
        where = f"{' '.join(path)} {param.name}"
        assert CJK.search(getattr(param, "help", None) or ""), f"{where}: help not Chinese"


def test_typer_s_own_words_are_chinese() -> None:
    runner = CliRunner()
    helped = runner.invoke(app, ["user", "add", "--help"], env={"COLUMNS": "120"})
    assert helped.exit_code == 0
    text = helped.output
    assert "用法：" in text and "显示此帮助并退出" in text and "选项" in text and "参数" in text
    assert not re.search(r"Usage|Show this message|Options|Arguments|\[required\]|\[default", text)
    missing = runner.invoke(app, ["user", "add"], env={"COLUMNS": "120"})
    assert missing.exit_code == 2 and "缺少参数 'name'" in missing.output and "Missing" not in missing.output
    bad = runner.invoke(app, ["assess-release", "abc"], env={"COLUMNS": "120"})
    assert bad.exit_code == 2 and "取值无效：应为整数" in bad.output


def test_error_patterns() -> None:
    assert translate_error("Missing option '--password'.") == "缺少选项 '--password'。"
    assert translate_error("No such option: --nope") == "没有选项 --nope"
    suggested = translate_error("没有命令 'briefng'。. Did you mean 'briefing'?")
    assert suggested == "没有命令 'briefng'。是否要输入 'briefing'？"
    assert translate_error("Got unexpected extra argument (x)") == "多余的参数（x）"
    assert translate_error("一条中文错误") == "一条中文错误"

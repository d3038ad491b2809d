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
    assert missing.exit_code == 2 and "缺少参数 '用户名'" in missing.output
    assert "Missing" not in missing.output
    bad = runner.invoke(app, ["assess-release", "abc"], env={"COLUMNS": "120"})
    assert bad.exit_code == 2 and "取值无效：应为整数" in bad.output


# Words typer and click write around our text (usage line, panels, value types, errors). Our own
# help may name identifiers in Latin letters (news_rss, CSV, --store); these words it never uses.
ENGLISH = re.compile(
    r"\b(Usage|Options?|Arguments?|Commands?|COMMAND|ARGS|OPTIONS|Error|Try|Show this|help\.|"
    r"Missing|Invalid|Possible|No such|Did you mean|Got unexpected|requires|does not|is not|default|"
    r"required|env var|deprecated|dynamic|Aborted|str|int|float|bool|datetime|path|file|directory)\b|list\["
)
LEAVES = [(p, c) for p, c in COMMANDS if not getattr(c, "commands", None)]
GROUPS = [((), get_command(app)), *((p, c) for p, c in COMMANDS if getattr(c, "commands", None))]


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    return result.exit_code, result.output


def _english(text: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH.finditer(text)})


@pytest.mark.parametrize(("path", "command"), COMMANDS + GROUPS[:1],
                         ids=[" ".join(p) or "yuqing" for p, _ in COMMANDS + GROUPS[:1]])
def test_no_english_in_any_help(path: tuple[str, ...], command: Any) -> None:
    code, text = _run([*path, "--help"])
    assert code == 0 and "用法：" in text
    assert not _english(text), f"{' '.join(path)} --help: {_english(text)}\n{text}"


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_no_english_in_usage_errors(path: tuple[str, ...], command: Any) -> None:
    """An unknown option, and (where the command has one) a missing required parameter: both are
    refused before the command runs, so nothing touches a database."""
    code, text = _run([*path, "--no-such-option"])
    assert code == 2 and "错误" in text and "没有选项" in text
    assert not _english(text), f"{' '.join(path)}: {_english(text)}\n{text}"
    if any(p.required for p in command.params):
        code, text = _run(list(path))
        assert code == 2 and "缺少" in text
        assert not _english(text), f"{' '.join(path)}: {_english(text)}\n{text}"


@pytest.mark.parametrize(("path", "command"), GROUPS, ids=[" ".join(p) or "yuqing" for p, _ in GROUPS])
def test_no_english_for_an_unknown_command(path: tuple[str, ...], command: Any) -> None:
    code, text = _run([*path, "nosuch"])
    assert code == 2 and "没有命令 'nosuch'" in text and "用法：" in text
    assert not _english(text), f"{' '.join(path)} nosuch: {_english(text)}\n{text}"


@pytest.mark.parametrize("args", [
    ["briefng"],  # a suggestion
    ["assess-release", "abc"],  # not an integer
    ["holidays", "import", "/nonexistent/notice.csv", "--year", "2026"],  # no such file
    ["token", "create", "someone", "--days"],  # an option without its value
    ["user", "add", "a", "b"],  # an extra argument
])
def test_no_english_in_value_errors(args: list[str]) -> None:
    code, text = _run(args)
    assert code == 2 and "错误" in text
    assert not _english(text), f"{args}: {_english(text)}\n{text}"


def test_usage_line_is_chinese() -> None:
    _, text = _run(["--help"])
    assert "[选项] 命令 [参数]…" in text
    _, text = _run(["token", "create", "--help"])
    assert "[选项] {用户名}" in text and "<整数>" in text and "<文本>" in text


def test_error_patterns() -> None:
    assert translate_error("Missing option '--password'.") == "缺少选项 '--password'。"
    assert translate_error("No such option: --nope") == "没有选项 --nope"
    suggested = translate_error("没有命令 'briefng'。. Did you mean 'briefing'?")
    assert suggested == "没有命令 'briefng'。是否要输入 'briefing'？"
    assert translate_error("Got unexpected extra argument (x)") == "多余的参数（x）"
    assert translate_error("一条中文错误") == "一条中文错误"
    suggested = translate_error("No such option: --x (Possible options: --store)")
    assert suggested == "没有选项 --x（可用的选项：--store）"
    assert translate_error("Invalid value for '安排文件': file '/x' does not exist.") == \
        "'安排文件' 取值无效：文件 '/x' 不存在。"


def test_a_runtime_failure_is_told_in_chinese_without_a_traceback(tmp_path: Any) -> None:
    """An unmigrated database is the commonest mistake on a new server: say what to do, in Chinese."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "YUQING_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    env.pop("YUQING_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "yuqing", "token", "list"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "请先运行 yuqing migrate" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not ENGLISH.search(done.stderr.replace("YUQING_DEBUG", "").replace("YUQING_DATABASE_URL", ""))


def test_a_refusal_of_ours_is_said_as_written_without_the_exception_s_name(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "YUQING_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "yuqing", "train", "--data", str(tmp_path / "无此目录"),
                           "--out", str(tmp_path / "model")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "错误：语料文件不存在" in done.stderr
    assert "CorpusError" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "model").exists()  # nothing written over a model

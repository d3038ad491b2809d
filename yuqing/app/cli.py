"""`yuqing …`: one console script; each domain registers its own commands."""

from __future__ import annotations

import importlib
import os
import re
import sys

import typer

from yuqing.app.cli_locale import install as install_chinese

install_chinese()  # click's and typer's own words (Usage, Options, errors) in Chinese

app = typer.Typer(
    name="yuqing",
    help="舆情监测与回应：统计部门的舆情采集、研判、预警、时限与报告。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

# Each module exposes `register(app)`; names say which layer the commands drive.
COMMAND_MODULES = (
    "yuqing.app.commands.db",
    "yuqing.app.commands.crawl",
    "yuqing.app.commands.analysis",
    "yuqing.app.commands.alerts",
    "yuqing.app.commands.serve",
    "yuqing.app.commands.demo",
    "yuqing.app.commands.users",
    "yuqing.app.commands.reports",
)



@app.callback()
def _root() -> None:
    """舆情监测与回应：统计部门的舆情采集、研判、预警、时限与报告。"""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def _runtime_error_message(exc: BaseException) -> str:
    """A failure a user can act on, in Chinese; the traceback only with YUQING_DEBUG=1."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    lines = [ln for ln in str(getattr(exc, "orig", None) or exc).splitlines() if ln.strip()]
    text = lines[0].strip() if lines else ""
    if isinstance(exc, OperationalError | ProgrammingError) and re.search(
        r"no such table|does not exist|UndefinedTable", str(exc)
    ):
        return "错误：数据库尚未建立或结构不是最新版本，请先运行 yuqing migrate。"
    if isinstance(exc, OperationalError):
        return f"错误：无法使用数据库（请检查 YUQING_DATABASE_URL 与数据库服务）：{text}"
    if isinstance(exc, PermissionError):
        return f"错误：没有权限访问文件：{getattr(exc, 'filename', '') or text}"
    if isinstance(exc, FileNotFoundError):
        return f"错误：找不到文件：{getattr(exc, 'filename', '') or text}"
    if re.search(r"[\u4e00-\u9fff]", text):  # our own refusals are written for the user: say them as is
        return f"错误：{text}"
    return f"错误：命令未能完成（程序内部错误，请设置 YUQING_DEBUG=1 重试，并把输出交给维护人员）：{text}"


def main() -> None:
    try:
        app()
    except Exception as exc:  # the boundary between the program and the person at the terminal
        if os.environ.get("YUQING_DEBUG") == "1":
            raise
        print(_runtime_error_message(exc), file=sys.stderr)
        print("（设置环境变量 YUQING_DEBUG=1 后重试可看到完整的错误跟踪。）", file=sys.stderr)
        raise SystemExit(1) from None

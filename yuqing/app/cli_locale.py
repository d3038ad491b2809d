"""The command line's own words in Chinese: typer's usage line, panel titles, help option and errors.

Our commands' help and messages are written in Chinese; what typer (and the click it vendors) adds
around them ("Usage:", "Options", "Missing option", "Show this message and exit." …) is English and
ships no Chinese catalog. `install()` translates it in one place each: the gettext lookups
(`MESSAGES`, `SINGULAR`/`PLURAL`), the panel titles typer computes once at import, the usage line
(prefix and placeholders, `USAGE_WORDS`), the value types shown beside each option (`TYPE_WORDS`),
the help option's text, and the error messages (`ERRORS`, patterns over the final text). A message
not listed here is shown as typer wrote it; tests/test_cli_language.py fails when English reaches
any command's help or errors.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

MESSAGES = {
    "Usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Error": "错误",
    "Aborted.": "已取消。",
    "Aborted!": "已取消！",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "[default: {}]": "[默认：{}]",
    "[env var: {}]": "[环境变量：{}]",
    "[required]": "[必填]",
    "(deprecated) ": "（已弃用）",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "deprecated": "已弃用",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Try [blue]'{command_path} {help_option}'[/] for help.":
        "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "Error: {message}": "错误：{message}",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令。",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Repeat for confirmation": "再次输入以确认",
    "Do you want to continue?": "是否继续？",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "unknown error": "未知错误",
    "(dynamic)": "（动态）",
}
# ngettext's messages: the singular's and the plural's Chinese, each by its English.
SINGULAR = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给出 1 个。",
    "Did you mean {possibility}?": "是否要输入 {possibility}？",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要取值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
}
PLURAL = {
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给出了 {len} 个。",
    "(Did you mean one of: {possibilities}?)": "（是否要输入以下之一：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值之一：{choices}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下任一格式：{formats}。",
}

# Error messages typer builds with f-strings, as (pattern, replacement) over the final text.
ERRORS = (
    (re.compile(r"^Missing argument (.+?)\.?$"), r"缺少参数 \1。"),
    (re.compile(r"^Missing option (.+?)\.?$"), r"缺少选项 \1。"),
    (re.compile(r"^Missing parameter: (.+)$"), r"缺少参数：\1"),
    (re.compile(r"^Missing (\w+) (.+?)\.?$"), r"缺少 \2。"),
    (re.compile(r"^No such option: (.+)$"), r"没有选项 \1"),
    (re.compile(r"^Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)$"), r"多余的参数（\1）"),
    (re.compile(r"^Invalid value for (.+?): (.*)$", re.S), r"\1 取值无效：\2"),
    (re.compile(r"^Invalid value: (.*)$", re.S), r"取值无效：\1"),
    (re.compile(r"^Option (.+?) requires an argument\.$"), r"选项 \1 需要取值。"),
    (re.compile(r"^Option (.+?) does not take a value\.$"), r"选项 \1 不接受取值。"),
    (re.compile(r"^Value (.+?) is not a valid (\w+)\.$"), r"\1 不是有效的 \2。"),
    (re.compile(r"Input should be a valid integer.*$"), "应为整数"),
    (re.compile(r"Input should be a valid number.*$"), "应为数值"),
    (re.compile(r"Input should be a valid boolean.*$"), "应为是/否"),
    (re.compile(r"Input should be (.+)$"), r"应为 \1"),
    (re.compile(r"^(.*?)[.。]* Did you mean (.+)\?$", re.S), r"\1。是否要输入 \2？"),
    (re.compile(r"^(.+?) does not exist\.$"), r"\1 不存在。"),
    (re.compile(r"^(.+?) is a directory\.$"), r"\1 是目录。"),
    (re.compile(r"^(.+?) is a file\.$"), r"\1 是文件。"),
    (re.compile(r"^(.+?) is not (readable|writable)\.$"), r"\1 不可\2。"),
    (re.compile(r"不可readable。$"), "不可读。"),
    (re.compile(r"不可writable。$"), "不可写。"),
    (re.compile(r"\bfile (?=')"), "文件 "),
    (re.compile(r"\bdirectory (?=')"), "目录 "),
    (re.compile(r"\bpath (?=')"), "路径 "),
    (re.compile(r"^(.+?) is not one of (.+?)\.?$"), r"\1 不是可选值之一：\2。"),
    (re.compile(r" ?\(Possible options: (.+)\)$"), r"（可用的选项：\1）"),
)
HELP_OPTION_TEXT = "显示此帮助并退出。"
USAGE_PREFIX = "用法："
# The usage line's placeholders: "[OPTIONS] COMMAND [ARGS]..." → "[选项] 命令 [参数]…".
USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND", "命令"), ("[ARGS]", "[参数]"), ("...", "…"))
# The value type typer shows beside a parameter (<str>, <int>, <list[str]>, <int range>, <path>…).
TYPE_WORDS = {
    "str": "文本", "int": "整数", "float": "数值", "bool": "开关", "datetime": "时间", "UUID": "UUID",
    "path": "路径", "file": "文件", "directory": "目录", "Path": "路径",
}
_LIST = re.compile(r"^list\[(.+)\]$")
_RANGE = re.compile(r"^(\w+) range$")

CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")
TYPER_MODULES = ("core", "main", "rich_utils")
TYPER_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments", "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands", "ERRORS_PANEL_TITLE": "Error", "ABORTED_TEXT": "Aborted.",
    "DEFAULT_STRING": "[default: {}]", "ENVVAR_STRING": "[env var: {}]", "REQUIRED_LONG_STRING": "[required]",
    "DEPRECATED_STRING": "(deprecated) ",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return SINGULAR.get(singular, singular) if n == 1 else PLURAL.get(plural, plural)


def translate_usage(args: str) -> str:
    for english, chinese in USAGE_WORDS:
        args = args.replace(english, chinese)
    return args


def translate_type(label: str) -> str:
    """"<list[str]>" → "<文本，可多个>", "<int range>" → "<整数>"; choices and formats stay as written."""
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    if (found := _LIST.match(inner)) is not None:
        inner = translate_type(found.group(1)) + "，可多个"
    elif (found := _RANGE.match(inner)) is not None:
        inner = TYPE_WORDS.get(found.group(1), found.group(1))
    else:
        inner = TYPE_WORDS.get(inner, inner)
    return f"<{inner}>" if label.startswith("<") else inner


def translate_error(message: str) -> str:
    """An error message of typer's in Chinese (every pattern that matches applies, in order)."""
    for pattern, replacement in ERRORS:
        message = pattern.sub(replacement, message)
    return message


def _translated(format_message: Callable[[Any], str]) -> Callable[[Any], str]:
    def wrapper(self: Any) -> str:
        return translate_error(format_message(self))

    wrapper.__yuqing_translated__ = True  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Make typer speak Chinese in this process (the CLI's; the web app never uses it). Idempotent."""
    for package, names in (("typer", TYPER_MODULES), ("typer._click", CLICK_MODULES)):
        for name in names:
            try:
                module = importlib.import_module(f"{package}.{name}")
            except ImportError:
                continue
            if hasattr(module, "_"):
                module._ = gettext  # type: ignore[attr-defined]
            if hasattr(module, "ngettext"):
                module.ngettext = ngettext  # type: ignore[attr-defined]
    exceptions = importlib.import_module("typer._click.exceptions")
    for value in vars(exceptions).values():
        method = getattr(value, "__dict__", {}).get("format_message")
        if isinstance(value, type) and method and not getattr(method, "__yuqing_translated__", False):
            value.format_message = _translated(method)  # type: ignore[attr-defined]
    formatting = importlib.import_module("typer._click.formatting")
    write_usage = formatting.HelpFormatter.write_usage
    if not getattr(write_usage, "__yuqing_translated__", False):
        def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
            write_usage(self, prog, translate_usage(args), USAGE_PREFIX if prefix is None else prefix)

        usage.__yuqing_translated__ = True  # type: ignore[attr-defined]
        formatting.HelpFormatter.write_usage = usage
    decorators = importlib.import_module("typer._click.decorators")
    help_option = decorators.help_option
    if not getattr(help_option, "__yuqing_translated__", False):
        def chinese_help_option(param_decls: list[str]) -> Callable[[Any], Any]:
            add = help_option(param_decls)

            def apply(command: Any) -> Any:
                command = add(command)
                command.params[-1].help = HELP_OPTION_TEXT
                return command

            return apply

        chinese_help_option.__yuqing_translated__ = True  # type: ignore[attr-defined]
        decorators.help_option = chinese_help_option
    parameter = importlib.import_module("typer.core")._TyperParameter
    display_type = parameter.display_type
    if not getattr(display_type, "__yuqing_translated__", False):
        def chinese_type(self: Any, ctx: Any) -> str:
            return translate_type(display_type(self, ctx))

        chinese_type.__yuqing_translated__ = True  # type: ignore[attr-defined]
        parameter.display_type = chinese_type
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, english in TYPER_CONSTANTS.items():
        setattr(rich_utils, constant, MESSAGES[english])

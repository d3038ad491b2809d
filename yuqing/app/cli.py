"""`yuqing …`: one console script; each domain registers its own commands."""

from __future__ import annotations

import importlib

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


def main() -> None:
    app()

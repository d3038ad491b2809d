"""`yuqing …`: one console script; each domain registers its own commands."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="yuqing",
    help="舆情 monitoring and response for statistics bureaus.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

# Each module exposes `register(app)`; names say which layer the commands drive.
COMMAND_MODULES = (
    "yuqing.commands.db",
    "yuqing.commands.crawl",
    "yuqing.commands.analysis",
    "yuqing.commands.alerts",
    "yuqing.commands.serve",
    "yuqing.commands.demo",
    "yuqing.commands.users",
    "yuqing.commands.reports",
)



@app.callback()
def _root() -> None:
    """舆情 monitoring and response for statistics bureaus."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()

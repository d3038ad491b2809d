"""The layers read one way: the inner packages import nothing of the outer ones.

Parses every import statement (those inside functions too) of each inner package's modules, so a
lazy import cannot hide a backwards dependency. The ground (`yuqing.config`, `clock`, `vocab`,
`source_options`) imports nothing of ours beside itself; store and analysis nothing above them; the
crawler, alerts, reports and api nothing of the stages after them, and nothing imports the shell.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GROUND = ("yuqing.config", "yuqing.clock", "yuqing.vocab", "yuqing.source_options")
OUTER = ("yuqing.api", "yuqing.alerts", "yuqing.crawler", "yuqing.reports", "yuqing.app")
# package folder (or ground module) → the names of ours it may not import (the ground: any of ours
# beyond the ground, checked in `backwards`)
RULES: dict[str, tuple[str, ...]] = {
    "store": (*OUTER, "yuqing.analysis"),
    "analysis": OUTER,
    # the stages beside each other: the crawler and alerts never reach up or sideways into reports/api
    "crawler": ("yuqing.api", "yuqing.alerts", "yuqing.reports", "yuqing.app"),
    "alerts": ("yuqing.api", "yuqing.crawler", "yuqing.reports", "yuqing.app"),
    "reports": ("yuqing.api", "yuqing.crawler", "yuqing.app"),
    "api": ("yuqing.app",),
    **{g: () for g in GROUND},
}


def _modules(package: str) -> list[Path]:
    path = ROOT / package.replace(".", "/")
    return sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def _imports(path: Path) -> list[str]:
    """Absolute names imported by `path` (relative imports stay inside their package: skipped)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def backwards(package: str) -> list[str]:
    forbidden = RULES[package]
    found = []
    for path in _modules(package):
        for name in _imports(path):
            if package in GROUND and _within(name, "yuqing") and any(_within(name, g) for g in GROUND):
                continue  # the ground's modules may import each other
            if any(_within(name, f) for f in forbidden) or (
                package in GROUND and _within(name, "yuqing")
            ):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    return sorted(set(found))


def test_the_checker_sees_a_backwards_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom yuqing.alerts.engine import tick\n\ndef f():\n"
                      "    from yuqing.api import app\n", encoding="utf-8")
    assert _imports(module) == ["os", "yuqing.alerts.engine", "yuqing.alerts.engine.tick", "yuqing.api",
                                "yuqing.api.app"]


@pytest.mark.parametrize("package", sorted(RULES))
def test_inner_layers_import_nothing_of_the_outer_ones(package: str) -> None:
    assert _modules(package) and all(p.exists() for p in _modules(package))
    assert backwards(package) == [], f"{package} imports an outer layer"

"""Packaging: the stage folders install under the one `yuqing` namespace, whole (issue 12).

A wheel that forgot a folder (a template directory, the migrations, the model) would install a
yuqing that fails only when that part is first used, so the list in pyproject.toml is checked
against the checkout here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("api", "store", "alerts", "analysis", "reports", "crawler")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folders(top: str) -> set[str]:
    base = ROOT / top
    found = {base, *(p for p in base.rglob("*") if p.is_dir() and "__pycache__" not in p.parts)}
    return {".".join(("yuqing", *p.relative_to(ROOT).parts)) if top != "yuqing"
            else ".".join(p.relative_to(ROOT).parts) for p in found}


def test_every_folder_is_a_listed_package_under_yuqing() -> None:
    expected = set().union(*(_folders(top) for top in ("yuqing", *STAGES)))
    assert set(CONFIG["packages"]) == expected
    assert CONFIG["package-dir"] == {"yuqing": "yuqing", **{f"yuqing.{s}": s for s in STAGES}}


def test_package_data_covers_every_file_the_code_reads() -> None:
    patterns = {p.removeprefix("*.") for p in CONFIG["package-data"]["*"]}
    suffixes = {
        p.suffix.removeprefix(".")
        for top in ("yuqing", *STAGES)
        for p in (ROOT / top).rglob("*.*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")
    }
    assert suffixes <= patterns, f"not shipped: {sorted(suffixes - patterns)}"


def test_code_imports_the_stages_only_through_the_namespace() -> None:
    bare = re.compile(rf"^\s*(from|import) ({'|'.join(STAGES)})\b", re.M)
    offenders = [
        str(p.relative_to(ROOT))
        for top in ("yuqing", *STAGES, "tests", "bench")
        for p in (ROOT / top).rglob("*.py")
        if bare.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []

"""Regenerate the initial migration from the models.

Only while nothing is deployed: after the first release, add revisions instead
(`alembic revision --autogenerate`).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from alembic import command

from yuqing.store.db import MIGRATIONS, alembic_config, make_engine


def main() -> None:
    versions = MIGRATIONS / "versions"
    # Only the generated initial schema is regenerated; hand-written revisions (dialect-specific DDL
    # such as the search index, 0002 onwards) are set aside meanwhile and keep building on it.
    for old in versions.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        kept = [shutil.move(str(p), Path(tmp) / p.name) for p in sorted(versions.glob("*.py"))]
        try:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
            cfg = alembic_config(engine)
            command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
        finally:
            for path in kept:
                shutil.move(str(path), versions / Path(path).name)
    print(f"已写入 {next(versions.glob('0001_*.py'))}")


if __name__ == "__main__":
    main()

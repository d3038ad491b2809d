"""full-text search index of mentions (hand-written: dialect-specific DDL)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from yuqing.store import search_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    search_index.create(conn)
    # Index what is already there (a fresh database has nothing; an upgrade catches up here).
    from sqlalchemy.orm import Session

    with Session(bind=conn) as session:
        search_index.rebuild(session)


def downgrade() -> None:
    search_index.drop(op.get_bind())

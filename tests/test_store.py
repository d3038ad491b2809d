"""The schema: migrations match the models; times round-trip as aware UTC; keys hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yuqing.store import search_index
from yuqing.store.models import Base, Document, Source


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": search_index.not_ours})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models changed without a migration (run `make migration`): {diff}"


def test_datetimes_are_stored_utc_and_returned_aware(session: Session) -> None:
    beijing = timezone(timedelta(hours=8))
    src = Source(name="s", kind="news_rss", url="http://x")
    session.add(src)
    session.flush()
    doc = Document(
        source_id=src.id, platform="news", dedup_key="k", url="http://x/1",
        published_at=datetime(2026, 11, 20, 9, 30, tzinfo=beijing),
    )
    session.add(doc)
    session.commit()
    session.expire_all()
    got = session.scalars(select(Document)).one().published_at
    assert got == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(Source(name="s", kind="news_rss", url="http://x", last_run_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_a_document_is_stored_once_per_platform_and_key(session: Session) -> None:
    session.add_all([
        Document(platform="weibo", dedup_key="123", url="http://a"),
        Document(platform="tieba", dedup_key="123", url="http://b"),
    ])
    session.commit()
    session.add(Document(platform="weibo", dedup_key="123", url="http://c"))
    with pytest.raises(IntegrityError):
        session.commit()

"""Analysts' sentiment corrections (sentiment_corrections rows) as training rows for `yuqing train`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from yuqing.analysis.sentiment.model import LABELS


def read_corrections(database_url: str) -> list[tuple[str, str]]:
    """(text, label) per corrected text, the latest correction winning; ValueError when unreadable."""
    from yuqing.store.db import make_engine
    from yuqing.store.models import SentimentCorrection

    try:
        engine = make_engine(database_url)
    except Exception as exc:  # a malformed URL: SQLAlchemy raises ArgumentError, drivers others
        raise ValueError(f"无法连接更正数据库：{exc}") from exc
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(SentimentCorrection.text, SentimentCorrection.label)
                .order_by(SentimentCorrection.created_at, SentimentCorrection.id)
            ).all()
    except SQLAlchemyError as exc:
        raise ValueError(f"无法读取更正数据库中的 sentiment_corrections 表：{type(exc).__name__}") from exc
    finally:
        engine.dispose()
    latest: dict[str, str] = {}
    for text, label in rows:
        if text and label in LABELS:
            latest.pop(text, None)
            latest[text] = label
    return list(latest.items())

"""Mirror configured sources and watch topics into their tables.

Configuration is the source of truth for what exists; the tables add state (health,
cursors) and give every row an id that documents and mentions can point at.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.config import Settings
from yuqing.store.models import Source, WatchTopic


def sync_config(session: Session, settings: Settings) -> None:
    existing = {s.name: s for s in session.scalars(select(Source))}
    for cfg in settings.sources:
        row = existing.get(cfg.name) or Source(name=cfg.name)
        row.kind, row.url, row.media_tier, row.enabled = cfg.kind, cfg.url, cfg.media_tier, cfg.enabled
        session.add(row)
    topics = {t.name: t for t in session.scalars(select(WatchTopic))}
    for w in settings.watch:
        topic = topics.get(w.name) or WatchTopic(name=w.name)
        topic.expression, topic.keywords = w.expression, list(w.keywords)
        session.add(topic)
    session.flush()

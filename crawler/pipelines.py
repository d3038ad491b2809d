"""The store pipeline: buffered, batched, idempotent inserts (INSERT … ON CONFLICT DO NOTHING).

Documents are unique per platform + dedup key, releases per URL, so a re-run or two overlapping
crawls never store anything twice. Source health is written when the spider closes.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from sqlalchemy import Engine, Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import now
from yuqing.crawler.health import RunOutcome, record_run
from yuqing.crawler.items import DocumentItem, QuarantineItem, ReleaseItem
from yuqing.crawler.seen import retry_time
from yuqing.store.db import make_engine, session_factory, session_scope
from yuqing.store.models import CrawlCursor, Document, Quarantine, Release
from yuqing.vocab import QuarantineStage

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = frozenset(c.name for c in Document.__table__.columns) - {"id"}


def _insert(engine: Engine, table: Any) -> Insert:
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("YUQING_BATCH_SIZE", 500)
        self.documents: list[dict[str, Any]] = []
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.engine = make_engine(self.crawler.settings["YUQING_DATABASE_URL"])
        self.sessions = session_factory(self.engine)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, DocumentItem):
            row = {k: v for k, v in item.fields.items() if k in DOCUMENT_COLUMNS}
            row.setdefault("fetched_at", now())
            row.setdefault("status", "new")
            row.setdefault("extra", {})
            row["source_id"] = self.spider.source_id
            self.documents.append(row)
            if len(self.documents) >= self.batch_size:
                self.flush()
        elif isinstance(item, ReleaseItem):
            self._upsert_release(item.fields)
        elif isinstance(item, QuarantineItem):
            self._quarantine(item)
        return item

    def flush(self) -> None:
        """Insert the buffered documents; count stored versus already present."""
        if not self.documents:
            return
        rows, self.documents = self.documents, []
        # Every row needs the same keys for one executemany.
        keys = set().union(*rows)
        rows = [{k: r.get(k) for k in keys} for r in rows]
        stmt = (
            _insert(self.engine, Document)
            .on_conflict_do_nothing(index_elements=["platform", "dedup_key"])
            .returning(Document.id)
        )
        assert self.sessions is not None
        with session_scope(self.sessions) as session:
            stored = len(session.execute(stmt, rows).all())
        stats = self.crawler.stats
        stats.inc_value("yuqing/stored", stored)
        stats.inc_value("yuqing/duplicates", len(rows) - stored)

    def _upsert_release(self, fields: dict[str, Any]) -> None:
        """By URL; a calendar entry (scheduled, no URL) for the same indicator and period is filled in."""
        assert self.sessions is not None
        with session_scope(self.sessions) as session:
            row = session.scalar(select(Release).where(Release.url == fields["url"]))
            if row is None and fields.get("period_label"):
                row = session.scalar(
                    select(Release).where(
                        Release.url.is_(None),
                        Release.scheduled.is_(True),
                        Release.indicator == fields["indicator"],
                        Release.period_label == fields["period_label"],
                    )
                )
            created = row is None
            row = row or Release()
            for key, value in fields.items():
                if value is not None or created:
                    setattr(row, key, value)
            row.scheduled = False
            row.source_id = self.spider.source_id
            session.add(row)
        self.crawler.stats.inc_value("yuqing/stored" if created else "yuqing/duplicates")

    def _quarantine(self, item: QuarantineItem) -> None:
        """One row per failed item; a transient failure of a URL already waiting for its retry
        updates that row (attempts + 1, later retry_at) instead of piling up rows."""
        assert self.sessions is not None
        t = now()
        settings = self.crawler.settings
        with session_scope(self.sessions) as session:
            row = None
            if item.retry and item.url:
                row = session.scalar(
                    select(Quarantine)
                    .where(
                        Quarantine.source_id == self.spider.source_id,
                        Quarantine.url == item.url,
                        Quarantine.released_at.is_(None),
                    )
                    .order_by(Quarantine.id.desc())
                    .limit(1)
                )
            if row is None:
                row = Quarantine(source_id=self.spider.source_id, stage=QuarantineStage.CRAWL, url=item.url,
                                 attempts=0)
                session.add(row)
            row.attempts = (row.attempts or 0) + 1
            row.reason = item.reason[:2000]
            row.status_code = item.status_code
            row.content_type = (item.content_type or "")[:200] or None
            row.body = item.body
            row.created_at = t
            row.retry_at = (
                retry_time(
                    t,
                    row.attempts,
                    after_minutes=settings.getfloat("YUQING_REFETCH_AFTER_MINUTES", 10.0),
                    attempts=settings.getint("YUQING_REFETCH_ATTEMPTS", 5),
                )
                if item.retry
                else None
            )
        self.crawler.stats.inc_value("yuqing/quarantined")
        # what the sources page shows beside 告警 when nothing else went wrong (crawler.health)
        self.crawler.stats.set_value("yuqing/last_quarantined", f"已隔离 {item.url} — {item.reason}"[:500])
        log.warning("已隔离 %s：%s", item.url, item.reason)

    def close_spider(self, spider: Spider | None = None) -> None:
        assert self.sessions is not None and self.engine is not None
        try:
            self.flush()
        finally:
            outcome = RunOutcome.from_stats(self.crawler.stats.get_stats())
            with session_scope(self.sessions) as session:
                self._save_cursors(session)
                self._close_refetched(session)
                record_run(
                    session,
                    self.spider.source_id,
                    outcome,
                    now=now(),
                    backoff_minutes=self.crawler.settings.getfloat("YUQING_BACKOFF_MINUTES", 15.0),
                )
            self.engine.dispose()

    def _close_refetched(self, session: Session) -> None:
        """Quarantined items requested again in this run: one that did not fail again (its row
        was not renewed during the run) is resolved (released_at set, no further retry)."""
        ids: list[int] = getattr(self.spider, "refetched", [])
        if not ids:
            return
        started = self.spider.started
        t = now()
        for row in session.scalars(select(Quarantine).where(Quarantine.id.in_(ids))):
            if row.created_at is not None and row.created_at >= started and row.released_at is None:
                continue  # failed again in this run: its new retry_at stands
            row.retry_at = None
            row.released_at = row.released_at or t

    def _save_cursors(self, session: Session) -> None:
        updates: dict[str, dict[str, Any]] = getattr(self.spider, "cursor_updates", {})
        if not updates:
            return
        existing = {
            c.key: c
            for c in session.scalars(
                select(CrawlCursor).where(
                    CrawlCursor.source_id == self.spider.source_id, CrawlCursor.key.in_(list(updates))
                )
            )
        }
        for key, value in updates.items():
            row = existing.get(key) or CrawlCursor(source_id=self.spider.source_id, key=key)
            row.value, row.updated_at = value, now()
            session.add(row)

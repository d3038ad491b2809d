"""The analysis worker: claims new documents in batches and writes analysed mentions.

Each batch is one transaction: claim (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several
workers share the queue), analyse vectorised (`pipeline.analyse_batch`), write Mention,
Story and MentionRelease rows, mark documents analysed. A document that fails is marked
"failed" with its error and quarantined (stage "analysis"); the rest of its batch goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from yuqing.analysis.authority import AuthorityConfig, authority_kind
from yuqing.analysis.indicators import subject_of
from yuqing.analysis.pipeline import Analysis, Context, DocInput, analyse_batch
from yuqing.analysis.releases import ReleaseRef
from yuqing.analysis.risk import story_risk
from yuqing.analysis.sensitive import SensitiveLexicon
from yuqing.analysis.sentiment.model import load_model
from yuqing.analysis.stories import StoryIndex, to_bytes
from yuqing.analysis.watch import WatchSet, WatchSyntaxError
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.vocab import DocumentStatus, QuarantineStage

log = logging.getLogger(__name__)
STORY_WINDOW = timedelta(days=3)  # stories older than this take no new members
RELEASE_WINDOW = timedelta(days=30)


def _watch_set(session: Session, settings: Settings) -> WatchSet:
    """Configured topics, overridden by the stored (analyst-edited) ones; bad ones skipped and logged."""
    from yuqing.store.models import WatchTopic

    exprs = {w.name: w.expression for w in settings.watch}
    for row in session.execute(select(WatchTopic)).scalars():
        if row.enabled:
            exprs[row.name] = row.expression
        else:
            exprs.pop(row.name, None)
    good: dict[str, str] = {}
    for name, expr in exprs.items():
        try:
            WatchSet({name: expr})
            good[name] = expr
        except WatchSyntaxError as exc:
            log.warning("监测主题 %s 的表达式无效，已跳过：%s", name, exc)
    return WatchSet(good)


def _context(session: Session, settings: Settings, now: datetime) -> Context:
    from yuqing.store.models import MentionRelease, Release

    rels = session.execute(
        select(Release.id, Release.indicator, Release.period_label, Release.published_at)
        .where(Release.published_at.is_not(None), Release.published_at >= now - RELEASE_WINDOW)
    ).all()
    named = dict(session.execute(
        select(MentionRelease.release_id, func.count())
        .where(MentionRelease.confidence >= 0.5, MentionRelease.release_id.in_([r.id for r in rels]))
        .group_by(MentionRelease.release_id)
    ).all()) if rels else {}
    return Context(
        model=load_model(settings.analysis.model_dir),
        lexicon=SensitiveLexicon(settings.sensitive_terms),
        watch=_watch_set(session, settings),
        releases=[ReleaseRef(r.id, r.indicator, r.period_label, r.published_at, named.get(r.id, 0))
                  for r in rels],
        user_dict=settings.analysis.user_dict,
    )


def _claim(session: Session, batch: int) -> list[Any]:
    from yuqing.store.models import Document

    q = select(Document).where(Document.status == DocumentStatus.NEW).order_by(Document.id).limit(batch)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=Document)
    return list(session.execute(q).scalars())


def _verified(doc: Any) -> bool:
    vt = doc.author_verified_type
    return vt is not None and 0 <= vt <= 8


def _doc_input(doc: Any, tier: str) -> DocInput:
    vt = doc.author_verified_type
    return DocInput(
        key=doc.id, text=doc.text or "", title=doc.title, platform=doc.platform,
        published_at=doc.published_at, reposts=doc.reposts or 0, comments=doc.comments or 0,
        likes=doc.likes or 0, followers=doc.author_followers or 0,
        verified=vt is not None and 0 <= vt <= 8, media_tier=tier,
    )


class _Stories:
    """Story membership within one batch, backed by the stored recent stories."""

    def __init__(self, session: Session, now: datetime) -> None:
        from yuqing.store.models import Story

        self.session = session
        rows = session.execute(
            select(Story.id, Story.signature).where(
                Story.updated_at >= now - STORY_WINDOW, Story.signature.is_not(None))
        ).all()
        self.index = StoryIndex((r.id, r.signature) for r in rows)
        self.by_dedup_key: dict[tuple[str, str], int] = {}

    def parent_story(self, doc: Any) -> int | None:
        from yuqing.store.models import Document, Mention

        if not doc.parent_key:
            return None
        key = (doc.platform, doc.parent_key)
        if key in self.by_dedup_key:
            return self.by_dedup_key[key]
        return self.session.execute(
            select(Mention.story_id).join(Document, Document.id == Mention.document_id)
            .where(Document.platform == doc.platform, Document.dedup_key == doc.parent_key)
        ).scalar_one_or_none()

    def place(self, doc: Any, a: Analysis, now: datetime) -> int:
        from yuqing.store.models import Story

        story_id = self.parent_story(doc)
        if story_id is None and a.signature is not None:
            story_id = self.index.find(a.signature)
        story = self.session.get(Story, story_id) if story_id is not None else None
        publisher = doc.publisher or doc.author
        if story is None:
            story = Story(
                title=(doc.title or a.text[:60]), earliest_published_at=doc.published_at,
                earliest_publisher=publisher, size=1, platforms={doc.platform: 1},
                signature=to_bytes(a.signature) if a.signature is not None else None,
                created_at=now, updated_at=now,
            )
            self.session.add(story)
            self.session.flush()
            if a.signature is not None:
                self.index.add(story.id, a.signature)
            story.risk, story.risk_factors = story_risk([a.risk], 1, 1)
        else:
            story.size += 1
            platforms = dict(story.platforms or {})
            platforms[doc.platform] = platforms.get(doc.platform, 0) + 1
            story.platforms = platforms
            if doc.published_at and (story.earliest_published_at is None
                                     or doc.published_at < story.earliest_published_at):
                story.earliest_published_at, story.earliest_publisher = doc.published_at, publisher
            prev = float(story.risk_factors[0]["value"]) if story.risk_factors else 0.0
            story.risk, story.risk_factors = story_risk([prev, a.risk], story.size, len(platforms))
            story.updated_at = now
        self.by_dedup_key[(doc.platform, doc.dedup_key)] = story.id
        return story.id


def _fail(session: Session, doc: Any, reason: str, now: datetime) -> None:
    from yuqing.store.models import Quarantine

    doc.status, doc.error, doc.analysed_at = DocumentStatus.FAILED, reason[:2000], now
    session.add(Quarantine(source_id=doc.source_id, document_id=doc.id, stage=QuarantineStage.ANALYSIS,
                           url=doc.url, reason=f"分析失败：{reason}"[:2000], created_at=now))


def _write(session: Session, doc: Any, a: Analysis, stories: _Stories, now: datetime, version: str,
           authority: AuthorityConfig = AuthorityConfig(), tier: str = "self") -> None:
    from yuqing.store.models import Document, Mention, MentionRelease

    doc.relevance, doc.relevance_reason = a.relevance.score, a.relevance.reason or None
    if not a.relevance.relevant:  # off-topic (鼠标 CPI …): no mention, the reason stays on the document
        doc.status, doc.analysed_at, doc.error = DocumentStatus.IRRELEVANT, now, None
        return
    if a.bare_repost and doc.parent_key:  # "转发微博" and nothing else: the reposted post's stance
        parent = session.execute(
            select(Mention.sentiment, Mention.p_negative, Mention.p_neutral, Mention.p_positive)
            .join(Document, Document.id == Mention.document_id)
            .where(Document.platform == doc.platform, Document.dedup_key == doc.parent_key)
        ).first()
        if parent is not None:
            a.sentiment, a.probs = parent[0], (parent[1], parent[2], parent[3])
    story_id = stories.place(doc, a, now)
    best = a.releases[0].release_id if a.releases else None
    mention = Mention(
        document_id=doc.id, source_id=doc.source_id, platform=doc.platform, published_at=doc.published_at,
        title=doc.title, text=a.text, author=doc.author, url=doc.url, sentiment=a.sentiment,
        p_negative=a.probs[0], p_neutral=a.probs[1], p_positive=a.probs[2],
        model_version=version, risk=a.risk, risk_factors=a.risk_factors,
        sensitive_topics=a.sensitive_topics, topics=a.topics, story_id=story_id, release_id=best,
        subject=subject_of(a.text), analysed_at=now,
        authority=authority_kind(url=doc.url, author=doc.author, publisher=doc.publisher,
                                 verified=_verified(doc), media_tier=tier, text=a.text, config=authority),
    )
    session.add(mention)
    session.flush()
    for link in a.releases:
        session.add(MentionRelease(mention_id=mention.id, release_id=link.release_id,
                                   confidence=link.confidence, reasons=list(link.reasons)))
    doc.status, doc.analysed_at, doc.error = DocumentStatus.ANALYSED, now, None


WRITE_LOCK_KEY = 0x59_55_51_57  # "YUQW": workers write their analysed batches one at a time


def _writers_in_turn(session: Session) -> None:
    """On PostgreSQL, wait for the other workers' batch writes (held to commit).

    Workers analyse in parallel (the costly part) but write in turn: the batches of two workers
    grow the same stories, and updating them in different orders deadlocks; writing after the
    other's commit also lets a batch join the stories that batch just made instead of duplicating them.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})


def analyse_pending(
    session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None,
    limit: int | None = None,
) -> int:
    """Analyse documents with status "new" until none are left (or `limit`); returns how many were processed
    (analysed or failed)."""
    from yuqing.store.models import Source

    processed = 0
    batch_size = max(1, settings.analysis.batch_size)
    while limit is None or processed < limit:
        at = now or clock_now()
        size = batch_size if limit is None else min(batch_size, limit - processed)
        with session_factory() as session, session.begin():
            docs = _claim(session, size)
            if not docs:
                break
            ctx = _context(session, settings, at)
            tiers = dict(session.execute(select(Source.id, Source.media_tier)).all())
            results, failures = analyse_batch(
                [_doc_input(d, tiers.get(d.source_id, "self")) for d in docs], ctx, now=at)
            by_id = {d.id: d for d in docs}
            _writers_in_turn(session)
            stories = _Stories(session, at)
            authority = AuthorityConfig.from_settings(settings.analysis)
            for a in results:
                doc = by_id[a.key]
                try:
                    with session.begin_nested():
                        _write(session, doc, a, stories, at, ctx.model.version, authority,
                               tiers.get(doc.source_id, "self"))
                except Exception as exc:
                    log.exception("文档 %s 分析失败", doc.id)
                    failures[doc.id] = f"{type(exc).__name__}: {exc}"
            for doc_id, reason in failures.items():
                _fail(session, by_id[doc_id], reason, at)
            processed += len(docs)
    return processed

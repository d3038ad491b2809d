"""Three analysis workers (`yuqing serve --role worker`) on one PostgreSQL queue; one is killed
with SIGKILL in the middle of a batch. Its transaction dies with its connection, the documents it
held become claimable again, and every document ends analysed exactly once."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.scale.conftest import Children
from tests.servers import wait_until
from yuqing.store.db import make_engine, migrate, session_factory
from yuqing.store.models import Document, Incident, IncidentMention, Mention, Source

pytestmark = pytest.mark.slow  # several processes: run first (tests/conftest.py)

DOCS = 300
TEXTS = ("国家统计局发布数据，居民收入稳步增长，就业形势总体稳定。",
         "网友质疑统计数据造假，称工资被平均，失业率与身边感受不符。",
         "某地统计局回应数据质量问题，表示将依法依规严肃查处。")


def _load(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as s:
        src = Source(name="压测来源", kind="news_rss", url="http://127.0.0.1/feed")
        s.add(src)
        s.flush()
        s.add_all(Document(source_id=src.id, platform="news", dedup_key=f"doc-{i}",
                           url=f"http://127.0.0.1/{i}", title=f"标题 {i}",
                           text=f"{TEXTS[i % 3]}（第 {i} 篇）")
                  for i in range(DOCS))
        s.commit()
    engine.dispose()


def _holding_claims(url: str, name: str) -> bool:
    """Is the worker connected as `name` inside a batch (holding its claimed documents)?"""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return bool(c.scalar(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE a.application_name = :n AND l.relation = 'documents'::regclass"
                " AND l.mode = 'RowShareLock'"), {"n": name}))
    finally:
        engine.dispose()


def test_three_workers_one_killed_mid_batch_every_document_analysed_once(
    pg_url: str, children: Children, tmp_path: Path
) -> None:
    _load(pg_url)
    env = {**os.environ, "YUQING_DATABASE_URL": pg_url, "YUQING_ENV": "test", "YUQING_SOURCES": "[]",
           "YUQING_ANALYSIS__BATCH_SIZE": "20", "YUQING_CONFIG": str(tmp_path / "none.toml")}
    env.pop("YUQING_REDIS_URL", None)
    command = [sys.executable, "-m", "yuqing", "serve", "--role", "worker", "--job-interval", "1"]
    workers = [children.start(command, {**env, "PGAPPNAME": f"yuqing-worker-{i}"}, tmp_path / f"w{i}.log")
               for i in range(3)]
    engine = make_engine(pg_url)
    try:
        def analysed() -> int:
            with engine.connect() as c:
                return int(c.scalar(select(func.count()).where(Document.status != "new")) or 0)

        # worker 0 is killed while it holds a claimed batch, after the others have made progress
        assert wait_until(lambda: analysed() >= 40 and _holding_claims(pg_url, "yuqing-worker-0"), 60,
                          step=0.02), (tmp_path / "w0.log").read_text()[-2000:]
        os.killpg(workers[0].pid, signal.SIGKILL)
        killed_at = analysed()
        workers[0].wait(timeout=10)
        started = time.monotonic()
        assert wait_until(lambda: analysed() == DOCS, 240), (
            f"{analysed()} of {DOCS} analysed\n" + (tmp_path / "w1.log").read_text()[-3000:])
        print(f"\nkilled one worker mid-batch at {killed_at}/{DOCS}; the other two finished in "
              f"{time.monotonic() - started:.1f} s")
        with engine.connect() as c:
            statuses = dict(c.execute(select(Document.status, func.count()).group_by(Document.status)).all())
            per_doc = c.execute(select(Mention.document_id, func.count()).group_by(Mention.document_id)).all()
            errors = c.scalars(select(Document.error).where(Document.status == "failed").limit(3)).all()
        assert statuses == {"analysed": DOCS}, errors
        assert len(per_doc) == DOCS and {n for _, n in per_doc} == {1}
        assert all(w.poll() is None for w in workers[1:])  # the survivors are still serving

        # the survivors' alert engines (one transaction at a time) took every mention exactly once
        def alerted() -> bool:
            with engine.connect() as c:
                return not c.scalar(select(func.count()).where(Mention.alerted.is_(False)))

        assert wait_until(alerted, 240)
        with engine.connect() as c:
            attached = c.execute(select(IncidentMention.mention_id, func.count())
                                 .group_by(IncidentMention.mention_id)).all()
            incidents = c.scalar(select(func.count()).select_from(Incident))
        assert incidents and attached and {n for _, n in attached} == {1}
    finally:
        engine.dispose()

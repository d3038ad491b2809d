"""Time the daily briefing on a busy day: `python bench/reports_bench.py [N mentions]`. Prints figures."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from store.db import make_engine, migrate, session_factory
from store.models import Document, Mention
from yuqing.config import Settings


def main(n: int) -> None:
    from reports.briefing import build_daily
    from reports.render import render_daily

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        start = datetime(2026, 11, 9, tzinfo=UTC)
        with session_factory(engine)() as s:
            for i in range(n):
                at = start + timedelta(seconds=i * 86400 / n)
                d = Document(platform="weibo", dedup_key=f"k{i}", url=f"u{i}", text="t", published_at=at)
                s.add(d)
                s.flush()
                s.add(Mention(document_id=d.id, platform=("weibo", "news", "tieba")[i % 3], published_at=at,
                              text="正文", sentiment=("negative", "neutral", "positive")[i % 3],
                              p_negative=0.5, p_neutral=0.3, p_positive=0.2, model_version="b",
                              risk=float(i % 100), analysed_at=at))
            s.commit()
            settings = Settings(database_url="sqlite://")
            t0 = time.perf_counter()
            b = build_daily(s, settings, day=date(2026, 11, 10), now=start + timedelta(days=1))
            t1 = time.perf_counter()
            print(f"build_daily over {b.total:,} mentions: {t1 - t0:.2f} s")
            for fmt in ("html", "docx", "pdf"):
                t = time.perf_counter()
                size = len(render_daily(b, fmt))
                print(f"render {fmt}: {time.perf_counter() - t:.2f} s, {size:,} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)

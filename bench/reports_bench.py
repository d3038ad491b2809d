"""Time every report on demand over a busy day: `python bench/reports_bench.py [N mentions]`.

Prints, for the daily briefing, a 专报 and a release 研判 over N mentions (default 100,000; one in
five linked to the release and to the incident), the build time and each format's render time —
the on-demand total a reader waits for. The database is built once per N under the temp directory
and reused. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

T0 = time.perf_counter()

from sqlalchemy import insert, select  # noqa: E402

from yuqing.config import Settings  # noqa: E402
from yuqing.store.db import make_engine, migrate, session_factory  # noqa: E402
from yuqing.store.models import (  # noqa: E402
    Document,
    Incident,
    IncidentMention,
    Mention,
    MentionRelease,
    Release,
    Story,
)

START = datetime(2026, 11, 9, tzinfo=UTC)
CHUNK = 5000


def build(path: Path, n: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with session_factory(engine)() as s:
        release = Release(
            title="2026年10月份居民消费价格",
            indicator="CPI",
            indicator_name="居民消费价格指数",
            period_label="2026年10月",
            published_at=START + timedelta(hours=1.5),
        )
        stories = [
            Story(title=f"话题{i}", earliest_publisher=f"账号{i}", size=10, risk=i % 100) for i in range(500)
        ]
        s.add(release)
        s.add_all(stories)
        s.flush()
        incident = Incident(
            title="网传CPI数据造假",
            grade="I",
            category="data_credibility",
            status="responding",
            opened_by="bench",
            opened_at=START + timedelta(hours=3),
            release_id=release.id,
        )
        s.add(incident)
        s.flush()
        for lo in range(0, n, CHUNK):
            ids = range(lo, min(n, lo + CHUNK))
            s.execute(
                insert(Document),
                [
                    {
                        "platform": "weibo",
                        "dedup_key": f"k{i}",
                        "url": f"https://example.test/{i}",
                        "text": "正文",
                        "published_at": START + timedelta(seconds=i * 86400 / n),
                        "author": f"账号{i % 3000}",
                        "author_followers": (i * 7919) % 2_000_000,
                        "status": "analysed",
                    }
                    for i in ids
                ],
            )
        doc_ids = list(s.scalars(select(Document.id).order_by(Document.id)))
        for lo in range(0, n, CHUNK):
            s.execute(
                insert(Mention),
                [
                    {
                        "document_id": doc_ids[i],
                        "platform": ("weibo", "news", "tieba")[i % 3],
                        "published_at": START + timedelta(seconds=i * 86400 / n),
                        "analysed_at": START,
                        "text": "统计局公布的CPI数据与实际感受不符",
                        "author": f"账号{i % 3000}",
                        "sentiment": ("negative", "neutral", "positive")[i % 3],
                        "p_negative": 0.5,
                        "p_neutral": 0.3,
                        "p_positive": 0.2,
                        "model_version": "bench",
                        "risk": float(i % 100),
                        "risk_factors": [
                            {"key": "negativity", "label": "负面 0.50", "value": 0.5, "contribution": 20}
                        ],
                        "sensitive_topics": ["data_credibility"] if i % 7 == 0 else [],
                        "story_id": stories[i % 500].id if i % 2 else None,
                    }
                    for i in range(lo, min(n, lo + CHUNK))
                ],
            )
        mention_ids = list(s.scalars(select(Mention.id).order_by(Mention.id)))
        linked = mention_ids[::5]
        for lo in range(0, len(linked), CHUNK):
            part = linked[lo : lo + CHUNK]
            s.execute(
                insert(MentionRelease),
                [{"mention_id": m, "release_id": release.id, "confidence": 0.9} for m in part],
            )
            s.execute(insert(IncidentMention), [{"incident_id": incident.id, "mention_id": m} for m in part])
        s.commit()
    engine.dispose()


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    print(f"  {label}: {time.perf_counter() - t:.2f} s")
    return out


def main(n: int) -> None:
    from yuqing.store.db import MIGRATIONS

    schema = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(Path(MIGRATIONS).rglob("*.py")))
    ).hexdigest()
    path = (
        Path(tempfile.gettempdir()) / f"yuqing-reports-bench-{n}-{schema[:10]}.db"
    )  # rebuilt when the schema changes
    if not path.exists():
        t = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build(partial, n)
        partial.rename(path)  # a build that failed half-way is never reused
        print(f"built {n:,} mentions in {time.perf_counter() - t:.1f} s ({path})")
    imports = time.perf_counter()
    from yuqing.reports.assessment import build_assessment
    from yuqing.reports.blocks import assessment_report, daily_report
    from yuqing.reports.briefing import build_daily
    from yuqing.reports.render import render
    from yuqing.reports.special import build_special

    print(
        f"imports (process start → reports loaded): {time.perf_counter() - T0:.2f} s "
        f"(reports modules {time.perf_counter() - imports:.2f} s)"
    )
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings(database_url="sqlite://", bureau_name="某市统计局")
    now = START + timedelta(days=1)
    with session_factory(engine)() as s:
        incident_id = s.scalar(select(Incident.id))
        release_id = s.scalar(select(Release.id))
        documents = {
            "daily": lambda: daily_report(build_daily(s, settings, day=date(2026, 11, 10), now=now)),
            "special": lambda: build_special(s, settings, incident_id=incident_id, now=now),
            "assessment": lambda: assessment_report(
                build_assessment(s, settings, release_id=release_id, now=now)
            ),
        }
        for round_ in ("first (cold)", "second (warm)"):
            print(f"{round_}:")
            for name, make in documents.items():
                t = time.perf_counter()
                report = timed(f"{name} build", make)
                for fmt in ("html", "docx", "pdf"):
                    t_fmt = time.perf_counter()
                    size = len(render(report, fmt))
                    print(f"  {name} {fmt}: {time.perf_counter() - t_fmt:.2f} s, {size:,} bytes")
                print(f"  {name} all three formats on demand: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mentions", nargs="?", type=int, default=100_000, help="mentions on the busy day")
    main(parser.parse_args().mentions)

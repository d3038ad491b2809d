"""API under load: mention search, the incident list and an incident page over a large store.

Loads N synthetic mentions (default 1,000,000) and 1,000 incidents into a database (SQLite in a
temporary folder, or --database-url postgresql://…), builds the search index, serves the real
app with uvicorn on 127.0.0.1 and sends requests from C concurrent clients (default 50). Prints
p50/p95/p99 per endpoint and the error count. Target: p99 under 100 ms. Never run by the tests.

    .venv/bin/python bench/bench_api.py [--mentions 1000000] [--clients 50] [--requests 3000]
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = ["CPI", "居民消费价格", "房租", "物价", "统计局", "菜价", "就业", "失业率", "GDP", "工资", "猪肉",
         "涨价", "同比", "环比", "数据", "体感", "注水", "公布", "解读", "广告", "油价", "消费", "收入"]
FILLER = "今天去菜市场看了一下，感觉和上个月差不多，大家怎么看这个问题呢，说说自己的看法吧。"
QUERIES = ["房租", "CPI AND 房租", "统计局 NOT 广告", '"居民消费价格"', "失业率 OR 就业", "菜价 NEAR/10 CPI",
           "注水 AND (CPI OR GDP)", "猪肉 AND 涨价 AND NOT 广告"]


def text_for(rng: random.Random, n: int) -> str:
    words = rng.sample(WORDS, 3)
    cut = rng.randrange(len(FILLER) - 20)
    return f"{words[0]}{FILLER[cut:cut + 12]}{words[1]}，{FILLER[:cut % 15]}{words[2]}。第{n}条"


def load(url: str, mentions: int, incidents: int) -> None:
    from sqlalchemy import insert

    from yuqing.alerts import service
    from yuqing.store import search_index
    from yuqing.store.db import make_engine, migrate, session_factory
    from yuqing.store.models import Document, Mention

    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=30)
    batch = 20_000
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for lo in range(0, mentions, batch):
            hi = min(mentions, lo + batch)
            at = [start + timedelta(seconds=30 * 86400 * i / mentions) for i in range(lo, hi)]
            texts = [text_for(rng, i) for i in range(lo, hi)]
            conn.execute(insert(Document), [
                {"id": i + 1, "platform": "weibo", "dedup_key": f"b{i}", "url": f"http://127.0.0.1/{i}",
                 "text": t, "published_at": a, "status": "analysed", "extra": {}}
                for i, t, a in zip(range(lo, hi), texts, at, strict=True)])
            conn.execute(insert(Mention), [
                {"id": i + 1, "document_id": i + 1, "platform": rng.choice(("weibo", "news", "tieba")),
                 "published_at": a, "text": t, "sentiment": rng.choice(("negative", "neutral", "positive")),
                 "p_negative": 0.3, "p_neutral": 0.4, "p_positive": 0.3, "model_version": "bench",
                 "risk": rng.random() * 100, "risk_factors": [], "sensitive_topics": [], "topics": [],
                 "analysed_at": a, "alerted": True}
                for i, t, a in zip(range(lo, hi), texts, at, strict=True)])
            print(f"\r  loaded {hi:,} mentions", end="", flush=True)
    print(f"\n  load: {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    factory = session_factory(engine)
    with factory() as s:
        search_index.rebuild(s, batch=20_000)
        s.commit()
    print(f"  search index: {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    with factory() as s:
        for i in range(incidents):
            service.open_incident(s, title=f"压测事件 {i}", grade=("I", "II", "III", "IV")[i % 4],
                                  category="other", actor="bench", now=now - timedelta(minutes=i),
                                  mention_ids=[1 + i * 7 + k for k in range(5)])
            if i % 100 == 99:
                s.commit()
        s.commit()
    print(f"  incidents: {time.perf_counter() - t0:.0f} s")
    engine.dispose()


def serve(url: str) -> tuple[str, str, object]:
    import uvicorn

    from yuqing.api.app import create_app
    from yuqing.api.auth import create_token, ensure_user
    from yuqing.config import Settings
    from yuqing.store.db import make_engine, session_factory

    settings = Settings(env="test", database_url=url, secret_key="bench-secret-key-0123456789abcdef")
    engine = make_engine(url)
    factory = session_factory(engine, writer=False)
    with factory() as s:
        user = ensure_user(s, "bench", "bench-password-123", "press", "压测")
        token = create_token(s, user=user, name="bench", actor="bench")
        s.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, factory), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", token, server


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def hammer(base: str, token: str, clients: int, requests: int, incidents: int) -> None:
    import httpx

    rng = random.Random(3)
    targets = []
    for i in range(requests):
        kind = ("search", "incidents", "incident")[i % 3]
        if kind == "search":
            targets.append((kind, "/api/v1/search", {"q": rng.choice(QUERIES), "limit": "50"}))
        elif kind == "incidents":
            targets.append((kind, "/api/v1/incidents", {"limit": "200"}))
        else:
            targets.append((kind, f"/api/v1/incidents/{rng.randint(1, incidents)}", {}))
    local = threading.local()
    timings: dict[str, list[float]] = {"search": [], "incidents": [], "incident": []}
    errors = []

    def one(target: tuple[str, str, dict[str, str]]) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                        timeout=60)
        kind, path, params = target
        t0 = time.perf_counter()
        res = local.client.get(path, params=params)
        elapsed = (time.perf_counter() - t0) * 1000
        if res.status_code != 200:
            errors.append(f"{path} {res.status_code}")
        timings[kind].append(elapsed)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, targets))
    wall = time.perf_counter() - t0
    print(f"\n{requests} requests from {clients} concurrent clients in {wall:.1f} s "
          f"({requests / wall:.0f} req/s), errors: {len(errors)}")
    print(f"{'endpoint':<12}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind, values in timings.items():
        print(f"{kind:<12}{len(values):>6}{statistics.median(values):>10.1f}{pct(values, 95):>10.1f}"
              f"{pct(values, 99):>10.1f}")


def single(url: str) -> None:
    """Search alone, one client: the cost of the query itself."""
    from yuqing.analysis import search as engine_search
    from yuqing.store.db import make_engine, session_factory

    engine = make_engine(url)
    factory = session_factory(engine, writer=False)
    print(f"\n{'query (one client)':<28}{'hits':>6}{'scanned':>9}{'p50 ms':>9}{'p99 ms':>9}")
    with factory() as s:
        for q in QUERIES:
            times = []
            for _ in range(30):
                t0 = time.perf_counter()
                result = engine_search.search(s, q, limit=50)
                times.append((time.perf_counter() - t0) * 1000)
            print(f"{q:<28}{len(result.hits):>6}{result.scanned:>9}{statistics.median(times):>9.1f}"
                  f"{pct(times, 99):>9.1f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--database-url", help="postgresql+psycopg://…/db (emptied first); default SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if args.database_url:
            from sqlalchemy import text

            from yuqing.store.db import make_engine

            eng = make_engine(url)
            with eng.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            eng.dispose()
        print(f"database: {url.split('@')[-1]}  mentions: {args.mentions:,}  incidents: {args.incidents:,}")
        load(url, args.mentions, args.incidents)
        single(url)
        base, token, server = serve(url)
        hammer(base, token, args.clients, args.requests, args.incidents)
        server.should_exit = True  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

"""The whole path under load: documents stored at a fixed rate → analysis workers → alert engine →
incidents on the board's SSE stream, while API clients read the incident list.

Starts, on a fresh PostgreSQL database (or --database-url): W worker processes
(`yuqing serve --role worker`), one API process (`--role api`), then for --duration seconds inserts
documents at --rate per second as the crawl store would (Document rows, status "new"), with
A API clients reading `/api/v1/incidents` and S SSE clients listening on `/api/v1/stream`.
Prints sustained throughput (documents analysed per second), document-stored → incident-visible
latency (the earliest stored document of each incident to its first "new incident" event on SSE)
p50/p95/p99, API read latency, errors, and the resident memory of every process. Never asserted,
never run by the tests (speed belongs here).

    .venv/bin/python bench/bench_load.py                     # 60 s, 50 documents/s
    .venv/bin/python bench/bench_load.py --duration 600 --rate 1000 --api-clients 50 --sse-clients 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
ROOT = Path(__file__).resolve().parents[1]

NEGATIVE = ["统计局公布的失业率明显注水，和身边感受完全不符", "网友质疑{city}统计数据造假，GDP增速被人为拔高",
            "{city}统计局被曝篡改数据，要求立即彻查并公开回应", "居民收入被平均，统计局数据严重失真引发众怒"]
NEUTRAL = ["国家统计局发布{city}居民消费价格数据，同比上涨0.{n}%",
           "{city}统计局召开新闻发布会，解读前三季度经济运行"]
CITIES = ["北京", "上海", "广州", "成都", "武汉", "西安", "杭州", "南京", "长沙", "郑州", "沈阳", "昆明"]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_database(base: str) -> tuple[str, object]:
    from sqlalchemy import create_engine, text

    from yuqing.store.db import normalise_url

    base = normalise_url(base)
    name = f"yuqing_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                      {"n": name})
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop


def prepare(url: str) -> tuple[int, str]:
    from yuqing.api.auth import create_token, ensure_user
    from yuqing.store.db import make_engine, migrate, session_factory
    from yuqing.store.models import Source

    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as s:
        src = Source(name="压测", kind="news_rss", url="http://127.0.0.1/feed", media_tier="local")
        s.add(src)
        user = ensure_user(s, "bench", "pw-bench", "press", "压测")
        token = create_token(s, user=user, name="b", actor="b")
        s.commit()
        source_id = src.id
    engine.dispose()
    return source_id, token


class Feeder:
    """Documents at a fixed rate, in ticks of 100 ms, as the crawl store writes them."""

    def __init__(self, url: str, source_id: int, rate: float) -> None:
        from yuqing.store.db import make_engine

        self.engine = make_engine(url)
        self.source_id, self.rate, self.sent, self.errors = source_id, rate, 0, 0
        self.rng = random.Random(7)

    def doc(self, n: int) -> dict:
        rng = self.rng
        city = rng.choice(CITIES)
        negative = rng.random() < 0.3
        text = rng.choice(NEGATIVE if negative else NEUTRAL).format(city=city, n=rng.randrange(10))
        text += f"（{uuid.uuid4().hex[:6]}）"
        now = datetime.now(UTC)
        # an event is a topic and indicator in one ISO week (alerts.grouping): spread the negative
        # posts over past weeks so that incidents keep opening during the run
        published = now - timedelta(weeks=rng.randrange(26)) if negative else now
        return {"source_id": self.source_id, "platform": "news", "dedup_key": f"bench-{n}",
                "url": f"http://127.0.0.1/bench/{n}", "title": text[:30], "text": text * 3,
                "published_at": published, "fetched_at": now, "status": "new", "extra": {},
                "reposts": rng.randrange(500), "comments": rng.randrange(200), "likes": rng.randrange(1000)}

    def run(self, seconds: float) -> None:
        from sqlalchemy import insert

        from yuqing.store.models import Document

        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(elapsed * self.rate) + 1
            rows = [self.doc(n) for n in range(self.sent, due)]
            if rows:
                try:
                    with self.engine.begin() as c:
                        c.execute(insert(Document), rows)
                    self.sent = due
                except Exception as exc:  # counted and shown, the run goes on
                    self.errors += 1
                    print(f"feeder error: {exc}", file=sys.stderr)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - start - elapsed)))


async def sse_client(
    base: str, token: str, heard: dict[int, float], errors: list[str], stop: asyncio.Event
) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(10, read=None)
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as c, \
                c.stream("GET", "/api/v1/stream", params={"min_risk": 100}) as r:
            event = None
            async for line in r.aiter_lines():
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "incident":
                    data = json.loads(line[5:])
                    if data.get("type") == "new":
                        heard.setdefault(data["id"], time.time())
    except Exception as exc:
        if not stop.is_set():
            errors.append(f"sse: {type(exc).__name__}: {exc}")


async def api_client(base: str, token: str, lat: list[float], errors: list[str], stop: asyncio.Event) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as c:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                r = await c.get("/api/v1/incidents", params={"limit": 50})
                if r.status_code != 200:
                    errors.append(f"api {r.status_code}")
            except Exception as exc:
                errors.append(f"api: {type(exc).__name__}")
            lat.append(time.perf_counter() - t)
            await asyncio.sleep(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60,
                    help="seconds of load (600 = the issue's 10 minutes)")
    ap.add_argument("--rate", type=float, default=50, help="documents stored per second")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--api-clients", type=int, default=10)
    ap.add_argument("--sse-clients", type=int, default=50)
    ap.add_argument("--drain", type=float, default=60, help="seconds to wait for the backlog after the load")
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                    help="a PostgreSQL server: a fresh database is made on it and dropped after")
    args = ap.parse_args()

    url, drop = make_database(args.database_url)
    source_id, token = prepare(url)
    tmp = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
    env = {**os.environ, "YUQING_DATABASE_URL": url, "YUQING_ENV": "test",
           "YUQING_CONFIG": str(tmp / "none.toml"), "PYTHONPATH": str(ROOT),
           "YUQING_SECRET_KEY": "bench-secret-key-0123456789"}
    port = free_port()
    procs: dict[str, subprocess.Popen] = {}
    logs = []

    def start(name: str, argv: list[str]) -> None:
        out = (tmp / f"{name}.log").open("wb")
        logs.append(out)
        procs[name] = subprocess.Popen([sys.executable, "-m", "yuqing", "serve", *argv], env=env, cwd=tmp,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    try:
        start("api", ["--role", "api", "--port", str(port)])
        for i in range(args.workers):
            start(f"worker{i}", ["--role", "worker", "--job-interval", "1"])
        base = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        feeder = Feeder(url, source_id, args.rate)
        heard: dict[int, float] = {}
        errors: list[str] = []
        api_lat: list[float] = []
        peak: dict[str, float] = {}

        async def run() -> float:
            stop = asyncio.Event()
            tasks = [asyncio.create_task(sse_client(base, token, heard, errors, stop))
                     for _ in range(args.sse_clients)]
            tasks += [asyncio.create_task(api_client(base, token, api_lat, errors, stop))
                      for _ in range(args.api_clients)]
            await asyncio.sleep(2)  # streams connected
            t0 = time.monotonic()
            feed = asyncio.get_running_loop().run_in_executor(None, feeder.run, args.duration)
            while not feed.done():
                for name, p in procs.items():
                    peak[name] = max(peak.get(name, 0.0), rss_mb(p.pid))
                peak["bench"] = max(peak.get("bench", 0.0), rss_mb(os.getpid()))
                await asyncio.sleep(1)
            await feed
            load_s = time.monotonic() - t0
            deadline = time.monotonic() + args.drain
            while time.monotonic() < deadline and pending() > 0:
                await asyncio.sleep(1)
            await asyncio.sleep(3)  # the last incidents reach the streams
            stop.set()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            return load_s

        from sqlalchemy import func, select

        from yuqing.store.models import Document, Incident, IncidentMention, Mention

        def pending() -> int:
            with feeder.engine.connect() as c:
                return int(c.scalar(select(func.count()).where(Document.status == "new")) or 0)

        t_start = time.monotonic()
        load_s = asyncio.run(run())
        total_s = time.monotonic() - t_start
        with feeder.engine.connect() as c:
            done = int(c.scalar(select(func.count()).where(Document.status != "new")) or 0)
            failed = int(c.scalar(select(func.count()).where(Document.status == "failed")) or 0)
            first_stored = dict(c.execute(
                select(IncidentMention.incident_id, func.min(Document.fetched_at))
                .join(Mention, Mention.id == IncidentMention.mention_id)
                .join(Document, Document.id == Mention.document_id)
                .group_by(IncidentMention.incident_id)).all())
            incidents = int(c.scalar(select(func.count()).select_from(Incident)) or 0)
        latencies = [heard[i] - first_stored[i].replace(tzinfo=UTC).timestamp()
                     for i in heard if first_stored.get(i) is not None]
        print(f"load: {args.duration:.0f} s at {args.rate:g} documents/s, {args.workers} workers, "
              f"{args.api_clients} API clients, {args.sse_clients} SSE clients (PostgreSQL)")
        print(f"documents stored {feeder.sent}, analysed {done} ({failed} failed), left {feeder.sent - done}")
        print(f"throughput: {done / total_s:.1f} documents/s analysed over {total_s:.0f} s "
              f"(stored {feeder.sent / load_s:.1f}/s during the load)")
        print(f"incidents opened {incidents}, heard on SSE {len(heard)}")
        print(f"stored → incident visible on SSE: p50 {pct(latencies, 50):.2f} s, "
              f"p95 {pct(latencies, 95):.2f} s, p99 {pct(latencies, 99):.2f} s (n={len(latencies)})")
        print(f"API incident list: p50 {pct(api_lat, 50) * 1000:.0f} ms, "
              f"p99 {pct(api_lat, 99) * 1000:.0f} ms over {len(api_lat)} requests")
        print(f"errors: {len(errors) + feeder.errors + failed}"
              + (f" (first: {errors[0]})" if errors else ""))
        print("peak memory (RSS): " + ", ".join(f"{k} {v:.0f} MB" for k, v in peak.items()))
        feeder.engine.dispose()
    finally:
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        for out in logs:
            out.close()
        drop()


if __name__ == "__main__":
    main()

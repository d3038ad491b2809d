"""Two crawler processes on one site share one Redis frontier (scrapy-redis): every article is
stored once and no URL is fetched twice. Article replies are held until both processes have asked
for one, so the test proves the queue is shared rather than that one process was faster.
(robots.txt is fetched by each process's own robots middleware, outside the scheduler, by design.)"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from tests.crawler.conftest import write_config
from tests.scale.conftest import REDIS_URL, Children
from tests.servers import wait_until
from yuqing.config import Settings, SourceConfig
from yuqing.store.db import make_engine, migrate, session_factory, session_scope
from yuqing.store.models import Document
from yuqing.store.sync import sync_config

pytestmark = pytest.mark.slow  # several processes: run first (tests/conftest.py)

ARTICLES = 24
# Article replies are held until both processes asked; on a loaded machine the second may start
# minutes late, so the hold, the download timeout and the test's bound leave room for it (not speed).
HOLD_SECONDS = 360


class Site:
    """A feed of ARTICLES articles; article replies wait until two user agents asked for articles."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []  # (path, user agent)
        self.both = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                agent = self.headers.get("User-Agent", "")
                site.log.append((self.path, agent))
                if self.path == "/feed.xml":
                    body, ctype = site.feed(), "application/rss+xml; charset=utf-8"
                elif self.path.startswith("/a/"):
                    if len({a for p, a in site.log if p.startswith("/a/")}) >= 2:
                        site.both.set()
                    site.both.wait(HOLD_SECONDS)
                    body, ctype = site.article(int(self.path[3:].split(".")[0])), "text/html; charset=utf-8"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def feed(self) -> bytes:
        items = "".join(f"<item><title>统计快讯第{i}期</title><link>/a/{i}.html</link>"
                        f"<pubDate>Sun, 15 Nov 2026 0{i % 10}:00:00 GMT</pubDate></item>"
                        for i in range(ARTICLES))
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试</title>'
                f"<link>{self.url}/</link>{items}</channel></rss>").encode()

    @staticmethod
    def article(i: int) -> bytes:
        words = "、".join(f"第{i}期指标{j}为{i * 37 + j * 11}" for j in range(40))
        return (f"<html><head><title>统计快讯第{i}期</title></head><body><article><h1>统计快讯第{i}期</h1>"
                f"<p>本期统计快讯发布了以下数据：{words}。</p><p>编号 {uuid.uuid4().hex} 。</p>"
                "</article></body></html>").encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_two_crawler_processes_share_one_frontier(pg_url: str, children: Children, tmp_path: Path) -> None:
    site = Site()
    prefix = f"yuqing-test:{uuid.uuid4().hex[:8]}"
    r = redis.Redis.from_url(REDIS_URL)
    engine = make_engine(pg_url)
    try:
        migrate(engine)
        # at most two requests in flight per process: the first cannot take the whole queue
        source = {"name": "快讯", "kind": "news_rss", "url": f"{site.url}/feed.xml", "obey_robots": False,
                  "options": {"concurrency_per_domain": 2, "concurrent_requests": 2}}
        # replies are held until the second process asks (it may start seconds later): a long timeout
        config = write_config(tmp_path / "yuqing.toml", pg_url, [dict(source)],
                              crawl={"timeout_seconds": HOLD_SECONDS + 20})
        with session_scope(session_factory(engine)) as s:
            sync_config(s, Settings(env="test", database_url=pg_url,
                                    sources=[SourceConfig(**{k: v for k, v in source.items()})]))
        env = {**os.environ, "YUQING_CONFIG": str(config), "YUQING_DATABASE_URL": pg_url,
               "YUQING_REDIS_URL": REDIS_URL, "YUQING_CRAWL__REDIS_PREFIX": prefix}
        def start(i: int) -> subprocess.Popen[bytes]:
            return children.start([sys.executable, "-m", "yuqing.crawler.service", "快讯"],
                                  {**env, "YUQING_CRAWL__USER_AGENT": f"crawler-{i}"}, tmp_path / f"c{i}.log")

        # The second process joins once the first has read the feed and holds its first articles, so
        # the queue it finds is never empty (a process that finds nothing to do ends at once, which is
        # right for a crawler and, started too early, made this test depend on process start-up time).
        procs = [start(0)]
        assert wait_until(lambda: any(path.startswith("/a/") for path, _ in site.log), HOLD_SECONDS), \
            "the first crawler never asked for an article"
        procs.append(start(1))
        # a bound against a hang, not a speed check: on an idle machine both finish in seconds
        finished = wait_until(lambda: all(p.poll() is not None for p in procs), HOLD_SECONDS + 60)
        assert finished, "crawls did not finish"
        logs = [(tmp_path / f"c{i}.log").read_text() for i in range(2)]
        assert [p.returncode for p in procs] == [0, 0], logs
        fetched = Counter(path for path, _ in site.log)
        assert fetched["/feed.xml"] == 1
        assert {p: n for p, n in fetched.items() if n > 1} == {}  # no URL twice
        assert sum(p.startswith("/a/") for p in fetched) == ARTICLES
        by_agent = Counter(agent for path, agent in site.log if path.startswith("/a/"))
        assert set(by_agent) == {"crawler-0", "crawler-1"}, by_agent  # both took work from one queue
        print(f"\narticles fetched per crawler process: {dict(by_agent)}")
        with engine.connect() as c:
            stored = c.execute(select(Document.url, func.count()).group_by(Document.url)).all()
        assert len(stored) == ARTICLES and {n for _, n in stored} == {1}, logs
    finally:
        site.close()
        for key in r.scan_iter(f"{prefix}:*"):
            r.delete(key)
        r.close()
        engine.dispose()

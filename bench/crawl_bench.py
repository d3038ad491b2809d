"""Crawl throughput: 10,000 Weibo posts and 2,000 news articles from a local site into SQLite.

Generates its own site (search JSON pages, an RSS feed, article pages), serves it from a separate
process on 127.0.0.1, runs the real spiders and pipeline (`crawler.run.run_crawls`) into a temporary
SQLite database, and prints items/s and peak memory. Target: >= 500 items/s, < 300 MB.

    .venv/bin/python bench/crawl_bench.py [--posts 10000] [--articles 2000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import socket
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

KEYWORDS = [f"指标{i:02d}" for i in range(20)]
PER_PAGE = 20
PARAGRAPHS = [
    "国家统计局今天发布数据，10月份全国居民消费价格同比上涨0.2%，环比下降0.1%。",
    "食品价格下降2.9%，其中猪肉价格下降较多；非食品价格上涨0.9%，服务价格温和上涨。",
    "专家表示，扣除食品和能源价格的核心CPI同比上涨0.5%，涨幅保持稳定，物价总体平稳。",
    "也有网友认为，自己感受到的菜价、房租涨幅与统计数据存在差距，希望统计部门进一步解读。",
]


def mblog(n: int) -> dict:
    return {
        "id": str(5_100_000_000_000_000 + n),
        "mid": str(5_100_000_000_000_000 + n),
        "bid": f"B{n:07d}",
        "created_at": f"{(n % 59) + 1}分钟前" if n % 3 else "Sun Nov 15 10:00:00 +0800 2026",
        "text": f"第{n}条：10月份<a href='/search?q=CPI'>#CPI#</a>同比上涨0.2%<br />{PARAGRAPHS[n % 4]}",
        "source": "微博 weibo.com",
        "reposts_count": n % 1000,
        "comments_count": "1.5万" if n % 7 == 0 else n % 50,
        "attitudes_count": "100万+" if n % 11 == 0 else n % 300,
        "isLongText": False,
        "user": {
            "id": 3_000_000 + n % 5000,
            "screen_name": f"用户{n % 5000}",
            "followers_count": "2.3万",
            "verified": n % 5 == 0,
            "verified_type": 0 if n % 5 == 0 else -1,
        },
    }


def build_site(root: Path, posts: int, articles: int) -> None:
    pages_per_keyword = -(-posts // (len(KEYWORDS) * PER_PAGE))
    n = 0
    for k in range(len(KEYWORDS)):
        for page in range(1, pages_per_keyword + 2):
            cards = []
            if page <= pages_per_keyword:
                for _ in range(PER_PAGE):
                    if n < posts:
                        cards.append({"card_type": 9, "mblog": mblog(n)})
                        n += 1
            body = {"ok": 1, "data": {"cards": cards}} if cards else {"ok": 0, "msg": "这里还没有内容"}
            (root / f"weibo_{k}_{page}.json").write_text(
                json.dumps(body, ensure_ascii=False), encoding="utf-8"
            )
    items = []
    (root / "news").mkdir()
    for a in range(articles):
        items.append(
            f"<item><title>统计稿件{a}</title><link>/news/{a}.html</link>"
            f"<pubDate>Sun, 15 Nov 2026 02:{a % 60:02d}:00 GMT</pubDate></item>"
        )
        body = "".join(f"<p>{PARAGRAPHS[(a + i) % 4]}</p>" for i in range(6))
        (root / "news" / f"{a}.html").write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>统计稿件{a}</title>"
            f"<meta property='article:published_time' content='2026-11-15T10:{a % 60:02d}:00+08:00'></head>"
            f"<body><div class='nav'>首页 | 经济</div><h1>统计稿件{a}</h1>"
            f"<div class='info'>2026-11-15 10:{a % 60:02d} 来源：示例通讯社</div><article>{body}</article>"
            f"<div class='footer'>版权所有</div></body></html>",
            encoding="utf-8",
        )
    (root / "feed.xml").write_text(
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>基准</title>"
        + "".join(items)
        + "</channel></rss>",
        encoding="utf-8",
    )


def serve(root: str, port: int) -> None:
    base = Path(root)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/api/container/getIndex":
                qs = parse_qs(url.query)
                container = parse_qs(unquote(qs["containerid"][0]))
                keyword = container["q"][0]
                path = base / f"weibo_{KEYWORDS.index(keyword)}_{qs['page'][0]}.json"
            elif url.path == "/feed.xml":
                path = base / "feed.xml"
            else:
                path = base / url.path.lstrip("/")
            body = path.read_bytes() if path.is_file() else b"not found"
            self.send_response(200 if path.is_file() else 404)
            self.send_header(
                "Content-Type", "application/json" if path.suffix == ".json" else "text/html; charset=utf-8"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=2_000)
    args = parser.parse_args()

    from sqlalchemy import func, select

    import yuqing.crawler.spiders.news_rss
    import yuqing.crawler.spiders.weibo_search  # noqa: F401 (imported before the clock starts)
    from yuqing.config import Settings
    from yuqing.crawler.run import run_crawls
    from yuqing.store.db import make_engine, migrate, session_factory, session_scope
    from yuqing.store.models import Document
    from yuqing.store.sync import sync_config

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        build_site(root, args.posts, args.articles)
        port = free_port()
        server = multiprocessing.Process(target=serve, args=(str(root), port), daemon=True)
        server.start()
        time.sleep(0.5)
        fast = {
            "concurrency_per_domain": 16,
            "retry_backoff_seconds": 0.1,
            "batch_size": 500,
        }
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            crawl={"download_delay": 0, "autothrottle": False, "timeout_seconds": 30, "weibo_page_cap": 100},
            sources=[
                {
                    "name": "bench-weibo",
                    "kind": "weibo_search",
                    "url": f"http://127.0.0.1:{port}",
                    "keywords": KEYWORDS,
                    "obey_robots": False,
                    "options": {**fast, "max_windows": 0},  # a Weibo-only option (typed per kind)
                },
                {
                    "name": "bench-news",
                    "kind": "news_rss",
                    "url": f"http://127.0.0.1:{port}/feed.xml",
                    "obey_robots": False,
                    "options": fast,
                },
            ],
        )
        engine = make_engine(settings.database_url)
        migrate(engine)
        with session_scope(session_factory(engine)) as session:
            sync_config(session, settings)
        started = time.perf_counter()
        cpu_started = time.process_time()
        results = run_crawls(settings, ["bench-weibo", "bench-news"])
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        with session_scope(session_factory(engine)) as session:
            stored = dict(
                session.execute(select(Document.platform, func.count()).group_by(Document.platform)).all()
            )
        server.terminate()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total = sum(r.stored for r in results)
        print(f"stored: {stored} (expected weibo={args.posts}, news={args.articles})")
        for r in results:
            print(
                f"  {r.source}: status={r.status} stored={r.stored} quarantined={r.quarantined} "
                f"errors={r.errors} requests={r.requests}"
            )
        print(f"wall time: {elapsed:.1f} s, crawler CPU time: {cpu:.1f} s")
        print(f"throughput: {total / elapsed:.0f} items/s wall, {total / cpu:.0f} items/s per CPU-second")
        print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

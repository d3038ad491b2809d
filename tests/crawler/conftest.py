"""A local site for real crawls (the pattern of Scrapy's tests/mockserver) and a crawl runner.

The server serves tests/fixtures/sites/ and, per test, programmable replies: a sequence per path
(5xx then success), a status and body (432, captcha), slow replies (timeouts), redirects, and a
Content-Type that lies about the charset. Every request is logged, so a test can assert that a
re-run fetched nothing it already had.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
ROOT = Path(__file__).resolve().parents[2]
# real saved pages, beside the checkout (never copied into the repository; origins in its README)
REAL = ROOT.parent / "shared" / "real"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def file(cls, rel: str, content_type: str | None = None, **kw: Any) -> Reply:
        path = SITES / rel
        ctype = content_type or (
            "application/json; charset=utf-8"
            if rel.endswith(".json")
            else "application/xml; charset=utf-8"
            if rel.endswith(".xml")
            else "text/html"
        )
        return cls(body=path.read_bytes(), content_type=ctype, **kw)

    @classmethod
    def real(cls, rel: str, content_type: str | None = None, **kw: Any) -> Reply:
        """A real page from ../shared/real/ served as the site sent it."""
        ctype = content_type or (
            "application/json; charset=utf-8" if rel.endswith(".json") else "text/html; charset=utf-8"
        )
        return cls(body=(REAL / rel).read_bytes(), content_type=ctype, **kw)


class MockSite:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.log: list[str] = []
        self.headers: list[dict[str, str]] = []  # request headers, in the order of `log`
        self.forms: list[tuple[str, dict[str, str]]] = []  # POSTed forms (path, fields), in turn
        # a POST path answered from its form (e.g. by its page field); else its route as for GET
        self.post_handlers: dict[str, Callable[[dict[str, str]], Reply]] = {}
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site.lock:
                    site.log.append(self.path)
                    site.headers.append(dict(self.headers.items()))
                    reply = site.reply_for(self.path)
                self._send(reply)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                with site.lock:
                    site.log.append(f"POST {self.path}")
                    site.headers.append(dict(self.headers.items()))
                    site.forms.append((self.path, form))
                    handler = site.post_handlers.get(self.path)
                    reply = handler(form) if handler else site.reply_for(self.path)
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, path: str, *replies: Reply) -> None:
        """Replies for `path` (with its query), served in turn; the last one repeats."""
        self.routes[path] = list(replies)

    def reply_for(self, path: str) -> Reply:
        replies = self.routes.get(path) or self.routes.get(path.split("?")[0])
        if replies:
            return replies.pop(0) if len(replies) > 1 else replies[0]
        if path == "/robots.txt":
            return Reply(status=404, body=b"not found")
        return Reply(status=404, body=b"<html><body>404</body></html>")

    def hits(self, fragment: str) -> int:
        return sum(fragment in p for p in self.log)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[MockSite]:
    s = MockSite()
    yield s
    s.close()


def _toml_value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else str(v).lower()


def write_config(
    path: Path,
    database_url: str,
    sources: list[dict[str, Any]],
    watch: list[dict[str, Any]] | None = None,
    crawl: dict[str, Any] | None = None,
) -> Path:
    """A TOML config with fast crawl settings (no delay, short timeout, one retry)."""
    crawl = {
        "download_delay": 0,
        "timeout_seconds": 1.5,
        "retry_times": 1,
        "autothrottle": False,
        "backoff_minutes": 15,
        **(crawl or {}),
    }
    lines = [f"database_url = {_toml_value(database_url)}", 'env = "test"', "[crawl]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in crawl.items()]
    for w in watch or []:
        lines.append("[[watch]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in w.items()]
    for s in sources:
        opts = {"retry_backoff_seconds": 0.05, **s.pop("options", {})}
        lines.append("[[sources]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in s.items()]
        lines.append("[sources.options]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in opts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def reactor_thread() -> None:
    """One Twisted reactor for the whole session, in a thread (crawler.reactor): every crawl of a
    test runs in this process through CrawlerRunner, with no interpreter start-up and no Alembic."""
    from yuqing.crawler import reactor

    reactor.start()


@pytest.fixture
def crawl(tmp_path: Path, database_url: str, session: Any, reactor_thread: None, monkeypatch):
    """Run `yuqing …` (the real CLI command, in this process) against a config of the given sources.

    The test's session ends its transaction first: on SQLite every transaction takes the write
    lock (BEGIN IMMEDIATE, store.db), which would keep the crawl from writing.
    """
    from typer.testing import CliRunner

    from yuqing.app.cli import app
    from yuqing.config import get_settings

    monkeypatch.chdir(tmp_path)  # no stray .env is read

    def run(
        sources: list[dict[str, Any]],
        *args: str,
        watch: list[dict[str, Any]] | None = None,
        crawl_settings: dict[str, Any] | None = None,
        command: str = "crawl",
    ) -> CrawlRun:
        session.rollback()
        config = write_config(
            tmp_path / "yuqing.toml", database_url, [dict(s) for s in sources], watch, crawl_settings
        )
        env = {
            "YUQING_CONFIG": str(config),
            "YUQING_DATABASE_URL": database_url,
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, [command, *args], env=env)
        finally:
            get_settings.cache_clear()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CrawlRun(result.exit_code, result.stdout, result.stderr)

    return run


def run_cli_subprocess(tmp_path: Path, database_url: str, config: Path, *args: str) -> CrawlRun:
    """`yuqing …` as its own process, as the scheduler starts a crawl."""
    env = {
        **os.environ,
        "YUQING_CONFIG": str(config),
        "YUQING_DATABASE_URL": database_url,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing", *args],  # the console script, whatever its install
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr)

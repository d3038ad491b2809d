"""Alerts test helpers: settings with local channels, a recording webhook, a local SMTP server, mentions."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import Session

from tests.servers import free_port
from yuqing.config import ChannelConfig, NotifyConfig, Settings
from yuqing.store.models import Document, Mention, Story


class Receiver:
    """A local HTTP endpoint recording every POST; can be taken 'down' (answers 503), wholly or on
    some paths, or made to hold its answer on some paths (it records, then answers only once
    `release` is set: a receiver that processed the message while the sender timed out)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.down = False
        self.down_paths: set[str] = set()
        self.hold_paths: set[str] = set()
        self.release = threading.Event()
        self.lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                if receiver.down or parts.path in receiver.down_paths:
                    self.send_response(503)
                    self.end_headers()
                    return
                with receiver.lock:
                    receiver.requests.append({
                        "path": parts.path, "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "headers": {k.lower(): v for k, v in self.headers.items()}, "raw": raw,
                        "json": json.loads(raw)})
                    receiver.lock.notify_all()
                if parts.path in receiver.hold_paths:
                    receiver.release.wait(60)
                answer = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def wait_for(self, path: str, n: int = 1, timeout: float = 60) -> bool:
        """Wait until `n` requests reached `path` (an event, not a sleep)."""
        with self.lock:
            return self.lock.wait_for(lambda: len(self.on(path)) >= n, timeout)

    def on(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    def keys(self, path: str) -> list[str]:
        return [r["headers"]["x-yuqing-idempotency-key"] for r in self.on(path)]

    def item_keys(self, path: str) -> list[str]:
        """The notification keys delivered (a grouped message carries several)."""
        return [item["key"] for r in self.on(path) for item in r["json"].get("items", [])]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    def build(receiver: Receiver | None = None, **overrides: Any) -> Settings:
        channels = []
        if receiver is not None:
            channels = [
                ChannelConfig(name="press-hook", kind="webhook", url=receiver.url + "/press",
                              secret="s3cret", audience="press"),
                ChannelConfig(name="leaders-hook", kind="webhook", url=receiver.url + "/leaders",
                              secret="s3cret", audience="leadership"),
            ]
        notify = overrides.pop("notify", None) or NotifyConfig(
            channels=channels, backoff_base_seconds=30, backoff_max_seconds=600, max_attempts=8)
        return Settings(_env_file=None, base_url="http://127.0.0.1:8000", notify=notify, **overrides)

    return build


T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # Tuesday 10:00 Shanghai


@pytest.fixture
def add_mentions(session: Session) -> Callable[..., list[Mention]]:
    """Mentions as analysis records them. `event` names the story they share (None: no story), so
    the alert engine groups them by it unless a release or a sensitive topic groups them first."""
    counter = iter(range(1, 10**6))
    stories: dict[str, int] = {}

    def add(n: int, *, event: str | None, risk: float, at: datetime = T0, topics: tuple[str, ...] = (),
            sentiment: str = "negative", title: str = "网传统计数据造假", release_id: int | None = None,
            subject: str | None = None) -> list[Mention]:
        if event is not None and event not in stories:
            story = Story(title=event)
            session.add(story)
            session.flush()
            stories[event] = story.id
        rows = []
        for _ in range(n):
            i = next(counter)
            doc = Document(platform="weibo", dedup_key=f"k{i}-{id(session)}", url=f"http://127.0.0.1/{i}",
                           text="x", published_at=at, fetched_at=at, status="analysed")
            session.add(doc)
            session.flush()
            p_neg = 0.9 if sentiment == "negative" else 0.1
            m = Mention(document_id=doc.id, platform="weibo", published_at=at, title=title, text=title,
                        sentiment=sentiment, p_negative=p_neg, p_neutral=(1 - p_neg) / 2,
                        p_positive=(1 - p_neg) / 2, model_version="test", risk=risk,
                        sensitive_topics=list(topics), topics=[], analysed_at=at,
                        story_id=stories.get(event) if event else None, release_id=release_id,
                        subject=subject)
            session.add(m)
            rows.append(m)
        session.flush()
        return rows

    return add


class Timeline:
    """Drives the engine along fake time like the scheduler would: process, tick, commit, deliver.

    `deliveries` records (fake time, path, request) for each request the receiver got at that step.
    """

    def __init__(self, session_maker: Any, settings: Settings, receiver: Receiver | None) -> None:
        self.session_maker, self.settings, self.receiver = session_maker, settings, receiver
        self.deliveries: list[tuple[datetime, str, dict[str, Any]]] = []

    def step(self, now: datetime, settings: Settings | None = None) -> None:
        from yuqing.alerts.engine import process_mentions, tick
        from yuqing.alerts.outbox import deliver_due

        settings = settings or self.settings
        with self.session_maker() as s, s.begin():
            process_mentions(s, settings, now=now)
            tick(s, settings, now=now)
        seen = len(self.receiver.requests) if self.receiver else 0
        deliver_due(self.session_maker, settings, now=now)
        if self.receiver:
            for r in self.receiver.requests[seen:]:
                self.deliveries.append((now, r["path"], r))

    def run(self, start: datetime, end: datetime, every: Any, settings: Settings | None = None) -> None:
        t = start
        while t <= end:
            self.step(t, settings)
            t += every

    def when(self, path: str, step: str) -> list[datetime]:
        """Fake times at which a notification whose key contains `step` reached `path`."""
        return [t for t, p, r in self.deliveries if p == path
                and any(item["key"].split("|")[0].endswith(step) for item in r["json"]["items"])]

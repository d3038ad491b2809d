"""Wake-ups for the SSE streams of this API process when any process commits a live change.

One listener thread per API process: PostgreSQL `LISTEN yuqing_live`, or Redis pub/sub on the same
channel when `redis_url` is configured (see `store.live_notify`, the publishing side). Streams
then read what changed from the database (`api.live.poll`), so every replica's clients see every
event. On SQLite there is no listener: this process's own commits wake its streams directly
(`live_notify.subscribe`), and streams also poll on their timer for what other processes write
(`hears_other_processes` is False). A lost connection is re-established; on (re)connection every
stream is woken, so nothing committed meanwhile waits longer than one poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from sqlalchemy.engine import make_url

from yuqing.store import live_notify
from yuqing.store.db import normalise_url
from yuqing.store.live_notify import CHANNEL

log = logging.getLogger(__name__)


class LiveBus:
    def __init__(self, database_url: str, redis_url: str | None = None) -> None:
        self.database_url = normalise_url(database_url)
        self.redis_url = redis_url
        self.version = 0  # wake-ups so far
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def kind(self) -> str:
        """What wakes this process's streams: "redis", "postgresql", or "local" (its own commits only)."""
        if self.redis_url:
            return "redis"
        if self.database_url.startswith("postgresql"):
            return "postgresql"
        return "local"

    @property
    def hears_other_processes(self) -> bool:
        """Whether a commit in any process wakes the streams (else they must also poll)."""
        return self.kind != "local"

    def ensure_started(self) -> None:
        """Start listening, on the running event loop (the first stream's)."""
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        if self.kind == "local":
            live_notify.subscribe(self._wake)
            return
        target = self._listen_redis if self.kind == "redis" else self._listen_postgresql
        self._thread = threading.Thread(target=target, name="yuqing-live-bus", daemon=True)
        self._thread.start()

    async def wait(self, seen: int, timeout: float) -> int:
        """Until a wake-up after `seen` or `timeout` seconds; returns the current version."""
        if self.version == seen and self._event is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout)
        return self.version

    def stop(self) -> None:
        self._stop.set()
        live_notify.unsubscribe(self._wake)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _wake(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._bump)

    def _bump(self) -> None:
        self.version += 1
        event, self._event = self._event, asyncio.Event()
        if event is not None:
            event.set()

    def _listen_postgresql(self) -> None:
        import psycopg

        conninfo = make_url(self.database_url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._wake()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self._wake()
            except Exception:
                log.warning("实时推送监听与 PostgreSQL 的连接中断，正在重连", exc_info=True)
                self._stop.wait(1)

    def _listen_redis(self) -> None:
        import redis

        while not self._stop.is_set():
            try:
                client = redis.Redis.from_url(self.redis_url or "", socket_timeout=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self._wake()
                try:
                    while not self._stop.is_set():
                        if pubsub.get_message(timeout=1.0) is not None:
                            self._wake()
                finally:
                    pubsub.close()
                    client.close()
            except Exception:
                log.warning("实时推送监听与 Redis 的连接中断，正在重连", exc_info=True)
                self._stop.wait(1)

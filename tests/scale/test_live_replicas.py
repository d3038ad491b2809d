"""Two API replicas on one PostgreSQL database: an incident opened through one reaches the SSE
clients of both, woken by LISTEN/NOTIFY or Redis pub/sub (the streams' backstop poll is set far
beyond the wait, so arrival proves the wake-up)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.scale.conftest import REDIS_URL
from tests.servers import ThreadServer, wait_until
from yuqing.api.app import create_app
from yuqing.api.auth import create_token, ensure_user
from yuqing.config import Settings
from yuqing.store import live_notify
from yuqing.store.db import make_engine, migrate, session_factory

pytestmark = pytest.mark.slow  # several replicas: run first (tests/conftest.py)

BACKSTOP = 120.0  # the streams' timer: far beyond the wait below, so arrival proves the wake-up


class Listener(threading.Thread):
    """An SSE client: (arrival time, event, data, id) of everything it hears."""

    def __init__(self, base: str, token: str, last_event_id: str | None = None) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.last_event_id = base, token, last_event_id
        self.heard: list[tuple[float, str, dict[str, Any], str | None]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server goes away at the end of the test
            self._listen()

    def _listen(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        with httpx.Client(base_url=self.base, headers=headers, timeout=httpx.Timeout(5, read=None)) as c, \
                c.stream("GET", "/api/v1/stream") as stream:
            event, ident = None, None
            for line in stream.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("id:"):
                    ident = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event:
                    self.heard.append((time.monotonic(), event, json.loads(line.split(":", 1)[1]), ident))

    def find(self, name: str, **match: Any) -> tuple[float, str, dict[str, Any], str | None] | None:
        for item in self.heard:
            if item[1] == name and all(item[2].get(k) == v for k, v in match.items()):
                return item
        return None


def _token(factory: sessionmaker[Session]) -> str:
    with factory() as s:
        token = create_token(s, user=ensure_user(s, "duty", "pw-duty", "press", "值班"), name="t", actor="t")
        s.commit()
    return token


@pytest.mark.parametrize("bus", ["postgresql", "redis"])
def test_an_incident_opened_through_one_replica_reaches_the_clients_of_both(pg_url: str, bus: str) -> None:
    """Woken by PostgreSQL LISTEN/NOTIFY, or by Redis pub/sub when redis_url is configured."""
    engine = make_engine(pg_url)
    migrate(engine)
    redis_url = REDIS_URL if bus == "redis" else None
    live_notify.configure(redis_url)  # what `yuqing serve` does for this process's writes
    settings = Settings(env="test", database_url=pg_url, secret_key="test-secret-key-0123456789",
                        redis_url=redis_url)
    token = _token(session_factory(engine))
    engines = [make_engine(pg_url) for _ in range(2)]
    apps = [create_app(settings, session_factory(e, writer=False), stream_interval_s=0.05,
                       stream_backstop_s=BACKSTOP) for e in engines]
    assert all(a.state.live_bus.kind == bus for a in apps)
    listeners: list[Listener] = []
    try:
        with ThreadServer(apps[0]) as one, ThreadServer(apps[1]) as two:
            listeners = [Listener(one.url, token), Listener(one.url, token), Listener(two.url, token),
                         Listener(two.url, token)]
            for listener in listeners:
                listener.start()
            assert wait_until(lambda: all(li.find("hello") for li in listeners), 60)
            # the listener threads of both replicas are up once every stream said hello; give LISTEN a beat
            assert wait_until(lambda: all(a.state.live_bus.version > 0 for a in apps), 60)
            opened_at = time.monotonic()
            r = httpx.post(f"{one.url}/api/v1/incidents", json={"title": "跨副本推送", "grade": "II"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert r.status_code == 201, r.text
            incident_id = r.json()["id"]
            heard = [lambda li=li: li.find("incident", type="new", id=incident_id) for li in listeners]
            assert wait_until(lambda: all(h() for h in heard), 60)
            delays = ", ".join(f"{(h()[0] - opened_at) * 1000:.0f} ms" for h in heard)
            print(f"\nincident → SSE clients of both replicas: {delays}")

            # a client that reconnects with the id of the last event it heard gets what it missed
            last_id = listeners[2].find("incident", type="new", id=incident_id)[3]
            assert last_id is not None
            r = httpx.post(f"{two.url}/api/v1/incidents", json={"title": "断线期间立案", "grade": "III"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
            missed = r.json()["id"]
            late = Listener(one.url, token, last_event_id=last_id)
            listeners.append(late)
            late.start()
            assert wait_until(lambda: late.find("incident", type="new", id=missed), 60)
            assert late.find("incident", type="new", id=incident_id) is None  # heard before: not sent again
    finally:
        for listener in listeners:
            listener.stop.set()
        for e in [*engines, engine]:
            e.dispose()
        live_notify.configure(None)

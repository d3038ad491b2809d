"""Servers the tests run in their own process: an ASGI app under uvicorn in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy or `timeout` seconds pass (then its last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class ThreadServer:
    """An ASGI app under uvicorn in a thread of this process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        assert wait_until(lambda: self.server.started, 60), "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        # The test is over: open event streams are dropped, not waited out (graceful shutdown
        # would give each its 2 s).
        self.server.should_exit = self.server.force_exit = True
        self.thread.join(timeout=10)
        bus = getattr(getattr(self.app, "state", None), "live_bus", None)
        if bus is not None:  # what the app's shutdown does, which a forced exit skips
            bus.stop()

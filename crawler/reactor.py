"""One Twisted reactor for a long-lived process, running in a background thread.

Twisted's reactor can start only once per process, so `CrawlerProcess` (which starts and stops it)
serves one crawl per process: the `yuqing crawl` command. A process that crawls many times (the test
suite, an embedding service) starts this thread once and hands each crawl to it through
`CrawlerRunner`; the calling thread blocks until the crawl has finished (`blockingCallFromThread`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

_lock = threading.Lock()
_thread: threading.Thread | None = None


def start() -> None:
    """Install the asyncio reactor (Scrapy's default) and run it in a daemon thread (idempotent)."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        from scrapy.utils.reactor import install_reactor

        install_reactor(ASYNCIO_REACTOR)
        from twisted.internet import reactor

        loop = reactor._asyncioEventloop  # type: ignore[attr-defined]
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)  # Scrapy looks the loop up from inside the reactor thread
            reactor.callWhenRunning(started.set)  # type: ignore[attr-defined]
            reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]

        _thread = threading.Thread(target=run, name="twisted-reactor", daemon=True)
        _thread.start()
        started.wait(30)


def running() -> bool:
    return _thread is not None and _thread.is_alive()


def call(fn: Callable[[], Any], timeout: float | None = None) -> Any:
    """Run `fn` in the reactor thread; if it returns a Deferred, wait for its result (re-raising).
    TimeoutError after `timeout` seconds (the work goes on in the reactor; the caller stops it)."""
    from twisted.internet import reactor
    from twisted.internet.defer import maybeDeferred
    from twisted.python.failure import Failure

    if not running():
        raise RuntimeError("反应器线程未启动（先调用 crawler.reactor.start()）")
    done = threading.Event()
    box: list[Any] = []

    def run() -> None:
        d = maybeDeferred(fn)

        def finish(result: Any) -> None:
            box.append(result)
            done.set()

        d.addBoth(finish)

    reactor.callFromThread(run)  # type: ignore[attr-defined]
    if not done.wait(timeout):
        raise TimeoutError(f"反应器中的任务超过 {timeout} 秒未完成")
    result = box[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result

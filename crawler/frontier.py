"""A crawl frontier shared by several crawler processes: scrapy-redis's scheduler and duplicate
filter, when `redis_url` is configured (else Scrapy's own in-memory scheduler, the default).

The processes that crawl one source within one interval share a *round*: the first to start
creates it in Redis (SET NX, expiring after the interval), the others join it. A round has one
request queue and one set of request fingerprints, so each URL is fetched once per round by
whichever process pops it; the next round starts empty (the fingerprints expire), because a feed
or list page must be fetched again each interval. Requests are queued as JSON (`dumps`/`loads`
below), never pickles.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from yuqing.config import Settings, SourceConfig


def round_id(settings: Settings, source: SourceConfig) -> str:
    """This interval's crawl round of `source`: joined if another process started it, else begun."""
    import redis

    interval = settings.crawl.interval_of(source.kind, source.interval_seconds)
    client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=5)
    try:
        key = f"{settings.crawl.redis_prefix}:{source.name}:round"
        client.set(key, uuid.uuid4().hex[:12], nx=True, ex=max(1, interval))
        current = client.get(key)
        rid = current.decode() if current else uuid.uuid4().hex[:12]
        # the fingerprints outlive the round a little, then go (the queue empties itself)
        seen = f"{settings.crawl.redis_prefix}:{source.name}:{rid}:seen"
        client.sadd(seen, "")
        client.expire(seen, 2 * interval)
        return rid
    finally:
        client.close()


def scrapy_redis_settings(settings: Settings, source: SourceConfig) -> dict[str, Any]:
    """Scrapy settings for the shared frontier of `source`; empty without `redis_url`."""
    if not settings.redis_url:
        return {}
    base = f"{settings.crawl.redis_prefix}:{source.name}:{round_id(settings, source)}"
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": f"{base}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{base}:seen",
        "SCHEDULER_PERSIST": True,  # another process may still be crawling this round
        "SCHEDULER_SERIALIZER": "yuqing.crawler.frontier",
        "REDIS_URL": settings.redis_url,
    }


def _enc(v: Any) -> Any:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, bytes):
        return {"__b__": base64.b64encode(v).decode()}
    if isinstance(v, datetime):
        return {"__dt__": v.isoformat()}
    if isinstance(v, list | tuple):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: _enc(x) for k, x in v.items()}
        return {"__d__": [[_enc(k), _enc(x)] for k, x in v.items()]}
    raise TypeError(f"a queued request cannot carry {type(v).__name__}")


def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if isinstance(v, dict):
        if "__b__" in v and len(v) == 1:
            return base64.b64decode(v["__b__"])
        if "__dt__" in v and len(v) == 1:
            return datetime.fromisoformat(v["__dt__"])
        if "__d__" in v and len(v) == 1:
            return {_dec(k): _dec(x) for k, x in v["__d__"]}
        return {k: _dec(x) for k, x in v.items()}
    return v


def dumps(obj: Any) -> bytes:
    """scrapy-redis serializer: a request's dict as JSON (bytes, datetimes and byte-keyed headers tagged)."""
    return json.dumps(_enc(obj), ensure_ascii=False).encode()


def loads(data: bytes | str) -> Any:
    return _dec(json.loads(data))

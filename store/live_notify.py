"""Publishing "something the live board shows changed", once per transaction, for every API replica.

Any session that writes an incident, a deadline, a timeline entry, a mention or a notification
sends `NOTIFY yuqing_live` inside its transaction on PostgreSQL: delivered on commit (never for a
rolled-back write), folded into one per transaction by the server, heard by every listening API
replica (`api.live_bus`). With `redis_url` configured, the same wake-up is also published on a
Redis channel after commit. The notification carries no data: replicas read the events from the
database (`api.live`), so a missed notification delays nothing beyond the board's backstop poll.
SQLite has no NOTIFY: there the API process's own commits (its requests, and the scheduler's jobs
in `serve --role all`) wake its streams in-process (`subscribe`), and a timer polls for the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "yuqing_live"
WATCHED = frozenset({"incidents", "deadlines", "incident_events", "mentions", "notifications"})
_FLAG = "yuqing_live_changed"
_redis: dict[str, Any] = {"url": None, "client": None}  # set by `configure` (settings.redis_url)
_local: list[Callable[[], None]] = []  # this process's listeners (`subscribe`)


def subscribe(listener: Callable[[], None]) -> None:
    """Call `listener` (no arguments, must not block) after each commit of a live change made in
    this process."""
    _local.append(listener)


def unsubscribe(listener: Callable[[], None]) -> None:
    if listener in _local:
        _local.remove(listener)


def configure(redis_url: str | None) -> None:
    """Also publish on Redis (a process's settings say where; called once at start)."""
    _redis.update(url=redis_url or None, client=None)


def _touches_live(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in WATCHED:
            return True
    return False


@event.listens_for(Session, "before_flush")
def _mark(session: Session, _ctx: Any, _instances: Any) -> None:
    if _touches_live(session):
        session.info[_FLAG] = True


@event.listens_for(Session, "after_flush")
def _notify(session: Session, _ctx: Any) -> None:
    if not session.info.get(_FLAG):
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"NOTIFY {CHANNEL}")  # transactional: sent on commit only


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    if not session.info.pop(_FLAG, False):
        return
    for listener in list(_local):
        try:
            listener()
        except Exception:  # a listener's fault never fails the commit that woke it
            log.warning("实时事件未能通知本进程的推送", exc_info=True)
    if _redis["url"]:
        try:
            if _redis["client"] is None:
                import redis

                _redis["client"] = redis.Redis.from_url(_redis["url"], socket_timeout=2)
            _redis["client"].publish(CHANNEL, b"")
        except Exception:  # the board falls back to its poll; the write itself is committed
            log.warning("实时事件未能发布到 Redis", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_FLAG, None)


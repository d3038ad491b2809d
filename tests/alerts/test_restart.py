"""Restart: a delivery process killed (SIGKILL) mid-batch; a new process delivers the rest, none lost."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from yuqing.alerts.engine import tick
from yuqing.alerts.outbox import LEASE_SECONDS, deliver_due
from yuqing.store.models import Notification

from .conftest import T0
from .test_timeline import open_grade_i

CHILD = """
import os, signal, sys
from datetime import datetime
from yuqing.alerts.channels import send
from yuqing.alerts.outbox import deliver_due
from yuqing.store.db import make_engine, session_factory
from yuqing.config import Settings

url, settings_json, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
settings = Settings.model_validate_json(settings_json)

def send_then_die(channel, message, settings, now):
    send(channel, message, settings, now)
    os.kill(os.getpid(), signal.SIGKILL)  # killed after the first send, before recording it

deliver_due(session_factory(make_engine(url)), settings, now=now, sender=send_then_die)
"""


def test_killed_sender_loses_nothing_and_repeats_only_under_the_same_key(
    database_url, session_maker, make_settings, receiver
):
    settings = make_settings(receiver)
    settings.policy.hour_reminders.escalate_minutes = 0
    settings.policy.press_conference_hours = 5
    open_grade_i(session_maker, settings, category="other")
    due = T0 + timedelta(hours=5)
    # One reminder per deadline per channel pending, plus the opening notices: several batches.
    at: datetime = due - 59 * timedelta(minutes=1)
    with session_maker() as s, s.begin():
        tick(s, settings, now=at)
    with session_maker() as s:
        pending = list(s.scalars(select(Notification.key).where(Notification.status == "pending")))
    assert len(pending) >= 3

    argv = [sys.executable, "-c", CHILD, database_url, settings.model_dump_json(), at.isoformat()]
    child = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert child.returncode == -9, child.stderr
    # each channel's worker got its first message out at most (the first to return killed them all)
    before_kill = {r["headers"]["x-yuqing-idempotency-key"] for r in receiver.requests}
    assert 1 <= len(receiver.requests) <= 2 and len(before_kill) == len(receiver.requests)

    restarted = at + timedelta(seconds=LEASE_SECONDS)
    deliver_due(session_maker, settings, now=restarted)
    deliver_due(session_maker, settings, now=restarted + timedelta(minutes=1))
    with session_maker() as s:
        statuses = Counter(s.scalars(select(Notification.status)))
    assert statuses == Counter({"sent": len(pending)})
    delivered = receiver.item_keys("/press") + receiver.item_keys("/leaders")
    assert set(delivered) == set(pending)
    by_key = Counter(receiver.keys("/press") + receiver.keys("/leaders"))
    # only what got out before the kill came again, once, under the same key: the receiver drops it
    assert {k: n for k, n in by_key.items() if n > 1} == {k: 2 for k in before_kill}

"""Delivery faults of issue 8: a receiver that processes then times out, a crash between sending and
recording, a channel down for an hour, a channel that hangs. Fake time (`now`), a real local receiver.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from yuqing.alerts import outbox, service
from yuqing.alerts.engine import tick
from yuqing.alerts.outbox import deliver_due
from yuqing.config import ChannelConfig, NotifyConfig
from yuqing.store.models import IncidentEvent, Notification

from .conftest import T0, Timeline
from .test_timeline import open_grade_i

MIN = timedelta(minutes=1)
DUE = T0 + timedelta(hours=5)  # the grade-I authoritative-information deadline


def _notify(receiver, *extra: ChannelConfig, timeout: float = 10.0, **kw) -> NotifyConfig:  # type: ignore[no-untyped-def]
    channels = [
        ChannelConfig(name="press-hook", kind="webhook", url=receiver.url + "/press", audience="press",
                      timeout_seconds=timeout),
        ChannelConfig(name="leaders-hook", kind="webhook", url=receiver.url + "/leaders",
                      audience="leadership"),
        *extra,
    ]
    return NotifyConfig(channels=channels, backoff_base_seconds=30, backoff_max_seconds=600, **kw)


def test_a_timed_out_group_is_retried_under_the_same_key_every_time(session_maker, make_settings, receiver):
    """The receiver processes each message, then answers too late: every retry carries the same key."""
    def configured(timeout: float):  # type: ignore[no-untyped-def]
        settings = make_settings(notify=_notify(receiver, timeout=timeout, max_attempts=4))
        settings.policy.hour_reminders.escalate_minutes = 0
        settings.policy.authoritative_hours = 1  # the 60-minute reminder falls due with the opening
        settings.policy.press_conference_hours = 1
        return settings

    # While the receiver holds every answer, a short timeout runs out for sure; once it answers
    # again, a generous one, so that a loaded machine's slow reply is not taken for a failure.
    settings, answering = configured(0.1), configured(10.0)
    receiver.hold_paths = {"/press"}
    with session_maker() as s, s.begin():
        incident_id = service.open_incident(s, title="两个时限同时到期", grade="II", category="other",
                                            actor="press-officer", now=T0, settings=settings).id
    timeline = Timeline(session_maker, settings, receiver)
    # the first tick groups opened + two lead-60; they time out and are retried…
    timeline.run(T0 + MIN, T0 + MIN, MIN)
    with session_maker() as s, s.begin():  # …just as something new is said about the incident
        service.change_grade(s, incident_id=incident_id, grade="I", actor="press-officer", now=T0 + 2 * MIN,
                             reason="事件扩大", settings=settings)
    timeline.run(T0 + 2 * MIN, T0 + 50 * MIN, MIN)
    receiver.hold_paths = set()
    timeline.run(T0 + 51 * MIN, T0 + 70 * MIN, MIN, answering)

    keys_of_notice: dict[str, set[str]] = defaultdict(set)
    arrivals: dict[str, int] = defaultdict(int)
    for r in receiver.on("/press"):
        for item in r["json"]["items"]:
            keys_of_notice[item["key"]].add(r["headers"]["x-yuqing-idempotency-key"])
            arrivals[item["key"]] += 1
    assert len(keys_of_notice) >= 5  # opened, two lead-60, upgraded-I, lead-15…
    assert all(len(keys) == 1 for keys in keys_of_notice.values()), keys_of_notice
    assert max(arrivals.values()) >= 3  # it really was re-sent, each time under its one key
    with session_maker() as s:
        rows = list(s.scalars(select(Notification).where(Notification.channel == "press-hook")))
    assert {r.status for r in rows} <= {"sent", "superseded"}
    timed_out = [r for r in receiver.on("/press") if r["json"]["key"].startswith("group:")]
    assert timed_out, "the burst went out as one grouped message"


def test_a_crash_after_sending_never_re_sends_a_stale_reminder(session_maker, make_settings, receiver):
    """Sent, then the process died before recording; it came back after the deadline had passed."""
    settings = make_settings(receiver)
    open_grade_i(session_maker, settings)
    with session_maker() as s, s.begin():
        tick(s, settings, now=DUE - 15 * MIN)  # lead-60 skipped, lead-15 and the escalation written
    with session_maker() as s, s.begin():
        claimed = outbox.claim(s, settings, DUE - 15 * MIN)
    from yuqing.alerts.channels import send
    for channel, message in claimed:
        send(channel, message, settings, DUE - 15 * MIN)  # …and the process dies before `settle`
    sent_before = len(receiver.requests)

    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(DUE + 2 * MIN, DUE + 2 * MIN, MIN)  # back after the breach

    later = receiver.requests[sent_before:]
    steps = [i["step"] for r in later for i in r["json"]["items"]]
    assert "lead-15" not in steps and "escalate" not in steps
    assert {"breach", "breach-leadership"} <= set(steps)
    with session_maker() as s:
        stale = {r.payload["step"]: r for r in s.scalars(select(Notification).where(
            Notification.status == "superseded"))}
        assert set(stale) >= {"lead-15", "escalate"}
        assert "期限已过" in (stale["lead-15"].last_error or "")
        events = list(s.scalars(select(IncidentEvent.message).where(
            IncidentEvent.kind == "notifications_superseded")))
    assert events and "lead-15" in events[0]


def test_a_met_deadline_s_claimed_reminder_is_superseded_not_sent(session_maker, make_settings, receiver):
    settings = make_settings(receiver)
    incident_id = open_grade_i(session_maker, settings)
    Timeline(session_maker, settings, receiver).run(T0, T0, MIN)
    with session_maker() as s, s.begin():
        tick(s, settings, now=DUE - 60 * MIN)
    with session_maker() as s, s.begin():
        assert outbox.claim(s, settings, DUE - 60 * MIN)  # claimed, then the sender died unsent
    with session_maker() as s, s.begin():
        service.record_action(s, kind="authoritative_info", at=DUE - 58 * MIN, actor="press-officer",
                              now=DUE - 58 * MIN, incident_id=incident_id, evidence_url="http://stats.example/1")
    seen = len(receiver.requests)
    deliver_due(session_maker, settings, now=DUE - 50 * MIN)  # the lease is over
    assert receiver.requests[seen:] == []
    with session_maker() as s:
        rows = list(s.scalars(select(Notification).where(Notification.status == "superseded")))
    assert {r.payload["step"] for r in rows} == {"lead-60", "escalate"}
    assert all(r.last_error == "期限已完成或已豁免" for r in rows)


def test_a_dead_deadline_notice_alarms_elsewhere_and_is_delivered_when_the_channel_returns(
    session_maker, make_settings, receiver
):
    backup = ChannelConfig(name="backup-hook", kind="webhook", url=receiver.url + "/backup", audience="press")
    settings = make_settings(notify=_notify(receiver, backup, max_attempts=3))
    incident_id = open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, DUE - 65 * MIN, 30 * MIN)
    receiver.down_paths = {"/press"}
    timeline.run(DUE - 62 * MIN, DUE - 45 * MIN, MIN)

    with session_maker() as s:
        board = outbox.alarms(s)
        dead = s.scalars(select(Notification).where(Notification.channel == "press-hook",
                                                    Notification.status == "dead")).all()
        timeline_entries = s.scalars(select(IncidentEvent.message).where(
            IncidentEvent.incident_id == incident_id, IncidentEvent.kind == "notification_dead")).all()
    assert [d.payload["step"] for d in dead] == ["lead-60"] and dead[0].attempts > 3  # still retried
    assert [(a["channel"], a["step"]) for a in board] == [("press-hook", "lead-60")]
    assert len(timeline_entries) == 1 and "press-hook" in timeline_entries[0]
    for path in ("/leaders", "/backup"):  # every other channel, once, although it kept failing
        alarms = [i for r in receiver.on(path) for i in r["json"]["items"] if i["kind"] == "dead_letter"]
        assert [(a["step"], a["failed_channel"], a["dead_letter_id"]) for a in alarms] == \
            [("lead-60", "press-hook", dead[0].id)]
    before = len(receiver.on("/press"))  # the opening notice, delivered before the outage

    receiver.down_paths = set()
    timeline.run(DUE - 44 * MIN, DUE - 30 * MIN, MIN)
    assert [i["step"] for r in receiver.on("/press")[before:] for i in r["json"]["items"]] == ["lead-60"]
    with session_maker() as s:
        assert outbox.alarms(s) == []
        assert s.scalar(select(IncidentEvent.id).where(IncidentEvent.kind == "notification_recovered"))


def test_retries_resume_as_soon_as_the_channel_answers_again(session_maker, make_settings, receiver):
    settings = make_settings(notify=_notify(receiver, max_attempts=3))
    receiver.down_paths = {"/press"}
    open_grade_i(session_maker, settings)
    timeline = Timeline(session_maker, settings, receiver)
    timeline.run(T0, T0 + 10 * MIN, MIN)
    with session_maker() as s:
        waiting = s.scalars(select(Notification).where(Notification.channel == "press-hook")).one()
        assert waiting.status == "dead" and waiting.next_attempt_at > T0 + 12 * MIN
    receiver.down_paths = set()
    back = T0 + 11 * MIN
    with session_maker() as s, s.begin():  # something new to say on the channel: it answers
        service.open_incident(s, title="另一事件", grade="IV", category="other", actor="press-officer",
                              now=back, settings=settings)
    timeline.run(back, back + MIN, MIN)
    assert [t for t, p, r in timeline.deliveries if p == "/press"] == [back, back + MIN]
    with session_maker() as s:
        assert set(s.scalars(select(Notification.status))) == {"sent"}


def test_a_hanging_channel_holds_up_no_other(session_maker, make_settings, receiver):
    slow = ChannelConfig(name="slow-hook", kind="webhook", url=receiver.url + "/slow", audience="press",
                         timeout_seconds=60)
    fast = ChannelConfig(name="fast-hook", kind="webhook", url=receiver.url + "/fast", audience="press")
    settings = make_settings(notify=NotifyConfig(channels=[slow, fast]))
    receiver.hold_paths = {"/slow"}
    with session_maker() as s, s.begin():
        service.open_incident(s, title="一般事件", grade="IV", category="other", actor="press-officer",
                              now=T0, settings=settings)
    delivered: list[int] = []
    worker = threading.Thread(target=lambda: delivered.append(deliver_due(session_maker, settings, now=T0)))
    worker.start()
    try:
        assert receiver.wait_for("/slow")  # the slow channel's message is first, and hangs…
        assert receiver.wait_for("/fast")  # …while the fast channel's goes out all the same
        assert worker.is_alive() and not receiver.release.is_set()
    finally:
        receiver.release.set()
        worker.join(60)
    assert delivered == [2]
    with session_maker() as s:
        assert set(s.scalars(select(Notification.status))) == {"sent"}


def test_a_channel_timeout_is_its_own_and_reported_in_chinese(session_maker, make_settings, receiver):
    settings = make_settings(notify=_notify(receiver, timeout=0.2))
    receiver.hold_paths = {"/press"}
    open_grade_i(session_maker, settings)
    assert deliver_due(session_maker, settings, now=T0) == 1  # leadership got through
    with session_maker() as s:
        row = s.scalars(select(Notification).where(Notification.channel == "press-hook")).one()
    assert row.status == "pending" and row.last_error.startswith("超时（0.2 秒内未答复）")


def test_the_lease_must_outlast_every_channel_timeout(receiver) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="lease_seconds"):
        _notify(receiver, timeout=120, lease_seconds=60)


def test_what_makes_a_notice_stale() -> None:
    from yuqing.alerts.stages import stale_reason, step_rank
    from yuqing.store.models import Deadline

    open_deadline = Deadline(state="due_soon", due_at=DUE)
    base = dict(now=DUE - 10 * MIN, deadline=open_deadline, quiet=False, later_sent=None,
                incident_closed=False, original_status=None)
    assert stale_reason(kind="deadline", step="lead-15", **base) is None
    assert stale_reason(kind="deadline", step="lead-60", **{**base, "later_sent": "lead-15"}) == \
        "同一通道已发出更晚的提醒（lead-15）"
    assert stale_reason(kind="deadline", step="escalate", **{**base, "now": DUE}) is not None
    assert stale_reason(kind="deadline", step="breach", **{**base, "now": DUE + MIN}) is None
    assert stale_reason(kind="deadline", step="breach",
                        **{**base, "deadline": Deadline(state="met", due_at=DUE)}) == "期限已完成或已豁免"
    assert stale_reason(kind="deadline", step="repeat-1", **{**base, "quiet": True}) is not None
    assert stale_reason(kind="incident", step="opened", **{**base, "incident_closed": True}) == "事件已关闭"
    assert stale_reason(kind="dead_letter", step="breach", **{**base, "original_status": "dead"}) is None
    assert stale_reason(kind="dead_letter", step="breach", **{**base, "original_status": "sent"}) is not None
    order = ["lead-60", "lead-15", "escalate", "breach", "repeat-1", "repeat-2"]
    assert sorted(reversed(order), key=step_rank) == order
    days = ["lead-3d", "lead-1d", "lead-0d", "escalate", "breach", "repeat-1"]  # working-day clocks
    assert sorted(reversed(days), key=step_rank) == days

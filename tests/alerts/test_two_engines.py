"""Two alert engines on the same mentions open one incident (issue 8: split brain doubled the clocks).

Both engines decide that the event has no incident before either commits (a barrier in front of
`open_incident`), as two schedulers after a database restart did. The open event key is unique:
the second insert is refused (PostgreSQL: after waiting for the first transaction; SQLite, whose
single writer refuses a stale reader outright: its whole run rolls back), and the second engine
joins the first one's incident. Then both run again, as they would on their next tick.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from yuqing.alerts import service
from yuqing.alerts.engine import process_mentions
from yuqing.store.models import Deadline, Incident, IncidentEvent, Notification

from .conftest import T0


def test_two_engines_racing_on_one_event_open_one_incident(
    session, session_maker, add_mentions, make_settings, receiver, monkeypatch
):  # type: ignore[no-untyped-def]
    settings = make_settings(receiver)
    add_mentions(8, event="cpi-fraud", risk=88, topics=("data_credibility",), at=T0)
    session.commit()
    real_open = service.open_incident
    both_decided = threading.Barrier(2, timeout=60)

    def open_after_both_decided(*args: Any, **kwargs: Any) -> Incident:
        both_decided.wait()  # each engine has read the event and found no incident
        return real_open(*args, **kwargs)

    monkeypatch.setattr(service, "open_incident", open_after_both_decided)
    outcomes: dict[str, str] = {}

    def engine_run(name: str) -> None:
        try:
            with session_maker() as s:  # READ COMMITTED / deferred: both read before either writes
                process_mentions(s, settings, now=T0)
                s.commit()
                outcomes[name] = "committed"
        except OperationalError as exc:  # SQLite refuses the second writer's stale transaction
            outcomes[name] = f"rolled back: {exc.orig}"

    first = threading.Thread(target=engine_run, args=("first",))
    second = threading.Thread(target=engine_run, args=("second",))
    first.start()
    second.start()
    first.join(120)
    second.join(120)
    assert "committed" in outcomes.values()
    assert all(o == "committed" or "locked" in o for o in outcomes.values())
    if session.get_bind().dialect.name == "postgresql":
        assert outcomes == {"first": "committed", "second": "committed"}  # the loser joined the winner

    monkeypatch.setattr(service, "open_incident", real_open)
    for _ in range(2):  # both engines' next ticks
        with session_maker() as s, s.begin():
            process_mentions(s, settings, now=T0)

    with session_maker() as s:
        incidents = list(s.scalars(select(Incident)))
        assert len(incidents) == 1 and incidents[0].grade == "I" and incidents[0].mention_count == 8
        assert s.scalar(select(func.count()).select_from(Deadline)) == 2
        opened = s.scalar(select(func.count()).where(IncidentEvent.kind == "opened"))
        assert opened == 1
        notices = sorted(s.scalars(select(Notification.key)))
        incident_id = incidents[0].id
        assert notices == [f"incident:{incident_id}:opened:leadership|leaders-hook",
                           f"incident:{incident_id}:opened|press-hook"]

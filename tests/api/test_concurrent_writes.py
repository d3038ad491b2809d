"""Duty writes never fail while the scheduler commits (issue 8: "database is locked" on SQLite).

Several clients write through the real app served by uvicorn (notes, assign, acknowledge, close)
while a background writer commits the way the scheduler does (new mentions → alert engine → tick),
one commit after another until the clients are done. Every request must succeed and every write must be there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts import service
from yuqing.alerts.engine import process_mentions, tick
from yuqing.api.auth import create_token, ensure_user
from yuqing.config import Settings
from yuqing.store.db import session_factory
from yuqing.store.models import Document, Incident, IncidentEvent, Mention, Story

CLIENTS = 3
ROUNDS = 12  # per client: a note and an assignment each round
# The event the background mentions belong to (alerts.grouping: no release, no sensitive topic, so
# their story); the shared incident holds it.
STORY_TITLE = "并发写入"


def _token(factory: sessionmaker[Session], name: str) -> str:
    with factory() as session:
        user = ensure_user(session, name, "pw-" + name, "press", name)
        token = create_token(session, user=user, name="tests", actor="tests")
        session.commit()
    return token


def _background_writer(engine: Engine, settings: Settings, stop: threading.Event, done: list[int],
                       story_id: int) -> None:
    """Commits like the scheduler: a crawled document, its mention, the alert engine and the tick."""
    factory = session_factory(engine, writer=True)
    for i in range(400):  # bounded; the clients normally finish well before
        if stop.is_set():
            break
        now = datetime.now(UTC)
        with factory() as session:
            doc = Document(platform="weibo", dedup_key=f"bg-{i}", url=f"http://127.0.0.1/bg/{i}", text="x",
                           published_at=now, fetched_at=now, status="analysed")
            session.add(doc)
            session.flush()
            session.add(Mention(document_id=doc.id, platform="weibo", published_at=now, text="统计数据造假？",
                                sentiment="negative", p_negative=0.9, p_neutral=0.05, p_positive=0.05,
                                model_version="test", risk=30.0, sensitive_topics=[], topics=[],
                                story_id=story_id, analysed_at=now))
            session.flush()
            process_mentions(session, settings, now=now)
            tick(session, settings, now=now)
            session.commit()
        done.append(i)
        # The next commit at once, as a busy scheduler's would be, but not in a hot loop: on SQLite
        # that loop took the write lock 400 times over before the clients got theirs.
        stop.wait(0.005)


def _run_client(base: str, token: str, shared: int, own: int, errors: list[str], wrote: list[str]) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        def post(path: str, body: dict[str, str] | None = None) -> None:
            r = http.post(path, json=body)
            if r.status_code // 100 != 2:
                errors.append(f"{path}: {r.status_code} {r.text[:120]}")
            else:
                wrote.append(path)

        post(f"/api/v1/incidents/{own}/acknowledge")
        for i in range(ROUNDS):
            post(f"/api/v1/incidents/{shared}/notes", {"message": f"{token[:6]} 第 {i} 条会商记录"})
            post(f"/api/v1/incidents/{own}/assign", {"owner": f"值班员{i}"})
        post(f"/api/v1/incidents/{own}/status", {"status": "closed"})


def test_duty_writes_never_fail_while_the_scheduler_commits(
    server: str, engine: Engine, session_maker: sessionmaker[Session], settings: Settings,
    make: Callable,
) -> None:  # type: ignore[type-arg]
    with session_maker() as session:
        story = Story(title=STORY_TITLE)
        session.add(story)
        session.flush()
        story_id, event = story.id, f"story:{story.id}"
        shared = service.open_incident(session, title="网传CPI造假", grade="II", category="data_credibility",
                                       actor="tests", now=datetime.now(UTC), event_key=event,
                                       settings=settings)
        own = [service.open_incident(session, title=f"事件{i}", grade="IV", category="other", actor="tests",
                                     now=datetime.now(UTC), settings=settings).id for i in range(CLIENTS)]
        session.commit()
        shared_id = shared.id
    tokens = [_token(session_maker, f"duty{i}") for i in range(CLIENTS)]

    errors: list[str] = []
    wrote: list[str] = []
    stop, background_rounds = threading.Event(), []
    writer = threading.Thread(target=_background_writer,
                              args=(engine, settings, stop, background_rounds, story_id))
    clients = [threading.Thread(target=_run_client,
                                args=(server, tokens[i], shared_id, own[i], errors, wrote))
               for i in range(CLIENTS)]
    writer.start()
    for c in clients:
        c.start()
    before = len(background_rounds)
    for c in clients:
        c.join(timeout=300)
    during = len(background_rounds) - before
    stop.set()
    writer.join(timeout=300)

    assert errors == [], f"{len(errors)} of {len(errors) + len(wrote)} writes failed: {errors[:3]}"
    assert len(wrote) == CLIENTS * (2 * ROUNDS + 2)
    assert during > 0, "the background writer committed nothing while the clients wrote"
    with session_maker() as session:
        notes = session.scalar(select(func.count()).where(IncidentEvent.incident_id == shared_id,
                                                          IncidentEvent.kind == "note"))
        assert notes == CLIENTS * ROUNDS
        for incident_id in own:
            incident = session.get(Incident, incident_id)
            assert incident is not None and incident.status == "closed"
            kinds = list(session.scalars(select(IncidentEvent.kind).where(
                IncidentEvent.incident_id == incident_id).order_by(IncidentEvent.id)))
            assert kinds.count("assigned") == ROUNDS and kinds.count("status_changed") == 2
        attached = session.scalar(select(func.count()).select_from(Mention).where(Mention.event_key == event,
                                                                                  Mention.alerted.is_(True)))
        assert attached == len(background_rounds)


def test_a_database_still_locked_after_the_wait_is_a_503_to_retry_never_a_500(app, client) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    @app.post("/api/v1/_test_locked")
    def locked() -> None:
        raise OperationalError("UPDATE incidents …", {}, Exception("database is locked"))

    r = client.post("/api/v1/_test_locked")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json()["detail"] == "数据库繁忙或暂时不可用，本次操作未保存，请稍后重试"

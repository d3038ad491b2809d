"""API fixtures: the app on the real migrated database, users, and row factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.servers import ThreadServer
from yuqing.api.app import create_app
from yuqing.api.auth import create_token, ensure_user
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.store.models import Document, Incident, Mention, MentionRelease, Release, Source

_seq = count(1)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key="test-secret-key-0123456789")


@pytest.fixture
def app(settings: Settings, session_maker: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    # Streams are woken by this process's commits (the tests' own writes too); the timer is for
    # other processes' writes, and there are none here.
    return create_app(settings, session_maker, stream_interval_s=1.0)


@pytest.fixture
def anon(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        yield client


def _token(session_maker: sessionmaker[Session], username: str, role: str) -> str:
    with session_maker() as session:
        user = ensure_user(session, username, "pw-" + username, role, username.upper())
        # Full scope: what the role allows decides, as for a browser session.
        token = create_token(session, user=user, name="tests", actor="tests", scope="admin")
        session.commit()
    return token


@pytest.fixture
def client(app, session_maker: sessionmaker[Session]) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A press officer's client authenticated with a Bearer token."""
    token = _token(session_maker, "duty", "press")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


@pytest.fixture
def client_as(app, session_maker: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """Factory: a Bearer-authenticated client for a user of `role`."""
    opened: list[TestClient] = []

    def make(role: str) -> TestClient:
        c = TestClient(
            app, headers={"Authorization": f"Bearer {_token(session_maker, role + '-user', role)}"}
        )
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def add_source(session: Session, **fields: Any) -> Source:
    n = next(_seq)
    values = {"name": f"src{n}", "kind": "news_rss", "url": f"http://127.0.0.1/{n}", **fields}
    src = Source(**values)
    session.add(src)
    session.flush()
    return src


def add_mention(session: Session, text: str = "一条信息", **fields: Any) -> Mention:
    n = next(_seq)
    published = fields.pop("published_at", clock_now() - timedelta(minutes=5))
    platform = fields.pop("platform", "weibo")
    doc = Document(
        platform=platform,
        dedup_key=f"k{n}",
        url=f"http://127.0.0.1/d/{n}",
        text=text,
        published_at=published,
        status="analysed",
    )
    session.add(doc)
    session.flush()
    values: dict[str, Any] = dict(
        document_id=doc.id,
        platform=platform,
        published_at=published,
        text=text,
        sentiment="neutral",
        p_negative=0.2,
        p_neutral=0.6,
        p_positive=0.2,
        model_version="test",
        risk=10.0,
        risk_factors=[],
        sensitive_topics=[],
        topics=[],
        url=doc.url,
    )
    values.update(fields)
    m = Mention(**values)
    session.add(m)
    session.flush()
    return m


def add_release(session: Session, indicator: str = "CPI", published_at: datetime | None = None) -> Release:
    r = Release(
        title=f"2026年10月份居民消费价格 {next(_seq)}",
        indicator=indicator,
        indicator_name="居民消费价格指数",
        period_label="2026年10月",
        published_at=published_at or clock_now() - timedelta(hours=2),
    )
    session.add(r)
    session.flush()
    return r


def link(session: Session, mention: Mention, release: Release) -> None:
    session.add(MentionRelease(mention_id=mention.id, release_id=release.id, confidence=0.9, reasons=[]))
    session.flush()


def add_answered_incident(session: Session, now: datetime) -> Incident:
    """A grade I incident over three accusing posts, opened 29 h before `now`, its authoritative
    information published 2 h after opening (on time); no press conference (missed)."""
    from yuqing.alerts import service

    ids = [add_mention(session, "CPI造假", sentiment="negative",
                       published_at=now - timedelta(hours=30 + i)).id for i in range(3)]
    incident = service.open_incident(session, title="CPI数据遭造假质疑", grade="I",
                                     category="data_credibility", actor="测试",
                                     now=now - timedelta(hours=29), mention_ids=ids)
    service.record_action(session, kind="authoritative_info", at=now - timedelta(hours=27), actor="测试",
                          now=now, incident_id=incident.id,
                          evidence_url="https://www.stats.gov.cn/sj/sjjd/1.html")
    return incident


@pytest.fixture
def make():  # type: ignore[no-untyped-def]
    """Row factories (tests import nothing from conftest under --import-mode=importlib)."""
    from types import SimpleNamespace

    return SimpleNamespace(source=add_source, mention=add_mention, release=add_release, link=link,
                           answered_incident=add_answered_incident)


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    with ThreadServer(app) as srv:
        yield srv.url

"""A small, fully known world of rows for the report tests (briefing day 2026-11-10).

The briefing period is 2026-11-09 00:00 – 2026-11-10 00:00 UTC (08:00–08:00 Beijing time);
`NOW` is 08:30 Beijing time on the briefing day.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from yuqing.config import Settings
from yuqing.store.models import (
    Deadline,
    Document,
    Incident,
    IncidentMention,
    Mention,
    MentionRelease,
    Release,
    Source,
    Story,
)

DAY = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 0, 30, tzinfo=UTC)
EVIL = '<script>alert("x")</script>网传统计局&数据造假'


def t(hour: float, day: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


@dataclass
class World:
    cpi: int
    cpi_prev: int
    cpi_old: int
    ppi: int
    story_fraud: int
    incident_serious: int
    incident_closed: int
    incident_new: int
    evil_mention: int
    day: date = DAY
    now: datetime = NOW
    evil: str = EVIL


_seq = itertools.count(1)


def add_mention(
    session: Session,
    *,
    at: datetime,
    platform: str = "weibo",
    sentiment: str = "neutral",
    risk: float = 10.0,
    story: Story | None = None,
    title: str | None = None,
    text: str = "正文",
    sensitive: list[str] | None = None,
    factors: list[dict[str, Any]] | None = None,
    release: Release | None = None,
    confidence: float = 0.9,
    author: str = "网友",
) -> Mention:
    n = next(_seq)
    doc = Document(
        platform=platform,
        dedup_key=f"k{n}",
        url=f"https://example.test/{n}",
        text=text,
        published_at=at,
        status="analysed",
    )
    session.add(doc)
    session.flush()
    p_neg = {"negative": 0.8, "neutral": 0.1, "positive": 0.05}[sentiment]
    m = Mention(
        document_id=doc.id,
        platform=platform,
        published_at=at,
        title=title,
        text=text,
        author=author,
        url=doc.url,
        sentiment=sentiment,
        p_negative=p_neg,
        p_neutral=(1 - p_neg) / 2,
        p_positive=(1 - p_neg) / 2,
        model_version="test",
        risk=risk,
        risk_factors=factors or [],
        sensitive_topics=sensitive or [],
        story_id=story.id if story else None,
        analysed_at=at,
    )
    session.add(m)
    session.flush()
    if release is not None:
        session.add(MentionRelease(mention_id=m.id, release_id=release.id, confidence=confidence))
    return m


@pytest.fixture
def settings() -> Settings:
    return Settings(bureau_name="某市统计局", database_url="sqlite://")


@pytest.fixture
def world(session: Session) -> World:
    s = session
    s.add_all(
        [
            Source(
                name="微博搜索",
                kind="weibo_search",
                url="http://127.0.0.1/w",
                status="blocked",
                backoff_until=NOW + timedelta(hours=1),
                last_error="HTTP 418",
                last_success_at=t(20),
            ),
            Source(
                name="本地新闻",
                kind="news_rss",
                url="http://127.0.0.1/n",
                status="ok",
                last_success_at=NOW - timedelta(minutes=10),
            ),
            Source(
                name="本地贴吧",
                kind="tieba",
                url="http://127.0.0.1/t",
                status="ok",
                last_success_at=NOW - timedelta(hours=30),
            ),
            Source(name="停用源", kind="discuz", url="http://127.0.0.1/d", status="error", enabled=False),
        ]
    )
    cpi_old = Release(
        title="2026年9月份居民消费价格",
        indicator="CPI",
        indicator_name="居民消费价格指数",
        period_label="2026年9月",
        published_at=t(1.5, day=15, month=10),
    )
    cpi_prev = Release(
        title="2026年10月份居民消费价格（上期）",
        indicator="CPI",
        indicator_name="居民消费价格指数",
        period_label="2026年10月",
        published_at=t(1.5, day=1, month=11),
    )
    cpi = Release(
        title="2026年11月份居民消费价格",
        indicator="CPI",
        indicator_name="居民消费价格指数",
        period_label="2026年11月",
        published_at=t(1.5),
        headline_text="同比上涨 0.3%",
    )
    ppi = Release(
        title="2026年11月份工业生产者出厂价格",
        indicator="PPI",
        indicator_name="工业生产者出厂价格指数",
        period_label="2026年11月",
        published_at=t(1.5, day=10),
        scheduled=True,
    )
    s.add_all([cpi_old, cpi_prev, cpi, ppi])
    fraud = Story(title="网传CPI数据造假", earliest_publisher="某大V", size=4, risk=88)
    calm = Story(title="统计局发布11月CPI", earliest_publisher="新华网", size=2, risk=20)
    s.add_all([fraud, calm])
    s.flush()
    factors = [
        {"key": "negativity", "label": "负面 0.92", "value": 0.92, "contribution": 30},
        {"key": "sensitive:data_credibility", "label": "涉及数据真实性", "value": 1, "contribution": 25},
    ]
    # in the period: 8 mentions, 4 negative
    ms = [
        add_mention(
            s,
            at=t(2),
            sentiment="negative",
            risk=70,
            story=fraud,
            sensitive=["data_credibility"],
            release=cpi,
        ),
        add_mention(
            s,
            at=t(3),
            sentiment="negative",
            risk=88,
            story=fraud,
            title="网传CPI数据造假",
            sensitive=["data_credibility"],
            factors=factors,
            release=cpi,
        ),
        add_mention(
            s,
            at=t(3.5),
            sentiment="negative",
            risk=60,
            story=fraud,
            release=cpi,
            sensitive=["data_credibility"],
        ),
        add_mention(s, at=t(4), platform="news", sentiment="neutral", risk=30, story=fraud, release=cpi),
        add_mention(s, at=t(2), platform="news", sentiment="positive", risk=5, story=calm, release=cpi),
        add_mention(
            s,
            at=t(2.2),
            platform="news",
            sentiment="neutral",
            risk=20,
            story=calm,
            release=cpi,
            confidence=0.3,
        ),  # too weak a link: not counted as discussing the CPI release
        add_mention(s, at=t(23.9), platform="tieba", sentiment="negative", risk=55, title=EVIL, text=EVIL),
        add_mention(s, at=t(0), platform="discuz", sentiment="neutral", risk=1),
    ]
    # the day before: 2 mentions; after the period: 1 (not counted)
    add_mention(s, at=t(-5), sentiment="negative", risk=15)
    add_mention(s, at=t(-1), sentiment="neutral", risk=15)
    add_mention(s, at=t(24.1), sentiment="negative", risk=99)
    # earlier CPI release: a fraud rumour and a misreading
    add_mention(
        s,
        at=t(3, day=15, month=10),
        sentiment="negative",
        risk=70,
        release=cpi_old,
        sensitive=["data_credibility", "misreading"],
    )
    add_mention(s, at=t(4, day=1, month=11), sentiment="neutral", risk=10, release=cpi_prev)

    serious = Incident(
        title="网传CPI数据造假",
        grade="II",
        category="data_credibility",
        status="responding",
        release_id=cpi.id,
        opened_by="rule",
        opened_at=t(3.2),
        risk=88,
        mention_count=3,
        owner="张三",
    )
    closed = Incident(
        title="房价统计口径争议",
        grade="IV",
        category="misreading",
        status="closed",
        opened_by="rule",
        opened_at=t(0, day=5),
        closed_at=t(10),
        risk=40,
    )
    new = Incident(
        title="失业率数据质疑",
        grade="I",
        category="data_credibility",
        status="detected",
        opened_by="rule",
        opened_at=t(20),
        risk=91,
    )
    s.add_all([serious, closed, new])
    s.flush()
    s.add(IncidentMention(incident_id=serious.id, mention_id=ms[1].id))
    s.add_all(
        [
            Deadline(
                incident_id=serious.id,
                kind="authoritative_info",
                starts_at=t(3.2),
                due_at=t(8.2),
                state="met",
                met_at=t(7),
            ),
            Deadline(incident_id=serious.id, kind="press_conference", starts_at=t(3.2), due_at=t(27.2)),
            Deadline(
                incident_id=closed.id,
                kind="timely_response",
                starts_at=t(0, day=5),
                due_at=t(24, day=5),
                state="met",
                met_at=t(30, day=5),
            ),
            Deadline(
                incident_id=new.id,
                kind="authoritative_info",
                starts_at=t(20),
                due_at=t(22),
                state="breached",
                breached_at=t(22),
            ),
            Deadline(incident_id=new.id, kind="press_conference", starts_at=t(20), due_at=t(44)),
        ]
    )
    s.commit()
    return World(
        cpi=cpi.id,
        cpi_prev=cpi_prev.id,
        cpi_old=cpi_old.id,
        ppi=ppi.id,
        story_fraud=fraud.id,
        incident_serious=serious.id,
        incident_closed=closed.id,
        incident_new=new.id,
        evil_mention=ms[6].id,
    )
